// The structured parts of the canvas as live widgets. The server renders each as a read-only
// `section.widget[data-widget=NAME]` with an h3; mounting keeps the heading and replaces the
// rest with controls bound to the Y.Array of that name (docs/canvas-schema.md).

import { mountActions } from './widget-actions.js'
import { mountAgencies } from './widget-agencies.js'
import { loadCatalogue, mountRegulations } from './widget-regulations.js'
import { mountRendement } from './widget-rendement.js'

/**
 * Find the widget containers; starts loading the catalogue of regulations at once, so it is
 * there by the time the document has synced. Returns { mount(doc) }.
 *
 * @param {ParentNode} root
 */
export function prepareWidgets (root) {
  const sections = new Map()
  for (const section of root.querySelectorAll('section.widget[data-widget]')) {
    if (!sections.has(section.dataset.widget)) sections.set(section.dataset.widget, section)
  }
  const catalogue = sections.has('regulations') ? loadCatalogue() : null
  // Mounting may wait a while for the document; do not report a failed fetch as unhandled.
  if (catalogue) catalogue.catch(() => {})
  return {
    mount (doc) {
      const mounted = {}
      const mounters = {
        agencies: (s) => mountAgencies(s, doc),
        regulations: (s) => mountRegulations(s, doc, catalogue),
        rendement: (s) => mountRendement(s, doc),
        actions: (s) => mountActions(s, doc)
      }
      for (const [name, section] of sections) {
        const mountOne = mounters[name]
        if (!mountOne) continue
        try {
          mounted[name] = mountOne(section)
        } catch (err) {
          // One broken widget must not take the others (or the editors) down.
          console.error(`could not mount the ${name} widget`, err)
        }
      }
      return mounted
    }
  }
}
