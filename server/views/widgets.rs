//! Read-only renderings of the structured parts of a canvas (instanties, regelingen, rendement,
//! actieplan). They are what a browser without JavaScript shows; the client replaces everything
//! after each widget's heading with a live editor bound to the same Y.Array.

use maud::{Markup, html};

use crate::canvas::schema::{Action, Agency, Regulation, ReturnLine};
use crate::format::euro;

/// A widget container: the client finds it by `data-widget` and keeps the heading.
fn widget(name: &str, title: &str, body: Markup) -> Markup {
    html! {
        section.widget data-widget=(name) aria-labelledby={ (name) "-title" } {
            h3 id={ (name) "-title" } { (title) }
            (body)
        }
    }
}

fn amount(cents: Option<i64>) -> String {
    cents.map(euro).unwrap_or_default()
}

pub fn agencies(agencies: &[Agency]) -> Markup {
    widget(
        "agencies",
        "Betrokken instanties",
        html! {
            @if agencies.is_empty() {
                p.empty { "Nog geen instanties." }
            } @else {
                table {
                    thead { tr { th scope="col" { "Instantie" } th scope="col" { "Kosten per jaar" } } }
                    tbody {
                        @for agency in agencies {
                            tr { td { (agency.name) } td.amount { (amount(agency.cost_per_year_cents)) } }
                        }
                    }
                }
            }
        },
    )
}

pub fn regulations(regulations: &[Regulation]) -> Markup {
    widget(
        "regulations",
        "Regelingen",
        html! {
            @if regulations.is_empty() {
                p.empty { "Nog geen regelingen." }
            } @else {
                ul {
                    @for regulation in regulations {
                        li { strong { (regulation.law) ", " (regulation.article) } @if !regulation.room.is_empty() { ": " (regulation.room) } }
                    }
                }
            }
        },
    )
}

pub fn rendement(lines: &[ReturnLine]) -> Markup {
    widget(
        "rendement",
        "Rendement",
        html! {
            @if lines.is_empty() {
                p.empty { "Nog geen kosten of baten." }
            } @else {
                table {
                    thead {
                        tr {
                            th scope="col" { "Omschrijving" }
                            th scope="col" { "Soort" }
                            th scope="col" { "Bedrag" }
                            th scope="col" { "Frequentie" }
                            th scope="col" { "Wie betaalt" }
                        }
                    }
                    tbody {
                        @for line in lines {
                            tr {
                                td { (line.description) }
                                td { (line.kind.map(|k| k.dutch()).unwrap_or_default()) }
                                td.amount { (amount(line.amount_cents)) }
                                td { (line.recurrence.map(|r| r.dutch()).unwrap_or_default()) }
                                td { (line.payer) }
                            }
                        }
                    }
                }
            }
        },
    )
}

pub fn actions(actions: &[Action]) -> Markup {
    widget(
        "actions",
        "Acties",
        html! {
            @if actions.is_empty() {
                p.empty { "Nog geen acties." }
            } @else {
                table {
                    thead {
                        tr { th scope="col" { "Wat" } th scope="col" { "Wie" } th scope="col" { "Wanneer" } th scope="col" { "Status" } }
                    }
                    tbody {
                        @for action in actions {
                            tr {
                                td { (action.what) }
                                td { (action.who) }
                                td { (action.due) }
                                td { (action.status.map(|s| s.dutch()).unwrap_or_default()) }
                            }
                        }
                    }
                }
            }
        },
    )
}
