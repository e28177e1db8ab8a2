// Step 5, Regelingen: Y.Array `regulations` of Y.Map { law, article, room }. Picked from the
// catalogue (GET /api/regelingen, a <select> grouped by law) or typed in; listed with remove.

import * as Y from 'yjs'

import {
  announcer,
  bindRows,
  focusQuietly,
  formField,
  getString,
  h,
  newMap,
  removeControl,
  replaceAfterHeading,
  setAttr,
  setText,
  uid
} from './widget-kit.js'

/** Fetch the catalogue once per page: [{ id, law, article, room }]. */
export function loadCatalogue () {
  return fetch('/api/regelingen', { headers: { accept: 'application/json' } })
    .then((res) => {
      if (!res.ok) throw new Error(`GET /api/regelingen: ${res.status}`)
      return res.json()
    })
    .then((list) => (Array.isArray(list)
      ? list.filter((r) => r && typeof r.id === 'string' && typeof r.law === 'string' && typeof r.article === 'string')
        .map((r) => ({ id: r.id, law: r.law, article: r.article, room: typeof r.room === 'string' ? r.room : '' }))
      : []))
}

export function mountRegulations (section, doc, catalogue) {
  const regulations = doc.getArray('regulations')
  const status = announcer()

  const list = h('ul', { class: 'regulation-list' })
  const empty = h('p', { class: 'empty', text: 'Nog geen regelingen.' })
  const rows = bindRows(regulations, list, (map) => regulationRow(map, (ctx) => remove(ctx)), (count, { lostFocus }) => {
    list.hidden = count === 0
    empty.hidden = count !== 0
    if (lostFocus) focusQuietly(heading)
  })

  function remove (row) {
    rows.removeAt(row, (next) => next.removeButton, pick.first)
    status.say(`Regeling ${row.name} verwijderd.`)
  }

  const present = (law, article) => regulations.toArray().some((m) => m instanceof Y.Map &&
    sameText(getString(m, 'law'), law) && sameText(getString(m, 'article'), article))
  const add = (law, article, room) => {
    regulations.push([newMap({ law, article, room })])
    status.say(`Regeling ${describe(law, article)} toegevoegd.`)
  }

  const pick = pickForm(catalogue, { present, add })
  const free = freeForm({ present, add })
  const note = h('p', { class: 'hint', text: 'Indicatief; controleer de actuele wettekst.' })
  const heading = replaceAfterHeading(section, list, empty, pick.el, free.el, note, status.el)
  return { rows }
}

function sameText (a, b) {
  return a.trim().toLocaleLowerCase('nl') === b.trim().toLocaleLowerCase('nl')
}

function describe (law, article) {
  return article ? `${law}, ${article}` : law
}

function regulationRow (map, onRemove) {
  const title = h('strong')
  const room = h('span', { class: 'regulation-room' })
  const { button: removeButton, place } = removeControl(onRemove, () => ({ name: describe(getString(map, 'law'), getString(map, 'article')) }))
  const el = h('li', {}, h('div', { class: 'regulation-text' }, title, room), removeButton)
  return {
    el,
    removeButton,
    update ({ index, position }) {
      Object.assign(place, { index, position })
      const name = describe(getString(map, 'law'), getString(map, 'article')) || `regeling ${position + 1}`
      const text = getString(map, 'room')
      setText(title, name)
      setText(room, text ? `: ${text}` : '')
      setAttr(removeButton, 'aria-label', `Verwijderen: ${name}`)
    }
  }
}

/** Pick from the catalogue: a <select> with an <optgroup> per law; the room of the choice below it. */
function pickForm (catalogue, { present, add }) {
  const select = h('select', {}, h('option', { value: '', text: 'Kies een regeling…' }))
  const byId = new Map()
  const field = formField('Regeling uit de lijst', select)
  const room = h('p', { class: 'field-hint', id: uid('ruimte') })
  select.setAttribute('aria-describedby', room.id)
  const submit = h('button', { type: 'submit', text: 'Regeling toevoegen' })
  const el = h('form', { class: 'add-form', 'aria-label': 'Regeling uit de lijst toevoegen', novalidate: true },
    h('div', { class: 'form-grid form-grid-wide' }, field.el), room, h('div', { class: 'form-actions' }, submit))

  const showRoom = () => {
    const choice = byId.get(select.value)
    setText(room, choice ? `Ruimte: ${choice.room}` : '')
  }
  select.addEventListener('change', () => {
    field.error.clear()
    showRoom()
  })

  select.disabled = true
  setText(room, 'De lijst met regelingen wordt geladen…')
  catalogue.then((entries) => {
    const groups = new Map()
    for (const entry of entries) {
      byId.set(entry.id, entry)
      if (!groups.has(entry.law)) groups.set(entry.law, h('optgroup', { label: entry.law }))
      groups.get(entry.law).append(h('option', { value: entry.id, text: entry.article }))
    }
    select.append(...groups.values())
    select.disabled = entries.length === 0
    setText(room, entries.length === 0 ? 'De lijst met regelingen is leeg; vul de regeling hieronder zelf in.' : '')
  }, (err) => {
    console.warn('could not load the catalogue of regulations', err)
    setText(room, 'De lijst met regelingen kon niet worden geladen; vul de regeling hieronder zelf in.')
  })

  el.addEventListener('submit', (event) => {
    event.preventDefault()
    const choice = byId.get(select.value)
    if (!choice) {
      field.error.show('Kies eerst een regeling uit de lijst.')
      select.focus()
      return
    }
    if (present(choice.law, choice.article)) {
      field.error.show(`${describe(choice.law, choice.article)} staat al in de lijst.`)
      select.focus()
      return
    }
    field.error.clear()
    add(choice.law, choice.article, choice.room)
    select.value = ''
    showRoom()
    select.focus()
  })
  return { el, first: select }
}

/** Type a regulation that is not in the catalogue. */
function freeForm ({ present, add }) {
  const law = formField('Wet of regeling', h('input', { type: 'text', maxlength: 200, autocomplete: 'off' }))
  const article = formField('Artikel', h('input', { type: 'text', maxlength: 200, autocomplete: 'off' }))
  const room = formField('Ruimte', h('input', { type: 'text', maxlength: 500, autocomplete: 'off' }),
    { hint: 'Waar zit de beleidsruimte, bijvoorbeeld een hardheidsclausule?' })
  const submit = h('button', { type: 'submit', text: 'Zelf ingevulde regeling toevoegen' })
  const legend = h('h4', { class: 'form-title', id: uid('zelf'), text: 'Of vul een regeling zelf in' })
  const el = h('form', { class: 'add-form', 'aria-labelledby': legend.id, novalidate: true },
    legend, h('div', { class: 'form-grid' }, law.el, article.el, room.el), h('div', { class: 'form-actions' }, submit))
  el.addEventListener('submit', (event) => {
    event.preventDefault()
    const values = [law, article, room].map((f) => f.control.value.trim())
    if (values[0] === '') {
      law.error.show('Vul de wet of regeling in.')
      law.control.focus()
      return
    }
    law.error.clear()
    if (present(values[0], values[1])) {
      article.error.show(`${describe(values[0], values[1])} staat al in de lijst.`)
      article.control.focus()
      return
    }
    article.error.clear()
    add(...values)
    for (const f of [law, article, room]) f.control.value = ''
    law.control.focus()
  })
  return { el }
}
