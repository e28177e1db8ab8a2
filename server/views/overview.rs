//! Canvasoverzicht: every canvas, newest change first, and a form to start a new one.

use maud::{Markup, html};

use super::{
    components::{error_message, topbar},
    layout,
};
use crate::{
    canvas::{label::MAX_LABEL_CHARS, schema::LIFE_AREAS, status::CanvasStatus},
    store::CanvasSummary,
    views::components::dutch_time,
};

/// A line of the overview: the stored summary and who is on the canvas right now.
pub struct Row {
    pub canvas: CanvasSummary,
    pub present: Vec<String>,
}

/// The overview; `error` and `label` redisplay a refused new-canvas form.
pub fn page(rows: &[Row], error: Option<&str>, label: &str, nonce: &str) -> Markup {
    layout(
        "Canvasoverzicht",
        nonce,
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
                    @if rows.is_empty() {
                        p { "Er zijn nog geen canvassen." }
                    } @else {
                        table.canvas-list {
                            thead {
                                tr {
                                    th scope="col" { "Casus" }
                                    th scope="col" { "Status" }
                                    th scope="col" { "Leefgebieden" }
                                    th scope="col" { "Laatst gewijzigd" }
                                    th scope="col" { "Nu aanwezig" }
                                }
                            }
                            tbody {
                                @for row in rows {
                                    tr {
                                        td { a href={ "/canvases/" (row.canvas.id) } { (row.canvas.label) } }
                                        td { (status_name(&row.canvas.status)) }
                                        td { (life_area_names(&row.canvas.life_areas)) }
                                        td { (dutch_time(row.canvas.updated_at)) }
                                        td.present { (row.present.join(", ")) }
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

/// The Dutch names of leefgebied codes, in catalogue order.
fn life_area_names(codes: &[String]) -> String {
    let names: Vec<&str> = LIFE_AREAS
        .iter()
        .filter(|(code, _)| codes.iter().any(|c| c == code))
        .map(|(_, name)| *name)
        .collect();
    names.join(", ")
}

/// The Dutch word for a status code; an unknown code is shown as it is rather than hidden.
fn status_name(code: &str) -> String {
    code.parse::<CanvasStatus>()
        .map_or_else(|_| code.to_owned(), |status| status.dutch().to_owned())
}
