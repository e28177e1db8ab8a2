// The connection to the server: a y-websocket provider on /sync/{canvasId} with the opt-in
// "saved" signal, and a truthful account of what of this browser's changes the server has stored.
//
// The server counts, per connection, the update-carrying messages it received (sync step 2 and
// update) and, after each commit, sends `[100, count]` with the number of them that are durably
// stored. This client counts the same messages as it sends them, on the very WebSocket that sends
// them (a subclass of WebSocket, passed to the provider), so the two counts mean the same thing:
// all changes sent on this connection are stored when `saved >= sent`.
//
// Changes that could not be sent (made while not connected, or sent on a connection that closed
// before the server confirmed them) are "unsent" until the next connection's sync step 2, which
// carries everything the server lacks.
//
// A connection that may only read gets message type 101 (no body) on joining and whenever the
// server drops what it sent. Nothing such a page sends is ever stored, so its save status stays
// empty rather than waiting for confirmations that never come.

import * as decoding from 'lib0/decoding'
import { WebsocketProvider } from 'y-websocket'

const MESSAGE_SYNC = 0
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2
/** Doorbraak's own message type: a varuint count of this connection's stored update messages. */
export const MESSAGE_SAVED = 100
/** Doorbraak's own message type, no body: this connection may read, not edit. */
export const MESSAGE_READ_ONLY = 101

/** For a message the client sends: SYNC_STEP2 / SYNC_UPDATE when it carries an update, else null. */
function updateKind (data) {
  let buf
  if (data instanceof Uint8Array) buf = data
  else if (data instanceof ArrayBuffer) buf = new Uint8Array(data)
  else return null
  try {
    const decoder = decoding.createDecoder(buf)
    if (decoding.readVarUint(decoder) !== MESSAGE_SYNC) return null
    const kind = decoding.readVarUint(decoder)
    return kind === SYNC_STEP2 || kind === SYNC_UPDATE ? kind : null
  } catch {
    return null
  }
}

/**
 * Connect `doc` to the canvas room. Returns { provider, save } where `save.state()` is one of
 * 'idle' (nothing to report yet, or read-only), 'saving', 'saved' and 'unsent', and
 * `onChange(fn)` is called whenever that may have changed. `onReadOnly` is called each time the
 * server says this connection may not edit.
 *
 * @param {import('yjs').Doc} doc
 * @param {string} canvasId
 * @param {{ onReadOnly?: () => void }} [opts]
 */
export function connect (doc, canvasId, { onReadOnly = () => {} } = {}) {
  const listeners = new Set()
  const changed = () => { for (const fn of listeners) fn() }

  const tracker = {
    /** The socket whose messages `sent` and `saved` count. */
    socket: null,
    sent: 0,
    saved: 0,
    /** Local changes that no open connection has carried to the server yet. */
    unsent: false,
    /** Whether the server ever confirmed everything this page had sent. */
    everSaved: false,
    /** Whether the server said it drops what this page sends. */
    readOnly: false
  }

  class CountingWebSocket extends WebSocket {
    constructor (url, protocols) {
      super(url, protocols)
      // A new connection: the server counts its messages from zero.
      tracker.socket = this
      tracker.sent = 0
      tracker.saved = 0
    }

    send (data) {
      super.send(data)
      const kind = updateKind(data)
      if (kind !== null && this === tracker.socket) {
        tracker.sent++
        // Sync step 2 answers the server's state vector with everything the server lacks.
        if (kind === SYNC_STEP2) tracker.unsent = false
        changed()
      }
    }
  }

  const protocol = window.location.protocol === 'https:' ? 'wss://' : 'ws://'
  const provider = new WebsocketProvider(protocol + window.location.host + '/sync', canvasId, doc, {
    params: { saved: '1' },
    WebSocketPolyfill: CountingWebSocket
  })

  provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder, p) => {
    const count = decoding.readVarUint(decoder)
    if (p.ws !== tracker.socket) return
    tracker.saved = Math.max(tracker.saved, count)
    if (tracker.saved >= tracker.sent && !tracker.unsent) tracker.everSaved = true
    changed()
  }

  provider.messageHandlers[MESSAGE_READ_ONLY] = () => {
    if (!tracker.readOnly) {
      tracker.readOnly = true
      changed()
    }
    onReadOnly()
  }

  provider.on('connection-close', () => {
    // What the closed connection sent but the server did not confirm may be lost: the next
    // connection's sync step 2 sends it again if so.
    if (tracker.sent > tracker.saved) tracker.unsent = true
    tracker.socket = null
    tracker.sent = 0
    tracker.saved = 0
    changed()
  })

  // Going offline need not close an open socket: Chromium keeps it open and holds its frames back,
  // and the provider would count as connected until its 30 s "no message received" watchdog.
  // Drop it as an abnormal closure (1006), so the provider takes its usual path: status, the
  // unsent changes above, retries with back-off; main.js reconnects at once on 'online'.
  window.addEventListener('offline', () => {
    if (provider.ws) provider.ws.dispatchEvent(new CloseEvent('close', { code: 1006 }))
  })

  doc.on('update', (_update, origin) => {
    if (origin === provider) return // from the server (or another tab, which saves its own)
    const ws = provider.ws
    // The same condition under which the provider sends the update right away.
    if (!(provider.wsconnected && ws && ws.readyState === WebSocket.OPEN)) {
      tracker.unsent = true
      changed()
    }
  })

  const save = {
    state () {
      if (tracker.readOnly) return 'idle'
      const connected = provider.wsconnected
      if (tracker.socket && tracker.sent > tracker.saved) return 'saving'
      if (tracker.unsent) return connected ? 'saving' : 'unsent'
      return tracker.everSaved ? 'saved' : 'idle'
    },
    onChange (fn) { listeners.add(fn) }
  }
  return { provider, save }
}
