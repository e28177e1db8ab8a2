// Remote cursors and selections of other people in a CodeMirror editor, from Yjs awareness.
//
// A fork of y-codemirror.next's `yRemoteSelections` (MIT, Kevin Jahns and contributors) with one
// change: the caret widget sets its colours through `element.style` instead of a `style`
// attribute, so it keeps working under a Content-Security-Policy without `'unsafe-inline'` for
// styles. (CodeMirror applies the `style` of mark decorations through `style.cssText` itself.)
// The styling of the classes lives in app.css. It reads the binding from y-codemirror.next's
// `ySyncFacet`, so it is used together with `yCollab` (whose own remote-selection plugin is left
// out, see editors.js).

import * as Y from 'yjs'
import { Annotation, RangeSet } from '@codemirror/state'
import { Decoration, ViewPlugin, WidgetType } from '@codemirror/view'
import { ySyncFacet } from 'y-codemirror.next'

/** Marks the transactions that only redraw remote selections. */
const remoteSelectionsAnnotation = Annotation.define()

/** The caret of another person, with their name shown on hover. */
/**
 * A remote person's caret with their name above it. The name shows without hovering and fades
 * once the caret has stood still for a few seconds (app.css); `at` is part of the widget's
 * identity, so every move draws it afresh and the name shows again.
 */
class RemoteCaretWidget extends WidgetType {
  constructor (color, name, at) {
    super()
    this.color = color
    this.name = name
    this.at = at
  }

  toDOM () {
    const caret = document.createElement('span')
    caret.className = 'cm-ySelectionCaret'
    caret.style.backgroundColor = this.color
    caret.style.borderColor = this.color
    const dot = document.createElement('span')
    dot.className = 'cm-ySelectionCaretDot'
    const info = document.createElement('span')
    info.className = 'cm-ySelectionInfo'
    info.textContent = this.name
    // Word joiners keep the caret from breaking lines; as in y-codemirror.next.
    caret.append('\u2060', dot, '\u2060', info, '\u2060')
    caret.setAttribute('aria-hidden', 'true')
    return caret
  }

  eq (widget) {
    return widget.color === this.color && widget.name === this.name && widget.at === this.at
  }

  get estimatedHeight () { return -1 }

  ignoreEvent () { return true }
}

/** A mark or line decoration in a remote user's light colour. */
function selectionMark (colorLight) {
  return Decoration.mark({ attributes: { style: `background-color: ${colorLight}` }, class: 'cm-ySelection' })
}

class RemoteSelections {
  constructor (view) {
    this.conf = view.state.facet(ySyncFacet)
    this.awareness = this.conf.awareness
    this.listener = ({ added, updated, removed }) => {
      const clients = added.concat(updated, removed)
      if (clients.some((id) => id !== this.awareness.doc.clientID)) {
        view.dispatch({ annotations: [remoteSelectionsAnnotation.of([])] })
      }
    }
    this.awareness.on('change', this.listener)
    this.decorations = RangeSet.of([])
  }

  destroy () {
    this.awareness.off('change', this.listener)
  }

  update (update) {
    const { ytext, awareness } = this.conf
    const ydoc = ytext.doc
    const local = awareness.getLocalState()

    // Publish our own selection in this editor while it has the focus.
    if (local != null) {
      const hasFocus = update.view.hasFocus && update.view.dom.ownerDocument.hasFocus()
      if (hasFocus) {
        const sel = update.state.selection.main
        const anchor = Y.createRelativePositionFromTypeIndex(ytext, sel.anchor)
        const head = Y.createRelativePositionFromTypeIndex(ytext, sel.head)
        const current = local.cursor
        if (current == null ||
          !Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.anchor), anchor) ||
          !Y.compareRelativePositions(Y.createRelativePositionFromJSON(current.head), head)) {
          awareness.setLocalStateField('cursor', { anchor, head })
        }
      }
    }

    const decorations = []
    const doc = update.view.state.doc
    awareness.getStates().forEach((state, clientID) => {
      if (clientID === awareness.doc.clientID) return
      const cursor = state.cursor
      if (cursor == null || cursor.anchor == null || cursor.head == null) return
      let anchor, head
      try {
        anchor = Y.createAbsolutePositionFromRelativePosition(cursor.anchor, ydoc)
        head = Y.createAbsolutePositionFromRelativePosition(cursor.head, ydoc)
      } catch {
        return // a malformed position from another client
      }
      if (anchor == null || head == null || anchor.type !== ytext || head.type !== ytext) return
      const user = state.user || {}
      const color = typeof user.color === 'string' ? user.color : '#1d4ed8'
      const colorLight = typeof user.colorLight === 'string' ? user.colorLight : color + '33'
      const name = typeof user.name === 'string' ? user.name : 'Onbekend'
      const start = Math.min(anchor.index, head.index, doc.length)
      const end = Math.min(Math.max(anchor.index, head.index), doc.length)
      const startLine = doc.lineAt(start)
      const endLine = doc.lineAt(end)
      if (start < end) {
        if (startLine.number === endLine.number) {
          decorations.push(selectionMark(colorLight).range(start, end))
        } else {
          if (start < startLine.to) decorations.push(selectionMark(colorLight).range(start, startLine.to))
          for (let i = startLine.number + 1; i < endLine.number; i++) {
            const line = doc.line(i)
            decorations.push(Decoration.line({
              attributes: { style: `background-color: ${colorLight}`, class: 'cm-yLineSelection' }
            }).range(line.from))
          }
          if (endLine.from < end) decorations.push(selectionMark(colorLight).range(endLine.from, end))
        }
      }
      const headIndex = Math.min(head.index, doc.length)
      decorations.push(Decoration.widget({
        // Render our own cursor outside the remote selection.
        side: head.index - anchor.index > 0 ? -1 : 1,
        block: false,
        widget: new RemoteCaretWidget(color, name, headIndex)
      }).range(headIndex))
    })
    this.decorations = Decoration.set(decorations, true)
  }
}

export const remoteSelections = ViewPlugin.fromClass(RemoteSelections, {
  decorations: (v) => v.decorations
})
