// The live widgets of the canvas page (instanties, regelingen, rendement, actieplan) in two
// headless Chromium contexts on one canvas: what one person adds, edits, moves or removes shows
// in the other's page and in GET /api/canvases/{id}; the rendement totals are exact; refused
// amounts store nothing; everything survives a reload.
//
// Like canvas-page.test.mjs, the first check fails when the binary serves another bundle than
// web/dist; WEB_DIST=../../web/dist serves web/dist through a proxy instead (no rebuild needed).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { connectClient, createCanvas, getCanvas, getJson, setupServer, stableStringify, track, waitFor, waitSynced } from './lib/server.mjs'
import { WAIT_MS, openCanvas, startBrowser, waitConnected, waitInPage, waitSaved } from './lib/pages.mjs'

const widget = (name) => `section.widget[data-widget="${name}"]`

/** In the page: every [data-total] cell of the page, key → text. */
function readTotals () {
  return Object.fromEntries([...document.querySelectorAll('[data-total]')].map((el) => [el.dataset.total, el.textContent]))
}

/** In the page: the values of the controls of each row of a widget's table (or list items). */
function readRows (selector) {
  const section = document.querySelector(selector)
  if (!section) return null
  return [...section.querySelectorAll('.widget-table tbody tr, ul.regulation-list li')].map((row) => {
    const controls = [...row.querySelectorAll('input, select')]
    return controls.length > 0 ? controls.map((c) => c.value) : [row.querySelector('.regulation-text').textContent]
  })
}

/** Wait until the page shows the totals `expected` (a subset of data-total keys). */
function waitForTotals (p, expected, what) {
  return waitInPage(p, (want) => {
    const shown = Object.fromEntries([...document.querySelectorAll('[data-total]')].map((el) => [el.dataset.total, el.textContent]))
    return Object.entries(want).every(([key, text]) => shown[key] === text)
  }, expected, {
    what: `${what}: ${JSON.stringify(expected)}`,
    extra: readTotals
  })
}

/** Wait until a widget's rows show `expected` (arrays of control values). */
function waitForRows (p, name, expected, what) {
  return waitInPage(p, ([selector, want]) => {
    const section = document.querySelector(selector)
    if (!section) return false
    const rows = [...section.querySelectorAll('.widget-table tbody tr, ul.regulation-list li')].map((row) => {
      const controls = [...row.querySelectorAll('input, select')]
      return controls.length > 0 ? controls.map((c) => c.value) : [row.querySelector('.regulation-text').textContent]
    })
    return JSON.stringify(rows) === JSON.stringify(want)
  }, [widget(name), expected], {
    what: `${what}: ${JSON.stringify(expected)}`,
    extra: [readRows, widget(name)]
  })
}

/** Wait until GET /api/canvases/{id} satisfies `check(body)`. */
function waitForServer (server, id, check, what) {
  return waitFor(async () => {
    const { status, body } = await getCanvas(server, id)
    return status === 200 && check(body)
  }, { timeout: WAIT_MS, what: `GET /api/canvases/{id}: ${what}`, detail: () => getCanvas(server, id) })
}

/** Fill the "Rendementsregel toevoegen" form of page `p` and submit it. */
async function addLine (p, { description, kind, amount, recurrence, payer }) {
  const form = p.page.locator(`${widget('rendement')} form[aria-label="Rendementsregel toevoegen"]`)
  await form.getByLabel('Omschrijving', { exact: true }).fill(description)
  await form.getByLabel('Soort', { exact: true }).selectOption({ label: kind })
  await form.getByLabel('Bedrag in euro', { exact: true }).fill(amount)
  await form.getByLabel('Frequentie', { exact: true }).selectOption({ label: recurrence })
  await form.getByLabel('Wie betaalt', { exact: true }).fill(payer)
  await form.getByRole('button', { name: 'Regel toevoegen' }).click()
}

async function addAction (p, { what, who, due, status }) {
  const form = p.page.locator(`${widget('actions')} form[aria-label="Actie toevoegen"]`)
  await form.getByLabel('Wat', { exact: true }).fill(what)
  await form.getByLabel('Wie', { exact: true }).fill(who)
  await form.getByLabel('Wanneer', { exact: true }).fill(due)
  await form.getByLabel('Status', { exact: true }).selectOption({ label: status })
  await form.getByRole('button', { name: 'Actie toevoegen' }).click()
}

async function waitWidgetsLive (p) {
  await waitConnected(p)
  await waitInPage(p, () => document.querySelectorAll('section.widget.is-live').length === 4, undefined, {
    what: 'the four widgets to be live'
  })
}

test('canvas widgets: two people share instanties, regelingen, rendement and actieplan', async (t) => {
  const env = await setupServer(t)
  const { server, c } = env
  const { id } = await createCanvas(server, 'Casus W-1')
  const { browser, origin, pages } = await startBrowser(t, env, { canvasId: id, labels: ['page A', 'page B'] })
  const [a, b] = pages
  for (const p of pages) await waitWidgetsLive(p)

  // A known set of lines. Over 1 year: current 1.250,00 × 12 = 15.000,00; inaction 8.000,00;
  // solution 2.500,00 + 150,50 × 12 = 4.306,00. Over 3 years: 45.000,00; 24.000,00;
  // 2.500,00 + 150,50 × 36 = 7.918,00. Payback: invest 2.500,00; saving per year
  // 15.000 + 8.000 − 1.806 = 21.194 → ceil(12 × 2.500 / 21.194) = 2 months.
  const lines = [
    { description: 'Bijzondere bijstand', kind: 'Huidige maatschappelijke kosten', amount: '1.250', recurrence: 'per maand', payer: 'Gemeente, W&I' },
    { description: 'Zwaardere schuldhulp later (gevolgschade)', kind: 'Kosten van niets doen (gevolgschade)', amount: '€ 8.000,00', recurrence: 'per jaar', payer: 'Gemeente, schuldhulp' },
    { description: 'Betalingsregeling', kind: 'Kosten van de maatwerkoplossing', amount: '2500', recurrence: 'eenmalig', payer: 'Doorbraakbudget' },
    { description: 'Budgetcoach', kind: 'Kosten van de maatwerkoplossing', amount: '150,5', recurrence: 'per maand', payer: 'Gemeente, schuldhulp' }
  ]

  await t.test('rendement lines added in page A update the totals in page B', async () => {
    await waitForTotals(b, { current: '€ 0,00', net: '€ 0,00 (geen verschil)', payback: 'Direct terugverdiend' }, 'empty totals')
    for (const line of lines) await addLine(a, line)
    await waitForRows(b, 'rendement', [
      ['Bijzondere bijstand', 'current', '1.250,00', 'monthly', 'Gemeente, W&I'],
      ['Zwaardere schuldhulp later (gevolgschade)', 'inaction', '8.000,00', 'yearly', 'Gemeente, schuldhulp'],
      ['Betalingsregeling', 'solution', '2.500,00', 'once', 'Doorbraakbudget'],
      ['Budgetcoach', 'solution', '150,50', 'monthly', 'Gemeente, schuldhulp']
    ], "page A's lines in page B")
    await waitForTotals(b, {
      current: '€ 15.000,00',
      currentLines: '€ 15.000,00',
      agencies: '€ 0,00',
      inaction: '€ 8.000,00',
      solution: '€ 4.306,00',
      doormodderen: '€ 23.000,00',
      doorbreken: '€ 4.306,00',
      net: '€ 18.694,00 besparing',
      payback: '2 maanden'
    }, 'the totals over 1 year in page B')
    await waitForServer(server, id, (body) => {
      const got = body.steps.valueTriangle.returnLines
      return got.length === 4 && got.every((l) => typeof l.id === 'string' && l.id.length >= 32) &&
        stableStringify(got.map(({ id: _, ...rest }) => rest)) === stableStringify([
          { kind: 'current', description: 'Bijzondere bijstand', amountCents: 125000, recurrence: 'monthly', payer: 'Gemeente, W&I' },
          { kind: 'inaction', description: 'Zwaardere schuldhulp later (gevolgschade)', amountCents: 800000, recurrence: 'yearly', payer: 'Gemeente, schuldhulp' },
          { kind: 'solution', description: 'Betalingsregeling', amountCents: 250000, recurrence: 'once', payer: 'Doorbraakbudget' },
          { kind: 'solution', description: 'Budgetcoach', amountCents: 15050, recurrence: 'monthly', payer: 'Gemeente, schuldhulp' }
        ])
    }, 'the four lines with integer cents')
  })

  await t.test('an invalid amount is refused with a Dutch message and nothing is stored', async () => {
    await waitSaved(a)
    const before = await getCanvas(server, id)
    const form = a.page.locator(`${widget('rendement')} form[aria-label="Rendementsregel toevoegen"]`)
    const amount = form.getByLabel('Bedrag in euro', { exact: true })
    const cases = [
      ['12,345', 'Gebruik hoogstens twee cijfers na de komma.'],
      ['twaalf', 'Dit is geen bedrag. Gebruik cijfers, punten voor duizendtallen en een komma voor centen, bijvoorbeeld 1.250,50.'],
      ['-5', 'Een bedrag kan niet negatief zijn.'],
      ['100.000.000,01', 'Dit bedrag is te groot: hoogstens € 100.000.000,00.']
    ]
    await form.getByLabel('Omschrijving', { exact: true }).fill('Fout bedrag')
    for (const [input, message] of cases) {
      await amount.fill(input)
      await form.getByRole('button', { name: 'Regel toevoegen' }).click()
      const shown = await amount.evaluate((el) => ({
        invalid: el.getAttribute('aria-invalid'),
        focused: document.activeElement === el,
        described: (el.getAttribute('aria-describedby') || '').split(' ').map((ref) => document.getElementById(ref)?.textContent)
      }))
      assert.equal(shown.invalid, 'true', `${input}: aria-invalid`)
      assert.ok(shown.described.includes(message), `${input}: described by ${JSON.stringify(message)}, got ${JSON.stringify(shown.described)}`)
      assert.ok(shown.focused, `${input}: the focus is on the refused field`)
    }
    // The same refusal when editing a stored amount in the table; the stored value stays.
    const cell = a.page.locator(`${widget('rendement')} tbody tr`).first().getByLabel('Bedrag in euro (regel 1)')
    await cell.fill('1.250,505')
    await cell.press('Enter')
    const inline = await cell.evaluate((el) => ({
      invalid: el.getAttribute('aria-invalid'),
      described: (el.getAttribute('aria-describedby') || '').split(' ').map((ref) => document.getElementById(ref)?.textContent)
    }))
    assert.deepEqual(inline, { invalid: 'true', described: ['Gebruik hoogstens twee cijfers na de komma.'] })
    // Escape takes the refused edit back.
    await cell.press('Escape')
    assert.equal(await cell.inputValue(), '1.250,00')
    assert.equal(await cell.getAttribute('aria-invalid'), null)

    // A valid edit sent after the refusals: once the server has it, it would have had anything
    // sent before it too.
    await a.page.locator('input[data-ymap="lifeAreas"][value="financial_security"]').check()
    await waitForServer(server, id, (body) => body.lifeAreas.includes('financial_security'), 'the marker edit')
    const after = await getCanvas(server, id)
    assert.deepEqual(after.body.steps, before.body.steps, 'the refused amounts changed nothing on the server')
    assert.deepEqual(await b.page.evaluate(readRows, widget('rendement')), await a.page.evaluate(readRows, widget('rendement')),
      'both pages show the same lines')
    await a.page.locator('input[data-ymap="lifeAreas"][value="financial_security"]').uncheck()
  })

  await t.test('changing the horizon in page A changes it in page B', async () => {
    await a.page.getByLabel('Periode voor de berekening').selectOption('3')
    await waitInPage(b, () => document.querySelector('section.widget[data-widget="rendement"] .horizon select')?.value === '3' &&
      document.querySelector('.totals-table caption')?.textContent === 'Totalen over 3 jaar', undefined, {
      what: 'the horizon "3 jaar" in page B'
    })
    await waitForTotals(b, {
      current: '€ 45.000,00',
      inaction: '€ 24.000,00',
      solution: '€ 7.918,00',
      doormodderen: '€ 69.000,00',
      doorbreken: '€ 7.918,00',
      net: '€ 61.082,00 besparing',
      payback: '2 maanden'
    }, 'the totals over 3 years in page B')
  })

  await t.test('an instantie added in page A adds to the current costs in page B', async () => {
    const form = a.page.locator(`${widget('agencies')} form[aria-label="Instantie toevoegen"]`)
    await form.getByLabel('Instantie', { exact: true }).fill('Leerplicht')
    await form.getByLabel('Kosten per jaar in euro', { exact: true }).fill('1.200')
    await form.getByRole('button', { name: 'Instantie toevoegen' }).click()
    await waitForRows(b, 'agencies', [['Leerplicht', '1.200,00']], "page A's instantie in page B")
    await waitForTotals(b, {
      'agencies-per-year': '€ 1.200,00',
      agencies: '€ 3.600,00',
      currentLines: '€ 45.000,00',
      current: '€ 48.600,00',
      doormodderen: '€ 72.600,00',
      net: '€ 64.682,00 besparing'
    }, 'the instantie in the totals over 3 years in page B')
    await waitForServer(server, id, (body) => stableStringify(body.steps.overview.agencies) ===
      stableStringify([{ name: 'Leerplicht', costPerYearCents: 120000 }]), 'the instantie')
  })

  await t.test('a regulation picked from the catalogue in page A appears in page B and on the server', async () => {
    const { status, body: catalogue } = await getJson(server, '/api/regelingen')
    assert.equal(status, 200, 'GET /api/regelingen')
    const pick = catalogue.find((r) => r.id === 'pw-18') || catalogue[0]
    const form = a.page.locator(`${widget('regulations')} form[aria-label="Regeling uit de lijst toevoegen"]`)
    await waitInPage(a, () => !document.querySelector('section.widget[data-widget="regulations"] select').disabled, undefined, {
      what: 'the catalogue to load'
    })
    await form.getByLabel('Regeling uit de lijst').selectOption(pick.id)
    await form.getByRole('button', { name: 'Regeling toevoegen' }).click()
    await waitForRows(b, 'regulations', [[`${pick.law}, ${pick.article}: ${pick.room}`]], 'the regulation in page B')
    await waitForServer(server, id, (body) => stableStringify(body.steps.valueTriangle.legitimacy.regulations) ===
      stableStringify([{ law: pick.law, article: pick.article, room: pick.room }]), 'the picked regulation')

    // Picking it again is refused; a typed one is added, and removed again in page B.
    await form.getByLabel('Regeling uit de lijst').selectOption(pick.id)
    await form.getByRole('button', { name: 'Regeling toevoegen' }).click()
    await waitInPage(a, () => [...document.querySelectorAll('section.widget[data-widget="regulations"] .field-error')]
      .some((e) => !e.hidden && e.textContent.endsWith('staat al in de lijst.')), undefined, { what: 'the duplicate refused' })
    const free = a.page.locator(`${widget('regulations')} form.add-form`).nth(1)
    await free.getByLabel('Wet of regeling').fill('Verordening bijzondere bijstand')
    await free.getByLabel('Artikel').fill('Artikel 3')
    await free.getByLabel('Ruimte').fill('Hardheidsclausule')
    await free.getByRole('button', { name: 'Zelf ingevulde regeling toevoegen' }).click()
    const both = [[`${pick.law}, ${pick.article}: ${pick.room}`], ['Verordening bijzondere bijstand, Artikel 3: Hardheidsclausule']]
    await waitForRows(b, 'regulations', both, 'both regulations in page B')
    const removeTyped = () => b.page.getByRole('button', { name: 'Verwijderen: Verordening bijzondere bijstand, Artikel 3' }).click()
    const undoNotice = b.page.locator(`${widget('regulations')} .undo-notice`)
    await removeTyped()
    await waitForRows(a, 'regulations', both.slice(0, 1), 'the removal in page A')
    // "Verwijderd — Ongedaan maken" puts it back, for everyone.
    assert.equal(await undoNotice.textContent(), 'Verwijderd — Ongedaan maken')
    await undoNotice.getByRole('button', { name: 'Ongedaan maken', exact: true }).click()
    await waitForRows(a, 'regulations', both, 'the regulation back in page A after "Ongedaan maken"')
    // Ctrl+Z in the widget does the same; in a text field it undoes only that field's typing.
    await removeTyped()
    await waitForRows(a, 'regulations', both.slice(0, 1), 'the second removal in page A')
    await b.page.keyboard.press('Control+z')
    await waitForRows(a, 'regulations', both, 'the regulation back in page A after Ctrl+Z')
    // After ten seconds the offer is gone and the removal stands.
    await removeTyped()
    await waitInPage(b, () => !document.querySelector('section.widget[data-widget="regulations"] .undo-notice')?.textContent,
      undefined, { what: 'the undo notice to go after ten seconds', timeout: 15_000 })
    await waitForRows(a, 'regulations', both.slice(0, 1), 'the removal in page A')
    await waitForServer(server, id, (body) => body.steps.valueTriangle.legitimacy.regulations.length === 1, 'one regulation left')
    const note = await a.page.locator(widget('regulations')).getByText('Indicatief; controleer de actuele wettekst.').count()
    assert.equal(note, 1, 'the note under the regulations')
  })

  await t.test('actieplan: add, edit, reorder and remove in page A show in page B and on the server', async () => {
    const actions = [
      { what: 'Schuldeiser bellen', who: 'Schuldhulpverlening', due: '2027-01-15', status: 'Open' },
      { what: 'Betalingsregeling vastleggen', who: 'Aanjager', due: '2027-02-01', status: 'Bezig' },
      { what: 'Evaluatie', who: 'Inbrenger', due: '2027-05-01', status: 'Gereed' }
    ]
    for (const action of actions) await addAction(a, action)
    await waitForRows(b, 'actions', [
      ['Schuldeiser bellen', 'Schuldhulpverlening', '2027-01-15', 'open'],
      ['Betalingsregeling vastleggen', 'Aanjager', '2027-02-01', 'in_progress'],
      ['Evaluatie', 'Inbrenger', '2027-05-01', 'done']
    ], "page A's actions in page B")
    const ids = await a.page.locator(`${widget('actions')} tbody tr`).evaluateAll((rows) => rows.map((r) => r.dataset.id))
    assert.equal(new Set(ids).size, 3)
    for (const rowId of ids) assert.match(rowId, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)

    // Two people edit different fields of one row at the same time: both edits stay.
    const rowA = a.page.locator(`${widget('actions')} tbody tr`).nth(1)
    const rowB = b.page.locator(`${widget('actions')} tbody tr`).nth(1)
    await rowA.getByLabel('Wie (actie 2)').fill('Consulent schuldhulp')
    await rowB.getByLabel('Wat (actie 2)').fill('Betalingsregeling tekenen')
    await Promise.all([rowA.getByLabel('Wie (actie 2)').press('Enter'), rowB.getByLabel('Wat (actie 2)').press('Enter')])
    await rowA.getByLabel('Status (actie 2)').selectOption({ label: 'Gereed' })
    const edited = [
      ['Schuldeiser bellen', 'Schuldhulpverlening', '2027-01-15', 'open'],
      ['Betalingsregeling tekenen', 'Consulent schuldhulp', '2027-02-01', 'done'],
      ['Evaluatie', 'Inbrenger', '2027-05-01', 'done']
    ]
    for (const p of pages) await waitForRows(p, 'actions', edited, 'both edits of action 2')

    // Move the first action down with the keyboard: the focus stays on the moved action.
    const down = a.page.getByRole('button', { name: 'Omlaag: Schuldeiser bellen' })
    await down.focus()
    await a.page.keyboard.press('Enter')
    const reordered = [edited[1], edited[0], edited[2]]
    await waitForRows(b, 'actions', reordered, 'the moved action in page B')
    const focused = await a.page.evaluate(() => document.activeElement?.getAttribute('aria-label'))
    assert.equal(focused, 'Omlaag: Schuldeiser bellen', 'the focus follows the moved action')
    await a.page.keyboard.press('Enter') // once more: now last
    const reordered2 = [edited[1], edited[2], edited[0]]
    await waitForRows(b, 'actions', reordered2, 'the action moved to the end in page B')
    // At the end "Omlaag" does nothing; the focus moved to "Omhoog" of the same action.
    assert.equal(await a.page.evaluate(() => document.activeElement?.getAttribute('aria-label')), 'Omhoog: Schuldeiser bellen')
    await a.page.keyboard.press('Enter') // up again: middle
    const finalOrder = [edited[1], edited[0], edited[2]]
    await waitForRows(b, 'actions', finalOrder, 'the action moved up in page B')
    const expectedIds = [ids[1], ids[0], ids[2]]
    const idsB = await b.page.locator(`${widget('actions')} tbody tr`).evaluateAll((rows) => rows.map((r) => r.dataset.id))
    assert.deepEqual(idsB, expectedIds, 'moving keeps the ids')

    // Remove the last action.
    await a.page.getByRole('button', { name: 'Verwijderen: Evaluatie' }).click()
    const left = finalOrder.slice(0, 2)
    await waitForRows(b, 'actions', left, 'the removal in page B')
    await waitForServer(server, id, (body) => stableStringify(body.steps.actionPlan) === stableStringify([
      { id: ids[1], what: 'Betalingsregeling tekenen', who: 'Consulent schuldhulp', due: '2027-02-01', status: 'done' },
      { id: ids[0], what: 'Schuldeiser bellen', who: 'Schuldhulpverlening', due: '2027-01-15', status: 'open' }
    ]), 'the action plan after add, edit, reorder and remove')
  })

  await t.test('a reload keeps everything, also in a fresh browser', async () => {
    const before = {
      totals: await b.page.evaluate(readTotals),
      rows: {}
    }
    for (const name of ['agencies', 'regulations', 'rendement', 'actions']) {
      before.rows[name] = await b.page.evaluate(readRows, widget(name))
    }
    await waitSaved(a)
    await waitSaved(b)
    await b.page.reload({ waitUntil: 'load' })
    const fresh = await openCanvas(browser, origin, id, 'fresh page')
    c.add(() => fresh.context.close())
    for (const p of [b, fresh]) {
      await waitWidgetsLive(p)
      await waitForTotals(p, before.totals, 'the same totals')
      for (const [name, rows] of Object.entries(before.rows)) await waitForRows(p, name, rows, `the same ${name}`)
      assert.equal(await p.page.locator(`${widget('rendement')} .horizon select`).inputValue(), '3')
    }
    assert.deepEqual(fresh.errors, [], 'uncaught errors or CSP violations in the fresh page')
  })

  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'uncaught errors or CSP violations in the pages')
})

test('canvas widgets: an action moved by two people at once stays one action', async (t) => {
  const env = await setupServer(t)
  const { server, c } = env
  const { id } = await createCanvas(server, 'Casus W-2')
  const { pages: [a] } = await startBrowser(t, env, { canvasId: id, labels: ['page A'] })
  await waitWidgetsLive(a)
  for (const what of ['Eerste', 'Tweede', 'Derde']) await addAction(a, { what, who: 'Aanjager', due: '2027-01-01', status: 'Open' })

  // A second person (a Node client) moves "Eerste" down while offline, as page A does too.
  const other = track(c, connectClient(server, id))
  await waitSynced(other)
  const actions = other.doc.getArray('actions')
  await waitFor(() => actions.length === 3, { what: 'the node client to have the three actions' })
  const ids = actions.toArray().map((m) => m.get('id'))
  other.provider.disconnect()
  other.doc.transact(() => {
    const copy = actions.get(0).clone()
    actions.delete(0, 1)
    actions.insert(1, [copy])
  })
  await a.page.getByRole('button', { name: 'Omlaag: Eerste' }).click()
  await waitForServer(server, id, (body) => body.steps.actionPlan.map((x) => x.what).join() === 'Tweede,Eerste,Derde',
    "page A's move")

  other.provider.connect()
  await waitSynced(other)
  // A marker edit after the reconnect: once the server has it, it has the offline move too
  // (one socket, in order), and without the clean-up the plan would hold "Eerste" twice.
  other.doc.getMap('lifeAreas').set('housing', true)
  await waitForServer(server, id, (body) => body.lifeAreas.includes('housing'), "the node client's marker edit")
  const expected = [ids[1], ids[0], ids[2]]
  await waitForServer(server, id, (body) => stableStringify(body.steps.actionPlan.map((x) => x.id)) === stableStringify(expected),
    'one copy of the moved action, in its new place')
  await waitFor(() => stableStringify(actions.toArray().map((m) => m.get('id'))) === stableStringify(expected), {
    what: 'the node client to hold one copy of the moved action',
    detail: () => actions.toJSON()
  })
  await waitForRows(a, 'actions', [
    ['Tweede', 'Aanjager', '2027-01-01', 'open'],
    ['Eerste', 'Aanjager', '2027-01-01', 'open'],
    ['Derde', 'Aanjager', '2027-01-01', 'open']
  ], 'one copy of the moved action in page A')
  assert.deepEqual(a.errors, [], 'uncaught errors or CSP violations in the page')
})
