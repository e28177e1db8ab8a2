// The running overleg's pure parts (src/live-meeting.js): the timer's text, which must read as
// the server writes it, and the check on what the stream says about the chair's position.

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { parsePosition, timerText } from '../src/live-meeting.js'

test('the timer reads as minutes and seconds, and shows overtime', () => {
  assert.equal(timerText(600_000), '10:00')
  assert.equal(timerText(59_001), '1:00')
  assert.equal(timerText(0), '0:00')
  assert.equal(timerText(-61_000), '−1:01')
})

test('a position is a canvas, a step name and a path on this site, or nothing', () => {
  const ok = { canvas: 'c1', step: 'stap-3', url: '/canvases/c1#stap-3' }
  assert.deepEqual(parsePosition(JSON.stringify(ok)), ok)
  for (const bad of [
    'geen json',
    JSON.stringify({ ...ok, url: 'https://elders.example/' }),
    JSON.stringify({ ...ok, url: '//elders.example/canvases/' }),
    JSON.stringify({ ...ok, step: '<img src=x>' }),
    JSON.stringify({ canvas: 1, step: 'stap-1', url: '/canvases/1' }),
    'null'
  ]) assert.equal(parsePosition(bad), null, bad)
})
