//! Escalations: `POST /canvases/{id}/opschalen` by the team; `…/opschalingen/{n}/oppakken` and
//! `…/antwoord` by whoever works at the rung; `GET …/opschalingen/{n}` (the frozen copy) and
//! `…/samenvatting` (the printable summary).

use axum::{Form, extract::Path, http::StatusCode, response::Response};
use maud::Markup;
use serde::Deserialize;

use super::{Action, CONFLICT};
use crate::{
    access::policy::{self, AccountId, EscalationLevel},
    audit::Event,
    error::AppError,
    events::{AccessChange, Event as BusEvent},
    store::{
        AuditEntry, now_millis,
        workflow::{EscalationAnswer, EscalationRow, NewEscalation},
    },
    sync::{RoomError, doc::CanvasDoc},
    views::{self, workflow::frozen_banner},
    workflow::ladder::{self, LadderError, Outcome, level_dutch},
};

impl Action {
    /// The canvas as it is now, for the frozen copy kept with an escalation.
    async fn snapshot(&self) -> Result<Vec<u8>, AppError> {
        Ok(self.state.sync.snapshot(&self.canvas.id).await?)
    }

    /// A step up from `from` to `to`, frozen as the canvas is now.
    async fn step(
        &self,
        from: EscalationLevel,
        to: EscalationLevel,
        question: String,
    ) -> Result<NewEscalation, AppError> {
        Ok(NewEscalation {
            canvas: self.id().to_owned(),
            from_level: from,
            to_level: to,
            question,
            by: self.viewer.account.id,
            at: now_millis(),
            snapshot: self.snapshot().await?,
        })
    }

    /// After the canvas moved on the ladder: closes the connections of everyone outside its team
    /// (coaches, PMM), whose access depends on the level. They reconnect at once with the access
    /// the new level gives them: editing, reading, or none.
    async fn reconnect_outsiders(&self) {
        let keep: Vec<AccountId> =
            match self.state.directory.members(self.canvas.facts.team.0).await {
                Ok(members) => members
                    .into_iter()
                    .map(|m| AccountId(m.account_id))
                    .collect(),
                // Without the member list, reconnect everyone: safe, and they come straight back.
                Err(error) => {
                    tracing::warn!(%error, "could not read the team; reconnecting everyone");
                    Vec::new()
                }
            };
        self.state
            .events
            .publish(BusEvent::AccessChanged(AccessChange::Canvas {
                canvas: self.id().to_owned(),
                keep,
            }));
    }

    /// The escalation `id` of this canvas if it is still open.
    async fn open_step(&self, id: i64) -> Result<Option<EscalationRow>, AppError> {
        Ok(self
            .state
            .workflow
            .escalations(self.id())
            .await?
            .into_iter()
            .find(|e| e.id == id && e.is_open()))
    }

    /// Notifies the people working at `level` for this canvas (never the person acting, and
    /// never someone who may not see the canvas, such as another case's inbrenger). A failure
    /// is logged: the change itself is done.
    async fn notify(&self, level: EscalationLevel, what: &str) {
        if let Err(error) = self.try_notify(level, what).await {
            tracing::warn!(%error, "could not notify");
        }
    }

    async fn try_notify(&self, level: EscalationLevel, what: &str) -> Result<(), AppError> {
        let (state, facts) = (&self.state, &self.canvas.facts);
        // Who might hear of it: the team for its own levels, everyone above them. The policy
        // decides, on each candidate's whole account.
        let candidates = match level {
            EscalationLevel::Team | EscalationLevel::Directie => {
                let mut rows = Vec::new();
                for member in state.directory.members(facts.team.0).await? {
                    if let Some(row) = state.directory.account_by_id(member.account_id).await? {
                        rows.push(row);
                    }
                }
                rows
            }
            EscalationLevel::Coach | EscalationLevel::Pmm => {
                state.directory.list_accounts().await?
            }
        };
        let mut accounts: Vec<i64> = Vec::new();
        for row in candidates {
            if row.id == self.viewer.account.id {
                continue;
            }
            let account = state.directory.policy_account(&row).await?;
            if policy::hears_of(&account, facts, level) {
                accounts.push(row.id);
            }
        }
        // Labels are anonymous by design, so a notification may name the canvas.
        let label = state.sync.label(&self.canvas.id).await?;
        let link = format!("/canvases/{}#workflow", self.id());
        state
            .workflow
            .notify(&accounts, &format!("{what}: {label}"), &link)
            .await?;
        Ok(())
    }
}

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
    if let Some(refused) = action.refuse_if_archived().await? {
        return Ok(refused);
    }
    let (viewer, canvas) = (&action.viewer, &action.canvas);
    let status = action
        .state
        .workflow
        .canvas_status(action.id())
        .await?
        .ok_or(AppError::NotFound)?;
    let to = EscalationLevel::from_code(&form.naar).unwrap_or(EscalationLevel::Team);
    let checked = ladder::may_escalate(&viewer.policy, &canvas.facts, canvas.access, status, to)
        .and_then(|()| ladder::text(&form.vraag, LadderError::QuestionRequired));
    let question = match checked {
        Ok(question) => question,
        Err(error) => {
            let code = match error {
                LadderError::NotTheTeam => StatusCode::FORBIDDEN,
                LadderError::AlreadyEscalated => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return action.refuse(code, error).await;
        }
    };
    let step = action.step(canvas.facts.level, to, question).await?;
    if action.state.workflow.escalate(&step).await?.is_none() {
        return action.refuse(StatusCode::CONFLICT, CONFLICT).await;
    }
    action.reconnect_outsiders().await;
    let response = action
        .done(Event::Escalated, format!("naar {}", to.code()))
        .await;
    action
        .notify(to, &format!("Nieuwe opschaling naar {}", level_dutch(to)))
        .await;
    response
}

pub async fn pick_up(
    action: Action,
    Path((_, escalation)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    if let Some(refused) = action.refuse_if_archived().await? {
        return Ok(refused);
    }
    let Some(open) = action.open_step(escalation).await? else {
        return action
            .refuse(StatusCode::CONFLICT, LadderError::NothingOpen)
            .await;
    };
    let (viewer, facts) = (&action.viewer, &action.canvas.facts);
    if !ladder::may_handle(&viewer.policy, facts, open.to_level) {
        let error = LadderError::NotYourRung(ladder::who_handles(open.to_level));
        return action.refuse(StatusCode::FORBIDDEN, error).await;
    }
    if !action
        .state
        .workflow
        .pick_up(escalation, viewer.account.id)
        .await?
    {
        return action.refuse(StatusCode::CONFLICT, CONFLICT).await;
    }
    action
        .done(Event::EscalationPickedUp, "opgepakt".into())
        .await
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
    Path((_, escalation)): Path<(String, i64)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    if let Some(refused) = action.refuse_if_archived().await? {
        return Ok(refused);
    }
    let Some(open) = action.open_step(escalation).await? else {
        return action
            .refuse(StatusCode::CONFLICT, LadderError::NothingOpen)
            .await;
    };
    let Some(outcome) = Outcome::from_code(&form.uitkomst) else {
        let code = StatusCode::UNPROCESSABLE_ENTITY;
        return action.refuse(code, "Kies een uitkomst.").await;
    };
    let further = (outcome == Outcome::VerderOpgeschaald)
        .then(|| EscalationLevel::from_code(&form.verder_naar))
        .flatten();
    let (viewer, facts) = (&action.viewer, &action.canvas.facts);
    let checked = ladder::may_answer(&viewer.policy, facts, open.to_level, outcome, further)
        .and_then(|()| ladder::text(&form.antwoord, LadderError::AnswerRequired))
        .and_then(|answer| {
            let question = match further {
                Some(_) => Some(ladder::text(
                    &form.verder_vraag,
                    LadderError::QuestionRequired,
                )?),
                None => None,
            };
            Ok((answer, question))
        });
    let (answer, further_question) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            let code = match error {
                LadderError::NotYourRung(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return action.refuse(code, error).await;
        }
    };
    let further_step = match (further, further_question) {
        (Some(to), Some(question)) => Some(action.step(open.to_level, to, question).await?),
        _ => None,
    };
    let recorded = EscalationAnswer {
        escalation,
        canvas: action.id().to_owned(),
        by: viewer.account.id,
        answer,
        outcome,
        further: further_step,
        at: now_millis(),
    };
    if !action.state.workflow.answer(&recorded).await? {
        return action.refuse(StatusCode::CONFLICT, CONFLICT).await;
    }
    action.reconnect_outsiders().await;
    let response = action
        .done(Event::EscalationAnswered, outcome.code().into())
        .await;
    let what = format!("Antwoord ontvangen ({})", outcome.dutch().to_lowercase());
    action.notify(EscalationLevel::Team, &what).await;
    if let Some(to) = further {
        let what = format!("Nieuwe opschaling naar {}", level_dutch(to));
        action.notify(to, &what).await;
    }
    response
}

/// An escalation of this canvas with the content of its frozen copy.
async fn frozen_content(
    action: &Action,
    escalation: i64,
) -> Result<(EscalationRow, crate::canvas::schema::CanvasContent), AppError> {
    let (row, snapshot) = action
        .state
        .workflow
        .escalation_snapshot(action.id(), escalation)
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
    Path((_, escalation)): Path<(String, i64)>,
) -> Result<Markup, AppError> {
    let (row, content) = frozen_content(&action, escalation).await?;
    let view = views::canvas::CanvasView {
        id: &action.canvas.id,
        content: &content,
        read_only: true,
        live: false,
        banner: Some(frozen_banner(action.id(), &row)),
        workflow: None,
        may_rename: false,
    };
    Ok(views::canvas::page(&action.viewer, &view, &action.nonce.0))
}

/// The printable one-page summary of an escalation, from its frozen copy.
pub async fn summary(
    action: Action,
    Path((_, escalation)): Path<(String, i64)>,
) -> Result<Markup, AppError> {
    let (row, content) = frozen_content(&action, escalation).await?;
    action
        .state
        .audit
        .record_export(AuditEntry {
            account_id: Some(action.viewer.account.id),
            team_id: Some(action.canvas.facts.team.0),
            canvas_id: Some(action.id().to_owned()),
            detail: format!("samenvatting van opschaling {escalation}"),
            ..AuditEntry::default()
        })
        .await?;
    let title = format!("Samenvatting: {}", content.label);
    let body = views::workflow::summary(&content.label, &row, &content);
    Ok(views::layout(&title, &action.nonce.0, body))
}
