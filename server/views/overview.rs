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
    views::components::compact_time,
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

/// What the list is narrowed to and ordered by: the overview's query string
/// (`?zoek=…&status=…&leefgebied=…&team=…&sorteer=…`). Empty fields narrow nothing.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct ListQuery {
    /// Part of the label, in any case.
    #[serde(default)]
    pub zoek: String,
    /// A status code.
    #[serde(default)]
    pub status: String,
    /// A leefgebied code.
    #[serde(default)]
    pub leefgebied: String,
    /// A team's name.
    #[serde(default)]
    pub team: String,
    /// `gewijzigd` (newest change first, the default), `naam`, `status` or `team`.
    #[serde(default)]
    pub sorteer: String,
}

impl ListQuery {
    /// Whether anything narrows the list.
    pub fn narrows(&self) -> bool {
        [&self.zoek, &self.status, &self.leefgebied, &self.team]
            .iter()
            .any(|field| !field.trim().is_empty())
    }

    /// The rows this query keeps, in its order.
    pub fn apply(&self, rows: Vec<Row>) -> Vec<Row> {
        let search = self.zoek.trim().to_lowercase();
        let (status, area, team) = (self.status.trim(), self.leefgebied.trim(), self.team.trim());
        let mut kept: Vec<Row> = rows
            .into_iter()
            .filter(|row| {
                let canvas = &row.canvas;
                (search.is_empty() || canvas.label.to_lowercase().contains(&search))
                    && (status.is_empty() || canvas.status == status)
                    && (area.is_empty() || canvas.life_areas.iter().any(|a| a == area))
                    && (team.is_empty() || canvas.team == team)
            })
            .collect();
        let lifecycle = |code: &str| {
            CanvasStatus::ALL
                .iter()
                .position(|s| s.code() == code)
                .unwrap_or(usize::MAX)
        };
        // Newest change first within every other order, so that ties read as the default.
        kept.sort_by_key(|row| std::cmp::Reverse(row.canvas.updated_at));
        match self.sorteer.as_str() {
            "naam" => kept.sort_by_cached_key(|row| row.canvas.label.to_lowercase()),
            "status" => kept.sort_by_key(|row| lifecycle(&row.canvas.status)),
            "team" => kept.sort_by_cached_key(|row| row.canvas.team.to_lowercase()),
            _ => {}
        }
        kept
    }
}

const SORTS: [(&str, &str); 4] = [
    ("gewijzigd", "Laatst gewijzigd"),
    ("naam", "Naam"),
    ("status", "Status"),
    ("team", "Team"),
];

/// The search, filter and sort form above the list; a GET form, so the list can be linked.
fn list_filter(query: &ListQuery, teams: &[&str]) -> Markup {
    let chosen = |value: &str, current: &str| value == current;
    html! {
        form.list-filter #overview-filter method="get" action="/" role="search" aria-label="Canvassen zoeken en filteren" {
            div.filter-field {
                label for="filter-zoek" { "Zoek op naam" }
                input #filter-zoek name="zoek" type="search" value=(query.zoek) maxlength=(MAX_LABEL_CHARS);
            }
            div.filter-field {
                label for="filter-status" { "Status" }
                select #filter-status name="status" {
                    option value="" { "Alle" }
                    @for status in CanvasStatus::ALL {
                        option value=(status.code()) selected[chosen(status.code(), &query.status)] { (status.dutch()) }
                    }
                }
            }
            div.filter-field {
                label for="filter-leefgebied" { "Leefgebied" }
                select #filter-leefgebied name="leefgebied" {
                    option value="" { "Alle" }
                    @for (code, name) in LIFE_AREAS {
                        option value=(code) selected[chosen(code, &query.leefgebied)] { (name) }
                    }
                }
            }
            @if teams.len() > 1 {
                div.filter-field {
                    label for="filter-team" { "Team" }
                    select #filter-team name="team" {
                        option value="" { "Alle" }
                        @for team in teams {
                            option value=(team) selected[chosen(team, &query.team)] { (team) }
                        }
                    }
                }
            }
            div.filter-field {
                label for="filter-sorteer" { "Sorteren op" }
                select #filter-sorteer name="sorteer" {
                    @for (code, name) in SORTS {
                        option value=(code) selected[chosen(code, &query.sorteer)] { (name) }
                    }
                }
            }
            div.filter-actions {
                button type="submit" { "Toon" }
                @if query.narrows() { a href="/" { "Wis filters" } }
            }
        }
    }
}

/// The overview of the canvases the viewer may see: `rows` as `query` narrowed and ordered
/// them, out of `total`.
pub struct Listing<'a> {
    pub rows: &'a [Row],
    pub total: usize,
    /// The teams of all the viewer's canvases, for the team filter.
    pub teams: Vec<&'a str>,
    pub query: &'a ListQuery,
    /// Unix milliseconds, for "vandaag" and "gisteren".
    pub now: i64,
}

/// The overview of the canvases the viewer may see.
pub fn page(viewer: &SignedIn, listing: &Listing, form: &NewCanvasForm, nonce: &str) -> Markup {
    let rows = listing.rows;
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
                    @if listing.total > 0 { (list_filter(listing.query, &listing.teams)) }
                    @if listing.total == 0 && workspace::administers_only(&viewer.policy) {
                        p #beheer-start {
                            "Als beheerder richt je de organisatie in: eerst de provincie, dan de gemeente, "
                            "dan het team, en dan nodig je de eerste aanjager uit. Canvassen en hun inhoud zie je niet. "
                            a href="/beheer" { "Naar Beheer" }
                        }
                    } @else if listing.total == 0 {
                        p { "Er zijn nog geen canvassen." }
                    } @else if rows.is_empty() {
                        p #list-count role="status" { "Geen canvassen die hierbij passen. " a href="/" { "Wis filters" } }
                    } @else {
                        p #list-count role="status" {
                            @if listing.query.narrows() { (rows.len()) " van " (listing.total) " canvassen" }
                            @else { (listing.total) (if listing.total == 1 { " canvas" } else { " canvassen" }) }
                        }
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
                                        td { (compact_time(row.canvas.updated_at, listing.now)) }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn row(label: &str, status: CanvasStatus, team: &str, areas: &[&str], updated_at: i64) -> Row {
        Row {
            canvas: CanvasSummary {
                id: label.to_owned(),
                label: label.to_owned(),
                created_at: 0,
                updated_at,
                life_areas: areas.iter().map(|a| (*a).to_owned()).collect(),
                status: status.code().to_owned(),
                team: team.to_owned(),
                access: None,
            },
            present: Vec::new(),
            waiting: None,
        }
    }

    fn rows() -> Vec<Row> {
        vec![
            row(
                "Casus B-2",
                CanvasStatus::InBehandeling,
                "Team Arnhem",
                &["wonen"],
                30,
            ),
            row(
                "casus a-1",
                CanvasStatus::Concept,
                "Team Ede",
                &["zorg"],
                10,
            ),
            row(
                "Casus C-3",
                CanvasStatus::Opgeschaald,
                "Team Arnhem",
                &["wonen", "zorg"],
                20,
            ),
        ]
    }

    fn labels(query: &ListQuery) -> Vec<String> {
        query
            .apply(rows())
            .into_iter()
            .map(|r| r.canvas.label)
            .collect()
    }

    #[test]
    fn the_list_is_searched_filtered_and_sorted() {
        let newest_first = ["Casus B-2", "Casus C-3", "casus a-1"];
        assert_eq!(labels(&ListQuery::default()), newest_first);
        let search = ListQuery {
            zoek: " A-1 ".into(),
            ..ListQuery::default()
        };
        assert_eq!(labels(&search), ["casus a-1"], "any case, trimmed");
        let status = ListQuery {
            status: "opgeschaald".into(),
            ..ListQuery::default()
        };
        assert_eq!(labels(&status), ["Casus C-3"]);
        let area = ListQuery {
            leefgebied: "zorg".into(),
            sorteer: "naam".into(),
            ..ListQuery::default()
        };
        assert_eq!(labels(&area), ["casus a-1", "Casus C-3"]);
        let team = ListQuery {
            team: "Team Arnhem".into(),
            sorteer: "status".into(),
            ..ListQuery::default()
        };
        assert_eq!(
            labels(&team),
            ["Casus B-2", "Casus C-3"],
            "in lifecycle order"
        );
        assert!(
            !ListQuery {
                sorteer: "naam".into(),
                ..ListQuery::default()
            }
            .narrows()
        );
        assert!(search.narrows());
    }
}
