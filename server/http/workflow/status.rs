//! `POST /canvases/{id}/status`: a status change by hand, as the lifecycle allows.

use axum::{Form, http::StatusCode, response::Response};
use serde::Deserialize;

use super::Action;
use crate::{canvas::status::CanvasStatus, error::AppError};

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
    let on = action.on();
    if let Err(refused) = on.refuse_if_archived() {
        return action.respond::<()>(Err(refused)).await;
    }
    let (Ok(from), Ok(to)) = (
        form.van.parse::<CanvasStatus>(),
        form.naar.parse::<CanvasStatus>(),
    ) else {
        let code = StatusCode::UNPROCESSABLE_ENTITY;
        return action.refuse(code, "Kies een bestaande status.").await;
    };
    let changed = on.change_status(from, to, &form.toelichting).await;
    action.respond(changed).await
}
