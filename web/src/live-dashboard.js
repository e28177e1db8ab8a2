// The coach dashboard (`main#coach-dashboard[data-live]`) follows every change in the coach's
// provinces: on each change event the server's fragment `/coach/tabel` (with the page's own query
// string, so the chosen sort stays) replaces `#dashboard-table`. The table holds links only, no
// input to lose; a focused link keeps the focus when the new table has the same link.

import { fetchFragment, followChanges } from './live-refresh.js'

/** Start following the coach dashboard, if this page is one. */
export function startLiveDashboard () {
  const main = document.querySelector('main#coach-dashboard[data-live]')
  const first = document.getElementById('dashboard-table')
  const events = main ? main.dataset.live : ''
  // Only a path of this site: the stream carries the session cookie.
  if (!main || !first || !events.startsWith('/') || events.startsWith('//')) return
  const url = '/coach/tabel' + window.location.search
  let shown = first.outerHTML

  followChanges(events, async () => {
    const fresh = await fetchFragment(url, 'div#dashboard-table')
    if (!fresh) return
    const html = fresh.outerHTML
    const table = document.getElementById('dashboard-table')
    if (!table || html === shown) return
    shown = html
    const focused = focusedLink(table)
    table.replaceWith(fresh)
    if (focused) {
      const same = [...fresh.querySelectorAll('a[href]')].find((a) => a.getAttribute('href') === focused)
      if (same) same.focus()
    }
  }, (state) => { main.dataset.liveState = state })
}

/** The href of the link in `table` that has the focus, if any. */
function focusedLink (table) {
  const active = document.activeElement
  return active && table.contains(active) && active.matches('a[href]') ? active.getAttribute('href') : null
}
