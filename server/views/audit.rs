//! The audit log page.

use maud::{Markup, html};

use super::{
    components::{dutch_time, topbar},
    layout,
};
use crate::{
    access::workspace::{self, AuditScope},
    audit::Event,
    store::AuditRow,
    views::SignedIn,
};

pub fn page(viewer: &SignedIn, rows: &[AuditRow], nonce: &str) -> Markup {
    layout(
        "Auditlog",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { "Auditlog" }
                p {
                    @if workspace::audit_scope(&viewer.policy) == Some(AuditScope::All) { "Alle gebeurtenissen" } @else { "De gebeurtenissen van je team" }
                    ", nieuwste eerst. " a href="/audit.csv" download { "Download als CSV" } " · " a href="/audit.xlsx" download { "Download als Excel (XLSX)" }
                }
                @if rows.is_empty() {
                    p { "Nog geen gebeurtenissen." }
                } @else {
                    table.audit {
                        thead { tr { th scope="col" { "Tijdstip" } th scope="col" { "Wie" } th scope="col" { "Gebeurtenis" }
                            th scope="col" { "Team" } th scope="col" { "Canvas" } th scope="col" { "Details" } } }
                        tbody {
                            @for row in rows {
                                tr data-event=(row.event) {
                                    td { (dutch_time(row.at)) }
                                    td { (row.account.as_deref().unwrap_or("—")) }
                                    td { (Event::dutch_for_code(&row.event)) }
                                    td { (row.team.as_deref().unwrap_or("")) }
                                    td { @if let Some(id) = &row.canvas_id { a href={ "/canvases/" (id) } { (id.get(..8).unwrap_or(id)) } } }
                                    td { (row.detail) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
