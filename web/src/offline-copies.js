// The offline copies of canvases in this browser (IndexedDB, one database per account and
// canvas), and their removal: nothing of a canvas stays behind in a shared browser.
//
// A copy is named after the signed-in account as the server rendered it, so another person
// signing in on the same browser never opens someone else's copy; a page for an account removes
// the copies of every other account. All copies go on sign-out (before the form is sent, and the
// server also answers with Clear-Site-Data); a canvas's copies go when the server says the canvas
// is not there for this person (its "Niet gevonden" page, or close code 1008 on its connection).
// When a session expires the open canvas keeps its copy, and only that one (session-ended.js):
// the edits made in the meeting are sent after signing in again, and a shared browser holds no
// more than the tab that was left open shows.

const PREFIX = 'doorbraak-'

/** The database name of `accountId`'s copy of canvas `canvasId`. */
export function copyName (accountId, canvasId) {
  return `${PREFIX}${accountId}-${canvasId}`
}

/** Whether `name` is a copy (of any account, or from before copies had one) of `canvasId`. */
function isCopyOf (name, canvasId) {
  return name.startsWith(PREFIX) && (name === PREFIX + canvasId || name.endsWith(`-${canvasId}`))
}

/** By copy name: how to close it when it is open, before it is deleted (an open database
 * blocks deletion). */
const closers = new Map()

/** Registers `close` (returning a promise) to run before the copy `name` is deleted. */
export function onForget (name, close) {
  closers.set(name, close)
}

function deleteDatabase (name) {
  return new Promise((resolve) => {
    const request = indexedDB.deleteDatabase(name)
    request.onsuccess = request.onerror = request.onblocked = () => resolve()
  })
}

/** Deletes every copy whose name `which` accepts (all by default). */
export async function forgetCopies (which = () => true) {
  if (typeof indexedDB === 'undefined' || typeof indexedDB.databases !== 'function') return
  const closing = [...closers].filter(([name]) => which(name))
  await Promise.all(closing.map(([name, close]) => {
    closers.delete(name)
    return Promise.resolve(close()).catch(() => {})
  }))
  const databases = await indexedDB.databases()
  const names = databases.map((db) => db.name).filter((name) => name && name.startsWith(PREFIX) && which(name))
  await Promise.all(names.map(deleteDatabase))
}

/** Deletes the copies of `canvasId` that are not `keep`. */
export function forgetOtherCopies (canvasId, keep) {
  return forgetCopies((name) => isCopyOf(name, canvasId) && name !== keep)
}

/** Wires the removals that do not need a canvas page: sign-out, sign-in page, "Niet gevonden". */
export function startForgetting () {
  const signOut = document.querySelector('form.sign-out')
  if (signOut) {
    signOut.addEventListener('submit', (event) => {
      if (signOut.dataset.forgotten === 'true') return
      event.preventDefault()
      forgetCopies().finally(() => {
        signOut.dataset.forgotten = 'true'
        signOut.submit()
      })
    })
  }
  // A page for one account removes every other account's copies: those an expired session kept
  // for its own next sign-in go as soon as someone else signs in on this browser.
  const account = signOut && signOut.dataset.accountId
  if (account) forgetCopies((name) => !name.startsWith(`${PREFIX}${account}-`))
  const gone = document.querySelector('[data-forget-canvas]')
  if (gone) forgetCopies((name) => isCopyOf(name, gone.dataset.forgetCanvas))
}
