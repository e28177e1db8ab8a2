// Helpers for tests that drive pages in Debian's headless Chromium (playwright-core): launch the
// browser, choose where pages load from, sign in, open a page while collecting its errors, read
// what the canvas page shows, wait on conditions in a page, and save screenshots under .out/.
//
// Every page of the server but /inloggen needs a signed-in account: openPage signs each new
// browser context in (through the real sign-in form) as one of the demo accounts that
// `startServer` always seeds, by default the Arnhem aanjager.
//
// The binary embeds web/dist at compile time; pageOrigin fails at once when it serves another
// bundle than web/dist holds (rebuild the binary after `node web/build.mjs`). For front-end work
// without rebuilding, WEB_DIST=<dir> puts a loopback proxy in front of the server that serves
// /assets/app.js and /assets/app.css from <dir> (e.g. ../../web/dist) and passes everything else,
// WebSocket included, through unchanged.
//
// Chromium is Debian's (/usr/bin/chromium or $CHROMIUM_PATH); no browser is ever downloaded.

import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { mkdir, readFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'

import { chromium } from 'playwright-core'

import { ARNHEM_MEMBERS, DEFAULT_ACCOUNT, DEMO_CANVAS_ID, DEMO_PASSWORD, outDir, repoRoot, waitFor } from './server.mjs'

export { DEMO_CANVAS_ID }

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // The network is closed: keep Chromium from trying to reach anything but our loopback servers.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--font-render-hinting=none',
  // Dutch formats in date inputs, as users of the product see them.
  '--lang=nl-NL'
]
/** Time for one condition to come true in a page. */
export const WAIT_MS = 5000
/** Time for a page to load, sync and show "Verbonden". */
export const CONNECT_MS = 15_000
export const VIEWPORT = { width: 1280, height: 900 }
const DIST_DIR = path.join(repoRoot, 'web', 'dist')
const ASSETS = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' }
}

/** Launch Debian's Chromium; fails (does not skip) with a clear message when it is missing. */
export async function launchChromium () {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}. Install Debian's package ` +
      '(apt-get install --no-install-recommends chromium; scripts/test.sh does this) ' +
      'or set CHROMIUM_PATH to a Chromium executable.')
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/**
 * A loopback proxy in front of the server at `upstream()` (read per request, so it survives a
 * server restart on a new port while the pages keep their origin, and with it their IndexedDB).
 * With `distDir` it serves the two assets from there; `local(req, res)` may answer a request
 * itself (it returns true when it did). Everything else, WebSocket upgrades included, passes
 * through unchanged, Host and Origin headers too: pages on the proxy's origin are same-origin
 * to the server. Resolves with { origin, close() }.
 */
export async function proxyTo (upstream, { distDir = null, local = null } = {}) {
  const target = () => new URL(upstream())
  const tunnels = new Set()
  const server = http.createServer(async (req, res) => {
    if (local && local(req, res)) return
    const asset = distDir && req.method === 'GET' ? ASSETS[new URL(req.url, 'http://x').pathname] : undefined
    if (asset) {
      try {
        const body = await readFile(path.join(distDir, asset.file))
        res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'no-cache' }).end(body)
      } catch (err) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err))
      }
      return
    }
    const { hostname, port } = target()
    const up = http.request({ host: hostname, port, method: req.method, path: req.url, headers: req.headers }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.headers)
      // Node holds headers back until the first body chunk; a server-sent-events stream has none
      // until something changes, and the page's EventSource counts as open only with the headers.
      res.flushHeaders()
      upRes.pipe(res)
    })
    up.on('error', () => res.destroy())
    req.pipe(up)
  })
  server.on('upgrade', (req, socket, head) => {
    const { hostname, port } = target()
    const up = net.connect(Number(port), hostname, () => {
      const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`]
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`)
      up.write(lines.join('\r\n') + '\r\n\r\n')
      if (head.length > 0) up.write(head)
      up.pipe(socket)
      socket.pipe(up)
    })
    tunnels.add(socket)
    tunnels.add(up)
    const end = () => {
      socket.destroy()
      up.destroy()
      tunnels.delete(socket)
      tunnels.delete(up)
    }
    up.on('error', end)
    up.on('close', end)
    socket.on('error', end)
    socket.on('close', end)
  })
  await new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    close: () => new Promise((resolve) => {
      for (const s of tunnels) s.destroy()
      server.closeAllConnections()
      server.close(() => resolve())
    })
  }
}

/**
 * Where pages are loaded from: the server itself, after checking that it serves the bundle
 * web/dist holds (fails at once rather than after a row of time-outs); or, with WEB_DIST=<dir>, a
 * proxy serving that directory's assets. `stableOrigin` always puts a proxy in front, for tests
 * that restart the server.
 */
export async function pageOrigin (t, env, { stableOrigin = false } = {}) {
  const distDir = process.env.WEB_DIST ? path.resolve(process.env.WEB_DIST) : null
  if (distDir) {
    t.diagnostic(`WEB_DIST: /assets/app.js and /assets/app.css from ${distDir}`)
  } else {
    for (const [url, { file }] of Object.entries(ASSETS)) {
      const res = await fetch(env.server.baseUrl + url)
      assert.equal(res.status, 200, `GET ${url}`)
      const served = Buffer.from(await res.arrayBuffer())
      const built = await readFile(path.join(DIST_DIR, file))
      assert.ok(served.equals(built),
        `GET ${url} (${served.length} bytes) is not web/dist/${file} (${built.length} bytes): ` +
        'the binary embeds another bundle. Rebuild it (cargo build) after building web/, ' +
        'or run with WEB_DIST=../../web/dist to test web/dist through a proxy.')
    }
    if (!stableOrigin) return env.server.baseUrl
  }
  const proxy = await proxyTo(() => env.server.baseUrl, { distDir })
  env.c.add(proxy.close)
  return proxy.origin
}

/**
 * Sign in through the sign-in form of `origin` in `page`, as a person does: fill in `email` (a
 * demo account; its password is DEMO_PASSWORD) and press "Inloggen", asking to come back to
 * `back`. Resolves with the response of the page the server then sends the browser to (`back`,
 * or "/" without it); the session cookie is then in the page's browser context.
 */
export async function signIn (page, origin, email = DEFAULT_ACCOUNT, { back = null, password = DEMO_PASSWORD } = {}) {
  const query = back ? `?terug=${encodeURIComponent(back)}` : ''
  const form = await page.goto(`${origin}/inloggen${query}`, { waitUntil: 'load', timeout: 10_000 })
  assert.equal(form.status(), 200, `GET /inloggen${query}`)
  const target = new URL(back ?? '/', origin)
  const posted = page.waitForResponse((res) => res.request().method() === 'POST' &&
    new URL(res.url()).pathname === '/inloggen', { timeout: 10_000 })
  const arrived = page.waitForResponse((res) => res.request().isNavigationRequest() &&
    res.request().frame() === page.mainFrame() && res.request().method() === 'GET' &&
    new URL(res.url()).pathname === target.pathname, { timeout: 10_000 })
  // Awaited below; a time-out must not count as unhandled in the meantime.
  posted.catch(() => {})
  arrived.catch(() => {})
  await page.locator('#email').fill(email)
  await page.locator('#password').fill(password)
  await page.getByRole('button', { name: 'Inloggen', exact: true }).click()
  const post = await posted
  if (post.status() !== 303) {
    const body = await post.text().catch(() => '(no body)')
    throw new Error(`signing in as ${email}: POST /inloggen answered ${post.status()} instead of 303: ${body.slice(0, 500)}`)
  }
  const response = await arrived
  await page.waitForURL((url) => url.pathname === target.pathname, { waitUntil: 'load', timeout: 10_000 })
  return response
}

/**
 * Sign browser `context` in as `email` (a demo account) without a page: the sign-in form's
 * fields are posted with the context's own request API, so the session cookie lands in the
 * context. Saves a page load per person; the form itself is driven by access.test.mjs (signIn).
 */
export async function signInContext (context, origin, email = DEFAULT_ACCOUNT, { password = DEMO_PASSWORD } = {}) {
  const res = await context.request.post(`${origin}/inloggen`, {
    form: { email, password, terug: '/' },
    maxRedirects: 0,
    timeout: 10_000
  })
  if (res.status() !== 303) {
    throw new Error(`POST /inloggen as ${email} answered ${res.status()} instead of 303: ${(await res.text()).slice(0, 500)}`)
  }
  const cookies = await context.cookies(origin)
  assert.ok(cookies.some((c) => c.name === 'doorbraak_sessie'), `no session cookie after signing in as ${email}`)
}

/**
 * Open `origin + urlPath` in a new page of `context` (or of a new browser context, signed in as
 * `account` first; `account: null` for pages that need no account), collecting console messages,
 * uncaught errors and CSP violations. Returns { label, context, page, log, errors, extra,
 * response, requests }; `extra` (a function run in the page) adds to what describePage shows,
 * `response` is that of the page finally shown (after any redirect), `requests` lists the
 * { method, pathname } of every HTTP request the page completed.
 */
export async function openPage (browser, origin, urlPath, label, { context = null, extra, account = DEFAULT_ACCOUNT } = {}) {
  const signInFirst = context === null && account !== null
  context ??= await browser.newContext({ viewport: VIEWPORT, locale: 'nl-NL' })
  if (signInFirst) await signInContext(context, origin, account)
  const page = await context.newPage()
  const log = []
  const errors = []
  // Every HTTP request the page completed, from before it loads (live fragments fetched by script).
  const requests = []
  page.on('requestfinished', (req) => requests.push({ method: req.method(), pathname: new URL(req.url()).pathname }))
  page.on('console', (msg) => {
    log.push(`[${label} console.${msg.type()}] ${msg.text()}`)
    if (/Content Security Policy/i.test(msg.text())) errors.push(`[${label} CSP] ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`[${label} pageerror] ${err.stack || err}`))
  const response = await page.goto(origin + urlPath, { waitUntil: 'load', timeout: 10_000 })
  assert.equal(response.status(), 200, `${label}: GET ${urlPath}`)
  return { label, context, page, log, errors, extra, response, requests }
}

/** Open the canvas page of canvas `id` (see openPage); its failure messages show canvasState. */
export function openCanvas (browser, origin, id, label, { context = null, account } = {}) {
  return openPage(browser, origin, `/canvases/${id}`, label, { context, account, extra: canvasState })
}

/**
 * Where pages load from (pageOrigin, with `stableOrigin`) and Chromium, plus a page of canvas
 * `canvasId` for each of `labels`, each in a browser context of its own (one person each), signed
 * in as `accounts[i]` (by default the Arnhem team members in turn: aanjager, projectleider, ...).
 * Everything is closed by env's cleanups. Resolves with { browser, origin, pages }.
 */
export async function startBrowser (t, env, { canvasId = null, labels = [], stableOrigin = false, accounts = ARNHEM_MEMBERS } = {}) {
  const origin = await pageOrigin(t, env, { stableOrigin })
  const browser = await launchChromium()
  env.c.add(() => browser.close())
  t.diagnostic(`Chromium ${browser.version()}`)
  const pages = []
  for (const [i, label] of labels.entries()) {
    const p = await openCanvas(browser, origin, canvasId, label, { account: accounts[i % accounts.length] })
    env.c.add(() => p.context.close())
    pages.push(p)
  }
  return { browser, origin, pages }
}

/** The editor of a text root, as the bundle builds it inside div.editor[data-ytext]. */
export const editor = (root) => `div.editor[data-ytext="${root}"] .cm-content`

/**
 * In the canvas page (passed to page.evaluate by source, so it uses nothing from this module):
 * what it shows. `editors` maps each text root to its editor's text: the lines joined with \n,
 * without the widgets that show other people's cursors (they hold the person's name).
 */
export function canvasState () {
  const status = (id) => {
    const el = document.getElementById(id)
    return el && { state: el.dataset.state, text: el.textContent }
  }
  const editors = {}
  for (const el of document.querySelectorAll('div.editor[data-ytext]')) {
    const content = el.querySelector('.cm-content')
    if (!content) continue
    editors[el.dataset.ytext] = [...content.querySelectorAll('.cm-line')].map((line) => {
      const copy = line.cloneNode(true)
      for (const widget of copy.querySelectorAll('.cm-ySelectionCaret')) widget.remove()
      return copy.textContent
    }).join('\n')
  }
  const checked = (root) => [...document.querySelectorAll(`input[data-ymap="${root}"]:checked`)].map((i) => i.value)
  return {
    onLine: navigator.onLine,
    connection: status('connection-status'),
    save: status('save-status'),
    presence: [...document.querySelectorAll('#presence li')].map((li) => li.textContent),
    editors,
    lifeAreas: checked('lifeAreas'),
    policyDomains: checked('policyDomains'),
    focused: document.activeElement?.outerHTML.slice(0, 160)
  }
}

/** What canvas page `p` shows now (see canvasState). */
export function readCanvas (p) {
  return p.page.evaluate(canvasState)
}

/** The text of a root's editor in canvas page `p`, or null when there is no such editor. */
export async function editorText (p, root) {
  return (await readCanvas(p)).editors[root] ?? null
}

/**
 * What a page shows, for failure messages; `extra` (default: the page's own, see openPage) adds
 * more: a function run in the page, or [function, argument].
 */
export async function describePage (p, extra = p.extra ?? (() => ({}))) {
  const [extraFn, extraArg] = Array.isArray(extra) ? extra : [extra, undefined]
  let state
  try {
    state = await p.page.evaluate(() => ({
      connection: document.getElementById('connection-status')?.textContent,
      save: document.getElementById('save-status')?.textContent,
      focused: document.activeElement?.outerHTML.slice(0, 160)
    }))
    const more = await p.page.evaluate(extraFn, extraArg)
    state = { ...state, ...(more && typeof more === 'object' && !Array.isArray(more) ? more : { extra: more }) }
  } catch (err) {
    state = `(page not readable: ${err.message})`
  }
  return `${p.label}: ${JSON.stringify(state, null, 2)}\n${[...p.errors, ...p.log.slice(-20)].join('\n')}`
}

/** page.waitForFunction with a timeout, and the page's state in the error when it times out. */
export async function waitInPage (p, fn, arg, { what, timeout = WAIT_MS, extra } = {}) {
  try {
    return await p.page.waitForFunction(fn, arg, { timeout, polling: 20 })
  } catch (err) {
    throw new Error(`${p.label}: timed out after ${timeout} ms waiting for ${what}\n` +
      `${err.message.split('\n')[0]}\n${await describePage(p, extra)}`)
  }
}

/**
 * Wait until `predicate(state, arg)` holds for what canvas page `p` shows (see canvasState),
 * reading it every 20 ms; the page's state is in the error when it times out.
 */
export function waitForCanvas (p, predicate, arg, { what, timeout = WAIT_MS } = {}) {
  return waitFor(async () => predicate(await readCanvas(p), arg), {
    timeout,
    interval: 20,
    what: `${p.label}: ${what}`,
    detail: () => describePage(p, canvasState)
  })
}

/** Wait until a root's editor in page `p` shows exactly `text` (`equals`) or anything else (`differs`). */
export function waitForEditorText (p, root, mode, text, what, timeout = WAIT_MS) {
  return waitForCanvas(p, ({ editors }) => root in editors &&
    (mode === 'equals' ? editors[root] === text : editors[root] !== text), undefined, { what, timeout })
}

/** Wait until the page says "Verbonden". */
export function waitConnected (p, what = 'the connection status "Verbonden"') {
  return waitInPage(p, () => {
    const el = document.getElementById('connection-status')
    return el && el.dataset.state === 'connected' && el.textContent === 'Verbonden'
  }, undefined, { what, timeout: CONNECT_MS })
}

/** Wait until the page says "Opgeslagen". */
export function waitSaved (p, what = 'the save status "Opgeslagen"') {
  return waitInPage(p, () => {
    const el = document.getElementById('save-status')
    return el && el.dataset.state === 'saved' && el.textContent === 'Opgeslagen'
  }, undefined, { what })
}

/**
 * Wait until the demo canvas has mounted its editors and widgets: seven editors, four live
 * widgets, the demo's rendement lines and the catalogue of regulations.
 */
export function waitDemoMounted (p) {
  return waitInPage(p, () => document.querySelectorAll('section.widget.is-live').length === 4 &&
    document.querySelectorAll('div.editor[data-ytext] .cm-content').length === 7 &&
    document.querySelectorAll('section.widget[data-widget="rendement"] .widget-table tbody tr').length > 0 &&
    !document.querySelector('section.widget[data-widget="regulations"] select').disabled, undefined, {
    what: 'the editors, the widgets with the demo content, and the catalogue of regulations'
  })
}

/** A full-page screenshot of page `p` in .out/`name` (git-ignored); resolves with the PNG. */
export async function screenshot (t, p, name) {
  await mkdir(outDir, { recursive: true })
  const file = path.join(outDir, name)
  const png = await p.page.screenshot({ path: file, fullPage: true })
  t.diagnostic(`screenshot: ${path.relative(repoRoot, file)}`)
  return png
}

/**
 * Submit a form by clicking `button` on page `p`, and return the POST's response (the path
 * `urlPath`, a string or a RegExp). With `confirm`, the question the page asks first
 * (web/src/confirm.js) is answered yes. A form in the workflow panel is sent without leaving the
 * page (web/src/panel-forms.js): then this waits until the panel has taken the answer in, not
 * for a navigation.
 */
export async function submit (p, button, urlPath, { confirm = false } = {}) {
  const matches = (url) => typeof urlPath === 'string' ? url.pathname === urlPath : urlPath.test(url.pathname)
  const inPanel = await button.evaluate((el) => !!el.closest('section#workflow'))
  // The document that the answer (or the redirect after it) brings; a redirect commits none.
  const navigated = inPanel
    ? null
    : p.page.waitForEvent('framenavigated', { predicate: (f) => f === p.page.mainFrame(), timeout: WAIT_MS })
  if (navigated) navigated.catch(() => {}) // awaited below, after the response
  const responded = p.page.waitForResponse((r) => r.request().method() === 'POST' && matches(new URL(r.url())), { timeout: WAIT_MS })
  await button.click()
  if (confirm) {
    const dialog = p.page.locator('dialog.confirm[open]')
    await dialog.waitFor({ state: 'visible', timeout: WAIT_MS })
    await dialog.locator('button.danger').click()
  }
  const res = await responded
  if (navigated) {
    await navigated
    await p.page.waitForLoadState('load')
  } else {
    await p.page.waitForFunction(() => !document.querySelector('section#workflow form[aria-busy="true"]'), undefined, { timeout: WAIT_MS })
  }
  return res
}

/** Assert a response's status, with its body in the message. */
export async function assertStatus (res, status, what) {
  if (res.status() !== status) {
    const body = await res.text().catch(() => '(no body)')
    assert.equal(res.status(), status, `${what}: ${body.slice(0, 300)}`)
  }
}

/**
 * Watch page `p` for reloads and navigations from now on: counts the main frame's navigations
 * and leaves a mark in the current document, which a new document would not have. Resolves with
 * `assertNone(what)`, which fails when either happened.
 */
export async function watchNavigations (p) {
  const navigations = []
  p.page.on('framenavigated', (frame) => {
    if (frame === p.page.mainFrame()) navigations.push(frame.url())
  })
  await p.page.evaluate(() => { window.__doorbraakSameDocument = true })
  return {
    async assertNone (what) {
      assert.deepEqual(navigations, [], `${p.label}: the page navigated (${what})`)
      const same = await p.page.evaluate(() => window.__doorbraakSameDocument === true)
      assert.ok(same, `${p.label}: the page was reloaded (${what})`)
    }
  }
}

/**
 * Wait until the live part `selector` of page `p` (`section#workflow`, `main#coach-dashboard`)
 * has its change stream open (data-live-state="open") and the page has fetched the fragment at
 * `fragmentPath` since: the refresh that catches up on what changed before the stream opened.
 * Later changes then reach the page through the stream's events.
 */
export async function waitLive (p, selector, fragmentPath) {
  await waitInPage(p, (sel) => document.querySelector(sel)?.dataset.liveState === 'open', selector, {
    what: `${selector} to be live (data-live-state="open")`
  })
  await waitFor(() => p.requests.some((r) => r.method === 'GET' && r.pathname === fragmentPath), {
    timeout: WAIT_MS,
    what: `${p.label}: the catch-up fetch of ${fragmentPath}`,
    detail: () => p.requests
  })
}

/**
 * Fill in the leeropbrengst of the status form on canvas page `p` (views/workflow.rs), as an
 * aanjager does before closing: what blocked, the leerorde with its explanation, who hears the
 * signal, the effect and a tag. Anonymous text only.
 */
export async function fillLearning (p) {
  const form = p.page.locator('#learning-fields')
  await form.locator('#learning-bottleneck').selectOption('proces')
  await form.locator('#learning-bottleneck-text').fill('Het leerlingenvervoer kent geen scooter.')
  await form.locator('input[name="leerorde"][value="2"]').check()
  await form.locator('#learning-order-note').fill('De werkwijze van het leerlingenvervoer is aangepast.')
  await form.locator('input[name="signaal_beleid"]').check()
  await form.locator('#learning-effect').fill('Het kind gaat weer zelf naar school.')
  await form.locator('input[name="tag_leefgebied_belonging"]').check()
}
