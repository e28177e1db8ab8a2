// A session that ends during a meeting, in Chromium: the canvas page does not try to reconnect
// forever; it says that the session ended and that the edits stay in this browser, keeps what is
// typed after that in its offline copy, and after signing in again (back on the same canvas) the
// kept edits reach the server; the next person to sign in on the browser removes that copy. The server runs with a five-second idle limit.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { ARNHEM_MEMBERS, DEFAULT_ACCOUNT, DEMO_CANVAS_ID, DEMO_PASSWORD, createCanvas, getCanvas, setupServer, steps, waitFor } from './lib/server.mjs'
import { WAIT_MS, openCanvas, signIn, startBrowser, waitConnected, waitInPage } from './lib/pages.mjs'

const IDLE_SECS = 5
const ENDED = 'Je sessie is verlopen. Je wijzigingen blijven in deze browser bewaard en worden verstuurd zodra je weer bent ingelogd.'

test('an expired session says so, keeps the edits in this browser, and sends them after signing in again', async (t) => {
  const env = await setupServer(t, { extraArgs: ['--session-idle-secs', String(IDLE_SECS)] })
  const { server } = env
  const { browser, origin } = await startBrowser(t, env)
  const { id } = await createCanvas(server, 'Casus S-1')
  const p = await openCanvas(browser, origin, id, 'aanjager')
  env.c.add(() => p.context.close())
  const step = steps(t)
  const situation = '.editor[data-ytext="situation"] .cm-content'
  const kept = 'Getypt nadat de sessie verliep.'

  const copies = () => p.page.evaluate(async () =>
    (await indexedDB.databases()).map((db) => db.name).filter((name) => name.startsWith('doorbraak-')))

  await step('the page connects, after the demo canvas was opened in this browser too', async () => {
    await p.page.goto(`${origin}/canvases/${DEMO_CANVAS_ID}`, { waitUntil: 'load' })
    await waitConnected(p)
    await waitFor(async () => (await copies()).some((n) => n.endsWith(DEMO_CANVAS_ID)), {
      what: 'the offline copy of the demo canvas', detail: copies
    })
    await p.page.goto(`${origin}/canvases/${id}`, { waitUntil: 'load' })
    await waitConnected(p)
    await p.page.locator(situation).waitFor({ timeout: WAIT_MS })
  })

  await step('after the idle limit the page says the session ended, with a way to sign in again', async () => {
    await waitInPage(p, (text) => document.querySelector('#session-ended[role="alert"] p')?.textContent === text &&
      document.getElementById('connection-status')?.textContent === 'Sessie verlopen', ENDED,
    { what: 'the notice and the status "Sessie verlopen"', timeout: (IDLE_SECS + 10) * 1000 })
    const href = await p.page.getByRole('link', { name: 'Opnieuw inloggen' }).getAttribute('href')
    assert.equal(href, `/inloggen?terug=${encodeURIComponent(`/canvases/${id}`)}`)
  })

  await step('what is typed now stays in this browser and does not reach the server', async () => {
    await p.page.locator(situation).click()
    await p.page.keyboard.type(kept)
    await waitInPage(p, () => document.getElementById('save-status')?.textContent?.startsWith('Nog niet opgeslagen'),
      undefined, { what: 'the save status "Nog niet opgeslagen…"' })
    // The open canvas's copy stays; the demo canvas's, not on screen, is gone.
    await waitFor(async () => { const names = await copies(); return names.length === 1 && names[0].endsWith(id) }, {
      what: 'only the open canvas\'s copy', detail: copies
    })
    assert.equal((await getCanvas(server, id)).body.steps.situation, '', 'nothing reached the server')
  })

  await step('signing in again returns to the canvas, and the kept edits reach the server', async () => {
    await p.page.getByRole('link', { name: 'Opnieuw inloggen' }).click()
    await p.page.waitForURL((url) => url.pathname === '/inloggen', { timeout: WAIT_MS })
    await p.page.locator('#email').fill(DEFAULT_ACCOUNT)
    await p.page.locator('#password').fill(DEMO_PASSWORD)
    await p.page.getByRole('button', { name: 'Inloggen', exact: true }).click()
    await p.page.waitForURL((url) => url.pathname === `/canvases/${id}`, { timeout: WAIT_MS })
    await waitFor(async () => (await getCanvas(server, id)).body.steps.situation === kept, {
      timeout: WAIT_MS, what: 'the kept edit on the server', detail: () => getCanvas(server, id)
    })
    await waitInPage(p, () => document.getElementById('save-status')?.textContent === 'Opgeslagen',
      undefined, { what: '"Opgeslagen"' })
  })

  await step('someone else signing in on this browser removes the copies kept for the first account', async () => {
    // The first session is gone (as when it expires) without a sign-out, so the copy stays...
    await p.context.clearCookies()
    await signIn(p.page, origin, ARNHEM_MEMBERS[1])
    // ...until the next person's first page, which keeps only copies of its own account.
    await waitFor(async () => (await copies()).length === 0, {
      timeout: WAIT_MS, what: "no copy of the first account's canvas left", detail: copies
    })
    // The next person's own copies stay through their pages.
    await p.page.goto(`${origin}/canvases/${id}`, { waitUntil: 'load' })
    await waitConnected(p)
    await waitFor(async () => (await copies()).length === 1, { what: "the second person's copy", detail: copies })
    await p.page.goto(`${origin}/`, { waitUntil: 'load' })
    assert.equal((await copies()).length, 1, "the second person's copy outlives their next page")
  })

  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})
