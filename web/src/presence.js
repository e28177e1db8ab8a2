// Who is here: this browser's identity (the signed-in person's name, else a guest name), the step
// it works in, and the list of everyone.

/**
 * Colours for people, each with a contrast of at least 4.5:1 against white (white caret labels on
 * them, and dark text on their light tints, stay readable).
 */
export const PALETTE = ['#b42318', '#1d4ed8', '#047857', '#7e22ce', '#be185d', '#0e7490', '#c2410c', '#4338ca']

const STORAGE_KEY = 'doorbraak-gast'

/**
 * This browser's identity for the others present: `name` (the signed-in person, from the page)
 * or, without one, a stable "Gast NN"; and a palette colour. Number and colour are kept in
 * localStorage, so a person keeps their colour across pages; a fresh random pair for this page
 * when storage is not available.
 *
 * @param {string} [name]
 */
export function localIdentity (name) {
  let stored = null
  try {
    stored = JSON.parse(window.localStorage.getItem(STORAGE_KEY) || 'null')
  } catch {}
  if (!stored || !Number.isInteger(stored.number) || stored.number < 10 || stored.number > 99 ||
    !Number.isInteger(stored.color) || stored.color < 0 || stored.color >= PALETTE.length) {
    stored = { number: 10 + randomInt(90), color: randomInt(PALETTE.length) }
    try {
      window.localStorage.setItem(STORAGE_KEY, JSON.stringify(stored))
    } catch {}
  }
  const color = PALETTE[stored.color]
  const given = typeof name === 'string' ? name.trim().slice(0, 60) : ''
  // 20 % alpha: the tint behind a remote selection.
  return { name: given || `Gast ${stored.number}`, color, colorLight: color + '33' }
}

/**
 * Keep the colours of the people present distinct where the palette allows: this browser uses its
 * own stable colour unless someone with a lower client id already shows it; then the first palette
 * colour none of those lower ids use. Deciding in client-id order makes everyone settle at once.
 */
export function keepColourDistinct (awareness, identity) {
  const update = () => {
    const local = awareness.getLocalState()
    if (!local || !local.user) return
    const self = awareness.clientID
    const lower = new Set()
    awareness.getStates().forEach((state, clientID) => {
      if (clientID < self && state && state.user && typeof state.user.color === 'string') lower.add(state.user.color)
    })
    let color = identity.color
    if (lower.has(color)) color = PALETTE.find((c) => !lower.has(c)) || identity.color
    if (local.user.color !== color) {
      awareness.setLocalStateField('user', { ...local.user, color, colorLight: color + '33' })
    }
  }
  awareness.on('change', update)
  update()
}

function randomInt (n) {
  const buf = new Uint32Array(1)
  crypto.getRandomValues(buf)
  return buf[0] % n
}

/**
 * Keep the awareness field `step` equal to the data-step of the step that holds the focus
 * (null when the focus is elsewhere on the page; unchanged while the window itself is in the
 * background).
 */
export function trackFocusedStep (main, awareness) {
  const stepOf = (node) => {
    const step = node instanceof Element ? node.closest('.step[data-step]') : null
    const n = step ? Number(step.dataset.step) : NaN
    return Number.isInteger(n) ? n : null
  }
  const set = (step) => {
    const local = awareness.getLocalState()
    if (local && local.step !== step) awareness.setLocalStateField('step', step)
  }
  main.addEventListener('focusin', (event) => set(stepOf(event.target)))
  main.addEventListener('focusout', () => {
    // Wait until the focus has landed; keep the step when the whole window lost the focus.
    setTimeout(() => {
      if (document.hasFocus()) set(stepOf(document.activeElement))
    }, 0)
  })
}

/** What each list shows now, to skip re-rendering when nothing visible changed. */
const rendered = new WeakMap()

/** Render everyone in the awareness into `list` (ul#presence), this browser first. */
export function renderPresence (list, awareness) {
  const people = presentPeople(awareness)
  // Awareness changes with every cursor move; touch the DOM only when the list changed.
  const key = JSON.stringify(people)
  if (rendered.get(list) === key) return
  rendered.set(list, key)

  const items = people.map((p) => {
    const li = document.createElement('li')
    li.className = 'presence-person'
    li.dataset.clientId = String(p.clientID)
    if (p.self) li.classList.add('is-self')
    const dot = document.createElement('span')
    dot.className = 'presence-dot'
    dot.setAttribute('aria-hidden', 'true')
    dot.style.backgroundColor = p.color
    const name = document.createElement('span')
    name.className = 'presence-name'
    name.textContent = p.self ? `${p.name} (jij)` : p.name
    li.append(dot, name)
    if (p.step !== null) {
      const step = document.createElement('span')
      step.className = 'presence-step'
      step.textContent = `stap ${p.step}`
      li.append(' ', step)
    }
    return li
  })
  list.replaceChildren(...items)
}

/** Everyone with a `user` in the awareness, this browser first, then by name. */
export function presentPeople (awareness) {
  const self = awareness.clientID
  const people = []
  awareness.getStates().forEach((state, clientID) => {
    const user = state && state.user
    if (!user || typeof user.name !== 'string') return
    people.push({
      clientID,
      self: clientID === self,
      name: user.name.slice(0, 60),
      color: typeof user.color === 'string' ? user.color : '#595959',
      step: Number.isInteger(state.step) ? state.step : null
    })
  })
  people.sort((a, b) => (b.self - a.self) || a.name.localeCompare(b.name, 'nl') || a.clientID - b.clientID)
  return people
}
