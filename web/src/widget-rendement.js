// Step 5, Rendement: the lines (Y.Array `returnLines`), the horizon shared by the team
// (`meta.horizonYears`), and the totals, recomputed whenever anyone changes a line, an instantie
// (step 3) or the horizon. All arithmetic is in rendement.js.

import * as Y from 'yjs'

import {
  HORIZONS,
  KINDS,
  RECURRENCES,
  computeRendement,
  formatCents,
  formatHorizon,
  formatNet,
  formatPayback,
  normalizeHorizon,
  parseAmount
} from './rendement.js'
import {
  amountInput,
  announcer,
  bindRows,
  boundAmount,
  boundSelect,
  boundText,
  euroWrap,
  focusQuietly,
  formField,
  getString,
  h,
  newMap,
  randomId,
  removeControl,
  replaceAfterHeading,
  setAttr,
  setText,
  uid
} from './widget-kit.js'

const COLUMNS = ['Omschrijving', 'Soort', 'Bedrag', 'Frequentie', 'Wie betaalt']

export function mountRendement (section, doc) {
  const lines = doc.getArray('returnLines')
  const agencies = doc.getArray('agencies')
  const meta = doc.getMap('meta')
  const status = announcer()

  // Horizon: one select for the whole team.
  const horizon = h('select', { id: uid('horizon') }, HORIZONS.map((years) => h('option', { value: String(years), text: formatHorizon(years) })))
  horizon.addEventListener('change', () => {
    const years = Number(horizon.value)
    if (meta.get('horizonYears') !== years) meta.set('horizonYears', years)
  })
  const horizonField = h('div', { class: 'horizon' },
    h('label', { for: horizon.id, text: 'Periode voor de berekening' }), horizon)

  // The lines.
  const tbody = h('tbody')
  const table = h('table', { class: 'widget-table rendement-lines' },
    h('caption', { class: 'visually-hidden', text: 'Rendementsregels' }),
    h('thead', {}, h('tr', {}, COLUMNS.map((c) => h('th', { scope: 'col', text: c })),
      h('th', { scope: 'col' }, h('span', { class: 'visually-hidden', text: 'Verwijderen' })))),
    tbody)
  const empty = h('p', { class: 'empty', text: 'Nog geen kosten of baten.' })

  const rows = bindRows(lines, tbody, (map) => lineRow(map, (row) => remove(row)), (count, { lostFocus }) => {
    table.hidden = count === 0
    empty.hidden = count !== 0
    if (lostFocus) focusQuietly(heading)
  })

  const remove = (row) => {
    rows.removeAt(row, (next) => next.removeButton, form.first)
    status.say(`Regel ${row.description ? `“${row.description}” ` : ''}verwijderd.`)
  }

  const form = addForm(lines, status)
  const totals = totalsView()

  const heading = replaceAfterHeading(section,
    horizonField,
    h('div', { class: 'table-scroll' }, table),
    empty,
    form.el,
    totals.el,
    status.el)

  const recompute = () => {
    const years = normalizeHorizon(meta.get('horizonYears'))
    if (horizon.value !== String(years)) horizon.value = String(years)
    // Entries that are not maps are not shown as lines, so they do not count either.
    const maps = (array) => array.toArray().filter((m) => m instanceof Y.Map)
    totals.show(computeRendement({
      lines: maps(lines).map((m) => ({ kind: m.get('kind'), amountCents: m.get('amountCents'), recurrence: m.get('recurrence') })),
      agencies: maps(agencies).map((m) => ({ costPerYearCents: m.get('costPerYearCents') })),
      horizonYears: years
    }))
  }
  lines.observeDeep(recompute)
  agencies.observeDeep(recompute)
  meta.observe((event) => { if (event.keysChanged.has('horizonYears')) recompute() })
  recompute()
  return { rows }
}

/** One editable line. */
function lineRow (map, onRemove) {
  const description = boundText(map, 'description')
  const kind = boundSelect(map, 'kind', KINDS)
  const amount = boundAmount(map, 'amountCents')
  const recurrence = boundSelect(map, 'recurrence', RECURRENCES)
  const payer = boundText(map, 'payer')
  const { button: removeButton, place } = removeControl(onRemove, () => ({ description: getString(map, 'description') }))
  const el = h('tr', {},
    h('td', { 'data-label': 'Omschrijving' }, description.input),
    h('td', { 'data-label': 'Soort' }, kind.select),
    h('td', { class: 'amount-cell', 'data-label': 'Bedrag' }, euroWrap(amount.input), amount.error),
    h('td', { 'data-label': 'Frequentie' }, recurrence.select),
    h('td', { 'data-label': 'Wie betaalt' }, payer.input),
    h('td', { class: 'row-actions' }, removeButton))
  return {
    el,
    removeButton,
    update ({ index, position }) {
      Object.assign(place, { index, position })
      const n = position + 1
      description.update()
      kind.update()
      amount.update()
      recurrence.update()
      payer.update()
      setAttr(description.input, 'aria-label', `Omschrijving (regel ${n})`)
      setAttr(kind.select, 'aria-label', `Soort (regel ${n})`)
      setAttr(amount.input, 'aria-label', `Bedrag in euro (regel ${n})`)
      setAttr(recurrence.select, 'aria-label', `Frequentie (regel ${n})`)
      setAttr(payer.input, 'aria-label', `Wie betaalt (regel ${n})`)
      const text = getString(map, 'description')
      setAttr(removeButton, 'aria-label', `Verwijderen: regel ${n}${text ? `, ${text}` : ''}`)
    }
  }
}

/** The form that adds a line; nothing is stored unless the amount is valid. */
function addForm (lines, status) {
  const description = formField('Omschrijving', h('input', { type: 'text', maxlength: 500, autocomplete: 'off' }))
  const kind = formField('Soort', h('select', {}, KINDS.map(([value, text]) => h('option', { value, text }))))
  const amount = formField('Bedrag in euro', amountInput(), { hint: 'Bijvoorbeeld 1.250,00' })
  const recurrence = formField('Frequentie', h('select', {}, RECURRENCES.map(([value, text]) => h('option', { value, text }))))
  const payer = formField('Wie betaalt', h('input', { type: 'text', maxlength: 500, autocomplete: 'off' }),
    { hint: 'Welk budget of welke organisatie' })
  const submit = h('button', { type: 'submit', text: 'Regel toevoegen' })
  const el = h('form', { class: 'add-form', 'aria-label': 'Rendementsregel toevoegen', novalidate: true },
    h('div', { class: 'form-grid' }, description.el, kind.el, amount.el, recurrence.el, payer.el),
    h('div', { class: 'form-actions' }, submit))
  el.addEventListener('submit', (event) => {
    event.preventDefault()
    const parsed = parseAmount(amount.control.value)
    if (!parsed.ok) {
      amount.error.show(parsed.error)
      amount.control.focus()
      return
    }
    amount.error.clear()
    const text = description.control.value.trim()
    lines.push([newMap({
      id: randomId(),
      kind: kind.control.value,
      description: text,
      amountCents: parsed.cents,
      recurrence: recurrence.control.value,
      payer: payer.control.value.trim()
    })])
    description.control.value = ''
    amount.control.value = ''
    payer.control.value = ''
    status.say(`Regel ${text ? `“${text}” ` : ''}toegevoegd.`)
    description.control.focus()
  })
  amount.control.addEventListener('input', () => {
    if (amount.control.hasAttribute('aria-invalid') && parseAmount(amount.control.value).ok) amount.error.clear()
  })
  return { el, first: description.control }
}

/** The totals: a table in a polite live region; cells change only when their text changes. */
function totalsView () {
  const caption = h('caption')
  const rows = {}
  const row = (key, label, className = '') => {
    const cell = h('td', { class: 'amount', 'data-total': key })
    rows[key] = cell
    return h('tr', { class: className }, h('th', { scope: 'row', text: label }), cell)
  }
  const table = h('table', { class: 'totals-table' }, caption, h('tbody', {},
    row('current', 'Huidige maatschappelijke kosten'),
    row('currentLines', 'waarvan rendementsregels', 'sub'),
    row('agencies', 'waarvan Betrokken instanties (stap 3)', 'sub'),
    row('inaction', 'Kosten van niets doen (gevolgschade)'),
    row('solution', 'Kosten van de maatwerkoplossing'),
    row('doormodderen', 'Doormodderen (huidige kosten + kosten van niets doen)', 'sum'),
    row('doorbreken', 'Doorbreken (kosten van de maatwerkoplossing)', 'sum'),
    row('net', 'Netto resultaat (doormodderen − doorbreken)', 'result'),
    row('payback', 'Terugverdientijd', 'result')))
  const note = h('p', { class: 'hint', hidden: true })
  const el = h('div', { class: 'totals', 'aria-live': 'polite' }, table, note)
  return {
    el,
    show (result) {
      setText(caption, `Totalen over ${formatHorizon(result.horizonYears)}`)
      for (const key of ['current', 'currentLines', 'agencies', 'inaction', 'solution', 'doormodderen', 'doorbreken']) {
        setText(rows[key], formatCents(result[key]))
      }
      setText(rows.net, formatNet(result.net))
      rows.net.dataset.sign = result.net > 0n ? 'positive' : result.net < 0n ? 'negative' : 'zero'
      setText(rows.payback, formatPayback(result.payback))
      const n = result.incomplete
      note.hidden = n === 0
      setText(note, n === 0 ? '' : n === 1
        ? '1 regel telt niet mee: die heeft geen geldige soort, frequentie of bedrag.'
        : `${n} regels tellen niet mee: die hebben geen geldige soort, frequentie of bedrag.`)
    }
  }
}
