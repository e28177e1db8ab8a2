//! Canvasoverzicht: every canvas, newest change first, and a form to start a new one.

use maud::{Markup, html};

use super::{
    components::{csrf_field, error_message, topbar},
    layout,
};
use crate::{
    auth::Viewer,
    canvas::{label::MAX_LABEL_CHARS, schema::LIFE_AREAS, status::CanvasStatus},
    store::CanvasSummary,
    views::components::dutch_time,
};

/// A line of the overview: the stored summary and who is on the canvas right now.
pub struct Row {
    pub canvas: CanvasSummary,
    pub present: Vec<String>,
}

/// The new-canvas form as last submitted: the teams to choose from, a refusal to show and
/// what was typed.
pub struct NewCanvasForm<'a> {
    /// (id, name) of the teams in which the viewer may start a canvas.
    pub teams: &'a [(i64, String)],
    pub error: Option<&'a str>,
    pub label: &'a str,
}

/// The overview of the canvases the viewer may see.
pub fn page(viewer: &Viewer, rows: &[Row], form: &NewCanvasForm, nonce: &str) -> Markup {
    let NewCanvasForm {
        teams,
        error,
        label,
    } = form;
    layout(
        "Canvasoverzicht",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #overview {
                h1 { "Canvasoverzicht" }
                @if viewer.policy.beheerder && viewer.policy.memberships.is_empty() {
                    p.hint { "Als beheerder zie je geen casusinhoud. Teams en accounts beheer je onder " a href="/beheer" { "Beheer" } "." }
                }
                @if !teams.is_empty() {
                section.new-canvas aria-labelledby="new-canvas-title" {
                    h2 #new-canvas-title { "Nieuw canvas" }
                    form method="post" action="/canvases" {
                        (csrf_field(viewer))
                        label for="label" { "Anonieme naam van de casus" }
                        p.hint #label-hint { "Geen namen, BSN, adressen of geboortedata: bijvoorbeeld \"Casus T-17\"." }
                        @if let Some(error) = error { (error_message(error)) }
                        div.row {
                            input #label name="label" type="text" required maxlength=(MAX_LABEL_CHARS)
                                aria-describedby="label-hint" value=(label);
                            @if let [(id, _)] = teams {
                                input type="hidden" name="team" value=(id);
                            } @else {
                                label.visually-hidden for="team" { "Team" }
                                select #team name="team" {
                                    @for (id, name) in teams.iter() { option value=(id) { (name) } }
                                }
                            }
                            button type="submit" { "Canvas starten" }
                        }
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
                                    th scope="col" { "Team" }
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
                                        td { (row.canvas.team) }
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
