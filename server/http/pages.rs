//! The HTML pages: `GET /` (canvasoverzicht), `POST /canvases` (the new-canvas form) and
//! `GET /canvases/{id}` (the canvas).

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::{Markup, html};
use serde::Deserialize;

use crate::{
    app::AppState,
    canvas::{AnonymousLabel, CanvasId, schema},
    error::AppError,
    http::csp::CspNonce,
    store::Store,
    sync::{RoomError, SyncService},
    views::{self, components, overview::Row},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/canvases", post(create))
        .route("/canvases/{id}", get(canvas))
}

async fn overview(
    State(store): State<Arc<dyn Store>>,
    State(sync): State<Arc<SyncService>>,
    Extension(nonce): Extension<CspNonce>,
) -> Result<Markup, AppError> {
    let rows = rows(store.as_ref(), &sync).await?;
    Ok(views::overview::page(&rows, None, "", &nonce.0))
}

/// The overview's lines: stored summaries plus who is present now.
async fn rows(store: &dyn Store, sync: &SyncService) -> Result<Vec<Row>, AppError> {
    let presence = &sync.context().presence;
    let canvases = store.list_canvases().await?;
    Ok(canvases
        .into_iter()
        .map(|canvas| Row {
            present: presence.names(&canvas.id),
            canvas,
        })
        .collect())
}

#[derive(Deserialize)]
struct NewCanvasForm {
    #[serde(default)]
    label: String,
}

async fn create(
    State(store): State<Arc<dyn Store>>,
    State(sync): State<Arc<SyncService>>,
    Extension(nonce): Extension<CspNonce>,
    Form(form): Form<NewCanvasForm>,
) -> Result<Response, AppError> {
    match AnonymousLabel::parse(&form.label) {
        Ok(label) => {
            let id = CanvasId::random();
            store
                .create_canvas(&id, label.as_str(), &schema::initialize(label.as_str()))
                .await?;
            tracing::info!(canvas_id = %id, "canvas created");
            Ok(Redirect::to(&format!("/canvases/{id}")).into_response())
        }
        Err(error) => {
            let page = views::overview::page(
                &rows(store.as_ref(), &sync).await?,
                Some(&error.to_string()),
                &form.label,
                &nonce.0,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
    }
}

async fn canvas(
    State(sync): State<Arc<SyncService>>,
    Extension(nonce): Extension<CspNonce>,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let Ok(id) = id.parse::<CanvasId>() else {
        return Ok(not_found(&nonce));
    };
    match sync.content(&id).await {
        Ok(content) => Ok(views::canvas::page(&id, &content, &nonce.0).into_response()),
        Err(RoomError::NotFound) => Ok(not_found(&nonce)),
        Err(error) => Err(AppError::Room(error)),
    }
}

fn not_found(nonce: &CspNonce) -> Response {
    let page = views::layout(
        "Niet gevonden",
        &nonce.0,
        html! {
            (components::topbar(false))
            main { h1 { "Niet gevonden" } p { "Dit canvas bestaat niet. " a href="/" { "Terug naar het canvasoverzicht" } } }
        },
    );
    (StatusCode::NOT_FOUND, page).into_response()
}
