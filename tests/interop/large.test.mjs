// Large offline work: a client that edited offline reconnects with one large sync step 2. With
// the official y-websocket client, 5 MiB lands; what is genuinely too large (past the canvas's
// size limit, or past the largest update) is refused with close code 1009 and a Dutch reason,
// and nothing of it is stored; the canvas page then stops reconnecting and keeps its copy.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { connectClient, createCanvas, getCanvas, setupServer, track, waitFor } from './lib/server.mjs'
import { editor, startBrowser, waitConnected, waitInPage } from './lib/pages.mjs'

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

test('the canvas page stops at 1009: it shows the Dutch reason, keeps its local copy and does not reconnect', async (t) => {
  const env = await setupServer(t, { extraArgs: ['--max-message-bytes', '65536', '--max-update-bytes', '65536'] })
  const { id } = await createCanvas(env.server, 'Casus G-3')
  const { pages: [p] } = await startBrowser(t, env, { canvasId: id, labels: ['page'] })
  await waitConnected(p)
  await p.page.locator(editor('situation')).click()
  // One paste of 80 KB: a single update over the 64 KiB limit.
  await p.page.keyboard.insertText('te veel tekst; '.repeat(5500))
  await waitInPage(p, () => {
    const el = document.getElementById('connection-status')
    return el?.dataset.state === 'closed' && el.textContent.includes('te groot om op te slaan')
  }, undefined, { what: 'the status "Niet verbonden" with the reason', timeout: 15_000 })
  // "closed" means the provider gave up on purpose (shouldConnect is false): no reconnect loop.
  const copies = await p.page.evaluate(async () =>
    (await indexedDB.databases()).map((db) => db.name).filter((name) => name.startsWith('doorbraak-')))
  assert.equal(copies.length, 1, `the local copy is kept: ${JSON.stringify(copies)}`)
  const { body } = await getCanvas(env.server, id)
  assert.equal(body.steps.situation, '', 'nothing of it was stored')
})
