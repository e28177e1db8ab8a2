//! The leeragenda: `POST /teams/{team}/leeragenda` adds a leerpunt or veranderactie,
//! `POST /leeragenda/{id}/status` moves one on (`status`: open, bezig, klaar). Both go back to
//! the team's lerend-evalueren dashboard, where the leeragenda is shown.

use std::collections::HashMap;

use axum::{
    Form, Router,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};

use crate::{
    auth::Viewer, error::AppError, ids::TeamId, services::learning_agenda, state::AppState,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams/{team}/leeragenda", post(add))
        .route("/leeragenda/{id}/status", post(status))
}

fn back(team: TeamId) -> Response {
    Redirect::to(&format!(
        "/lerend-evalueren?niveau=team&id={}#leeragenda",
        team.0
    ))
    .into_response()
}

async fn add(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(team): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let team = TeamId(team);
    learning_agenda::add(&state, &viewer.policy, team, &form).await?;
    Ok(back(team))
}

async fn status(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let status = form.get("status").map(String::as_str).unwrap_or_default();
    let team = learning_agenda::set_status(&state, &viewer.policy, id, status).await?;
    Ok(back(team))
}
