// The beheerder's page in Chromium: the setup in its order with what is done, the invitation
// form showing only the field the chosen role needs (and sending only that), and the new
// one-time link copied to the clipboard with one click.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DEMO_ACCOUNTS, setupServer, steps } from './lib/server.mjs'
import { WAIT_MS, openPage, startBrowser, waitInPage } from './lib/pages.mjs'

test('beheer: the setup in order, the fields of the chosen role only, and a link to copy', async (t) => {
  const env = await setupServer(t)
  const { browser, origin } = await startBrowser(t, env)
  const p = await openPage(browser, origin, '/beheer', 'beheerder', { account: DEMO_ACCOUNTS.beheerder })
  env.c.add(() => p.context.close())
  await p.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin })
  const step = steps(t)

  await step('the four steps in order, the done ones marked', async () => {
    const items = await p.page.locator('nav.setup-steps li').allInnerTexts()
    assert.deepEqual(items.map((s) => s.replace(/\s*\(gedaan\)\s*|\s*✓/g, '').trim()), [
      'Een provincie', 'Een gemeente in die provincie', 'Een doorbraakteam in die gemeente',
      'De eerste aanjager van dat team uitnodigen'
    ])
    // The demo has provinces, gemeenten and teams.
    assert.equal(await p.page.locator('nav.setup-steps li[data-done]').count() >= 3, true)
    const headings = await p.page.locator('main h2').allInnerTexts()
    assert.deepEqual(headings.slice(0, 4), ['Stap 1: provincies', 'Stap 2: gemeenten', 'Stap 3: doorbraakteams',
      'Stap 4: de eerste aanjager, coaches en PMM uitnodigen'])
  })

  await step('the invitation shows the team for an aanjager, the province for a coach, nothing more for PMM', async () => {
    const team = p.page.locator('#admin-invite-team')
    const province = p.page.locator('#admin-invite-province')
    const kind = p.page.locator('#admin-invite-kind')
    assert.ok(await team.isVisible() && !(await province.isVisible()), 'aanjager: the team only')
    await kind.selectOption('coach')
    assert.ok(!(await team.isVisible()) && await province.isVisible(), 'coach: the province only')
    assert.ok(await team.isDisabled() && !(await province.isDisabled()), 'a hidden field is not sent either')
    await kind.selectOption('pmm')
    assert.ok(!(await team.isVisible()) && !(await province.isVisible()), 'PMM: neither')
    assert.ok(await team.isDisabled() && await province.isDisabled(), 'PMM: nothing of either is sent')
  })

  await step('a coach invitation makes a link, which "Kopiëren" puts on the clipboard', async () => {
    await p.page.locator('#admin-invite-kind').selectOption('coach')
    await p.page.locator('#admin-invite-email').fill('nieuwe.coach@example.nl')
    await Promise.all([
      p.page.waitForURL((url) => url.pathname === '/beheer', { waitUntil: 'load', timeout: WAIT_MS }),
      p.page.getByRole('button', { name: 'Uitnodiging maken', exact: true }).click()
    ])
    const link = (await p.page.locator('#admin-link').innerText()).trim()
    assert.match(link, /\/uitnodiging\//)
    await p.page.getByRole('button', { name: 'Kopiëren', exact: true }).click()
    await waitInPage(p, () => document.querySelector('.copy-status')?.textContent === 'Gekopieerd.', undefined,
      { what: '"Gekopieerd."' })
    assert.equal(await p.page.evaluate(() => navigator.clipboard.readText()), link)
    const open = await p.page.locator('#invite-title ~ ul li').allInnerTexts()
    assert.ok(open.some((s) => s.includes('nieuwe.coach@example.nl') && s.includes('doorbraakcoach van')), open.join('\n'))
  })

  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})
