// The opt-in "saved" signal (?saved=1): message type 100 followed by a varuint counting the
// update-carrying messages of this connection that are committed so far.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import * as decoding from 'lib0/decoding'

import {
  bearerWebSocket, connectClient, createCanvas, setupServer, track, waitConverged, waitFor, waitSynced
} from './lib/server.mjs'

const MESSAGE_SAVED = 100
const MESSAGE_SYNC = 0
const SYNC_STEP2 = 1
const SYNC_UPDATE = 2

/** Record every type-100 message of a client. */
function recordSaved (client) {
  const counts = []
  client.provider.messageHandlers[MESSAGE_SAVED] = (_encoder, decoder) => {
    counts.push(decoding.readVarUint(decoder))
  }
  return counts
}

/** A WebSocket that counts the update-carrying messages it sends (sync step 2 and update). */
function countingWebSocket (stats, token) {
  return class CountingWebSocket extends bearerWebSocket(token) {
    send (data, ...rest) {
      const buf = data instanceof Uint8Array ? data : new Uint8Array(data)
      const decoder = decoding.createDecoder(buf)
      if (decoding.readVarUint(decoder) === MESSAGE_SYNC) {
        const kind = decoding.readVarUint(decoder)
        if (kind === SYNC_UPDATE) stats.updates++
        if (kind === SYNC_STEP2) stats.step2++
      }
      return super.send(data, ...rest)
    }
  }
}

test('saved=1: the saved count reaches the number of edits, and saved edits survive kill -9', async (t) => {
  const env = await setupServer(t)
  const { c } = env
  const { id } = await createCanvas(env.server, 'Casus T-61')

  const stats = { updates: 0, step2: 0 }
  const saver = track(c, connectClient(env.server, id, {
    connect: false,
    params: { saved: '1' },
    WebSocketPolyfill: countingWebSocket(stats, env.server.token)
  }))
  const savedCounts = recordSaved(saver)
  saver.provider.connect()

  // A client without the opt-in must never get type 100.
  const plain = track(c, connectClient(env.server, id, { connect: false }))
  const plainSaved = recordSaved(plain)
  plain.provider.connect()
  await Promise.all([waitSynced(saver), waitSynced(plain)])

  const EDITS = 30
  const text = saver.doc.getText('situation')
  for (let i = 0; i < EDITS; i++) {
    text.insert(text.length, `stap ${i};`) // each edit is one update message
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve))
  }
  assert.equal(stats.updates, EDITS, 'the client sent one update message per edit')

  await waitFor(() => savedCounts.length > 0 && savedCounts[savedCounts.length - 1] >= EDITS, {
    timeout: 10_000,
    what: `a saved count >= ${EDITS}`,
    detail: () => `saved counts so far: ${JSON.stringify(savedCounts)}; sent ${JSON.stringify(stats)}`
  })
  t.diagnostic(`saved counts: ${JSON.stringify(savedCounts)}; sent ${JSON.stringify(stats)}`)
  for (let i = 1; i < savedCounts.length; i++) {
    assert.ok(savedCounts[i] >= savedCounts[i - 1], `saved counts must not decrease: ${JSON.stringify(savedCounts)}`)
  }
  const last = savedCounts[savedCounts.length - 1]
  assert.ok(last <= stats.updates + stats.step2,
    `saved count ${last} exceeds the ${stats.updates + stats.step2} update-carrying messages sent`)

  await waitConverged([saver.doc, plain.doc])
  assert.deepEqual(plainSaved, [], 'a client without saved=1 received type-100 messages')

  // "Saved" means committed: after kill -9 and a restart every edit is still there.
  const expected = text.toString()
  await env.server.kill()
  saver.destroy()
  plain.destroy()
  await env.restart({ signal: 'SIGKILL' })
  const fresh = track(c, connectClient(env.server, id))
  await waitSynced(fresh)
  assert.equal(fresh.doc.getText('situation').toString(), expected)
})
