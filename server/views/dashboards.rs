//! The coach dashboard, the PMM inbox and the notifications page.

use maud::{Markup, html};

use super::{
    components::{dutch_time, topbar},
    layout,
    workflow::days_between,
};
use crate::{
    canvas::schema::LIFE_AREAS,
    store::workflow::{NotificationRow, OpenEscalationRow},
    views::SignedIn,
    workflow::ladder::{self, level_dutch},
};

/// How the dashboard is sorted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    /// Waiting longest first (the default).
    Waiting,
    /// Highest level first, then waiting longest.
    Level,
    Gemeente,
    Label,
}

impl Sort {
    pub const ALL: [(Sort, &'static str, &'static str); 4] = [
        (Sort::Waiting, "wachttijd", "Wachttijd"),
        (Sort::Level, "niveau", "Niveau"),
        (Sort::Gemeente, "gemeente", "Gemeente"),
        (Sort::Label, "casus", "Casus"),
    ];

    pub fn from_code(code: Option<&str>) -> Sort {
        Self::ALL
            .iter()
            .find(|(_, c, _)| Some(*c) == code)
            .map_or(Sort::Waiting, |(sort, _, _)| *sort)
    }

    fn code(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(s, _, _)| *s == self)
            .map_or("wachttijd", |(_, code, _)| code)
    }

    /// Sorts rows in place; ties go to the one waiting longest.
    pub fn apply(self, rows: &mut [OpenEscalationRow]) {
        rows.sort_by(|a, b| {
            let (ea, eb) = (&a.escalation, &b.escalation);
            let by_age = ea
                .escalated_at
                .cmp(&eb.escalated_at)
                .then(ea.id.cmp(&eb.id));
            match self {
                Sort::Waiting => by_age,
                Sort::Level => eb.to_level.cmp(&ea.to_level).then(by_age),
                Sort::Gemeente => a.gemeente.cmp(&b.gemeente).then(by_age),
                Sort::Label => a.label.cmp(&b.label).then(by_age),
            }
        });
    }
}

fn life_area_names(codes: &[String]) -> String {
    LIFE_AREAS
        .iter()
        .filter(|(code, _)| codes.iter().any(|c| c == code))
        .map(|(_, name)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Who an open escalation waits on.
fn waiting_on(row: &OpenEscalationRow) -> String {
    match &row.escalation.picked_up_by {
        Some(by) => format!(
            "{} (opgepakt door {by})",
            ladder::who_handles(row.escalation.to_level)
        ),
        None => ladder::who_handles(row.escalation.to_level).to_owned(),
    }
}

/// The table of the coach dashboard; replaced as a whole when it refreshes live.
pub fn coach_table(rows: &[OpenEscalationRow], sort: Sort, now: i64, signal_days: u64) -> Markup {
    html! {
        div #dashboard-table data-sort=(sort.code()) {
            @if rows.is_empty() {
                p.empty { "Er wacht nu niets op de coach of op PMM." }
            } @else {
                table.dashboard {
                    thead { tr {
                        @for (option, code, name) in Sort::ALL {
                            th scope="col" aria-sort=[(option == sort).then_some("ascending")] {
                                a href={ "/coach?sorteer=" (code) } { (name) }
                            }
                        }
                        th scope="col" { "Team" }
                        th scope="col" { "Wacht op" }
                        th scope="col" { "Leefgebieden" }
                    } }
                    tbody {
                        @for row in rows {
                            @let e = &row.escalation;
                            @let days = days_between(e.escalated_at, now);
                            @let late = days > signal_days as i64;
                            tr data-canvas=(e.canvas_id) data-late=[late.then_some("true")] {
                                td.age {
                                    (days) " " (if days == 1 { "dag" } else { "dagen" })
                                    @if late { " " strong.signal { "lang" } }
                                    br; small { "sinds " (dutch_time(e.escalated_at)) }
                                }
                                td { (level_dutch(e.to_level)) }
                                td { (row.gemeente) }
                                td { a href={ "/canvases/" (e.canvas_id) "#workflow" } { (row.label) } }
                                td { (row.team) }
                                td { (waiting_on(row)) }
                                td { (life_area_names(&row.life_areas)) }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn coach_page(viewer: &SignedIn, provinces: &[String], table: Markup, nonce: &str) -> Markup {
    layout(
        "Coachdashboard",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #coach-dashboard data-live="/coach/gebeurtenissen" {
                h1 { "Coachdashboard" }
                p { "Opgeschaalde canvassen in " (provinces.join(", ")) ", over alle gemeenten; wat het langst wacht staat bovenaan." }
                (table)
            }
        },
    )
}

pub fn pmm_inbox(
    viewer: &SignedIn,
    rows: &[OpenEscalationRow],
    now: i64,
    signal_days: u64,
    nonce: &str,
) -> Markup {
    layout(
        "PMM-inbox",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #pmm-inbox {
                h1 { "PMM-inbox" }
                @if rows.is_empty() {
                    p.empty { "Er is niets naar PMM opgeschaald." }
                } @else {
                    ol.inbox {
                        @for row in rows {
                            @let e = &row.escalation;
                            @let days = days_between(e.escalated_at, now);
                            li data-late=[(days > signal_days as i64).then_some("true")] {
                                h2 { a href={ "/canvases/" (e.canvas_id) "#workflow" } { (row.label) } }
                                p { (row.team) " (" (row.gemeente) "), opgeschaald " (dutch_time(e.escalated_at)) " door " (e.escalated_by) ", wacht " (days) " " (if days == 1 { "dag" } else { "dagen" }) "." }
                                p.question { "Vraag: " (e.question) }
                                p { a href={ "/canvases/" (e.canvas_id) "/opschalingen/" (e.id) "/samenvatting" } { "Samenvatting" } " · "
                                    a href={ "/canvases/" (e.canvas_id) "#workflow" } { "Antwoord vastleggen" } }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn notifications(viewer: &SignedIn, rows: &[NotificationRow], nonce: &str) -> Markup {
    layout(
        "Meldingen",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { "Meldingen" }
                @if rows.is_empty() {
                    p.empty { "Geen meldingen." }
                } @else {
                    ul.notifications {
                        @for row in rows {
                            li data-unread=[(!row.read).then_some("true")] {
                                (dutch_time(row.created_at)) ": " a href=(row.link) { (row.text) }
                            }
                        }
                    }
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{access::policy::EscalationLevel, store::workflow::EscalationRow};

    fn row(id: i64, at: i64, level: EscalationLevel, gemeente: &str) -> OpenEscalationRow {
        OpenEscalationRow {
            escalation: EscalationRow {
                id: crate::ids::EscalationId(id),
                canvas_id: format!("c{id}"),
                from_level: EscalationLevel::Team,
                to_level: level,
                question: String::new(),
                escalated_by: String::new(),
                escalated_at: at,
                picked_up_by: None,
                picked_up_at: None,
                answer: None,
                answered_by: None,
                answered_at: None,
                outcome: None,
            },
            label: format!("Casus {id}"),
            team: String::new(),
            gemeente: gemeente.into(),
            province_id: crate::ids::ProvinceId(1),
            life_areas: Vec::new(),
        }
    }

    #[test]
    fn the_oldest_waiting_first_by_default_and_other_orders_on_request() {
        let mut rows = vec![
            row(1, 300, EscalationLevel::Coach, "Ede"),
            row(2, 100, EscalationLevel::Coach, "Zutphen"),
            row(3, 200, EscalationLevel::Pmm, "Arnhem"),
        ];
        let ids =
            |rows: &[OpenEscalationRow]| rows.iter().map(|r| r.escalation.id.0).collect::<Vec<_>>();
        Sort::from_code(None).apply(&mut rows);
        assert_eq!(ids(&rows), [2, 3, 1]);
        Sort::from_code(Some("niveau")).apply(&mut rows);
        assert_eq!(ids(&rows), [3, 2, 1]);
        Sort::from_code(Some("gemeente")).apply(&mut rows);
        assert_eq!(ids(&rows), [3, 1, 2]);
        Sort::from_code(Some("onzin")).apply(&mut rows);
        assert_eq!(ids(&rows), [2, 3, 1]);
    }
}
