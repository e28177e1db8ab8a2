// The real canvas page (/canvases/{id}) in two Chromium contexts, one of which goes offline:
// the offline page says so, its edits do not reach the other page while it is offline (nor the
// other page's edits it), both keep editing text and toggles, and once it is back online both
// pages and the server hold both sides' edits. A reload of both pages then still shows everything
// and the save status ends on "Opgeslagen".
//
// How Chromium (156) takes a context offline (Playwright's `context.setOffline(true)`, i.e. the
// DevTools network emulation): navigator.onLine turns false and 'offline' fires, new requests and
// WebSockets fail at once, but an already open WebSocket stays open: no close or error event, its
// readyState stays OPEN, and the frames it sends and receives are held back until the context is
// online again (then they are delivered on the same socket). The page therefore drops the socket
// itself on 'offline' (web/src/sync.js); without that it would show "Verbonden" until y-websocket's
// 30 s "no message received" watchdog closes the socket.
//
// A page cannot be reloaded while offline (it is rendered by the server and there is no service
// worker), so the reload happens after coming back; the reload while the server is down, with the
// edits coming from IndexedDB, is covered by canvas-page.test.mjs.
//
// Like canvas-page.test.mjs this tests the bundle embedded in the binary, or with WEB_DIST=<dir>
// that directory's assets through a proxy; the browser mechanics are in lib/pages.mjs.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { createCanvas, getCanvas, setupServer, waitFor } from './lib/server.mjs'
import { CONNECT_MS, WAIT_MS, editor, readCanvas, startBrowser, waitForCanvas } from './lib/pages.mjs'

/** The checkbox of a leefgebied. */
const lifeArea = (code) => `input[data-ymap="lifeAreas"][value="${code}"]`

const isConnected = (s) => s.connection?.state === 'connected' && s.connection.text === 'Verbonden'
const isSaved = (s) => s.save?.state === 'saved' && s.save.text === 'Opgeslagen'

test('canvas page: a page that goes offline keeps editing, and both sides\' edits merge when it is back', async (t) => {
  const started = Date.now()
  const env = await setupServer(t)
  const { server } = env
  const { id } = await createCanvas(server, 'Casus T-19')
  const { pages } = await startBrowser(t, env, { canvasId: id, labels: ['page A', 'page B'] })
  const [a, b] = pages

  const base = 'Vader met drie kinderen.'
  const textA = ' Offline door A: schuld bij de energieleverancier.'
  const textB = ' Intussen door B: wachtlijst schuldhulp.'
  const boxA = 'social_relations'
  const boxB = 'home_life'
  /** The merged text: both additions come after the shared start, in an order Yjs decides. */
  const merged = [base + textA + textB, base + textB + textA]

  const serverState = async () => {
    const { status, body } = await getCanvas(server, id)
    assert.equal(status, 200, 'GET /api/canvases/{id}')
    return body
  }

  // Later steps make no sense after a failed one: skip them instead of waiting for time-outs.
  let failed = false
  const step = (name, fn) => t.test(name, async (st) => {
    if (failed) return st.skip('an earlier step failed')
    try {
      await fn(st)
    } catch (err) {
      failed = true
      throw err
    }
  })

  await step('both pages are connected and share the start of the text', async () => {
    for (const p of pages) {
      await waitForCanvas(p, isConnected, undefined, { what: '"Verbonden"', timeout: CONNECT_MS })
      await p.page.locator(editor('situation')).waitFor({ timeout: WAIT_MS })
    }
    await a.page.locator(editor('situation')).click()
    await a.page.keyboard.type(base)
    await waitForCanvas(b, (s, want) => s.editors.situation === want, base, { what: "page A's text in page B" })
  })

  await step('page A says it is offline once its context goes offline; page B stays connected', async () => {
    await a.context.setOffline(true)
    await waitForCanvas(a, (s) => !s.onLine && s.connection?.state === 'offline' && s.connection.text === 'Offline',
      undefined, { what: 'the connection status "Offline"' })
    assert.ok(isConnected(await readCanvas(b)), 'page B is still "Verbonden"')
  })

  await step('while A is offline both edit; neither sees the other\'s edits and the server only has B\'s', async () => {
    await a.page.locator(editor('situation')).click()
    await a.page.keyboard.press('Control+End')
    await a.page.keyboard.type(textA)
    await a.page.locator(lifeArea(boxA)).check()
    await waitForCanvas(a, (s) => s.save?.state === 'unsent' &&
      s.save.text === 'Nog niet opgeslagen, wel bewaard in deze browser', undefined, {
      what: 'the save status "Nog niet opgeslagen, wel bewaard in deze browser"'
    })

    await b.page.locator(editor('situation')).click()
    await b.page.keyboard.press('Control+End')
    await b.page.keyboard.type(textB)
    await b.page.locator(lifeArea(boxB)).check()
    // B's edits, made after A's, reaching the server shows that A's did not get there.
    const body = await waitFor(async () => {
      const body = await serverState()
      return body.steps.situation === base + textB && body.lifeAreas.includes(boxB) && body
    }, {
      timeout: WAIT_MS,
      what: "GET /api/canvases/{id} to have B's edits",
      detail: () => getCanvas(server, id)
    })
    assert.ok(!body.lifeAreas.includes(boxA), `the server has no ${boxA} from offline page A`)

    const [sa, sb] = await Promise.all(pages.map(readCanvas))
    assert.equal(sa.editors.situation, base + textA, "page A shows its own text and not B's")
    assert.deepEqual(sa.lifeAreas, [boxA], "page A shows its own toggle and not B's")
    assert.equal(sa.connection.state, 'offline', 'page A is still offline')
    assert.equal(sb.editors.situation, base + textB, "page B shows its own text and not A's")
    assert.deepEqual(sb.lifeAreas, [boxB], "page B shows its own toggle and not A's")
  })

  await step('back online, both pages and the server have both sides\' edits', async () => {
    await a.context.setOffline(false)
    for (const p of pages) {
      await waitForCanvas(p, (s, [want, boxes]) => want.includes(s.editors.situation) &&
        boxes.every((box) => s.lifeAreas.includes(box)), [merged, [boxA, boxB]], {
        what: 'the merged text and both toggles', timeout: CONNECT_MS
      })
    }
    const [sa, sb] = await Promise.all(pages.map(readCanvas))
    assert.equal(sa.editors.situation, sb.editors.situation, 'both pages show the same text')
    await waitFor(async () => {
      const body = await serverState()
      return body.steps.situation === sa.editors.situation &&
        body.lifeAreas.includes(boxA) && body.lifeAreas.includes(boxB)
    }, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have the merged text and both toggles',
      detail: () => getCanvas(server, id)
    })
    await waitForCanvas(a, isConnected, undefined, { what: '"Verbonden" in page A' })
    await waitForCanvas(a, isSaved, undefined, { what: 'the save status "Opgeslagen" in page A' })
  })

  await step('after a reload both pages still show everything and A ends on "Opgeslagen"', async () => {
    const { steps: { situation } } = await serverState()
    for (const p of pages) {
      const response = await p.page.reload({ waitUntil: 'load', timeout: 10_000 })
      assert.equal(response.status(), 200, `${p.label}: reload`)
    }
    for (const p of pages) {
      await waitForCanvas(p, isConnected, undefined, { what: '"Verbonden" after the reload', timeout: CONNECT_MS })
      await waitForCanvas(p, (s, [want, boxes]) => s.editors.situation === want &&
        boxes.every((box) => s.lifeAreas.includes(box)), [situation, [boxA, boxB]], {
        what: 'the merged text and both toggles after the reload'
      })
    }
    await waitForCanvas(a, isSaved, undefined, { what: 'the save status "Opgeslagen" after the reload' })
    const body = await serverState()
    assert.equal(body.steps.situation, situation, 'the server still has the merged text')
    assert.deepEqual([...body.lifeAreas].sort(), [boxA, boxB].sort(), 'the server has exactly both toggles')
  })

  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'uncaught errors or CSP violations in the pages')
  t.diagnostic(`canvas offline test took ${Date.now() - started} ms`)
})
