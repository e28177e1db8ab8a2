//! `POST /api/canvases` creates a canvas; `GET /api/canvases` lists them and
//! `GET /api/canvases/{id}` returns one canvas's content, read through the canvas schema;
//! `GET /api/regelingen` the catalogue of regulations.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, State, rejection::JsonRejection},
    http::StatusCode,
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    app::AppState,
    canvas::{
        AnonymousLabel, CanvasId,
        regulations::{Regulation, catalogue},
        schema,
    },
    error::AppError,
    store::{CanvasSummary, Store},
    sync::{RoomError, SyncService},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/canvases", get(list).post(create))
        .route("/api/canvases/{id}", get(read))
        .route("/api/regelingen", get(regulations))
}

/// The catalogue of regulations for legitimiteit.
async fn regulations() -> Json<&'static [Regulation]> {
    Json(catalogue())
}

#[derive(Deserialize)]
struct NewCanvas {
    label: String,
}

async fn create(
    State(store): State<Arc<dyn Store>>,
    body: Result<Json<NewCanvas>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let Json(new) = body.map_err(|_| {
        AppError::Invalid(
            "Stuur JSON met een veld \"label\", bijvoorbeeld {\"label\": \"Casus T-17\"}.".into(),
        )
    })?;
    let label =
        AnonymousLabel::parse(&new.label).map_err(|error| AppError::Invalid(error.to_string()))?;
    let id = CanvasId::random();
    store
        .create_canvas(&id, label.as_str(), &schema::initialize(label.as_str()))
        .await?;
    tracing::info!(canvas_id = %id, "canvas created");
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id.as_str(), "label": label.as_str() })),
    ))
}

async fn list(State(store): State<Arc<dyn Store>>) -> Result<Json<Vec<CanvasSummary>>, AppError> {
    Ok(Json(store.list_canvases().await?))
}

async fn read(
    State(sync): State<Arc<SyncService>>,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let id: CanvasId = id.parse().map_err(|_| AppError::NotFound)?;
    let content = sync.content(&id).await.map_err(|error| match error {
        RoomError::NotFound => AppError::NotFound,
        other => AppError::Room(other),
    })?;
    let mut body = serde_json::to_value(content).map_err(|_| AppError::Room(RoomError::Damaged))?;
    body["id"] = json!(id.as_str());
    Ok(Json(body))
}
