// A running overleg in Chromium (web/src/live-meeting.js): the aanjager chairs from the canvas
// page, a teamlid follows the chair and stops following, the provinciale doorbraakcoach joins as
// a remote guest.
//
// - The follower's screen goes to the canvas and the step the chair is at, and along when the
//   chair scrolls; a key press ends it (banner gone, the chair's next move no longer followed).
// - The timer reads the same on every meeting page; besluit and actiepunt appear live.
// - The chair calls everyone to where they are: the follower goes, the guest declines and stays.
// - The guest reads the agenda canvas during the overleg (the socket connects, read-only) and is
//   refused it once the chair ends the overleg: the socket closed, the page and the API 404.
// - Ending the overleg makes one version of the discussed canvas, and its difference view shows
//   the text the chair typed during the overleg.
//
// The server runs with --guest-grace-minutes 0, so the guest's window closes when it ends.

import { writeFile } from 'node:fs/promises'
import path from 'node:path'
import { test } from 'node:test'
import assert from 'node:assert/strict'

import {
  DEMO_ACCOUNTS, createCanvas, getJson, moveCanvas, planMeeting, postForm, repoRoot, setupServer, steps, uniqueLabel, waitFor
} from './lib/server.mjs'
import { editor, openCanvas, openPage, screenshot, startBrowser, waitConnected, waitInPage } from './lib/pages.mjs'

const LIVE_MS = 5000
/** The README's picture of a running overleg; written only with UPDATE_SCREENSHOT=1. */
const README_SCREENSHOT = path.join(repoRoot, 'docs', 'screenshot-overleg.png')

/** What a meeting or canvas page shows of the overleg, for failure messages. */
function meetingState () {
  return {
    live: document.getElementById('overleg-live')?.dataset.liveState,
    onTable: document.getElementById('on-table')?.textContent,
    timer: document.getElementById('meeting-timer')?.textContent,
    following: document.querySelector('main#canvas')?.dataset.following,
    followStep: document.querySelector('main#canvas')?.dataset.followStep,
    chairStep: document.querySelector('main#canvas')?.dataset.chairStep,
    banner: document.getElementById('follow-banner')?.textContent,
    url: location.pathname + location.hash
  }
}

/** The step of page `p` nearest the top of its screen. */
function topStep (p) {
  return p.page.evaluate(() => {
    const steps = [...document.querySelectorAll('li.step[id^="stap-"]')]
    const top = steps.find((s) => s.getBoundingClientRect().bottom > window.innerHeight / 4)
    return top ? top.id : null
  })
}

test('the chair runs an overleg with a follower and a remote guest coach', async (t) => {
  const env = await setupServer(t, { extraArgs: ['--guest-grace-minutes', '0'] })
  const { server } = env
  const label = uniqueLabel('Casus O-')
  const { id } = await createCanvas(server, label)
  await moveCanvas(server, id, ['concept', 'ingebracht'])
  const meeting = await planMeeting(server, 1, '2027-03-03', '14:00')
  const base = `/overleggen/${meeting}`
  const agenda = await (await fetch(server.baseUrl + base, { headers: { authorization: `Bearer ${server.token}` } })).text()
  assert.ok(agenda.includes(label), 'the ingebracht canvas is on the agenda')
  const invited = await postForm(server, `${base}/gasten`, { email: DEMO_ACCOUNTS.coach })
  assert.equal(invited.status, 303, invited.body.slice(0, 300))
  const coachToken = await server.tokenFor(DEMO_ACCOUNTS.coach)
  assert.equal((await getJson(server, `/api/canvases/${id}`, { token: coachToken })).status, 404, 'not before the window')
  // The canvas as it was before the overleg, to compare with afterwards.
  assert.equal((await postForm(server, `/canvases/${id}/versies`, { naam: 'Voor het overleg' })).status, 303)
  const started = await postForm(server, `${base}/starten`, {})
  assert.equal(started.status, 303)

  const { browser, origin } = await startBrowser(t, env)
  const chair = await openCanvas(browser, origin, id, 'chair', { account: DEMO_ACCOUNTS.aanjager })
  env.c.add(() => chair.context.close())
  await waitConnected(chair)
  const follower = await openPage(browser, origin, base, 'follower', { account: DEMO_ACCOUNTS.teamlid, extra: meetingState })
  env.c.add(() => follower.context.close())
  const guest = await openPage(browser, origin, base, 'guest', { account: DEMO_ACCOUNTS.coach, extra: meetingState })
  env.c.add(() => guest.context.close())
  const step = steps(t)

  await step('the follower follows the chair to the canvas and along its steps', async () => {
    // The chair's page has said where it is (the top step) once it loaded.
    await waitInPage(chair, () => !!document.querySelector('main#canvas')?.dataset.chairStep, undefined, { what: 'the chair page to report its step', extra: meetingState })
    await waitInPage(follower, () => document.getElementById('overleg-live')?.dataset.liveState === 'open', undefined, { what: 'the live section', extra: meetingState })
    await follower.page.locator('#follow-chair').click()
    await follower.page.waitForURL((url) => url.pathname === `/canvases/${id}`, { timeout: LIVE_MS })
    await waitInPage(follower, () => document.querySelector('main#canvas')?.dataset.following === 'true' &&
      !!document.getElementById('follow-banner'), undefined, { what: 'the follow banner', extra: meetingState })
    await chair.page.evaluate(() => document.getElementById('stap-4').scrollIntoView({ block: 'start' }))
    await waitInPage(chair, () => document.querySelector('main#canvas')?.dataset.chairStep === 'stap-4', undefined, {
      what: 'the chair\'s page to say it is at step 4', extra: meetingState
    })
    await waitInPage(follower, () => document.querySelector('main#canvas')?.dataset.followStep === 'stap-4', undefined, {
      what: 'the follower to be at step 4', timeout: LIVE_MS, extra: meetingState
    })
    assert.equal(await topStep(follower), 'stap-4', 'step 4 is at the top of the follower\'s screen')
  })

  await step('a key press stops following; the chair\'s next move is not followed', async () => {
    await follower.page.keyboard.press('ArrowDown')
    await waitInPage(follower, () => !document.getElementById('follow-banner') &&
      document.querySelector('main#canvas')?.dataset.following === undefined, undefined, { what: 'following to stop', extra: meetingState })
    // The chair works in step 2: the step with the focus is where the chair is.
    await chair.page.locator(editor('future')).click()
    await waitInPage(chair, () => document.querySelector('main#canvas')?.dataset.chairStep === 'stap-2', undefined, { what: 'the chair at step 2', extra: meetingState })
    // The position went out (the chair's page has it); give the follower's stream the same time
    // a followed move took, then check nothing moved: the follower's last followed step stays.
    const late = await openPage(browser, origin, `/canvases/${id}`, 'late', { account: DEMO_ACCOUNTS.projectleider, extra: meetingState })
    env.c.add(() => late.context.close())
    await late.page.evaluate(() => sessionStorage.setItem('doorbraak.volg', document.querySelector('main#canvas').dataset.meeting))
    await late.page.reload({ waitUntil: 'load' })
    await waitInPage(late, () => document.querySelector('main#canvas')?.dataset.followStep === 'stap-2', undefined, {
      what: 'a new follower to be taken to step 2 at once', timeout: LIVE_MS, extra: meetingState
    })
    assert.equal(await follower.page.evaluate(() => document.querySelector('main#canvas').dataset.followStep), 'stap-4')
  })

  await step('the timer reads the same for all; besluit and actiepunt appear live', async () => {
    await follower.page.goto(origin + base, { waitUntil: 'load' })
    await waitInPage(follower, () => document.getElementById('overleg-live')?.dataset.liveState === 'open', undefined, { what: 'the live section', extra: meetingState })
    await waitInPage(guest, () => document.getElementById('overleg-live')?.dataset.liveState === 'open', undefined, { what: 'the live section', extra: meetingState })
    assert.equal((await postForm(server, `${base}/timer?actie=start`, {})).status, 303)
    for (const p of [follower, guest]) {
      await waitInPage(p, () => document.getElementById('meeting-timer')?.dataset.running === 'true', undefined, { what: 'the timer to run', timeout: LIVE_MS, extra: meetingState })
    }
    const seconds = (text) => { const [m, s] = text.replace('−', '-').split(':').map(Number); return m * 60 + s }
    const [a, b] = await Promise.all([follower, guest].map((p) => p.page.locator('#meeting-timer').textContent()))
    assert.ok(Math.abs(seconds(a) - seconds(b)) <= 1, `the same time left: ${a} and ${b}`)

    const item = await follower.page.locator('.agenda-live li[data-item]').first().getAttribute('data-item')
    assert.equal((await postForm(server, `${base}/agenda/${item}/besluit`, { besluit: 'De huurschuld wordt bevroren.' })).status, 303)
    const owner = await follower.page.locator('select[name="wie"] option').first().getAttribute('value')
    const added = await postForm(server, `${base}/agenda/${item}/actiepunten`, { wat: 'Corporatie bellen', wie: owner, wanneer: '2027-03-17' })
    assert.equal(added.status, 303, added.body.slice(0, 300))
    for (const p of [follower, guest]) {
      await waitInPage(p, () => document.getElementById('overleg-live')?.textContent.includes('De huurschuld wordt bevroren.') &&
        document.getElementById('overleg-live')?.textContent.includes('Corporatie bellen'), undefined, {
        what: 'the besluit and the actiepunt', timeout: LIVE_MS, extra: meetingState
      })
    }
    // Who is there: the teamlid in the room, the coach remotely.
    assert.equal((await postForm(server, `${base}/aanwezig?plaats=zaal`, {}, { token: await server.tokenFor(DEMO_ACCOUNTS.teamlid) })).status, 303)
    assert.equal((await postForm(server, `${base}/aanwezig?plaats=afstand`, {}, { token: coachToken })).status, 303)
    await waitInPage(follower, () => !!document.querySelector('#overleg-live dd[data-place="afstand"]'), undefined, {
      what: 'who is there', timeout: LIVE_MS, extra: meetingState
    })
    await screenshot(t, follower, 'screenshot-overleg.png')
    if (process.env.UPDATE_SCREENSHOT === '1') {
      // The README shows the running overleg as a member sees it: what is on the table, the
      // timer, who is there, and the besluit and actiepunt just recorded.
      // The sticky top bar would cover part of the section in an element screenshot.
      await follower.page.evaluate(() => { document.querySelector('.topbar').style.position = 'static' })
      await writeFile(README_SCREENSHOT, await follower.page.locator('#overleg-live').screenshot())
      await follower.page.evaluate(() => { document.querySelector('.topbar').style.position = '' })
      t.diagnostic(`UPDATE_SCREENSHOT=1: wrote ${path.relative(repoRoot, README_SCREENSHOT)}`)
    }
  })

  await step('the chair calls everyone over; one goes, the other declines', async () => {
    await chair.page.locator('#call-everyone').click()
    for (const p of [follower, guest]) {
      await waitInPage(p, () => !!document.querySelector('#chair-call[role="alertdialog"]'), undefined, {
        what: 'the call of the chair', timeout: LIVE_MS, extra: meetingState
      })
    }
    await guest.page.locator('#chair-call button', { hasText: 'Nee, ik blijf hier' }).click()
    assert.equal(await guest.page.locator('#chair-call').count(), 0)
    assert.equal(new URL(guest.page.url()).pathname, base, 'the guest stays on the overleg page')
    await follower.page.locator('#chair-call button', { hasText: 'Ga erheen' }).click()
    await follower.page.waitForURL((url) => url.pathname === `/canvases/${id}`, { timeout: LIVE_MS })
    await follower.page.goto(origin + base, { waitUntil: 'load' })
  })

  let guestCanvas
  await step('the guest reads the agenda canvas during the overleg, read-only', async () => {
    guestCanvas = await openCanvas(browser, origin, id, 'guest canvas', { context: guest.context })
    await waitConnected(guestCanvas)
    assert.equal(await guestCanvas.page.locator('main#canvas').getAttribute('data-read-only'), 'true')
    // The chair types during the overleg; it becomes part of the version the end makes.
    await chair.page.locator(editor('situation')).click()
    await chair.page.keyboard.type(' Besproken in het overleg.')
    await waitFor(async () => (await getJson(server, `/api/canvases/${id}`)).body.steps?.situation?.includes('Besproken in het overleg.'), {
      what: 'the chair\'s text to be stored'
    })
  })

  await step('ending the overleg refuses the guest and versions the canvas', async () => {
    assert.equal((await postForm(server, `${base}/afronden`, {})).status, 303)
    // The server ends the guest's socket: the page is no longer connected (it cannot come back).
    await waitInPage(guestCanvas, () => document.getElementById('connection-status')?.dataset.state !== 'connected', undefined, {
      what: 'the guest\'s connection to end', timeout: LIVE_MS, extra: meetingState
    })
    assert.equal((await getJson(server, `/api/canvases/${id}`, { token: coachToken })).status, 404)
    const again = await guestCanvas.page.goto(origin + `/canvases/${id}`)
    assert.equal(again.status(), 404, 'the canvas page after the end')
    const versions = (await getJson(server, `/api/canvases/${id}/versies`)).body
    const overleg = versions.filter((v) => v.kind === 'overleg')
    assert.equal(overleg.length, 1, `one version of the discussed canvas: ${JSON.stringify(versions)}`)
    const before = versions.find((v) => v.kind === 'handmatig')
    const diff = await follower.page.goto(origin + `/canvases/${id}/verschil?van=${before.id}&tot=${overleg[0].id}`)
    assert.equal(diff.status(), 200)
    const inserted = await follower.page.locator('#verschil ins').allTextContents()
    assert.ok(inserted.some((text) => text.includes('Besproken in het overleg.')), `the change made in the overleg: ${inserted}`)
    for (const p of [chair, follower, guest]) assert.deepEqual(p.errors, [], `${p.label}: uncaught errors or CSP violations`)
  })
})
