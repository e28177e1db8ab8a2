//! Starting a canvas and renaming it. The label lives in the canvas's record, not in its Yjs
//! document, so that it changes only here, checked as anonymous at creation and at every rename.

use super::{Refusal, ServiceError};
use crate::{
    access::policy::{self, Permitted},
    audit::Event,
    auth::Viewer,
    canvas::{AnonymousLabel, CanvasId, schema},
    ids::TeamId,
    store::{AuditEntry, CanvasOwner, Database},
};

/// Starts a canvas for `viewer` in `team` (or their only team), with the anonymous `label`.
pub async fn create(
    database: &dyn Database,
    viewer: &Viewer,
    label: &str,
    team: Option<TeamId>,
) -> Result<(CanvasId, AnonymousLabel), ServiceError> {
    let label = AnonymousLabel::parse(label)
        .map_err(|error| ServiceError::refused(Refusal::Invalid, error))?;
    let teams = creatable_teams(viewer);
    let team = match (team, teams.as_slice()) {
        (Some(team), _) if teams.contains(&team) => team,
        (Some(_), _) | (None, []) => {
            let message = "Je mag in dit team geen canvas beginnen. Dat mogen de aanjager, de \
                           projectleider en de inbrenger.";
            return Err(ServiceError::refused(Refusal::Forbidden, message));
        }
        (None, [only]) => *only,
        (None, _) => {
            let message = "Kies het team van dit canvas.";
            return Err(ServiceError::refused(Refusal::Invalid, message));
        }
    };
    let id = CanvasId::random();
    let owner = CanvasOwner {
        team,
        brought_in_by: viewer.account.id,
    };
    let tx = database.begin().await?;
    tx.create_canvas(&id, label.as_str(), owner, &schema::initialize(), &[])
        .await?;
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(team),
        canvas_id: Some(id.to_string()),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::CanvasCreated.entry(entry)).await?;
    tx.commit().await?;
    tracing::info!(canvas_id = %id, "canvas created");
    Ok((id, label))
}

/// The teams in which `viewer` may start a canvas.
pub fn creatable_teams(viewer: &Viewer) -> Vec<TeamId> {
    let mut teams: Vec<TeamId> = viewer
        .policy
        .memberships
        .iter()
        .filter(|(team, _)| policy::may_create_canvas(&viewer.policy, *team))
        .map(|(team, _)| *team)
        .collect();
    teams.sort_unstable();
    teams.dedup();
    teams
}

const ARCHIVED: &str =
    "Dit canvas is gearchiveerd: het is lesmateriaal en kan niet meer worden gewijzigd.";

/// Gives a canvas the viewer may rename a new, anonymous label.
pub async fn rename(
    database: &dyn Database,
    viewer: &Viewer,
    canvas: &Permitted,
    raw: &str,
) -> Result<AnonymousLabel, ServiceError> {
    if canvas.facts.archived {
        return Err(ServiceError::refused(Refusal::Conflict, ARCHIVED));
    }
    if !policy::may_rename(&viewer.policy, &canvas.facts) {
        let message = "Alleen het team van dit canvas kan het een andere naam geven.";
        return Err(ServiceError::refused(Refusal::Forbidden, message));
    }
    let label = AnonymousLabel::parse(raw)
        .map_err(|error| ServiceError::refused(Refusal::Invalid, error))?;
    let tx = database.begin().await?;
    // Archived since the check above: the statement refuses it.
    if !tx.rename_canvas(&canvas.id, label.as_str()).await? {
        return Err(ServiceError::refused(Refusal::Conflict, ARCHIVED));
    }
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.to_string()),
        detail: label.to_string(),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::CanvasRenamed.entry(entry)).await?;
    tx.commit().await?;
    Ok(label)
}
