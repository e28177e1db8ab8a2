//! The HTML pages: `GET /` (canvasoverzicht), `POST /canvases` (the new-canvas form) and
//! `GET /canvases/{id}` (the canvas).

use std::collections::HashMap;

use axum::{
    Extension, Form, Router,
    extract::{Path, Query, State, rejection::QueryRejection},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::html;
use serde::Deserialize;

use super::{budget, canvas_page, permitted};
use crate::{
    access::policy::EscalationLevel,
    access::workspace,
    audit::Event,
    auth::Viewer,
    error::AppError,
    format::dutch_date,
    http::middleware::csp::CspNonce,
    ids::TeamId,
    services::canvases,
    state::AppState,
    store::{AuditEntry, now_millis},
    views::SignedIn,
    views::{
        self, components,
        overview::{ListQuery, Listing, NewCanvasForm, Row, TeamBudget},
        workflow::days_between,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(overview))
        .route("/canvases", post(create))
        .route("/canvases/{id}", get(canvas))
        .route("/canvases/{id}/naam", post(rename))
}

/// What the overview needs besides the form: visible canvases, the teams to start one in and
/// the budgets of the viewer's teams.
struct Overview {
    rows: Vec<Row>,
    teams: Vec<(TeamId, String)>,
    budgets: Vec<TeamBudget>,
}

async fn gather(state: &AppState, viewer: &Viewer) -> Result<Overview, AppError> {
    let presence = &state.sync.context().presence;
    let now = now_millis();
    let waiting: HashMap<String, (EscalationLevel, i64)> = state
        .workflow
        .open_escalations()
        .await?
        .into_iter()
        .map(|row| {
            let e = row.escalation;
            (e.canvas_id, (e.to_level, days_between(e.escalated_at, now)))
        })
        .collect();
    let canvases = permitted::visible(viewer, state.canvases.list_canvases().await?);
    let rows = canvases
        .into_iter()
        .map(|canvas| Row {
            present: presence.names(&canvas.id),
            waiting: waiting.get(&canvas.id).copied(),
            canvas,
        })
        .collect();
    let creatable = canvases::creatable_teams(viewer);
    let all_teams = state.directory.teams().await?;
    let teams = all_teams
        .iter()
        .filter(|team| creatable.contains(&team.id))
        .map(|team| (team.id, format!("{} ({})", team.name, team.gemeente)))
        .collect();
    let year = dutch_date(now)[..4].parse().unwrap_or(2026);
    let mut budgets = Vec::new();
    for team in &all_teams {
        if workspace::may_see_budget(&viewer.policy, team.id) {
            budgets.push(TeamBudget {
                team_id: team.id,
                team: team.name.clone(),
                year,
                totals: budget::year_totals(state, team.id, year).await?,
            });
        }
    }
    Ok(Overview {
        rows,
        teams,
        budgets,
    })
}

async fn overview(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<maud::Markup, AppError> {
    // A query string that does not parse narrows nothing, rather than answering 400.
    let query = query.map(|Query(query)| query).unwrap_or_default();
    let overview = gather(&state, &viewer).await?;
    let form = NewCanvasForm {
        budgets: &overview.budgets,
        signal_days: state.settings.escalation_signal_days,
        teams: &overview.teams,
        error: None,
        label: "",
    };
    Ok(overview_page(&viewer, overview.rows, &query, &form, &nonce))
}

/// The overview with its list narrowed and ordered by `query`.
fn overview_page(
    viewer: &SignedIn,
    rows: Vec<Row>,
    query: &ListQuery,
    form: &NewCanvasForm,
    nonce: &CspNonce,
) -> maud::Markup {
    let total = rows.len();
    let mut teams: Vec<String> = rows.iter().map(|row| row.canvas.team.clone()).collect();
    teams.sort();
    teams.dedup();
    teams.retain(|team| !team.is_empty());
    let rows = query.apply(rows);
    let listing = Listing {
        rows: &rows,
        total,
        teams: teams.iter().map(String::as_str).collect(),
        query,
        now: now_millis(),
    };
    views::overview::page(viewer, &listing, form, &nonce.0)
}

#[derive(Deserialize)]
struct NewCanvasFields {
    #[serde(default)]
    label: String,
    team: Option<TeamId>,
}

async fn create(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Form(fields): Form<NewCanvasFields>,
) -> Result<Response, AppError> {
    let created = canvases::create(state.database.as_ref(), &viewer, &fields.label, fields.team)
        .await
        .map_err(AppError::from);
    match created {
        Ok((id, _)) => Ok(Redirect::to(&format!("/canvases/{id}")).into_response()),
        Err(AppError::Invalid(message) | AppError::Forbidden(message)) => {
            let overview = gather(&state, &viewer).await?;
            let form = NewCanvasForm {
                budgets: &overview.budgets,
                signal_days: state.settings.escalation_signal_days,
                teams: &overview.teams,
                error: Some(&message),
                label: &fields.label,
            };
            let page = overview_page(&viewer, overview.rows, &ListQuery::default(), &form, &nonce);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
        }
        Err(other) => Err(other),
    }
}

async fn canvas(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let canvas = match permitted::readable(state.canvases.as_ref(), &viewer, &id).await {
        Ok(canvas) => canvas,
        Err(AppError::NotFound) => return Ok(not_found(&viewer, &id, &nonce)),
        Err(other) => return Err(other),
    };
    let page = match canvas_page::canvas_page(&state, &viewer, &canvas, None, &nonce).await {
        Ok(page) => page,
        Err(AppError::NotFound) => return Ok(not_found(&viewer, &id, &nonce)),
        Err(other) => return Err(other),
    };
    state
        .audit
        .record(
            Event::CanvasOpened,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(canvas.facts.team),
                canvas_id: Some(canvas.id.to_string()),
                ..AuditEntry::default()
            },
        )
        .await;
    Ok(page.into_response())
}

#[derive(Deserialize)]
struct RenameFields {
    #[serde(default)]
    label: String,
}

/// The rename form under the canvas's title; a refusal is a Dutch error page.
async fn rename(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(fields): Form<RenameFields>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.canvases.as_ref(), &viewer, &id).await?;
    canvases::rename(state.database.as_ref(), &viewer, &canvas, &fields.label).await?;
    Ok(Redirect::to(&format!("/canvases/{}", canvas.id.as_str())).into_response())
}

/// The same page for a canvas that does not exist and one the viewer may not see; it also tells
/// the browser to delete any offline copy of that canvas.
fn not_found(viewer: &SignedIn, id: &str, nonce: &CspNonce) -> Response {
    let page = views::layout(
        "Niet gevonden",
        &nonce.0,
        html! {
            (components::topbar(Some(viewer), false))
            // Only a real canvas id: the page removes copies by it.
            main data-forget-canvas=[id.parse::<crate::canvas::CanvasId>().ok().map(|id| id.to_string())] {
                h1 { "Niet gevonden" }
                p { "Dit canvas bestaat niet, of je hebt er geen toegang toe. " a href="/" { "Terug naar het canvasoverzicht" } }
            }
        },
    );
    (StatusCode::NOT_FOUND, page).into_response()
}
