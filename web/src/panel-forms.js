// Forms in the workflow panel are sent without leaving the page, so that a refusal cannot be
// lost: the panel's live refresh used to replace the reloaded page's panel within a moment,
// taking the Dutch message and everything typed with it.
//
// A form is posted with fetch. Done: the panel is fetched again and shown (`onDone`). Refused:
// the server's Dutch reason (the `p.error` of the page it answers with) is shown inside the
// form, next to its fields, and what was typed stays; while a form shows an error, the live
// refresh holds the panel back (live-workflow.js asks `hasError`). Without this script the
// forms post as ordinary HTML forms, and the server answers with the page and the reason.

const OFFLINE = 'Versturen is niet gelukt: er is nu geen verbinding met de server. Wat je ' +
  'invulde staat er nog; probeer het zo opnieuw.'
const SESSION_ENDED = 'Je sessie is verlopen. Wat je invulde staat er nog: log in een ander ' +
  'tabblad opnieuw in en verstuur het dan nog eens.'
const FAILED = 'Dat is niet gelukt. Probeer het opnieuw.'

/** Whether a form in `panel` shows a refusal that the person has not dealt with yet. */
export function hasError (panel) {
  return !!panel.querySelector('form[data-error="true"]')
}

/**
 * Send the forms of the panel `selector` with fetch; `onDone()` (async) refreshes the panel
 * after a change went through. `base` is the canvas's path: a change answers with a redirect
 * to it, anything else (the sign-in page after an ended session) is not a success.
 */
export function startPanelForms (selector, base, onDone) {
  document.addEventListener('submit', async (event) => {
    const form = event.target
    if (!(form instanceof HTMLFormElement) || !form.closest(selector)) return
    if (form.method.toLowerCase() !== 'post') return
    event.preventDefault()
    const submitter = event.submitter
    const body = new URLSearchParams(submitter ? new FormData(form, submitter) : new FormData(form))
    setBusy(form, true)
    let res
    try {
      res = await fetch(form.action, {
        method: 'POST',
        body,
        credentials: 'same-origin',
        headers: { accept: 'text/html' }
      })
    } catch {
      setBusy(form, false)
      showError(form, OFFLINE)
      return
    }
    const landed = new URL(res.url, location.href).pathname
    if (res.ok && landed === base) {
      clearError(form)
      // Busy until the new panel is in: it replaces this form.
      try {
        await onDone()
      } finally {
        setBusy(form, false)
      }
      return
    }
    setBusy(form, false)
    if (res.ok) {
      showError(form, SESSION_ENDED)
      return
    }
    showError(form, await reasonOf(res))
  })
}

/** The Dutch reason in the server's answer: the panel's `p.error`, or the error page's text. */
async function reasonOf (res) {
  try {
    const template = document.createElement('template')
    template.innerHTML = await res.text()
    // In this order: the panel's reason on the canvas page, else an error page's message.
    for (const selector of ['#workflow p.error', 'main p.error', 'main h1 + p']) {
      const text = template.content.querySelector(selector)?.textContent.trim()
      if (text) return text
    }
    return FAILED
  } catch {
    return FAILED
  }
}

function setBusy (form, busy) {
  form.setAttribute('aria-busy', busy ? 'true' : 'false')
  for (const button of form.querySelectorAll('button[type="submit"], button:not([type])')) {
    button.disabled = busy
  }
}

/** The reason inside the form, after its fields and before its buttons, announced at once. */
function showError (form, text) {
  let message = form.querySelector('p.form-error')
  if (!message) {
    message = document.createElement('p')
    message.className = 'error form-error'
    message.setAttribute('role', 'alert')
    message.id = (form.id || 'form') + '-error'
    const buttons = form.querySelector('.row:last-child, button[type="submit"]')
    if (buttons && buttons.parentElement === form) form.insertBefore(message, buttons)
    else form.append(message)
  }
  message.textContent = text
  form.dataset.error = 'true'
  for (const field of form.querySelectorAll('input:not([type="hidden"]), textarea, select')) {
    field.setAttribute('aria-describedby', message.id)
  }
}

function clearError (form) {
  const message = form.querySelector('p.form-error')
  if (message) message.remove()
  delete form.dataset.error
}
