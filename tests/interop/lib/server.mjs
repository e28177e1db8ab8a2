// Helpers for the interop tests: start/stop the Doorbraak binary, talk to its HTTP API, connect
// official y-websocket clients, and wait on conditions without fixed sleeps.

import { execFile, spawn } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

import WebSocket from 'ws'
import * as Y from 'yjs'
import { WebsocketProvider } from 'y-websocket'

export { WebSocket, Y, WebsocketProvider }

const here = path.dirname(fileURLToPath(import.meta.url))
/** tests/interop */
export const interopDir = path.resolve(here, '..')
/** The repository root: two levels up from tests/interop. */
export const repoRoot = path.resolve(interopDir, '..', '..')
/** Where server logs of a run are kept (git-ignored). */
export const outDir = path.join(interopDir, '.out')

/** Path of the server binary under test. */
export function binaryPath () {
  return process.env.DOORBRAAK_BIN || path.join(repoRoot, 'target', 'debug', 'doorbraak')
}

/** The password of every account `--demo` seeds. */
export const DEMO_PASSWORD = 'doorbraak-demo'
/** The accounts `--demo` seeds, by role. */
export const DEMO_ACCOUNTS = Object.freeze({
  aanjager: 'aanjager@demo.doorbraak.nl',
  projectleider: 'projectleider@demo.doorbraak.nl',
  teamlid: 'teamlid@demo.doorbraak.nl',
  inbrenger: 'inbrenger@demo.doorbraak.nl',
  nijmegen: 'nijmegen@demo.doorbraak.nl',
  coach: 'coach@demo.doorbraak.nl',
  pmm: 'pmm@demo.doorbraak.nl',
  beheerder: 'beheerder@demo.doorbraak.nl'
})
/**
 * The members of "Doorbraakteam Arnhem", who may edit the canvases of their team. Tests that
 * need several people use them in this order; the first is the default account of every helper:
 * it may create canvases, and its team is the only one it is in, so the server knows which team.
 */
export const ARNHEM_MEMBERS = Object.freeze([
  DEMO_ACCOUNTS.aanjager, DEMO_ACCOUNTS.projectleider, DEMO_ACCOUNTS.teamlid, DEMO_ACCOUNTS.inbrenger
])
export const DEFAULT_ACCOUNT = ARNHEM_MEMBERS[0]
/** The scooter canvas `--demo` seeds, of team Arnhem. */
export const DEMO_CANVAS_ID = '5c00de70-0000-4000-8000-00000000d3e0'
/** "Demo: Casus N-3", of team Nijmegen: the Arnhem members may not see it. */
export const NIJMEGEN_CANVAS_ID = '5c00de70-0000-4000-8000-00000000d3e1'

/** Every server process this test process started; killed on exit as a last resort. */
const liveProcesses = new Set()
process.on('exit', () => {
  for (const proc of liveProcesses) {
    try { proc.kill('SIGKILL') } catch {}
  }
})

let logCounter = 0

/**
 * Which database the servers of this run use: `sqlite` (the default, a file per test) or
 * `postgres` (DOORBRAAK_TEST_BACKEND=postgres: a fresh PostgreSQL database per test, dropped
 * afterwards, on the server DOORBRAAK_TEST_POSTGRES_URL names).
 */
export const BACKEND = process.env.DOORBRAAK_TEST_BACKEND === 'postgres' ? 'postgres' : 'sqlite'

/** The PostgreSQL server the tests create their databases on. */
export const POSTGRES_URL = process.env.DOORBRAAK_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test'

/** PostgreSQL databases by the temporary directory they belong to. */
const postgresDatabases = new Map()

/**
 * A fresh PostgreSQL database on POSTGRES_URL's server; `drop` removes it (closing whatever is
 * still connected to it).
 */
export async function makePostgresDatabase () {
  const { default: pg } = await import('pg')
  const name = `doorbraak_js_${process.pid}_${Date.now()}_${Math.floor(Math.random() * 1e6)}`
  const admin = new pg.Client({ connectionString: POSTGRES_URL })
  await admin.connect()
  try {
    await admin.query(`CREATE DATABASE ${name}`)
  } finally {
    await admin.end()
  }
  const url = new URL(POSTGRES_URL)
  url.pathname = `/${name}`
  return {
    name,
    url: url.toString(),
    async drop () {
      const client = new pg.Client({ connectionString: POSTGRES_URL })
      await client.connect()
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
      } finally {
        await client.end()
      }
    }
  }
}

/** Runs one SQL statement on the database at `url` (PostgreSQL); resolves with its rows. */
export async function postgresQuery (url, sql, params = []) {
  const { default: pg } = await import('pg')
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql, params)).rows
  } finally {
    await client.end()
  }
}

/**
 * A fresh temporary directory for a database, and on PostgreSQL a fresh database that belongs
 * to it. Both are removed by the returned `cleanup`.
 * @param {string} [prefix]
 */
export async function makeTempDir (prefix = 'doorbraak-interop-') {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  const database = BACKEND === 'postgres' ? await makePostgresDatabase() : null
  if (database) postgresDatabases.set(dir, database.url)
  return {
    dir,
    async cleanup () {
      await rm(dir, { recursive: true, force: true })
      if (database) {
        postgresDatabases.delete(dir)
        await database.drop()
      }
    }
  }
}

/** The `--database-url` of the database that belongs to `dbDir`: a file inside it on SQLite. */
export function databaseUrlFor (dbDir) {
  return postgresDatabases.get(dbDir) ?? `sqlite://${path.join(dbDir, 'doorbraak.db')}`
}

/**
 * `doorbraak token create`: a new personal access token of the account `email` in the database
 * at `databaseUrl` (the server may be running on it). Resolves with the token (dbk_ + 64 hex).
 */
export async function createToken (databaseUrl, email, { name = 'interop' } = {}) {
  const args = ['token', 'create', '--email', email, '--name', name, '--database-url', databaseUrl]
  const stdout = await new Promise((resolve, reject) => {
    execFile(binaryPath(), args, {
      timeout: 20_000,
      env: { RUST_LOG: 'warn', NO_COLOR: '1', ...process.env }
    }, (err, out, errOut) => {
      if (err) reject(new Error(`doorbraak ${args.join(' ')} failed: ${err.message}\nstderr:\n${errOut}`))
      else resolve(out)
    })
  })
  const token = stdout.trim()
  if (!/^dbk_[0-9a-f]{64}$/.test(token)) {
    throw new Error(`doorbraak token create printed no token: ${JSON.stringify(stdout)}`)
  }
  return token
}

/**
 * Tokens by database and account, so that a server restarted on the same database (whose tokens
 * persist) reuses them, and clients made before the restart keep working against the new one.
 */
const tokenCache = new Map()

/** A token of `email` in the database at `databaseUrl`, created once per database and account. */
function cachedToken (databaseUrl, email) {
  const key = `${databaseUrl}\n${email}`
  let token = tokenCache.get(key)
  if (!token) {
    token = createToken(databaseUrl, email, { name: 'interop-tests' })
    // A failed creation must not stick: the next call tries again.
    token.catch(() => tokenCache.delete(key))
    tokenCache.set(key, token)
  }
  return token
}

/**
 * Start `doorbraak serve` on a free loopback port with its database in `dbDir`.
 * Resolves once the server printed its `doorbraak listening on http://127.0.0.1:PORT` line and a
 * token of the default account (the Arnhem aanjager) exists: `server.token`. Always with `--demo`,
 * which seeds the demo accounts and canvases (see DEMO_ACCOUNTS); `server.tokenFor(email)` gives
 * a token of any of them. Every HTTP and WebSocket helper here authenticates with `server.token`
 * unless told otherwise.
 *
 * @param {object} opts
 * @param {string} opts.dbDir directory holding doorbraak.db (reuse it to restart on the same db)
 * @param {string} [opts.databaseUrl] the database, if not the one that belongs to `dbDir` (several
 *   processes on one PostgreSQL database)
 * @param {string[]} [opts.extraArgs] further flags, e.g. ['--awareness-timeout-secs', '5']
 * @param {number} [opts.startTimeout] ms to wait for the listening line
 * @param {string} [opts.name] label for the log file in .out/
 * @param {Record<string, string>} [opts.env] environment variables of this process only, over the
 *   test's own (e.g. { RUST_LOG: 'info,doorbraak::sync=debug' } for log lines a test counts)
 */
export async function startServer ({ dbDir, databaseUrl = databaseUrlFor(dbDir), extraArgs = [], startTimeout = 20_000, name = 'server', env = {} }) {
  const bin = binaryPath()
  if (!existsSync(bin)) {
    throw new Error(`Doorbraak binary not found at ${bin}: build it first (cargo build) or set DOORBRAAK_BIN`)
  }
  // Without --demo there would be no account to authenticate as. (clap refuses the flag twice.)
  const demo = extraArgs.includes('--demo') ? [] : ['--demo']
  const args = ['serve', ...demo, '--bind', '127.0.0.1:0', '--database-url', databaseUrl, ...extraArgs]

  mkdirSync(outDir, { recursive: true })
  const safeName = name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)
  const logPath = path.join(outDir, `${process.pid}-${++logCounter}-${safeName}.log`)
  const logFile = createWriteStream(logPath)
  logFile.write(`$ ${bin} ${args.join(' ')}\n`)

  const proc = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { RUST_LOG: process.env.RUST_LOG || 'info', NO_COLOR: '1', ...process.env, ...env }
  })
  liveProcesses.add(proc)

  let stderr = ''
  proc.stderr.setEncoding('utf8')
  proc.stderr.on('data', (chunk) => {
    // Keep the tail in memory for error messages; the full log goes to the file.
    stderr = (stderr + chunk).slice(-20_000)
    logFile.write(chunk)
  })

  let exitInfo = null
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => {
      exitInfo = { code, signal }
      liveProcesses.delete(proc)
      resolve(exitInfo)
    })
  })
  // Close the log once both the process and its stderr are finished.
  proc.on('close', () => logFile.end())

  // If it never got ready, stop it and let go of its pipes (a grandchild may still hold them).
  const abandon = () => {
    proc.kill('SIGKILL')
    proc.stdout.destroy()
    proc.stderr.destroy()
  }
  const port = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: proc.stdout })
    const timer = setTimeout(() => {
      abandon()
      reject(new Error(`doorbraak did not print its listening line within ${startTimeout} ms.\nstderr:\n${stderr}`))
    }, startTimeout)
    rl.on('line', (line) => {
      logFile.write(`[stdout] ${line}\n`)
      const m = /^doorbraak listening on http:\/\/127\.0\.0\.1:(\d+)\s*$/.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(Number(m[1]))
      }
    })
    proc.on('error', (err) => {
      clearTimeout(timer)
      abandon()
      reject(new Error(`could not start ${bin}: ${err.message}`))
    })
    exited.then(({ code, signal }) => {
      clearTimeout(timer)
      // Give stderr a moment to drain into the buffer before reporting it.
      setImmediate(() => reject(new Error(
        `doorbraak exited (code ${code}, signal ${signal}) before it was listening.\nstderr:\n${stderr}`)))
    })
  })

  let token
  try {
    token = await cachedToken(databaseUrl, DEFAULT_ACCOUNT)
  } catch (err) {
    abandon()
    throw err
  }

  const server = {
    proc,
    pid: proc.pid,
    port,
    databaseUrl,
    logPath,
    baseUrl: `http://127.0.0.1:${port}`,
    /** Base URL for WebsocketProvider: the canvas id is appended as the room name. */
    syncUrl: `ws://127.0.0.1:${port}/sync`,
    /** A personal access token of DEFAULT_ACCOUNT (the Arnhem aanjager). */
    token,
    /** A token of the account `email` (created once per database, then reused). */
    tokenFor (email) {
      return cachedToken(databaseUrl, email)
    },
    get stderr () { return stderr },
    get exitInfo () { return exitInfo },
    exited,
    /**
     * Stop with `signal` and wait for the exit; SIGKILL if it takes longer than `timeout`.
     * Resolves with { code, signal, forced }.
     */
    async stop ({ signal = 'SIGTERM', timeout = 10_000 } = {}) {
      if (exitInfo) return { ...exitInfo, forced: false }
      proc.kill(signal)
      let timer
      const timedOut = new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeout) })
      const first = await Promise.race([exited, timedOut])
      clearTimeout(timer)
      if (first === 'timeout') {
        proc.kill('SIGKILL')
        return { ...(await exited), forced: true }
      }
      return { ...first, forced: false }
    },
    /** kill -9 and wait for the exit. */
    async kill () {
      if (exitInfo) return exitInfo
      proc.kill('SIGKILL')
      return exited
    }
  }
  return server
}

/**
 * `fetch(server.baseUrl + urlPath)` with `Authorization: Bearer <token>`: the server's default
 * token unless `token` is given (null sends no credentials).
 *
 * @param {{ baseUrl: string, token: string }} server a started server
 * @param {string} urlPath e.g. '/api/canvases'
 * @param {RequestInit & { token?: string | null }} [init]
 */
export function apiFetch (server, urlPath, { token = server.token, headers = {}, ...init } = {}) {
  if (typeof server !== 'object' || typeof server.baseUrl !== 'string') {
    throw new TypeError('pass the server (from startServer/setupServer), not its URL: requests need its token')
  }
  const auth = token ? { authorization: `Bearer ${token}` } : {}
  return fetch(server.baseUrl + urlPath, { ...init, headers: { ...auth, ...headers } })
}

/**
 * Plan an overleg of team `team` on `date` (jjjj-mm-dd) at `time` (uu:mm, Dutch time) as the
 * aanjager, chaired by the first chair the planning form offers. Resolves with its id.
 */
export async function planMeeting (server, team, date, time) {
  const form = await (await apiFetch(server, `/teams/${team}/overleggen`)).text()
  const chair = /name="voorzitter"[^>]*>\s*<option value="(\d+)"/.exec(form)
  if (!chair) throw new Error(`no chair on the planning form of team ${team}`)
  const body = new URLSearchParams({ datum: date, tijd: time, duur: '120', plaats: 'Stadhuis', voorzitter: chair[1] })
  const res = await apiFetch(server, `/teams/${team}/overleggen`, {
    method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body
  })
  const location = res.headers.get('location') || ''
  const id = /^\/overleggen\/(\d+)$/.exec(location)
  if (res.status !== 303 || !id) throw new Error(`planning an overleg answered ${res.status}: ${await res.text()}`)
  return id[1]
}

/**
 * POST /api/canvases. Returns the parsed JSON body (with `id`); asserts 201.
 * @param {{ baseUrl: string, token: string }} server a started server
 * @param {string} label anonymous short text, e.g. "Casus T-17"
 * @param {{ token?: string | null }} [opts] another account's token (default: the aanjager's)
 */
export async function createCanvas (server, label, { token } = {}) {
  const res = await apiFetch(server, '/api/canvases', {
    token,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ label })
  })
  const text = await res.text()
  if (res.status !== 201) {
    throw new Error(`POST /api/canvases (label ${JSON.stringify(label)}) returned ${res.status}: ${text}`)
  }
  const body = JSON.parse(text)
  if (typeof body.id !== 'string' || body.id.length === 0) {
    throw new Error(`POST /api/canvases returned no string id: ${text}`)
  }
  return body
}

/**
 * GET `urlPath` with the server's token (or `token`). Returns { status, body } (body parsed as
 * JSON when possible).
 */
export async function getJson (server, urlPath, { token } = {}) {
  const res = await apiFetch(server, urlPath, { token })
  const text = await res.text()
  let body = text
  try { body = JSON.parse(text) } catch {}
  return { status: res.status, body }
}

/**
 * GET /api/canvases/{id}. Returns { status, body } (body parsed as JSON when possible).
 */
export function getCanvas (server, id, { token } = {}) {
  return getJson(server, `/api/canvases/${encodeURIComponent(id)}`, { token })
}

/**
 * Try a WebSocket upgrade of `url` (no y-websocket protocol, just the handshake), with extra
 * request `headers`. Resolves with the HTTP status of a refusal, or 101 when it was accepted;
 * the socket is closed either way.
 */
export function upgradeStatus (url, { headers = {}, timeout = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers })
    const timer = setTimeout(() => { ws.terminate(); reject(new Error(`no answer to the upgrade of ${url} within ${timeout} ms`)) }, timeout)
    ws.on('unexpected-response', (_req, res) => {
      clearTimeout(timer)
      res.resume()
      ws.terminate()
      resolve(res.statusCode)
    })
    ws.on('open', () => {
      clearTimeout(timer)
      ws.terminate()
      resolve(101)
    })
    ws.on('error', () => {}) // reported through the events above
  })
}

/** The sync URL of canvas `canvasId` (tokens never go in it: see `syncUpgradeStatus`). */
export function syncUrlFor (server, canvasId) {
  return `${server.syncUrl}/${encodeURIComponent(canvasId)}`
}

/**
 * The HTTP status of an upgrade of canvas `canvasId`'s socket, authenticated the way scripts
 * that can set headers do: `Authorization: Bearer` with `token` (default: the server's; null:
 * none), plus extra `headers`.
 */
export function syncUpgradeStatus (server, canvasId, { token = server.token, headers = {} } = {}) {
  const auth = token ? { Authorization: `Bearer ${token}` } : {}
  return upgradeStatus(syncUrlFor(server, canvasId), { headers: { ...auth, ...headers } })
}

/**
 * POST /api/canvases/{id}/ticket with `token`: a single-use ticket of about a minute for
 * `?ticket=` on that canvas's socket, for WebSocket clients that cannot set headers.
 */
export async function fetchTicket (server, canvasId, { token = server.token } = {}) {
  const res = await apiFetch(server, `/api/canvases/${encodeURIComponent(canvasId)}/ticket`, {
    token,
    method: 'POST'
  })
  const text = await res.text()
  if (res.status !== 200) throw new Error(`POST .../ticket returned ${res.status}: ${text}`)
  return JSON.parse(text).ticket
}

/** A WebSocket class for the provider's `WebSocketPolyfill` that sends `token` as a header. */
export function bearerWebSocket (token) {
  return class BearerWebSocket extends WebSocket {
    constructor (url, protocols) {
      super(url, protocols, { headers: { Authorization: `Bearer ${token}` } })
    }
  }
}

/**
 * Poll `predicate` (sync or async) until it returns a truthy value, which is returned.
 * Rejects after `timeout` ms with a message naming `what`, plus `detail()` if given.
 *
 * @template T
 * @param {() => T | Promise<T>} predicate
 * @param {{ timeout?: number, interval?: number, what?: string, detail?: () => any }} [opts]
 * @returns {Promise<T>}
 */
export async function waitFor (predicate, { timeout = 10_000, interval = 10, what = 'condition', detail } = {}) {
  const deadline = Date.now() + timeout
  let lastError
  for (;;) {
    try {
      const value = await predicate()
      if (value) return value
    } catch (err) {
      lastError = err
    }
    if (Date.now() >= deadline) {
      let msg = `timed out after ${timeout} ms waiting for ${what}`
      if (lastError) msg += `\nlast error: ${lastError.stack || lastError}`
      if (detail) {
        let d
        try { d = await detail() } catch (err) { d = `(detail failed: ${err})` }
        msg += `\n${typeof d === 'string' ? d : JSON.stringify(d, null, 2)}`
      }
      throw new Error(msg)
    }
    await new Promise((resolve) => setTimeout(resolve, interval))
  }
}

/**
 * A y-websocket client: a fresh Y.Doc with a WebsocketProvider on `server.syncUrl`/`canvasId`,
 * authenticated with `Authorization: Bearer` through the provider's `WebSocketPolyfill` (Node's
 * `ws` can set headers; tokens never go in the URL).
 * BroadcastChannel is disabled so that clients in this one process can only sync via the server.
 *
 * @param {{ syncUrl: string, token: string }} server a started server
 * @param {string} canvasId
 * @param {object} [opts] extra WebsocketProvider options (params, connect, WebSocketPolyfill, ...);
 *   `token`: another token than the server's default one (null: none)
 */
export function connectClient (server, canvasId, { token = server.token, params = {}, ...opts } = {}) {
  if (typeof server !== 'object' || typeof server.syncUrl !== 'string') {
    throw new TypeError('pass the server (from startServer/setupServer), not its URL: clients need its token')
  }
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(server.syncUrl, canvasId, doc, {
    WebSocketPolyfill: token ? bearerWebSocket(token) : WebSocket,
    disableBc: true,
    params,
    ...opts
  })
  let destroyed = false
  return {
    doc,
    provider,
    awareness: provider.awareness,
    /** Destroy provider and doc (which also stops the awareness timer). Idempotent. */
    destroy () {
      if (destroyed) return
      destroyed = true
      provider.destroy()
      doc.destroy()
    }
  }
}

/** Wait until the provider has completed the initial sync (received sync step 2). */
export function waitSynced (client, { timeout = 10_000, what = 'client to sync' } = {}) {
  return waitFor(() => client.provider.synced, {
    timeout,
    what,
    detail: () => `wsconnected=${client.provider.wsconnected} wsconnecting=${client.provider.wsconnecting} url=${client.provider.url}`
  })
}

const TEXT_ROOTS = ['situation', 'future', 'overview', 'breakthrough', 'systemProblem', 'involvement', 'legitimacy']
const ARRAY_ROOTS = ['actions', 'returnLines', 'agencies', 'regulations']
const MAP_ROOTS = ['meta', 'lifeAreas', 'policyDomains']

/**
 * A plain JSON snapshot of every root type of the canvas schema (for equality checks).
 * @param {Y.Doc} doc
 */
export function snapshot (doc) {
  const out = {}
  for (const name of TEXT_ROOTS) out[name] = doc.getText(name).toString()
  for (const name of ARRAY_ROOTS) out[name] = doc.getArray(name).toJSON()
  for (const name of MAP_ROOTS) out[name] = doc.getMap(name).toJSON()
  return out
}

/** JSON with object keys sorted, so that equal content gives equal strings. */
export function stableStringify (value) {
  return JSON.stringify(value, (_key, v) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.keys(v).sort().map((k) => [k, v[k]]))
    }
    return v
  })
}

/** Canonical string of a doc's content (see `snapshot`). */
export function contentOf (doc) {
  return stableStringify(snapshot(doc))
}

/**
 * Wait until all `docs` have identical content and identical state vectors; returns the content.
 */
export async function waitConverged (docs, { timeout = 10_000, what = 'clients to converge' } = {}) {
  await waitFor(() => {
    const c0 = contentOf(docs[0])
    const sv0 = stateVector(docs[0])
    return docs.every((d) => contentOf(d) === c0 && stateVector(d) === sv0)
  }, {
    timeout,
    what,
    detail: () => docs.map((d, i) => `doc ${i}: sv=${stateVector(d)} content=${contentOf(d).slice(0, 600)}`).join('\n')
  })
  return snapshot(docs[0])
}

/** Base64 of the state vector, to compare which updates two docs have integrated. */
export function stateVector (doc) {
  return Buffer.from(Y.encodeStateVector(doc)).toString('base64')
}

/**
 * Run cleanup callbacks in reverse order of registration, even if some throw.
 * Usage: const c = cleanups(); t.after(() => c.run()); c.add(() => ...)
 */
export function cleanups () {
  const fns = []
  return {
    add (fn) { fns.push(fn); return fn },
    async run () {
      const errors = []
      while (fns.length > 0) {
        const fn = fns.pop()
        try { await fn() } catch (err) { errors.push(err) }
      }
      if (errors.length > 0) throw new AggregateError(errors, 'cleanup failed')
    }
  }
}

/**
 * Convenience for a test: a temp db dir, a started server, and cleanup registered on `t`.
 * Returns { dbDir, server, restart(), c } where `c` collects further cleanups.
 * `restart({ signal })` stops the current server (SIGTERM by default, 'SIGKILL' for kill -9) and
 * starts a new one on the same database; `env.server` then points at the new one.
 */
export async function setupServer (t, { extraArgs = [], name } = {}) {
  const c = cleanups()
  t.after(() => c.run())
  const tmp = await makeTempDir()
  c.add(tmp.cleanup)
  const env = {
    dbDir: tmp.dir,
    c,
    server: null,
    async restart ({ signal = 'SIGTERM' } = {}) {
      const old = env.server
      const exit = signal === 'SIGKILL' ? await old.kill() : await old.stop({ signal })
      env.server = await startServer({ dbDir: tmp.dir, extraArgs, name: `${name || t.name}-restart` })
      const s = env.server
      c.add(() => s.stop())
      return exit
    }
  }
  env.server = await startServer({ dbDir: tmp.dir, extraArgs, name: name || t.name })
  const first = env.server
  c.add(() => first.stop())
  return env
}

/**
 * Register a client's destroy on the cleanup list and return the client.
 */
export function track (c, client) {
  c.add(() => client.destroy())
  return client
}

/**
 * Subtests that build on each other: `const step = steps(t)`, then `await step(name, fn)`. Once
 * one fails, the rest are skipped instead of each waiting for its own time-outs.
 */
export function steps (t) {
  let failed = false
  return (name, fn) => t.test(name, async (st) => {
    if (failed) return st.skip('an earlier step failed')
    try {
      await fn(st)
    } catch (err) {
      failed = true
      throw err
    }
  })
}

/**
 * POST `fields` form-encoded to `urlPath` as the server's pages do (with the server's token, or
 * `token`; a token needs no CSRF field), without following the redirect. Returns { status,
 * location, body }.
 */
export async function postForm (server, urlPath, fields, { token } = {}) {
  const res = await apiFetch(server, urlPath, {
    token,
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString()
  })
  return { status: res.status, location: res.headers.get('location'), body: await res.text() }
}

/**
 * Move canvas `id` through the statuses `path` (codes, e.g. ['concept', 'ingebracht',
 * 'in_behandeling']) with POST /canvases/{id}/status; asserts each step's 303.
 */
export async function moveCanvas (server, id, path, { token } = {}) {
  for (let i = 1; i < path.length; i++) {
    const res = await postForm(server, `/canvases/${encodeURIComponent(id)}/status`,
      { van: path[i - 1], naar: path[i] }, { token })
    if (res.status !== 303) {
      throw new Error(`POST /canvases/${id}/status van=${path[i - 1]} naar=${path[i]} answered ${res.status}: ${res.body.slice(0, 500)}`)
    }
  }
}

/** Statuses from a new canvas to one the team works on (and may escalate). */
export const TO_IN_BEHANDELING = Object.freeze(['concept', 'ingebracht', 'in_behandeling'])

/**
 * POST /canvases/{id}/opschalen: escalate canvas `id` to `level` (directie, coach or pmm) with
 * `question`, as the holder of `token`; asserts the 303.
 */
export async function escalateCanvas (server, id, level, question, { token } = {}) {
  const res = await postForm(server, `/canvases/${encodeURIComponent(id)}/opschalen`, { naar: level, vraag: question }, { token })
  if (res.status !== 303) {
    throw new Error(`POST /canvases/${id}/opschalen naar=${level} answered ${res.status}: ${res.body.slice(0, 500)}`)
  }
}

let labelCounter = 0
/** An anonymous label no other canvas of this run has, e.g. "Casus E-4821": `prefix` + a number. */
export function uniqueLabel (prefix = 'Casus E-') {
  labelCounter++
  return `${prefix}${(process.pid % 9000) + 1000 + labelCounter}`
}
