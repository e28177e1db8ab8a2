//! Canvasoverzicht: every canvas, newest change first, and a form to start a new one.

use maud::{Markup, html};

use super::{
    components::{error_message, topbar},
    layout,
};
use crate::{canvas::label::MAX_LABEL_CHARS, store::CanvasSummary, views::components::dutch_time};

/// The overview; `error` and `label` redisplay a refused new-canvas form.
pub fn page(canvases: &[CanvasSummary], error: Option<&str>, label: &str) -> Markup {
    layout(
        "Canvasoverzicht",
        html! {
            (topbar(false))
            main #overview {
                h1 { "Canvasoverzicht" }
                section.new-canvas aria-labelledby="new-canvas-title" {
                    h2 #new-canvas-title { "Nieuw canvas" }
                    form method="post" action="/canvases" {
                        label for="label" { "Anonieme naam van de casus" }
                        p.hint #label-hint { "Geen namen, BSN, adressen of geboortedata: bijvoorbeeld \"Casus T-17\"." }
                        @if let Some(error) = error { (error_message(error)) }
                        div.row {
                            input #label name="label" type="text" required maxlength=(MAX_LABEL_CHARS)
                                aria-describedby="label-hint" value=(label);
                            button type="submit" { "Canvas starten" }
                        }
                    }
                }
                section aria-labelledby="list-title" {
                    h2 #list-title { "Canvassen" }
                    @if canvases.is_empty() {
                        p { "Er zijn nog geen canvassen." }
                    } @else {
                        table.canvas-list {
                            thead { tr { th scope="col" { "Casus" } th scope="col" { "Laatst gewijzigd" } } }
                            tbody {
                                @for canvas in canvases {
                                    tr {
                                        td { a href={ "/canvases/" (canvas.id) } { (canvas.label) } }
                                        td { (dutch_time(canvas.updated_at)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
