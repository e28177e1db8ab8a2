// The anonymity check for the plain text fields around the canvas: a comment, the leeropbrengst
// when closing, a besluit or actiepunt in the overleg. Each field marked `data-anonymity` is sent
// (a moment after typing stops) to the server's one rule, `POST /api/anonimiteit`; what it
// finds is said right under the field, in a status line the field refers to, before the form is
// sent. Delegated from the document, so fields of a panel that is refreshed live take part too.

/** Wait this long after the last keystroke before asking. */
const CHECK_AFTER_MS = 500

const timers = new WeakMap()

function csrfToken () {
  const field = document.querySelector('input[name="csrf"]')
  return field ? field.value : ''
}

/** The status line under `field`, made on first use and named by its aria-describedby. */
function hintOf (field) {
  const id = (field.id || field.name) + '-anonimiteit'
  let hint = document.getElementById(id)
  if (!hint) {
    hint = document.createElement('p')
    hint.id = id
    hint.className = 'anonymity-hint'
    hint.setAttribute('role', 'status')
    field.after(hint)
    const described = (field.getAttribute('aria-describedby') || '').split(/\s+/).filter(Boolean)
    if (!described.includes(id)) field.setAttribute('aria-describedby', [...described, id].join(' '))
  }
  return hint
}

async function check (field) {
  const text = field.value
  const label = document.getElementById('canvas-label')?.textContent.trim() || ''
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
  // Typed on meanwhile: the next answer counts.
  if (field.value !== text) return
  const hint = hintOf(field)
  const chars = [...text]
  const said = findings.length === 0
    ? ''
    : 'Let op, dit moet anoniem zijn: ' + findings.map((f) =>
      f.uitleg.replace(/\.$/, '') + ' (“' + chars.slice(f.start, f.end).join('') + '”)').join('; ') + '.'
  if (hint.textContent !== said) hint.textContent = said
  field.dataset.anonymityFindings = String(findings.length)
}

/** Start checking every `[data-anonymity]` field of the page as it is typed in. */
export function startAnonymousFields () {
  document.addEventListener('input', (event) => {
    const field = event.target
    if (!(field instanceof HTMLTextAreaElement || field instanceof HTMLInputElement)) return
    if (!field.matches('[data-anonymity]')) return
    clearTimeout(timers.get(field))
    timers.set(field, setTimeout(() => { check(field) }, CHECK_AFTER_MS))
  })
}
