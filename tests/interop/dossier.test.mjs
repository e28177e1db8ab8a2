// The dossier's print view as Chromium prints it: A4 pages (several for the demo canvas), with
// nothing of the page's own controls on paper.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DEMO_CANVAS_ID, setupServer } from './lib/server.mjs'
import { openPage, startBrowser } from './lib/pages.mjs'

test('the print view of the whole canvas prints as several A4 pages without its buttons', async (t) => {
  const env = await setupServer(t)
  const { browser, origin } = await startBrowser(t, env)
  const p = await openPage(browser, origin, `/canvases/${DEMO_CANVAS_ID}/dossier`, 'aanjager')
  env.c.add(() => p.context.close())
  await p.page.emulateMedia({ media: 'print' })
  assert.equal(await p.page.locator('.no-print').isVisible(), false, 'the buttons are not printed')
  assert.equal(await p.page.locator('.topbar').count(), 0, 'no menu on paper')
  const pdf = await p.page.pdf({ format: 'A4', preferCSSPageSize: true })
  // Each page object of the PDF Chromium writes: "/Type /Page" (not "/Pages").
  const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page(?!s)/g) || []).length
  assert.ok(pages >= 2, `the demo canvas takes several pages: ${pages}`)
  const box = /\/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]/.exec(pdf.toString('latin1'))
  assert.ok(box, 'a media box')
  // A4 is 595 × 842 points.
  assert.ok(Math.abs(Number(box[1]) - 595) < 2 && Math.abs(Number(box[2]) - 842) < 2, `A4: ${box[1]} × ${box[2]}`)
  assert.deepEqual(p.errors, [], 'uncaught errors or CSP violations in the page')
})
