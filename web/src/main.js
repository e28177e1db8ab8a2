// Doorbraak in the browser: turns the server-rendered canvas page into a live, shared canvas, and
// keeps the workflow panel and the coach dashboard up to date (live-workflow.js, live-dashboard.js).
//
// The page works without this script (it shows the content as of the page load). With it, one
// Y.Doc holds the canvas (docs/canvas-schema.md), synced over y-websocket at /sync/{id} and kept
// in IndexedDB so that edits made offline survive a reload and merge on the next connection.

import * as Y from 'yjs'
import { IndexeddbPersistence } from 'y-indexeddb'

import { startAnonymity } from './anonymity.js'
import { startAnonymousFields } from './anonymous-fields.js'
import { startComments } from './comments.js'
import { startConfirmations } from './confirm.js'
import { startChoiceFields, startCopyButtons } from './copy.js'
import { startDutchValidation } from './dutch-validation.js'
import { mountEditors, setEditorsReadOnly } from './editors.js'
import { startLiveDashboard } from './live-dashboard.js'
import { startLiveMeeting } from './live-meeting.js'
import { startLiveWorkflow } from './live-workflow.js'
import { copyName, forgetCopies, forgetOtherCopies, onForget, startForgetting } from './offline-copies.js'
import { keepColourDistinct, localIdentity, presentPeople, renderPresence, trackFocusedStep } from './presence.js'
import { startPresentation } from './presentation.js'
import { renderStepPresence, startStepBar } from './step-bar.js'
import { startTableCards } from './table-cards.js'
import { readOnlyMode } from './read-only.js'
import { watchSession } from './session-ended.js'
import { connect } from './sync.js'
import { prepareWidgets } from './widgets.js'

/** Map roots of the schema that checkboxes may be bound to. */
const TOGGLE_MAPS = new Set(['lifeAreas', 'policyDomains'])
/** Offline: how long after IndexedDB has loaded to wait for the server before showing editors. */
const OFFLINE_MOUNT_DELAY_MS = 1500
/** Show the editors after this long whatever happened (no IndexedDB, no server). */
const MOUNT_DEADLINE_MS = 4000
/** "Wordt opgeslagen…" stays at least this long, so the status does not flicker while typing. */
const MIN_SAVING_MS = 600

const SAVE_TEXT = {
  idle: '',
  saving: 'Wordt opgeslagen…',
  saved: 'Opgeslagen',
  unsent: 'Nog niet opgeslagen'
}

function start () {
  const main = document.querySelector('main#canvas[data-canvas-id]')
  if (!main) return
  const canvasId = main.dataset.canvasId

  const doc = new Y.Doc()
  let local = null
  const name = copyName(main.dataset.accountId, canvasId)
  if (typeof indexedDB !== 'undefined' && main.dataset.accountId) {
    try {
      local = new IndexeddbPersistence(name, doc)
      forgetOtherCopies(canvasId, name)
    } catch (err) {
      console.warn('IndexedDB is not available; offline edits do not survive a reload', err)
    }
  }
  onForget(name, () => {
    const closing = local ? local.destroy() : null
    local = null
    return closing
  })
  const readOnly = readOnlyMode(main)
  if (main.dataset.readOnly === 'true') readOnly.enable()
  const { provider, save } = connect(doc, canvasId, { onReadOnly: () => readOnly.enable() })
  // 1008: the server ended this person's access (signed out elsewhere, removed, revoked): the copy
  // goes. The connection comes back with whatever access remains.
  provider.on('connection-close', (event) => {
    if (event && event.code === 1008) forgetCopies((db) => db === name)
    // 1009: what this browser holds is too large to store. Trying again would send the same, so
    // the page stops, keeps its local copy and shows the server's reason.
    if (event && event.code === 1009) provider.disconnect()
  })
  const session = watchSession(provider, canvasId, {
    copy: name,
    kept: () => local !== null,
    onEnded: () => showConnectionNow()
  })
  const awareness = provider.awareness

  // The server names the signed-in person; "Gast NN" only when it does not.
  const identity = localIdentity(main.dataset.userName)
  awareness.setLocalStateField('user', identity)
  awareness.setLocalStateField('step', null)
  keepColourDistinct(awareness, identity)
  trackFocusedStep(main, awareness)

  const presence = document.getElementById('presence')
  if (presence) {
    const render = () => renderPresence(presence, awareness)
    awareness.on('change', render)
    render()
  }
  const bar = document.getElementById('step-bar')
  if (bar) {
    const render = () => renderStepPresence(bar, presentPeople(awareness))
    awareness.on('change', render)
    render()
  }

  const showConnectionNow = showConnection(provider, session)
  showSaveStatus(save, () => local !== null && local.synced)
  const showToggles = bindToggles(main, doc)
  const widgets = prepareWidgets(main)

  // Keep the server-rendered text until the document has content to show: from the server, or
  // (offline) from IndexedDB.
  let mounted = false
  const mount = () => {
    if (mounted) return
    mounted = true
    const editors = mountEditors(main, doc, awareness, { readOnly: readOnly.active() })
    readOnly.onEnable(() => setEditorsReadOnly(editors, true))
    try {
      startComments(doc, editors)
    } catch (err) {
      console.warn('comments cannot be anchored to a selection', err)
    }
    // Only where someone writes: a read-only reader has nothing to take out.
    if (!readOnly.active()) {
      try {
        startAnonymity(main, editors)
      } catch (err) {
        console.warn('the anonymity check is not available', err)
      }
    }
    widgets.mount(doc)
    showToggles()
    main.classList.add('is-live')
  }
  provider.on('sync', (synced) => { if (synced) mount() })
  if (local) {
    local.whenSynced.then(() => {
      if (!navigator.onLine) mount()
      else setTimeout(mount, OFFLINE_MOUNT_DELAY_MS)
    })
  }
  setTimeout(mount, MOUNT_DEADLINE_MS)
}

/** #connection-status: data-state and Dutch text, from the provider and the browser's network. */
function showConnection (provider, session) {
  const el = document.getElementById('connection-status')
  if (!el) return () => {}
  /** Whether a connection closed or failed before: the next attempt is a retry. */
  let retrying = false
  let closeReason = ''
  const render = () => {
    let state, text
    if (provider.wsconnected && provider.synced) {
      closeReason = ''
      state = 'connected'
      text = 'Verbonden'
    } else if (session.ended()) {
      closeReason = ''
      state = 'ended'
      text = 'Sessie verlopen'
    } else if (!navigator.onLine) {
      state = 'offline'
      text = 'Offline'
    } else if (!provider.shouldConnect) {
      state = 'closed'
      text = 'Niet verbonden'
    } else if (retrying) {
      state = 'reconnecting'
      text = 'Opnieuw verbinden…'
    } else {
      state = 'connecting'
      text = 'Verbinden…'
    }
    if (state !== 'connected' && closeReason) text += ' ' + closeReason
    if (el.dataset.state !== state) el.dataset.state = state
    if (el.textContent !== text) el.textContent = text
  }
  provider.on('status', render)
  provider.on('sync', render)
  provider.on('connection-close', (event) => {
    // The server explains refusals in Dutch ("Dit canvas bestaat niet.").
    closeReason = event && typeof event.reason === 'string' ? event.reason.slice(0, 120) : ''
    retrying = true
    render()
  })
  provider.on('closed', render)
  window.addEventListener('offline', render)
  window.addEventListener('online', () => {
    // Do not wait for the provider's back-off timer.
    if (provider.shouldConnect && !provider.ws) provider.connect()
    render()
  })
  render()
  return render
}

/** #save-status: whether this browser's changes are stored on the server. */
function showSaveStatus (save, keptLocally) {
  const el = document.getElementById('save-status')
  if (!el) return
  let shown = null
  let savingSince = 0
  let timer = null
  const render = () => {
    clearTimeout(timer)
    timer = null
    const state = save.state()
    if (state === shown) return
    if (shown === 'saving' && state === 'saved') {
      const wait = savingSince + MIN_SAVING_MS - Date.now()
      if (wait > 0) {
        timer = setTimeout(render, wait)
        return
      }
    }
    if (state === 'saving') savingSince = Date.now()
    shown = state
    el.dataset.state = state
    el.textContent = state === 'unsent' && keptLocally()
      ? 'Nog niet opgeslagen, wel bewaard in deze browser'
      : SAVE_TEXT[state]
  }
  save.onChange(render)
  render()

  // Ask before the tab closes while changes are not on the server yet. Registered only then: a
  // beforeunload listener keeps some browsers from caching the page for back/forward.
  const warn = (event) => {
    event.preventDefault()
    event.returnValue = ''
  }
  let warning = false
  save.onChange(() => {
    const state = save.state()
    const pending = state === 'saving' || state === 'unsent'
    if (pending === warning) return
    warning = pending
    if (pending) window.addEventListener('beforeunload', warn)
    else window.removeEventListener('beforeunload', warn)
  })
}

/** input[type=checkbox][data-ymap]: checked exactly when map.get(value) === true, both ways. */
function bindToggles (main, doc) {
  const boxes = [...main.querySelectorAll('input[type="checkbox"][data-ymap]')]
    .filter((box) => TOGGLE_MAPS.has(box.dataset.ymap))
  const maps = new Set()
  for (const box of boxes) {
    const map = doc.getMap(box.dataset.ymap)
    maps.add(map)
    box.addEventListener('change', () => {
      if (box.checked) map.set(box.value, true)
      else map.delete(box.value)
    })
  }
  const render = () => {
    for (const box of boxes) {
      const on = doc.getMap(box.dataset.ymap).get(box.value) === true
      if (box.checked !== on) box.checked = on
    }
  }
  // The server-rendered state stands until the document has loaded (see start()).
  let live = false
  for (const map of maps) map.observe(() => { if (live) render() })
  return () => { live = true; render() }
}

/** Buttons marked `data-print` print the page (inline handlers are not allowed by the CSP). */
function startPrintButtons () {
  document.addEventListener('click', (event) => {
    if (event.target instanceof Element && event.target.closest('button[data-print]')) window.print()
  })
}

function boot () {
  try {
    startForgetting()
  } catch (err) {
    console.warn('offline copies could not be checked', err)
  }
  for (const page of [startAnonymousFields, startConfirmations, startCopyButtons, startChoiceFields, startDutchValidation, startStepBar, startPresentation, startTableCards, startPrintButtons]) {
    try {
      page()
    } catch (err) {
      console.warn('part of the page is not interactive', err)
    }
  }
  // Before start(): the workflow panel is compared with the server's later renderings as loaded.
  // A failure here must not keep the canvas itself from going live.
  for (const live of [startLiveWorkflow, startLiveDashboard, startLiveMeeting]) {
    try {
      live()
    } catch (err) {
      console.warn('live updates are not available', err)
    }
  }
  start()
}

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', boot, { once: true })
} else {
  boot()
}
