//! `POST /canvases/{id}/status`: a status change by hand, as the lifecycle allows.

use axum::{Form, http::StatusCode, response::Response};
use serde::Deserialize;

use super::{Action, CONFLICT};
use crate::{
    audit::Event,
    canvas::status::CanvasStatus,
    error::AppError,
    events::{AccessChange, Event as BusEvent},
    store::now_millis,
    workflow::lifecycle::{self, TransitionError},
};

#[derive(Deserialize)]
pub struct StatusForm {
    /// The status the person saw.
    #[serde(default)]
    van: String,
    #[serde(default)]
    naar: String,
    #[serde(default)]
    toelichting: String,
}

pub async fn change(action: Action, Form(form): Form<StatusForm>) -> Result<Response, AppError> {
    if let Some(refused) = action.refuse_if_archived().await? {
        return Ok(refused);
    }
    let (Ok(from), Ok(to)) = (
        form.van.parse::<CanvasStatus>(),
        form.naar.parse::<CanvasStatus>(),
    ) else {
        let code = StatusCode::UNPROCESSABLE_ENTITY;
        return action.refuse(code, "Kies een bestaande status.").await;
    };
    let (viewer, canvas) = (&action.viewer, &action.canvas);
    if let Err(error) = lifecycle::check(&viewer.policy, &canvas.facts, canvas.access, from, to) {
        let code = match error {
            TransitionError::Role(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return action.refuse(code, error).await;
    }
    let note: String = form.toelichting.trim().chars().take(500).collect();
    // Compare-and-set on the status the person saw: of two changes at once, one wins and the
    // other is told, instead of silently overwriting it.
    let changed = action
        .state
        .workflow
        .change_status(
            action.id(),
            from,
            to,
            viewer.account.id,
            &note,
            now_millis(),
        )
        .await?;
    if !changed {
        return action.refuse(StatusCode::CONFLICT, CONFLICT).await;
    }
    if to == CanvasStatus::Gearchiveerd {
        // Read-only from this moment: every open connection and stream on the canvas ends and
        // comes back with the access the policy now gives (read).
        action
            .state
            .events
            .publish(BusEvent::AccessChanged(AccessChange::Canvas {
                canvas: action.id().to_owned(),
                keep: Vec::new(),
            }));
    }
    let detail = format!("{} → {}", from.code(), to.code());
    action.done(Event::StatusChanged, detail).await
}
