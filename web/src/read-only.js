// Read-only mode of the canvas page: for people who may read a canvas but not edit it. The server
// says so in the page (`main#canvas[data-read-only="true"]`) or, for a connection it treats as
// read-only, with message type 101 (see sync.js); it drops whatever such a connection sends, so
// the page must not invite edits that would silently go nowhere.
//
// Once on it stays on until a reload: the server only ever says that a connection is read-only,
// never that it is not, and a reload renders the page with the rights as they are then.

const NOTICE_ID = 'read-only-notice'
const NOTICE_TEXT = 'Je kunt dit canvas lezen, maar niet bewerken. Wijzigingen worden niet opgeslagen.'
/** Every control the widgets and toggles are made of. */
const CONTROLS = 'input, select, textarea, button'
/**
 * The workflow panel is not content: its forms are plain POSTs that the server checks for each
 * person, and people who may only read the canvas use them (a coach answers an escalation there).
 */
const EXEMPT = '#workflow'

/**
 * Read-only mode for the canvas in `main`. Returns { active(), enable(), onEnable(fn) }; `fn`
 * runs when read-only mode turns on later (check `active()` for now), for what this module
 * cannot reach itself, such as the editors.
 *
 * @param {HTMLElement} main
 */
export function readOnlyMode (main) {
  let active = false
  const listeners = []
  // Widgets keep adding controls as the document changes (rows of others' edits) and enable
  // some once they are ready (the catalogue of regulations): disable those as they come.
  const observer = new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === 'attributes') disable(record.target)
      for (const node of record.addedNodes) {
        if (node.nodeType === Node.ELEMENT_NODE) disableWithin(node)
      }
    }
  })
  return {
    active: () => active,
    enable () {
      if (active) return
      active = true
      main.dataset.readOnly = 'true'
      showNotice(main)
      disableWithin(main)
      observer.observe(main, { subtree: true, childList: true, attributes: true, attributeFilter: ['disabled'] })
      for (const fn of listeners) fn()
    },
    onEnable (fn) {
      listeners.push(fn)
    }
  }
}

function disable (el) {
  if (el.matches(CONTROLS) && !el.disabled && !el.closest(EXEMPT)) el.disabled = true
}

function disableWithin (root) {
  disable(root)
  for (const el of root.querySelectorAll(CONTROLS)) disable(el)
}

/** The notice under the canvas's title, unless the server rendered it already. */
function showNotice (main) {
  if (document.getElementById(NOTICE_ID)) return
  const notice = document.createElement('p')
  notice.id = NOTICE_ID
  notice.className = 'notice'
  notice.setAttribute('role', 'status')
  notice.textContent = NOTICE_TEXT
  const heading = main.querySelector('#canvas-label')
  if (heading) heading.after(notice)
  else main.prepend(notice)
}
