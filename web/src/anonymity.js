// The anonymity check while typing: each text field is sent (debounced, after a change) to the
// server's one implementation of the rule, `POST /api/anonimiteit`, and what it finds is marked
// in the editor (an underline with the Dutch explanation) and listed in the panel "Anonimiteit",
// whose buttons select the finding in its field. A live region says how many there are. The
// rule is never written here: the page only shows what the server answers.

import { StateEffect, StateField } from '@codemirror/state'
import { Decoration, EditorView } from '@codemirror/view'

import { utf16Offsets } from './text-offsets.js'

/** Wait this long after the last keystroke before asking. */
const CHECK_AFTER_MS = 400

const setFindings = StateEffect.define()

/** The marks of one editor, replaced as a whole by each answer and moved along with edits. */
const findingsField = StateField.define({
  create: () => Decoration.none,
  update (marks, tr) {
    marks = marks.map(tr.changes)
    for (const effect of tr.effects) if (effect.is(setFindings)) marks = effect.value
    return marks
  },
  provide: (field) => EditorView.decorations.from(field)
})

function csrfToken () {
  const field = document.querySelector('input[name="csrf"]')
  return field ? field.value : ''
}

/**
 * Start checking the mounted editors (a map from root name to { view }) of the canvas page.
 * @param {Element} main
 * @param {Map<string, { view: EditorView }>} editors
 */
export function startAnonymity (main, editors) {
  if (!editors.size) return
  const label = document.getElementById('canvas-label')?.textContent.trim() || ''
  const panel = makePanel(main)
  /** Per root: the findings shown, with the text they were found in. */
  const shown = new Map()
  const render = () => renderPanel(panel, shown, editors)

  for (const [root, { view }] of editors) {
    view.dispatch({ effects: StateEffect.appendConfig.of(findingsField) })
    let timer = null
    let asked = 0
    const check = async () => {
      const text = view.state.doc.toString()
      const mine = ++asked
      let findings = []
      if (text.trim()) {
        const res = await fetch('/api/anonimiteit', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken() },
          body: JSON.stringify({ text, label })
        }).catch(() => null)
        if (!res || !res.ok) return
        findings = (await res.json()).findings || []
      }
      // A newer question is on its way, or the text changed meanwhile: that answer counts.
      if (mine !== asked || view.state.doc.toString() !== text) return
      const at = utf16Offsets(text)
      const ranges = findings.map((f) => ({ ...f, from: at(f.start), to: at(f.end) })).filter((f) => f.to > f.from)
      const marks = Decoration.set(ranges.map((f) => Decoration.mark({
        class: 'anon-finding',
        attributes: { title: f.uitleg, 'data-kind': f.kind }
      }).range(f.from, f.to)), true)
      view.dispatch({ effects: setFindings.of(marks) })
      shown.set(root, ranges.map((f) => ({ ...f, text: text.slice(f.from, f.to) })))
      render()
    }
    const later = () => {
      clearTimeout(timer)
      timer = setTimeout(check, CHECK_AFTER_MS)
    }
    // Every change of the document, typed here or arriving from the others.
    view.dispatch({
      effects: StateEffect.appendConfig.of(EditorView.updateListener.of((u) => { if (u.docChanged) later() }))
    })
    check()
  }
}

function makePanel (main) {
  const section = document.createElement('section')
  section.id = 'anonimiteit'
  section.setAttribute('aria-labelledby', 'anonimiteit-title')
  const h2 = document.createElement('h2')
  h2.id = 'anonimiteit-title'
  h2.textContent = 'Anonimiteit'
  const status = document.createElement('p')
  status.id = 'anonimiteit-status'
  status.setAttribute('role', 'status')
  const list = document.createElement('ul')
  list.id = 'anonimiteit-list'
  section.append(h2, status, list)
  const board = main.querySelector('.board')
  if (board) board.before(section)
  else main.append(section)
  return section
}

function renderPanel (panel, shown, editors) {
  const all = [...shown.entries()].flatMap(([root, findings]) => findings.map((f) => ({ root, ...f })))
  const status = panel.querySelector('#anonimiteit-status')
  const text = all.length === 0
    ? 'Geen persoonsgegevens gevonden.'
    : `${all.length} ${all.length === 1 ? 'mogelijk persoonsgegeven' : 'mogelijke persoonsgegevens'} gevonden. Een canvas is anoniem: haal ze weg of beschrijf ze zonder herkenbare gegevens.`
  if (status.textContent !== text) status.textContent = text
  panel.dataset.findings = String(all.length)
  const list = panel.querySelector('#anonimiteit-list')
  list.replaceChildren(...all.map((f) => {
    const li = document.createElement('li')
    li.dataset.kind = f.kind
    const field = document.querySelector(`div.editor[data-ytext="${CSS.escape(f.root)}"]`)
    const step = field?.closest('li.step')?.querySelector('h2')?.textContent.trim() || f.root
    const button = document.createElement('button')
    button.type = 'button'
    button.className = 'secondary small'
    button.textContent = 'Ga erheen'
    button.setAttribute('aria-label', `Ga erheen: ${f.uitleg} in ${step}`)
    button.addEventListener('click', () => {
      const view = editors.get(f.root)?.view
      if (!view) return
      // The text may have changed since the answer: stay inside it.
      const length = view.state.doc.length
      view.focus()
      view.dispatch({ selection: { anchor: Math.min(f.from, length), head: Math.min(f.to, length) }, scrollIntoView: true })
    })
    li.append(`${step}: ${f.uitleg} `, button)
    return li
  }))
}
