// An ended session on a canvas page: the server closes the connection with 4001 when the session
// that opened it expired, and refuses the next upgrade (which a browser reports as 1006, without
// the status). Either way the page stops reconnecting, says that the session ended and that the
// edits are kept in this browser, and offers to sign in again, returning to this canvas; that
// page opens the same offline copy (named after the account) and sends what was kept.

import { forgetCopies } from './offline-copies.js'

/** The server's close code for an expired session (server/sync/peer.rs). */
export const SESSION_EXPIRED = 4001
/** A failed connection asks whether the session still stands at most this often. */
const PROBE_EVERY_MS = 5000

/**
 * Watches `provider` of canvas `canvasId`; calls `onEnded()` once when the session has ended.
 * `kept()` says whether this page's edits are in its offline copy (`copy` names it): then they
 * survive signing in again here, and every other copy in the browser goes; if not (no
 * IndexedDB), the page asks to sign in in another tab and keep this one open.
 * @param {import('y-websocket').WebsocketProvider} provider
 * @param {string} canvasId
 * @param {{ copy: string, kept: () => boolean, onEnded: () => void }} opts
 */
export function watchSession (provider, canvasId, { copy, kept, onEnded }) {
  let ended = false
  let lastProbe = 0
  const end = () => {
    if (ended) return
    ended = true
    provider.disconnect()
    const keeping = kept()
    // Nothing more stays behind than what the open tab shows.
    forgetCopies((name) => !keeping || name !== copy)
    showNotice(canvasId, keeping)
    onEnded()
  }
  provider.on('connection-close', (event) => {
    if (ended || !event) return
    if (event.code === SESSION_EXPIRED) return end()
    // A refused upgrade looks like a dropped network; only the server can tell which it was.
    if (event.code !== 1006 || !navigator.onLine || Date.now() - lastProbe < PROBE_EVERY_MS) return
    lastProbe = Date.now()
    // The probe header: asking must not itself keep an idle session alive (server/auth/viewer.rs).
    fetch(`/api/canvases/${encodeURIComponent(canvasId)}`, { headers: { Accept: 'application/json', 'X-Doorbraak-Probe': '1' } })
      .then((response) => { if (response.status === 401) end() })
      .catch(() => {}) // the network again: the provider keeps trying
  })
  return { ended: () => ended }
}

function showNotice (canvasId, keeping) {
  if (document.getElementById('session-ended')) return
  const notice = document.createElement('div')
  notice.id = 'session-ended'
  notice.className = 'notice session-ended'
  notice.setAttribute('role', 'alert')
  const text = document.createElement('p')
  text.textContent = keeping
    ? 'Je sessie is verlopen. Je wijzigingen blijven in deze browser bewaard en worden verstuurd zodra je weer bent ingelogd.'
    : 'Je sessie is verlopen. Deze browser kan je wijzigingen niet bewaren: log in een nieuw tabblad opnieuw in en sluit deze pagina pas daarna.'
  const again = document.createElement('a')
  again.className = 'button'
  again.href = `/inloggen?terug=${encodeURIComponent(`/canvases/${canvasId}`)}`
  if (!keeping) again.target = '_blank'
  again.textContent = 'Opnieuw inloggen'
  notice.append(text, again)
  const title = document.querySelector('.canvas-title')
  if (title) title.after(notice)
  else document.querySelector('main')?.prepend(notice)
}
