// Presentation mode for the meeting room's big screen: one step at a time, in large type, with
// the step bar to move (or ← and →, PageUp and PageDown; Escape ends it). Live edits from the
// laptops keep arriving: the step shown is the same live editor, only the others are hidden.
// The button "Presenteren" is in the page's HTML but hidden; this script shows it.

const STEPS = 7 // six steps and the workflow panel

/** The step or panel `n` of the board. */
function part (n) {
  return n === STEPS ? document.getElementById('workflow') : document.getElementById('stap-' + n)
}

export function startPresentation () {
  const main = document.querySelector('main#canvas')
  const button = document.getElementById('present-toggle')
  if (!main || !button) return
  button.hidden = false
  let current = 1
  const presenting = () => document.body.classList.contains('presenting')

  const show = (n) => {
    if (!part(n)) return
    current = n
    document.body.dataset.presentStep = String(n)
    for (let i = 1; i <= STEPS; i++) {
      const el = part(i)
      if (el) el.toggleAttribute('data-current', i === n)
    }
    for (const link of document.querySelectorAll('#step-bar a[data-step-link]')) {
      if (Number(link.dataset.stepLink) === n) link.setAttribute('aria-current', 'step')
      else link.removeAttribute('aria-current')
    }
  }
  const enter = () => {
    const focused = document.activeElement?.closest?.('.step[data-step]')
    document.body.classList.add('presenting')
    button.textContent = 'Presentatie stoppen'
    button.setAttribute('aria-pressed', 'true')
    show(focused ? Number(focused.dataset.step) : current)
    window.scrollTo(0, 0)
  }
  const leave = () => {
    document.body.classList.remove('presenting')
    delete document.body.dataset.presentStep
    button.textContent = 'Presenteren'
    button.setAttribute('aria-pressed', 'false')
    for (const link of document.querySelectorAll('#step-bar a[aria-current]')) link.removeAttribute('aria-current')
    part(current)?.scrollIntoView({ block: 'start' })
  }
  button.setAttribute('aria-pressed', 'false')
  button.addEventListener('click', () => (presenting() ? leave() : enter()))

  // The step bar (step-bar.js) announces every jump; while presenting it also picks the step.
  document.addEventListener('doorbraak:step', (event) => {
    if (presenting()) show(event.detail)
  })
  document.addEventListener('keydown', (event) => {
    if (!presenting() || event.altKey || event.ctrlKey || event.metaKey) return
    if (event.key === 'Escape') {
      leave()
      button.focus()
      event.preventDefault()
      return
    }
    // Arrows belong to the text while someone is typing in it.
    const typing = document.activeElement?.closest?.('.cm-editor, input, textarea, select, [contenteditable="true"]')
    if (typing) return
    const step = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 }[event.key]
    if (!step) return
    let next = current + step
    while (next >= 1 && next <= STEPS && !part(next)) next += step
    if (next >= 1 && next <= STEPS) show(next)
    event.preventDefault()
  })
}
