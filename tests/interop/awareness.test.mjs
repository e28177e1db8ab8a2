// Presence (y-protocols awareness) is relayed through the server and removed when a client leaves.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { connectClient, createCanvas, setupServer, track, waitFor, waitSynced } from './lib/server.mjs'

// Default server timeout is 30 s; removal on close must come well before that.
const REMOVAL_DEADLINE_MS = 5000

async function twoClientsWithPresence (t) {
  const env = await setupServer(t)
  const { server, c } = env
  const { id } = await createCanvas(server, 'Casus T-31')
  const a = track(c, connectClient(server, id))
  const b = track(c, connectClient(server, id))
  await Promise.all([waitSynced(a), waitSynced(b)])

  a.awareness.setLocalStateField('user', { name: 'Zelfbedacht', role: 'PMM', color: '#c0392b' })
  a.awareness.setLocalStateField('cursor', { field: 'situation', index: 3 })
  await waitFor(() => b.awareness.getStates().get(a.doc.clientID)?.user?.color === '#c0392b', {
    timeout: 5000,
    what: "A's presence to appear at B",
    detail: () => Object.fromEntries(b.awareness.getStates())
  })
  // Who someone is comes from the server: the account's name and role, not what A claimed.
  assert.deepEqual(b.awareness.getStates().get(a.doc.clientID).user,
    { name: 'Anne Aanjager', role: 'Aanjager', color: '#c0392b' })
  assert.deepEqual(b.awareness.getStates().get(a.doc.clientID).cursor, { field: 'situation', index: 3 })

  // Updates of presence are relayed too.
  a.awareness.setLocalStateField('cursor', { field: 'future', index: 0 })
  await waitFor(() => b.awareness.getStates().get(a.doc.clientID)?.cursor?.field === 'future', {
    timeout: 5000, what: "A's updated cursor at B"
  })
  return { ...env, id, a, b }
}

test('presence appears at the other client and disappears promptly when the provider is destroyed', async (t) => {
  const { a, b } = await twoClientsWithPresence(t)
  const clientId = a.doc.clientID
  const started = Date.now()
  a.destroy()
  await waitFor(() => !b.awareness.getStates().has(clientId), {
    timeout: REMOVAL_DEADLINE_MS, what: "A's presence to be removed at B after A's provider was destroyed"
  })
  t.diagnostic(`removed after ${Date.now() - started} ms`)
})

test('presence is removed by the server when a client vanishes without saying goodbye', async (t) => {
  // A graceful destroy sends a "state = null" awareness message itself; here the socket is cut
  // without it, so only the server's broadcast on connection close can remove the presence.
  const { a, b } = await twoClientsWithPresence(t)
  const clientId = a.doc.clientID
  a.provider.shouldConnect = false // no reconnect
  const started = Date.now()
  a.provider.ws.terminate() // drop the TCP connection, no close frame, no awareness message
  await waitFor(() => !b.awareness.getStates().has(clientId), {
    timeout: REMOVAL_DEADLINE_MS,
    what: "A's presence to be removed at B after A's connection dropped"
  })
  t.diagnostic(`removed after ${Date.now() - started} ms`)
})

test('a client joining later sees the presence of those already there', async (t) => {
  const { server, c, id, a, b } = await twoClientsWithPresence(t)
  const late = track(c, connectClient(server, id))
  await waitSynced(late)
  await waitFor(() => late.awareness.getStates().get(a.doc.clientID)?.user?.color === '#c0392b', {
    timeout: 5000,
    what: "A's existing presence at a client that joined later (well before A's 15 s renewal)",
    detail: () => Object.fromEntries(late.awareness.getStates())
  })
  // And the other way round: the newcomer's presence reaches the existing clients.
  late.awareness.setLocalStateField('user', { color: '#16a085' })
  await waitFor(() => b.awareness.getStates().get(late.doc.clientID)?.user?.color === '#16a085', {
    timeout: 5000, what: "the newcomer's presence at B"
  })
})
