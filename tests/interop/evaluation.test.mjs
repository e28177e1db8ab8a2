// The lerend-evalueren dashboard in Chromium, with JavaScript switched off (the charts are SVG
// made on the server, readable without a script): the province's coach opens the demo's
// dashboard and sees every figure as a chart with its table and a CSV link. With
// UPDATE_SCREENSHOT=1 it also writes the README's pictures of it (docs/screenshot-dashboard*.png).

import { test } from 'node:test'
import assert from 'node:assert/strict'
import { writeFile } from 'node:fs/promises'
import path from 'node:path'


import { DEMO_ACCOUNTS, repoRoot, setupServer } from './lib/server.mjs'
import { VIEWPORT, openPage, screenshot, signInContext, startBrowser } from './lib/pages.mjs'


const README_DASHBOARD = path.join(repoRoot, 'docs/screenshot-dashboard.png')
const README_LIFE_AREAS = path.join(repoRoot, 'docs/screenshot-dashboard-leefgebieden.png')

test('the dashboard shows its charts and tables without JavaScript', async (t) => {
  const env = await setupServer(t)
  const { browser, origin } = await startBrowser(t, env)
  const context = await browser.newContext({ viewport: VIEWPORT, locale: 'nl-NL', javaScriptEnabled: false })
  env.c.add(() => context.close())
  await signInContext(context, origin, DEMO_ACCOUNTS.coach)
  const p = await openPage(browser, origin, '/lerend-evalueren', 'coach', { context })

  const shown = await p.page.evaluate(() => ({
    title: document.querySelector('h1')?.textContent,
    figures: [...document.querySelectorAll('section.figure')].map((s) => ({
      heading: s.querySelector('h2')?.textContent,
      charts: [...s.querySelectorAll('svg.chart')].map((svg) => {
        const box = svg.getBoundingClientRect()
        return { label: svg.getAttribute('aria-label'), width: box.width, height: box.height, marks: svg.querySelectorAll('rect, path, polyline').length }
      }),
      rows: s.querySelectorAll('table tbody tr').length,
      csv: s.querySelector('a[href*="lerend-evalueren.csv"]')?.getAttribute('href') ?? null
    }))
  }))
  assert.match(shown.title, /^Lerend evalueren: /)
  assert.ok(shown.figures.length >= 5, `figures: ${JSON.stringify(shown.figures)}`)
  for (const f of shown.figures) {
    assert.ok(f.rows > 0, `${f.heading}: a table with rows`)
    assert.ok(f.csv, `${f.heading}: a CSV link`)
    for (const c of f.charts) {
      assert.ok(c.width > 100 && c.height > 50, `${f.heading}: the chart "${c.label}" is laid out (${c.width}×${c.height})`)
      assert.ok(c.marks > 0, `${f.heading}: the chart "${c.label}" draws something`)
    }
  }
  assert.ok(shown.figures.some((f) => f.charts.length > 0), 'at least one chart')
  await screenshot(t, p, 'screenshot-dashboard-full.png')
  if (process.env.UPDATE_SCREENSHOT === '1') {
    await writeFile(README_DASHBOARD, await p.page.screenshot({ fullPage: false }))
    await writeFile(README_LIFE_AREAS, await p.page.locator('section.figure[aria-labelledby="fig-leefgebieden"]').screenshot())
    t.diagnostic(`UPDATE_SCREENSHOT=1: wrote ${path.relative(repoRoot, README_DASHBOARD)} and ${path.relative(repoRoot, README_LIFE_AREAS)}`)
  }
  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations')
})
