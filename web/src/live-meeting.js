// The running overleg in the browser, on two kinds of page:
//
// - its page (`section#overleg-live[data-meeting]`): the live section is fetched again on every
//   change (`/overleggen/{id}/live`), the shared timer counts down between changes, and "Volg de
//   voorzitter" starts following;
// - a canvas on its agenda (`main#canvas[data-meeting]`): the chair's page says which step the
//   chair is at (`POST /overleggen/{id}/positie`) and can call everyone there; a follower's page
//   goes along, with a banner, until they press a key, scroll or click "Stoppen".
//
// Where the chair is comes from the overleg's stream (`/overleggen/{id}/gebeurtenissen`), which
// tells only those who may read that canvas. It is presence, not content: nothing of it goes into
// the canvas's document. Following lasts for the tab (sessionStorage), so it survives the chair
// moving to another canvas, which is a new page.

import { hasEditedFields } from './form-state.js'
import { fetchFragment, followChanges } from './live-refresh.js'

const FOLLOW_KEY = 'doorbraak.volg'
const INTERACTIVE = 'input, textarea, select'
/** A step that ends in this top part of the screen counts as scrolled past (the sticky bars
 * cover the top, and a step scrolled to the top starts below them). */
const STEP_PAST_SHARE = 0.25

/** The overleg this tab follows the chair of, if any. */
export function following () {
  try {
    return sessionStorage.getItem(FOLLOW_KEY) || ''
  } catch {
    return ''
  }
}

function setFollowing (meeting) {
  try {
    if (meeting) sessionStorage.setItem(FOLLOW_KEY, meeting)
    else sessionStorage.removeItem(FOLLOW_KEY)
  } catch {}
}

/** The page's CSRF token, for requests sent from script. */
function csrfToken () {
  const field = document.querySelector('input[name="csrf"]')
  return field ? field.value : ''
}

/** Parses a `voorzitter`/`oproep` event's data: `{ canvas, step, url }`, or null. */
export function parsePosition (data) {
  try {
    const p = JSON.parse(data)
    const ok = p && typeof p.canvas === 'string' && typeof p.step === 'string' &&
      typeof p.url === 'string' && p.url.startsWith('/canvases/') && /^[A-Za-z0-9_-]{0,40}$/.test(p.step)
    return ok ? p : null
  } catch {
    return null
  }
}

/** Start whatever this page does in a running overleg. */
export function startLiveMeeting () {
  const section = document.querySelector('section#overleg-live[data-meeting]')
  const canvas = document.querySelector('main#canvas[data-meeting]')
  if (section) meetingPage(section)
  else if (canvas) canvasPage(canvas)
}

function meetingPage (first) {
  const meeting = first.dataset.meeting
  const base = '/overleggen/' + encodeURIComponent(meeting)
  const selector = `section#overleg-live[data-meeting="${CSS.escape(meeting)}"]`
  let shown = first.outerHTML
  let held = null
  let state = 'connecting'
  const current = () => document.getElementById('overleg-live')
  const show = (el) => {
    const now = current()
    if (!now) return
    held = null
    shown = el.outerHTML
    el.dataset.liveState = state
    now.replaceWith(el)
    prepare(el)
  }
  const prepare = (el) => {
    startTimer(el)
    const button = el.querySelector('#follow-chair')
    if (button) {
      button.hidden = false
      const on = following() === meeting
      button.textContent = on ? 'Je volgt de voorzitter (stoppen)' : 'Volg de voorzitter'
      button.setAttribute('aria-pressed', on ? 'true' : 'false')
      button.addEventListener('click', () => {
        if (following() === meeting) {
          setFollowing('')
          prepare(current())
        } else {
          setFollowing(meeting)
          if (lastPosition) window.location.assign(lastPosition.url)
          else prepare(current())
        }
      })
    }
    const notice = el.querySelector('.live-notice button')
    if (notice) notice.addEventListener('click', () => { if (held) show(held) })
  }
  let lastPosition = null
  prepare(first)
  followChanges(base + '/gebeurtenissen', async () => {
    const el = await fetchFragment(base + '/live', selector)
    if (!el) return
    const html = el.outerHTML
    const section = current()
    if (!section || html === shown) return
    if (inUse(section)) {
      held = el
      holdNotice(section)
      return
    }
    show(el)
  }, (next) => {
    state = next
    const section = current()
    if (section) section.dataset.liveState = next
  }, {
    event: 'overleg',
    listeners: {
      voorzitter: (data) => {
        const p = parsePosition(data)
        if (!p) return
        lastPosition = p
        if (following() === meeting) window.location.assign(p.url)
      },
      oproep: (data) => {
        const p = parsePosition(data)
        if (p) callToCome(p, () => window.location.assign(p.url))
      }
    }
  })
}

/** Whether someone is typing in the live section: a refresh would throw that away. */
function inUse (section) {
  const active = document.activeElement
  if (active && section.contains(active) && active.matches(INTERACTIVE)) return true
  return hasEditedFields(section)
}

function holdNotice (section) {
  if (section.querySelector('.live-notice')) return
  const box = document.createElement('div')
  box.className = 'live-notice'
  const text = document.createElement('p')
  text.setAttribute('role', 'status')
  text.textContent = 'Het overleg is intussen verder. Kies Bijwerken om de nieuwe stand te zien; wat je hier nog niet hebt verstuurd, gaat dan verloren.'
  const button = document.createElement('button')
  button.type = 'button'
  button.textContent = 'Bijwerken'
  box.append(text, button)
  const heading = section.querySelector('#live-title')
  if (heading) heading.after(box)
  else section.prepend(box)
}

/** The timer counts down from what the server said, between its changes. */
let ticking = null
function startTimer (section) {
  if (ticking) clearInterval(ticking)
  ticking = null
  const timer = section.querySelector('#meeting-timer[data-left-ms]')
  if (!timer || timer.dataset.running !== 'true') return
  const left = Number(timer.dataset.leftMs)
  const since = performance.now()
  const tick = () => {
    const ms = left - (performance.now() - since)
    timer.textContent = timerText(ms)
    if (ms < 0) timer.dataset.over = 'true'
  }
  ticking = setInterval(tick, 500)
}

/** As the server writes it (views/meeting_room.rs). */
export function timerText (ms) {
  const sign = ms < 0 ? '−' : ''
  const seconds = Math.ceil(Math.abs(ms) / 1000)
  return `${sign}${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`
}

function canvasPage (main) {
  const meeting = main.dataset.meeting
  const canvasId = main.dataset.canvasId
  const base = '/overleggen/' + encodeURIComponent(meeting)
  if (main.dataset.chair === 'true') {
    chairPage(main, meeting, canvasId, base)
    return
  }
  const goTo = (p) => {
    if (p.canvas !== canvasId) {
      window.location.assign(p.url)
      return
    }
    const step = p.step ? document.getElementById(p.step) : null
    if (step) step.scrollIntoView({ block: 'start' })
    main.dataset.followStep = p.step
  }
  let banner = null
  const stop = () => {
    setFollowing('')
    if (banner) banner.remove()
    banner = null
    delete main.dataset.following
    announce('Je volgt de voorzitter niet meer.')
    for (const [type, handler] of stoppers) window.removeEventListener(type, handler, true)
  }
  const stoppers = [
    ['keydown', () => stop()],
    ['wheel', () => stop()],
    ['touchmove', () => stop()]
  ]
  if (following() === meeting) {
    banner = followBanner(stop)
    main.dataset.following = 'true'
    for (const [type, handler] of stoppers) window.addEventListener(type, handler, { capture: true, passive: true })
  }
  followChanges(base + '/gebeurtenissen', async () => {}, () => {}, {
    event: 'overleg',
    listeners: {
      voorzitter: (data) => {
        const p = parsePosition(data)
        if (p && following() === meeting) goTo(p)
      },
      oproep: (data) => {
        const p = parsePosition(data)
        if (p) callToCome(p, () => goTo(p))
      }
    }
  })
}

function followBanner (stop) {
  const banner = document.createElement('div')
  banner.id = 'follow-banner'
  banner.setAttribute('role', 'status')
  const text = document.createElement('span')
  text.textContent = 'Je volgt de voorzitter. Druk op een toets of scrol om zelf verder te gaan. '
  const button = document.createElement('button')
  button.type = 'button'
  button.textContent = 'Stoppen met volgen'
  button.addEventListener('click', stop)
  banner.append(text, button)
  document.body.prepend(banner)
  return banner
}

/** The chair asks everyone to come: each person goes, or stays where they are. */
function callToCome (p, go) {
  const old = document.getElementById('chair-call')
  if (old) old.remove()
  const box = document.createElement('div')
  box.id = 'chair-call'
  box.setAttribute('role', 'alertdialog')
  box.setAttribute('aria-labelledby', 'chair-call-text')
  const text = document.createElement('p')
  text.id = 'chair-call-text'
  text.textContent = 'De voorzitter vraagt iedereen mee te kijken naar ' +
    (p.step ? 'stap ' + p.step.replace(/^stap-/, '') + ' van ' : '') + 'een canvas op de agenda.'
  const yes = document.createElement('button')
  yes.type = 'button'
  yes.textContent = 'Ga erheen'
  yes.addEventListener('click', () => { box.remove(); go() })
  const no = document.createElement('button')
  no.type = 'button'
  no.className = 'secondary'
  no.textContent = 'Nee, ik blijf hier'
  no.addEventListener('click', () => box.remove())
  box.append(text, yes, ' ', no)
  document.body.prepend(box)
  yes.focus()
}

function announce (message) {
  let region = document.getElementById('follow-announcement')
  if (!region) {
    region = document.createElement('p')
    region.id = 'follow-announcement'
    region.className = 'visually-hidden'
    region.setAttribute('role', 'status')
    document.body.append(region)
  }
  region.textContent = message
}

/**
 * The chair's page tells the overleg which step the chair is at: the one they work in (the
 * focus), else the first one not scrolled past (the board is a grid: scrolling a step to the top
 * brings its row there, and it is the first of that row; a taller neighbour of the row above may
 * still show its last lines).
 */
function chairPage (main, meeting, canvasId, base) {
  const steps = [...document.querySelectorAll('li.step[id^="stap-"]')]
  if (!steps.length) return
  const send = (step, call) => {
    const body = new URLSearchParams({ canvas: canvasId, stap: step })
    if (call) body.set('oproep', 'ja')
    return fetch(base + '/positie', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-CSRF-Token': csrfToken(), 'Content-Type': 'application/x-www-form-urlencoded' },
      body
    }).catch(() => {})
  }
  let sent = ''
  let frame = 0
  const top = () => steps.find((s) => s.getBoundingClientRect().bottom > window.innerHeight * STEP_PAST_SHARE) || null
  // One position in flight at a time, then the latest: they reach the server in order.
  let inFlight = false
  let next = ''
  const sendLatest = (id) => {
    if (inFlight) {
      next = id
      return
    }
    inFlight = true
    send(id, false).finally(() => {
      inFlight = false
      if (next) {
        const id = next
        next = ''
        sendLatest(id)
      }
    })
  }
  const report = (step) => {
    if (!step || step.id === sent) return
    sent = step.id
    main.dataset.chairStep = step.id
    sendLatest(step.id)
  }
  // The step with the focus, while it is on screen: scrolling within it keeps the chair there.
  const focused = () => {
    const active = document.activeElement
    const step = active instanceof Element ? active.closest('li.step[id^="stap-"]') : null
    if (!step) return null
    const rect = step.getBoundingClientRect()
    return rect.bottom > 0 && rect.top < window.innerHeight ? step : null
  }
  // Measured once per frame while scrolling; sent only when the step changes, so a long scroll
  // costs a request per step crossed and the followers go along at once.
  const settle = () => {
    if (frame) return
    frame = requestAnimationFrame(() => {
      frame = 0
      report(focused() || top())
    })
  }
  main.addEventListener('focusin', (event) => {
    const step = event.target instanceof Element ? event.target.closest('li.step[id^="stap-"]') : null
    if (step) report(step)
  })
  window.addEventListener('scroll', settle, { passive: true })
  settle()
  const call = document.createElement('button')
  call.type = 'button'
  call.id = 'call-everyone'
  call.className = 'secondary'
  call.textContent = 'Roep iedereen hierheen'
  call.addEventListener('click', () => {
    const step = top()
    if (step) send(step.id, true).then(() => announce('Iedereen is gevraagd mee te kijken.'))
  })
  const title = document.querySelector('.canvas-title')
  if (title) title.append(call)
}
