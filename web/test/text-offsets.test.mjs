// Character offsets of the server to UTF-16 offsets of the editor (src/text-offsets.js).

import { test } from 'node:test'
import assert from 'node:assert/strict'

import { utf16Offsets } from '../src/text-offsets.js'

test('characters beyond the basic plane count once on the server and twice in the editor', () => {
  const text = 'Één 😀 bel 06-12345678'
  const at = utf16Offsets(text)
  const start = [...text].indexOf('0')
  assert.equal(text.slice(at(start), at(start + 11)), '06-12345678')
  assert.equal(at(0), 0)
  assert.equal(at(1000), text.length, 'past the end is the end')
  assert.equal(at(-3), 0)
})
