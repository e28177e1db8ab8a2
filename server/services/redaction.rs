//! Redaction (issue 13): frozen copies (versions, the escalations' copies) cannot be edited, so
//! personal data that slipped into one would stay. The aanjager replaces a finding of the
//! anonymity rule in one stored copy by "[verwijderd]"; the redaction is audited (who, when,
//! which copy, which kind of finding, where; never the words), and the page then says whether
//! the same words are still in the live canvas, with the way there to take them out.

use sha2::{Digest, Sha256};

use super::{Refusal, ServiceError};
use crate::{
    access::{policy::Permitted, workspace},
    anonymity::{self, Kind, REDACTED},
    audit::Event,
    canvas::schema::{CanvasContent, root},
    ids::{AccountId, VersionId},
    state::AppState,
    store::AuditEntry,
    sync::doc::{CanvasDoc, TextAt},
};

/// The text roots of a copy, with their names in Dutch.
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

/// One widget's text fields: its array root, where its section is on the canvas page, its name
/// in Dutch, and per field the key in the row, the field's Dutch name and the rows' texts.
struct Widget<'a> {
    array: &'static str,
    anchor: &'static str,
    place: &'static str,
    fields: Vec<(&'static str, &'static str, Vec<&'a str>)>,
}

/// The widgets of `content` with the texts of their rows, in the canvas's order.
fn widgets(content: &CanvasContent) -> [Widget<'_>; 4] {
    let s = &content.steps;
    let t = &s.value_triangle;
    let agencies = &s.overview.agencies;
    let regulations = &t.legitimacy.regulations;
    let lines = &t.return_lines;
    let actions = &s.action_plan;
    [
        Widget {
            array: root::AGENCIES,
            anchor: "agencies-title",
            place: "Stap 3: betrokken instanties",
            fields: vec![(
                "name",
                "instantie",
                agencies.iter().map(|a| a.name.as_str()).collect(),
            )],
        },
        Widget {
            array: root::REGULATIONS,
            anchor: "regulations-title",
            place: "Stap 5: regelingen",
            fields: vec![
                (
                    "law",
                    "wet of regeling",
                    regulations.iter().map(|r| r.law.as_str()).collect(),
                ),
                (
                    "article",
                    "artikel",
                    regulations.iter().map(|r| r.article.as_str()).collect(),
                ),
                (
                    "room",
                    "ruimte",
                    regulations.iter().map(|r| r.room.as_str()).collect(),
                ),
            ],
        },
        Widget {
            array: root::RETURN_LINES,
            anchor: "rendement-title",
            place: "Stap 5: rendement",
            fields: vec![
                (
                    "description",
                    "omschrijving",
                    lines.iter().map(|l| l.description.as_str()).collect(),
                ),
                (
                    "payer",
                    "wie betaalt",
                    lines.iter().map(|l| l.payer.as_str()).collect(),
                ),
            ],
        },
        Widget {
            array: root::ACTIONS,
            anchor: "actions-title",
            place: "Stap 6: actieplan",
            fields: vec![
                (
                    "what",
                    "wat",
                    actions.iter().map(|a| a.what.as_str()).collect(),
                ),
                (
                    "who",
                    "wie",
                    actions.iter().map(|a| a.who.as_str()).collect(),
                ),
            ],
        },
    ]
}

/// A finding in a frozen copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyFinding {
    /// Where its text is in the copy.
    pub at: TextAt<'static>,
    /// The id of that part on the canvas page (for the link to the live canvas).
    pub anchor: String,
    /// Where, in Dutch.
    pub place: String,
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// Names it in the form.
    pub key: String,
}

/// Every text of the copy that can be redacted: where it is, the page's anchor, its name in
/// Dutch and the text.
fn texts(content: &CanvasContent) -> Vec<(TextAt<'static>, String, String, &str)> {
    let mut out: Vec<(TextAt<'static>, String, String, &str)> = FIELDS
        .iter()
        .map(|(field, place)| {
            (
                TextAt::Root(field),
                format!("veld-{field}"),
                (*place).to_owned(),
                field_text(content, field),
            )
        })
        .collect();
    for widget in widgets(content) {
        for (key, name, rows) in widget.fields {
            for (index, text) in rows.into_iter().enumerate() {
                let at = TextAt::Item {
                    array: widget.array,
                    index,
                    key,
                };
                let place = format!("{}, regel {} ({name})", widget.place, index + 1);
                out.push((at, widget.anchor.to_owned(), place, text));
            }
        }
    }
    out
}

/// The findings in the texts of `content` (a copy's), in the canvas's order.
pub fn findings(content: &CanvasContent) -> Vec<CopyFinding> {
    let mut out = Vec::new();
    for (at, anchor, place, text) in texts(content) {
        let chars: Vec<char> = text.chars().collect();
        for f in anonymity::scan(text, &content.label) {
            let found: String = chars[f.start..f.end].iter().collect();
            let digest =
                Sha256::digest(format!("{at:?}\u{0}{}\u{0}{}\u{0}{found}", f.start, f.end));
            out.push(CopyFinding {
                at,
                anchor: anchor.clone(),
                place: place.clone(),
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

/// Whether the live canvas still holds `words` in the same part (any row of a widget's field).
fn still_in(live: &CanvasContent, at: TextAt<'_>, words: &str) -> bool {
    match at {
        TextAt::Root(field) => field_text(live, field).contains(words),
        TextAt::Item { array, key, .. } => widgets(live)
            .into_iter()
            .filter(|w| w.array == array)
            .flat_map(|w| w.fields)
            .filter(|(k, _, _)| *k == key)
            .flat_map(|(_, _, rows)| rows)
            .any(|text| text.contains(words)),
    }
}

/// What a redaction did.
#[derive(Debug, Clone)]
pub struct Redacted {
    pub place: String,
    /// The id of that part on the canvas page.
    pub anchor: String,
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
        finding.at,
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
        still_live: still_in(&live, finding.at, &finding.text),
        place: finding.place,
        anchor: finding.anchor,
    })
}
