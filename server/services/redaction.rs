//! Redaction (issue 13): frozen copies (versions, the escalations' copies) cannot be edited, so
//! personal data that slipped into one would stay. The aanjager replaces a finding of the
//! anonymity rule in one stored copy by "[verwijderd]"; the redaction is audited (who, when,
//! which copy, which kind of finding, where; never the words), and the page then says whether
//! the same words are still in the live canvas, with the way there to take them out.

use sha2::{Digest, Sha256};

use super::{Refusal, ServiceError};
use crate::{
    access::{policy::Permitted, workspace},
    anonymity::{self, Kind},
    audit::Event,
    canvas::schema::{CanvasContent, root},
    ids::{AccountId, VersionId},
    state::AppState,
    store::AuditEntry,
    sync::doc::CanvasDoc,
};

/// What replaces a redacted finding.
pub const REDACTED: &str = "[verwijderd]";

/// The text fields of a copy that can be redacted, with their names in Dutch.
const FIELDS: [(&str, &str); 7] = [
    (root::SITUATION, "Stap 1: situatieschets"),
    (root::FUTURE, "Stap 2: toekomstperspectief"),
    (root::OVERVIEW, "Stap 3: overzicht"),
    (root::BREAKTHROUGH, "Stap 4: doorbraak"),
    (
        root::SYSTEM_PROBLEM,
        "Stap 4: vraag over het systeemprobleem",
    ),
    (root::INVOLVEMENT, "Stap 5: betrokkenheid"),
    (root::LEGITIMACY, "Stap 5: legitimiteit"),
];

fn field_text<'a>(content: &'a CanvasContent, field: &str) -> &'a str {
    let s = &content.steps;
    match field {
        root::SITUATION => &s.situation,
        root::FUTURE => &s.future,
        root::OVERVIEW => &s.overview.text,
        root::BREAKTHROUGH => &s.breakthrough.text,
        root::SYSTEM_PROBLEM => &s.breakthrough.system_problem,
        root::INVOLVEMENT => &s.value_triangle.involvement,
        root::LEGITIMACY => &s.value_triangle.legitimacy.text,
        _ => "",
    }
}

/// A finding in a frozen copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFinding {
    pub field: &'static str,
    pub place: &'static str,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Names it in the form.
    pub key: String,
}

/// The findings in the text fields of `content` (a copy's), in the canvas's order.
pub fn findings(content: &CanvasContent) -> Vec<CopyFinding> {
    let mut out = Vec::new();
    for (field, place) in FIELDS {
        let text = field_text(content, field);
        let chars: Vec<char> = text.chars().collect();
        for f in anonymity::scan(text, &content.label) {
            let found: String = chars[f.start..f.end].iter().collect();
            let digest =
                Sha256::digest(format!("{field}\u{0}{}\u{0}{}\u{0}{found}", f.start, f.end));
            out.push(CopyFinding {
                field,
                place,
                kind: f.kind,
                start: f.start,
                end: f.end,
                text: found,
                key: digest[..8].iter().map(|b| format!("{b:02x}")).collect(),
            });
        }
    }
    out
}

/// What a redaction did.
#[derive(Debug, Clone)]
pub struct Redacted {
    pub place: &'static str,
    pub field: &'static str,
    /// Whether the live canvas still holds the same words in that field.
    pub still_live: bool,
}

/// Replaces the finding `key` in version `version` of `canvas` by [`REDACTED`].
pub async fn redact(
    state: &AppState,
    actor: &crate::access::policy::Account,
    by: AccountId,
    canvas: &Permitted,
    version: VersionId,
    key: &str,
) -> Result<Redacted, ServiceError> {
    if !workspace::may_redact(actor, canvas.facts.team) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "Alleen de aanjager haalt persoonsgegevens uit een bevroren kopie.",
        ));
    }
    let (_, snapshot) = state
        .versions
        .version_snapshot(&canvas.id, version)
        .await?
        .ok_or_else(|| ServiceError::refused(Refusal::NotFound, "Niet gevonden."))?;
    let mut content =
        CanvasDoc::content_of_snapshot(&snapshot).ok_or(crate::sync::RoomError::Damaged)?;
    content.label = state.sync.label(&canvas.id).await?;
    let gone = || {
        ServiceError::refused(
            Refusal::Conflict,
            "Deze melding staat niet (meer) in deze kopie; laad de pagina opnieuw.",
        )
    };
    let finding = findings(&content)
        .into_iter()
        .find(|f| f.key == key)
        .ok_or_else(gone)?;
    let redacted = CanvasDoc::replace_in_snapshot(
        &snapshot,
        finding.field,
        (finding.start, finding.end),
        &finding.text,
        REDACTED,
    )
    .ok_or_else(gone)?;
    let tx = state.database.begin().await?;
    if !tx
        .replace_version_snapshot(&canvas.id, version, &snapshot, &redacted)
        .await?
    {
        return Err(gone());
    }
    let entry = AuditEntry {
        account_id: Some(by),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.as_str().to_owned()),
        detail: format!(
            "{} in versie {version}, {}",
            finding.kind.code(),
            finding.place
        ),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::Redacted.entry(entry)).await?;
    tx.commit().await?;
    let live = state.sync.content(&canvas.id).await?;
    Ok(Redacted {
        place: finding.place,
        field: finding.field,
        still_live: field_text(&live, finding.field).contains(&finding.text),
    })
}
