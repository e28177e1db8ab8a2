//! The verslag of an overleg: the document as it will be printed (views::dossier), and above it,
//! for the chair until it is fixed, the form to correct it and the button that fixes it.

use maud::{Markup, html};

use super::components::{csrf_input, error_message};
use crate::export::{dossier::Dossier, minutes::Minutes};

pub struct MinutesPage<'a> {
    pub csrf: &'a str,
    pub meeting: i64,
    pub document: &'a Dossier,
    pub minutes: &'a Minutes,
    /// The chair, while it is not fixed.
    pub editable: bool,
    /// And the overleg has ended.
    pub fixable: bool,
    pub error: Option<String>,
}

pub fn page(p: &MinutesPage) -> Markup {
    let base = format!("/overleggen/{}/verslag", p.meeting);
    let back = format!("/overleggen/{}", p.meeting);
    html! {
        @if p.editable {
            aside.no-print.minutes-editor aria-labelledby="minutes-edit-title" {
                h2 #minutes-edit-title { "Verslag bewerken" }
                @if let Some(error) = &p.error { (error_message(error)) }
                p.hint { "Het verslag is gemaakt uit wat in het overleg is vastgelegd. Verbeter wat nodig is en stel het daarna vast; een vastgesteld verslag verandert niet meer. Actiepunten pas je aan in het overleg zelf." }
                form.stacked #minutes-form method="post" action=(base) {
                    (csrf_input(p.csrf))
                    label for="minutes-room" { "Aanwezig in de zaal (een naam per regel)" }
                    textarea #minutes-room name="zaal" rows="3" { (p.minutes.in_room.join("\n")) }
                    label for="minutes-remote" { "Aanwezig op afstand (een naam per regel)" }
                    textarea #minutes-remote name="afstand" rows="2" { (p.minutes.remote.join("\n")) }
                    label for="minutes-guests" { "Gasten (een naam per regel)" }
                    textarea #minutes-guests name="gasten" rows="2" { (p.minutes.guests.join("\n")) }
                    @for (n, item) in p.minutes.items.iter().enumerate() {
                        label for={ "minutes-decision-" (n) } { "Besluit bij " (n + 1) ". " (item.title) }
                        textarea id={ "minutes-decision-" (n) } name={ "besluit_" (n) } rows="2" maxlength="4000" { (item.decision) }
                    }
                    button type="submit" { "Verslag opslaan" }
                }
                @if p.fixable {
                    form.inline method="post" action={ (base) "/vaststellen" }
                        data-confirm="Het verslag vaststellen? Daarna verandert er niets meer aan." data-confirm-yes="Ja, vaststellen" {
                        (csrf_input(p.csrf))
                        button type="submit" { "Verslag vaststellen" }
                    }
                } @else {
                    p.hint { "Vaststellen kan als het overleg is afgerond." }
                }
            }
        }
        (super::dossier::page(p.document, &base, (&back, "Terug naar het overleg")))
    }
}
