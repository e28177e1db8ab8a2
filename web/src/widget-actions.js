// Step 6, Actieplan: Y.Array `actions` of Y.Map { id, what, who, due, status } as an editable
// table. Reordering deletes the map and inserts a copy (same id) in one transaction; when two
// people move the same action at once, both copies survive the merge, so every client removes
// later duplicates of an id (keeping the first is the same choice everywhere, so no copy of
// an action is ever lost).

import * as Y from 'yjs'

import {
  announcer,
  bindRows,
  boundSelect,
  boundText,
  focusQuietly,
  formField,
  getString,
  h,
  newMap,
  randomId,
  replaceAfterHeading,
  setAttr,
  smallButton
} from './widget-kit.js'

export const STATUSES = [
  ['open', 'Open'],
  ['in_progress', 'Bezig'],
  ['done', 'Gereed']
]

const WHO_HINT = 'Een rol of organisatie, nooit de naam van iemand uit het huishouden.'

export function mountActions (section, doc) {
  const actions = doc.getArray('actions')
  const status = announcer()

  const tbody = h('tbody')
  const table = h('table', { class: 'widget-table actions-table' },
    h('caption', { class: 'visually-hidden', text: 'Acties' }),
    h('thead', {}, h('tr', {},
      ['Wat', 'Wie', 'Wanneer', 'Status'].map((c) => h('th', { scope: 'col', text: c })),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Volgorde en verwijderen' })))),
    tbody)
  const empty = h('p', { class: 'empty', text: 'Nog geen acties.' })

  const rows = bindRows(actions, tbody, (map) => actionRow(map, { move, remove }), (count, { lostFocus }) => {
    table.hidden = count === 0
    empty.hidden = count !== 0
    if (lostFocus) focusQuietly(heading)
  })

  /** Move the action at position `position` (array index `index`) by -1 or +1. */
  function move ({ index, position }, delta, which) {
    const target = rows.rowAt(position + delta)
    if (!target) return
    const targetIndex = target.index()
    doc.transact(() => {
      const copy = actions.get(index).clone()
      actions.delete(index, 1)
      // Up: the target keeps its index and the copy goes before it. Down: the target moved
      // down by one with the delete, and the copy goes right after it, at its old index.
      actions.insert(targetIndex, [copy])
    })
    const moved = rows.rowAt(position + delta)
    if (moved) {
      const button = moved.button(which)
      const focus = button.getAttribute('aria-disabled') === 'true' ? moved.button(which === 'up' ? 'down' : 'up') : button
      focus.focus()
      const what = moved.what()
      status.say(`Actie ${what ? `“${what}” ` : ''}verplaatst naar plaats ${position + delta + 1} van ${rows.count()}.`)
    }
  }

  function remove (row, what) {
    rows.removeAt(row, (next) => next.button('remove'), form.first)
    status.say(`Actie ${what ? `“${what}” ` : ''}verwijderd.`)
  }

  const form = addForm(actions, status)
  const heading = replaceAfterHeading(section, h('div', { class: 'table-scroll' }, table), empty, form.el, status.el)

  // Remove later duplicates of an id (see the top of this file), after the transaction that
  // created them.
  let pending = false
  actions.observe(() => {
    if (pending || !hasDuplicates(actions)) return
    pending = true
    queueMicrotask(() => {
      pending = false
      removeDuplicates(doc, actions)
    })
  })
  if (hasDuplicates(actions)) removeDuplicates(doc, actions)
  return { rows }
}

function duplicateIndexes (actions) {
  const seen = new Set()
  const duplicates = []
  actions.forEach((item, index) => {
    if (!(item instanceof Y.Map)) return
    const id = item.get('id')
    if (typeof id !== 'string' || id === '') return
    if (seen.has(id)) duplicates.push(index)
    else seen.add(id)
  })
  return duplicates
}

function hasDuplicates (actions) {
  return duplicateIndexes(actions).length > 0
}

function removeDuplicates (doc, actions) {
  const duplicates = duplicateIndexes(actions)
  if (duplicates.length === 0) return
  doc.transact(() => {
    for (const index of duplicates.reverse()) actions.delete(index, 1)
  })
}

function actionRow (map, { move, remove }) {
  const what = boundText(map, 'what')
  const who = boundText(map, 'who', { maxLength: 200 })
  const due = boundText(map, 'due', { type: 'date' })
  const statusSelect = boundSelect(map, 'status', STATUSES)
  const ctx = { index: 0, position: 0 }
  const up = smallButton('Omhoog', { onclick: () => { if (up.getAttribute('aria-disabled') !== 'true') move({ ...ctx }, -1, 'up') } })
  const down = smallButton('Omlaag', { onclick: () => { if (down.getAttribute('aria-disabled') !== 'true') move({ ...ctx }, 1, 'down') } })
  const del = smallButton('Verwijderen', { className: 'btn-danger', onclick: () => remove({ ...ctx }, getString(map, 'what')) })
  const el = h('tr', {},
    h('td', { 'data-label': 'Wat' }, what.input),
    h('td', { 'data-label': 'Wie' }, who.input),
    h('td', { 'data-label': 'Wanneer' }, due.input),
    h('td', { 'data-label': 'Status' }, statusSelect.select),
    h('td', { class: 'row-actions' }, up, down, del))
  el.dataset.id = getString(map, 'id')
  return {
    el,
    index: () => ctx.index,
    what: () => getString(map, 'what'),
    button: (which) => (which === 'up' ? up : which === 'down' ? down : del),
    update ({ index, position, count }) {
      ctx.index = index
      ctx.position = position
      what.update()
      who.update()
      due.update()
      statusSelect.update()
      const n = position + 1
      const name = getString(map, 'what') || `actie ${n}`
      setAttr(what.input, 'aria-label', `Wat (actie ${n})`)
      setAttr(who.input, 'aria-label', `Wie (actie ${n})`)
      setAttr(due.input, 'aria-label', `Wanneer (actie ${n})`)
      setAttr(statusSelect.select, 'aria-label', `Status (actie ${n})`)
      setAttr(up, 'aria-label', `Omhoog: ${name}`)
      setAttr(down, 'aria-label', `Omlaag: ${name}`)
      setAttr(del, 'aria-label', `Verwijderen: ${name}`)
      setAttr(up, 'aria-disabled', String(position === 0))
      setAttr(down, 'aria-disabled', String(position === count - 1))
      const id = getString(map, 'id')
      if (el.dataset.id !== id) el.dataset.id = id
    }
  }
}

function addForm (actions, status) {
  const what = formField('Wat', h('input', { type: 'text', maxlength: 500, autocomplete: 'off' }))
  const who = formField('Wie', h('input', { type: 'text', maxlength: 200, autocomplete: 'off' }), { hint: WHO_HINT })
  const due = formField('Wanneer', h('input', { type: 'date' }))
  const state = formField('Status', h('select', {}, STATUSES.map(([value, text]) => h('option', { value, text }))))
  const submit = h('button', { type: 'submit', text: 'Actie toevoegen' })
  const el = h('form', { class: 'add-form', 'aria-label': 'Actie toevoegen', novalidate: true },
    h('div', { class: 'form-grid' }, what.el, who.el, due.el, state.el),
    h('div', { class: 'form-actions' }, submit))
  el.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = what.control.value.trim()
    if (text === '') {
      what.error.show('Vul in wat er moet gebeuren.')
      what.control.focus()
      return
    }
    what.error.clear()
    const date = /^\d{4}-\d{2}-\d{2}$/.test(due.control.value) ? due.control.value : ''
    actions.push([newMap({
      id: randomId(),
      what: text,
      who: who.control.value.trim(),
      due: date,
      status: state.control.value
    })])
    what.control.value = ''
    who.control.value = ''
    due.control.value = ''
    state.control.value = 'open'
    status.say(`Actie “${text}” toegevoegd.`)
    what.control.focus()
  })
  what.control.addEventListener('input', () => { if (what.control.value.trim() !== '') what.error.clear() })
  return { el, first: what.control }
}
