// Whether someone has started filling in a form: any field whose value differs from the one the
// page was rendered with. Used to hold back a live refresh that would throw that input away.

/** Input types that hold nothing a person typed or chose. */
const NOT_INPUT = new Set(['hidden', 'submit', 'button', 'reset', 'image'])

/**
 * Whether one field differs from its default (the value, checked state or selection in the HTML).
 * Works on anything shaped like a form control, so it can be tested without a DOM.
 *
 * @param {HTMLInputElement | HTMLTextAreaElement | HTMLSelectElement} el
 */
export function fieldEdited (el) {
  const tag = String(el.tagName).toUpperCase()
  if (tag === 'SELECT') return selectEdited(el)
  if (tag === 'INPUT') {
    const type = String(el.type || 'text').toLowerCase()
    if (NOT_INPUT.has(type)) return false
    if (type === 'checkbox' || type === 'radio') return el.checked !== el.defaultChecked
    if (type === 'file') return !!el.files && el.files.length > 0
  }
  return el.value !== el.defaultValue
}

/** A select's default is the last option marked `selected`, else (single, no size) the first. */
function selectEdited (el) {
  const options = Array.from(el.options || [])
  if (el.multiple) return options.some((o) => o.selected !== o.defaultSelected)
  let initial = -1
  options.forEach((o, i) => { if (o.defaultSelected) initial = i })
  if (initial === -1 && options.length > 0 && !(el.size > 1)) initial = 0
  return el.selectedIndex !== initial
}

/**
 * Whether any field inside `root` was changed from its default.
 *
 * @param {ParentNode} root
 */
export function hasEditedFields (root) {
  for (const el of root.querySelectorAll('input, textarea, select')) {
    if (fieldEdited(el)) return true
  }
  return false
}
