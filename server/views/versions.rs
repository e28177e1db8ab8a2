//! A canvas's history: its versions, the banner above one, and what changed between two, with
//! insertions and deletions marked for sighted and screen-reader users alike (`<ins>`/`<del>`
//! with words that say so).

use maud::{Markup, html};

use super::{
    components::{csrf_field, dutch_time, topbar},
    layout,
};
use crate::{
    canvas::{
        CanvasId,
        diff::{Difference, LineChangeKind, PartKind},
    },
    store::versions::VersionRow,
    views::SignedIn,
};

pub fn history(
    viewer: &SignedIn,
    id: &CanvasId,
    label: &str,
    versions: &[VersionRow],
    may_save: bool,
    nonce: &str,
) -> Markup {
    let base = format!("/canvases/{}", id.as_str());
    layout(
        "Geschiedenis",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #geschiedenis {
                h1 { "Geschiedenis van " (label) }
                p {
                    a href=(base) { "Terug naar het canvas" }
                    @if versions.iter().any(|v| v.kind == crate::store::versions::VersionKind::Overleg) {
                        " · " a href={ (base) "/verschil?van=vorig-overleg&tot=nu" } { "Wat is er veranderd sinds het vorige overleg" }
                    }
                }
                @if versions.is_empty() {
                    p.empty { "Nog geen versies. Na elk overleg en bij elke opschaling komt er vanzelf een bij." }
                } @else {
                    table.dashboard.versions {
                        thead { tr { th scope="col" { "Versie" } th scope="col" { "Soort" } th scope="col" { "Gemaakt" } th scope="col" { "Vergelijken" } } }
                        tbody {
                            @for v in versions.iter().rev() {
                                tr data-version=(v.id) {
                                    td { a href={ (base) "/versies/" (v.id) } { (v.name) } }
                                    td { (v.kind.dutch()) }
                                    td { (dutch_time(v.created_at)) @if !v.created_by.is_empty() { " door " (v.created_by) } }
                                    td { a href={ (base) "/verschil?van=" (v.id) "&tot=nu" } { "met nu" } }
                                }
                            }
                        }
                    }
                }
                @if may_save {
                    form.row method="post" action={ (base) "/versies" } {
                        (csrf_field(viewer))
                        label for="version-name" { "Versie opslaan als" }
                        input #version-name name="naam" type="text" maxlength="120" placeholder="Na gesprek met de school";
                        button type="submit" { "Opslaan" }
                    }
                }
            }
        },
    )
}

/// The banner above a version shown read-only.
pub fn banner(id: &CanvasId, v: &VersionRow) -> Markup {
    let base = format!("/canvases/{}", id.as_str());
    html! {
        div.notice #version-banner role="status" {
            p { "Versie: " strong { (v.name) } ", " (dutch_time(v.created_at)) ". Deze versie kan niet worden bewerkt." }
            p {
                a href={ (base) "/verschil?van=" (v.id) "&tot=nu" } { "Wat is er sindsdien veranderd" }
                " · " a href={ (base) "/geschiedenis" } { "Alle versies" }
                " · " a href=(base) { "Het canvas zoals het nu is" }
            }
        }
    }
}

/// The aanjager's panel on a version: the anonymity rule's findings in this frozen copy, each
/// with a button that replaces it by "[verwijderd]" in the stored copy; after one, where it was
/// and whether the live canvas still holds it.
pub fn redaction(
    viewer: &SignedIn,
    id: &CanvasId,
    version: crate::ids::VersionId,
    findings: &[crate::services::redaction::CopyFinding],
    redacted: Option<&str>,
    still_live: bool,
) -> Markup {
    let base = format!("/canvases/{}", id.as_str());
    html! {
        section.redaction #redaction aria-labelledby="redaction-title" {
            h2 #redaction-title { "Persoonsgegevens in deze kopie" }
            @if let Some(anchor) = redacted {
                p.notice role="status" {
                    "Verwijderd uit deze kopie en vastgelegd in het auditlog."
                    @if still_live {
                        " Het staat ook nog in het lopende canvas: "
                        a href={ (base) "#" (anchor) } { "haal het daar ook weg" } "."
                    }
                }
            }
            @if findings.is_empty() {
                p.empty { "De anonimiteitscontrole vindt niets in deze kopie." }
            } @else {
                p { "Een bevroren kopie kan niemand bewerken. Als aanjager kun je een persoonsgegeven erin vervangen door “[verwijderd]”; dat wordt vastgelegd (wie, wanneer, welke kopie, welk soort gegeven; nooit de tekst zelf)." }
                ul {
                    @for f in findings {
                        li {
                            (f.place) ": " (f.kind.dutch()) " “" (f.text) "” "
                            form.inline method="post" action={ (base) "/versies/" (version) "/schrappen" } {
                                (super::components::csrf_field(viewer))
                                input type="hidden" name="sleutel" value=(f.key);
                                button.secondary type="submit" { "Verwijderen uit deze kopie" }
                            }
                        }
                    }
                }
            }
        }
    }
}

pub fn difference(
    viewer: &SignedIn,
    id: &CanvasId,
    label: &str,
    from: &str,
    to: &str,
    diff: &Difference,
    nonce: &str,
) -> Markup {
    let base = format!("/canvases/{}", id.as_str());
    layout(
        "Wat is er veranderd",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #verschil {
                h1 { "Wat is er veranderd: " (label) }
                p { "Van " strong { (from) } " tot " strong { (to) } ". " a href={ (base) "/geschiedenis" } { "Alle versies" } }
                @if diff.is_empty() { p.empty { "Niets veranderd." } }
                @for text in &diff.texts {
                    section.diff-field {
                        h2 { (text.label) }
                        p.diff-text lang="nl" {
                            @for part in &text.parts {
                                @match part.kind {
                                    PartKind::Gelijk => { (part.text) }
                                    PartKind::Ingevoegd => { ins { span.visually-hidden { "[ingevoegd: " } (part.text) span.visually-hidden { "]" } } }
                                    PartKind::Verwijderd => { del { span.visually-hidden { "[verwijderd: " } (part.text) span.visually-hidden { "]" } } }
                                }
                            }
                        }
                    }
                }
                @if !diff.lines.is_empty() {
                    section.diff-field {
                        h2 { "Regels" }
                        ul {
                            @for line in &diff.lines {
                                li {
                                    strong { (line.list) } ": "
                                    @match line.change {
                                        LineChangeKind::Toegevoegd => { "toegevoegd: " ins { (line.after.as_deref().unwrap_or_default()) } }
                                        LineChangeKind::Verwijderd => { "verwijderd: " del { (line.before.as_deref().unwrap_or_default()) } }
                                        LineChangeKind::Gewijzigd => { "gewijzigd van " del { (line.before.as_deref().unwrap_or_default()) } " in " ins { (line.after.as_deref().unwrap_or_default()) } }
                                    }
                                }
                            }
                        }
                    }
                }
                @if !diff.toggles.is_empty() {
                    section.diff-field {
                        h2 { "Leefgebieden en beleidsdomeinen" }
                        ul { @for t in &diff.toggles { li { (t.name) ": " @if t.on { "aangezet" } @else { "uitgezet" } } } }
                    }
                }
            }
        },
    )
}
