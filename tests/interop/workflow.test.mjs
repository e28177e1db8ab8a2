// The workflow live in Chromium (web/src/live-workflow.js, live-dashboard.js): what one person
// does in the workflow panel of a canvas reaches the others' open pages through the server's
// change streams (/canvases/{id}/gebeurtenissen, /coach/gebeurtenissen), without a reload.
//
// - A teamlid escalates a canvas to the provinciale doorbraakcoach on its page; the coach's open
//   dashboard gets the row. The coach escalates it further to PMM in another tab (the row now
//   waits on PMM); PMM, for whom the canvas is read-only, answers in the panel (its forms stay
//   usable in read-only mode), and the row leaves the still open dashboard.
// - Aanjager and projectleider on one canvas: the aanjager escalates to the directie, and the
//   projectleider's page shows "Opgeschaald". When the aanjager answers while the projectleider
//   has half typed an answer, that text stays and "Bijwerken" is offered; it shows the new state.
//   A hidden tab closes its stream and catches up with what changed once it is shown again; a
//   status button ("Naar «Doorbraak gerealiseerd»") reaches the other page like everything else.
//
// Canvases are set up over HTTP with the aanjager's token (POST /api/canvases, then
// /canvases/{id}/status as a form, which a token may post without a CSRF field).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  DEMO_ACCOUNTS, TO_IN_BEHANDELING, createCanvas, moveCanvas, setupServer, steps, uniqueLabel
} from './lib/server.mjs'
import {
  assertStatus, fillLearning, openCanvas, openPage, startBrowser, submit, waitConnected, waitInPage, waitLive, watchNavigations
} from './lib/pages.mjs'

/** How soon a change must show on the others' open pages. */
const LIVE_MS = 5000

/** What the coach dashboard shows, for failure messages. */
function dashboardState () {
  return {
    live: document.querySelector('main#coach-dashboard')?.dataset.liveState,
    rows: [...document.querySelectorAll('#dashboard-table tr[data-canvas]')].map((tr) => tr.innerText.replace(/\s+/g, ' '))
  }
}

/** What the workflow panel shows, for failure messages. */
function panelState () {
  const panel = document.getElementById('workflow')
  return {
    live: panel?.dataset.liveState,
    status: document.getElementById('canvas-status')?.textContent,
    notice: panel?.querySelector('.live-notice-text')?.textContent,
    escalations: [...(panel?.querySelectorAll('li.escalation') ?? [])].map((li) => li.innerText.replace(/\s+/g, ' ')),
    focused: document.activeElement?.outerHTML.slice(0, 120)
  }
}

/**
 * Make page `p` hidden (as a tab in the background) or visible again, as far as the page can
 * tell: `document.hidden`, `document.visibilityState` and a `visibilitychange` event. A headless
 * page is always visible otherwise.
 */
function setHidden (p, hidden) {
  return p.page.evaluate((hide) => {
    if (hide) {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true })
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' })
    } else {
      // Back to Document.prototype's own getters.
      delete document.hidden
      delete document.visibilityState
    }
    document.dispatchEvent(new Event('visibilitychange'))
  }, hidden)
}

/** Wait until page `p` says the canvas has status `text`. */
function waitStatus (p, text, what) {
  return waitInPage(p, (want) => document.getElementById('canvas-status')?.textContent === want, text, {
    what, timeout: LIVE_MS, extra: panelState
  })
}

test('an escalation to the coach reaches the open coach dashboard live, and so does the answer', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const label = uniqueLabel()
  const { id } = await createCanvas(server, label)
  await moveCanvas(server, id, TO_IN_BEHANDELING)
  const { browser, origin } = await startBrowser(t, env)
  const step = steps(t)
  const row = `#dashboard-table tr[data-canvas="${id}"]`
  const question = 'De Wmo en de Jeugdwet wijzen naar elkaar; wie betaalt de scooter?'

  const coach = await openPage(browser, origin, '/coach', 'coach', { account: DEMO_ACCOUNTS.coach, extra: dashboardState })
  env.c.add(() => coach.context.close())
  let coachNavigations

  await step('the coach has the dashboard open, live, without the canvas', async () => {
    await waitLive(coach, 'main#coach-dashboard', '/coach/tabel')
    coachNavigations = await watchNavigations(coach)
    assert.equal(await coach.page.locator(row).count(), 0, `${label} is on the dashboard before it was escalated`)
  })

  const teamlid = await openCanvas(browser, origin, id, 'teamlid', { account: DEMO_ACCOUNTS.teamlid })
  env.c.add(() => teamlid.context.close())
  let escalatedAt

  await step('the teamlid escalates the canvas to the provinciale doorbraakcoach on its page', async () => {
    await waitConnected(teamlid)
    const to = teamlid.page.locator('#escalate-to')
    await to.selectOption('coach')
    assert.equal(await to.locator('option:checked').textContent(), 'provinciale doorbraakcoach')
    await teamlid.page.locator('#escalate-question').fill(question)
    escalatedAt = Date.now()
    const res = await submit(teamlid, teamlid.page.locator('#escalate-form').getByRole('button', { name: 'Opschalen', exact: true }),
      `/canvases/${id}/opschalen`, { confirm: true })
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalen')
    await waitStatus(teamlid, 'Opgeschaald', "the teamlid's page, after the escalation")
  })

  await step(`the coach's dashboard shows the row within ${LIVE_MS / 1000} s, without a reload`, async (st) => {
    await waitInPage(coach, (sel) => document.querySelector(sel), row, {
      what: `the row of ${label} on the coach's dashboard`, timeout: LIVE_MS
    })
    st.diagnostic(`the row was there ${Date.now() - escalatedAt} ms after the teamlid pressed "Opschalen"`)
    const link = coach.page.locator(`${row} a`)
    assert.equal(await link.textContent(), label)
    assert.equal(await link.getAttribute('href'), `/canvases/${id}#workflow`)
    await coachNavigations.assertNone('while the row appeared')
  })

  let coachCanvas
  await step('the coach opens the canvas in a second tab and escalates it further to PMM', async () => {
    coachCanvas = await openCanvas(browser, origin, id, 'coach canvas', { context: coach.context })
    await waitConnected(coachCanvas)
    await coachCanvas.page.locator('#answer').fill('Dit moet landelijk worden opgelost.')
    await coachCanvas.page.locator('#outcome').selectOption('verder_opgeschaald')
    await coachCanvas.page.locator('#further-to').selectOption('pmm')
    await coachCanvas.page.locator('#further-question').fill('Kan PMM de regelingen op elkaar laten aansluiten?')
    const res = await submit(coachCanvas, coachCanvas.page.getByRole('button', { name: 'Antwoord vastleggen', exact: true }),
      /\/opschalingen\/\d+\/antwoord$/)
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalingen/{n}/antwoord')
  })

  await step('the row on the open dashboard now waits on PMM, without a reload', async () => {
    await waitInPage(coach, (sel) => document.querySelector(sel)?.cells[1]?.textContent === 'PMM', row, {
      what: `the row of ${label} at level "PMM"`, timeout: LIVE_MS
    })
    await coachNavigations.assertNone('while the row changed')
  })

  let pmm
  await step('PMM, who may read the canvas but not edit it, answers in its panel', async () => {
    pmm = await openCanvas(browser, origin, id, 'pmm', { account: DEMO_ACCOUNTS.pmm })
    env.c.add(() => pmm.context.close())
    await waitConnected(pmm)
    await waitInPage(pmm, () => document.querySelector('main#canvas')?.dataset.readOnly === 'true' &&
      document.getElementById('read-only-notice') && document.querySelectorAll('.cm-content[contenteditable="false"]').length === 7,
    undefined, { what: 'read-only mode, with seven read-only editors' })
    // Read-only mode is for the canvas's content; the panel's forms are checked by the server.
    const answer = pmm.page.locator('#answer')
    assert.equal(await answer.isEnabled(), true, 'the answer field of the panel is disabled in read-only mode')
    await answer.fill('De regelingen worden landelijk op elkaar afgestemd.')
    await pmm.page.locator('#outcome').selectOption('opgelost')
    const res = await submit(pmm, pmm.page.getByRole('button', { name: 'Antwoord vastleggen', exact: true }),
      /\/opschalingen\/\d+\/antwoord$/)
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalingen/{n}/antwoord')
    await waitStatus(pmm, 'In behandeling', "PMM's canvas page, after the answer")
  })

  await step('the answered escalation leaves the open dashboard, without a reload', async () => {
    await waitInPage(coach, (sel) => !document.querySelector(sel), row, {
      what: `the row of ${label} to leave the dashboard`, timeout: LIVE_MS
    })
    await coachNavigations.assertNone('while the row went away')
  })

  for (const p of [coach, teamlid, coachCanvas, pmm].filter(Boolean)) {
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  }
})

test('two people on one canvas: the panel follows the other\'s changes, but never over half-typed text', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const label = uniqueLabel()
  const { id } = await createCanvas(server, label)
  await moveCanvas(server, id, TO_IN_BEHANDELING)
  // The Arnhem members in turn: the aanjager, then the projectleider.
  const { pages: [aanjager, projectleider] } = await startBrowser(t, env, { canvasId: id, labels: ['aanjager', 'projectleider'] })
  const step = steps(t)
  const typed = 'De directie vraagt eerst'
  let navigations

  await step('both pages are live; each shows the other by their own name', async () => {
    for (const p of [aanjager, projectleider]) await waitConnected(p)
    await waitLive(projectleider, 'section#workflow', `/canvases/${id}/werkwijze`)
    navigations = await watchNavigations(projectleider)
    await waitInPage(projectleider, () => {
      const names = [...document.querySelectorAll('#presence .presence-name')].map((el) => el.textContent)
      return names.includes('Piet Projectleider (jij)') && names.includes('Anne Aanjager')
    }, undefined, { what: 'the presence list "Piet Projectleider (jij)", "Anne Aanjager"' })
  })

  await step('the aanjager escalates to the directie; the projectleider\'s page says "Opgeschaald"', async () => {
    await aanjager.page.locator('#escalate-to').selectOption('directie')
    await aanjager.page.locator('#escalate-question').fill('Mag het budget hiervoor worden ingezet?')
    const res = await submit(aanjager, aanjager.page.locator('#escalate-form').getByRole('button', { name: 'Opschalen', exact: true }),
      `/canvases/${id}/opschalen`, { confirm: true })
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalen')
    await waitStatus(projectleider, 'Opgeschaald', "the projectleider's status, live")
    await waitInPage(projectleider, () => [...document.querySelectorAll('#workflow li.escalation .question')]
      .some((q) => q.textContent === 'Vraag: Mag het budget hiervoor worden ingezet?') && document.getElementById('answer'),
    undefined, { what: 'the escalation and its answer form in the projectleider\'s panel', extra: panelState })
    await navigations.assertNone('while the status changed')
  })

  await step('half an answer typed by the projectleider stays when the aanjager answers; "Bijwerken" is offered', async () => {
    await projectleider.page.locator('#answer').click()
    await projectleider.page.keyboard.type(typed)
    // Out of the field again: only the typed text can hold the refresh back now.
    await projectleider.page.evaluate(() => document.activeElement?.blur())

    await aanjager.page.locator('#answer').fill('Ja, binnen het doorbraakbudget.')
    await aanjager.page.locator('#outcome').selectOption('opgelost')
    const res = await submit(aanjager, aanjager.page.getByRole('button', { name: 'Antwoord vastleggen', exact: true }),
      /\/opschalingen\/\d+\/antwoord$/)
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalingen/{n}/antwoord')
    await waitStatus(aanjager, 'In behandeling', "the aanjager's page, after the answer")

    const button = projectleider.page.locator('#workflow .live-notice').getByRole('button', { name: 'Bijwerken', exact: true })
    await button.waitFor({ state: 'visible', timeout: LIVE_MS })
    const notice = projectleider.page.locator('#workflow .live-notice [role="status"]')
    assert.match(await notice.textContent(), /^De werkwijze is intussen gewijzigd\./)
    assert.equal(await projectleider.page.locator('#answer').inputValue(), typed, 'the half-typed answer')
    assert.equal(await projectleider.page.locator('#canvas-status').textContent(), 'Opgeschaald',
      'the panel was replaced although it held typed text')
    await navigations.assertNone('while the notice appeared')
  })

  await step('"Bijwerken" shows the new state and puts the focus on the panel\'s heading', async () => {
    await projectleider.page.locator('#workflow .live-notice').getByRole('button', { name: 'Bijwerken', exact: true }).click()
    await waitStatus(projectleider, 'In behandeling', "the projectleider's status after Bijwerken")
    await waitInPage(projectleider, () => document.activeElement?.id === 'workflow-title' &&
      [...document.querySelectorAll('#workflow li.escalation .answer')].some((a) => a.textContent === 'Antwoord: Ja, binnen het doorbraakbudget.') &&
      !document.getElementById('answer') && document.querySelector('#workflow .live-notice-text')?.textContent === '',
    undefined, { what: 'the answer in the panel, no answer form, no notice, the focus on "Werkwijze"', extra: panelState })
    await navigations.assertNone('after Bijwerken')
  })

  await step('with nothing typed, the next change replaces the panel at once', async () => {
    await aanjager.page.locator('#escalate-to').selectOption('directie')
    await aanjager.page.locator('#escalate-question').fill('Nog een vraag aan de directie.')
    const res = await submit(aanjager, aanjager.page.locator('#escalate-form').getByRole('button', { name: 'Opschalen', exact: true }),
      `/canvases/${id}/opschalen`, { confirm: true })
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalen')
    await waitStatus(projectleider, 'Opgeschaald', "the projectleider's status, live")
    await navigations.assertNone('after the change')
  })

  await step('a hidden tab lets go of its stream, and catches up once it is shown again', async () => {
    await setHidden(projectleider, true)
    await waitInPage(projectleider, () => document.getElementById('workflow')?.dataset.liveState === 'paused', undefined, {
      what: 'the stream to pause while the tab is hidden', extra: panelState
    })
    await aanjager.page.locator('#answer').fill('Nee.')
    await aanjager.page.locator('#outcome').selectOption('teruggelegd')
    const res = await submit(aanjager, aanjager.page.getByRole('button', { name: 'Antwoord vastleggen', exact: true }),
      /\/opschalingen\/\d+\/antwoord$/)
    await assertStatus(res, 303, 'POST /canvases/{id}/opschalingen/{n}/antwoord')
    await waitStatus(aanjager, 'In behandeling', "the aanjager's page, after the answer")
    // Without a stream nothing tells the hidden tab; no event could be on its way either.
    assert.equal(await projectleider.page.locator('#canvas-status').textContent(), 'Opgeschaald', 'the hidden tab')
    await setHidden(projectleider, false)
    await waitStatus(projectleider, 'In behandeling', "the projectleider's status once the tab is shown again")
    await waitInPage(projectleider, () => document.getElementById('workflow')?.dataset.liveState === 'open', undefined, {
      what: 'the stream to be open again', extra: panelState
    })
    await navigations.assertNone('while hidden and shown again')
  })

  await step('the aanjager closes the canvas with a status button; the projectleider sees it live', async () => {
    await fillLearning(aanjager)
    const res = await submit(aanjager, aanjager.page.getByRole('button', { name: 'Naar «Doorbraak gerealiseerd»', exact: true }),
      `/canvases/${id}/status`, { confirm: true })
    await assertStatus(res, 303, 'POST /canvases/{id}/status')
    await waitStatus(projectleider, 'Doorbraak gerealiseerd', "the projectleider's status, live")
    await navigations.assertNone('after the last change')
  })

  for (const p of [aanjager, projectleider]) {
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  }
})
