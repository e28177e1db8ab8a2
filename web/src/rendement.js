// Money for the rendement calculator: Dutch amount notation in and out, and every sum the
// canvas shows. Pure (no DOM, no Yjs), so that it is unit-tested on its own (web/test/).
//
// Amounts are integer euro cents. Sums are computed with BigInt, so no total can lose a cent
// however many lines a canvas has; the functions accept cents as a safe integer Number or as a
// BigInt (Yjs hands out either, depending on how a value was encoded).

/** The largest amount one field accepts: € 100.000.000,00. */
export const MAX_AMOUNT_CENTS = 10_000_000_000

/** Line kinds (docs/canvas-schema.md) with their Dutch names, in display order. */
export const KINDS = [
  ['current', 'Huidige maatschappelijke kosten'],
  ['inaction', 'Kosten van niets doen (gevolgschade)'],
  ['solution', 'Kosten van de maatwerkoplossing']
]

/** Recurrences with their Dutch names. */
export const RECURRENCES = [
  ['once', 'eenmalig'],
  ['monthly', 'per maand'],
  ['yearly', 'per jaar']
]

/** The horizons a team can choose, in years; `meta.horizonYears`. */
export const HORIZONS = [1, 3, 5]
export const DEFAULT_HORIZON = 1

const KIND_CODES = new Set(KINDS.map(([code]) => code))
const RECURRENCE_CODES = new Set(RECURRENCES.map(([code]) => code))

// ---------------------------------------------------------------------------------------------
// Parsing and formatting

/** Dutch messages for refused amounts (shown next to the field). */
export const AMOUNT_ERRORS = {
  empty: 'Vul een bedrag in, bijvoorbeeld 1.250,00.',
  negative: 'Een bedrag kan niet negatief zijn.',
  decimals: 'Gebruik hoogstens twee cijfers na de komma.',
  tooLarge: 'Dit bedrag is te groot: hoogstens € 100.000.000,00.',
  format: 'Dit is geen bedrag. Gebruik cijfers, punten voor duizendtallen en een komma voor centen, bijvoorbeeld 1.250,50.'
}

/**
 * Read an amount in Dutch notation: "1250", "1.250", "1.250,5", "1250,50", "€ 1.250,00".
 * Dots only group thousands (in groups of three); a comma starts at most two decimals.
 *
 * @param {unknown} input
 * @returns {{ ok: true, cents: number } | { ok: false, error: string }}
 */
export function parseAmount (input) {
  if (typeof input !== 'string') return refuse('empty')
  // Spaces of any kind (a pasted "€ 1.250,00" often holds a no-break space).
  let text = input.replace(/[\s\u00a0\u202f]+/g, ' ').trim()
  if (text === '') return refuse('empty')
  if (/^[-\u2212]|^€\s*[-\u2212]/.test(text)) return refuse('negative')
  text = text.replace(/^€\s*/, '')
  if (text === '') return refuse('empty')
  const match = /^(\d+|\d{1,3}(?:\.\d{3})+)(?:,(\d+))?$/.exec(text)
  if (!match) return refuse('format')
  const [, whole, fraction = ''] = match
  if (fraction.length > 2) return refuse('decimals')
  const euros = whole.replace(/\./g, '').replace(/^0+(?=\d)/, '')
  // Anything with more than 9 digits of euros is over the limit; no need to convert it.
  if (euros.length > 9) return refuse('tooLarge')
  const cents = Number(euros) * 100 + Number(fraction.padEnd(2, '0'))
  if (cents > MAX_AMOUNT_CENTS) return refuse('tooLarge')
  return { ok: true, cents }
}

function refuse (reason) {
  return { ok: false, error: AMOUNT_ERRORS[reason] }
}

/**
 * Cents in Dutch notation with the euro sign: 125000 -> "€ 1.250,00", -99950 -> "-€ 999,50"
 * (as the server renders it).
 *
 * @param {number | bigint} cents
 */
export function formatCents (cents) {
  return formatWith(cents, true)
}

/**
 * Cents as an input field shows them, without the euro sign: 125000 -> "1.250,00".
 * Not an integer (a missing or broken value): "".
 *
 * @param {unknown} cents
 */
export function formatAmountInput (cents) {
  const value = toCents(cents)
  return value === null ? '' : formatWith(value, false)
}

function formatWith (cents, sign) {
  let value = BigInt(cents)
  const negative = value < 0n
  if (negative) value = -value
  const euros = (value / 100n).toString()
  const rest = (value % 100n).toString().padStart(2, '0')
  const grouped = euros.replace(/\B(?=(\d{3})+(?!\d))/g, '.')
  return `${negative ? '-' : ''}${sign ? '€ ' : ''}${grouped},${rest}`
}

/**
 * A stored amount as BigInt cents, or null when it is not a non-negative integer: a safe
 * integer Number or a BigInt, never a float, a string or a negative value.
 *
 * @param {unknown} value
 * @returns {bigint | null}
 */
export function toCents (value) {
  if (typeof value === 'bigint') return value >= 0n ? value : null
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value)
  return null
}

// ---------------------------------------------------------------------------------------------
// Totals

/** `meta.horizonYears` as one of HORIZONS; anything else is the default (1). */
export function normalizeHorizon (value) {
  const n = typeof value === 'bigint' ? Number(value) : value
  return HORIZONS.includes(n) ? n : DEFAULT_HORIZON
}

/**
 * Everything the calculator shows.
 *
 * @param {object} input
 * @param {Array<{ kind?: unknown, amountCents?: unknown, recurrence?: unknown }>} input.lines
 *   rendement lines; a line with an unknown kind or recurrence or without a valid amount counts
 *   for nothing (and in `incomplete`)
 * @param {Array<{ costPerYearCents?: unknown }>} [input.agencies] instanties of step 3: yearly
 *   current costs
 * @param {unknown} [input.horizonYears] 1, 3 or 5 (anything else: 1)
 */
export function computeRendement ({ lines, agencies = [], horizonYears }) {
  const years = BigInt(normalizeHorizon(horizonYears))
  /** Totals over the horizon, per kind (the agencies apart). */
  const total = { current: 0n, inaction: 0n, solution: 0n }
  /** One-off amounts, per kind. */
  const once = { current: 0n, inaction: 0n, solution: 0n }
  /** Recurring amounts per year, per kind (12 × monthly + yearly): exact, unlike per month. */
  const perYear = { current: 0n, inaction: 0n, solution: 0n }
  let incomplete = 0

  for (const line of lines) {
    const kind = line && line.kind
    const recurrence = line && line.recurrence
    const cents = line ? toCents(line.amountCents) : null
    if (!KIND_CODES.has(kind) || !RECURRENCE_CODES.has(recurrence) || cents === null) {
      incomplete++
      continue
    }
    total[kind] += overHorizon(cents, recurrence, years)
    if (recurrence === 'once') once[kind] += cents
    else perYear[kind] += recurrence === 'monthly' ? cents * 12n : cents
  }

  let agenciesPerYear = 0n
  for (const agency of agencies) {
    const cents = agency ? toCents(agency.costPerYearCents) : null
    if (cents !== null) agenciesPerYear += cents
  }
  const agenciesTotal = agenciesPerYear * years
  perYear.current += agenciesPerYear

  const current = total.current + agenciesTotal
  const doormodderen = current + total.inaction
  const doorbreken = total.solution
  return {
    horizonYears: Number(years),
    /** Rendement lines of kind `current` only. */
    currentLines: total.current,
    /** Betrokken instanties (stap 3) over the horizon. */
    agencies: agenciesTotal,
    agenciesPerYear,
    /** Huidige maatschappelijke kosten: lines plus instanties. */
    current,
    inaction: total.inaction,
    solution: total.solution,
    doormodderen,
    doorbreken,
    /** Positive: a saving. */
    net: doormodderen - doorbreken,
    payback: payback({
      invest: once.solution - once.current - once.inaction,
      savingPerYear: perYear.current + perYear.inaction - perYear.solution
    }),
    incomplete
  }
}

/** An amount over a horizon of `years` (BigInt). */
export function overHorizon (cents, recurrence, years) {
  const value = BigInt(cents)
  const y = BigInt(years)
  if (recurrence === 'once') return value
  if (recurrence === 'monthly') return value * 12n * y
  if (recurrence === 'yearly') return value * y
  throw new Error(`unknown recurrence ${recurrence}`)
}

/**
 * Payback time. invest = one-off solution costs minus one-off current and inaction costs;
 * the monthly saving = the monthly equivalent (yearly / 12) of recurring current and inaction
 * costs minus that of recurring solution costs. Computed on yearly amounts so no cent is
 * rounded: ceil(invest / (savingPerYear / 12)) = ceil(12 × invest / savingPerYear).
 *
 * @returns {{ kind: 'direct' } | { kind: 'never' } | { kind: 'months', months: number }}
 */
export function payback ({ invest, savingPerYear }) {
  const i = BigInt(invest)
  const s = BigInt(savingPerYear)
  if (i <= 0n) return { kind: 'direct' }
  if (s <= 0n) return { kind: 'never' }
  const months = (12n * i + s - 1n) / s
  return { kind: 'months', months: Number(months) }
}

/** Payback time in Dutch: "Direct terugverdiend", "14 maanden", "30 maanden (≈ 2,5 jaar)". */
export function formatPayback (result) {
  if (result.kind === 'direct') return 'Direct terugverdiend'
  if (result.kind === 'never') return 'Wordt niet terugverdiend'
  const months = result.months
  const text = months === 1 ? '1 maand' : `${months} maanden`
  if (months <= 24) return text
  // Years to one decimal, rounded half up, in integers: tenths = round(months × 10 / 12).
  const tenths = Math.floor((months * 10 + 6) / 12)
  const years = tenths % 10 === 0 ? String(tenths / 10) : `${Math.floor(tenths / 10)},${tenths % 10}`
  return `${text} (≈ ${years} jaar)`
}

/**
 * The net result in words: positive "€ 1.000,00 besparing", negative "€ 1.000,00 meerkosten",
 * zero "€ 0,00 (geen verschil)".
 *
 * @param {number | bigint} net doormodderen − doorbreken
 */
export function formatNet (net) {
  const value = BigInt(net)
  if (value > 0n) return `${formatCents(value)} besparing`
  if (value < 0n) return `${formatCents(-value)} meerkosten`
  return `${formatCents(0)} (geen verschil)`
}

/** "1 jaar", "3 jaar". */
export function formatHorizon (years) {
  return `${years} jaar`
}
