// Comments anchored to a text range. Selecting text in a field fills the comment form's field and
// its hidden `anchor`: two Yjs relative positions (start and end, each base64), which keep
// pointing at the same words however the text is edited later. Each thread with an anchor shows
// the words it is about, resolved against the live document (the text is already on this page;
// nothing leaves the browser but the positions).

import * as Y from 'yjs'

/** Most of the quoted words shown beside a thread. */
const QUOTE_CHARS = 80

function toBase64 (bytes) {
  let s = ''
  for (const b of bytes) s += String.fromCharCode(b)
  return btoa(s)
}

function fromBase64 (text) {
  const s = atob(text)
  const bytes = new Uint8Array(s.length)
  for (let i = 0; i < s.length; i++) bytes[i] = s.charCodeAt(i)
  return bytes
}

/** The anchor of `from`..`to` in `ytext`. */
export function anchorOf (ytext, from, to) {
  const encode = (index, assoc) =>
    toBase64(Y.encodeRelativePosition(Y.createRelativePositionFromTypeIndex(ytext, index, assoc)))
  return encode(from, 0) + ':' + encode(to, -1)
}

/** The range an anchor points at in `doc` now, or null. */
export function resolveAnchor (doc, anchor) {
  const [a, b] = String(anchor).split(':')
  if (!a || !b) return null
  try {
    const start = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(a)), doc)
    const end = Y.createAbsolutePositionFromRelativePosition(Y.decodeRelativePosition(fromBase64(b)), doc)
    if (!start || !end || start.type !== end.type) return null
    return { type: start.type, from: start.index, to: Math.max(start.index, end.index) }
  } catch {
    return null
  }
}

/**
 * Follow the selection in the editors (a map from root name to { view }, from mountEditors) and
 * show the quotes of anchored threads.
 */
export function startComments (doc, editors) {
  document.addEventListener('selectionchange', () => {
    for (const [name, { view }] of editors) {
      if (!view.hasFocus) continue
      const { from, to } = view.state.selection.main
      if (from === to) return
      const anchor = document.getElementById('comment-anchor')
      const field = document.getElementById('comment-field')
      const hint = document.getElementById('comment-selection')
      if (!anchor || !field) return
      anchor.value = anchorOf(doc.getText(name), from, to)
      if ([...field.options].some((o) => o.value === name)) field.value = name
      if (hint) hint.textContent = 'Gekoppeld aan: “' + clip(view.state.sliceDoc(from, to)) + '”'
      return
    }
  })
  let pending = null
  const quoteAll = () => {
    pending = null
    for (const thread of document.querySelectorAll('article.comment-thread[data-anchor]')) {
      const quote = thread.querySelector('.comment-quote')
      if (!quote) continue
      const range = resolveAnchor(doc, thread.dataset.anchor)
      const text = range && range.type instanceof Y.Text ? range.type.toString().slice(range.from, range.to) : ''
      const shown = text ? ' · “' + clip(text) + '”' : ' · (de tekst is intussen verwijderd)'
      // Only a real change: the observer below would otherwise hear this one again.
      if (quote.textContent !== shown) quote.textContent = shown
    }
  }
  const later = () => { if (!pending) pending = setTimeout(quoteAll, 250) }
  doc.on('update', later)
  new MutationObserver(later).observe(document.body, { childList: true, subtree: true })
  later()
}

function clip (text) {
  const t = text.replace(/\s+/g, ' ').trim()
  return t.length > QUOTE_CHARS ? t.slice(0, QUOTE_CHARS - 1) + '…' : t
}
