// The official, unmodified y-websocket WebsocketProvider in a real browser (headless Chromium,
// driven by playwright-core) against the Doorbraak binary: two pages and one Node client on one
// canvas share text and presence, and a closed page's presence disappears promptly.
//
// browser/entry.mjs is bundled here with esbuild (in memory) and served with an HTML page from a
// small proxy on 127.0.0.1:0 in front of the server, so the pages have a real http origin that is
// the server's own as far as the server can tell: it refuses WebSockets opened by pages of other
// sites. The pages authenticate like any script that cannot set headers: with a single-use
// ticket in `params` (`?ticket=`), fetched here with a personal access token. Chromium is Debian's (/usr/bin/chromium or $CHROMIUM_PATH); scripts/test.sh
// installs it. No browser is downloaded.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import path from 'node:path'

import * as esbuild from 'esbuild'

import {
  DEMO_ACCOUNTS, connectClient, createCanvas, fetchTicket, getCanvas, interopDir, setupServer, track, waitFor,
  waitSynced
} from './lib/server.mjs'
import { WAIT_MS, launchChromium, openPage, proxyTo, waitInPage } from './lib/pages.mjs'

/** The server's awareness timeout is 30 s; removal after a page closes must come well before. */
const REMOVAL_DEADLINE_MS = 5000

const PAGE_HTML = `<!doctype html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>Doorbraak browser interop</title>
</head>
<body>
<textarea id="situation" rows="4" cols="60" disabled></textarea>
<script src="/bundle.js"></script>
</body>
</html>
`

/** Bundle browser/entry.mjs (yjs + y-websocket from node_modules) into an IIFE, in memory. */
async function bundleEntry () {
  const result = await esbuild.build({
    entryPoints: [path.join(interopDir, 'browser', 'entry.mjs')],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent'
  })
  if (result.warnings.length > 0) {
    const text = await esbuild.formatMessages(result.warnings, { kind: 'warning' })
    throw new Error(`esbuild warnings while bundling browser/entry.mjs:\n${text.join('\n')}`)
  }
  return result.outputFiles[0].text
}

/**
 * Serve the page and the bundle on 127.0.0.1:0, passing everything else (the WebSocket of /sync
 * above all) through to `server`. Resolves with { origin, close() }.
 */
function servePage (server, bundle) {
  const local = (req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1')
    if (req.method !== 'GET') return false
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      res.end(PAGE_HTML)
    } else if (url.pathname === '/bundle.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' })
      res.end(bundle)
    } else if (url.pathname === '/favicon.ico') {
      res.writeHead(204).end()
    } else {
      return false
    }
    return true
  }
  return proxyTo(() => server.baseUrl, { local })
}

/**
 * Open the test page in its own browser context (no shared storage or BroadcastChannel with the
 * other page) and join canvas `canvasId`. Failure messages show what the page's provider knows.
 */
async function openTestPage (browser, origin, server, canvasId, label) {
  const p = await openPage(browser, origin, '/', label, { account: null, extra: () => window.doorbraak.debug() })
  const syncUrl = origin.replace(/^http/, 'ws') + '/sync'
  const ticket = await fetchTicket(server, canvasId)
  p.clientID = await p.page.evaluate(([url, room, params]) => window.doorbraak.connect(url, room, params),
    [syncUrl, canvasId, { ticket }])
  return p
}

test('y-websocket in headless Chromium: two pages and a Node client share text and presence', async (t) => {
  const started = Date.now()
  const { server, c } = await setupServer(t)
  const { id } = await createCanvas(server, 'Casus T-41')

  const bundleStarted = Date.now()
  const bundle = await bundleEntry()
  t.diagnostic(`bundled browser/entry.mjs: ${Math.round(bundle.length / 1024)} KiB in ${Date.now() - bundleStarted} ms`)
  const site = await servePage(server, bundle)
  c.add(site.close)

  const launchStarted = Date.now()
  const browser = await launchChromium()
  c.add(() => browser.close())
  t.diagnostic(`Chromium ${browser.version()} launched in ${Date.now() - launchStarted} ms`)

  // The Node client is another member of the team: presence names come from the accounts.
  const node = track(c, connectClient(server, id, { token: await server.tokenFor(DEMO_ACCOUNTS.projectleider) }))
  const a = await openTestPage(browser, site.origin, server, id, 'page A')
  c.add(() => a.context.close())
  const b = await openTestPage(browser, site.origin, server, id, 'page B')
  c.add(() => b.context.close())
  const pages = [a, b]

  await waitSynced(node, { what: 'the Node client to sync' })
  for (const p of pages) {
    await waitInPage(p, () => window.doorbraak.synced(), undefined, { what: 'the provider to sync' })
  }
  assert.notEqual(a.clientID, b.clientID)

  await t.test('text typed in page A reaches page B and the Node client', async () => {
    const typed = 'Buurtteam Zuid: één casus, drie domeinen.'
    await a.page.locator('#situation').click()
    await a.page.keyboard.type(typed)
    assert.equal(await a.page.evaluate(() => window.doorbraak.text()), typed, "page A's own Y.Text")
    await waitInPage(b, (want) => window.doorbraak.text() === want &&
      document.getElementById('situation').value === want, typed, {
      what: "page A's typed text in page B's Y.Text and textarea"
    })
    await waitFor(() => node.doc.getText('situation').toString() === typed, {
      timeout: WAIT_MS,
      what: "page A's typed text at the Node client",
      detail: () => `Node client has ${JSON.stringify(node.doc.getText('situation').toString())}`
    })
  })

  await t.test('an edit from the Node client appears in both pages', async () => {
    const before = node.doc.getText('situation').toString()
    node.doc.getText('situation').insert(0, '[node] ')
    const want = '[node] ' + before
    for (const p of pages) {
      await waitInPage(p, (w) => window.doorbraak.text() === w &&
        document.getElementById('situation').value === w, want, {
        what: "the Node client's edit in the page's Y.Text and textarea"
      })
    }
  })

  await t.test('an API edit in page B reaches page A and the Node client, and the server stored it', async () => {
    await b.page.evaluate(() => window.doorbraak.insert(' Vervolg van B.'))
    const want = await b.page.evaluate(() => window.doorbraak.text())
    assert.match(want, /Vervolg van B\.$/)
    await waitInPage(a, (w) => window.doorbraak.text() === w, want, { what: "page B's edit in page A" })
    await waitFor(() => node.doc.getText('situation').toString() === want, {
      timeout: WAIT_MS, what: "page B's edit at the Node client"
    })
    await waitFor(async () => {
      const { status, body } = await getCanvas(server, id)
      return status === 200 && JSON.stringify(body).includes('Vervolg van B.')
    }, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to contain the text written in the browser',
      detail: () => getCanvas(server, id)
    })
  })

  await t.test('presence set in page A is visible in page B and at the Node client', async () => {
    // What the clients call themselves is replaced by their accounts' names.
    await a.page.evaluate(() => window.doorbraak.setPresence({ name: 'Ans', role: 'facilitator' }))
    node.awareness.setLocalStateField('user', { name: 'Nodus', role: 'deelnemer' })
    await waitInPage(b, () => {
      const names = window.doorbraak.presenceNames()
      return names.includes('Anne Aanjager') && names.includes('Piet Projectleider')
    }, undefined, { what: "presence of page A (Anne Aanjager) and the Node client (Piet Projectleider) in page B" })
    await waitFor(() => node.awareness.getStates().get(a.clientID)?.user?.name === 'Anne Aanjager', {
      timeout: WAIT_MS,
      what: "page A's presence at the Node client",
      detail: () => Object.fromEntries(node.awareness.getStates())
    })
    await waitInPage(a, () => window.doorbraak.presenceNames().includes('Piet Projectleider'), undefined, {
      what: "the Node client's presence in page A"
    })
  })

  await t.test('closing page A removes its presence in page B and at the Node client promptly', async (st) => {
    assert.equal(await b.page.evaluate((cid) => window.doorbraak.hasPresenceOf(cid), a.clientID), true,
      'page B must have page A\'s presence before the close')
    const closeStarted = Date.now()
    await a.page.close() // no beforeunload; the tab and its WebSocket simply go away
    await waitInPage(b, (cid) => !window.doorbraak.hasPresenceOf(cid), a.clientID, {
      timeout: REMOVAL_DEADLINE_MS,
      what: `page A's presence (client ${a.clientID}) to be removed after page A was closed`
    })
    const atB = Date.now() - closeStarted
    await waitFor(() => !node.awareness.getStates().has(a.clientID), {
      timeout: REMOVAL_DEADLINE_MS,
      what: "page A's presence to be removed at the Node client after page A was closed",
      detail: () => Object.fromEntries(node.awareness.getStates())
    })
    st.diagnostic(`page A's presence removed in page B after ${atB} ms`)
    // The Node client's presence is still there in page B: only the closed page's went away.
    assert.deepEqual(await b.page.evaluate(() => window.doorbraak.presenceNames()), ['Piet Projectleider'])
  })

  const pageErrors = pages.flatMap((p) => p.errors)
  assert.deepEqual(pageErrors, [], 'uncaught errors in the pages')
  t.diagnostic(`browser test took ${Date.now() - started} ms`)
})
