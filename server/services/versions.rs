//! Named versions of a canvas: saved by hand by whoever may edit it, made for every canvas an
//! overleg discussed when it ends (`meetings::finish`), and the escalations' frozen copies; read
//! back read-only, and compared with each other or with the canvas as it is now.

use super::{Refusal, ServiceError};
use crate::{
    access::policy::Permitted,
    audit::Event,
    auth::Viewer,
    canvas::{
        diff::{self, Difference},
        schema::CanvasContent,
    },
    format::dutch_time,
    ids::VersionId,
    state::AppState,
    store::{
        AuditEntry, now_millis,
        versions::{NewVersion, VersionKind, VersionRow},
    },
    sync::{RoomError, doc::CanvasDoc},
    text,
};

const EDITORS_ONLY: &str = "Alleen wie dit canvas mag bewerken, slaat er een versie van op.";

/// Saves the canvas as it is now under `name` (or "Opgeslagen op …" when empty).
pub async fn save_by_hand(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    name: &str,
) -> Result<VersionId, ServiceError> {
    if !canvas.access.may_edit() {
        return Err(ServiceError::refused(Refusal::Forbidden, EDITORS_ONLY));
    }
    let name = text::single_line(name).map_err(|e| ServiceError::refused(Refusal::Invalid, e))?;
    if name.chars().count() > 120 {
        return Err(ServiceError::refused(
            Refusal::Invalid,
            "Een versienaam is hoogstens 120 tekens.",
        ));
    }
    let now = now_millis();
    let name = if name.is_empty() {
        format!("Opgeslagen op {}", dutch_time(now).0)
    } else {
        name.to_owned()
    };
    let snapshot = state.sync.snapshot(&canvas.id).await?;
    let tx = state.database.begin().await?;
    let id = tx
        .save_version(&NewVersion {
            canvas: canvas.id.clone(),
            kind: VersionKind::Handmatig,
            name,
            snapshot,
            meeting: None,
            by: viewer.account.id,
            at: now,
        })
        .await?;
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.to_string()),
        detail: format!("versie {id}"),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::VersionSaved.entry(entry)).await?;
    tx.commit().await?;
    Ok(id)
}

/// One version's content, with its label as the canvas has it now.
pub async fn content(
    state: &AppState,
    canvas: &Permitted,
    id: VersionId,
) -> Result<(VersionRow, CanvasContent), ServiceError> {
    let (row, snapshot) = state
        .versions
        .version_snapshot(&canvas.id, id)
        .await?
        .ok_or_else(|| ServiceError::refused(Refusal::NotFound, "Niet gevonden."))?;
    let mut content = CanvasDoc::content_of_snapshot(&snapshot).ok_or(RoomError::Damaged)?;
    content.label = state.sync.label(&canvas.id).await?;
    Ok((row, content))
}

/// One side of a comparison.
#[derive(Debug, Clone, Copy)]
pub enum Side {
    Version(VersionId),
    /// The newest version an overleg made.
    LastMeeting,
    Now,
}

impl Side {
    /// `nu`, `vorig-overleg`, or a version's number.
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim() {
            "nu" => Some(Side::Now),
            "vorig-overleg" => Some(Side::LastMeeting),
            other => other.parse().ok().map(|n| Side::Version(VersionId(n))),
        }
    }
}

async fn side(
    state: &AppState,
    canvas: &Permitted,
    side: Side,
) -> Result<CanvasContent, ServiceError> {
    match side {
        Side::Now => Ok(state.sync.content(&canvas.id).await?),
        Side::Version(id) => Ok(content(state, canvas, id).await?.1),
        Side::LastMeeting => match last_meeting_version(state, canvas).await? {
            Some(version) => Ok(content(state, canvas, version.id).await?.1),
            None => Err(ServiceError::refused(
                Refusal::Invalid,
                "Dit canvas is nog in geen afgerond overleg besproken.",
            )),
        },
    }
}

/// What changed from `from` to `to`.
pub async fn difference(
    state: &AppState,
    canvas: &Permitted,
    from: Side,
    to: Side,
) -> Result<Difference, ServiceError> {
    let before = side(state, canvas, from).await?;
    let after = side(state, canvas, to).await?;
    Ok(diff::between(&before, &after))
}

/// The newest version made by an overleg: where "what changed since the last overleg" starts.
pub async fn last_meeting_version(
    state: &AppState,
    canvas: &Permitted,
) -> Result<Option<VersionRow>, ServiceError> {
    Ok(state
        .versions
        .versions(&canvas.id)
        .await?
        .into_iter()
        .rev()
        .find(|v| v.kind == VersionKind::Overleg))
}
