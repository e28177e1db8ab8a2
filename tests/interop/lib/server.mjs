// Helpers for the interop tests: start/stop the Doorbraak binary, talk to its HTTP API, connect
// official y-websocket clients, and wait on conditions without fixed sleeps.

import { spawn } from 'node:child_process'
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

/** Every server process this test process started; killed on exit as a last resort. */
const liveProcesses = new Set()
process.on('exit', () => {
  for (const proc of liveProcesses) {
    try { proc.kill('SIGKILL') } catch {}
  }
})

let logCounter = 0

/**
 * A fresh temporary directory for a database. Removed by the returned `cleanup`.
 * @param {string} [prefix]
 */
export async function makeTempDir (prefix = 'doorbraak-interop-') {
  const dir = await mkdtemp(path.join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** The `--database-url` for a database file inside `dbDir`. */
export function databaseUrlFor (dbDir) {
  return `sqlite://${path.join(dbDir, 'doorbraak.db')}`
}

/**
 * Start `doorbraak serve` on a free loopback port with its database in `dbDir`.
 * Resolves once the server printed its `doorbraak listening on http://127.0.0.1:PORT` line.
 *
 * @param {object} opts
 * @param {string} opts.dbDir directory holding doorbraak.db (reuse it to restart on the same db)
 * @param {string[]} [opts.extraArgs] further flags, e.g. ['--awareness-timeout-secs', '5']
 * @param {number} [opts.startTimeout] ms to wait for the listening line
 * @param {string} [opts.name] label for the log file in .out/
 */
export async function startServer ({ dbDir, extraArgs = [], startTimeout = 20_000, name = 'server' }) {
  const bin = binaryPath()
  if (!existsSync(bin)) {
    throw new Error(`Doorbraak binary not found at ${bin}: build it first (cargo build) or set DOORBRAAK_BIN`)
  }
  const databaseUrl = databaseUrlFor(dbDir)
  const args = ['serve', '--bind', '127.0.0.1:0', '--database-url', databaseUrl, ...extraArgs]

  mkdirSync(outDir, { recursive: true })
  const safeName = name.replace(/[^A-Za-z0-9_.-]+/g, '_').slice(0, 80)
  const logPath = path.join(outDir, `${process.pid}-${++logCounter}-${safeName}.log`)
  const logFile = createWriteStream(logPath)
  logFile.write(`$ ${bin} ${args.join(' ')}\n`)

  const proc = spawn(bin, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { RUST_LOG: process.env.RUST_LOG || 'info', NO_COLOR: '1', ...process.env }
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

  const server = {
    proc,
    pid: proc.pid,
    port,
    databaseUrl,
    logPath,
    baseUrl: `http://127.0.0.1:${port}`,
    /** Base URL for WebsocketProvider: the canvas id is appended as the room name. */
    syncUrl: `ws://127.0.0.1:${port}/sync`,
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
 * POST /api/canvases. Returns the parsed JSON body (with `id`); asserts 201.
 * @param {string} baseUrl
 * @param {string} label anonymous short text, e.g. "Casus T-17"
 */
export async function createCanvas (baseUrl, label) {
  const res = await fetch(`${baseUrl}/api/canvases`, {
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
 * GET /api/canvases/{id}. Returns { status, body } (body parsed as JSON when possible).
 */
export async function getCanvas (baseUrl, id) {
  const res = await fetch(`${baseUrl}/api/canvases/${encodeURIComponent(id)}`)
  const text = await res.text()
  let body = text
  try { body = JSON.parse(text) } catch {}
  return { status: res.status, body }
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
 * A y-websocket client: a fresh Y.Doc with a WebsocketProvider on `server.syncUrl`/`canvasId`.
 * BroadcastChannel is disabled so that clients in this one process can only sync via the server.
 *
 * @param {{ syncUrl: string } | string} server a started server or a sync base URL
 * @param {string} canvasId
 * @param {object} [opts] extra WebsocketProvider options (params, connect, WebSocketPolyfill, ...)
 */
export function connectClient (server, canvasId, opts = {}) {
  const syncUrl = typeof server === 'string' ? server : server.syncUrl
  const doc = new Y.Doc()
  const provider = new WebsocketProvider(syncUrl, canvasId, doc, {
    WebSocketPolyfill: WebSocket,
    disableBc: true,
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
