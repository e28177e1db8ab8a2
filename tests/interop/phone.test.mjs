// Every page on a phone (390×844) and on a laptop (1366×768) in Chromium: nothing scrolls
// sideways (WCAG 1.4.10, reflow), and a field focused with Tab is never hidden under the sticky
// bars (WCAG 2.4.11). Each page is opened by someone who may see it: the demo's aanjager, coach,
// PMM and beheerder.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DEMO_ACCOUNTS, DEMO_CANVAS_ID, planMeeting, postForm, setupServer, steps } from './lib/server.mjs'
import { launchChromium, openPage, pageOrigin } from './lib/pages.mjs'

const SIZES = [{ width: 390, height: 844 }, { width: 1366, height: 768 }]

/** In the page: how far it scrolls sideways, and the widest elements that cause it. */
function sideways () {
  const width = document.documentElement.clientWidth
  const over = document.documentElement.scrollWidth - width
  const culprits = over <= 0
    ? []
    : [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > width + 1)
        .slice(0, 5)
        .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}`)
  return { over, culprits }
}

test('every page reflows on a phone and a laptop: no sideways scrolling, focus never under the bars', async (t) => {
  const env = await setupServer(t)
  const origin = await pageOrigin(t, env)
  const browser = await launchChromium()
  env.c.add(() => browser.close())
  const step = steps(t)
  const team = 1
  const meeting = await planMeeting(env.server, team, '2027-03-03', '14:00')
  // The demo's upcoming overleg, running (its live section with the agenda, besluit and
  // actiepunt forms, guests), and the verslag of the last one.
  const running = 3
  const started = await postForm(env.server, `/overleggen/${running}/starten`, {})
  assert.equal(started.status, 303, started.body.slice(0, 200))
  const pages = [
    [DEMO_ACCOUNTS.aanjager, ['/', `/canvases/${DEMO_CANVAS_ID}`, `/canvases/${DEMO_CANVAS_ID}/dossier`, '/teams', `/teams/${team}`, `/teams/${team}/budget`,
      '/audit', '/tokens', '/meldingen', '/overleggen', `/teams/${team}/overleggen`, `/overleggen/${meeting}`,
      `/overleggen/${running}`, '/overleggen/2/verslag']],
    [DEMO_ACCOUNTS.coach, ['/coach', `/canvases/${DEMO_CANVAS_ID}`]],
    [DEMO_ACCOUNTS.pmm, ['/pmm']],
    [DEMO_ACCOUNTS.beheerder, ['/beheer', '/']]
  ]
  for (const [account, paths] of pages) {
    await step(`${account}: ${paths.join(', ')}`, async () => {
      const p = await openPage(browser, origin, paths[0], account, { account })
      env.c.add(() => p.context.close())
      for (const size of SIZES) {
        await p.page.setViewportSize(size)
        for (const path of paths) {
          await p.page.goto(origin + path, { waitUntil: 'load' })
          const { over, culprits } = await p.page.evaluate(sideways)
          assert.ok(over <= 0, `${path} at ${size.width} px scrolls ${over} px sideways: ${culprits.join(', ')}`)
          await p.page.keyboard.press('Tab')
          for (let i = 0; i < 25; i++) {
            await p.page.keyboard.press('Tab')
            const hidden = await p.page.evaluate(() => {
              const el = document.activeElement
              if (!el || el === document.body) return null
              const box = el.getBoundingClientRect()
              if (box.height === 0 || box.bottom < 0 || box.top > innerHeight) return null
              // What is drawn at the element's middle: itself, or a sticky bar over it.
              const hit = document.elementFromPoint(box.left + Math.min(box.width / 2, 20), box.top + box.height / 2)
              const bar = hit?.closest('.topbar, .step-bar')
              if (!bar || bar.contains(el) || el.contains(hit)) return null
              const position = getComputedStyle(bar).position
              if (position !== 'sticky' && position !== 'fixed') return null
              return `${el.tagName.toLowerCase()} "${(el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`
            })
            assert.equal(hidden, null, `${path} at ${size.width} px: the focused ${hidden} is hidden under a sticky bar`)
          }
        }
      }
      assert.deepEqual(p.errors, [], `${account}: uncaught errors or CSP violations`)
    })
  }
})
