//! `POST /api/canvases` creates a canvas; `GET /api/canvases` lists the canvases the caller may
//! see and `GET /api/canvases/{id}` returns one canvas's content, read through the canvas
//! schema; `PATCH /api/canvases/{id}` with `{"label": …}` renames it; `GET /api/regelingen` the
//! catalogue of regulations.
//!
//! The label lives in the canvas's record, not in its Yjs document, so that it changes only
//! through [`crate::services::canvases::rename`], which checks it as at creation: the overview, notifications and
//! exports show it, and none of them may carry what a socket could write unchecked.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::permitted;
use crate::{
    audit::Audit,
    auth::Viewer,
    canvas::regulations::{Regulation, catalogue},
    error::AppError,
    ids::TeamId,
    services::canvases,
    state::AppState,
    store::{CanvasSummary, Canvases, Database},
    sync::{RoomError, SyncService},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/canvases", get(list).post(create))
        .route("/api/canvases/{id}", get(read).patch(rename))
        .route("/api/regelingen", get(regulations))
}

/// The catalogue of regulations for legitimiteit.
async fn regulations() -> Json<&'static [Regulation]> {
    Json(catalogue())
}

#[derive(Deserialize)]
struct NewCanvas {
    label: String,
    /// The team's id; may be left out by someone who can start canvases in one team only.
    team: Option<TeamId>,
}

#[derive(Deserialize)]
struct Rename {
    label: String,
}

async fn rename(
    State(database): State<Arc<dyn Database>>,
    State(store): State<Arc<dyn Canvases>>,
    viewer: Viewer,
    Path(id): Path<String>,
    body: Result<Json<Rename>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::readable(store.as_ref(), &viewer, &id).await?;
    let Json(rename) = body.map_err(|_| {
        AppError::Invalid(
            "Stuur JSON met een veld \"label\", bijvoorbeeld {\"label\": \"Casus T-17\"}.".into(),
        )
    })?;
    let label = canvases::rename(database.as_ref(), &viewer, &canvas, &rename.label).await?;
    Ok(Json(
        json!({ "id": canvas.id.as_str(), "label": label.as_str() }),
    ))
}

async fn create(
    State(database): State<Arc<dyn Database>>,
    viewer: Viewer,
    body: Result<Json<NewCanvas>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let Json(new) = body.map_err(|_| {
        AppError::Invalid(
            "Stuur JSON met een veld \"label\", bijvoorbeeld {\"label\": \"Casus T-17\"}.".into(),
        )
    })?;
    let (id, label) = canvases::create(database.as_ref(), &viewer, &new.label, new.team).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id.as_str(), "label": label.as_str() })),
    ))
}

async fn list(
    State(store): State<Arc<dyn Canvases>>,
    viewer: Viewer,
) -> Result<Json<Vec<CanvasSummary>>, AppError> {
    Ok(Json(permitted::visible(
        &viewer,
        store.list_canvases().await?,
    )))
}

async fn read(
    State(store): State<Arc<dyn Canvases>>,
    State(sync): State<Arc<SyncService>>,
    State(audit): State<Arc<Audit>>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::readable(store.as_ref(), &viewer, &id).await?;
    let content = sync.content(&canvas.id).await?;
    let mut body = serde_json::to_value(content).map_err(|_| AppError::Room(RoomError::Damaged))?;
    body["id"] = json!(canvas.id.as_str());
    audit
        .record_canvas_export(
            viewer.account.id,
            canvas.facts.team,
            &canvas.id,
            "JSON via de API".into(),
        )
        .await?;
    Ok(Json(body))
}
