// Durability: state survives a graceful restart, and kill -9 loses nothing another client saw.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  Y, connectClient, createCanvas, getCanvas, setupServer, snapshot, track, waitConverged, waitFor, waitSynced
} from './lib/server.mjs'

test('state survives a graceful restart (SIGTERM), and offline edits reach the new server', async (t) => {
  const env = await setupServer(t)
  const { c } = env
  const { id } = await createCanvas(env.server, 'Casus T-41')

  const a = track(c, connectClient(env.server, id))
  const b = track(c, connectClient(env.server, id))
  await Promise.all([waitSynced(a), waitSynced(b)])
  a.doc.getText('situation').insert(0, 'Gezin met schulden.\n')
  b.doc.getText('breakthrough').insert(0, 'Doorbraak: één loket.')
  const m = new Y.Map()
  m.set('title', 'bel de woningcorporatie')
  a.doc.getArray('actions').push([m])
  b.doc.getMap('lifeAreas').set('financien', 'hoog')
  const before = await waitConverged([a.doc, b.doc])

  const exit = await env.restart({ signal: 'SIGTERM' })
  t.diagnostic(`SIGTERM exit: ${JSON.stringify(exit)}`)
  assert.equal(exit.forced, false, 'server did not exit within 10 s of SIGTERM')

  // While the server was down, A keeps editing offline.
  a.doc.getText('situation').insert(0, 'Offline toegevoegd. ')
  b.destroy()

  const fresh = track(c, connectClient(env.server, id))
  await waitSynced(fresh)
  assert.deepEqual(snapshot(fresh.doc), before, 'state after restart equals state before SIGTERM')
  const res = await getCanvas(env.server, id)
  assert.equal(res.status, 200)
  assert.equal(res.body.label, 'Casus T-41')
  assert.equal(res.body.steps?.situation, 'Gezin met schulden.\n')

  // Point A at the new server (its port changed); its offline edit must merge in.
  a.provider.serverUrl = env.server.syncUrl
  a.provider.connect()
  const after = await waitConverged([a.doc, fresh.doc], { what: 'reconnected A and the fresh client to converge' })
  assert.equal(after.situation, 'Offline toegevoegd. Gezin met schulden.\n')
})

test('kill -9 mid-stream loses nothing that another client had received', async (t) => {
  const env = await setupServer(t)
  const { c } = env
  const { id } = await createCanvas(env.server, 'Casus T-42')

  // Two writers at once, so the server commits updates of several connections concurrently.
  const writers = [track(c, connectClient(env.server, id)), track(c, connectClient(env.server, id))]
  const observer = track(c, connectClient(env.server, id))
  await Promise.all([...writers, observer].map((cl) => waitSynced(cl)))

  // Everything the observer has ever seen, recorded as it arrives.
  const seenNumbers = new Set()
  const seenLines = new Set()
  observer.doc.getArray('regulations').observe((event) => {
    for (const delta of event.changes.delta) {
      for (const n of delta.insert ?? []) seenNumbers.add(n)
    }
  })
  observer.doc.getText('situation').observe(() => {
    for (const line of observer.doc.getText('situation').toString().split('\n')) {
      if (line) seenLines.add(line)
    }
  })

  // Each writer sends one small update every few ms (below the server's per-connection message
  // rate limit), alternating between the array and the text; each is its own message.
  let written = 0
  let writing = true
  const writeLoop = async (writer, w) => {
    for (let n = 0; writing; n++) {
      if (n % 2 === 0) {
        writer.doc.getArray('regulations').push([w * 1_000_000 + n])
      } else {
        const text = writer.doc.getText('situation')
        text.insert(text.length, `schrijver ${w} regel ${n}\n`)
      }
      written++
      await new Promise((resolve) => setTimeout(resolve, 7))
    }
  }
  const loops = Promise.all(writers.map((w, i) => writeLoop(w, i)))
  c.add(async () => { writing = false; await loops })

  // Well past the default compaction threshold (500 logged updates), then kill -9 mid-stream.
  const target = 900
  await waitFor(() => seenNumbers.size + seenLines.size >= target, {
    timeout: 30_000,
    what: `the observer to see ${target} updates`,
    detail: () => `written=${written} seenNumbers=${seenNumbers.size} seenLines=${seenLines.size}`
  })
  const exit = await env.server.kill()
  t.diagnostic(`killed: ${JSON.stringify(exit)}; written=${written}`)
  writing = false
  await loops
  // Freeze what the observer saw; none of the old clients may talk to the new server.
  const observedNumbers = [...seenNumbers]
  const observedLines = [...seenLines]
  for (const cl of [...writers, observer]) cl.destroy()

  await env.restart({ signal: 'SIGKILL' }) // already dead: this just starts it again
  const fresh = track(c, connectClient(env.server, id))
  await waitSynced(fresh)

  const numbers = new Set(fresh.doc.getArray('regulations').toArray())
  const text = fresh.doc.getText('situation').toString()
  const lines = new Set(text.split('\n').filter(Boolean))
  const lostNumbers = observedNumbers.filter((n) => !numbers.has(n))
  const lostLines = observedLines.filter((l) => !lines.has(l))
  t.diagnostic(`observer saw ${observedNumbers.length} numbers + ${observedLines.length} lines; ` +
    `after restart ${numbers.size} numbers + ${lines.size} lines; writers wrote ${written}`)
  assert.deepEqual(lostNumbers, [], `numbers seen by the observer but lost by kill -9 (${lostNumbers.length})`)
  assert.deepEqual(lostLines, [], `lines seen by the observer but lost by kill -9 (${lostLines.length})`)

  // The restarted server also serves the recovered text over HTTP.
  const res = await getCanvas(env.server, id)
  assert.equal(res.status, 200)
  assert.equal(res.body.steps?.situation, text)
})
