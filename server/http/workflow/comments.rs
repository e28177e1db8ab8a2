//! Comments on a canvas: `POST /canvases/{id}/opmerkingen` (a new thread, or an answer with
//! `thread`), `POST …/opmerkingen/{thread}/afhandelen` and `…/heropenen`, and the list as JSON,
//! `GET /api/canvases/{id}/opmerkingen`. The canvas's own policy decides, like every route of it.

use axum::{
    Form, Json,
    extract::Path,
    response::{IntoResponse, Response},
};

use super::Action;
use crate::{
    error::AppError,
    ids::CommentId,
    services::comments::{self, CommentFields},
    store::comments::CommentRow,
};

pub async fn add(action: Action, Form(fields): Form<CommentFields>) -> Result<Response, AppError> {
    let result = comments::add(&action.state, &action.viewer, &action.canvas, &fields).await;
    action.respond_at(result, "opmerkingen").await
}

pub async fn resolve(
    action: Action,
    Path((_, thread)): Path<(String, CommentId)>,
) -> Result<Response, AppError> {
    let result =
        comments::resolve(&action.state, &action.viewer, &action.canvas, thread, true).await;
    action.respond_at(result, "opmerkingen").await
}

pub async fn reopen(
    action: Action,
    Path((_, thread)): Path<(String, CommentId)>,
) -> Result<Response, AppError> {
    let result =
        comments::resolve(&action.state, &action.viewer, &action.canvas, thread, false).await;
    action.respond_at(result, "opmerkingen").await
}

pub async fn list(action: Action) -> Result<Response, AppError> {
    let rows: Vec<CommentRow> = action.state.database.comments(&action.canvas.id).await?;
    action
        .state
        .audit
        .record_canvas_export(
            action.viewer.account.id,
            action.canvas.facts.team,
            &action.canvas.id,
            "opmerkingen via de API".to_owned(),
        )
        .await?;
    Ok(Json(serde_json::json!({ "opmerkingen": rows })).into_response())
}
