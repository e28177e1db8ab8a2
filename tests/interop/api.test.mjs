// The HTTP surface the sync tests rely on: create, read, unknown ids, and the WebSocket upgrade.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  connectClient, createCanvas, getCanvas, setupServer, syncUpgradeStatus, track, waitSynced
} from './lib/server.mjs'

test('create and read a canvas; unknown ids are 404 over HTTP and on the WebSocket upgrade', async (t) => {
  const { server } = await setupServer(t)

  const created = await createCanvas(server, 'Casus T-17')
  const { status, body } = await getCanvas(server, created.id)
  assert.equal(status, 200, `GET /api/canvases/${created.id}: ${JSON.stringify(body)}`)
  assert.equal(body.label, 'Casus T-17')
  assert.equal(typeof body.steps?.situation, 'string', `steps.situation missing: ${JSON.stringify(body)}`)
  assert.equal(body.steps.situation, '')

  // Two canvases get distinct ids.
  const other = await createCanvas(server, 'Casus T-18')
  assert.notEqual(other.id, created.id)

  const missing = await getCanvas(server, 'does-not-exist')
  assert.equal(missing.status, 404, `GET of an unknown id: ${JSON.stringify(missing.body)}`)

  // The upgrade for an unknown canvas is refused with HTTP 404 (not accepted and then closed),
  // also with a valid token.
  assert.equal(await syncUpgradeStatus(server, 'does-not-exist'), 404)
})

test('a fresh client syncs a new canvas; its label is the record\'s, not the document\'s', async (t) => {
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server, 'Casus T-19')
  const client = track(c, connectClient(server, id))
  await waitSynced(client)
  const meta = client.doc.getMap('meta')
  assert.equal(meta.get('schemaVersion'), 1, `meta = ${JSON.stringify(meta.toJSON())}`)
  assert.equal(meta.get('label'), undefined, 'the label is not in the CRDT document')
})
