// Unit tests of the DOM-free parts of the live updates: `cd web && node --test test/`.
// The refresh itself (EventSource, fragments, the "Bijwerken" notice) is driven in Chromium by
// tests/interop/workflow.test.mjs.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { fieldEdited, hasEditedFields } from '../src/form-state.js'
import { coalesce } from '../src/live-refresh.js'

/** A task that stays running until `finish()` is called; counts its runs. */
function gatedTask () {
  const gates = []
  const task = () => new Promise((resolve) => gates.push(resolve))
  return {
    task,
    get runs () { return gates.length },
    finish () { gates[gates.length - 1]() }
  }
}

/** Let pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve))

test('coalesce: one run at a time; a burst during a run makes exactly one more run', async () => {
  const g = gatedTask()
  const trigger = coalesce(g.task)
  const first = trigger()
  assert.equal(g.runs, 1)
  for (let i = 0; i < 5; i++) trigger()
  await settle()
  assert.equal(g.runs, 1, 'no second run while the first one is running')
  g.finish()
  await settle()
  assert.equal(g.runs, 2, 'one more run for the whole burst')
  g.finish()
  await first
  await settle()
  assert.equal(g.runs, 2, 'and then nothing')
  trigger()
  assert.equal(g.runs, 3, 'a later call runs at once')
  g.finish()
})

test('coalesce: a failing run does not stop later runs', async () => {
  let calls = 0
  const trigger = coalesce(async () => {
    calls++
    throw new Error('network down')
  })
  await trigger()
  await trigger()
  assert.equal(calls, 2)
})

const text = (value, defaultValue = '') => ({ tagName: 'INPUT', type: 'text', value, defaultValue })
const option = (selected, defaultSelected = false) => ({ selected, defaultSelected })
const select = (selectedIndex, options, extra = {}) => ({ tagName: 'SELECT', selectedIndex, options, ...extra })

test('fieldEdited: text, textarea, date and hidden fields', () => {
  assert.equal(fieldEdited(text('')), false)
  assert.equal(fieldEdited(text('half a question')), true)
  assert.equal(fieldEdited({ tagName: 'TEXTAREA', value: 'abc', defaultValue: '' }), true)
  assert.equal(fieldEdited({ tagName: 'INPUT', type: 'date', value: '2026-11-23', defaultValue: '2026-11-23' }), false)
  assert.equal(fieldEdited({ tagName: 'INPUT', type: 'date', value: '2026-11-24', defaultValue: '2026-11-23' }), true)
  assert.equal(fieldEdited({ tagName: 'INPUT', type: 'hidden', value: 'x', defaultValue: 'y' }), false)
})

test('fieldEdited: checkboxes follow their default checked state', () => {
  assert.equal(fieldEdited({ tagName: 'INPUT', type: 'checkbox', checked: false, defaultChecked: false }), false)
  assert.equal(fieldEdited({ tagName: 'INPUT', type: 'checkbox', checked: true, defaultChecked: false }), true)
})

test('fieldEdited: a select without a selected option defaults to its first option', () => {
  assert.equal(fieldEdited(select(0, [option(true), option(false), option(false)])), false)
  assert.equal(fieldEdited(select(1, [option(false), option(true), option(false)])), true)
  // With `selected` in the HTML, that option is the default.
  assert.equal(fieldEdited(select(2, [option(false), option(false), option(true, true)])), false)
  assert.equal(fieldEdited(select(0, [option(true), option(false), option(false, true)])), true)
  // A list box (size > 1) without a default selects nothing.
  assert.equal(fieldEdited(select(-1, [option(false), option(false)], { size: 4 })), false)
  assert.equal(fieldEdited(select(1, [option(false), option(true)], { multiple: true })), true)
})

test('hasEditedFields: any edited field inside the root', () => {
  const root = (...fields) => ({ querySelectorAll: () => fields })
  assert.equal(hasEditedFields(root(text(''), select(0, [option(true)]))), false)
  assert.equal(hasEditedFields(root(text(''), text('x'))), true)
})
