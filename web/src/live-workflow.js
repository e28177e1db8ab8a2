// The workflow panel of a canvas page (`section#workflow`: status, escalations, budget) follows
// changes anyone makes: on each change event the server's fragment `/canvases/{id}/werkwijze`
// replaces the panel as a whole.
//
// Never at the cost of what someone is doing in it: while a field of the panel holds input not
// yet sent, or a control in it has the focus, the new panel is held back and a notice offers
// "Bijwerken" instead; the same holds while one of its forms shows a refusal. The panel's forms
// are sent without leaving the page (panel-forms.js); without this script they are ordinary
// POSTs, and the page shows the state of its last load.

import { hasEditedFields } from './form-state.js'
import { fetchFragment, followChanges } from './live-refresh.js'
import { hasError, startPanelForms } from './panel-forms.js'

const NOTICE_TEXT = 'De werkwijze is intussen gewijzigd. Kies Bijwerken om de nieuwe stand te zien; ' +
  'wat je hier nog niet hebt verstuurd, gaat dan verloren.'
/** Controls whose focus means someone is at work in the panel. */
const INTERACTIVE = 'input, textarea, select, button, a[href], [contenteditable="true"]'

/** Start following the workflow panel of the page, if it has one. */
export function startLiveWorkflow () {
  const first = document.querySelector('section#workflow[data-canvas-id]')
  if (!first) return
  const canvasId = first.dataset.canvasId
  const base = '/canvases/' + encodeURIComponent(canvasId)
  const selector = `section#workflow[data-canvas-id="${CSS.escape(canvasId)}"]`

  /** The markup of the panel shown, as the server rendered it: unchanged fragments are skipped. */
  let shown = first.outerHTML
  /** A newer panel held back while someone works in the shown one. */
  let held = null
  let state = 'connecting'

  const current = () => document.getElementById('workflow')
  const attach = (panel) => {
    panel.dataset.liveState = state
    addNotice(panel, () => { if (held) show(held, { focus: true }) })
  }
  const show = ({ el, html }, { focus = false } = {}) => {
    const panel = current()
    if (!panel) return
    held = null
    shown = html
    attach(el)
    panel.replaceWith(el)
    showStatusBadge(el)
    if (focus) focusHeading(el)
  }

  attach(first)
  // After one's own change went through, the new panel is shown at once.
  startPanelForms(selector, base, async () => {
    const el = await fetchFragment(base + '/werkwijze', selector)
    if (el) show({ el, html: el.outerHTML }, { focus: true })
  })
  followChanges(base + '/gebeurtenissen', async () => {
    const el = await fetchFragment(base + '/werkwijze', selector)
    if (!el) return
    // Serialised before this script adds anything, like `shown`.
    const html = el.outerHTML
    const panel = current()
    if (!panel) return
    if (html === shown) {
      held = null
      hideNotice(panel)
      return
    }
    if (inUse(panel)) {
      held = { el, html }
      showNotice(panel)
      return
    }
    show({ el, html })
  }, (next) => {
    state = next
    const panel = current()
    if (panel) panel.dataset.liveState = next
  })
}

/** Whether someone is filling in or operating the panel. */
function inUse (panel) {
  const active = document.activeElement
  if (active && active !== panel && panel.contains(active) && active.matches(INTERACTIVE)) return true
  return hasEditedFields(panel) || hasError(panel)
}

/**
 * An empty status line with a hidden "Bijwerken" button under the panel's heading. It is there
 * from the start because screen readers announce changes to a live region, not its arrival.
 */
function addNotice (panel, onUpdate) {
  const box = document.createElement('div')
  box.className = 'live-notice'
  const text = document.createElement('p')
  text.className = 'live-notice-text'
  text.setAttribute('role', 'status')
  const button = document.createElement('button')
  button.type = 'button'
  button.textContent = 'Bijwerken'
  button.hidden = true
  button.addEventListener('click', onUpdate)
  box.append(text, button)
  const heading = panel.querySelector('#workflow-title')
  if (heading) heading.after(box)
  else panel.prepend(box)
}

function showNotice (panel) {
  const text = panel.querySelector('.live-notice-text')
  const button = panel.querySelector('.live-notice button')
  if (!text || !button) return
  if (text.textContent !== NOTICE_TEXT) text.textContent = NOTICE_TEXT
  button.hidden = false
}

function hideNotice (panel) {
  const text = panel.querySelector('.live-notice-text')
  const button = panel.querySelector('.live-notice button')
  if (text) text.textContent = ''
  if (button) button.hidden = true
}

/** The badge beside the title follows the status the new panel shows. */
function showStatusBadge (panel) {
  const badge = document.getElementById('status-badge')
  const status = panel.querySelector('#canvas-status')
  if (!badge || !status || badge.dataset.status === status.dataset.status) return
  badge.dataset.status = status.dataset.status
  const label = document.createElement('span')
  label.className = 'visually-hidden'
  label.textContent = 'Status: '
  badge.replaceChildren(label, status.textContent)
}

/** After "Bijwerken" the button is gone: put the focus on the new panel's heading instead. */
function focusHeading (panel) {
  const heading = panel.querySelector('#workflow-title') || panel
  heading.setAttribute('tabindex', '-1')
  heading.focus()
}
