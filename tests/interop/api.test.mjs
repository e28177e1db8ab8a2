// The HTTP surface the sync tests rely on: create, read, unknown ids, and the WebSocket upgrade.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  WebSocket, connectClient, createCanvas, getCanvas, setupServer, track, waitSynced
} from './lib/server.mjs'

test('create and read a canvas; unknown ids are 404 over HTTP and on the WebSocket upgrade', async (t) => {
  const { server } = await setupServer(t)

  const created = await createCanvas(server.baseUrl, 'Casus T-17')
  const { status, body } = await getCanvas(server.baseUrl, created.id)
  assert.equal(status, 200, `GET /api/canvases/${created.id}: ${JSON.stringify(body)}`)
  assert.equal(body.label, 'Casus T-17')
  assert.equal(typeof body.steps?.situation, 'string', `steps.situation missing: ${JSON.stringify(body)}`)
  assert.equal(body.steps.situation, '')

  // Two canvases get distinct ids.
  const other = await createCanvas(server.baseUrl, 'Casus T-18')
  assert.notEqual(other.id, created.id)

  const missing = await getCanvas(server.baseUrl, 'does-not-exist')
  assert.equal(missing.status, 404, `GET of an unknown id: ${JSON.stringify(missing.body)}`)

  // The upgrade for an unknown canvas is refused with HTTP 404 (not accepted and then closed).
  const upgradeStatus = await new Promise((resolve, reject) => {
    const ws = new WebSocket(`${server.syncUrl}/does-not-exist`)
    const timer = setTimeout(() => { ws.terminate(); reject(new Error('no answer to the upgrade within 5 s')) }, 5000)
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer)
      res.resume()
      ws.terminate()
      resolve(res.statusCode)
    })
    ws.on('open', () => {
      clearTimeout(timer)
      ws.terminate()
      resolve('upgraded (101)')
    })
    ws.on('error', () => {}) // reported through the events above
  })
  assert.equal(upgradeStatus, 404)
})

test('a fresh client syncs a new canvas and sees its label in meta', async (t) => {
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server.baseUrl, 'Casus T-19')
  const client = track(c, connectClient(server, id))
  await waitSynced(client)
  assert.equal(client.doc.getMap('meta').get('label'), 'Casus T-19',
    `meta = ${JSON.stringify(client.doc.getMap('meta').toJSON())}`)
})
