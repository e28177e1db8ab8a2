//! The team's doorbraakbudget for a year: budget, committed, spent, remaining, and the ledger.

use maud::{Markup, html};

use super::{
    booking::{self, BookingForm},
    components::{csrf_field, dutch_time, error_message, topbar},
    layout,
};
use crate::{
    format::euro,
    store::{TeamRow, workflow::LedgerRow},
    views::SignedIn,
    workflow::ledger::Totals,
};

pub struct BudgetPage<'a> {
    pub team: &'a TeamRow,
    pub year: i32,
    pub years: &'a [i32],
    pub budget_set: bool,
    pub totals: Totals,
    pub ledger: &'a [LedgerRow],
    /// The aanjager sets the budget.
    pub may_set: bool,
    pub error: Option<String>,
    /// Booking from this page, for who may book on one of the team's canvases.
    pub booking: Option<&'a TeamBooking<'a>>,
}

/// The booking form of the team page: the canvas form's fields plus which canvas.
pub struct TeamBooking<'a> {
    /// (id, label) of the canvases the viewer may book on.
    pub canvases: &'a [(String, String)],
    /// The canvas of a refused booking.
    pub chosen: Option<&'a str>,
    pub form: BookingForm<'a>,
}

/// The four figures, also shown on the canvas overview.
pub fn totals(totals: &Totals, year: i32) -> Markup {
    html! {
        dl.budget-totals aria-label={ "Doorbraakbudget " (year) } {
            div { dt { "Budget" } dd #budget-total { (euro(totals.budget)) } }
            div { dt { "Toegezegd" } dd #budget-committed { (euro(totals.committed)) } }
            div { dt { "Uitgegeven" } dd #budget-spent { (euro(totals.spent)) } }
            div data-over=[(totals.remaining < 0).then_some("true")] { dt { "Resterend" } dd #budget-remaining { (euro(totals.remaining)) } }
        }
    }
}

pub fn page(viewer: &SignedIn, page: &BudgetPage, nonce: &str) -> Markup {
    let team = page.team;
    let base = format!("/teams/{}/budget", team.id);
    let booking_refused = page.booking.is_some_and(|b| b.chosen.is_some());
    layout(
        "Doorbraakbudget",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #budget {
                h1 { "Doorbraakbudget " (page.year) }
                p { a href={ "/teams/" (team.id) } { (team.name) } " (" (team.gemeente) ")" }
                @if page.years.len() > 1 {
                    nav aria-label="Jaren" { @for y in page.years { a href={ (base) "?jaar=" (y) } aria-current=[(*y == page.year).then_some("page")] { (y) } " " } }
                }
                // A refused booking says why inside its own form, below.
                @if let Some(error) = page.error.as_ref().filter(|_| !booking_refused) { (error_message(error)) }
                @if page.budget_set { (totals(&page.totals, page.year)) } @else { p { "Voor " (page.year) " is nog geen budget vastgesteld." } }
                @if page.may_set {
                    form.row method="post" action=(base) {
                        (csrf_field(viewer))
                        input type="hidden" name="jaar" value=(page.year);
                        // What this page showed: the change goes through only if nobody changed it since.
                        input type="hidden" name="vorig" value=[page.budget_set.then_some(page.totals.budget)];
                        label for="budget-amount" { "Budget " (page.year) " in euro" }
                        input #budget-amount name="bedrag" type="text" inputmode="decimal" required placeholder="25.000,00";
                        button type="submit" { "Vaststellen" }
                    }
                }
                @if let Some(b) = page.booking {
                    details.booking open[booking_refused] {
                        summary { "Boeken op een canvas" }
                        form.stacked #team-budget-form method="post" action={ (base) "/boeken" } novalidate {
                            (csrf_field(viewer))
                            @if let Some(error) = page.error.as_ref().filter(|_| booking_refused) { (error_message(error)) }
                            label for="entry-canvas" { "Canvas" span.required aria-hidden="true" { " *" } }
                            select #entry-canvas name="canvas" required {
                                @for (id, label) in b.canvases {
                                    option value=(id) selected[b.chosen == Some(id.as_str())] { (label) }
                                }
                            }
                            (booking::fields(&b.form))
                            button type="submit" { "Boeken" }
                        }
                    }
                }
                h2 #boekingen { "Boekingen" }
                p {
                    a href={ (base) ".csv?jaar=" (page.year) } download { "Download als CSV" }
                    " · "
                    a href={ (base) ".xlsx?jaar=" (page.year) } download { "Download als Excel (XLSX)" }
                }
                @if page.ledger.is_empty() {
                    p.empty { "Nog geen boekingen in " (page.year) "." }
                } @else {
                    table.ledger {
                        thead { tr { th scope="col" { "Nr" } th scope="col" { "Datum" } th scope="col" { "Canvas" } th scope="col" { "Soort" }
                            th scope="col" { "Bedrag" } th scope="col" { "Waarvoor" } th scope="col" { "Waarom niet regulier" }
                            th scope="col" { "Goedgekeurd door" } th scope="col" { "Geboekt" } } }
                        tbody {
                            @for e in page.ledger {
                                tr {
                                    td { (e.id) }
                                    td { (e.entry_date) }
                                    td { a href={ "/canvases/" (e.canvas_id) "#workflow" } { (e.canvas_label) } }
                                    td { (e.kind.dutch()) @if let Some(c) = e.corrects { " (correctie van " (c) ")" } }
                                    td.amount { (euro(e.amount_cents)) }
                                    td { (e.purpose) }
                                    td { (e.why_not_regular) }
                                    td { (e.approved_by) @if e.over_budget_confirmed { br; strong.signal { "boven budget bevestigd" } } }
                                    td { (dutch_time(e.recorded_at)) br; small { (e.recorded_by) } }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
