// Large offline work: a client that edited offline reconnects with one large sync step 2. With
// the official y-websocket client, 5 MiB lands; what is genuinely too large (past the canvas's
// size limit, or past the largest update) is refused with close code 1009 and a Dutch reason,
// and nothing of it is stored.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { connectClient, createCanvas, getCanvas, setupServer, track, waitFor } from './lib/server.mjs'

const MIB = 1024 * 1024

/** A client that types `bytes` of text while not connected, then connects. */
function offlineEdit (server, id, bytes) {
  const client = connectClient(server, id, { connect: false })
  const chunk = 'offline werk; '.repeat(1024)
  const text = client.doc.getText('situation')
  client.doc.transact(() => {
    while (text.length < bytes) text.insert(text.length, chunk)
  })
  const closes = []
  client.provider.on('connection-close', (event) => closes.push({ code: event?.code, reason: event?.reason }))
  client.provider.connect()
  return { client, closes, length: text.length }
}

test('5 MiB of offline work lands with the official y-websocket client', async (t) => {
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server, 'Casus G-1')
  const { client, closes, length } = offlineEdit(server, id, 5 * MIB)
  track(c, client)
  await waitFor(async () => (await getCanvas(server, id)).body.steps?.situation?.length === length, {
    timeout: 60_000,
    what: `the ${length} characters typed offline to be stored`,
    detail: () => ({ closes })
  })
  assert.deepEqual(closes.filter((close) => close.code === 1009), [], 'never refused as too big')
})

for (const [limit, flags] of [
  ['the canvas size limit', ['--max-canvas-bytes', String(2 * MIB)]],
  ['the largest update', ['--max-update-bytes', String(2 * MIB)]]
]) {
  test(`work past ${limit} is refused with 1009 and a Dutch reason, and nothing of it is stored`, async (t) => {
    const { server, c } = await setupServer(t, { extraArgs: flags })
    const { id } = await createCanvas(server, 'Casus G-2')
    const { client, closes } = offlineEdit(server, id, 3 * MIB)
    track(c, client)
    await waitFor(() => closes.some((close) => close.code === 1009), {
      timeout: 30_000, what: 'the server to refuse the update with 1009', detail: () => ({ closes })
    })
    const refused = closes.find((close) => close.code === 1009)
    assert.match(refused.reason, /te groot om op te slaan/)
    client.provider.disconnect()
    const { body } = await getCanvas(server, id)
    assert.equal(body.steps.situation, '', 'nothing of the refused work is stored')
  })
}
