//! Canvasoverzicht: every canvas, newest change first, and a form to start a new one.

use maud::{Markup, html};

use super::{
    components::{csrf_field, error_message, topbar},
    layout,
};
use crate::{
    access::policy::EscalationLevel,
    access::workspace,
    canvas::{label::MAX_LABEL_CHARS, schema::LIFE_AREAS, status::CanvasStatus},
    ids::TeamId,
    store::CanvasSummary,
    views::SignedIn,
    views::budget::totals as budget_totals,
    views::components::dutch_time,
    workflow::{ladder::level_dutch, ledger::Totals},
};

/// A line of the overview: the stored summary and who is on the canvas right now.
pub struct Row {
    pub canvas: CanvasSummary,
    pub present: Vec<String>,
    /// An open escalation: the level it waits at and for how many days.
    pub waiting: Option<(EscalationLevel, i64)>,
}

/// A team's doorbraakbudget this year, for the overview (`None`: not set yet).
pub struct TeamBudget {
    pub team_id: TeamId,
    pub team: String,
    pub year: i32,
    pub totals: Option<Totals>,
}

/// The new-canvas form as last submitted: the teams to choose from, a refusal to show and
/// what was typed.
pub struct NewCanvasForm<'a> {
    /// The budgets of the viewer's teams, shown above the list.
    pub budgets: &'a [TeamBudget],
    /// Days after which a waiting escalation is marked.
    pub signal_days: u64,
    /// (id, name) of the teams in which the viewer may start a canvas.
    pub teams: &'a [(TeamId, String)],
    pub error: Option<&'a str>,
    pub label: &'a str,
}

/// The overview of the canvases the viewer may see.
pub fn page(viewer: &SignedIn, rows: &[Row], form: &NewCanvasForm, nonce: &str) -> Markup {
    let NewCanvasForm {
        teams,
        error,
        label,
        ..
    } = form;
    layout(
        "Canvasoverzicht",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #overview {
                h1 { "Canvasoverzicht" }
                @if workspace::administers_only(&viewer.policy) {
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
                @for budget in form.budgets {
                    section.team-budget aria-label={ "Doorbraakbudget " (budget.team) } {
                        h2 { "Doorbraakbudget " (budget.year) ", " (budget.team) }
                        @match &budget.totals {
                            Some(totals) => (budget_totals(totals, budget.year)),
                            None => p { "Nog geen budget vastgesteld." },
                        }
                        p { a href={ "/teams/" (budget.team_id) "/budget" } { "Boekingen en budget" } }
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
                                    th scope="col" { "Opschaling" }
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
                                        td.escalation {
                                            @if let Some((level, days)) = row.waiting {
                                                @let late = days > form.signal_days as i64;
                                                span data-late=[late.then_some("true")] {
                                                    "Wacht op " (level_dutch(level)) ", " (days) " " (if days == 1 { "dag" } else { "dagen" })
                                                    @if late { " " strong.signal { "(lang)" } }
                                                }
                                            }
                                        }
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
