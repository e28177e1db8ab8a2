// Which question a form asks before it is sent (web/src/confirm.js), without a DOM.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { questionFor } from '../src/confirm.js'

const form = (dataset, elements = {}) => ({
  dataset,
  ownerDocument: { getElementById: (id) => elements[id] || null }
})

test('the button that submits asks its own question first', () => {
  const archive = { dataset: { confirm: 'Je archiveert dit canvas.', confirmYes: 'Ja, naar «Gearchiveerd»' } }
  assert.deepEqual(questionFor(form({}), archive), { text: 'Je archiveert dit canvas.', yes: 'Ja, naar «Gearchiveerd»' })
  assert.equal(questionFor(form({}), { dataset: {} }), null, 'a button without a question sends at once')
})

test('a form asks its question, with a default yes', () => {
  assert.deepEqual(questionFor(form({ confirm: 'Verwijderen?' }), null), { text: 'Verwijderen?', yes: 'Ja, doorgaan' })
})

test('the escalation form asks what the chosen rung says', () => {
  const select = { selectedOptions: [{ dataset: { confirm: 'PMM krijgt hiervan een melding.' } }] }
  const escalate = form({ confirmFrom: 'escalate-to', confirmYes: 'Ja, opschalen' }, { 'escalate-to': select })
  assert.deepEqual(questionFor(escalate, null), { text: 'PMM krijgt hiervan een melding.', yes: 'Ja, opschalen' })
  const none = form({ confirmFrom: 'escalate-to' }, { 'escalate-to': { selectedOptions: [{ dataset: {} }] } })
  assert.equal(questionFor(none, null), null)
})
