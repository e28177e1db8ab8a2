// Step 3, Betrokken instanties: Y.Array `agencies` of Y.Map { name, costPerYearCents }, with
// the total per year. The rendement totals (step 5) count these as yearly current costs.

import * as Y from 'yjs'

import { formatCents, parseAmount, toCents } from './rendement.js'
import {
  amountInput,
  announcer,
  bindRows,
  boundAmount,
  boundText,
  euroWrap,
  focusQuietly,
  formField,
  getString,
  h,
  newMap,
  removeControl,
  replaceAfterHeading,
  setAttr,
  setText
} from './widget-kit.js'

export function mountAgencies (section, doc) {
  const agencies = doc.getArray('agencies')
  const status = announcer()

  const tbody = h('tbody')
  const table = h('table', { class: 'widget-table agencies-table' },
    h('caption', { class: 'visually-hidden', text: 'Betrokken instanties en hun kosten per jaar' }),
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: 'Instantie' }),
      h('th', { scope: 'col', text: 'Kosten per jaar' }),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Verwijderen' })))),
    tbody)
  const empty = h('p', { class: 'empty', text: 'Nog geen instanties.' })
  const totalValue = h('strong', { class: 'amount', 'data-total': 'agencies-per-year' })
  const totalLine = h('p', { class: 'widget-total', 'aria-live': 'polite' }, 'Totaal per jaar: ', totalValue)

  const rows = bindRows(agencies, tbody, (map) => agencyRow(map, (ctx) => remove(ctx)), (count, { lostFocus }) => {
    table.hidden = count === 0
    empty.hidden = count !== 0
    let sum = 0n
    agencies.forEach((item) => {
      const cents = item instanceof Y.Map ? toCents(item.get('costPerYearCents')) : null
      if (cents !== null) sum += cents
    })
    setText(totalValue, formatCents(sum))
    if (lostFocus) focusQuietly(heading)
  })

  function remove (row) {
    rows.removeAt(row, (next) => next.removeButton, form.first)
    status.say(`Instantie ${row.name ? `“${row.name}” ` : ''}verwijderd.`)
  }

  const form = addForm(agencies, status)
  const heading = replaceAfterHeading(section, h('div', { class: 'table-scroll' }, table), empty, totalLine, form.el, status.el)
  return { rows }
}

function agencyRow (map, onRemove) {
  const name = boundText(map, 'name', { maxLength: 200 })
  const cost = boundAmount(map, 'costPerYearCents')
  const { button: removeButton, place } = removeControl(onRemove, () => ({ name: getString(map, 'name') }))
  const el = h('tr', {},
    h('td', { 'data-label': 'Instantie' }, name.input),
    h('td', { class: 'amount-cell', 'data-label': 'Kosten per jaar' }, euroWrap(cost.input), cost.error),
    h('td', { class: 'row-actions' }, removeButton))
  return {
    el,
    removeButton,
    update ({ index, position }) {
      Object.assign(place, { index, position })
      name.update()
      cost.update()
      const n = position + 1
      const text = getString(map, 'name')
      setAttr(name.input, 'aria-label', `Instantie ${n}`)
      setAttr(cost.input, 'aria-label', `Kosten per jaar in euro (instantie ${n})`)
      setAttr(removeButton, 'aria-label', `Verwijderen: ${text || `instantie ${n}`}`)
    }
  }
}

function addForm (agencies, status) {
  const name = formField('Instantie', h('input', { type: 'text', maxlength: 200, autocomplete: 'off' }))
  const cost = formField('Kosten per jaar in euro', amountInput(), { hint: 'Bijvoorbeeld 9.500,00' })
  const el = h('form', { class: 'add-form', 'aria-label': 'Instantie toevoegen', novalidate: true },
    h('div', { class: 'form-grid' }, name.el, cost.el),
    h('div', { class: 'form-actions' }, h('button', { type: 'submit', text: 'Instantie toevoegen' })))
  el.addEventListener('submit', (event) => {
    event.preventDefault()
    const text = name.control.value.trim()
    if (text === '') {
      name.error.show('Vul de naam van de instantie in.')
      name.control.focus()
      return
    }
    name.error.clear()
    const parsed = parseAmount(cost.control.value)
    if (!parsed.ok) {
      cost.error.show(parsed.error)
      cost.control.focus()
      return
    }
    cost.error.clear()
    agencies.push([newMap({ name: text, costPerYearCents: parsed.cents })])
    name.control.value = ''
    cost.control.value = ''
    status.say(`Instantie “${text}” toegevoegd.`)
    name.control.focus()
  })
  name.control.addEventListener('input', () => { if (name.control.value.trim() !== '') name.error.clear() })
  cost.control.addEventListener('input', () => {
    if (cost.control.hasAttribute('aria-invalid') && parseAmount(cost.control.value).ok) cost.error.clear()
  })
  return { el, first: name.control }
}
