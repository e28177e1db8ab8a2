// Irreversible and notifying actions ask first. A form (or the button that submits it) with
// `data-confirm="…"` opens a dialog with that text before anything is sent; `data-confirm-yes`
// names the button that goes ahead. A form with `data-confirm-from="<select id>"` takes the
// text from the chosen option's `data-confirm` (the escalation form: who will be told depends
// on the rung chosen).
//
// Without this script the forms submit at once, as they always did; the server's rules do not
// depend on the question being asked.

const CANCEL_TEXT = 'Annuleren'
const YES_TEXT = 'Ja, doorgaan'

/** The question for submitting `form` with `submitter`, or null when it needs none. */
export function questionFor (form, submitter) {
  if (submitter && submitter.dataset && submitter.dataset.confirm) {
    return { text: submitter.dataset.confirm, yes: submitter.dataset.confirmYes || YES_TEXT }
  }
  if (form.dataset.confirm) {
    return { text: form.dataset.confirm, yes: form.dataset.confirmYes || YES_TEXT }
  }
  const from = form.dataset.confirmFrom && form.ownerDocument.getElementById(form.dataset.confirmFrom)
  const option = from && from.selectedOptions && from.selectedOptions[0]
  if (option && option.dataset.confirm) {
    return { text: option.dataset.confirm, yes: form.dataset.confirmYes || YES_TEXT }
  }
  return null
}

/** Ask on every form of the page that wants it, including forms that arrive later. */
export function startConfirmations () {
  // Capture phase: this runs before any other submit handler, so a form that needs a yes is
  // neither sent by the browser nor by the panel's own submit handler before it has one.
  document.addEventListener('submit', (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement)) return
    if (form.dataset.confirmed === 'yes') {
      delete form.dataset.confirmed
      return
    }
    const question = questionFor(form, event.submitter)
    if (!question) return
    event.preventDefault()
    event.stopImmediatePropagation()
    const submitter = event.submitter
    ask(question, () => {
      form.dataset.confirmed = 'yes'
      if (submitter && submitter.form === form) form.requestSubmit(submitter)
      else form.requestSubmit()
    }, submitter || form)
  }, true)
}

/** A modal dialog with `text`, a yes and a cancel button; the focus returns to `back` after. */
function ask ({ text, yes }, onYes, back) {
  const dialog = document.createElement('dialog')
  dialog.className = 'confirm'
  dialog.setAttribute('aria-labelledby', 'confirm-text')
  const message = document.createElement('p')
  message.id = 'confirm-text'
  message.textContent = text
  const buttons = document.createElement('div')
  buttons.className = 'row'
  const go = document.createElement('button')
  go.type = 'button'
  go.className = 'danger'
  go.textContent = yes
  const cancel = document.createElement('button')
  cancel.type = 'button'
  cancel.className = 'secondary'
  cancel.textContent = CANCEL_TEXT
  buttons.append(go, cancel)
  dialog.append(message, buttons)
  let chosen = false
  go.addEventListener('click', () => { chosen = true; dialog.close() })
  cancel.addEventListener('click', () => dialog.close())
  dialog.addEventListener('close', () => {
    dialog.remove()
    if (back && typeof back.focus === 'function') back.focus()
    if (chosen) onYes()
  })
  document.body.append(dialog)
  dialog.showModal()
  // The safe choice has the focus: Enter or Escape does not archive anything.
  cancel.focus()
}
