// "Kopiëren" beside a one-time link or a new token: `button[data-copy="<element id>"]` copies
// that element's text to the clipboard and says so beside the button (announced politely).
// Without this script (or without clipboard access) the text stays selectable, as before.

export function startCopyButtons () {
  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element && event.target.closest('button[data-copy]')
    if (!button) return
    const source = document.getElementById(button.dataset.copy)
    const status = button.parentElement && button.parentElement.querySelector('.copy-status')
    if (!source) return
    const say = (text) => { if (status) status.textContent = text }
    if (!navigator.clipboard) return say('Kopiëren lukt hier niet; selecteer de tekst en kopieer die zelf.')
    navigator.clipboard.writeText(source.textContent.trim())
      .then(() => say('Gekopieerd.'), () => say('Kopiëren lukt hier niet; selecteer de tekst en kopieer die zelf.'))
  })
}

// The fields a choice needs, and only those: in a form, elements with `data-for="a b"` show
// only while the select named by `data-shown-by` on the form has the value a or b. Hidden fields
// are disabled, so they are not sent either. Without this script every field shows.
export function startChoiceFields () {
  for (const form of document.querySelectorAll('form[data-shown-by]')) {
    const select = form.querySelector(`#${CSS.escape(form.dataset.shownBy)}`)
    if (!select) continue
    const apply = () => {
      for (const part of form.querySelectorAll('[data-for]')) {
        const shown = part.dataset.for.split(' ').includes(select.value)
        part.hidden = !shown
        for (const field of part.querySelectorAll('input, select, textarea')) field.disabled = !shown
      }
    }
    select.addEventListener('change', apply)
    apply()
  }
}
