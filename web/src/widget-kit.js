// Building blocks of the live widgets (instanties, regelingen, rendement, actieplan): DOM
// helpers, controls bound to one key of a Y.Map, and a table body that follows a Y.Array of
// Y.Maps.
//
// Editing model: a control writes its key when the edit is done (change, blur, Enter), and
// only when the value differs, so two people editing different rows or different fields of one
// row never overwrite each other. A control that holds an edit not yet written (or refused) is
// not overwritten by remote changes; Escape takes such an edit back.

import * as Y from 'yjs'

import { formatAmountInput, parseAmount, toCents } from './rendement.js'

let uidCounter = 0

/** A page-unique id with a readable prefix. */
export function uid (prefix) {
  return `${prefix}-${++uidCounter}`
}

/**
 * Create an element. `attrs`: `class`, `text` (textContent), `on<event>` (listener), `hidden`
 * (boolean); anything else is an attribute (skipped when null, undefined or false). Never a
 * `style` attribute: the CSP forbids inline styles.
 */
export function h (tag, attrs = {}, ...children) {
  const el = document.createElement(tag)
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue
    if (key === 'class') el.className = value
    else if (key === 'text') el.textContent = value
    else if (key === 'hidden') el.hidden = true
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value)
    else el.setAttribute(key, value === true ? '' : String(value))
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined && child !== false) el.append(child)
  }
  return el
}

/** Set textContent only when it changes (keeps live regions from repeating themselves). */
export function setText (el, text) {
  if (el.textContent !== text) el.textContent = text
}

/** Set an attribute only when it changes. */
export function setAttr (el, name, value) {
  if (el.getAttribute(name) !== value) el.setAttribute(name, value)
}

/** A string field of a map: a string, or the text of a Y.Text; anything else reads as "". */
export function getString (map, key) {
  const value = map.get(key)
  if (typeof value === 'string') return value
  if (value instanceof Y.Text) return value.toString()
  return ''
}

/** Write a string field, only when it differs; a Y.Text stays a Y.Text. */
export function setString (map, key, value) {
  const current = map.get(key)
  if (current instanceof Y.Text) {
    if (current.toString() === value) return
    const replace = () => {
      current.delete(0, current.length)
      current.insert(0, value)
    }
    if (map.doc) map.doc.transact(replace)
    else replace()
  } else if (current !== value) {
    map.set(key, value)
  }
}

/** Replace the children of `section` after its heading (the server's read-only fallback). */
export function replaceAfterHeading (section, ...children) {
  const heading = section.querySelector(':scope > h3')
  for (const node of [...section.childNodes]) {
    if (node !== heading) node.remove()
  }
  section.append(...children)
  section.classList.add('is-live')
  return heading
}

/** A visually hidden polite status line for announcements ("Regel toegevoegd."). */
export function announcer () {
  const el = h('p', { class: 'visually-hidden', role: 'status', 'aria-live': 'polite' })
  let timer = null
  return {
    el,
    say (text) {
      clearTimeout(timer)
      // Clear first so that the same message twice is announced twice.
      el.textContent = ''
      timer = setTimeout(() => { el.textContent = text }, 50)
    }
  }
}

/**
 * An error message next to a field: shown with aria-invalid on the field and referenced from
 * its aria-describedby (next to any description it already had).
 */
export function fieldError (input) {
  const el = h('p', { class: 'field-error', id: uid('fout'), hidden: true, 'aria-live': 'polite' })
  const base = () => (input.getAttribute('aria-describedby') || '').split(/\s+/).filter((id) => id && id !== el.id)
  return {
    el,
    show (message) {
      setText(el, message)
      el.hidden = false
      input.setAttribute('aria-invalid', 'true')
      input.setAttribute('aria-describedby', [...base(), el.id].join(' '))
    },
    clear () {
      if (el.hidden && !input.hasAttribute('aria-invalid')) return
      el.hidden = true
      el.textContent = ''
      input.removeAttribute('aria-invalid')
      const rest = base()
      if (rest.length > 0) input.setAttribute('aria-describedby', rest.join(' '))
      else input.removeAttribute('aria-describedby')
    }
  }
}

/**
 * Editing state shared by the bound inputs: `dirty` while the input holds an edit that is not
 * written; the edit is written by `commit` on change, blur and Enter; Escape reverts.
 */
function editable (input, { commit, revert }) {
  const state = { dirty: false }
  input.addEventListener('input', () => { state.dirty = true })
  input.addEventListener('change', () => commit())
  input.addEventListener('blur', () => { if (state.dirty) commit() })
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.isComposing) {
      event.preventDefault()
      commit()
    } else if (event.key === 'Escape' && state.dirty) {
      event.preventDefault()
      revert()
    }
  })
  return state
}

/**
 * An <input> (text or date) bound to a string key of `map`.
 * Returns { input, update() }; `update` shows the map's value unless an edit is pending.
 */
export function boundText (map, key, { type = 'text', maxLength = 500, attrs = {} } = {}) {
  const input = h('input', { type, ...(type === 'text' ? { maxlength: maxLength, autocomplete: 'off' } : {}), ...attrs })
  const state = editable(input, {
    commit () {
      state.dirty = false
      const value = type === 'date' ? validDate(input.value) : input.value.trim()
      setString(map, key, value)
      if (input.value !== value) input.value = value
    },
    revert () {
      state.dirty = false
      input.value = getString(map, key)
    }
  })
  const update = () => {
    if (state.dirty) return
    const value = getString(map, key)
    if (input.value !== value) input.value = value
  }
  update()
  return { input, update }
}

/** A date input's value: YYYY-MM-DD or "". */
function validDate (value) {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : ''
}

/**
 * A <select> bound to a key of `map`, with `options` [[value, text], …]. A stored value that is
 * not an option shows as no selection.
 */
export function boundSelect (map, key, options, attrs = {}) {
  const select = h('select', attrs, options.map(([value, text]) => h('option', { value, text })))
  select.addEventListener('change', () => {
    if (select.value !== '' && map.get(key) !== select.value) map.set(key, select.value)
  })
  const update = () => {
    const value = map.get(key)
    const index = options.findIndex(([v]) => v === value)
    if (select.selectedIndex !== index) select.selectedIndex = index
  }
  update()
  return { select, update }
}

/**
 * A Dutch amount input bound to an integer cents key of `map`: refused input shows the message
 * next to the field (aria-invalid, aria-describedby) and writes nothing.
 */
export function boundAmount (map, key, attrs = {}) {
  const input = amountInput(attrs)
  const error = fieldError(input)
  const state = editable(input, {
    commit () {
      const parsed = parseAmount(input.value)
      if (!parsed.ok) {
        // The refused text stays, marked, until it is corrected or Escape takes it back.
        state.dirty = true
        error.show(parsed.error)
        return
      }
      state.dirty = false
      error.clear()
      const current = toCents(map.get(key))
      if (current === null || current !== BigInt(parsed.cents)) map.set(key, parsed.cents)
      input.value = formatAmountInput(parsed.cents)
    },
    revert () {
      state.dirty = false
      error.clear()
      input.value = formatAmountInput(map.get(key))
    }
  })
  const update = () => {
    if (state.dirty) return
    const value = formatAmountInput(map.get(key))
    if (input.value !== value) input.value = value
  }
  update()
  return { input, error: error.el, update }
}

/** A text input for a Dutch amount, with a euro sign before it. */
export function amountInput (attrs = {}) {
  return h('input', { type: 'text', inputmode: 'decimal', autocomplete: 'off', class: 'amount-input', maxlength: 40, ...attrs })
}

/** Wrap an amount input with its "€" (decorative; the label says "in euro" where needed). */
export function euroWrap (input) {
  return h('span', { class: 'euro-field' }, h('span', { class: 'euro-sign', 'aria-hidden': 'true', text: '€' }), input)
}

/**
 * Keep `tbody` showing one row per Y.Map of `yarray`, in order. `makeRow(map)` returns
 * { el, update({ index, position, count }) } where `index` is the map's index in the array and
 * `position` its 0-based place among the maps. Rows are reused per map, so a row being edited
 * is not rebuilt when others change. Entries that are not maps are skipped.
 *
 * Returns { render, removeAt, rowAt(position), count }. `onRender(count)` runs after each render.
 */
export function bindRows (yarray, tbody, makeRow, onRender) {
  const rows = new Map()
  let order = []
  const render = () => {
    const items = []
    yarray.forEach((item, index) => { if (item instanceof Y.Map) items.push({ item, index }) })
    const keep = new Set()
    // Whether the focus is inside a row that is about to disappear (someone removed it).
    const focused = document.activeElement
    let lostFocus = false
    let previous = null
    order = []
    items.forEach(({ item, index }, position) => {
      let row = rows.get(item)
      if (!row) {
        row = makeRow(item)
        rows.set(item, row)
      }
      keep.add(item)
      row.update({ index, position, count: items.length })
      const expected = previous ? previous.nextSibling : tbody.firstChild
      if (expected !== row.el) tbody.insertBefore(row.el, expected)
      previous = row.el
      order.push(row)
    })
    for (const [item, row] of rows) {
      if (keep.has(item)) continue
      if (focused && row.el.contains(focused)) lostFocus = true
      row.el.remove()
      rows.delete(item)
    }
    if (onRender) onRender(items.length, { lostFocus })
  }
  yarray.observeDeep(render)
  render()
  // This browser's own deletions, and only those, can be taken back: they are made with
  // REMOVED as origin, which no one else's changes carry.
  const undo = new Y.UndoManager(yarray, { trackedOrigins: new Set([REMOVED]), captureTimeout: 0 })
  // Deletes a row's map and puts the focus where the row was: on `focusOf` of the row that took
  // its place, else of the row before it, else on `fallback`. (Observers run synchronously, so
  // `order` is already the new one when the delete returns.) A notice under the table offers
  // "Ongedaan maken" for ten seconds; Ctrl+Z in the widget does the same.
  const removeAt = ({ index, position }, focusOf, fallback) => {
    yarray.doc.transact(() => yarray.delete(index, 1), REMOVED)
    const neighbour = order[position] || order[position - 1]
    if (neighbour) focusOf(neighbour).focus()
    else fallback.focus()
    offerUndo(tbody, undo)
  }
  return { render, removeAt, rowAt: (position) => order[position] || null, count: () => order.length }
}

/** The origin of this browser's row deletions, for their undo. */
const REMOVED = Symbol('row removed')

/** How long "Verwijderd — Ongedaan maken" stays. */
export const UNDO_MS = 10_000

/**
 * Under the table of `tbody`: "Verwijderd — Ongedaan maken" for UNDO_MS; the button (or Ctrl+Z
 * in the widget while the notice shows) puts the last deleted row back where it was.
 */
function offerUndo (tbody, undo) {
  const widget = tbody.closest('.widget') || tbody.parentElement
  const table = tbody.closest('table')
  let notice = widget.querySelector('.undo-notice')
  if (!notice) {
    notice = h('p', { class: 'undo-notice', role: 'status' })
    ;(table || tbody).after(notice)
  }
  clearTimeout(notice.timer)
  const button = smallButton('Ongedaan maken', {
    onclick: () => {
      undo.undo()
      close()
    }
  })
  notice.replaceChildren('Verwijderd — ', button)
  const onKey = (event) => {
    if ((event.ctrlKey || event.metaKey) && !event.shiftKey && event.key.toLowerCase() === 'z' &&
      !event.target.closest('.cm-editor')) {
      event.preventDefault()
      undo.undo()
      close()
    }
  }
  const close = () => {
    clearTimeout(notice.timer)
    notice.replaceChildren()
    widget.removeEventListener('keydown', onKey)
  }
  widget.addEventListener('keydown', onKey)
  notice.timer = setTimeout(close, UNDO_MS)
}

/**
 * A row's "Verwijderen" button. `place` is the row's current { index, position }, which the row's
 * `update` keeps; a click calls `onRemove({ ...place, ...describe() })`.
 */
export function removeControl (onRemove, describe) {
  const place = { index: 0, position: 0 }
  const button = smallButton('Verwijderen', { className: 'btn-danger', onclick: () => onRemove({ ...place, ...describe() }) })
  return { button, place }
}

/** Make an element focusable by script only (tabindex -1) and focus it. */
export function focusQuietly (el) {
  if (!el) return
  if (!el.hasAttribute('tabindex') && !/^(A|BUTTON|INPUT|SELECT|TEXTAREA)$/.test(el.tagName)) {
    el.setAttribute('tabindex', '-1')
  }
  el.focus()
}

/** A small button; `label` becomes its accessible name (it should start with the visible text). */
export function smallButton (text, { label, className = '', onclick } = {}) {
  return h('button', { type: 'button', class: `btn-small ${className}`.trim(), 'aria-label': label, text, onclick })
}

/** A labelled field for the add forms: <div class="form-field"><label/>control hint error</div>. */
export function formField (labelText, control, { hint } = {}) {
  const id = control.id || uid('veld')
  control.id = id
  const parts = [h('label', { for: id, text: labelText })]
  let hintEl = null
  if (hint) {
    hintEl = h('span', { class: 'field-hint', id: uid('hint'), text: hint })
    control.setAttribute('aria-describedby', hintEl.id)
  }
  const wrapped = control.classList.contains('amount-input') ? euroWrap(control) : control
  parts.push(wrapped)
  if (hintEl) parts.push(hintEl)
  const error = fieldError(control)
  parts.push(error.el)
  return { el: h('div', { class: 'form-field' }, parts), control, error }
}

/** A new Y.Map with the given entries (a prelim map; it becomes live when inserted). */
export function newMap (entries) {
  return new Y.Map(Object.entries(entries))
}

/** A random id for a new row. */
export function randomId () {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  // crypto.randomUUID needs a secure context; plain http on a LAN address is not one.
  const bytes = new Uint8Array(16)
  crypto.getRandomValues(bytes)
  bytes[6] = (bytes[6] & 0x0f) | 0x40
  bytes[8] = (bytes[8] & 0x3f) | 0x80
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
