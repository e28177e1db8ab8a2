// Every `div.editor[data-ytext]` becomes a CodeMirror 6 editor bound to the Y.Text of that name.

import * as Y from 'yjs'
import { Compartment, EditorState } from '@codemirror/state'
import { EditorView, keymap, placeholder } from '@codemirror/view'
import { yCollab, yRemoteSelections, yRemoteSelectionsTheme, yUndoManagerKeymap } from 'y-codemirror.next'

import { proseKeymap } from './keymap.js'
import { remoteSelections } from './remote-selections.js'

/** The text roots of the canvas schema (docs/canvas-schema.md); other names are ignored. */
const TEXT_ROOTS = new Set(['situation', 'future', 'overview', 'breakthrough', 'systemProblem', 'involvement', 'legitimacy'])

/** Whether an editor takes input; a compartment, so that read-only mode can start at any time. */
const editability = new Compartment()

function editabilityOf (readOnly) {
  return readOnly ? [EditorView.editable.of(false), EditorState.readOnly.of(true)] : []
}

/**
 * Replace the server-rendered text of each editor div with a live editor, read-only with
 * `readOnly`. Returns a map from root name to { view, undoManager }.
 *
 * @param {ParentNode} root
 * @param {Y.Doc} doc
 * @param {import('y-protocols/awareness').Awareness} awareness
 * @param {{ readOnly?: boolean }} [opts]
 */
export function mountEditors (root, doc, awareness, { readOnly = false } = {}) {
  const editors = new Map()
  for (const el of root.querySelectorAll('div.editor[data-ytext]')) {
    const name = el.dataset.ytext
    if (!TEXT_ROOTS.has(name) || editors.has(name)) continue
    editors.set(name, mountEditor(el, doc.getText(name), awareness, readOnly))
  }
  return editors
}

/** Make mounted editors (from mountEditors) read-only, or editable again. */
export function setEditorsReadOnly (editors, readOnly) {
  for (const { view } of editors.values()) {
    view.dispatch({ effects: editability.reconfigure(editabilityOf(readOnly)) })
  }
}

/** Undo and redo act on the Y.UndoManager directly, past CodeMirror's read-only state. */
const undoKeymap = yUndoManagerKeymap.map((binding) => ({
  ...binding,
  run: (view) => !view.state.readOnly && binding.run(view)
}))

function mountEditor (el, ytext, awareness, readOnly) {
  // Its own undo manager per field: it tracks only this browser's edits of this text, so undo
  // never removes what someone else wrote (remote changes have the provider as origin).
  const undoManager = new Y.UndoManager(ytext)
  const labelledBy = el.getAttribute('aria-labelledby')
  // Prose in Dutch: the browser's spelling check in Dutch (the page is lang="nl" too).
  const contentAttributes = { 'aria-multiline': 'true', spellcheck: 'true', lang: 'nl', autocorrect: 'on' }
  if (labelledBy) contentAttributes['aria-labelledby'] = labelledBy

  // CodeMirror puts its base styles in a <style> element; under a CSP with a style nonce it needs
  // that nonce, which the page may hand over in <meta name="csp-nonce" content="...">.
  const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content')

  // yCollab's own remote selections set a `style` attribute on the caret; ours does not.
  const collab = yCollab(ytext, awareness, { undoManager })
    .filter((ext) => ext !== yRemoteSelections && ext !== yRemoteSelectionsTheme)

  const state = EditorState.create({
    doc: ytext.toString(),
    extensions: [
      // Tab is deliberately not bound: it moves the focus out of the editor as everywhere else.
      keymap.of([...undoKeymap, ...proseKeymap]),
      editability.of(editabilityOf(readOnly)),
      EditorView.lineWrapping,
      EditorView.contentAttributes.of(contentAttributes),
      placeholder('Nog niets ingevuld'),
      nonce ? EditorView.cspNonce.of(nonce) : [],
      collab,
      remoteSelections
    ]
  })
  el.replaceChildren()
  // The label now belongs to the editable element, not to its wrapper, which until now stood in
  // as a read-only text box for browsers without this script.
  for (const attribute of ['aria-labelledby', 'role', 'aria-readonly', 'aria-multiline', 'tabindex']) {
    el.removeAttribute(attribute)
  }
  el.classList.add('is-live')
  const view = new EditorView({ state, parent: el })
  return { view, undoManager }
}
