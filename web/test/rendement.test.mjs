// Unit tests of the pure money module: `cd web && node --test test/`.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  AMOUNT_ERRORS,
  MAX_AMOUNT_CENTS,
  computeRendement,
  formatAmountInput,
  formatCents,
  formatNet,
  formatPayback,
  normalizeHorizon,
  overHorizon,
  parseAmount,
  payback,
  toCents
} from '../src/rendement.js'

test('parseAmount accepts Dutch notation', () => {
  const accepted = {
    1250: 125000,
    '1.250': 125000,
    '1.250,5': 125050,
    '1250,50': 125050,
    '€ 1.250,00': 125000,
    '€1.250,00': 125000,
    '€\u00a01.250,00': 125000,
    '  1.250,00  ': 125000,
    0: 0,
    '0,05': 5,
    '0,5': 50,
    '12,3': 1230,
    '999': 99900,
    '1.234.567,89': 123456789,
    '100.000.000': MAX_AMOUNT_CENTS,
    '100000000,00': MAX_AMOUNT_CENTS,
    '007': 700
  }
  for (const [input, cents] of Object.entries(accepted)) {
    assert.deepEqual(parseAmount(input), { ok: true, cents }, JSON.stringify(input))
  }
})

test('parseAmount refuses everything else with a Dutch message', () => {
  const refused = {
    '': AMOUNT_ERRORS.empty,
    '   ': AMOUNT_ERRORS.empty,
    '€': AMOUNT_ERRORS.empty,
    '-5': AMOUNT_ERRORS.negative,
    '-1.250,00': AMOUNT_ERRORS.negative,
    '€ -5': AMOUNT_ERRORS.negative,
    '\u22125': AMOUNT_ERRORS.negative,
    '1,234': AMOUNT_ERRORS.decimals,
    '1.250,001': AMOUNT_ERRORS.decimals,
    '100.000.000,01': AMOUNT_ERRORS.tooLarge,
    '100000001': AMOUNT_ERRORS.tooLarge,
    '99999999999999999999999': AMOUNT_ERRORS.tooLarge,
    abc: AMOUNT_ERRORS.format,
    '12a': AMOUNT_ERRORS.format,
    'twaalf euro': AMOUNT_ERRORS.format,
    '1.25': AMOUNT_ERRORS.format, // a dot is never a decimal separator
    '1250.50': AMOUNT_ERRORS.format,
    '12.34.567': AMOUNT_ERRORS.format,
    '1.2345': AMOUNT_ERRORS.format,
    '1250,': AMOUNT_ERRORS.format,
    ',50': AMOUNT_ERRORS.format,
    '1 250': AMOUNT_ERRORS.format,
    '1e5': AMOUNT_ERRORS.format,
    '+5': AMOUNT_ERRORS.format,
    'Infinity': AMOUNT_ERRORS.format,
    '0x10': AMOUNT_ERRORS.format,
    '$ 5': AMOUNT_ERRORS.format
  }
  for (const [input, error] of Object.entries(refused)) {
    assert.deepEqual(parseAmount(input), { ok: false, error }, JSON.stringify(input))
  }
  assert.deepEqual(parseAmount(undefined), { ok: false, error: AMOUNT_ERRORS.empty })
  assert.deepEqual(parseAmount(12), { ok: false, error: AMOUNT_ERRORS.empty })
})

test('formatCents writes Dutch notation like the server', () => {
  assert.equal(formatCents(0), '€ 0,00')
  assert.equal(formatCents(5), '€ 0,05')
  assert.equal(formatCents(125000), '€ 1.250,00')
  assert.equal(formatCents(123456789), '€ 1.234.567,89')
  assert.equal(formatCents(-99950), '-€ 999,50')
  assert.equal(formatCents(10n ** 18n), '€ 10.000.000.000.000.000,00')
  assert.equal(formatAmountInput(125050), '1.250,50')
  assert.equal(formatAmountInput(undefined), '')
  assert.equal(formatAmountInput(1.5), '')
  assert.equal(formatAmountInput('125000'), '')
})

test('parse and format round-trip', () => {
  for (const cents of [0, 1, 99, 100, 123456, 100000, 999999999, MAX_AMOUNT_CENTS]) {
    assert.deepEqual(parseAmount(formatCents(cents)), { ok: true, cents })
    assert.deepEqual(parseAmount(formatAmountInput(cents)), { ok: true, cents })
  }
})

test('toCents takes integers and BigInts, nothing else', () => {
  assert.equal(toCents(5), 5n)
  assert.equal(toCents(5n), 5n)
  assert.equal(toCents(0), 0n)
  for (const bad of [-1, -1n, 1.5, NaN, Infinity, '5', null, undefined, 2 ** 53]) {
    assert.equal(toCents(bad), null, String(bad))
  }
})

test('normalizeHorizon allows 1, 3 and 5 years', () => {
  assert.equal(normalizeHorizon(1), 1)
  assert.equal(normalizeHorizon(3), 3)
  assert.equal(normalizeHorizon(5), 5)
  assert.equal(normalizeHorizon(5n), 5)
  for (const bad of [undefined, null, 0, 2, 4, 10, '3', 3.5]) assert.equal(normalizeHorizon(bad), 1, String(bad))
})

test('overHorizon: once, monthly × 12 × H, yearly × H', () => {
  assert.equal(overHorizon(1000, 'once', 3), 1000n)
  assert.equal(overHorizon(1000, 'monthly', 3), 36000n)
  assert.equal(overHorizon(1000, 'yearly', 3), 3000n)
  assert.throws(() => overHorizon(1000, 'weekly', 3))
})

test('payback', () => {
  assert.deepEqual(payback({ invest: 0, savingPerYear: 100 }), { kind: 'direct' })
  assert.deepEqual(payback({ invest: -5, savingPerYear: -100 }), { kind: 'direct' })
  assert.deepEqual(payback({ invest: 100, savingPerYear: 0 }), { kind: 'never' })
  assert.deepEqual(payback({ invest: 100, savingPerYear: -1 }), { kind: 'never' })
  // 1.200 invested, 100 a month saved: exactly 12 months.
  assert.deepEqual(payback({ invest: 120000, savingPerYear: 120000 }), { kind: 'months', months: 12 })
  // One cent more: the 13th month.
  assert.deepEqual(payback({ invest: 120001, savingPerYear: 120000 }), { kind: 'months', months: 13 })
  // Saving € 1,00 a year (8⅓ cent a month): € 1,00 takes 12 months, not a rounded monthly amount.
  assert.deepEqual(payback({ invest: 100, savingPerYear: 100 }), { kind: 'months', months: 12 })
})

test('formatPayback', () => {
  assert.equal(formatPayback({ kind: 'direct' }), 'Direct terugverdiend')
  assert.equal(formatPayback({ kind: 'never' }), 'Wordt niet terugverdiend')
  assert.equal(formatPayback({ kind: 'months', months: 1 }), '1 maand')
  assert.equal(formatPayback({ kind: 'months', months: 7 }), '7 maanden')
  assert.equal(formatPayback({ kind: 'months', months: 24 }), '24 maanden')
  assert.equal(formatPayback({ kind: 'months', months: 25 }), '25 maanden (≈ 2,1 jaar)')
  assert.equal(formatPayback({ kind: 'months', months: 30 }), '30 maanden (≈ 2,5 jaar)')
  assert.equal(formatPayback({ kind: 'months', months: 36 }), '36 maanden (≈ 3 jaar)')
  assert.equal(formatPayback({ kind: 'months', months: 119 }), '119 maanden (≈ 9,9 jaar)')
})

test('formatNet says which way it goes', () => {
  assert.equal(formatNet(125000), '€ 1.250,00 besparing')
  assert.equal(formatNet(-125000n), '€ 1.250,00 meerkosten')
  assert.equal(formatNet(0), '€ 0,00 (geen verschil)')
})

test('computeRendement: the demo scooter case over 1 and 3 years', () => {
  const lines = [
    { kind: 'current', amountCents: 950000, recurrence: 'yearly' },
    { kind: 'current', amountCents: 35000, recurrence: 'monthly' },
    { kind: 'inaction', amountCents: 25000, recurrence: 'monthly' },
    { kind: 'solution', amountCents: 280000, recurrence: 'once' },
    { kind: 'solution', amountCents: 4500, recurrence: 'monthly' }
  ]
  const agencies = [{ costPerYearCents: 950000 }, { costPerYearCents: 420000 }, { costPerYearCents: 80000n }]
  const one = computeRendement({ lines, agencies, horizonYears: 1 })
  assert.equal(one.horizonYears, 1)
  assert.equal(one.currentLines, 950000n + 420000n)
  assert.equal(one.agencies, 1450000n)
  assert.equal(one.current, 950000n + 420000n + 1450000n)
  assert.equal(one.inaction, 300000n)
  assert.equal(one.solution, 280000n + 54000n)
  assert.equal(one.doormodderen, 3120000n)
  assert.equal(one.doorbreken, 334000n)
  assert.equal(one.net, 2786000n)
  // Invest 2.800; saving per year 9.500 + 4.200 + 3.000 + 14.500 − 540 = 30.660 → 2.555 a month.
  assert.deepEqual(one.payback, { kind: 'months', months: 2 })
  assert.equal(one.incomplete, 0)

  const three = computeRendement({ lines, agencies, horizonYears: 3 })
  assert.equal(three.current, 3n * 2820000n)
  assert.equal(three.inaction, 900000n)
  assert.equal(three.solution, 280000n + 162000n)
  assert.equal(three.net, 3n * 2820000n + 900000n - 442000n)
  assert.deepEqual(three.payback, one.payback, 'the payback time does not depend on the horizon')
})

test('computeRendement: payback cases', () => {
  // No one-off solution costs: directly paid back.
  assert.deepEqual(computeRendement({
    lines: [{ kind: 'solution', amountCents: 1000, recurrence: 'monthly' }]
  }).payback, { kind: 'direct' })
  // One-off current costs larger than the one-off solution: directly paid back.
  assert.deepEqual(computeRendement({
    lines: [
      { kind: 'solution', amountCents: 1000, recurrence: 'once' },
      { kind: 'inaction', amountCents: 2000, recurrence: 'once' }
    ]
  }).payback, { kind: 'direct' })
  // An investment that nothing recurring pays back.
  assert.deepEqual(computeRendement({
    lines: [
      { kind: 'solution', amountCents: 100000, recurrence: 'once' },
      { kind: 'solution', amountCents: 1000, recurrence: 'monthly' },
      { kind: 'current', amountCents: 12000, recurrence: 'yearly' }
    ]
  }).payback, { kind: 'never' })
  // € 5.000 invested, € 150 a month saved: 33,3 → 34 months.
  assert.deepEqual(computeRendement({
    lines: [
      { kind: 'solution', amountCents: 500000, recurrence: 'once' },
      { kind: 'current', amountCents: 15000, recurrence: 'monthly' }
    ]
  }).payback, { kind: 'months', months: 34 })
  // Instanties count as recurring current costs: € 1.200 a year pays back € 1.200 in 12 months.
  assert.deepEqual(computeRendement({
    lines: [{ kind: 'solution', amountCents: 120000, recurrence: 'once' }],
    agencies: [{ costPerYearCents: 120000 }]
  }).payback, { kind: 'months', months: 12 })
})

test('computeRendement skips broken lines and counts them', () => {
  const result = computeRendement({
    lines: [
      { kind: 'current', amountCents: 100, recurrence: 'once' },
      { kind: 'bogus', amountCents: 100, recurrence: 'once' },
      { kind: 'current', amountCents: 1.5, recurrence: 'once' },
      { kind: 'current', amountCents: '100', recurrence: 'once' },
      { kind: 'current', amountCents: -100, recurrence: 'once' },
      { kind: 'current', amountCents: 100, recurrence: 'weekly' },
      { kind: 'current', recurrence: 'once' },
      null
    ],
    agencies: [{ costPerYearCents: 'x' }, {}, null, { costPerYearCents: 200 }],
    horizonYears: 7
  })
  assert.equal(result.horizonYears, 1)
  assert.equal(result.currentLines, 100n)
  assert.equal(result.agencies, 200n)
  assert.equal(result.current, 300n)
  assert.equal(result.incomplete, 7)
})

test('computeRendement: no lines', () => {
  const result = computeRendement({ lines: [] })
  assert.equal(result.doormodderen, 0n)
  assert.equal(result.doorbreken, 0n)
  assert.equal(result.net, 0n)
  assert.deepEqual(result.payback, { kind: 'direct' })
})

test('computeRendement does not lose cents on huge canvases', () => {
  const lines = Array.from({ length: 2000 }, () => ({ kind: 'current', amountCents: MAX_AMOUNT_CENTS, recurrence: 'monthly' }))
  const result = computeRendement({ lines, horizonYears: 5 })
  assert.equal(result.current, 2000n * BigInt(MAX_AMOUNT_CENTS) * 60n)
  assert.equal(formatCents(result.current), '€ 12.000.000.000.000,00')
})

// The same cases as the Rust port (server/canvas/rendement.rs), from one file: the escalation
// summary and the dossier must say what the calculator on the page says.
test('the shared rendement cases: the calculator gives what the fixture holds', async () => {
  const { readFile } = await import('node:fs/promises')
  const cases = JSON.parse(await readFile(new URL('../../tests/fixtures/rendement-cases.json', import.meta.url), 'utf8'))
  assert.ok(cases.length >= 6)
  for (const c of cases) {
    const r = computeRendement(c)
    assert.deepEqual({
      horizonYears: r.horizonYears,
      doormodderen: Number(r.doormodderen),
      doorbreken: Number(r.doorbreken),
      net: Number(r.net),
      incomplete: r.incomplete,
      netText: formatNet(r.net),
      payback: formatPayback(r.payback)
    }, c.expect, c.name)
  }
})
