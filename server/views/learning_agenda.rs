//! The leeragenda on a team's lerend-evalueren dashboard: its points with owner, due date and
//! status, the canvases that show them, and (for who keeps it) the form for a new point.

use maud::{Markup, html};

use super::components::csrf_field;
use crate::{
    services::learning_agenda::{AgendaView, KINDS, STATUSES},
    views::SignedIn,
};

fn dutch<'a>(list: &'a [(&str, &'a str)], code: &str) -> &'a str {
    list.iter()
        .find(|(c, _)| *c == code)
        .map_or("", |(_, n)| *n)
}

pub fn section(viewer: &SignedIn, a: &AgendaView) -> Markup {
    html! {
        section #leeragenda aria-labelledby="leeragenda-kop" {
            h2 #leeragenda-kop { "Leeragenda" }
            p { "Wat het team in lerend evalueren wil leren en veranderen, met wie het oppakt en wanneer, tot het klaar is." }
            @if a.points.is_empty() {
                p.empty { "Nog geen leerpunten of veranderacties." }
            } @else {
                table.leeragenda {
                    thead { tr {
                        th scope="col" { "Soort" } th scope="col" { "Wat" } th scope="col" { "Eigenaar" }
                        th scope="col" { "Streefdatum" } th scope="col" { "Canvassen" } th scope="col" { "Status" }
                    } }
                    tbody {
                        @for p in &a.points {
                            tr data-status=(p.status) {
                                td { (dutch(&KINDS, &p.kind)) }
                                td { (p.text) }
                                td { (p.owner) }
                                td { (p.due) }
                                td {
                                    @for (id, label) in &p.canvases {
                                        a href={ "/canvases/" (id) } { (label) } " "
                                    }
                                }
                                td {
                                    @if a.may_keep {
                                        form method="post" action={ "/leeragenda/" (p.id) "/status" } {
                                            (csrf_field(viewer))
                                            label.visually-hidden for={ "status-" (p.id) } { "Status van dit punt" }
                                            select id={ "status-" (p.id) } name="status" {
                                                @for (code, name) in STATUSES {
                                                    option value=(code) selected[p.status == code] { (name) }
                                                }
                                            }
                                            button type="submit" { "Opslaan" }
                                        }
                                    } @else {
                                        (dutch(&STATUSES, &p.status))
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if a.may_keep {
                form.new-point method="post" action={ "/teams/" (a.team.0) "/leeragenda" } {
                    (csrf_field(viewer))
                    h3 { "Nieuw punt" }
                    fieldset {
                        legend { "Soort" }
                        @for (code, name) in KINDS {
                            label.check { input type="radio" name="soort" value=(code) checked[code == "leerpunt"]; " " (name) }
                        }
                    }
                    label { "Wat (anoniem)" textarea name="tekst" rows="2" maxlength="1000" required data-anonymity {} }
                    label {
                        "Eigenaar"
                        select name="eigenaar" required {
                            @for m in &a.members {
                                option value=(m.account_id.0) { (if m.name.is_empty() { &m.email } else { &m.name }) }
                            }
                        }
                    }
                    label { "Streefdatum" input type="date" name="datum" required; }
                    @if !a.archived.is_empty() {
                        fieldset {
                            legend { "Gearchiveerde canvassen die het laten zien" }
                            @for (id, label) in &a.archived {
                                label.check { input type="checkbox" name={ "canvas_" (id) } value="ja"; " " (label) }
                            }
                        }
                    }
                    button type="submit" { "Toevoegen" }
                }
            }
        }
    }
}
