//! `POST /api/canvases` creates a canvas; `GET /api/canvases` lists the canvases the caller may
//! see and `GET /api/canvases/{id}` returns one canvas's content, read through the canvas
//! schema; `PATCH /api/canvases/{id}` with `{"label": …}` renames it; `GET /api/regelingen` the
//! catalogue of regulations.
//!
//! The label lives in the canvas's record, not in its Yjs document, so that it changes only
//! through [`rename_canvas`], which checks it as at creation: the overview, notifications and
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

use super::permitted::{self, Permitted, creatable_teams};
use crate::{
    access::policy,
    audit::{Audit, Event},
    auth::Viewer,
    canvas::{
        AnonymousLabel, CanvasId,
        regulations::{Regulation, catalogue},
        schema,
    },
    error::AppError,
    ids::TeamId,
    state::AppState,
    store::{AuditEntry, CanvasOwner, CanvasSummary, Canvases},
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

/// Creates a canvas for `viewer` in `team` (or their only team) and records it.
pub async fn create_canvas(
    store: &dyn Canvases,
    audit: &Audit,
    viewer: &Viewer,
    label: &str,
    team: Option<TeamId>,
) -> Result<(CanvasId, AnonymousLabel), AppError> {
    let label =
        AnonymousLabel::parse(label).map_err(|error| AppError::Invalid(error.to_string()))?;
    let teams = creatable_teams(viewer);
    let team = match (team, teams.as_slice()) {
        (Some(team), _) if teams.contains(&team) => team,
        (Some(_), _) | (None, []) => {
            return Err(AppError::Forbidden(
                "Je mag in dit team geen canvas beginnen. Dat mogen de aanjager, de \
                 projectleider en de inbrenger."
                    .into(),
            ));
        }
        (None, [only]) => *only,
        (None, _) => return Err(AppError::Invalid("Kies het team van dit canvas.".into())),
    };
    let id = CanvasId::random();
    let owner = CanvasOwner {
        team,
        brought_in_by: viewer.account.id,
    };
    store
        .create_canvas(&id, label.as_str(), owner, &schema::initialize(), &[])
        .await?;
    tracing::info!(canvas_id = %id, "canvas created");
    audit
        .record(
            Event::CanvasCreated,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(team),
                canvas_id: Some(id.to_string()),
                ..AuditEntry::default()
            },
        )
        .await;
    Ok((id, label))
}

/// Gives a canvas the viewer may rename a new, anonymous label, and records it.
pub async fn rename_canvas(
    store: &dyn Canvases,
    audit: &Audit,
    viewer: &Viewer,
    canvas: &Permitted,
    raw: &str,
) -> Result<AnonymousLabel, AppError> {
    if canvas.facts.archived {
        return Err(AppError::Conflict(
            "Dit canvas is gearchiveerd: het is lesmateriaal en kan niet meer worden gewijzigd."
                .into(),
        ));
    }
    if !policy::may_rename(&viewer.policy, &canvas.facts) {
        return Err(AppError::Forbidden(
            "Alleen het team van dit canvas kan het een andere naam geven.".into(),
        ));
    }
    let label = AnonymousLabel::parse(raw).map_err(|error| AppError::Invalid(error.to_string()))?;
    store.rename_canvas(&canvas.id, label.as_str()).await?;
    audit
        .record(
            Event::CanvasRenamed,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(canvas.facts.team),
                canvas_id: Some(canvas.id.to_string()),
                detail: label.to_string(),
                ..AuditEntry::default()
            },
        )
        .await;
    Ok(label)
}

#[derive(Deserialize)]
struct Rename {
    label: String,
}

async fn rename(
    State(store): State<Arc<dyn Canvases>>,
    State(audit): State<Arc<Audit>>,
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
    let label = rename_canvas(store.as_ref(), &audit, &viewer, &canvas, &rename.label).await?;
    Ok(Json(
        json!({ "id": canvas.id.as_str(), "label": label.as_str() }),
    ))
}

async fn create(
    State(store): State<Arc<dyn Canvases>>,
    State(audit): State<Arc<Audit>>,
    viewer: Viewer,
    body: Result<Json<NewCanvas>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let Json(new) = body.map_err(|_| {
        AppError::Invalid(
            "Stuur JSON met een veld \"label\", bijvoorbeeld {\"label\": \"Casus T-17\"}.".into(),
        )
    })?;
    let (id, label) = create_canvas(store.as_ref(), &audit, &viewer, &new.label, new.team).await?;
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
        .record_export(AuditEntry {
            account_id: Some(viewer.account.id),
            team_id: Some(canvas.facts.team),
            canvas_id: Some(canvas.id.to_string()),
            detail: "JSON via de API".into(),
            ..AuditEntry::default()
        })
        .await?;
    Ok(Json(body))
}
