// Two or more official y-websocket clients on one canvas converge, and newcomers get everything.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  Y, connectClient, createCanvas, getCanvas, setupServer, snapshot, track, waitConverged, waitFor, waitSynced
} from './lib/server.mjs'

function actionMap (title) {
  const m = new Y.Map()
  m.set('title', title)
  m.set('done', false)
  return m
}

test('two clients converge on concurrent edits, and the server has the merged text', async (t) => {
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server, 'Casus T-21')

  const a = track(c, connectClient(server, id))
  const b = track(c, connectClient(server, id))
  await Promise.all([waitSynced(a, { what: 'A to sync' }), waitSynced(b, { what: 'B to sync' })])

  // Phase 1: edits in the same tick on both sides, so neither has seen the other's (concurrent).
  a.doc.getText('situation').insert(0, 'Alfa schrijft. ')
  b.doc.getText('situation').insert(0, 'Bravo schrijft. ')
  a.doc.getArray('actions').push([actionMap('actie van A')])
  b.doc.getArray('actions').push([actionMap('actie van B')])
  a.doc.getArray('returnLines').insert(0, ['A1', 'A2'])
  b.doc.getArray('returnLines').insert(0, ['B1'])
  b.doc.getText('future').insert(0, 'Toekomst.')

  let merged = await waitConverged([a.doc, b.doc], { what: 'A and B to converge after concurrent edits' })
  assert.match(merged.situation, /Alfa schrijft\. /)
  assert.match(merged.situation, /Bravo schrijft\. /)
  assert.equal(merged.situation.length, 'Alfa schrijft. '.length + 'Bravo schrijft. '.length)
  assert.deepEqual(merged.actions.map((x) => x.title).sort(), ['actie van A', 'actie van B'])
  assert.deepEqual([...merged.returnLines].sort(), ['A1', 'A2', 'B1'])
  assert.equal(merged.future, 'Toekomst.')

  // Each client received the other's update through the server, so the server committed both.
  let res = await getCanvas(server, id)
  assert.equal(res.status, 200)
  assert.equal(res.body.steps?.situation, merged.situation, 'GET steps.situation must be the merged text')

  // Phase 2: A goes offline, both edit the same region concurrently, A comes back.
  a.provider.disconnect()
  await waitFor(() => !a.provider.wsconnected, { what: 'A to disconnect' })
  const sa = a.doc.getText('situation')
  sa.delete(0, 5)
  sa.insert(sa.length, ' A offline.')
  a.doc.getArray('actions').get(0).set('done', true)
  const sb = b.doc.getText('situation')
  sb.insert(3, '[B]')
  sb.delete(sb.length - 4, 2)
  b.doc.getArray('actions').delete(1, 1)
  b.doc.getArray('actions').push([actionMap('tweede actie van B')])
  a.provider.connect()

  merged = await waitConverged([a.doc, b.doc], { what: 'A and B to converge after A reconnected' })
  assert.match(merged.situation, / A offline\./)
  assert.match(merged.situation, /\[B\]/)
  assert.ok(merged.actions.some((x) => x.title === 'tweede actie van B'))

  res = await getCanvas(server, id)
  assert.equal(res.body.steps?.situation, merged.situation, 'GET steps.situation after the offline merge')
})

test('a late joiner gets the full state, also after the first clients left', async (t) => {
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server, 'Casus T-22')

  const a = track(c, connectClient(server, id))
  const b = track(c, connectClient(server, id))
  await Promise.all([waitSynced(a), waitSynced(b)])

  // A stream of small updates from both, so the joiner needs many of them merged.
  for (let i = 0; i < 40; i++) {
    const who = i % 2 === 0 ? a : b
    const text = who.doc.getText('situation')
    text.insert(text.length, `regel ${i}\n`)
    who.doc.getArray('agencies').push([i])
    if (i % 7 === 0) text.delete(0, 1)
  }
  a.doc.getMap('lifeAreas').set('wonen', 'urgent')
  b.doc.getMap('policyDomains').set('zorg', 3)
  const expected = await waitConverged([a.doc, b.doc], { what: 'A and B to converge' })
  assert.equal(expected.agencies.length, 40)

  // A joiner while A and B are still connected.
  const c1 = track(c, connectClient(server, id))
  await waitSynced(c1)
  assert.deepEqual(snapshot(c1.doc), expected, 'joiner while others connected')

  // Everyone leaves; a new joiner must still get everything.
  a.destroy()
  b.destroy()
  c1.destroy()
  const c2 = track(c, connectClient(server, id))
  await waitSynced(c2)
  assert.deepEqual(snapshot(c2.doc), expected, 'joiner after all others left')
})
