// Comments anchored to a text range in Chromium (web/src/comments.js): a selection in a field
// fills the comment form (the field and two Yjs relative positions), the thread shows the words
// it is about, and keeps showing the same words after text is typed before them, by another
// person too.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { DEMO_ACCOUNTS, createCanvas, getJson, setupServer, steps, uniqueLabel } from './lib/server.mjs'
import { editor, openCanvas, startBrowser, waitConnected, waitInPage, waitSaved } from './lib/pages.mjs'

/** What the comments part of the panel shows, for failure messages. */
function commentsState () {
  return {
    anchor: document.getElementById('comment-anchor')?.value,
    field: document.getElementById('comment-field')?.value,
    selection: document.getElementById('comment-selection')?.textContent,
    threads: [...document.querySelectorAll('article.comment-thread')].map((a) => a.innerText.replace(/\s+/g, ' '))
  }
}

test('a comment on selected words keeps pointing at them while the text is edited', async (t) => {
  const env = await setupServer(t)
  const { server } = env
  const label = uniqueLabel('Casus C-')
  const { id } = await createCanvas(server, label)
  const { browser, origin } = await startBrowser(t, env)
  const a = await openCanvas(browser, origin, id, 'aanjager', { account: DEMO_ACCOUNTS.aanjager })
  env.c.add(() => a.context.close())
  const b = await openCanvas(browser, origin, id, 'teamlid', { account: DEMO_ACCOUNTS.teamlid })
  env.c.add(() => b.context.close())
  await Promise.all([waitConnected(a), waitConnected(b)])
  const step = steps(t)

  await step('selecting words fills the comment form; the thread quotes them', async () => {
    await a.page.locator(editor('overview')).click()
    await a.page.keyboard.type('De huur is te hoog')
    await waitSaved(a)
    for (let i = 0; i < 4; i++) await a.page.keyboard.press('Shift+ArrowLeft')
    await waitInPage(a, () => document.getElementById('comment-anchor')?.value.includes(':'), undefined, {
      what: 'the anchor of the selection', extra: commentsState
    })
    assert.equal(await a.page.locator('#comment-field').inputValue(), 'overview')
    assert.match(await a.page.locator('#comment-selection').textContent(), /“hoog”/)
    await a.page.locator('#comment-body').fill('Hoeveel precies? @Tim Teamlid')
    await a.page.locator('#comment-form button[type="submit"]').click()
    for (const p of [a, b]) {
      await waitInPage(p, () => [...document.querySelectorAll('article.comment-thread[data-anchor] .comment-quote')]
        .some((q) => q.textContent.includes('“hoog”')), undefined, { what: 'the thread quoting “hoog”', extra: commentsState })
    }
    const { body } = await getJson(server, `/api/canvases/${id}/opmerkingen`)
    assert.equal(body.opmerkingen.length, 1)
    assert.equal(body.opmerkingen[0].field, 'overview')
  })

  await step('text typed before the words, by someone else, leaves the quote on them', async () => {
    await b.page.locator(editor('overview')).click()
    await b.page.keyboard.press('Control+Home')
    await b.page.keyboard.type('Sinds maart: ')
    for (const p of [a, b]) {
      await waitInPage(p, () => document.querySelector(`div.editor[data-ytext="overview"] .cm-content`)?.textContent.startsWith('Sinds maart: '), undefined, {
        what: 'the edit', extra: commentsState
      })
    }
    // The document changed under the anchor; the quote is computed again and is still the word.
    await waitInPage(a, () => [...document.querySelectorAll('article.comment-thread[data-anchor] .comment-quote')]
      .some((q) => q.textContent.includes('“hoog”')), undefined, { what: 'the quote after the edit', extra: commentsState })
    const quote = await a.page.locator('article.comment-thread .comment-quote').textContent()
    assert.ok(!quote.includes('maart'), quote)
    for (const p of [a, b]) assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  })
})
