// axe-core (pinned in package.json) on the real pages in headless Chromium: the sign-in page,
// and signed in as the Arnhem aanjager the canvasoverzicht (/) and the demo canvas (every test
// server starts with --demo) once its live editors and widgets are mounted, also while a refused
// amount shows its error; and signed in as the coach the coachdashboard, with a canvas just
// escalated to the coach among its rows. Fails on any violation of impact "serious" or "critical", printing each with the
// elements it concerns; lesser findings are printed as diagnostics.
//
// axe is injected with page.evaluate (CDP), not with a <script> tag: the page's CSP would block
// an inline script.
//
// The second test runs axe on every page each role reaches, at 1366×768 and at 390×844, and fails
// on every violation, whatever its impact (minor and moderate included).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'

import {
  DEMO_ACCOUNTS, TO_IN_BEHANDELING, apiFetch, createCanvas, escalateCanvas, getJson, moveCanvas, planMeeting, postForm,
  setupServer, uniqueLabel
} from './lib/server.mjs'
import {
  DEMO_CANVAS_ID, openCanvas, openPage, startBrowser, waitConnected, waitDemoMounted, waitInPage, waitLive
} from './lib/pages.mjs'

const SIZES = [{ width: 1366, height: 768 }, { width: 390, height: 844 }]

const require = createRequire(import.meta.url)
const FAILING_IMPACTS = new Set(['serious', 'critical'])

/** Run axe on the whole document of `p.page`; returns its violations (plain data). */
async function runAxe (p, axeSource) {
  const loaded = await p.page.evaluate(() => typeof window.axe === 'object')
  if (!loaded) await p.page.evaluate(axeSource)
  return p.page.evaluate(async () => {
    const results = await window.axe.run(document, { resultTypes: ['violations'] })
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.join(' '), html: n.html.slice(0, 300), summary: n.failureSummary }))
    }))
  })
}

function describe (violations) {
  return violations.map((v) => `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
    v.nodes.map((n) => `    ${n.target}\n      ${n.html}\n      ${(n.summary || '').replace(/\n/g, '\n      ')}`).join('\n')).join('\n')
}

/** Assert no serious or critical violations; report the rest as diagnostics. */
function check (t, where, violations) {
  const failing = violations.filter((v) => FAILING_IMPACTS.has(v.impact))
  const other = violations.filter((v) => !FAILING_IMPACTS.has(v.impact))
  if (other.length > 0) t.diagnostic(`${where}: minor/moderate axe findings:\n${describe(other)}`)
  assert.equal(failing.length, 0, `${where}: axe found serious or critical violations:\n${describe(failing)}`)
}

test('accessibility: axe finds nothing serious on sign-in, the overview, the demo canvas and the coachdashboard', async (t) => {
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  const axeVersion = JSON.parse(await readFile(require.resolve('axe-core/package.json'), 'utf8')).version
  t.diagnostic(`axe-core ${axeVersion}`)

  const env = await setupServer(t)
  const { browser, origin } = await startBrowser(t, env)

  await t.test('the sign-in page (/inloggen)', async (st) => {
    const p = await openPage(browser, origin, '/inloggen', 'sign-in', { account: null })
    env.c.add(() => p.context.close())
    await waitInPage(p, () => document.readyState === 'complete', undefined, { what: 'the page to load' })
    check(st, '/inloggen', await runAxe(p, axeSource))
    assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
  })

  await t.test('the canvasoverzicht (/)', async (st) => {
    const p = await openPage(browser, origin, '/', 'overview')
    env.c.add(() => p.context.close())
    await waitInPage(p, () => document.readyState === 'complete', undefined, { what: 'the page to load' })
    check(st, '/', await runAxe(p, axeSource))
    assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
  })

  await t.test('the demo canvas with its live editors and widgets', async (st) => {
    const p = await openCanvas(browser, origin, DEMO_CANVAS_ID, 'demo canvas')
    env.c.add(() => p.context.close())
    await waitConnected(p)
    await waitDemoMounted(p)
    check(st, `/canvases/${DEMO_CANVAS_ID}`, await runAxe(p, axeSource))

    // The same page while the add form shows a refused amount.
    const form = p.page.locator('section.widget[data-widget="rendement"] form[aria-label="Rendementsregel toevoegen"]')
    await form.getByLabel('Bedrag in euro', { exact: true }).fill('12,345')
    await form.getByRole('button', { name: 'Regel toevoegen' }).click()
    await waitInPage(p, () => document.querySelector('section.widget[data-widget="rendement"] input[aria-invalid="true"]'),
      undefined, { what: 'the refused amount to be marked' })
    check(st, `/canvases/${DEMO_CANVAS_ID} with a refused amount`, await runAxe(p, axeSource))
    assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
  })

  await t.test('the coachdashboard (/coach) with a canvas escalated to the coach', async (st) => {
    const { server } = env
    const label = uniqueLabel()
    const { id } = await createCanvas(server, label)
    await moveCanvas(server, id, TO_IN_BEHANDELING)
    await escalateCanvas(server, id, 'coach', 'Wie betaalt de scooter?', { token: await server.tokenFor(DEMO_ACCOUNTS.teamlid) })
    const p = await openPage(browser, origin, '/coach', 'coach', { account: DEMO_ACCOUNTS.coach })
    env.c.add(() => p.context.close())
    await waitLive(p, 'main#coach-dashboard', '/coach/tabel')
    assert.equal(await p.page.locator(`#dashboard-table tr[data-canvas="${id}"] a`).textContent(), label)
    check(st, '/coach', await runAxe(p, axeSource))
    assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
  })
})

test('accessibility: axe finds no violation of any impact on any page, at 1366 and at 390 px', async (t) => {
  const axeSource = await readFile(require.resolve('axe-core/axe.min.js'), 'utf8')
  const env = await setupServer(t)
  const { server } = env
  const { browser, origin } = await startBrowser(t, env)
  // An escalation, so the frozen copy, its summary and the dashboards have something to show.
  const { id } = await createCanvas(server, uniqueLabel())
  await moveCanvas(server, id, TO_IN_BEHANDELING)
  await escalateCanvas(server, id, 'coach', 'Wie betaalt de scooter?', { token: await server.tokenFor(DEMO_ACCOUNTS.teamlid) })
  const escalation = 1
  const team = 1
  const meeting = await planMeeting(server, team, '2027-03-03', '14:00')
  // Running, with a guest, a besluit, an actiepunt and someone present; and a comment on the
  // demo canvas, so that the live section, the verslag and the comments have all their parts.
  for (const [path, fields] of [
    [`/overleggen/${meeting}/agenda`, { onderwerp: 'Mededelingen', minuten: '10' }],
    [`/overleggen/${meeting}/gasten`, { email: DEMO_ACCOUNTS.coach }],
    [`/overleggen/${meeting}/starten`, {}],
    [`/overleggen/${meeting}/aanwezig?plaats=zaal`, {}],
    [`/canvases/${DEMO_CANVAS_ID}/opmerkingen`, { field: 'situation', body: 'Klopt het bedrag van de huurschuld?' }]
  ]) {
    const res = await postForm(server, path, fields)
    assert.equal(res.status, 303, `${path}: ${res.body.slice(0, 200)}`)
  }
  const item = /data-item="(\d+)"/.exec(await (await apiFetch(server, `/overleggen/${meeting}/live`)).text())[1]
  assert.equal((await postForm(server, `/overleggen/${meeting}/agenda/${item}/besluit`, { besluit: 'Doorgaan.' })).status, 303)
  const past = 1
  // The escalation above is the canvas's first version.
  const version = (await getJson(server, `/api/canvases/${id}/versies`)).body[0].id
  const canvas = `/canvases/${DEMO_CANVAS_ID}`
  const pages = [
    [null, ['/inloggen', '/inloggen?uitgelogd=1']],
    [DEMO_ACCOUNTS.aanjager, ['/', canvas, `${canvas}/dossier`, '/teams', `/teams/${team}`, `/teams/${team}/budget`,
      '/audit', '/tokens', '/meldingen', '/bestaat-niet', `/canvases/${id}/opschalingen/${escalation}`,
      `/canvases/${id}/opschalingen/${escalation}/samenvatting`, '/overleggen', `/teams/${team}/overleggen`,
      `/overleggen/${meeting}`, `/overleggen/${meeting}/verslag`, `/overleggen/${past}/verslag`, `/canvases/${id}/geschiedenis`, `/canvases/${id}/versies/${version}`,
      `/canvases/${id}/verschil?van=${version}&tot=nu`,
      // The learning archive: the search with hits, a team's dashboard with its leeragenda, and
      // the demo's closed canvas with anonymity findings to resolve before archiving.
      '/leerarchief?q=scooter', `/lerend-evalueren?niveau=team&id=${team}`, '/canvases/5c00de70-0000-4000-8000-0000000a00ff']],
    [DEMO_ACCOUNTS.coach, ['/coach', `/canvases/${id}`, '/lerend-evalueren']],
    [DEMO_ACCOUNTS.pmm, ['/pmm', '/lerend-evalueren', '/leerarchief']],
    [DEMO_ACCOUNTS.beheerder, ['/beheer', '/']]
  ]
  const found = []
  for (const [account, paths] of pages) {
    const p = await openPage(browser, origin, paths[0], account ?? 'anonymous', { account })
    env.c.add(() => p.context.close())
    for (const size of SIZES) {
      await p.page.setViewportSize(size)
      for (const path of paths) {
        await p.page.goto(origin + path, { waitUntil: 'load' })
        if (/^\/canvases\/[^/]+$/.test(path)) await waitConnected(p)
        await waitInPage(p, () => document.readyState === 'complete', undefined, { what: 'the page to load' })
        const violations = await runAxe(p, axeSource)
        if (violations.length > 0) found.push(`${path} at ${size.width} px as ${account ?? 'nobody'}:\n${describe(violations)}`)
      }
    }
    assert.deepEqual(p.errors, [], `${account}: uncaught errors or CSP violations`)
  }
  assert.equal(found.length, 0, `axe violations:\n${found.join('\n')}`)
})
