//! Comments on a canvas: on a step or field, anchored to a text range where one was selected (two
//! Yjs relative positions, made and resolved by the page, so the anchor survives later edits),
//! in threads that can be resolved. Anyone who may read the canvas may comment (read-only
//! coaches, PMM and guests too); an archived canvas's comments are read-only.
//!
//! Comments are casework: covered by the canvas's policy, audited (that a comment was placed,
//! never what it says), and never logged. `@naam` notifies exactly the mentioned people who may
//! read the canvas.

use super::{Refusal, ServiceError};
use crate::{
    access::policy::{self, Permitted},
    audit::Event,
    auth::Viewer,
    canvas::schema::root,
    events::{Event as BusEvent, WorkflowChange},
    ids::{AccountId, CommentId},
    state::AppState,
    store::{AuditEntry, Transaction, comments::NewComment, now_millis},
    text,
};

/// The steps and fields a comment can be about, with their Dutch names.
pub const FIELDS: [(&str, &str); 12] = [
    (root::SITUATION, "1. Situatieschets"),
    (root::LIFE_AREAS, "1. Leefgebieden"),
    (root::FUTURE, "2. Toekomstperspectief"),
    (root::OVERVIEW, "3. Overzicht"),
    (root::AGENCIES, "3. Betrokken instanties"),
    (root::BREAKTHROUGH, "4. Doorbraak"),
    (root::SYSTEM_PROBLEM, "4. Vraag over het systeemprobleem"),
    (root::INVOLVEMENT, "5. Betrokkenheid"),
    (root::LEGITIMACY, "5. Legitimiteit"),
    (root::REGULATIONS, "5. Regelingen"),
    (root::RETURN_LINES, "5. Rendement"),
    (root::ACTIONS, "6. Actieplan"),
];

/// The Dutch name of a field a comment is about.
pub fn field_name(field: &str) -> &'static str {
    FIELDS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or("Canvas", |(_, name)| *name)
}

pub const MAX_BODY: usize = 4_000;
/// Two encoded relative positions are well under this.
pub const MAX_ANCHOR: usize = 512;

/// A comment as a client sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct CommentFields {
    #[serde(default)]
    pub field: String,
    #[serde(default)]
    pub anchor: String,
    #[serde(default)]
    pub body: String,
    /// The thread it answers.
    #[serde(default)]
    pub thread: Option<CommentId>,
}

fn invalid(message: &str) -> ServiceError {
    ServiceError::refused(Refusal::Invalid, message)
}

fn writable(canvas: &Permitted) -> Result<(), ServiceError> {
    if !canvas.access.may_read() {
        return Err(ServiceError::refused(Refusal::NotFound, "Niet gevonden."));
    }
    if canvas.facts.archived {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit canvas is gearchiveerd; de opmerkingen zijn alleen nog te lezen.",
        ));
    }
    Ok(())
}

/// Everyone who may read the canvas now, with their names: who can be mentioned.
pub async fn readers(
    tx: &dyn Transaction,
    facts: &policy::Canvas,
) -> Result<Vec<(AccountId, String)>, ServiceError> {
    let mut out = Vec::new();
    for row in tx.list_accounts().await? {
        let account = tx.policy_account(&row).await?;
        if policy::canvas_access(&account, facts).may_read() {
            out.push((row.id, row.display_name().to_owned()));
        }
    }
    Ok(out)
}

/// The readers `body` mentions: `@` followed by their name (or e-mail address), in any case,
/// not followed by a letter or digit (so "@Ann" is not "@Anna").
pub fn mentioned(body: &str, readers: &[(AccountId, String)]) -> Vec<AccountId> {
    let lower = body.to_lowercase();
    let mut out: Vec<AccountId> = readers
        .iter()
        .filter(|(_, name)| {
            let needle = format!("@{}", name.to_lowercase());
            lower.match_indices(&needle).any(|(at, _)| {
                !lower[at + needle.len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphanumeric)
            })
        })
        .map(|(id, _)| *id)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Places a comment (or an answer in a thread); the mentioned readers are told.
pub async fn add(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    fields: &CommentFields,
) -> Result<CommentId, ServiceError> {
    writable(canvas)?;
    let field = fields.field.trim();
    if !FIELDS.iter().any(|(f, _)| *f == field) {
        return Err(invalid(
            "Kies de stap of het veld waar de opmerking over gaat.",
        ));
    }
    let anchor = fields.anchor.trim();
    let anchor_ok = anchor.len() <= MAX_ANCHOR
        && anchor
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b':'));
    if !anchor_ok {
        return Err(invalid(
            "De plaats van de opmerking in de tekst is niet geldig.",
        ));
    }
    let body = text::paragraphs(&fields.body).map_err(|e| invalid(&e.to_string()))?;
    if body.is_empty() || body.chars().count() > MAX_BODY {
        return Err(invalid("Een opmerking is 1 tot 4.000 tekens."));
    }
    let now = now_millis();
    let tx = state.database.begin().await?;
    let id = match tx
        .add_comment(&NewComment {
            canvas: canvas.id.clone(),
            thread: fields.thread,
            field: field.to_owned(),
            anchor: anchor.to_owned(),
            body: body.clone(),
            author: viewer.account.id,
            at: now,
        })
        .await
    {
        Ok(id) => id,
        Err(crate::store::StoreError::Inconsistent(crate::store::comments::ARCHIVED_CANVAS)) => {
            return Err(ServiceError::refused(
                Refusal::Conflict,
                "Dit canvas is intussen gearchiveerd; de opmerkingen zijn alleen nog te lezen.",
            ));
        }
        Err(crate::store::StoreError::Inconsistent(_)) => {
            return Err(invalid("Deze draad bestaat niet (meer) bij dit canvas."));
        }
        Err(other) => return Err(other.into()),
    };
    let readers = readers(tx.as_ref(), &canvas.facts).await?;
    let told: Vec<AccountId> = mentioned(&body, &readers)
        .into_iter()
        .filter(|a| *a != viewer.account.id)
        .collect();
    let label = tx.canvas_label(&canvas.id).await?.unwrap_or_default();
    // The label only: what the comment says stays on the canvas.
    let text = format!(
        "{} noemt je in een opmerking bij {label}.",
        viewer.account.display_name()
    );
    tx.notify(
        &told,
        &text,
        &format!("/canvases/{}#opmerkingen", canvas.id),
    )
    .await?;
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.to_string()),
        detail: format!("opmerking {id}, {} persoon/personen genoemd", told.len()),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::CommentAdded.entry(entry)).await?;
    tx.commit().await?;
    published(state, canvas);
    Ok(id)
}

/// Resolves a thread (or reopens it).
pub async fn resolve(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    thread: CommentId,
    resolved: bool,
) -> Result<(), ServiceError> {
    writable(canvas)?;
    let tx = state.database.begin().await?;
    if !tx
        .resolve_thread(
            &canvas.id,
            thread,
            resolved,
            viewer.account.id,
            now_millis(),
        )
        .await?
    {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            if resolved {
                "Deze draad is al afgehandeld of bestaat niet."
            } else {
                "Deze draad is niet afgehandeld of bestaat niet."
            },
        ));
    }
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.to_string()),
        detail: format!(
            "draad {thread} {}",
            if resolved { "afgehandeld" } else { "heropend" }
        ),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::CommentResolved.entry(entry))
        .await?;
    tx.commit().await?;
    published(state, canvas);
    Ok(())
}

/// Open pages of the canvas refresh their comments (with what each reader may see).
fn published(state: &AppState, canvas: &Permitted) {
    state
        .events
        .publish(BusEvent::WorkflowChanged(WorkflowChange {
            canvas: canvas.id.clone(),
            facts: canvas.facts.clone(),
        }));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mention_is_the_whole_name_of_a_reader() {
        let readers = vec![
            (AccountId(1), "Anna de Vries".to_owned()),
            (AccountId(2), "Ann".to_owned()),
            (AccountId(3), "coach@provincie.nl".to_owned()),
        ];
        assert_eq!(
            mentioned("Vraag aan @anna de vries: klopt dit?", &readers),
            vec![AccountId(1)]
        );
        assert_eq!(mentioned("@Ann, kijk jij?", &readers), vec![AccountId(2)]);
        assert_eq!(
            mentioned("@Annabel weet het", &readers),
            Vec::<AccountId>::new(),
            "a longer name is someone else"
        );
        assert_eq!(
            mentioned("cc @coach@provincie.nl en @Ann", &readers),
            vec![AccountId(2), AccountId(3)]
        );
        assert!(mentioned("geen @ hier", &readers).is_empty());
    }
}
