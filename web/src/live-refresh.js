// Live refresh of a server-rendered part of a page: the server says "something changed" on a
// server-sent-events stream (event `werkwijze`), and the page fetches that part's HTML again.
//
// The stream carries no data on purpose: the fragment is rendered for the person who fetches it,
// with exactly what they may see and do, so nothing here decides about access. Without this
// script the page still works; it just shows the state of its last load.

/** The event the server sends whenever the workflow facts change. */
export const CHANGE_EVENT = 'werkwijze'

/**
 * Wraps `task` (async) so that it never runs twice at once: a call while it runs asks for exactly
 * one more run after it, however many calls come in meanwhile. A burst of events thus costs at
 * most two fetches, and the last one always starts after the last event. Each call resolves when
 * the run that covers it has finished; a failed run is swallowed (the next event tries again).
 *
 * @param {() => Promise<unknown> | unknown} task
 * @returns {() => Promise<void>}
 */
export function coalesce (task) {
  let running = null
  let again = false
  const loop = async () => {
    do {
      again = false
      try {
        await task()
      } catch {}
    } while (again)
    running = null
  }
  return () => {
    if (running) {
      again = true
      return running
    }
    running = loop()
    return running
  }
}

/**
 * Follow the change stream at `url`: `refresh` (coalesced) runs on every change event and each
 * time the stream (re)opens, because what changed before it opened, or while it was down, sent
 * no event to this page. EventSource reconnects by itself after a dropped connection; errors are
 * not reported further: the page stays usable.
 *
 * The stream is closed while the tab is hidden: over HTTP/1.1 a browser opens at most six
 * connections to a server, and a stream held open by every background tab would leave none
 * for loading pages. Becoming visible opens it again, and with it comes the catch-up refresh.
 *
 * `onState` hears 'connecting', 'open', 'paused' (tab hidden) and 'closed' (the server refused
 * the stream, e.g. after signing out; the browser stops retrying until the tab is shown again).
 *
 * `options.event` names the change event (default `werkwijze`); `options.listeners` hears other
 * events of the same stream by name, with their data (an overleg's stream says where its chair
 * is on the same connection).
 *
 * @param {string} url same-origin path of the stream
 * @param {() => Promise<unknown>} refresh
 * @param {(state: 'connecting' | 'open' | 'paused' | 'closed') => void} [onState]
 * @param {{ event?: string, listeners?: Record<string, (data: string) => void> }} [options]
 */
export function followChanges (url, refresh, onState = () => {}, options = {}) {
  const changeEvent = options.event || CHANGE_EVENT
  const listeners = options.listeners || {}
  if (typeof EventSource !== 'function') return
  const run = coalesce(refresh)
  let source = null
  const open = () => {
    if (source) return
    try {
      source = new EventSource(url)
    } catch {
      return
    }
    const own = source
    onState('connecting')
    own.addEventListener('open', () => {
      onState('open')
      run()
    })
    own.addEventListener(changeEvent, () => { run() })
    for (const [name, listener] of Object.entries(listeners)) {
      own.addEventListener(name, (event) => { listener(event.data) })
    }
    own.addEventListener('error', () => {
      if (own !== source) return
      if (own.readyState === EventSource.CLOSED) {
        source = null
        onState('closed')
      } else {
        onState('connecting')
      }
    })
  }
  const pause = () => {
    if (!source) return
    source.close()
    source = null
    onState('paused')
  }
  document.addEventListener('visibilitychange', () => {
    if (document.hidden) pause()
    else open()
  })
  if (document.hidden) onState('paused')
  else open()
}

/**
 * GET the HTML fragment at `url` and return its first element if it matches `selector`, else
 * null: a failed request, a redirect (an ended session lands on the sign-in page) or anything
 * else than the fragment asked for. The element is inert until it is put into the page.
 *
 * @param {string} url
 * @param {string} selector
 * @returns {Promise<Element | null>}
 */
export async function fetchFragment (url, selector) {
  const res = await fetch(url, {
    credentials: 'same-origin',
    cache: 'no-store',
    headers: { accept: 'text/html' }
  })
  if (!res.ok || res.redirected) return null
  // A <template> parses without running scripts or loading anything.
  const template = document.createElement('template')
  template.innerHTML = await res.text()
  const el = template.content.firstElementChild
  return el && el.matches(selector) ? el : null
}
