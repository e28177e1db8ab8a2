// Access control as clients see it: the official y-websocket provider authenticates with a
// single-use ticket in `params` (fetched with a personal access token), or with the token as
// `Authorization: Bearer` where the WebSocket client can set headers; the WebSocket upgrade refuses strangers (401), canvases of
// another team (404) and pages of other sites (403); in Chromium a canvas page sends a stranger
// to the sign-in form and back, a canvas of another team is "Niet gevonden", a wrong password is
// refused in Dutch and signing out ends the session; revoking a token on /tokens closes the
// connection it opened within seconds.
//
// Every server started by lib/server.mjs has the demo accounts (--demo); see DEMO_ACCOUNTS.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  DEMO_ACCOUNTS, DEMO_CANVAS_ID, NIJMEGEN_CANVAS_ID, WebSocket, WebsocketProvider, Y,
  connectClient, createCanvas, fetchTicket, getCanvas, setupServer, steps, syncUpgradeStatus, track, waitConverged,
  waitFor, waitSynced
} from './lib/server.mjs'
import {
  WAIT_MS, assertStatus, canvasState, openPage, signIn, startBrowser, submit, waitConnected, waitInPage
} from './lib/pages.mjs'

/** What the server says to a wrong password. */
const WRONG_PASSWORD = 'Het e-mailadres of het wachtwoord klopt niet.'
/** Revocation must close the connection well before any keep-alive would notice. */
const REVOCATION_DEADLINE_MS = 5000
/** WebSocket close code "policy violation": the server's code for "your access ended". */
const POLICY_VIOLATION = 1008

test('the official WebsocketProvider with a ticket in params syncs two accounts of one team, and refreshes its ticket to reconnect', async (t) => {
  const env = await setupServer(t)
  const { server, c } = env
  const { id } = await createCanvas(server, 'Casus A-1')

  // Built here rather than with connectClient, to show exactly what a script needs to do (the
  // recipe of docs/sync-protocol.md): fetch a ticket with the token, connect with it, and before
  // every reconnect fetch a fresh one, since a ticket works once and for about a minute.
  const open = async (token) => {
    const doc = new Y.Doc()
    const provider = new WebsocketProvider(server.syncUrl, id, doc, {
      WebSocketPolyfill: WebSocket,
      disableBc: true,
      connect: false,
      params: { ticket: await fetchTicket(server, id, { token }) }
    })
    const reconnectWithFreshTicket = async () => {
      provider.disconnect() // no automatic retry with the spent ticket
      provider.params.ticket = await fetchTicket(server, id, { token })
      provider.connect()
    }
    provider.on('connection-close', () => { if (provider.shouldConnect) reconnectWithFreshTicket() })
    provider.connect()
    c.add(() => { provider.destroy(); doc.destroy() })
    return { doc, provider }
  }
  const aanjager = await open(server.token)
  const projectleider = await open(await server.tokenFor(DEMO_ACCOUNTS.projectleider))
  assert.match(aanjager.provider.url, new RegExp(`^${server.syncUrl}/${id}\\?ticket=dbt_[0-9a-f]+$`),
    'the provider puts the room name in the path and the ticket, never the token, in the query string')
  await Promise.all([aanjager, projectleider].map((cl, i) => waitSynced(cl, { what: `client ${i} to sync` })))

  aanjager.doc.getText('situation').insert(0, 'Vader met schulden.')
  projectleider.doc.getText('future').insert(0, 'Rust in huis.')
  projectleider.doc.getMap('lifeAreas').set('housing', true)
  const merged = await waitConverged([aanjager.doc, projectleider.doc])
  assert.equal(merged.situation, 'Vader met schulden.')
  assert.equal(merged.future, 'Rust in huis.')

  await waitFor(async () => {
    const { status, body } = await getCanvas(server, id)
    return status === 200 && body.steps.situation === 'Vader met schulden.' &&
      body.steps.future === 'Rust in huis.' && body.lifeAreas.includes('housing')
  }, { what: 'GET /api/canvases/{id} to hold both accounts\' edits', detail: () => getCanvas(server, id) })

  // The connection drops; the script reconnects with a fresh ticket and keeps syncing.
  const spent = aanjager.provider.params.ticket
  aanjager.provider.ws.close()
  await waitFor(() => aanjager.provider.wsconnected && aanjager.provider.params.ticket !== spent, {
    what: 'a reconnect with a fresh ticket'
  })
  aanjager.doc.getText('overview').insert(0, 'Na het herverbinden.')
  await waitFor(async () => (await getCanvas(server, id)).body.steps?.overview?.text === 'Na het herverbinden.', {
    what: 'the edit made after the reconnect to be stored', detail: () => getCanvas(server, id)
  })
})

test('the WebSocket upgrade: 401 without a valid token, 404 for another team, 403 for another site', async (t) => {
  const { server } = await setupServer(t)
  const nijmegen = await server.tokenFor(DEMO_ACCOUNTS.nijmegen)
  const scooter = (opts) => syncUpgradeStatus(server, DEMO_CANVAS_ID, opts)

  assert.equal(await scooter({ token: null }), 401, 'no token')
  assert.equal(await scooter({ token: 'dbk_' + '0'.repeat(64) }), 401, 'a token the server never issued')
  // The Nijmegen member's token works, on the Nijmegen canvas: the 404 below is about the canvas.
  assert.equal(await syncUpgradeStatus(server, NIJMEGEN_CANVAS_ID, { token: nijmegen }), 101,
    "the Nijmegen member on the Nijmegen canvas")
  assert.equal(await scooter({ token: nijmegen }), 404,
    'the Nijmegen member on the Arnhem canvas: as if it did not exist')

  // Cross-site WebSocket hijacking: a valid credential does not help a page of another site.
  assert.equal(await scooter({ headers: { Origin: 'https://evil.example' } }), 403,
    'a valid token with Origin https://evil.example')
  assert.equal(await scooter({ headers: { Origin: server.baseUrl } }), 101,
    `a valid token with the server's own Origin ${server.baseUrl}`)
  assert.equal(await scooter(), 101, 'a valid token without Origin (a script)')

  // The token travels in a header, never the query string; the server never logs it.
  for (const token of [server.token, nijmegen]) {
    assert.ok(!server.stderr.includes(token.slice(4)), 'a token appears in the server log')
  }
})

test('browser: sign in and back to the canvas, another team\'s canvas, a wrong password, sign out', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const { browser, origin } = await startBrowser(t, env)
  const canvasPath = `/canvases/${DEMO_CANVAS_ID}`
  const step = steps(t)

  // A browser context of its own that has not signed in.
  const p = await openPage(browser, origin, canvasPath, 'teamlid', { account: null, extra: canvasState })
  env.c.add(() => p.context.close())
  const signInButton = () => p.page.getByRole('button', { name: 'Inloggen', exact: true })

  await step('without a session the canvas page sends the browser to /inloggen and remembers where to', async () => {
    const redirect = p.response.request().redirectedFrom()
    assert.ok(redirect, `GET ${canvasPath} was not redirected; the page is ${p.page.url()}`)
    assert.equal(new URL(redirect.url()).pathname, canvasPath)
    assert.equal((await redirect.response()).status(), 303)
    const url = new URL(p.page.url())
    assert.equal(url.pathname, '/inloggen')
    assert.equal(url.searchParams.get('terug'), canvasPath)
    assert.equal(await p.page.locator('h1').textContent(), 'Inloggen')
  })

  await step('a wrong password is refused with a Dutch message, and the form still leads back', async () => {
    await p.page.locator('#email').fill(DEMO_ACCOUNTS.teamlid)
    await p.page.locator('#password').fill('niet-het-wachtwoord')
    await assertStatus(await submit(p, signInButton(), '/inloggen'), 401, 'POST /inloggen with a wrong password')
    await waitInPage(p, ([message, back]) => document.querySelector('[role="alert"]')?.textContent === message &&
      document.querySelector('input[name="terug"]')?.value === back && document.querySelector('#password'),
    [WRONG_PASSWORD, canvasPath], { what: `"${WRONG_PASSWORD}" above a form that still leads back to the canvas` })
  })

  await step('signing in as teamlid@ returns to the canvas page, whose editors become live', async () => {
    await p.page.locator('#email').fill(DEMO_ACCOUNTS.teamlid)
    await p.page.locator('#password').fill('doorbraak-demo')
    const [res] = await Promise.all([
      p.page.waitForResponse((r) => r.request().isNavigationRequest() && r.request().method() === 'GET' &&
        new URL(r.url()).pathname === canvasPath, { timeout: WAIT_MS }),
      signInButton().click()
    ])
    assert.equal(res.status(), 200, `GET ${canvasPath} after signing in`)
    await waitConnected(p)
    await waitInPage(p, () => document.querySelectorAll('div.editor[data-ytext] .cm-content[contenteditable="true"]').length === 7,
      undefined, { what: 'seven editable editors' })
  })

  await step('the canvas of team Nijmegen is "Niet gevonden" for a member of team Arnhem', async () => {
    const res = await p.page.goto(`${origin}/canvases/${NIJMEGEN_CANVAS_ID}`, { waitUntil: 'load', timeout: 10_000 })
    assert.equal(res.status(), 404)
    assert.equal(await p.page.locator('h1').textContent(), 'Niet gevonden')
    const text = await p.page.locator('main').innerText()
    assert.ok(text.includes('Dit canvas bestaat niet, of je hebt er geen toegang toe.'), `the page says: ${text}`)
    assert.ok(!text.includes('Casus N-3'), 'the 404 page gives the label of the canvas away')
  })

  await step('"Uitloggen" leads to /inloggen, ends the session, and the canvas is out of reach', async () => {
    const res = await p.page.goto(origin + canvasPath, { waitUntil: 'load', timeout: 10_000 })
    assert.equal(res.status(), 200)
    await waitConnected(p)
    const [session] = (await p.context.cookies(origin)).filter((cookie) => cookie.name === 'doorbraak_sessie')
    assert.ok(session, 'a session cookie while signed in')
    // The offline copy of the canvas, named after the account.
    const copies = () => p.page.evaluate(async () =>
      (await indexedDB.databases()).map((db) => db.name).filter((name) => name.startsWith('doorbraak-')))
    await waitFor(async () => (await copies()).some((name) => name.endsWith(DEMO_CANVAS_ID)), {
      what: 'the offline copy of the canvas in IndexedDB', detail: copies
    })

    const signOut = await submit(p, p.page.getByRole('button', { name: 'Uitloggen', exact: true }), '/uitloggen')
    await assertStatus(signOut, 303, 'POST /uitloggen')
    assert.equal((await signOut.allHeaders())['clear-site-data'], '"storage"', 'the server clears the site\'s storage')
    await p.page.waitForURL((url) => url.pathname === '/inloggen', { waitUntil: 'load', timeout: WAIT_MS })
    assert.equal(await p.page.locator('h1').textContent(), 'Inloggen')
    await waitFor(async () => (await copies()).length === 0, {
      what: 'no canvas data left in IndexedDB after signing out', detail: copies
    })

    const again = await p.page.goto(origin + canvasPath, { waitUntil: 'load', timeout: 10_000 })
    assert.equal(new URL(p.page.url()).pathname, '/inloggen', `GET ${canvasPath} after signing out`)
    assert.equal(again.status(), 200, 'the sign-in page')
    // Ended on the server too, not only forgotten by the browser.
    const old = await fetch(`${server.baseUrl}/api/canvases`, { headers: { cookie: `${session.name}=${session.value}` } })
    assert.equal(old.status, 401, 'GET /api/canvases with the old session cookie')
  })

  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})

test('revoking a token on /tokens closes its live connection within 5 s; the token is refused after', async (t) => {
  const env = await setupServer(t)
  const { server, c } = env
  const { browser, origin } = await startBrowser(t, env)
  const step = steps(t)
  const p = await openPage(browser, origin, '/inloggen', 'aanjager', { account: null })
  env.c.add(() => p.context.close())

  await step('the aanjager signs in through the form and lands on /tokens', async () => {
    const res = await signIn(p.page, origin, DEMO_ACCOUNTS.aanjager, { back: '/tokens' })
    assert.equal(res.status(), 200, 'GET /tokens')
  })

  let token
  await step('a token made on /tokens is shown once', async () => {
    await p.page.locator('#token-name').fill('script')
    const res = await submit(p, p.page.getByRole('button', { name: 'Token aanmaken', exact: true }), '/tokens')
    await assertStatus(res, 200, 'POST /tokens')
    const shown = p.page.locator('code#new-token')
    await shown.waitFor({ timeout: WAIT_MS })
    token = (await shown.textContent()).trim()
    assert.match(token, /^dbk_[0-9a-f]{64}$/)
  })

  let client
  let keeper
  const closes = []
  await step('a y-websocket client connects with it', async () => {
    client = track(c, connectClient(server, DEMO_CANVAS_ID, { token }))
    client.provider.on('connection-close', (event) => closes.push({ code: event?.code, reason: event?.reason, at: Date.now() }))
    // Another token of the same account, which must stay connected.
    keeper = track(c, connectClient(server, DEMO_CANVAS_ID))
    await Promise.all([waitSynced(client), waitSynced(keeper)])
    assert.ok(client.doc.getText('situation').length > 0, 'the demo canvas arrived')
  })

  await step('"Intrekken" on its row closes the connection with 1008 within 5 s', async (st) => {
    const row = p.page.getByRole('row').filter({ has: p.page.getByRole('cell', { name: 'script', exact: true }) })
    assert.equal(await row.count(), 1, 'one row for the token "script"')
    const started = Date.now()
    const res = await submit(p, row.getByRole('button', { name: 'Intrekken', exact: true }), /^\/tokens\/\d+\/intrekken$/, { confirm: true })
    await assertStatus(res, 303, 'POST /tokens/{id}/intrekken')
    await waitFor(() => closes.length > 0, {
      timeout: REVOCATION_DEADLINE_MS,
      what: 'the connection of the revoked token to close',
      detail: () => `wsconnected=${client.provider.wsconnected}`
    })
    // Stop the provider's reconnect attempts; they are refused (below) and would only add noise.
    client.provider.disconnect()
    st.diagnostic(`closed ${closes[0].at - started} ms after the click: ${JSON.stringify(closes[0])}`)
    assert.equal(closes[0].code, POLICY_VIOLATION, `close event: ${JSON.stringify(closes[0])}`)
    assert.ok(closes[0].at - started <= REVOCATION_DEADLINE_MS, `closed ${closes[0].at - started} ms after the click`)
    // The page after the revocation: the same row, now without its button.
    assert.match(await row.getByRole('cell').nth(4).innerText(), /^Ingetrokken /, 'the row of "script" after the revocation')
  })

  await step('the revoked token gets 401; the account\'s other token still works', async () => {
    assert.equal(await syncUpgradeStatus(server, DEMO_CANVAS_ID, { token }), 401, 'the revoked token')
    const { status } = await getCanvas(server, DEMO_CANVAS_ID, { token })
    assert.equal(status, 401, 'GET /api/canvases/{id} with the revoked token')
    assert.equal(keeper.provider.wsconnected, true, 'the connection of the other token stayed open')
    assert.equal(await syncUpgradeStatus(server, DEMO_CANVAS_ID), 101, 'the other token')
  })

  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})
