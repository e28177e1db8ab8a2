//! The booking form of the doorbraakbudget, the same on the canvas's Werkwijze panel and on the
//! team's budget page (which also asks which canvas).

use maud::{Markup, html};

use crate::workflow::ledger::{BookingFields, Kind};

/// What a booking form shows: the names to choose an approver from, today's date, and what was
/// typed when the booking was refused.
pub struct BookingForm<'a> {
    pub team_members: &'a [String],
    /// `jjjj-mm-dd`.
    pub today: &'a str,
    pub typed: Option<&'a BookingFields>,
}

/// The fields of a booking, without the form element around them.
pub fn fields(form: &BookingForm) -> Markup {
    let typed = form.typed;
    let value = |pick: fn(&BookingFields) -> &str| typed.map(pick).unwrap_or_default().to_owned();
    let kind = typed.map_or(Kind::Committed.code(), |t| t.soort.as_str());
    let date = typed.map_or(form.today, |t| t.datum.as_str());
    html! {
        label for="entry-kind" { "Soort" span.required aria-hidden="true" { " *" } }
        select #entry-kind name="soort" {
            @for k in [Kind::Committed, Kind::Spent] {
                option value=(k.code()) selected[kind == k.code()] { (k.dutch()) }
            }
        }
        label for="entry-amount" { "Bedrag in euro" span.required aria-hidden="true" { " *" } }
        input #entry-amount name="bedrag" type="text" inputmode="decimal" required placeholder="1.250,00"
            value=(value(|t| &t.bedrag));
        label for="entry-purpose" { "Waarvoor" span.required aria-hidden="true" { " *" } }
        input #entry-purpose name="waarvoor" type="text" required maxlength="1000" value=(value(|t| &t.waarvoor));
        label for="entry-why" { "Waarom werkte de reguliere route niet?" span.required aria-hidden="true" { " *" } }
        textarea #entry-why name="waarom" required maxlength="1000" rows="2" spellcheck="true" lang="nl" { (value(|t| &t.waarom)) }
        label for="entry-approved" { "Goedgekeurd door" span.required aria-hidden="true" { " *" } }
        p.hint #entry-approved-hint { "Kies iemand uit het team, of typ de naam van wie buiten het team goedkeurde." }
        input #entry-approved name="goedgekeurd_door" type="text" required maxlength="200"
            list="team-member-names" autocomplete="off" aria-describedby="entry-approved-hint"
            value=(value(|t| &t.goedgekeurd_door));
        datalist #team-member-names {
            @for name in form.team_members { option value=(name) {} }
        }
        label for="entry-date" { "Datum" span.required aria-hidden="true" { " *" } }
        input #entry-date name="datum" type="date" required value=(date);
        label.check {
            input type="checkbox" name="boven_budget" value="ja" checked[typed.is_some_and(|t| t.boven_budget.is_some())];
            " Ik bevestig dat deze boeking het budget mag overschrijden"
        }
    }
}
