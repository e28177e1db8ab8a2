// The anonymity check while typing, in Chromium (web/src/anonymity.js): what someone types is
// checked by the server's one rule (POST /api/anonimiteit) and marked in the editor with the
// Dutch explanation; the panel "Anonimiteit" lists it with a button that selects it; taking it
// out clears both. A comment is checked as it is typed, with the warning under the field. The
// demo canvas, which is anonymous, shows no finding.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DEMO_ACCOUNTS, createCanvas, setupServer, steps, uniqueLabel } from './lib/server.mjs'
import { DEMO_CANVAS_ID, editor, openCanvas, startBrowser, waitConnected, waitDemoMounted, waitInPage } from './lib/pages.mjs'

function panelState () {
  return {
    status: document.getElementById('anonimiteit-status')?.textContent,
    items: [...document.querySelectorAll('#anonimiteit-list li')].map((li) => li.textContent),
    marks: [...document.querySelectorAll('.anon-finding')].map((m) => [m.textContent, m.title])
  }
}

test('personal data typed into a field is marked and listed, and goes when it is taken out', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const { id } = await createCanvas(server, uniqueLabel('Casus A-'))
  const { browser, origin } = await startBrowser(t, env)
  const p = await openCanvas(browser, origin, id, 'aanjager', { account: DEMO_ACCOUNTS.aanjager })
  env.c.add(() => p.context.close())
  await waitConnected(p)
  const step = steps(t)

  await step('a phone number is marked with its explanation and listed', async () => {
    await p.page.locator(editor('situation')).click()
    await p.page.keyboard.type('Moeder is bereikbaar op 06-12345678 na drie uur.')
    await waitInPage(p, () => [...document.querySelectorAll('div.editor[data-ytext="situation"] .anon-finding')]
      .some((m) => m.textContent === '06-12345678' && m.title === 'Dit lijkt een telefoonnummer.'), undefined, {
      what: 'the phone number marked', extra: panelState
    })
    const status = await p.page.locator('#anonimiteit-status').textContent()
    assert.match(status, /^1 mogelijk persoonsgegeven gevonden/)
    await p.page.locator('#anonimiteit-list button').first().click()
    const selected = await p.page.evaluate(() => window.getSelection().toString())
    assert.equal(selected, '06-12345678', 'the button selects the finding in its field')
  })

  await step('taking it out clears the mark and the list', async () => {
    await p.page.keyboard.type('het nummer staat in het dossier')
    await waitInPage(p, () => document.querySelectorAll('.anon-finding').length === 0 &&
      document.getElementById('anonimiteit-status')?.textContent === 'Geen persoonsgegevens gevonden.', undefined, {
      what: 'no finding left', extra: panelState
    })
    assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
  })

  await step('a comment is checked as it is typed, before it is sent', async () => {
    await p.page.locator('#comment-body').fill('Bel haar op 06-12345678 over de huur.')
    await waitInPage(p, () => document.getElementById('comment-body-anonimiteit')?.textContent ===
      'Let op, dit moet anoniem zijn: Dit lijkt een telefoonnummer (“06-12345678”).', undefined, {
      what: 'the comment field\'s warning', extra: panelState
    })
    assert.match(await p.page.locator('#comment-body').getAttribute('aria-describedby'), /comment-body-anonimiteit/)
    await p.page.locator('#comment-body').fill('Bel haar over de huur.')
    await waitInPage(p, () => document.getElementById('comment-body-anonimiteit')?.textContent === '', undefined, {
      what: 'the warning gone', extra: panelState
    })
  })

  await step('an escalation\'s question is checked as it is typed, before it is sent', async () => {
    const aanjager = await openCanvas(browser, origin, DEMO_CANVAS_ID, 'aanjager', { account: DEMO_ACCOUNTS.aanjager })
    env.c.add(() => aanjager.context.close())
    await waitDemoMounted(aanjager)
    await aanjager.page.locator('#escalate-question').fill('Mag mevrouw Jansen een scooter?')
    await waitInPage(aanjager, () => document.getElementById('escalate-question-anonimiteit')?.textContent?.startsWith('Let op, dit moet anoniem zijn:'),
      undefined, { what: 'the question field\'s warning' })
  })

  await step('the anonymous demo canvas shows no finding', async () => {
    const demo = await openCanvas(browser, origin, DEMO_CANVAS_ID, 'teamlid', { account: DEMO_ACCOUNTS.teamlid })
    env.c.add(() => demo.context.close())
    await waitDemoMounted(demo)
    await waitInPage(demo, () => document.getElementById('anonimiteit-status')?.textContent === 'Geen persoonsgegevens gevonden.', undefined, {
      what: 'the demo canvas checked', extra: panelState
    })
  })
})
