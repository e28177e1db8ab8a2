// The canvas as a board in Chromium (web/src/panel-forms.js, confirm.js, step-bar.js):
//
// - A refused booking keeps its Dutch reason and what was typed, next to the form, and a live
//   change by someone else does not replace the panel while it shows that reason.
// - Closing a canvas asks first: "Annuleren" sends nothing, yes closes it; the teamlid, who may
//   not close, reads who may.
// - The step bar jumps with Alt+number, shows who works in which step, and the status badge
//   beside the title follows the status live.
//
// The canvas is set up over HTTP with the aanjager's token (POST /api/canvases, then
// /canvases/{id}/status as a form).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { TO_IN_BEHANDELING, createCanvas, escalateCanvas, moveCanvas, setupServer, steps, uniqueLabel } from './lib/server.mjs'
import { fillLearning, startBrowser, submit, waitConnected, waitInPage, waitLive, watchNavigations } from './lib/pages.mjs'

const LIVE_MS = 5000

function panelState () {
  const panel = document.getElementById('workflow')
  return {
    status: document.getElementById('canvas-status')?.textContent,
    badge: document.getElementById('status-badge')?.textContent,
    notice: panel?.querySelector('.live-notice-text')?.textContent,
    formError: panel?.querySelector('#budget-form .form-error')?.textContent,
    amount: document.getElementById('entry-amount')?.value,
    dialog: document.querySelector('dialog.confirm')?.textContent
  }
}

test('the board: refusals that stay, questions before closing, the step bar and the status badge', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const { id } = await createCanvas(server, uniqueLabel())
  await moveCanvas(server, id, TO_IN_BEHANDELING)
  const { pages: [aanjager, projectleider, teamlid] } = await startBrowser(t, env, {
    canvasId: id, labels: ['aanjager', 'projectleider', 'teamlid']
  })
  const step = steps(t)
  let navigations

  await step('every page is live', async () => {
    for (const p of [aanjager, projectleider, teamlid]) await waitConnected(p)
    await waitLive(aanjager, 'section#workflow', `/canvases/${id}/werkwijze`)
    navigations = await watchNavigations(aanjager)
  })

  await step('the first Tab stops skip to the content and to the step bar', async () => {
    const page = teamlid.page
    await page.evaluate(() => { document.activeElement?.blur(); window.scrollTo(0, 0) })
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Naar de inhoud')
    assert.ok(await page.evaluate(() => document.activeElement.getBoundingClientRect().top >= 0), 'shown when focused')
    await page.keyboard.press('Tab')
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Naar de stappen')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    await waitInPage(teamlid, () => !!document.activeElement?.closest('#step-bar'), undefined, {
      what: 'the focus in the step bar after "Naar de stappen"'
    })
  })

  await step('the first text field: three keys away by "Naar de inhoud", and before the fourteen switches by Tab alone', async () => {
    const page = teamlid.page
    const inSituation = () => !!document.activeElement?.closest('.editor[data-ytext="situation"]')
    // As after the first Tab of a fresh page: on the first skip link.
    const fromTop = () => page.evaluate(() => { window.scrollTo(0, 0); document.querySelector('a.skip-link').focus() })
    await fromTop()
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Naar de inhoud')
    await page.keyboard.press('Enter')
    await page.keyboard.press('Tab')
    await waitInPage(teamlid, inSituation, undefined, { what: 'the focus in step 1\'s text after "Naar de inhoud"' })
    await fromTop()
    let presses = 1
    while (presses < 40 && !(await page.evaluate(inSituation))) {
      await page.keyboard.press('Tab')
      presses++
    }
    // Skip links, the menu (with Leerarchief and Lerend evalueren), the title's buttons and the
    // step bar come first; no switch does.
    assert.ok(presses <= 24, `${presses} Tab presses to step 1's text`)
    assert.equal(await page.locator('#stap-1 fieldset.toggles').count(), 2, 'the switches follow the situation')
  })

  await step('"abc" as an amount: the reason says it is no amount, beside the form, and the input stays', async () => {
    const page = aanjager.page
    await page.locator('#entry-amount').fill('abc')
    await page.locator('#entry-purpose').fill('Borg voor een kamer')
    await page.locator('#entry-why').fill('De regeling vraagt een vast adres.')
    await page.locator('#entry-approved').fill('Anne Aanjager')
    const res = await submit(aanjager, page.locator('#budget-form').getByRole('button', { name: 'Boeken', exact: true }),
      `/canvases/${id}/budget`)
    assert.equal(res.status(), 422, 'POST /canvases/{id}/budget with "abc"')
    const error = page.locator('#budget-form .form-error[role="alert"]')
    assert.equal(await error.textContent(), 'Dit is geen bedrag. Schrijf het zoals 1.250,50 of 1250.')
    assert.equal(await page.locator('#entry-amount').inputValue(), 'abc', 'the amount as typed')
    assert.equal(await page.locator('#entry-purpose').inputValue(), 'Borg voor een kamer', 'the purpose as typed')
    assert.equal(await page.locator('#entry-amount').getAttribute('aria-describedby'), await error.getAttribute('id'))
    await navigations.assertNone('after the refused booking')
  })

  await step('a change by someone else meanwhile does not take the reason away; "Bijwerken" is offered', async () => {
    await escalateCanvas(server, id, 'directie', 'Mag dit van het doorbraakbudget?')
    const page = aanjager.page
    const button = page.locator('#workflow .live-notice').getByRole('button', { name: 'Bijwerken', exact: true })
    await button.waitFor({ state: 'visible', timeout: LIVE_MS })
    assert.equal(await page.locator('#budget-form .form-error').count(), 1, 'the reason is still there')
    assert.equal(await page.locator('#entry-amount').inputValue(), 'abc')
    assert.equal(await page.locator('#canvas-status').textContent(), 'In behandeling', 'the panel was not replaced')
    // The badge beside the title follows the panel the page shows, which is held back.
    await button.click()
    await waitInPage(aanjager, () => document.getElementById('canvas-status')?.textContent === 'Opgeschaald' &&
      document.getElementById('status-badge')?.textContent.includes('Opgeschaald'), undefined, {
      what: 'the new status in the panel and the badge after Bijwerken', timeout: LIVE_MS, extra: panelState
    })
  })

  await step('the status badge of the other pages followed live', async () => {
    await waitInPage(projectleider, () => document.getElementById('status-badge')?.textContent.includes('Opgeschaald'),
      undefined, { what: "the projectleider's badge", timeout: LIVE_MS, extra: panelState })
  })

  await step('back in behandeling, the teamlid reads who may close the canvas', async () => {
    const page = projectleider.page
    await page.locator('#answer').fill('Ja.')
    await page.locator('#outcome').selectOption('opgelost')
    const res = await submit(projectleider, page.getByRole('button', { name: 'Antwoord vastleggen', exact: true }),
      /\/opschalingen\/\d+\/antwoord$/)
    assert.equal(res.status(), 303)
    await waitInPage(teamlid, () => document.getElementById('canvas-status')?.textContent === 'In behandeling' &&
      [...document.querySelectorAll('#workflow .hint')].some((p) =>
        p.textContent === 'Alleen de aanjager kan dit canvas naar «Doorbraak gerealiseerd» zetten.'),
    undefined, { what: 'the reason why the teamlid cannot close the canvas', timeout: LIVE_MS, extra: panelState })
  })

  await step('closing asks first: "Annuleren" sends nothing', async () => {
    const page = aanjager.page
    const posts = []
    const count = (req) => { if (req.method() === 'POST') posts.push(req.url()) }
    page.on('request', count)
    await page.getByRole('button', { name: 'Naar «Doorbraak gerealiseerd»', exact: true }).click()
    const dialog = page.locator('dialog.confirm[open]')
    await dialog.waitFor({ state: 'visible', timeout: LIVE_MS })
    assert.match(await dialog.textContent(), /Je sluit dit canvas af als «Doorbraak gerealiseerd»/)
    assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Annuleren', 'the safe choice has the focus')
    await dialog.getByRole('button', { name: 'Annuleren', exact: true }).click()
    await dialog.waitFor({ state: 'detached', timeout: LIVE_MS })
    page.off('request', count)
    assert.deepEqual(posts, [], 'nothing was sent')
    assert.equal(await page.locator('#canvas-status').textContent(), 'In behandeling')
  })

  await step('…and yes closes it, with the leeropbrengst, for every page', async () => {
    await fillLearning(aanjager)
    const res = await submit(aanjager, aanjager.page.getByRole('button', { name: 'Naar «Doorbraak gerealiseerd»', exact: true }),
      `/canvases/${id}/status`, { confirm: true })
    assert.equal(res.status(), 303)
    for (const p of [aanjager, teamlid]) {
      await waitInPage(p, () => document.getElementById('status-badge')?.textContent.includes('Doorbraak gerealiseerd'),
        undefined, { what: `${p.label}: the badge "Doorbraak gerealiseerd"`, timeout: LIVE_MS, extra: panelState })
    }
    await navigations.assertNone('through the whole flow')
  })

  await step('Alt+5 puts the focus on step 5; the step bar shows who works where', async () => {
    await teamlid.page.keyboard.press('Alt+5')
    await waitInPage(teamlid, () => document.activeElement?.closest('#stap-5') && document.activeElement.tagName === 'H2',
      undefined, { what: 'the focus on the heading of step 5' })
    // The teamlid works in step 5 (a field there has the focus): the aanjager's bar shows it.
    await teamlid.page.locator('#stap-5 div.editor .cm-content').first().click()
    await waitInPage(aanjager, () => {
      const slot = document.querySelector('#step-bar [data-step-presence="5"]')
      return slot && slot.querySelectorAll('.presence-dot').length === 1 && /Tess Teamlid/.test(slot.textContent)
    }, undefined, { what: 'one person in step 5 in the aanjager\'s step bar', timeout: LIVE_MS })
    // At once, not by the wheel: a smooth scroll still running would move the page after the
    // jump below.
    await aanjager.page.evaluate(() => window.scrollTo({ top: 3000, behavior: 'instant' }))
    await waitInPage(aanjager, () => window.scrollY > 1000, undefined, { what: 'the page to scroll' })
    // In view below the top bar, not under it: what is drawn at the bar's middle is the bar.
    const seen = await aanjager.page.evaluate(() => {
      const bar = document.getElementById('step-bar').getBoundingClientRect()
      const top = document.querySelector('.topbar').getBoundingClientRect()
      const hit = document.elementFromPoint(bar.left + 20, bar.top + bar.height / 2)
      return { barTop: bar.top, topbarBottom: top.bottom, onTop: !!hit?.closest('#step-bar') }
    })
    assert.ok(seen.onTop && seen.barTop >= seen.topbarBottom - 1 && seen.barTop < seen.topbarBottom + 5,
      `the step bar stays in view just below the top bar: ${JSON.stringify(seen)}`)
    // A step jumped to is not hidden under the two bars.
    await aanjager.page.keyboard.press('Alt+3')
    await waitInPage(aanjager, () => {
      const h = document.querySelector('#stap-3 h2').getBoundingClientRect()
      const bar = document.getElementById('step-bar').getBoundingClientRect()
      return document.activeElement === document.querySelector('#stap-3 h2') && h.top >= bar.bottom && h.top < bar.bottom + 40
    }, undefined, { what: "step 3's heading focused, just below the step bar" })
  })

  await step('an empty required field gets the app\'s Dutch reason, not the browser\'s bubble', async () => {
    const page = aanjager.page
    await page.goto(new URL('/', page.url()).href, { waitUntil: 'load' })
    assert.equal(await page.locator('form[action="/canvases"]').evaluate((form) => form.noValidate), true)
    const res = await submit(aanjager, page.getByRole('button', { name: 'Canvas starten', exact: true }), '/canvases')
    assert.equal(res.status(), 422, 'the empty label reached the server')
    const reason = await page.locator('section.new-canvas p.error').textContent()
    assert.match(reason, /^Geef/, `a Dutch reason: ${reason}`)
  })

  await step('the booking form offers the team\'s members as approvers', async () => {
    const page = projectleider.page
    const names = await page.locator('#team-member-names option').evaluateAll((options) => options.map((o) => o.value))
    assert.ok(names.includes('Anne Aanjager') && names.includes('Tess Teamlid'), names.join(', '))
    assert.equal(await page.locator('#entry-approved').getAttribute('list'), 'team-member-names')
  })

  for (const p of [aanjager, projectleider, teamlid]) {
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  }
})

test('presentation mode on the meeting-room screen: one step, large, moving with the bar, live edits arriving', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const { id } = await createCanvas(server, uniqueLabel())
  const { pages: [screen, laptop] } = await startBrowser(t, env, { canvasId: id, labels: ['scherm', 'laptop'] })
  const step = steps(t)
  /** In the page: the steps of the board that take up room. */
  const showSteps = () => {
    window.visibleSteps = () => [...document.querySelectorAll('.board > .step')]
      .filter((s) => s.getBoundingClientRect().height > 0).map((s) => s.dataset.step)
  }
  const visibleSteps = () => window.visibleSteps()

  await step('both pages are live; the screen is 1920×1080', async () => {
    for (const p of [screen, laptop]) await waitConnected(p)
    await screen.page.setViewportSize({ width: 1920, height: 1080 })
    await screen.page.evaluate(showSteps)
  })

  await step('"Presenteren" shows step 1 alone, with body text of at least 20 px', async () => {
    await screen.page.getByRole('button', { name: 'Presenteren', exact: true }).click()
    await waitInPage(screen, (want) => JSON.stringify(window.visibleSteps()) === want, JSON.stringify(['1']), {
      what: 'only step 1 visible', extra: () => ({ steps: visibleSteps() })
    })
    const size = await screen.page.evaluate(() =>
      parseFloat(getComputedStyle(document.querySelector('#stap-1 .editor .cm-content')).fontSize))
    assert.ok(size >= 20, `body text of ${size} px`)
    assert.equal(await screen.page.getByRole('button', { name: 'Presentatie stoppen', exact: true }).getAttribute('aria-pressed'), 'true')
  })

  await step('an edit on the laptop appears in the presented step, with who typed it', async () => {
    await laptop.page.locator('#stap-1 div.editor .cm-content').click()
    await laptop.page.keyboard.insertText('Live vanaf de laptop')
    await waitInPage(screen, () => document.querySelector('#stap-1 .cm-content')?.textContent.includes('Live vanaf de laptop'),
      undefined, { what: 'the laptop\'s text on the screen', timeout: LIVE_MS })
    // The name at the laptop's caret shows without hovering, then fades while the caret rests.
    await waitInPage(screen, () => {
      const info = document.querySelector('#stap-1 .cm-ySelectionInfo')
      return info && info.textContent === 'Piet Projectleider' && Number(getComputedStyle(info).opacity) > 0.9
    }, undefined, { what: 'the name at the remote caret, fully visible', timeout: LIVE_MS })
    await waitInPage(screen, () => {
      const info = document.querySelector('#stap-1 .cm-ySelectionInfo')
      return info && Number(getComputedStyle(info).opacity) < 0.5
    }, undefined, { what: 'the name to fade once the caret rests', timeout: 10_000 })
  })

  await step('→ moves to step 2, the step bar to step 5 with the rendement totals in view', async () => {
    await screen.page.locator('#present-toggle').focus()
    await screen.page.keyboard.press('ArrowRight')
    await waitInPage(screen, (want) => JSON.stringify(window.visibleSteps()) === want, JSON.stringify(['2']), { what: 'step 2 alone' })
    await screen.page.locator('#step-bar a[data-step-link="5"]').click()
    await waitInPage(screen, (want) => JSON.stringify(window.visibleSteps()) === want, JSON.stringify(['5']), { what: 'step 5 alone' })
    assert.equal(await screen.page.locator('#step-bar a[data-step-link="5"]').getAttribute('aria-current'), 'step')
    const totals = await screen.page.locator('#stap-5 .totals-table').boundingBox()
    assert.ok(totals && totals.height > 0, 'the rendement totals are shown in step 5')
    if (process.env.UPDATE_SCREENSHOT === '1') {
      await screen.page.locator('#step-bar a[data-step-link="1"]').click()
      await screen.page.evaluate(() => window.scrollTo(0, 0))
      const { writeFile } = await import('node:fs/promises')
      const path = await import('node:path')
      const { repoRoot } = await import('./lib/server.mjs')
      await writeFile(path.join(repoRoot, 'docs', 'screenshot-presentation.png'), await screen.page.screenshot({ fullPage: false }))
      await screen.page.locator('#step-bar a[data-step-link="5"]').click()
    }
  })

  await step('Escape ends it: every step is back', async () => {
    await screen.page.locator('#present-toggle').focus()
    await screen.page.keyboard.press('Escape')
    await waitInPage(screen, () => window.visibleSteps().length === 6, undefined, { what: 'all six steps', extra: () => ({ steps: visibleSteps() }) })
  })

  for (const p of [screen, laptop]) {
    assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  }
})
