//! `GET /coach`: the coach dashboard (open escalations of the coach's province, across its
//! gemeenten, live); `GET /pmm`: PMM's inbox; `GET /meldingen`: the viewer's notifications.

use std::{collections::HashSet, convert::Infallible};

use axum::{
    Extension, Router,
    extract::{Query, State},
    response::sse::{Event as SseEvent, Sse},
    routing::get,
};
use futures_util::Stream;
use maud::Markup;
use serde::Deserialize;

use super::workflow::{changes, register_stream};
use crate::{
    access::policy::{self, EscalationLevel},
    access::workspace,
    auth::Viewer,
    error::AppError,
    http::middleware::csp::CspNonce,
    ids::ProvinceId,
    state::AppState,
    store::{now_millis, workflow::OpenEscalationRow},
    views::SignedIn,
    views::dashboards::{self, Sort},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/coach", get(coach))
        .route("/coach/tabel", get(coach_table))
        .route("/coach/gebeurtenissen", get(coach_events))
        .route("/pmm", get(pmm))
        .route("/meldingen", get(notifications))
}

/// The provinces the viewer coaches; 403 for anyone who coaches none.
fn coached(viewer: &Viewer) -> Result<HashSet<ProvinceId>, AppError> {
    let provinces: HashSet<ProvinceId> = workspace::coached_provinces(&viewer.policy)
        .into_iter()
        .collect();
    if provinces.is_empty() {
        return Err(AppError::Forbidden(
            "Het coachdashboard is er voor doorbraakcoaches.".into(),
        ));
    }
    Ok(provinces)
}

#[derive(Deserialize)]
struct DashboardQuery {
    sorteer: Option<String>,
}

/// Open escalations of the provinces at the coach's level or higher: the canvases a coach may
/// see (below coach level they are the team's and the directie's business).
async fn coach_rows(
    state: &AppState,
    provinces: &HashSet<ProvinceId>,
    sort: Sort,
) -> Result<Vec<OpenEscalationRow>, AppError> {
    let mut rows: Vec<OpenEscalationRow> = state
        .workflow
        .open_escalations()
        .await?
        .into_iter()
        .filter(|row| {
            provinces.contains(&row.province_id)
                && row.escalation.to_level >= EscalationLevel::Coach
        })
        .collect();
    sort.apply(&mut rows);
    Ok(rows)
}

async fn table(
    state: &AppState,
    viewer: &Viewer,
    query: &DashboardQuery,
) -> Result<Markup, AppError> {
    let provinces = coached(viewer)?;
    let sort = Sort::from_code(query.sorteer.as_deref());
    let rows = coach_rows(state, &provinces, sort).await?;
    Ok(dashboards::coach_table(
        &rows,
        sort,
        now_millis(),
        state.settings.escalation_signal_days,
    ))
}

async fn coach(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Query(query): Query<DashboardQuery>,
) -> Result<Markup, AppError> {
    let table = table(&state, &viewer, &query).await?;
    let provinces = coached(&viewer)?;
    let names: Vec<String> = state
        .directory
        .provinces()
        .await?
        .into_iter()
        .filter(|p| provinces.contains(&p.id))
        .map(|p| p.name)
        .collect();
    Ok(dashboards::coach_page(&viewer, &names, table, &nonce.0))
}

/// The dashboard's table alone, for the live refresh.
async fn coach_table(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(query): Query<DashboardQuery>,
) -> Result<Markup, AppError> {
    table(&state, &viewer, &query).await
}

/// Server-sent events: `werkwijze` whenever a canvas of the coach's provinces changes.
async fn coach_events(
    State(state): State<AppState>,
    viewer: Viewer,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    coached(&viewer)?;
    let registration = register_stream(&state, &viewer, None);
    // Only canvases this coach may read: the same policy as every page and socket.
    let account = viewer.policy.clone();
    Ok(changes(&state, registration, move |change| {
        policy::canvas_access(&account, &change.facts).may_read()
    }))
}

async fn pmm(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<Markup, AppError> {
    if !workspace::may_use_pmm_inbox(&viewer.policy) {
        return Err(AppError::Forbidden("De PMM-inbox is er voor PMM.".into()));
    }
    let rows: Vec<OpenEscalationRow> = state
        .workflow
        .open_escalations()
        .await?
        .into_iter()
        .filter(|row| row.escalation.to_level == EscalationLevel::Pmm)
        .collect();
    let signal = state.settings.escalation_signal_days;
    Ok(dashboards::pmm_inbox(
        &viewer,
        &rows,
        now_millis(),
        signal,
        &nonce.0,
    ))
}

/// The notifications, newest first; opening the page marks them read.
async fn notifications(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    mut viewer: SignedIn,
) -> Result<Markup, AppError> {
    let rows = state.workflow.notifications(viewer.account.id).await?;
    state
        .workflow
        .mark_notifications_read(viewer.account.id)
        .await?;
    viewer.unread = 0;
    Ok(dashboards::notifications(&viewer, &rows, &nonce.0))
}
