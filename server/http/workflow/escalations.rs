//! Escalations: `POST /canvases/{id}/opschalen` by the team; `…/opschalingen/{n}/oppakken` and
//! `…/antwoord` by whoever works at the rung; `GET …/opschalingen/{n}` (the frozen copy) and
//! `…/samenvatting` (the printable summary).

use axum::{Form, extract::Path, response::Response};
use maud::Markup;
use serde::Deserialize;

use super::Action;
use crate::{
    access::policy::EscalationLevel,
    error::AppError,
    ids::EscalationId,
    store::workflow::EscalationRow,
    sync::{RoomError, doc::CanvasDoc},
    views::{self, workflow::frozen_banner},
    workflow::ladder::Outcome,
};

#[derive(Deserialize)]
pub struct EscalateForm {
    #[serde(default)]
    naar: String,
    #[serde(default)]
    vraag: String,
}

pub async fn escalate(
    action: Action,
    Form(form): Form<EscalateForm>,
) -> Result<Response, AppError> {
    let to = EscalationLevel::from_code(&form.naar).unwrap_or(EscalationLevel::Team);
    let escalated = action.on().escalate(to, &form.vraag).await;
    action.respond(escalated).await
}

pub async fn pick_up(
    action: Action,
    Path((_, escalation)): Path<(String, EscalationId)>,
) -> Result<Response, AppError> {
    let picked_up = action.on().pick_up(escalation).await;
    action.respond(picked_up).await
}

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    antwoord: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    verder_naar: String,
    #[serde(default)]
    verder_vraag: String,
}

pub async fn answer(
    action: Action,
    Path((_, escalation)): Path<(String, EscalationId)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let answered = action
        .on()
        .answer(
            escalation,
            &form.antwoord,
            Outcome::from_code(&form.uitkomst),
            EscalationLevel::from_code(&form.verder_naar),
            &form.verder_vraag,
        )
        .await;
    action.respond(answered).await
}

/// An escalation of this canvas with the content of its frozen copy.
async fn frozen_content(
    action: &Action,
    escalation: EscalationId,
) -> Result<(EscalationRow, crate::canvas::schema::CanvasContent), AppError> {
    // A frozen copy is history: not for who reads the canvas only from the archive.
    if !crate::access::policy::history_access(&action.viewer.policy, &action.canvas.facts)
        .may_read()
    {
        return Err(AppError::NotFound);
    }
    let (row, snapshot) = action
        .state
        .workflow
        .escalation_snapshot(&action.canvas.id, escalation)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut content =
        CanvasDoc::content_of_snapshot(&snapshot).ok_or(AppError::Room(RoomError::Damaged))?;
    content.label = action.state.sync.label(&action.canvas.id).await?;
    Ok((row, content))
}

/// The canvas as it was escalated, read-only beside the live one.
pub async fn frozen(
    action: Action,
    Path((_, escalation)): Path<(String, EscalationId)>,
) -> Result<Markup, AppError> {
    let (row, content) = frozen_content(&action, escalation).await?;
    let view = views::canvas::CanvasView {
        meeting: None,
        history: true,
        id: &action.canvas.id,
        content: &content,
        read_only: true,
        live: false,
        banner: Some(frozen_banner(action.id(), &row)),
        workflow: None,
        may_rename: false,
        status: None,
    };
    Ok(views::canvas::page(&action.viewer, &view, &action.nonce.0))
}

/// The printable one-page summary of an escalation, from its frozen copy.
pub async fn summary(
    action: Action,
    Path((_, escalation)): Path<(String, EscalationId)>,
) -> Result<Markup, AppError> {
    let (row, content) = frozen_content(&action, escalation).await?;
    action
        .state
        .audit
        .record_canvas_export(
            action.viewer.account.id,
            action.canvas.facts.team,
            &action.canvas.id,
            format!("samenvatting van opschaling {escalation}"),
        )
        .await?;
    let state = &action.state;
    let team = state
        .directory
        .team(action.canvas.facts.team)
        .await?
        .ok_or(AppError::NotFound)?;
    let status = state
        .workflow
        .canvas_status(&action.canvas.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let context = views::workflow::SummaryContext {
        team: &team.name,
        gemeente: &team.gemeente,
        status,
        printed_at: crate::store::now_millis(),
    };
    let title = format!("Samenvatting: {}", content.label);
    let body = views::workflow::summary(&content.label, &row, &content, &context);
    Ok(views::layout(&title, &action.nonce.0, body))
}
