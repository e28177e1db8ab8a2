// Several `doorbraak serve` processes on one PostgreSQL database (a fresh database per test):
// the official y-websocket clients on different processes converge, presence crosses processes
// and fades when one dies, revoking a token on one closes its socket on another, a status change
// reaches a canvas page open on another process and an escalation the coach dashboard open
// there, a follower of the overleg's chair on one process goes along with the chair's page on
// another (its steps, and to the next agenda item), nothing an observer saw is lost when a
// process is killed, concurrent compactions on both processes lose no committed update, and a
// process whose listening connection (LISTEN) is cut, or that loses the database for a while,
// catches up from the log, and closes its connections so that an access change it missed
// meanwhile cannot leave one open. Two processes started at the same moment with --demo on one
// empty database both serve the demo, seeded once.
//
// PostgreSQL is the server of POSTGRES_URL (DOORBRAAK_TEST_POSTGRES_URL). The backends of one
// process are told apart from another's by their client ports (pg_stat_activity.client_port),
// matched against the process's own sockets in /proc: this test runs on Linux.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile, readdir, readlink } from 'node:fs/promises'

import {
  DEFAULT_ACCOUNT, DEMO_ACCOUNTS, DEMO_CANVAS_ID, POSTGRES_URL, TO_IN_BEHANDELING, apiFetch, cleanups, connectClient,
  createCanvas, createToken, escalateCanvas, getCanvas, getJson, makePostgresDatabase, makeTempDir, moveCanvas,
  planMeeting, postForm, postgresQuery, snapshot, startServer, syncUpgradeStatus, track, uniqueLabel, waitConverged,
  waitFor, waitSynced
} from './lib/server.mjs'
import { openPage, startBrowser, waitConnected, waitInPage, waitLive, watchNavigations } from './lib/pages.mjs'

/** The short presence timeout of the presence test, in seconds (the default is 30). */
const AWARENESS_TIMEOUT_SECS = 3
/** How soon something done on one process must show on another. */
const RELAY_MS = 5000
/** 1008, what the guard of participants.rs sends when access is taken away (peer.rs close_code). */
const SERVICE_RESTART = 1012
const POLICY_VIOLATION = 1008
const REVOKED_REASON = 'Je toegang is gewijzigd of ingetrokken.'

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A fresh PostgreSQL database and `start(name)`, which starts a server process on it (logs in
 * .out/ under the test's name and `name`); `servers` are the processes started first, in order
 * (one after the other: the first runs the migrations and seeds the demo). Everything is
 * stopped, and the database dropped, after the test.
 */
async function setupCluster (t, { names = ['A', 'B'], extraArgs = [], env = {} } = {}) {
  const c = cleanups()
  t.after(() => c.run())
  const database = await makePostgresDatabase()
  c.add(() => database.drop())
  // Only for the processes' files; the database is the one above.
  const tmp = await makeTempDir('doorbraak-cluster-')
  c.add(tmp.cleanup)
  const cluster = {
    c,
    database,
    async start (name, { args = extraArgs, env: processEnv = env } = {}) {
      const server = await startServer({
        dbDir: tmp.dir, databaseUrl: database.url, name: `${name}-${t.name}`, extraArgs: args, env: processEnv
      })
      c.add(() => server.stop())
      return server
    }
  }
  cluster.servers = []
  for (const name of names) cluster.servers.push(await cluster.start(name))
  return cluster
}

/**
 * Writes `count` words `${tag}w0`, `${tag}w1`, … into the text `situation` of `client`, each
 * its own update, alternately at the start and at the end (so that concurrent writers
 * interleave), and pushes each onto the array `agencies` too; one every `interval` ms. Resolves
 * with the words, and with `at`, when the last was written.
 */
async function writeWords (client, tag, { count, interval = 10 }) {
  const words = []
  const text = client.doc.getText('situation')
  const list = client.doc.getArray('agencies')
  for (let i = 0; i < count; i++) {
    const word = `${tag}w${i}`
    client.doc.transact(() => {
      // Spaces on both sides: concurrent inserts may end up side by side in either order.
      if (i % 2 === 0) text.insert(0, ` ${word} `)
      else text.insert(text.length, ` ${word} `)
      list.push([word])
    })
    words.push(word)
    await pause(interval)
  }
  return Object.assign(words, { at: Date.now() })
}

/** The words of a `situation` text (see writeWords). */
const wordsOf = (text) => text.split(/\s+/).filter(Boolean)

/** Asserts that `text` and `list` hold each of `words` exactly once, and nothing else. */
function assertAllWords (text, list, words, what) {
  const present = wordsOf(text)
  const missing = words.filter((w) => !present.includes(w))
  assert.deepEqual(missing, [], `${what}: words missing from the text (${missing.length} of ${words.length})`)
  assert.deepEqual([...present].sort(), [...words].sort(), `${what}: the text holds each word once`)
  assert.deepEqual([...list].sort(), [...words].sort(), `${what}: the array holds each word once`)
}

/** The local ports of the TCP connections process `pid` holds to the PostgreSQL server. */
async function postgresClientPorts (pid) {
  const inodes = new Set()
  for (const fd of await readdir(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(await readlink(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch {} // closed meanwhile
  }
  const pgPort = Number(new URL(POSTGRES_URL).port || 5432)
  const ports = new Set()
  for (const file of ['tcp', 'tcp6']) {
    let table
    try { table = await readFile(`/proc/${pid}/net/${file}`, 'utf8') } catch { continue }
    for (const line of table.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      if (cols.length < 10 || !inodes.has(cols[9])) continue
      const port = (address) => parseInt(address.split(':').pop(), 16)
      if (port(cols[2]) === pgPort) ports.add(port(cols[1]))
    }
  }
  return ports
}

/** The PostgreSQL backends (pg_stat_activity rows) of server process `server` on `database`. */
async function backendsOf (server, database) {
  const ports = await postgresClientPorts(server.pid)
  const rows = await postgresQuery(POSTGRES_URL,
    'SELECT pid, client_port, state, query FROM pg_stat_activity WHERE datname = $1', [database.name])
  return rows.filter((row) => ports.has(row.client_port))
}

/** The backends of `server` that listen (their last statement was the LISTEN of the bus). */
async function listenersOf (server, database) {
  return (await backendsOf(server, database)).filter((row) => /^LISTEN /i.test(row.query))
}

/** pg_terminate_backend on each of `pids`; resolves with the pids it terminated. */
async function terminateBackends (pids) {
  const rows = await postgresQuery(POSTGRES_URL,
    'SELECT pid, pg_terminate_backend(pid) AS terminated FROM pg_stat_activity WHERE pid = ANY($1::int[])', [pids])
  return rows.filter((row) => row.terminated).map((row) => row.pid)
}

/**
 * What is stored of canvas `id`, read in one statement (one snapshot of the database) on the
 * pg client `client`: { last: canvases.last_seq, upto: the snapshot's upto_seq (0 without one),
 * seqs: the log's positions in order }.
 */
async function readStoredLog (client, id) {
  const { rows: [row] } = await client.query(
    'SELECT c.last_seq, s.upto_seq, ARRAY(SELECT u.seq FROM canvas_updates u WHERE u.canvas_id = c.id ORDER BY u.seq) AS seqs ' +
    'FROM canvases c LEFT JOIN canvas_snapshots s ON s.canvas_id = c.id WHERE c.id = $1', [id])
  return { last: Number(row.last_seq), upto: Number(row.upto_seq ?? 0), seqs: row.seqs.map(Number) }
}

/**
 * What is wrong with a stored log (see readStoredLog), or null: the snapshot may not be past
 * last_seq, and the log must hold exactly the positions after the snapshot up to last_seq (a
 * compaction deletes only what its snapshot holds, in the transaction that writes it).
 */
function storedLogProblem ({ last, upto, seqs }) {
  if (upto > last) return `snapshot upto_seq ${upto} is past last_seq ${last}`
  const expected = Array.from({ length: last - upto }, (_, i) => upto + 1 + i)
  if (seqs.length !== expected.length || seqs.some((seq, i) => seq !== expected[i])) {
    return `log positions ${JSON.stringify(seqs)} instead of ${upto + 1}..${last} (snapshot upto_seq ${upto})`
  }
  return null
}

/**
 * Cuts process `server` off from `database` until the returned `reopen()`: the database takes no
 * new connection, and every backend of the process is terminated, so that it can neither listen
 * nor read (a pooled connection would otherwise stand in for its listener at once). The other
 * processes keep the connections they have. `c` reopens the database after the test in any case.
 */
async function cutOff (c, database, server) {
  const admin = (sql) => postgresQuery(POSTGRES_URL, sql)
  const reopen = () => admin(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS true`)
  await admin(`ALTER DATABASE ${database.name} WITH ALLOW_CONNECTIONS false`)
  c.add(reopen)
  const backends = await backendsOf(server, database)
  assert.ok(backends.some((row) => /^LISTEN /i.test(row.query)), "the process's backends include its listener")
  const pids = backends.map((row) => row.pid).sort()
  assert.deepEqual((await terminateBackends(pids)).sort(), pids, "the process's backends were terminated")
  await waitFor(async () => (await backendsOf(server, database)).length === 0, {
    timeout: RELAY_MS, what: 'the process to have no backend left', detail: () => backendsOf(server, database)
  })
  return reopen
}

/** The number of canvases loaded on `server` (GET /metrics, as the beheerder). */
async function loadedCanvases (server) {
  const res = await apiFetch(server, '/metrics', { token: await server.tokenFor(DEMO_ACCOUNTS.beheerder) })
  const text = await res.text()
  assert.equal(res.status, 200, `GET /metrics: ${text.slice(0, 300)}`)
  const m = /^doorbraak_loaded_canvases (\d+)$/m.exec(text)
  assert.ok(m, 'doorbraak_loaded_canvases in /metrics')
  return Number(m[1])
}

/** How many lines of `server`'s log match `pattern`. */
async function logLines (server, pattern) {
  const log = await readFile(server.logPath, 'utf8')
  return log.split('\n').filter((line) => pattern.test(line)).length
}

/** The lines of `server`'s log that say something went wrong: an ERROR, a panic, a "Fout:". */
async function errorLines (server) {
  const log = await readFile(server.logPath, 'utf8')
  return log.split('\n').filter((line) => /\sERROR\s|panicked|^Fout:/.test(line))
}

/** The number of rows of every table of the database at `url`, by table name. */
async function rowCounts (url) {
  const tables = (await postgresQuery(url,
    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"))
    .map((row) => row.table_name)
  const rows = await postgresQuery(url,
    tables.map((name) => `SELECT '${name}' AS name, count(*)::int AS n FROM "${name}"`).join(' UNION ALL '))
  return Object.fromEntries(rows.map((row) => [row.name, row.n]))
}

/**
 * Waits until the database at `url` has every archived canvas in the archive's search index: a
 * process indexes them in the background once it listens (app.rs), after the seed.
 */
function waitArchivesIndexed (url) {
  const read = async () => (await postgresQuery(url,
    'SELECT count(*)::int AS archived, count(e.canvas_id)::int AS indexed FROM canvases c ' +
    "LEFT JOIN archive_entries e ON e.canvas_id = c.id WHERE c.status = 'gearchiveerd'"))[0]
  return waitFor(async () => { const { archived, indexed } = await read(); return archived > 0 && indexed === archived }, {
    timeout: RELAY_MS, what: 'the archived canvases to be indexed for search', detail: read
  })
}

/** The tables whose row counts differ between `counts` and `expected` (see rowCounts). */
function countsDiffer (counts, expected) {
  const names = [...new Set([...Object.keys(counts), ...Object.keys(expected)])].sort()
  return Object.fromEntries(names.filter((name) => counts[name] !== expected[name])
    .map((name) => [name, { rows: counts[name], alone: expected[name] }]))
}

/** What the coach dashboard shows, for failure messages. */
function dashboardState () {
  return {
    live: document.querySelector('main#coach-dashboard')?.dataset.liveState,
    rows: [...document.querySelectorAll('#dashboard-table tr[data-canvas]')].map((tr) => tr.innerText.replace(/\s+/g, ' '))
  }
}

/** What a canvas page shows of a running overleg, for failure messages. */
function meetingState () {
  const main = document.querySelector('main#canvas')
  return {
    meeting: main?.dataset.meeting,
    chair: main?.dataset.chair,
    following: main?.dataset.following,
    followStep: main?.dataset.followStep,
    chairStep: main?.dataset.chairStep,
    banner: document.getElementById('follow-banner')?.textContent,
    url: location.href
  }
}

/** The step of page `p` nearest the top of its screen (as meeting.test.mjs reads it). */
function topStep (p) {
  return p.page.evaluate(() => {
    const steps = [...document.querySelectorAll('li.step[id^="stap-"]')]
    const top = steps.find((s) => s.getBoundingClientRect().bottom > window.innerHeight / 4)
    return top ? top.id : null
  })
}

test('clients on two processes converge: three writers on each at once, and a joiner on each mid-burst and after', async (t) => {
  const { c, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus C-'))

  const onA = [0, 1, 2].map(() => track(c, connectClient(a, id)))
  const onB = [0, 1, 2].map(() => track(c, connectClient(b, id)))
  await Promise.all([...onA, ...onB].map((cl, i) => waitSynced(cl, { what: `client ${i} to sync` })))

  const writing = [
    ...onA.map((cl, i) => writeWords(cl, `a${i}`, { count: 40 })),
    ...onB.map((cl, i) => writeWords(cl, `b${i}`, { count: 40 }))
  ]
  // Mid-burst, once each process relayed some of the other's words, a joiner on each; they
  // write too, while the others still do.
  await waitFor(() => wordsOf(onA[0].doc.getText('situation').toString()).some((w) => w.startsWith('b')) &&
    wordsOf(onB[0].doc.getText('situation').toString()).some((w) => w.startsWith('a')), {
    timeout: RELAY_MS, what: "each process's words at a client of the other"
  })
  const joiners = [track(c, connectClient(a, id)), track(c, connectClient(b, id))]
  await Promise.all(joiners.map((cl) => waitSynced(cl, { what: 'a joiner to sync mid-burst' })))
  writing.push(writeWords(joiners[0], 'ja', { count: 15 }), writeWords(joiners[1], 'jb', { count: 15 }))
  const words = (await Promise.all(writing)).flat()

  const everyone = [...onA, ...onB, ...joiners]
  const merged = await waitConverged(everyone.map((cl) => cl.doc), {
    timeout: 15_000, what: 'the eight clients on A and B to converge'
  })
  assertAllWords(merged.situation, merged.agencies, words, 'the converged canvas')

  // Late joiners after the burst, one on each process, get all of it.
  for (const server of [a, b]) {
    const late = track(c, connectClient(server, id))
    await waitSynced(late)
    assert.deepEqual(snapshot(late.doc), merged, `a late joiner on ${server.baseUrl}`)
    const res = await getCanvas(server, id)
    assert.equal(res.body.steps?.situation, merged.situation, `GET steps.situation on ${server.baseUrl}`)
  }
})

test('presence crosses processes stamped with the account\'s name, and a killed process\'s entries fade on the other after the awareness timeout', async (t) => {
  const { c, servers: [a, b] } = await setupCluster(t, {
    extraArgs: ['--awareness-timeout-secs', String(AWARENESS_TIMEOUT_SECS)]
  })
  const { id } = await createCanvas(a, uniqueLabel('Casus P-'))
  const onA = track(c, connectClient(a, id, { token: await a.tokenFor(DEMO_ACCOUNTS.projectleider) }))
  const onB = track(c, connectClient(b, id))
  await Promise.all([waitSynced(onA), waitSynced(onB)])
  const aId = onA.doc.clientID

  // The y-protocols client renews its state every 15 s, which suits the default 30 s timeout;
  // with 3 s it must renew more often to stay present, as it would with the default.
  onA.awareness.setLocalStateField('user', { name: 'Zelfbedacht', role: 'PMM', color: '#c0392b' })
  let beat = 0
  const renew = setInterval(() => onA.awareness.setLocalStateField('beat', ++beat), 400)
  c.add(() => clearInterval(renew))
  const removals = []
  onB.awareness.on('change', ({ removed }) => { if (removed.includes(aId)) removals.push(Date.now()) })

  await waitFor(() => onB.awareness.getStates().get(aId)?.user?.color === '#c0392b', {
    timeout: RELAY_MS, what: "A's presence at the client on B", detail: () => Object.fromEntries(onB.awareness.getStates())
  })
  assert.deepEqual(onB.awareness.getStates().get(aId).user,
    { name: 'Piet Projectleider', role: 'Projectleider', color: '#c0392b' },
    'who it is comes from the server of A, not from what the client claimed')

  // And the other way round.
  onB.awareness.setLocalStateField('user', { name: 'Ook zelfbedacht', color: '#16a085' })
  await waitFor(() => onA.awareness.getStates().get(onB.doc.clientID)?.user?.color === '#16a085', {
    timeout: RELAY_MS, what: "B's presence at the client on A", detail: () => Object.fromEntries(onA.awareness.getStates())
  })
  assert.equal(onA.awareness.getStates().get(onB.doc.clientID).user.name, 'Anne Aanjager')

  // While A renews it, the entry stays on B well past the timeout.
  const from = beat
  const beats = Math.ceil((AWARENESS_TIMEOUT_SECS + 1.5) * 1000 / 400)
  await waitFor(() => onB.awareness.getStates().get(aId)?.beat >= from + beats, {
    timeout: (AWARENESS_TIMEOUT_SECS + 6) * 1000, what: `A's renewals at B (beat ${from + beats})`,
    detail: () => Object.fromEntries(onB.awareness.getStates())
  })
  assert.deepEqual(removals, [], "A's entry was removed at B although A kept renewing it")

  // kill -9: nobody says goodbye; B must let the entry go by itself.
  clearInterval(renew)
  const killed = Date.now()
  await a.kill()
  onA.provider.disconnect()
  await waitFor(() => !onB.awareness.getStates().has(aId), {
    timeout: (AWARENESS_TIMEOUT_SECS + 4) * 1000,
    what: `A's presence to fade at B within ${AWARENESS_TIMEOUT_SECS} s (+ margin) of A's death`,
    detail: () => Object.fromEntries(onB.awareness.getStates())
  })
  t.diagnostic(`A's entry left B ${Date.now() - killed} ms after kill -9 (timeout ${AWARENESS_TIMEOUT_SECS} s)`)
  assert.ok(onB.provider.wsconnected, 'the client on B stayed connected')
})

test('a canvas that loads on B gets the presence already on A at once, not at the client\'s next renewal', async (t) => {
  const { c, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus P-'))
  const onA = track(c, connectClient(a, id))
  const witness = track(c, connectClient(a, id))
  await Promise.all([waitSynced(onA), waitSynced(witness)])
  onA.awareness.setLocalStateField('user', { color: '#8e44ad' })
  await waitFor(() => witness.awareness.getStates().get(onA.doc.clientID)?.user?.color === '#8e44ad', {
    timeout: RELAY_MS, what: "A's presence at the other client on A"
  })

  // Nothing had the canvas open on B. The y-protocols client renews its state every 15 s, so
  // only the room loading on B asking the rooms elsewhere brings it sooner.
  const joined = Date.now()
  const onB = track(c, connectClient(b, id))
  await waitSynced(onB)
  await waitFor(() => onB.awareness.getStates().get(onA.doc.clientID)?.user?.color === '#8e44ad', {
    timeout: 3000, what: "A's presence at the first client on B", detail: () => Object.fromEntries(onB.awareness.getStates())
  })
  t.diagnostic(`A's presence reached B ${Date.now() - joined} ms after the client on B connected`)
  assert.equal(onB.awareness.getStates().get(onA.doc.clientID).user.name, 'Anne Aanjager')
})

test('revoking a token on A closes its connection on B with 1008; the token is then refused on B', async (t) => {
  const { c, database, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus R-'))
  const token = await createToken(database.url, DEFAULT_ACCOUNT, { name: 'cluster-intrekken' })
  const [row] = await postgresQuery(database.url, 'SELECT id FROM api_tokens WHERE name = $1', ['cluster-intrekken'])

  const closes = { a: [], b: [] }
  const onB = track(c, connectClient(b, id, { token }))
  const onA = track(c, connectClient(a, id, { token }))
  onB.provider.on('connection-close', (event) => closes.b.push({ code: event?.code, reason: event?.reason, at: Date.now() }))
  onA.provider.on('connection-close', (event) => closes.a.push({ code: event?.code, reason: event?.reason, at: Date.now() }))
  // The account's other token (the servers' default) stays connected on B.
  const keeper = track(c, connectClient(b, id))
  await Promise.all([waitSynced(onB), waitSynced(onA), waitSynced(keeper)])

  const started = Date.now()
  const res = await postForm(a, `/tokens/${row.id}/intrekken`, {})
  assert.equal(res.status, 303, `POST /tokens/${row.id}/intrekken on A: ${res.body.slice(0, 300)}`)
  await waitFor(() => closes.b.length > 0, {
    timeout: RELAY_MS, what: 'the connection on B of the token revoked on A to close',
    detail: () => `wsconnected=${onB.provider.wsconnected}`
  })
  // Their reconnect attempts are refused (checked below); they would only add noise.
  onB.provider.disconnect()
  t.diagnostic(`closed on B ${closes.b[0].at - started} ms after the revocation: ${JSON.stringify(closes.b[0])}`)
  assert.deepEqual({ code: closes.b[0].code, reason: closes.b[0].reason }, { code: POLICY_VIOLATION, reason: REVOKED_REASON })
  await waitFor(() => closes.a.length > 0, { timeout: RELAY_MS, what: 'the connection on A to close too' })
  onA.provider.disconnect()
  assert.equal(closes.a[0].code, POLICY_VIOLATION)

  assert.equal(await syncUpgradeStatus(b, id, { token }), 401, 'the revoked token on B')
  assert.equal((await getCanvas(b, id, { token })).status, 401, 'GET /api/canvases/{id} on B with the revoked token')
  assert.equal(keeper.provider.wsconnected, true, "the connection of the account's other token on B stayed open")
  assert.equal(await syncUpgradeStatus(b, id), 101, 'the other token on B')
})

test('a status change made on A reaches the canvas page open on B, without a reload', async (t) => {
  const cluster = await setupCluster(t)
  const { c, servers: [a, b] } = cluster
  const { id } = await createCanvas(a, uniqueLabel('Casus W-'))
  // The page is on B: its stream of workflow changes is B's.
  const { pages: [p] } = await startBrowser(t, { server: b, c }, { canvasId: id, labels: ['page on B'] })
  const statusOf = () => p.page.evaluate(() => document.getElementById('canvas-status')?.textContent)

  await waitConnected(p)
  await waitLive(p, 'section#workflow', `/canvases/${id}/werkwijze`)
  const navigations = await watchNavigations(p)
  assert.equal(await statusOf(), 'Concept')

  for (const [from, to, shown] of [['concept', 'ingebracht', 'Ingebracht'], ['ingebracht', 'in_behandeling', 'In behandeling']]) {
    const started = Date.now()
    await moveCanvas(a, id, [from, to])
    await waitInPage(p, (want) => document.getElementById('canvas-status')?.textContent === want, shown, {
      what: `the status "${shown}", set on A`, timeout: RELAY_MS
    })
    t.diagnostic(`"${shown}" on B's page ${Date.now() - started} ms after the POST on A`)
  }
  await navigations.assertNone('while the status changed on A')
  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})

test('an escalation to the coach made on A reaches the coach dashboard open on B, without a reload', async (t) => {
  const { c, servers: [a, b] } = await setupCluster(t)
  const label = uniqueLabel('Casus D-')
  const { id } = await createCanvas(a, label)
  await moveCanvas(a, id, TO_IN_BEHANDELING)
  const row = `#dashboard-table tr[data-canvas="${id}"]`
  // The coach of Gelderland (the province of team Arnhem) has /coach open on B: its stream of
  // workflow changes is B's.
  const { browser, origin } = await startBrowser(t, { server: b, c })
  const coach = await openPage(browser, origin, '/coach', 'coach on B', { account: DEMO_ACCOUNTS.coach, extra: dashboardState })
  c.add(() => coach.context.close())
  await waitLive(coach, 'main#coach-dashboard', '/coach/tabel')
  const navigations = await watchNavigations(coach)
  assert.equal(await coach.page.locator(row).count(), 0, `${label} is on the dashboard before it was escalated`)

  // The aanjager escalates through A.
  const started = Date.now()
  await escalateCanvas(a, id, 'coach', 'De Wmo en de Jeugdwet wijzen naar elkaar; wie betaalt de scooter?')
  await waitInPage(coach, (sel) => document.querySelector(sel), row, {
    what: `the row of ${label}, escalated on A`, timeout: RELAY_MS
  })
  t.diagnostic(`the row was on B's dashboard ${Date.now() - started} ms after the escalation on A`)
  const link = coach.page.locator(`${row} a`)
  assert.equal(await link.textContent(), label)
  assert.equal(await link.getAttribute('href'), `/canvases/${id}#workflow`)
  await navigations.assertNone('while the row appeared')
  assert.deepEqual(coach.errors, [], 'uncaught errors or CSP violations in the page')
})

test('following the chair across processes: the chair\'s canvas page is on A, the follower on B goes along its steps without a reload, and to the next agenda item', async (t) => {
  const { c, servers: [a, b] } = await setupCluster(t)
  // Two canvases ingebracht: the overleg planned next has both on its agenda.
  const labels = [uniqueLabel('Casus V-'), uniqueLabel('Casus V-')]
  const ids = []
  for (const label of labels) {
    const { id } = await createCanvas(a, label)
    await moveCanvas(a, id, ['concept', 'ingebracht'])
    ids.push(id)
  }
  const meeting = await planMeeting(a, 1, '2027-03-03', '14:00')
  const base = `/overleggen/${meeting}`
  const items = await postgresQuery(a.databaseUrl,
    'SELECT id, canvas_id FROM agenda_items WHERE meeting_id = $1 AND canvas_id = ANY($2::text[])', [meeting, ids])
  assert.equal(items.length, 2, `both canvases on the agenda of overleg ${meeting}: ${JSON.stringify(items)}`)
  assert.equal((await postForm(a, `${base}/starten`, {})).status, 303, `POST ${base}/starten on A`)

  // The chair (the aanjager) on A; the canvas page of a running overleg's agenda says where the
  // chair is (POST …/positie) once it loaded.
  const { browser } = await startBrowser(t, { server: a, c })
  const chair = await openPage(browser, a.baseUrl, `/canvases/${ids[0]}`, 'chair on A', { account: DEMO_ACCOUNTS.aanjager, extra: meetingState })
  c.add(() => chair.context.close())
  await waitConnected(chair)
  assert.equal(await chair.page.locator('main#canvas').getAttribute('data-chair'), 'true', 'the aanjager chairs the overleg')
  const reported = (canvasPage) => waitFor(() => canvasPage.requests.some((r) => r.method === 'POST' && r.pathname === `${base}/positie`), {
    timeout: RELAY_MS, what: `${canvasPage.label}: the POST ${base}/positie of where the chair is`, detail: () => canvasPage.requests
  })
  await reported(chair)
  const chairStep = await chair.page.evaluate(() => document.querySelector('main#canvas').dataset.chairStep)

  // The teamlid follows on B, as "Volg de voorzitter" on the overleg page starts it (it keeps the
  // overleg in the tab's sessionStorage; meeting.test.mjs clicks it). The first event of B's
  // stream says where the chair is now: B read that from the database.
  const follower = await openPage(browser, b.baseUrl, `/canvases/${ids[0]}`, 'follower on B', { account: DEMO_ACCOUNTS.teamlid, extra: meetingState })
  c.add(() => follower.context.close())
  await waitConnected(follower)
  await follower.page.evaluate((m) => sessionStorage.setItem('doorbraak.volg', m), String(meeting))
  await follower.page.reload({ waitUntil: 'load' })
  await waitInPage(follower, () => document.querySelector('main#canvas')?.dataset.following === 'true' &&
    !!document.getElementById('follow-banner'), undefined, { what: 'the follow banner' })
  await waitInPage(follower, (step) => document.querySelector('main#canvas')?.dataset.followStep === step, chairStep, {
    what: `the follower at the chair's step (${chairStep}) from the first event of B's stream`, timeout: RELAY_MS
  })
  const navigations = await watchNavigations(follower)

  // The chair scrolls on A; each step reaches B's follower through PostgreSQL.
  for (const target of ['stap-4', 'stap-6', 'stap-1']) {
    const started = Date.now()
    await chair.page.evaluate((step) => {
      if (step === 'stap-1') window.scrollTo(0, 0)
      else document.getElementById(step).scrollIntoView({ block: 'start' })
    }, target)
    await waitInPage(chair, (step) => document.querySelector('main#canvas')?.dataset.chairStep === step, target, {
      what: `the chair's page to say it is at ${target}`
    })
    await waitInPage(follower, (step) => document.querySelector('main#canvas')?.dataset.followStep === step, target, {
      what: `the follower on B at ${target}, where the chair on A is`, timeout: RELAY_MS
    })
    t.diagnostic(`the follower on B was at ${target} ${Date.now() - started} ms after the chair on A scrolled there`)
    assert.equal(await topStep(follower), target, `${target} is at the top of the follower's screen`)
  }
  await navigations.assertNone('while it followed the chair on A')

  // The chair puts the next agenda item on the table on A and opens its canvas there. Another
  // canvas is another page: the follower on B goes to it, and still follows.
  const next = items.find((item) => item.canvas_id === ids[1])
  assert.equal((await postForm(a, `${base}/punt/${next.id}`, {})).status, 303, `POST ${base}/punt/${next.id} on A`)
  chair.requests.length = 0
  const moved = Date.now()
  await chair.page.goto(`${a.baseUrl}/canvases/${ids[1]}`, { waitUntil: 'load' })
  await reported(chair)
  const nextStep = await chair.page.evaluate(() => document.querySelector('main#canvas').dataset.chairStep)
  await follower.page.waitForURL((url) => url.pathname === `/canvases/${ids[1]}`, { timeout: RELAY_MS })
  assert.equal(new URL(follower.page.url()).origin, b.baseUrl, 'the follower is still on B')
  await waitInPage(follower, (step) => document.querySelector('main#canvas')?.dataset.following === 'true' &&
    document.querySelector('main#canvas')?.dataset.followStep === step, nextStep, {
    what: `the follower on B following on the next canvas, at ${nextStep}`, timeout: RELAY_MS
  })
  t.diagnostic(`the follower on B was on the next canvas ${Date.now() - moved} ms after the chair on A opened it`)
  for (const p of [chair, follower]) assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
})

test('kill -9 of A while a client on A writes: nothing an observer on B saw is lost, the writer goes on through B, and a restarted A catches up', async (t) => {
  const cluster = await setupCluster(t)
  const { c, servers: [a, b] } = cluster
  const { id } = await createCanvas(a, uniqueLabel('Casus K-'))
  const writer = track(c, connectClient(a, id))
  const observer = track(c, connectClient(b, id))
  await Promise.all([waitSynced(writer), waitSynced(observer)])

  // Everything the observer on B ever received, recorded as it arrives.
  const seen = new Set()
  observer.doc.getArray('regulations').observe((event) => {
    for (const delta of event.changes.delta) for (const n of delta.insert ?? []) seen.add(n)
  })
  // One small update every few ms, each its own message: an array entry, and every third a line.
  const written = []
  let writing = true
  const loop = (async () => {
    for (let n = 0; writing; n++) {
      writer.doc.transact(() => {
        writer.doc.getArray('regulations').push([n])
        if (n % 3 === 0) writer.doc.getText('situation').insert(0, `regel ${n}\n`)
      })
      written.push(n)
      await pause(5)
    }
  })()
  c.add(async () => { writing = false; await loop })

  await waitFor(() => seen.size >= 150, {
    timeout: 15_000, what: 'the observer on B to see 150 updates written on A',
    detail: () => `written=${written.length} seen=${seen.size}`
  })
  await a.kill()
  // A load balancer sends the writer to B below; until then it writes offline.
  writer.provider.disconnect()
  const writtenAtKill = written.length
  t.diagnostic(`killed A: written=${writtenAtKill}, seen on B=${seen.size}`)

  // A starts again on the same database. The writer is offline, so whatever the observer saw
  // can have come to A's new process only from the database.
  const restarted = await cluster.start('A-restarted')
  const fresh = track(c, connectClient(restarted, id))
  await waitSynced(fresh)
  const observed = [...seen]
  const loaded = new Set(fresh.doc.getArray('regulations').toArray())
  const lost = observed.filter((n) => !loaded.has(n))
  assert.deepEqual(lost, [], `updates the observer on B saw but the restarted A does not have (${lost.length} of ${observed.length})`)

  // The writer reconnects to B with its Y.Doc (and what it wrote offline), and goes on writing.
  writer.provider.serverUrl = b.syncUrl
  writer.provider.connect()
  await waitSynced(writer, { what: 'the writer to sync with B' })
  const writtenAtReconnect = written.length
  await waitFor(() => written.length >= writtenAtReconnect + 60, { timeout: 10_000, what: '60 more updates through B' })
  writing = false
  await loop
  t.diagnostic(`written offline: ${writtenAtReconnect - writtenAtKill}; in all ${written.length}`)

  // The client on the restarted A follows what the writer now sends through B.
  const final = await waitConverged([writer.doc, observer.doc, fresh.doc], {
    timeout: 15_000, what: 'the writer (on B), the observer (on B) and the client on the restarted A to converge'
  })
  assert.deepEqual([...final.regulations].sort((x, y) => x - y), written, 'every update the writer made, once')
  const late = track(c, connectClient(b, id))
  await waitSynced(late)
  assert.deepEqual(snapshot(late.doc), final, 'a fresh client on B')
})

test('compactions on both processes under load lose no committed update: snapshot and log agree with last_seq, and a fresh process has every word', async (t) => {
  const args = ['--compact-after', '5', '--idle-unload-secs', '1']
  // The rooms' debug lines say when a compaction was written or skipped.
  const env = { RUST_LOG: 'info,doorbraak::sync::room::actor=debug' }
  const cluster = await setupCluster(t, { extraArgs: args, env })
  const { c, database, servers: [a, b] } = cluster
  const { id } = await createCanvas(a, uniqueLabel('Casus S-'))

  const clients = [a, a, b, b].map((server) => track(c, connectClient(server, id)))
  await Promise.all(clients.map((cl) => waitSynced(cl)))

  // While they write, the stored log is read again and again: each read (one statement, so one
  // snapshot of the database) must show a snapshot and log that agree with last_seq.
  const { default: pg } = await import('pg')
  const monitor = new pg.Client({ connectionString: database.url })
  await monitor.connect()
  c.add(() => monitor.end())
  const samples = []
  let writing = true
  const watching = (async () => {
    while (writing) {
      samples.push(await readStoredLog(monitor, id))
      await pause(15)
    }
  })()
  const words = (await Promise.all(clients.map((cl, i) => writeWords(cl, `${i < 2 ? 'a' : 'b'}${i}`, { count: 60 })))).flat()
  writing = false
  await watching
  const withTail = samples.filter((s) => s.upto > 0 && s.seqs.length > 0).length
  t.diagnostic(`${samples.length} reads of the stored log while writing, ${withTail} with a snapshot and a log after it`)
  assert.ok(withTail > 0, 'some read saw a snapshot with log entries after it')
  const broken = samples.map(storedLogProblem).filter(Boolean)
  assert.deepEqual(broken, [], 'reads of the stored log while writing')

  const merged = await waitConverged(clients.map((cl) => cl.doc), { timeout: 15_000, what: 'the four writers to converge' })
  assertAllWords(merged.situation, merged.agencies, words, 'the converged canvas')

  // Everyone leaves; the rooms unload (and with them any compaction they had running).
  for (const cl of clients) cl.destroy()
  await waitFor(async () => (await loadedCanvases(a)) === 0 && (await loadedCanvases(b)) === 0, {
    timeout: 10_000, what: 'the canvas to unload on A and B',
    detail: async () => `loaded on A: ${await loadedCanvases(a)}, on B: ${await loadedCanvases(b)}`
  })

  const compacted = [await logLines(a, /compacted the update log/), await logLines(b, /compacted the update log/)]
  const skipped = [await logLines(a, /compaction skipped/), await logLines(b, /compaction skipped/)]
  t.diagnostic(`compactions written on A, B: ${compacted}; skipped as older: ${skipped}`)
  assert.ok(compacted[0] > 0 && compacted[1] > 0, `both processes compacted (written on A, B: ${compacted})`)

  const stored = await readStoredLog(monitor, id)
  t.diagnostic(`at rest: last_seq=${stored.last}, snapshot upto_seq=${stored.upto}, ${stored.seqs.length} log rows after it`)
  assert.ok(stored.upto > 0, 'a snapshot folds some of the log')
  assert.equal(storedLogProblem(stored), null, 'the stored log at rest')

  // A process that never had the canvas loaded reads it from the snapshot and the log.
  const fresh = await cluster.start('C', { args: [], env: {} })
  const reader = track(c, connectClient(fresh, id))
  await waitSynced(reader)
  const loaded = snapshot(reader.doc)
  assertAllWords(loaded.situation, loaded.agencies, words, 'a fresh client on a fresh process')
  assert.deepEqual(loaded, merged, 'the fresh process holds what the writers converged on')
})

test('B\'s listening connection cut mid-burst: B listens again, and its clients converge with A\'s, also on what A wrote after B stopped', async (t) => {
  const { c, database, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus L-'))
  const onA = [0, 1].map(() => track(c, connectClient(a, id)))
  const onB = [0, 1].map(() => track(c, connectClient(b, id)))
  await Promise.all([...onA, ...onB].map((cl) => waitSynced(cl)))

  const [listenerA] = await listenersOf(a, database)
  const [listenerB, ...moreB] = await listenersOf(b, database)
  assert.ok(listenerA && listenerB && moreB.length === 0, 'one listening backend on each process')

  // A writes for longer than B: A's last words come after B's last commit, so B's clients can
  // only get them from what B hears (its own commits cannot make it read the log again).
  const writingA = onA.map((cl, i) => writeWords(cl, `a${i}`, { count: 90 }))
  const writingB = onB.map((cl, i) => writeWords(cl, `b${i}`, { count: 30 }))
  await waitFor(() => wordsOf(onB[0].doc.getText('situation').toString()).filter((w) => w.startsWith('a')).length >= 20, {
    timeout: RELAY_MS, what: "20 of A's words at a client on B, before the cut"
  })

  const terminated = await terminateBackends([listenerB.pid])
  assert.deepEqual(terminated, [listenerB.pid], "exactly B's listening backend was terminated")
  const cutAt = Date.now()

  const wordsB = (await Promise.all(writingB)).flat()
  const stoppedB = Math.max(...(await Promise.all(writingB)).map((w) => w.at))
  const doneA = await Promise.all(writingA)
  const wordsA = doneA.flat()
  assert.ok(Math.min(...doneA.map((w) => w.at)) > stoppedB + 200, "A wrote on after B's writers stopped")

  const reconnected = await waitFor(async () => {
    const listeners = await listenersOf(b, database)
    return listeners.length === 1 && listeners[0].pid !== listenerB.pid && listeners[0]
  }, { timeout: RELAY_MS, what: 'B to listen again on a new backend', detail: () => listenersOf(b, database) })
  t.diagnostic(`B listens again on backend ${reconnected.pid} (was ${listenerB.pid}); cut ${Date.now() - cutAt} ms ago`)
  const stillA = await listenersOf(a, database)
  assert.deepEqual(stillA.map((l) => l.pid), [listenerA.pid], "A's listening backend was left alone")

  const merged = await waitConverged([...onA, ...onB].map((cl) => cl.doc), {
    timeout: 10_000, what: "B's clients to converge with A's after the cut"
  })
  assertAllWords(merged.situation, merged.agencies, [...wordsA, ...wordsB], 'the converged canvas')
  assert.ok(await logLines(b, /connection listening to the other processes dropped|lost the connection listening/) > 0,
    "B's log says that it lost its listening connection")
  const late = track(c, connectClient(b, id))
  await waitSynced(late)
  assert.deepEqual(snapshot(late.doc), merged, 'a late joiner on B')
})

test('B cut off from PostgreSQL for a while: what A committed meanwhile reaches B\'s clients once B listens again, with nobody writing after', async (t) => {
  const { c, database, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus O-'))
  const [writer, watcherA] = [0, 1].map(() => track(c, connectClient(a, id)))
  const onB = [0, 1].map(() => track(c, connectClient(b, id)))
  await Promise.all([writer, watcherA, ...onB].map((cl) => waitSynced(cl)))
  const before = [...await writeWords(writer, 'voor', { count: 10 }), ...await writeWords(onB[0], 'bvoor', { count: 10 })]
  await waitConverged([writer, watcherA, ...onB].map((cl) => cl.doc), { what: 'everyone to converge before the outage' })

  const [listenerA] = await listenersOf(a, database)
  assert.ok(listenerA, "A's listener")
  const reopen = await cutOff(c, database, b)

  // A writes; its own clients get it once committed, B's cannot.
  const during = await writeWords(writer, 'tijdens', { count: 30 })
  await waitFor(() => during.every((w) => wordsOf(watcherA.doc.getText('situation').toString()).includes(w)), {
    timeout: RELAY_MS, what: "A's words at the other client on A (committed)"
  })
  const atB = wordsOf(onB[1].doc.getText('situation').toString()).filter((w) => w.startsWith('tijdens'))
  assert.deepEqual(atB, [], 'B relayed words while it had no connection to the database')
  assert.deepEqual((await listenersOf(a, database)).map((l) => l.pid), [listenerA.pid], "A's listener was left alone")

  // The database takes connections again; nobody writes any more. Only B reading the log again
  // after it listens again (EventsMissed) can bring A's words to B's clients.
  const reopened = Date.now()
  await reopen()
  const merged = await waitConverged([writer, watcherA, ...onB].map((cl) => cl.doc), {
    timeout: 10_000, what: "B's clients to catch up with what A committed during the outage"
  })
  t.diagnostic(`B's clients caught up ${Date.now() - reopened} ms after the database took connections again`)
  assertAllWords(merged.situation, merged.agencies, [...before, ...during], 'the converged canvas')
  // Its listener reconnected through the retry loop (the eager reconnect of sqlx's PgListener had
  // no connection to be had): the last statement of that backend is not the LISTEN but a probe.
  assert.ok(await logLines(b, /lost the connection listening to the other processes/) > 0,
    "B's log says that it could not listen while cut off")
  assert.ok(await logLines(b, /listening to the other processes again/) > 0, "B's log says that it listens again")
})

// An access change published while a process cannot listen is never heard there. Once it
// listens again (EventsMissed), the process closes every connection with "try again" (1012): each
// client reconnects with whatever access it has now, and a revoked token has none.
test('a token revoked on A while B cannot listen still closes its connection on B once B listens again', async (t) => {
  const { c, database, servers: [a, b] } = await setupCluster(t)
  const { id } = await createCanvas(a, uniqueLabel('Casus R-'))
  const token = await createToken(database.url, DEFAULT_ACCOUNT, { name: 'cluster-uitval' })
  const [row] = await postgresQuery(database.url, 'SELECT id FROM api_tokens WHERE name = $1', ['cluster-uitval'])
  const onB = track(c, connectClient(b, id, { token }))
  const closes = []
  onB.provider.on('connection-close', (event) => closes.push({ code: event?.code, reason: event?.reason }))
  await waitSynced(onB)

  const reopen = await cutOff(c, database, b)
  const res = await postForm(a, `/tokens/${row.id}/intrekken`, {})
  assert.equal(res.status, 303, `POST /tokens/${row.id}/intrekken on A: ${res.body.slice(0, 300)}`)
  await reopen()
  await waitFor(async () => await logLines(b, /listening to the other processes again/) > 0, {
    timeout: RELAY_MS, what: 'B to listen again'
  })
  assert.equal(await syncUpgradeStatus(b, id, { token }), 401, 'the revoked token on B, for a new connection')
  await waitFor(() => closes.length > 0, {
    timeout: 10_000, what: "the revoked token's connection on B to close after B listens again",
    detail: () => `wsconnected=${onB.provider.wsconnected}`
  })
  onB.provider.disconnect()
  assert.equal(closes[0].code, SERVICE_RESTART, `closed with ${JSON.stringify(closes[0])}`)
})

// The demo's seed looks before it inserts (a province, gemeente, team, account or canvas by
// name or id) in several transactions; before it was held to one process at a time (an advisory
// lock around it), the process that inserted second met a unique key and exited before it
// listened ("Fout: seeding the demo: already exists", in 10 of 11 runs).
test('two processes started at the same moment with --demo on one empty database: both serve, and the demo is seeded once', async (t) => {
  const c = cleanups()
  t.after(() => c.run())
  const tmp = await makeTempDir('doorbraak-cluster-')
  c.add(tmp.cleanup)
  const start = (database, name) => startServer({ dbDir: tmp.dir, databaseUrl: database.url, name: `${name}-${t.name}` })

  // What one process alone seeds, on a database of its own.
  const alone = await makePostgresDatabase()
  c.add(() => alone.drop())
  const single = await start(alone, 'single')
  c.add(() => single.stop())
  await waitArchivesIndexed(alone.url)
  const expected = await rowCounts(alone.url)
  const reader = track(c, connectClient(single, DEMO_CANVAS_ID))
  await waitSynced(reader)
  const demoCanvas = snapshot(reader.doc)
  reader.destroy()
  await single.stop()
  t.diagnostic(`one process alone seeds: accounts=${expected.accounts} canvases=${expected.canvases} teams=${expected.teams} meetings=${expected.meetings}`)

  // Two processes on one empty database, spawned in the same tick: both migrate and seed at once.
  const shared = await makePostgresDatabase()
  c.add(() => shared.drop())
  const outcomes = await Promise.allSettled([start(shared, 'A'), start(shared, 'B')])
  const servers = outcomes.filter((o) => o.status === 'fulfilled').map((o) => o.value)
  for (const server of servers) c.add(() => server.stop())
  const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => o.reason.message)
  assert.deepEqual(failures, [], 'both processes print their listening line')
  const [a, b] = servers

  // Either may still be seeding or indexing when both listen: wait until the rows are what one
  // process alone seeds (and check again at the end that nothing was added later).
  await waitFor(async () => Object.keys(countsDiffer(await rowCounts(shared.url), expected)).length === 0, {
    timeout: 10_000, what: 'the rows of every table to be what one process alone seeds',
    detail: async () => countsDiffer(await rowCounts(shared.url), expected)
  })
  for (const server of servers) {
    const res = await getCanvas(server, DEMO_CANVAS_ID)
    assert.equal(res.status, 200, `GET /api/canvases/${DEMO_CANVAS_ID} on ${server.baseUrl}`)
    const client = track(c, connectClient(server, DEMO_CANVAS_ID))
    await waitSynced(client)
    assert.deepEqual(snapshot(client.doc), demoCanvas, `the demo canvas on ${server.baseUrl}, as one process alone seeds it`)
  }
  assert.deepEqual((await getJson(a, '/api/canvases')).body, (await getJson(b, '/api/canvases')).body,
    'the canvases the aanjager sees, on A and on B')
  // The audit log has the reads above in it by now; every other table is as it was.
  const differ = countsDiffer(await rowCounts(shared.url), expected)
  delete differ.audit_log
  assert.deepEqual(differ, {}, 'tables whose rows differ from one process alone, after the reads')
  for (const server of servers) assert.deepEqual(await errorLines(server), [], `errors in the log of ${server.baseUrl}`)
})
