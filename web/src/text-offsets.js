// The server counts offsets in Unicode characters (code points), CodeMirror and the DOM in UTF-16
// code units; an emoji or a rare CJK character is one of the first and two of the second.

/**
 * UTF-16 offsets of Unicode-character offsets in `text`; offsets past the end are the end.
 * @param {string} text
 * @returns {(chars: number) => number}
 */
export function utf16Offsets (text) {
  const table = [0]
  let units = 0
  for (const ch of text) {
    units += ch.length
    table.push(units)
  }
  return (chars) => table[Math.min(Math.max(chars, 0), table.length - 1)]
}
