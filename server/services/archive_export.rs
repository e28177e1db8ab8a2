//! An archived canvas leaving the server as learning material (issue 13): one clean document
//! (print view, PDF, DOCX) and JSON. Both hold the final content, the leeropbrengst and the
//! escalations, never who escalated, and nothing the anonymity rule finds unless it was
//! overridden when the canvas was archived ([`Overrides`]): a rule that learned more since takes
//! out what it now finds. Recording the export in the audit log is the caller's (it knows the
//! format).

use serde_json::Value;

use super::{Refusal, ServiceError, archiving::Overrides};
use crate::{
    access::policy::{ArchiveScope, Permitted},
    canvas::{schema::CanvasContent, status::CanvasStatus},
    export::{
        archive_json,
        dossier::{self, Dossier},
    },
    state::AppState,
    store::workflow::EscalationRow,
    workflow::learning::{self, Learning},
};

/// What the archive keeps of one canvas, read once for whichever format.
pub struct Archived {
    canvas: Permitted,
    content: CanvasContent,
    team: String,
    gemeente: String,
    escalations: Vec<EscalationRow>,
    learning: Option<Learning>,
    scope: ArchiveScope,
    outcome: CanvasStatus,
    closed_at: Option<i64>,
    archived_at: i64,
    overrides: Overrides,
}

/// The archive of `canvas` (which the caller found readable): refused as not found when it is
/// not archived.
pub async fn archived(state: &AppState, canvas: Permitted) -> Result<Archived, ServiceError> {
    let not_archived = || {
        ServiceError::refused(
            Refusal::NotFound,
            "Dit canvas staat niet in het leerarchief.",
        )
    };
    if !canvas.facts.archived {
        return Err(not_archived());
    }
    let team = state
        .directory
        .team(canvas.facts.team)
        .await?
        .ok_or_else(not_archived)?;
    let content = state.sync.content(&canvas.id).await?;
    let history = state.workflow.status_history(&canvas.id).await?;
    let archiving = history
        .iter()
        .rev()
        .find(|c| c.to == CanvasStatus::Gearchiveerd.code())
        .ok_or_else(not_archived)?;
    let outcome = archiving
        .from
        .parse::<CanvasStatus>()
        .ok()
        .filter(|s| learning::needed_for(*s))
        .unwrap_or(CanvasStatus::AfgeslotenZonderDoorbraak);
    let closed_at = history
        .iter()
        .rev()
        .find(|c| c.to == outcome.code())
        .map(|c| c.at);
    Ok(Archived {
        overrides: Overrides::of(state, &canvas.id, &content.label).await?,
        escalations: state.workflow.escalations(&canvas.id).await?,
        learning: state.workflow.learning(&canvas.id).await?,
        scope: canvas.facts.archive_scope.unwrap_or(ArchiveScope::Province),
        archived_at: archiving.at,
        team: team.name,
        gemeente: team.gemeente,
        canvas,
        content,
        outcome,
        closed_at,
    })
}

impl Archived {
    pub fn canvas(&self) -> &Permitted {
        &self.canvas
    }

    fn context(&self, printed_at: i64) -> dossier::Context<'_> {
        dossier::Context {
            team: &self.team,
            gemeente: &self.gemeente,
            status: CanvasStatus::Gearchiveerd,
            escalations: &self.escalations,
            printed_at,
            archive: Some(dossier::Archive {
                learning: self.learning.as_ref(),
                scope: self.scope.dutch(),
                archived_at: self.archived_at,
            }),
        }
    }

    /// The clean document, printed at `printed_at`.
    pub fn document(&self, printed_at: i64) -> Dossier {
        let mut document = dossier::build(&self.content, &self.context(printed_at));
        document.title = self.overrides.clean(&document.title);
        document.map_texts(|text| self.overrides.clean(text));
        document
    }

    /// The JSON export (`doorbraak.archief/1`).
    pub fn json(&self, printed_at: i64) -> Value {
        let facts = archive_json::Facts {
            id: &self.canvas.id,
            outcome: self.outcome,
            scope: self.scope.code(),
            closed_at: self.closed_at,
        };
        archive_json::build(&self.content, &self.context(printed_at), &facts, |text| {
            self.overrides.clean(text)
        })
    }
}
