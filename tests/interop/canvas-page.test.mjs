// The real canvas page (/canvases/{id}) with the real front-end bundle (web/dist, embedded in the
// binary) in headless Chromium: two people on one canvas see each other's typing, toggles and
// presence, undo only takes back one's own typing, the server stores the merged text, and the
// save status ends on "Opgeslagen"; edits made while the server is down survive a reload.
//
// Screenshots go to .out/ (git-ignored): the filled canvas of the first test, and the demo canvas
// (--demo) with two people present. With UPDATE_SCREENSHOT=1 the latter is also written to
// docs/screenshot-canvas.png, the README's picture.
//
// The browser mechanics (Chromium, the bundle check, WEB_DIST) are in lib/pages.mjs.

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'

import { createCanvas, getCanvas, repoRoot, setupServer, waitFor } from './lib/server.mjs'
import {
  DEMO_CANVAS_ID, WAIT_MS, editor, editorText, openCanvas, screenshot, startBrowser, waitConnected, waitDemoMounted, waitForEditorText, waitInPage, waitSaved
} from './lib/pages.mjs'

/** The README's picture; written only with UPDATE_SCREENSHOT=1. */
const README_SCREENSHOT = path.join(repoRoot, 'docs', 'screenshot-canvas.png')
/** Step 5 (waardendriehoek and rendement) for the README; also only with UPDATE_SCREENSHOT=1. */
const README_STEP5 = path.join(repoRoot, 'docs', 'screenshot-step5.png')

test('canvas page: two people edit one canvas live in Chromium', async (t) => {
  const started = Date.now()
  const env = await setupServer(t)
  const { server } = env
  const { id } = await createCanvas(server, 'Casus T-17')
  const { pages } = await startBrowser(t, env, { canvasId: id, labels: ['page A', 'page B'] })
  const [a, b] = pages

  await t.test('both pages connect and turn the text fields into labelled editors', async () => {
    for (const p of pages) {
      await waitConnected(p)
      await waitInPage(p, () => document.querySelectorAll('div.editor[data-ytext] .cm-content').length === 7,
        undefined, { what: 'seven CodeMirror editors' })
      const labelled = await p.page.locator(`${editor('situation')}[aria-labelledby="label-situation"]`).count()
      assert.equal(labelled, 1, `${p.label}: the situation editor is labelled by #label-situation`)
      assert.equal(await p.page.locator('#canvas-label').textContent(), 'Casus T-17')
    }
  })

  const textA = 'Moeder met twee kinderen, huurachterstand.'
  const textB = ' Aanvulling van B.'

  await t.test('text typed in page A appears in page B, the last keystroke within a second', async () => {
    await a.page.locator(editor('situation')).click()
    await a.page.keyboard.type(textA.slice(0, -1))
    await waitForEditorText(b, 'situation', 'equals', textA.slice(0, -1), "page A's text in page B's editor")
    await a.page.keyboard.type(textA.slice(-1))
    assert.equal(await editorText(a, 'situation'), textA, "page A's own editor")
    await waitForEditorText(b, 'situation', 'equals', textA, 'the last keystroke in page B within a second', 1000)
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

  await t.test("page B's presence list shows page A by name and the step it works in", async () => {
    await a.page.locator(editor('situation')).click() // back into step 1
    // Page A is signed in as the aanjager, page B as the projectleider: their display names.
    const nameA = await a.page.locator('#presence li.is-self .presence-name').textContent()
    assert.equal(nameA, 'Anne Aanjager (jij)', 'page A shows itself by the name of its account')
    await waitInPage(b, (name) => [...document.querySelectorAll('#presence li:not(.is-self)')]
      .some((li) => li.querySelector('.presence-name')?.textContent === name &&
        li.querySelector('.presence-step')?.textContent === 'stap 1'), 'Anne Aanjager', {
      what: '"Anne Aanjager" with "stap 1" in page B\'s presence list'
    })
    assert.equal(await b.page.locator('#presence li.is-self .presence-name').textContent(), 'Piet Projectleider (jij)')
  })

  await t.test("the server's GET /api/canvases/{id} has the merged text of both pages", async () => {
    await b.page.locator(editor('situation')).click()
    await b.page.keyboard.press('Control+End')
    await b.page.keyboard.type(textB)
    await waitForEditorText(a, 'situation', 'equals', textA + textB, "page B's addition in page A")
    await waitFor(async () => {
      const { status, body } = await getCanvas(server, id)
      return status === 200 && body.steps.situation === textA + textB &&
        body.lifeAreas.includes('housing') && body.policyDomains.includes('debt_relief')
    }, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have both texts and the toggles',
      detail: () => getCanvas(server, id)
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
    await waitFor(async () => (await getCanvas(server, id)).body.steps?.situation === textB, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have only B\'s text after the undo',
      detail: () => getCanvas(server, id)
    })
  })

  await t.test('the save status ends on "Opgeslagen" in both pages', async () => {
    for (const p of pages) await waitSaved(p)
  })

  await t.test('screenshot of the canvas page', async (st) => {
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
    await waitSaved(a, 'the save status "Opgeslagen" before the screenshot')
    await screenshot(st, a, 'screenshot-canvas-page.png')
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
    // The page's copy is named after the signed-in account (offline-copies.js).
    const account = document.querySelector('main#canvas').dataset.accountId
    const open = indexedDB.open(`doorbraak-${account}-${canvasId}`)
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
  const { id } = await createCanvas(env.server, 'Casus T-18')
  // The server comes back on another port; a proxy keeps the page's origin (and its IndexedDB).
  const { browser, origin, pages: [first] } = await startBrowser(t, env, { canvasId: id, labels: ['page'], stableOrigin: true })
  const online = 'Eerst online.'
  const offline = ' Daarna offline getypt.'

  await waitConnected(first, '"Verbonden"')
  await first.page.locator(editor('situation')).click()
  await first.page.keyboard.type(online)
  await waitSaved(first, '"Opgeslagen" after typing online')

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
    const again = await openCanvas(browser, origin, id, 'reloaded page', { context: first.context })
    await waitConnected(again, '"Verbonden" after the restart')
    await waitForEditorText(again, 'situation', 'equals', online + offline, 'the offline edit in the reloaded page')
    await waitFor(async () => (await getCanvas(env.server, id)).body.steps?.situation === online + offline, {
      timeout: WAIT_MS,
      what: 'GET /api/canvases/{id} to have the text typed offline',
      detail: () => getCanvas(env.server, id)
    })
    await waitSaved(again, '"Opgeslagen" once the offline edit is stored')
    assert.deepEqual([...first.errors, ...again.errors], [], 'uncaught errors or CSP violations in the pages')
  })
})

test('canvas page: the demo canvas with two people present (the README screenshot)', async (t) => {
  const env = await setupServer(t)
  const { pages } = await startBrowser(t, env, { canvasId: DEMO_CANVAS_ID, labels: ['page A', 'page B'] })
  const [a, b] = pages

  for (const p of pages) {
    await waitConnected(p)
    await waitDemoMounted(p)
    await waitInPage(p, () => /^€ /.test(document.querySelector('[data-total="net"]')?.textContent ?? ''),
      undefined, { what: 'the rendement totals of the demo lines' })
  }
  // Each person in a step of their own; nothing is typed, so the demo content stays as seeded.
  for (const [p, root] of [[a, 'overview'], [b, 'future']]) {
    await p.page.locator(editor(root)).click()
    await p.page.keyboard.press('Control+End')
  }
  for (const [p, step] of [[a, 'stap 2'], [b, 'stap 3']]) {
    await waitInPage(p, (want) => document.querySelectorAll('#presence li').length === 2 &&
      [...document.querySelectorAll('#presence li:not(.is-self) .presence-step')].some((s) => s.textContent === want),
    step, { what: `two people present, the other in "${step}"` })
  }
  await waitInPage(a, () => {
    const connection = document.getElementById('connection-status')
    const save = document.getElementById('save-status')
    return connection.textContent === 'Verbonden' && !['saving', 'unsent'].includes(save.dataset.state)
  }, undefined, { what: '"Verbonden" and nothing waiting to be saved' })

  await screenshot(t, a, 'screenshot-demo-canvas.png')
  if (process.env.UPDATE_SCREENSHOT === '1') {
    // The README shows what a person sees first (the top of the board), and step 5 on its own.
    await a.page.evaluate(() => window.scrollTo(0, 0))
    await writeFile(README_SCREENSHOT, await a.page.screenshot({ fullPage: false }))
    // The sticky top bar would cover part of the step in an element screenshot.
    await a.page.evaluate(() => { document.querySelector('.topbar').style.position = 'static' })
    await writeFile(README_STEP5, await a.page.locator('#stap-5').screenshot())
    await a.page.evaluate(() => { document.querySelector('.topbar').style.position = '' })
    t.diagnostic(`UPDATE_SCREENSHOT=1: wrote ${path.relative(repoRoot, README_SCREENSHOT)} and ${path.relative(repoRoot, README_STEP5)}`)
  }
  assert.deepEqual(pages.flatMap((p) => p.errors), [], 'uncaught errors or CSP violations in the pages')
})
