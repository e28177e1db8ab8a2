//! `POST /canvases/{id}/status`: a status change by hand, as the lifecycle allows; closing
//! (doorbraak gerealiseerd, afgesloten zonder doorbraak) with the leeropbrengst in the same form,
//! archiving with `bereik` (team, provincie, land) and the reasons `reden_{key}` that override
//! the anonymity check's findings.

use std::collections::HashMap;

use axum::{Form, http::StatusCode, response::Response};

use super::Action;
use crate::{
    access::policy::ArchiveScope,
    canvas::status::CanvasStatus,
    error::AppError,
    services::{archiving, canvas_workflow::StatusExtras},
    workflow::learning,
};

/// The form's fields: `van` (the status the person saw), `naar`, `toelichting`, and for closing
/// the leeropbrengst's (see `workflow::learning::parse`).
pub async fn change(
    action: Action,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let on = action.on();
    if let Err(refused) = on.refuse_if_archived() {
        return action.respond::<()>(Err(refused)).await;
    }
    let field = |name: &str| form.get(name).map(String::as_str).unwrap_or_default();
    let (Ok(from), Ok(to)) = (
        field("van").parse::<CanvasStatus>(),
        field("naar").parse::<CanvasStatus>(),
    ) else {
        let code = StatusCode::UNPROCESSABLE_ENTITY;
        return action.refuse(code, "Kies een bestaande status.").await;
    };
    let learning = if learning::needed_for(to) {
        let label = action
            .state
            .canvases
            .canvas_label(&action.canvas.id)
            .await?
            .unwrap_or_default();
        Some(learning::parse(&form, &label))
    } else {
        None
    };
    let scope = match field("bereik") {
        "" => None,
        code => match ArchiveScope::from_code(code) {
            Some(scope) => Some(scope),
            None => {
                let code = StatusCode::UNPROCESSABLE_ENTITY;
                return action
                    .refuse(code, "Kies wie het gearchiveerde canvas mag lezen.")
                    .await;
            }
        },
    };
    let extras = StatusExtras {
        learning,
        overrides: archiving::overrides(&form),
        scope,
    };
    let changed = on
        .change_status(from, to, field("toelichting"), extras)
        .await;
    action.respond(changed).await
}
