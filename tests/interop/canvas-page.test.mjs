// The real canvas page (/canvases/{id}) with the real front-end bundle (web/dist, embedded in the
// binary) in headless Chromium: two people on one canvas see each other's typing, toggles and
// presence, undo only takes back one's own typing, the server stores the merged text, and the
// save status ends on "Opgeslagen". Leaves a screenshot in docs/screenshot-canvas.png.
//
// The binary embeds web/dist at compile time; the first check fails when it serves a different
// bundle than web/dist holds (rebuild the binary after `node web/build.mjs`). For front-end work
// without rebuilding, WEB_DIST=<dir> puts a loopback proxy in front of the server that serves
// /assets/app.js and /assets/app.css from <dir> (e.g. ../../web/dist) and passes everything else,
// WebSocket included, through unchanged.
//
// Chromium is Debian's (/usr/bin/chromium or $CHROMIUM_PATH), as in browser.test.mjs.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'

import { chromium } from 'playwright-core'

import { createCanvas, getCanvas, repoRoot, setupServer, waitFor } from './lib/server.mjs'

const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--no-sandbox', // we run as root
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--font-render-hinting=none'
]
/** Time for one condition to come true in a page. */
const WAIT_MS = 5000
/** Time for a page to load, sync and show "Verbonden". */
const CONNECT_MS = 15_000
const VIEWPORT = { width: 1280, height: 900 }
const SCREENSHOT = path.join(repoRoot, 'docs', 'screenshot-canvas.png')
const DIST_DIR = path.join(repoRoot, 'web', 'dist')
const ASSETS = {
  '/assets/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/assets/app.css': { file: 'app.css', type: 'text/css; charset=utf-8' }
}

/** The editor of a text root, as the bundle builds it inside div.editor[data-ytext]. */
const editor = (root) => `div.editor[data-ytext="${root}"] .cm-content`

async function launchChromium () {
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
 * With `distDir` it serves the two assets from there; everything else, WebSocket upgrades
 * included, passes through unchanged. Resolves with { origin, close() }.
 */
async function proxyTo (upstream, distDir = null) {
  const target = () => new URL(upstream())
  const tunnels = new Set()
  const server = http.createServer(async (req, res) => {
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
 * Where the pages are loaded from: the server itself, after checking that it serves the bundle
 * web/dist holds (fails at once rather than after a row of time-outs); or, with WEB_DIST, a proxy
 * serving that directory's assets. `stableOrigin` always puts a proxy in front, for tests that
 * restart the server.
 */
async function pageOrigin (t, env, { stableOrigin = false } = {}) {
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
  const proxy = await proxyTo(() => env.server.baseUrl, distDir)
  env.c.add(proxy.close)
  return proxy.origin
}

/** Open the canvas page in a new page of `context`, or of a new browser context. */
async function openCanvas (browser, origin, id, label, context = null) {
  context ??= await browser.newContext({ viewport: VIEWPORT, locale: 'nl-NL' })
  const page = await context.newPage()
  const log = []
  const errors = []
  page.on('console', (msg) => {
    log.push(`[${label} console.${msg.type()}] ${msg.text()}`)
    if (/Content Security Policy/i.test(msg.text())) errors.push(`[${label} CSP] ${msg.text()}`)
  })
  page.on('pageerror', (err) => errors.push(`[${label} pageerror] ${err.stack || err}`))
  const response = await page.goto(`${origin}/canvases/${id}`, { waitUntil: 'load', timeout: 10_000 })
  assert.equal(response.status(), 200, `${label}: GET /canvases/${id}`)
  return { label, context, page, log, errors }
}

/** What a page shows, for failure messages. */
async function describePage (p) {
  let state
  try {
    state = await p.page.evaluate(() => ({
      connection: document.getElementById('connection-status')?.textContent,
      save: document.getElementById('save-status')?.textContent,
      presence: [...document.querySelectorAll('#presence li')].map((li) => li.textContent),
      situation: document.querySelector('div.editor[data-ytext="situation"]')?.innerText,
      checked: [...document.querySelectorAll('input[data-ymap]:checked')].map((i) => i.value),
      focused: document.activeElement?.outerHTML.slice(0, 120)
    }))
  } catch (err) {
    state = `(page not readable: ${err.message})`
  }
  return `${p.label}: ${JSON.stringify(state, null, 2)}\n${[...p.errors, ...p.log.slice(-20)].join('\n')}`
}

/** page.waitForFunction with a timeout, and the page's state in the error when it times out. */
async function waitInPage (p, fn, arg, { what, timeout = WAIT_MS } = {}) {
  try {
    return await p.page.waitForFunction(fn, arg, { timeout, polling: 20 })
  } catch (err) {
    throw new Error(`${p.label}: timed out after ${timeout} ms waiting for ${what}\n` +
      `${err.message.split('\n')[0]}\n${await describePage(p)}`)
  }
}

/**
 * The text an editor shows, lines joined with \n, without the widgets that show other people's
 * cursors (they hold the person's name). Runs in the page (passed to page.evaluate by source).
 */
function shownText (sel) {
  const content = document.querySelector(sel)
  if (!content) return null
  return [...content.querySelectorAll('.cm-line')].map((line) => {
    const copy = line.cloneNode(true)
    for (const widget of copy.querySelectorAll('.cm-ySelectionCaret')) widget.remove()
    return copy.textContent
  }).join('\n')
}

/** The text of a root's editor in page `p`. */
function editorText (p, root) {
  return p.page.evaluate(shownText, editor(root))
}

/** Wait until a root's editor in page `p` shows exactly `text` (`equals`) or anything else (`differs`). */
function waitForEditorText (p, root, mode, text, what) {
  return waitInPage(p, ([sel, m, want]) => {
    const content = document.querySelector(sel)
    if (!content) return false
    const shown = [...content.querySelectorAll('.cm-line')].map((line) => {
      const copy = line.cloneNode(true)
      for (const widget of copy.querySelectorAll('.cm-ySelectionCaret')) widget.remove()
      return copy.textContent
    }).join('\n')
    return m === 'equals' ? shown === want : shown !== want
  }, [editor(root), mode, text], { what })
}

test('canvas page: two people edit one canvas live in Chromium', async (t) => {
  const started = Date.now()
  const env = await setupServer(t)
  const { server, c } = env
  const { id } = await createCanvas(server.baseUrl, 'Casus T-17')
  const origin = await pageOrigin(t, env)

  const browser = await launchChromium()
  c.add(() => browser.close())
  t.diagnostic(`Chromium ${browser.version()}`)

  const a = await openCanvas(browser, origin, id, 'page A')
  c.add(() => a.context.close())
  const b = await openCanvas(browser, origin, id, 'page B')
  c.add(() => b.context.close())
  const pages = [a, b]

  await t.test('both pages connect and turn the text fields into labelled editors', async () => {
    for (const p of pages) {
      await waitInPage(p, () => {
        const el = document.getElementById('connection-status')
        return el.dataset.state === 'connected' && el.textContent === 'Verbonden'
      }, undefined, { what: 'the connection status "Verbonden"', timeout: CONNECT_MS })
      await waitInPage(p, () => document.querySelectorAll('div.editor[data-ytext] .cm-content').length === 7,
        undefined, { what: 'seven CodeMirror editors' })
      const labelled = await p.page.locator(`${editor('situation')}[aria-labelledby="label-situation"]`).count()
      assert.equal(labelled, 1, `${p.label}: the situation editor is labelled by #label-situation`)
      assert.equal(await p.page.locator('#canvas-label').textContent(), 'Casus T-17')
    }
  })

  const textA = 'Moeder met twee kinderen, huurachterstand.'
  const textB = ' Aanvulling van B.'

  await t.test('text typed in page A appears in page B', async () => {
    await a.page.locator(editor('situation')).click()
    await a.page.keyboard.type(textA)
    assert.equal(await editorText(a, 'situation'), textA, "page A's own editor")
    await waitForEditorText(b, 'situation', 'equals', textA, "page A's text in page B's editor")
  })

  await t.test('Tab leaves the editor instead of inserting a tab', async () => {
    await a.page.keyboard.press('Tab')
    const inSituation = await a.page.evaluate(() =>
      !!document.activeElement?.closest('div.editor[data-ytext="situation"]'))
    assert.equal(inSituation, false, 'focus moved out of the situation editor')
    assert.equal(await editorText(a, 'situation'), textA, 'no tab character was inserted')
  })

  await t.test('a leefgebied checked in page A is checked in page B', async () => {
    const box = 'input[data-ymap="lifeAreas"][value="housing"]'
    assert.equal(await b.page.locator(box).isChecked(), false)
    await a.page.locator(box).check()
    await waitInPage(b, (sel) => document.querySelector(sel).checked, box, {
      what: 'the housing checkbox to be checked in page B'
    })
    const domain = 'input[data-ymap="policyDomains"][value="debt_relief"]'
    await a.page.locator(domain).check()
    await waitInPage(b, (sel) => document.querySelector(sel).checked, domain, {
      what: 'the debt_relief checkbox to be checked in page B'
    })
  })

  await t.test("page B's presence list shows page A and the step it works in", async () => {
    await a.page.locator(editor('situation')).click() // back into step 1
    const nameA = await a.page.locator('#presence li.is-self .presence-name').textContent()
    const match = /^(Gast \d\d) \(jij\)$/.exec(nameA)
    assert.ok(match, `page A shows itself as "Gast NN (jij)", got ${JSON.stringify(nameA)}`)
    await waitInPage(b, (name) => [...document.querySelectorAll('#presence li:not(.is-self)')]
      .some((li) => li.querySelector('.presence-name')?.textContent === name &&
        li.querySelector('.presence-step')?.textContent === 'stap 1'), match[1], {
      what: `"${match[1]}" with "stap 1" in page B's presence list`
    })
  })

  await t.test("the server's GET /api/canvases/{id} has the merged text of both pages", async () => {
    await b.page.locator(editor('situation')).click()
    await b.page.keyboard.press('Control+End')
    await b.page.keyboard.type(textB)
    await waitForEditorText(a, 'situation', 'equals', textA + textB, "page B's addition in page A")
    await waitFor(async () => {
      const { status, body } = await getCanvas(server.baseUrl, id)
      return status === 200 && body.steps.situation === textA + textB &&
        body.lifeAreas.includes('housing') && body.policyDomains.includes('debt_relief')
    }, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have both texts and the toggles',
      detail: () => getCanvas(server.baseUrl, id)
    })
  })

  await t.test("undo in page A takes back A's typing and leaves B's", async () => {
    await a.page.locator(editor('situation')).click()
    // Typing is grouped into undo steps by time; press Ctrl+Z until A's text is gone (bounded).
    for (let i = 0; i < 10 && (await editorText(a, 'situation')).includes(textA.slice(0, 10)); i++) {
      const before = await editorText(a, 'situation')
      await a.page.keyboard.press('Control+z')
      await waitForEditorText(a, 'situation', 'differs', before, 'Ctrl+Z to change the text')
    }
    assert.equal(await editorText(a, 'situation'), textB, "after undo only B's text is left in page A")
    await waitForEditorText(b, 'situation', 'equals', textB, 'the undo to reach page B')
    await waitFor(async () => (await getCanvas(server.baseUrl, id)).body.steps?.situation === textB, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have only B\'s text after the undo',
      detail: () => getCanvas(server.baseUrl, id)
    })
  })

  await t.test('the save status ends on "Opgeslagen" in both pages', async () => {
    for (const p of pages) {
      await waitInPage(p, () => {
        const el = document.getElementById('save-status')
        return el.dataset.state === 'saved' && el.textContent === 'Opgeslagen'
      }, undefined, { what: 'the save status "Opgeslagen"' })
    }
  })

  await t.test('screenshot of the canvas page', async () => {
    // Some content in the other steps, so the picture shows a canvas in use.
    const fill = [
      [b, 'future', 'Zelf de huur kunnen betalen en dat de kinderen op hun school blijven.'],
      [a, 'overview', 'Nodig: betalingsregeling en begeleiding.\nGeprobeerd: schuldhulp (wachtlijst), bijzondere bijstand (afgewezen).'],
      [b, 'breakthrough', 'De huurachterstand blokkeert schuldhulp en dreigt tot huisuitzetting te leiden.'],
      [a, 'involvement', 'Moeder kiest zelf met wie ze de regeling afspreekt.']
    ]
    for (const [p, root, text] of fill) {
      await p.page.locator(editor(root)).click()
      await p.page.keyboard.insertText(text)
    }
    await a.page.locator(editor('situation')).click()
    await a.page.keyboard.press('Control+Home')
    await a.page.keyboard.insertText('Moeder met twee kinderen; huurachterstand van vier maanden, ontruiming aangezegd.')
    await b.page.locator(editor('future')).click()
    await a.page.locator(editor('overview')).click()
    await waitForEditorText(a, 'future', 'equals', fill[0][2], "page B's text in step 2 of page A")
    await waitInPage(a, () => [...document.querySelectorAll('#presence li:not(.is-self) .presence-step')]
      .some((s) => s.textContent === 'stap 2'), undefined, { what: 'page B in step 2 in page A' })
    await waitInPage(a, () => document.getElementById('save-status').textContent === 'Opgeslagen', undefined, {
      what: 'the save status "Opgeslagen" before the screenshot'
    })
    await a.page.screenshot({ path: SCREENSHOT, fullPage: true })
    t.diagnostic(`screenshot: ${path.relative(repoRoot, SCREENSHOT)}`)
  })

  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'uncaught errors or CSP violations in the pages')
  t.diagnostic(`canvas page test took ${Date.now() - started} ms`)
})

/**
 * In the page: wait until every write to the canvas's IndexedDB issued so far has committed. A
 * read-write transaction on the same store starts only after the earlier ones have finished.
 */
function idbFlushed (canvasId) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open('doorbraak-' + canvasId)
    open.onerror = () => reject(open.error)
    open.onsuccess = () => {
      const db = open.result
      const tx = db.transaction('updates', 'readwrite')
      tx.oncomplete = () => { db.close(); resolve(true) }
      tx.onerror = () => { db.close(); reject(tx.error) }
    }
  })
}

test('canvas page: edits made while the server is down stay in the browser and are saved once it is back', async (t) => {
  const env = await setupServer(t)
  const { c } = env
  const { id } = await createCanvas(env.server.baseUrl, 'Casus T-18')
  // The server comes back on another port; a proxy keeps the page's origin (and its IndexedDB).
  const origin = await pageOrigin(t, env, { stableOrigin: true })

  const browser = await launchChromium()
  c.add(() => browser.close())
  const first = await openCanvas(browser, origin, id, 'page')
  c.add(() => first.context.close())
  const online = 'Eerst online.'
  const offline = ' Daarna offline getypt.'

  await waitInPage(first, () => document.getElementById('connection-status').textContent === 'Verbonden',
    undefined, { what: '"Verbonden"', timeout: CONNECT_MS })
  await first.page.locator(editor('situation')).click()
  await first.page.keyboard.type(online)
  await waitInPage(first, () => document.getElementById('save-status').textContent === 'Opgeslagen',
    undefined, { what: '"Opgeslagen" after typing online' })

  await t.test('with the server gone the page says so and does not claim to have saved', async () => {
    await env.server.stop()
    await waitInPage(first, () => {
      const el = document.getElementById('connection-status')
      return el.dataset.state === 'reconnecting' && el.textContent.startsWith('Opnieuw verbinden…')
    }, undefined, { what: '"Opnieuw verbinden…" once the server stopped' })
    await first.page.keyboard.type(offline)
    await waitInPage(first, () => {
      const el = document.getElementById('save-status')
      return el.dataset.state === 'unsent' && el.textContent === 'Nog niet opgeslagen, wel bewaard in deze browser'
    }, undefined, { what: 'the save status "Nog niet opgeslagen, wel bewaard in deze browser"' })
  })

  await t.test('after a reload with the server back, the offline edits reach the server', async () => {
    await first.page.evaluate(idbFlushed, id)
    await first.page.close()
    await env.restart()
    const again = await openCanvas(browser, origin, id, 'reloaded page', first.context)
    await waitInPage(again, () => document.getElementById('connection-status').textContent === 'Verbonden',
      undefined, { what: '"Verbonden" after the restart', timeout: CONNECT_MS })
    await waitForEditorText(again, 'situation', 'equals', online + offline, 'the offline edit in the reloaded page')
    await waitFor(async () => (await getCanvas(env.server.baseUrl, id)).body.steps?.situation === online + offline, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have the text typed offline',
      detail: () => getCanvas(env.server.baseUrl, id)
    })
    await waitInPage(again, () => document.getElementById('save-status').textContent === 'Opgeslagen',
      undefined, { what: '"Opgeslagen" once the offline edit is stored' })
    assert.deepEqual([...first.errors, ...again.errors], [], 'uncaught errors or CSP violations in the pages')
  })
})
