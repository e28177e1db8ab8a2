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
use maud::html;
use serde::Deserialize;

use super::{
    canvases::create_canvas,
    permitted::{self, creatable_teams},
};
use crate::{
    app::AppState,
    audit::{Audit, Event},
    auth::Viewer,
    error::AppError,
    http::csp::CspNonce,
    store::{Directory, Store, directory::AuditEntry},
    sync::{RoomError, SyncService},
    views::{
        self, components,
        overview::{NewCanvasForm, Row},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/canvases", post(create))
        .route("/canvases/{id}", get(canvas))
}

/// What the overview needs besides the form: visible canvases and the teams to start one in.
struct Overview {
    rows: Vec<Row>,
    teams: Vec<(i64, String)>,
}

async fn gather(
    store: &dyn Store,
    directory: &dyn Directory,
    sync: &SyncService,
    viewer: &Viewer,
) -> Result<Overview, AppError> {
    let presence = &sync.context().presence;
    let canvases = permitted::visible(viewer, store.list_canvases().await?);
    let rows = canvases
        .into_iter()
        .map(|canvas| Row {
            present: presence.names(&canvas.id),
            canvas,
        })
        .collect();
    let creatable = creatable_teams(viewer);
    let teams = directory
        .teams()
        .await?
        .into_iter()
        .filter(|team| creatable.contains(&team.id))
        .map(|team| (team.id, format!("{} ({})", team.name, team.gemeente)))
        .collect();
    Ok(Overview { rows, teams })
}

async fn overview(
    State(store): State<Arc<dyn Store>>,
    State(directory): State<Arc<dyn Directory>>,
    State(sync): State<Arc<SyncService>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
) -> Result<maud::Markup, AppError> {
    let overview = gather(store.as_ref(), directory.as_ref(), &sync, &viewer).await?;
    let form = NewCanvasForm {
        teams: &overview.teams,
        error: None,
        label: "",
    };
    Ok(views::overview::page(
        &viewer,
        &overview.rows,
        &form,
        &nonce.0,
    ))
}

#[derive(Deserialize)]
struct NewCanvasFields {
    #[serde(default)]
    label: String,
    team: Option<i64>,
}

async fn create(
    State(store): State<Arc<dyn Store>>,
    State(directory): State<Arc<dyn Directory>>,
    State(sync): State<Arc<SyncService>>,
    State(audit): State<Arc<Audit>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Form(fields): Form<NewCanvasFields>,
) -> Result<Response, AppError> {
    match create_canvas(store.as_ref(), &audit, &viewer, &fields.label, fields.team).await {
        Ok((id, _)) => Ok(Redirect::to(&format!("/canvases/{id}")).into_response()),
        Err(AppError::Invalid(message) | AppError::Forbidden(message)) => {
            let overview = gather(store.as_ref(), directory.as_ref(), &sync, &viewer).await?;
            let form = NewCanvasForm {
                teams: &overview.teams,
                error: Some(&message),
                label: &fields.label,
            };
            let page = views::overview::page(&viewer, &overview.rows, &form, &nonce.0);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn canvas(
    State(store): State<Arc<dyn Store>>,
    State(sync): State<Arc<SyncService>>,
    State(audit): State<Arc<Audit>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let canvas = match permitted::readable(store.as_ref(), &viewer, &id).await {
        Ok(canvas) => canvas,
        Err(AppError::NotFound) => return Ok(not_found(&viewer, &nonce)),
        Err(other) => return Err(other),
    };
    let content = match sync.content(&canvas.id).await {
        Ok(content) => content,
        Err(RoomError::NotFound) => return Ok(not_found(&viewer, &nonce)),
        Err(error) => return Err(AppError::Room(error)),
    };
    audit
        .record(
            Event::CanvasOpened,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(canvas.facts.team.0),
                canvas_id: Some(canvas.id.to_string()),
                ..AuditEntry::default()
            },
        )
        .await;
    let read_only = !canvas.access.may_edit();
    Ok(views::canvas::page(&viewer, &canvas.id, &content, read_only, &nonce.0).into_response())
}

/// The same page for a canvas that does not exist and one the viewer may not see.
fn not_found(viewer: &Viewer, nonce: &CspNonce) -> Response {
    let page = views::layout(
        "Niet gevonden",
        &nonce.0,
        html! {
            (components::topbar(Some(viewer), false))
            main {
                h1 { "Niet gevonden" }
                p { "Dit canvas bestaat niet, of je hebt er geen toegang toe. " a href="/" { "Terug naar het canvasoverzicht" } }
            }
        },
    );
    (StatusCode::NOT_FOUND, page).into_response()
}
