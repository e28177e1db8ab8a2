//! A canvas's history over HTTP, with the same policy as the canvas itself (404 for who may not
//! read it): `GET /api/canvases/{id}/versies`, `…/versies/{versie}`, `…/verschil?van=&tot=`
//! as JSON; `GET /canvases/{id}/geschiedenis`, `…/versies/{versie}` (read-only) and
//! `…/verschil` as pages; `POST /canvases/{id}/versies` saves one by hand. Reading a version or
//! a difference is recorded as an export, like reading the canvas.

use axum::{
    Extension, Form, Json, Router,
    extract::{Path, Query, State},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{
    access::workspace,
    error::AppError,
    http::{middleware::csp::CspNonce, permitted},
    ids::VersionId,
    services::{
        redaction,
        versions::{self, Side},
    },
    state::AppState,
    sync::RoomError,
    views::{self, SignedIn, canvas::CanvasView},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/canvases/{id}/versies", get(list_json))
        .route("/api/canvases/{id}/versies/{versie}", get(version_json))
        .route("/api/canvases/{id}/verschil", get(difference_json))
        .route("/canvases/{id}/geschiedenis", get(history))
        .route("/canvases/{id}/versies", axum::routing::post(save))
        .route("/canvases/{id}/versies/{versie}", get(version_page))
        .route(
            "/canvases/{id}/versies/{versie}/schrappen",
            axum::routing::post(redact),
        )
        .route("/canvases/{id}/verschil", get(difference_page))
}

async fn export(
    state: &AppState,
    viewer: &SignedIn,
    canvas: &permitted::Permitted,
    detail: String,
) -> Result<(), AppError> {
    state
        .audit
        .record_canvas_export(viewer.account.id, canvas.facts.team, &canvas.id, detail)
        .await?;
    Ok(())
}

async fn list_json(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let list: Vec<Value> = state
        .versions
        .versions(&canvas.id)
        .await?
        .into_iter()
        .map(|v| json!({ "id": v.id, "kind": v.kind, "name": v.name, "created_at": v.created_at }))
        .collect();
    Ok(Json(Value::Array(list)))
}

async fn version_json(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path((id, version)): Path<(String, VersionId)>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let (_, content) = versions::content(&state, &canvas, version).await?;
    let mut body = serde_json::to_value(content).map_err(|_| AppError::Room(RoomError::Damaged))?;
    body["id"] = json!(canvas.id.as_str());
    export(
        &state,
        &viewer,
        &canvas,
        format!("versie {version} als JSON"),
    )
    .await?;
    Ok(Json(body))
}

#[derive(Deserialize)]
struct Between {
    van: Option<String>,
    tot: Option<String>,
}

fn sides(query: &Between) -> Result<(Side, Side), AppError> {
    let side = |raw: &Option<String>, default: &str| {
        Side::parse(raw.as_deref().unwrap_or(default)).ok_or_else(|| {
            AppError::Invalid("Vergelijk een versienummer, vorig-overleg of nu.".into())
        })
    };
    Ok((side(&query.van, "vorig-overleg")?, side(&query.tot, "nu")?))
}

async fn difference_json(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<Between>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let (from, to) = sides(&query)?;
    let difference = versions::difference(&state, &canvas, from, to).await?;
    export(
        &state,
        &viewer,
        &canvas,
        "verschil tussen versies als JSON".into(),
    )
    .await?;
    Ok(Json(
        serde_json::to_value(difference).map_err(|_| AppError::Room(RoomError::Damaged))?,
    ))
}

async fn history(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<maud::Markup, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let label = state.sync.label(&canvas.id).await?;
    let list = state.versions.versions(&canvas.id).await?;
    Ok(views::versions::history(
        &viewer,
        &canvas.id,
        &label,
        &list,
        canvas.access.may_edit(),
        &nonce.0,
    ))
}

#[derive(Deserialize)]
struct SaveForm {
    #[serde(default)]
    naam: String,
}

async fn save(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<SaveForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    versions::save_by_hand(&state, &viewer, &canvas, &form.naam).await?;
    Ok(Redirect::to(&format!("/canvases/{}/geschiedenis", canvas.id)).into_response())
}

/// After a redaction: where it was, and whether the live canvas still holds it (`live=1`).
#[derive(Debug, Default, Deserialize)]
struct AfterRedaction {
    geschrapt: Option<String>,
    live: Option<String>,
}

async fn version_page(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, version)): Path<(String, VersionId)>,
    Query(after): Query<AfterRedaction>,
) -> Result<maud::Markup, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let (row, content) = versions::content(&state, &canvas, version).await?;
    export(&state, &viewer, &canvas, format!("versie {version}")).await?;
    // The aanjager sees what the anonymity rule finds in the copy, to take it out.
    let redaction = workspace::may_redact(&viewer.policy, canvas.facts.team).then(|| {
        views::versions::redaction(
            &viewer,
            &canvas.id,
            version,
            &redaction::findings(&content),
            after.geschrapt.as_deref(),
            after.live.as_deref() == Some("1"),
        )
    });
    let view = CanvasView {
        meeting: None,
        history: true,
        id: &canvas.id,
        content: &content,
        read_only: true,
        live: false,
        banner: Some(maud::html! {
            (views::versions::banner(&canvas.id, &row))
            @if let Some(panel) = redaction { (panel) }
        }),
        workflow: None,
        may_rename: false,
        status: None,
    };
    Ok(views::canvas::page(&viewer, &view, &nonce.0))
}

#[derive(Debug, Deserialize)]
struct RedactForm {
    sleutel: String,
}

/// `POST /canvases/{id}/versies/{versie}/schrappen` (`sleutel`: the finding): the aanjager
/// replaces it by "[verwijderd]" in this stored copy.
async fn redact(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path((id, version)): Path<(String, VersionId)>,
    Form(form): Form<RedactForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let done = redaction::redact(
        &state,
        &viewer.policy,
        viewer.account.id,
        &canvas,
        version,
        &form.sleutel,
    )
    .await?;
    let live = if done.still_live { "1" } else { "0" };
    Ok(Redirect::to(&format!(
        "/canvases/{}/versies/{version}?geschrapt={}&live={live}",
        canvas.id.as_str(),
        done.anchor
    ))
    .into_response())
}

async fn difference_page(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<Between>,
) -> Result<maud::Markup, AppError> {
    let canvas = permitted::history(state.canvases.as_ref(), &viewer, &id).await?;
    let (from, to) = sides(&query)?;
    let difference = versions::difference(&state, &canvas, from, to).await?;
    export(&state, &viewer, &canvas, "verschil tussen versies".into()).await?;
    let list = state.versions.versions(&canvas.id).await?;
    let name = |side: Side| match side {
        Side::Now => "nu".to_owned(),
        Side::LastMeeting => list
            .iter()
            .rev()
            .find(|v| v.kind == crate::store::versions::VersionKind::Overleg)
            .map_or_else(|| "het vorige overleg".to_owned(), |v| v.name.clone()),
        Side::Version(v) => list
            .iter()
            .find(|r| r.id == v)
            .map_or_else(|| v.to_string(), |r| r.name.clone()),
    };
    let label = state.sync.label(&canvas.id).await?;
    Ok(views::versions::difference(
        &viewer,
        &canvas.id,
        &label,
        &name(from),
        &name(to),
        &difference,
        &nonce.0,
    ))
}
