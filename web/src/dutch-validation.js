// The app's own Dutch messages instead of the browser's validation bubbles, which speak the
// browser's language: every form is sent as typed (`noValidate`), and the server answers with
// its Dutch reason (next to the field in the workflow panel, see panel-forms.js; on the page
// for the other forms). The `required` attributes stay, for screen readers and the styling.

function relax (root) {
  for (const form of root.querySelectorAll('form')) form.noValidate = true
}

export function startDutchValidation () {
  relax(document)
  if (typeof MutationObserver !== 'function') return
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (!(node instanceof Element)) continue
        if (node.matches('form')) node.noValidate = true
        else relax(node)
      }
    }
  }).observe(document.body, { childList: true, subtree: true })
}
