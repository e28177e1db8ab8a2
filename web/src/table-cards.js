// Wide tables as cards on a narrow screen: every cell gets its column's heading as
// `data-label`, and app.css lays a table marked `cards` out as one card per row below 40rem,
// each value under its label. Tables that a live refresh puts into the page later are labelled
// too. Without this script a wide table scrolls inside its own box instead of the page.

/** Label the cells of `table` with their column headings; returns whether it could. */
export function labelCells (table) {
  const head = table.tHead && table.tHead.rows[0]
  if (!head) return false
  const names = [...head.cells].map((th) => th.textContent.trim())
  for (const body of table.tBodies) {
    for (const row of body.rows) {
      let column = 0
      for (const cell of row.cells) {
        const name = names[column]
        if (name && cell.dataset.label !== name) cell.dataset.label = name
        column += cell.colSpan || 1
      }
    }
  }
  table.classList.add('cards')
  return true
}

export function startTableCards () {
  const label = (root) => {
    for (const table of root.querySelectorAll('table')) labelCells(table)
  }
  label(document)
  if (typeof MutationObserver !== 'function') return
  new MutationObserver((records) => {
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node instanceof Element) {
          if (node.matches('table')) labelCells(node)
          else label(node)
        }
      }
    }
  }).observe(document.body, { childList: true, subtree: true })
}
