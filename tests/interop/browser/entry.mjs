// Browser entry for browser.test.mjs: the official, unmodified yjs + y-websocket, bundled by esbuild
// into an IIFE and loaded by page.html. It exposes `window.doorbraak`, a small API the test drives
// through Playwright, and binds a <textarea> to the canvas's `situation` text so that the test can
// also type with the real keyboard.

import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

const TEXT_ROOT = 'situation'

/** @type {{ doc: Y.Doc, provider: WebsocketProvider, ytext: Y.Text } | null} */
let session = null
/** Every WebSocket status change, for diagnostics when a wait times out. */
const statusLog = []

function current () {
  if (!session) throw new Error('doorbraak.connect(serverUrl, room) was not called')
  return session
}

/** Keep the textarea and the Y.Text equal: local input becomes a minimal delete/insert. */
function bindTextarea (textarea, doc, ytext) {
  const LOCAL = 'textarea'
  textarea.value = ytext.toString()
  textarea.disabled = false
  textarea.addEventListener('input', () => {
    const before = ytext.toString()
    const after = textarea.value
    let start = 0
    while (start < before.length && start < after.length && before[start] === after[start]) start++
    let endBefore = before.length
    let endAfter = after.length
    while (endBefore > start && endAfter > start && before[endBefore - 1] === after[endAfter - 1]) {
      endBefore--
      endAfter--
    }
    doc.transact(() => {
      if (endBefore > start) ytext.delete(start, endBefore - start)
      if (endAfter > start) ytext.insert(start, after.slice(start, endAfter))
    }, LOCAL)
  })
  ytext.observe((event, transaction) => {
    if (transaction.origin === LOCAL) return
    // A remote change: re-render and shift the caret by what was inserted/deleted before it.
    let selStart = textarea.selectionStart
    let selEnd = textarea.selectionEnd
    let index = 0
    for (const op of event.delta) {
      if (op.retain !== undefined) {
        index += op.retain
      } else if (op.insert !== undefined) {
        const len = typeof op.insert === 'string' ? op.insert.length : 1
        if (index <= selStart) selStart += len
        if (index <= selEnd) selEnd += len
        index += len
      } else if (op.delete !== undefined) {
        if (index < selStart) selStart -= Math.min(op.delete, selStart - index)
        if (index < selEnd) selEnd -= Math.min(op.delete, selEnd - index)
      }
    }
    textarea.value = ytext.toString()
    textarea.setSelectionRange(selStart, selEnd)
  })
}

window.doorbraak = {
  /**
   * Join canvas `room` at `serverUrl` (e.g. ws://127.0.0.1:PORT/sync) with a fresh Y.Doc;
   * `params` become the query string (`{ token }` authenticates).
   * BroadcastChannel is disabled so that pages can only see each other through the server.
   */
  connect (serverUrl, room, params = {}) {
    if (session) throw new Error('already connected')
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(serverUrl, room, doc, { disableBc: true, params })
    provider.on('status', ({ status }) => statusLog.push(`${new Date().toISOString()} ${status}`))
    const ytext = doc.getText(TEXT_ROOT)
    session = { doc, provider, ytext }
    const textarea = document.getElementById(TEXT_ROOT)
    if (textarea) bindTextarea(textarea, doc, ytext)
    return doc.clientID
  },
  /** True once the provider received the server's sync step 2. */
  synced () {
    return session !== null && session.provider.synced
  },
  clientID () {
    return current().doc.clientID
  },
  /** The `situation` text as this page's Y.Doc has it. */
  text () {
    return current().ytext.toString()
  },
  /** Insert `str` into the `situation` text at `index` (default: the end). */
  insert (str, index) {
    const { ytext } = current()
    ytext.insert(index === undefined ? ytext.length : index, str)
  },
  /** Set this page's presence (awareness field `user`). */
  setPresence (user) {
    current().provider.awareness.setLocalStateField('user', user)
  },
  /** `user.name` of every *other* client whose presence this page currently has, sorted. */
  presenceNames () {
    const { provider, doc } = current()
    const names = []
    for (const [clientID, state] of provider.awareness.getStates()) {
      if (clientID !== doc.clientID && state && state.user && typeof state.user.name === 'string') {
        names.push(state.user.name)
      }
    }
    return names.sort()
  },
  /** Whether this page has presence of `clientID`. */
  hasPresenceOf (clientID) {
    return current().provider.awareness.getStates().has(clientID)
  },
  /** A JSON-able picture of this page's state, for failure messages. */
  debug () {
    if (!session) return { connected: false, statusLog }
    const { provider, doc, ytext } = session
    return {
      clientID: doc.clientID,
      url: provider.url,
      wsconnected: provider.wsconnected,
      wsconnecting: provider.wsconnecting,
      synced: provider.synced,
      text: ytext.toString(),
      presence: Object.fromEntries(provider.awareness.getStates()),
      statusLog
    }
  }
}
