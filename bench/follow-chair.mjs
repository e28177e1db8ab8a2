// Benchmark: how soon a follower's screen follows the chair (issue 12, "Volg de voorzitter").
//
// One server (the binary in DOORBRAAK_BIN, default target/release/doorbraak, with --demo), one
// Chromium with two browser contexts on the same machine: the aanjager chairs a running overleg
// from the scooter canvas, the teamlid follows. Each round the chair's page scrolls a step to the
// top; the latency is from the moment before that scroll (the chair's Date.now()) until the
// follower's page has scrolled the same step into view (its Date.now() when its
// data-follow-step changes). Both pages read the same system clock. It includes the chair's
// page noticing the move (one animation frame), its POST /overleggen/{id}/positie, the server's
// event to the follower's stream, and the follower's page scrolling.
//
//   cargo build --release --bin doorbraak
//   node bench/follow-chair.mjs [rounds] >> bench/results.jsonl
//
// Prints one JSON line. Needs tests/interop's node_modules (npm ci there) and Debian's chromium.

import { execFileSync } from 'node:child_process'
import path from 'node:path'

import { DEMO_ACCOUNTS, DEMO_CANVAS_ID, makeTempDir, postForm, repoRoot, startServer } from '../tests/interop/lib/server.mjs'
import { launchChromium, openCanvas, waitConnected } from '../tests/interop/lib/pages.mjs'

process.env.DOORBRAAK_BIN ||= path.join(repoRoot, 'target', 'release', 'doorbraak')
const rounds = Number(process.argv[2] || 60)
/** The steps the chair scrolls to in turn (step 1 by scrolling to the top). */
const TARGETS = ['stap-4', 'stap-6', 'stap-1']

function percentile (sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]
}

async function main () {
  const tmp = await makeTempDir('doorbraak-bench-')
  const server = await startServer({ dbDir: tmp.dir, name: 'bench-follow' })
  const browser = await launchChromium()
  try {
    // The demo's upcoming overleg has the scooter canvas on its agenda; start it now.
    const id = await upcomingMeeting(server)
    const started = await postForm(server, `/overleggen/${id}/starten`, {})
    if (started.status !== 303) throw new Error(`starting answered ${started.status}`)
    const origin = server.baseUrl
    const chair = await openCanvas(browser, origin, DEMO_CANVAS_ID, 'chair', { account: DEMO_ACCOUNTS.aanjager })
    const follower = await openCanvas(browser, origin, DEMO_CANVAS_ID, 'follower', { account: DEMO_ACCOUNTS.teamlid })
    await Promise.all([waitConnected(chair), waitConnected(follower)])
    await follower.page.evaluate((m) => sessionStorage.setItem('doorbraak.volg', m), String(id))
    await follower.page.reload({ waitUntil: 'load' })
    await follower.page.waitForFunction(() => document.querySelector('main#canvas')?.dataset.following === 'true')
    await follower.page.evaluate(() => {
      const main = document.querySelector('main#canvas')
      window.__followed = []
      new MutationObserver(() => window.__followed.push({ step: main.dataset.followStep, at: Date.now() }))
        .observe(main, { attributes: true, attributeFilter: ['data-follow-step'] })
    })
    const latencies = []
    for (let round = 0; round < rounds; round++) {
      const target = TARGETS[round % TARGETS.length]
      const before = await follower.page.evaluate(() => window.__followed.length)
      const movedAt = await chair.page.evaluate((step) => {
        const at = Date.now()
        if (step === 'stap-1') window.scrollTo(0, 0)
        else document.getElementById(step).scrollIntoView({ block: 'start' })
        return at
      }, target)
      const handle = await follower.page.waitForFunction(({ n, step }) => {
        const seen = window.__followed.slice(n).find((f) => f.step === step)
        return seen ? seen.at : false
      }, { n: before, step: target }, { timeout: 5000, polling: 5 })
      latencies.push((await handle.jsonValue()) - movedAt)
      // Let both pages be idle before the next move, as between two moves of a chair.
      await chair.page.waitForTimeout(150)
    }
    const sorted = [...latencies].sort((a, b) => a - b)
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot }).toString().trim()
    console.log(JSON.stringify({
      name: 'follow-chair',
      target: 'doorbraak',
      commit,
      date: new Date().toISOString(),
      command: 'node bench/follow-chair.mjs ' + rounds,
      result: {
        rounds,
        chromium: browser.version(),
        p50_ms: percentile(sorted, 0.5),
        p95_ms: percentile(sorted, 0.95),
        max_ms: sorted[sorted.length - 1]
      }
    }))
  } finally {
    await browser.close()
    await server.stop()
    await tmp.cleanup()
  }
}

/** The demo team's planned overleg (the one in two weeks). */
async function upcomingMeeting (server) {
  const html = await (await fetch(`${server.baseUrl}/teams/1/overleggen`, {
    headers: { authorization: `Bearer ${server.token}` }
  })).text()
  const rows = [...html.matchAll(/<tr data-meeting="(\d+)">([\s\S]*?)<\/tr>/g)]
  const planned = rows.find(([, , row]) => row.includes('data-status="gepland"'))
  if (!planned) throw new Error('the demo has no planned overleg')
  return planned[1]
}

main().catch((err) => {
  console.error(err)
  process.exit(1)
})
