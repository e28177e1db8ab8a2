// The step bar above the board (`nav#step-bar`): Alt+1 … Alt+6 jump to a step, Alt+7 to the
// workflow panel, and each step shows who is working there now (the awareness field `step`).
// The links are ordinary anchors; without this script they still jump.

/** Jump to the step or panel `n` and put the focus on its heading. */
function jump (n) {
  const target = n === 7 ? document.getElementById('workflow') : document.getElementById('stap-' + n)
  if (!target) return false
  // Presentation mode (presentation.js) shows the step before it is scrolled to.
  document.dispatchEvent(new CustomEvent('doorbraak:step', { detail: n }))
  const heading = target.querySelector('h2') || target
  heading.setAttribute('tabindex', '-1')
  target.scrollIntoView({ block: 'start' })
  heading.focus({ preventScroll: true })
  return true
}

/** Keyboard shortcuts and focus on jumping; call once per page. */
export function startStepBar () {
  const bar = document.getElementById('step-bar')
  if (!bar) return
  keepBelowTopbar(bar)
  document.addEventListener('keydown', (event) => {
    if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return
    const n = Number(event.key)
    if (!Number.isInteger(n) || n < 1 || n > 7) return
    if (jump(n)) event.preventDefault()
  })
  bar.addEventListener('click', (event) => {
    const link = event.target instanceof Element ? event.target.closest('a[data-step-link]') : null
    if (!link) return
    if (jump(Number(link.dataset.stepLink))) event.preventDefault()
  })
}

/**
 * The bar sticks just below the top bar, and a step jumped to (or focused) scrolls to just below
 * both: app.css reads their heights from `--topbar-height` and `--stepbar-height`, kept up to date
 * here as they wrap on narrow screens.
 */
function keepBelowTopbar (bar) {
  const topbar = document.querySelector('.topbar')
  const root = document.documentElement
  const measure = () => {
    const sticky = topbar && getComputedStyle(topbar).position === 'sticky'
    root.style.setProperty('--topbar-height', (sticky ? topbar.offsetHeight : 0) + 'px')
    root.style.setProperty('--stepbar-height', bar.offsetHeight + 'px')
  }
  measure()
  if (typeof ResizeObserver === 'function') {
    const observer = new ResizeObserver(measure)
    observer.observe(bar)
    if (topbar) observer.observe(topbar)
  }
}

/** Show in the bar who (other than this browser) is in which step; `people` as presence.js has them. */
export function renderStepPresence (bar, people) {
  for (const slot of bar.querySelectorAll('[data-step-presence]')) {
    const n = Number(slot.dataset.stepPresence)
    const here = people.filter((p) => !p.self && p.step === n)
    const key = JSON.stringify(here.map((p) => [p.name, p.color]))
    if (slot.dataset.rendered === key) continue
    slot.dataset.rendered = key
    const dots = here.map((p) => {
      const dot = document.createElement('span')
      dot.className = 'presence-dot'
      dot.style.backgroundColor = p.color
      dot.title = p.name
      dot.setAttribute('aria-hidden', 'true')
      return dot
    })
    const said = document.createElement('span')
    said.className = 'visually-hidden'
    said.textContent = here.length ? ', hier: ' + here.map((p) => p.name).join(', ') : ''
    slot.replaceChildren(...dots, said)
  }
}
