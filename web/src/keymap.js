// Keys for plain prose in a CodeMirror editor.
//
// These are CodeMirror's own standard commands (cursor motion, selection, deletion, Enter), taken
// from @codemirror/commands (MIT, Marijn Haverbeke and others) without their language-aware
// parts. Importing @codemirror/commands would pull @codemirror/language and the Lezer parser into
// the bundle (~36 KiB minified) for indentation logic that prose does not need: Enter here
// inserts a plain line break.
//
// Tab is deliberately not bound, so it moves the focus to the next control as everywhere else.

import { EditorSelection, findClusterBreak } from '@codemirror/state'
import { Direction, EditorView } from '@codemirror/view'

function setSel (state, selection) {
  return state.update({ selection, scrollIntoView: true, userEvent: 'select' })
}

function moveSel (view, how) {
  const { state } = view
  const selection = EditorSelection.create(state.selection.ranges.map(how), state.selection.mainIndex)
  if (selection.eq(state.selection, true)) return false
  view.dispatch(setSel(state, selection))
  return true
}

function extendSel (view, forward, how) {
  const { state } = view
  const selection = EditorSelection.create(state.selection.ranges.map((range) => {
    if (range.undirectional && (range.head >= range.anchor) !== forward) {
      range = EditorSelection.range(range.head, range.anchor)
    }
    const head = how(range)
    return EditorSelection.range(range.anchor, head.head, head.goalColumn, head.bidiLevel || undefined, head.assoc)
  }), state.selection.mainIndex)
  if (selection.eq(state.selection)) return false
  view.dispatch(setSel(state, selection))
  return true
}

const rangeEnd = (range, forward) => EditorSelection.cursor(forward ? range.to : range.from)
const ltr = (view) => view.textDirectionAt(view.state.selection.main.head) === Direction.LTR

const byChar = (forward) => (view) => moveSel(view, (r) => r.empty ? view.moveByChar(r, forward) : rangeEnd(r, forward))
const byGroup = (forward) => (view) => moveSel(view, (r) => r.empty ? view.moveByGroup(r, forward) : rangeEnd(r, forward))
const byLine = (forward) => (view) => moveSel(view, (r) => {
  if (!r.empty) return rangeEnd(r, forward)
  const moved = view.moveVertically(r, forward)
  return moved.head !== r.head ? moved : view.moveToLineBoundary(r, forward)
})
const selChar = (forward) => (view) => extendSel(view, forward, (r) => view.moveByChar(r, forward))
const selGroup = (forward) => (view) => extendSel(view, forward, (r) => view.moveByGroup(r, forward))
const selLine = (forward) => (view) => extendSel(view, forward, (r) => view.moveVertically(r, forward))

/** Directional variants: left/right in the text direction at the cursor. */
const dir = (make) => ({ left: (view) => make(!ltr(view))(view), right: (view) => make(ltr(view))(view) })
const charMove = dir(byChar)
const charSel = dir(selChar)
const groupMove = dir(byGroup)
const groupSel = dir(selGroup)

function lineBoundary (view, start, forward) {
  const line = view.lineBlockAt(start.head)
  let moved = view.moveToLineBoundary(start, forward)
  if (moved.head === start.head && moved.head !== (forward ? line.to : line.from)) {
    moved = view.moveToLineBoundary(start, forward, false)
  }
  return moved
}
const boundaryMove = (forward) => (view) => moveSel(view, (r) => lineBoundary(view, r, forward))
const boundarySel = (forward) => (view) => extendSel(view, forward, (r) => lineBoundary(view, r, forward))

const docStart = (view) => { view.dispatch(setSel(view.state, { anchor: 0 })); return true }
const docEnd = (view) => { view.dispatch(setSel(view.state, { anchor: view.state.doc.length })); return true }
const selDocStart = (view) => {
  view.dispatch(setSel(view.state, { anchor: view.state.selection.main.anchor, head: 0 }))
  return true
}
const selDocEnd = (view) => {
  view.dispatch(setSel(view.state, { anchor: view.state.selection.main.anchor, head: view.state.doc.length }))
  return true
}
const selectAll = (view) => {
  view.dispatch(view.state.update({ selection: { anchor: 0, head: view.state.doc.length }, userEvent: 'select' }))
  return true
}

function skipAtomic (view, pos, forward) {
  for (const ranges of view.state.facet(EditorView.atomicRanges).map((f) => f(view))) {
    ranges.between(pos, pos, (from, to) => {
      if (from < pos && to > pos) pos = forward ? to : from
    })
  }
  return pos
}

function deleteBy (view, by) {
  const { state } = view
  if (state.readOnly) return false
  let event = 'delete.selection'
  const changes = state.changeByRange((range) => {
    let { from, to } = range
    if (from === to) {
      let towards = by(range)
      if (towards < from) {
        event = 'delete.backward'
        towards = skipAtomic(view, towards, false)
      } else if (towards > from) {
        event = 'delete.forward'
        towards = skipAtomic(view, towards, true)
      }
      from = Math.min(from, towards)
      to = Math.max(to, towards)
    } else {
      from = skipAtomic(view, from, false)
      to = skipAtomic(view, to, true)
    }
    return from === to
      ? { range }
      : { changes: { from, to }, range: EditorSelection.cursor(from, from < range.head ? -1 : 1) }
  })
  if (changes.changes.empty) return false
  view.dispatch(state.update(changes, { scrollIntoView: true, userEvent: event }))
  return true
}

const deleteChar = (forward) => (view) => deleteBy(view, (range) => {
  const pos = range.from
  const { state } = view
  const line = state.doc.lineAt(pos)
  let target = findClusterBreak(line.text, pos - line.from, forward, forward) + line.from
  if (target === pos && line.number !== (forward ? state.doc.lines : 1)) {
    target += forward ? 1 : -1
  } else if (!forward && /[\ufe00-\ufe0f]/.test(line.text.slice(target - line.from, pos - line.from))) {
    target = findClusterBreak(line.text, target - line.from, false, false) + line.from
  }
  return target
})

const deleteGroup = (forward) => (view) => deleteBy(view, (range) => {
  let pos = range.head
  const { state } = view
  const line = state.doc.lineAt(pos)
  const categorize = state.charCategorizer(pos)
  for (let cat = null; ;) {
    if (pos === (forward ? line.to : line.from)) {
      if (pos === range.head && line.number !== (forward ? state.doc.lines : 1)) pos += forward ? 1 : -1
      break
    }
    const next = findClusterBreak(line.text, pos - line.from, forward) + line.from
    const nextChar = line.text.slice(Math.min(pos, next) - line.from, Math.max(pos, next) - line.from)
    const nextCat = categorize(nextChar)
    if (cat != null && nextCat !== cat) break
    if (nextChar !== ' ' || pos !== range.head) cat = nextCat
    pos = next
  }
  return pos
})

const insertNewline = (view) => {
  if (view.state.readOnly) return false
  view.dispatch(view.state.update(view.state.replaceSelection(view.state.lineBreak), {
    scrollIntoView: true, userEvent: 'input'
  }))
  return true
}

const simplifySelection = (view) => {
  const cur = view.state.selection
  const selection = cur.ranges.length > 1 ? EditorSelection.create([cur.main]) : !cur.main.empty ? EditorSelection.create([EditorSelection.cursor(cur.main.head)]) : null
  if (!selection) return false
  view.dispatch(setSel(view.state, selection))
  return true
}

export const proseKeymap = [
  { key: 'ArrowLeft', run: charMove.left, shift: charSel.left, preventDefault: true },
  { key: 'Mod-ArrowLeft', mac: 'Alt-ArrowLeft', run: groupMove.left, shift: groupSel.left, preventDefault: true },
  { mac: 'Cmd-ArrowLeft', run: boundaryMove(false), shift: boundarySel(false), preventDefault: true },
  { key: 'ArrowRight', run: charMove.right, shift: charSel.right, preventDefault: true },
  { key: 'Mod-ArrowRight', mac: 'Alt-ArrowRight', run: groupMove.right, shift: groupSel.right, preventDefault: true },
  { mac: 'Cmd-ArrowRight', run: boundaryMove(true), shift: boundarySel(true), preventDefault: true },
  { key: 'ArrowUp', run: byLine(false), shift: selLine(false), preventDefault: true },
  { mac: 'Cmd-ArrowUp', run: docStart, shift: selDocStart },
  { key: 'ArrowDown', run: byLine(true), shift: selLine(true), preventDefault: true },
  { mac: 'Cmd-ArrowDown', run: docEnd, shift: selDocEnd },
  { key: 'Home', run: boundaryMove(false), shift: boundarySel(false), preventDefault: true },
  { key: 'Mod-Home', run: docStart, shift: selDocStart },
  { key: 'End', run: boundaryMove(true), shift: boundarySel(true), preventDefault: true },
  { key: 'Mod-End', run: docEnd, shift: selDocEnd },
  { key: 'Enter', run: insertNewline, shift: insertNewline },
  { key: 'Mod-a', run: selectAll },
  { key: 'Backspace', run: deleteChar(false), shift: deleteChar(false), preventDefault: true },
  { key: 'Delete', run: deleteChar(true), preventDefault: true },
  { key: 'Mod-Backspace', mac: 'Alt-Backspace', run: deleteGroup(false), preventDefault: true },
  { key: 'Mod-Delete', mac: 'Alt-Delete', run: deleteGroup(true), preventDefault: true },
  { key: 'Escape', run: simplifySelection }
  // PageUp/PageDown are left to the browser, which scrolls the page.
]
