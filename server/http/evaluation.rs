//! `GET /lerend-evalueren`: the lerend-evalueren dashboard (`niveau` = team, gemeente,
//! provincie or land, with `id`; `halfjaar` = `2026-2`; the choice form sends them together as
//! `dashboard`), and `GET /lerend-evalueren.csv?…&tabel=…`: one of its tables as CSV, audited.
//! Without a choice the viewer's first dashboard and the current half-year.

use axum::{
    Extension, Router,
    extract::{Query, State},
    response::Response,
    routing::get,
};
use maud::Markup;
use serde::Deserialize;

use super::download::{self, Download};
use crate::{
    audit::Audit,
    auth::Viewer,
    error::AppError,
    export::{Cell, Table},
    http::middleware::csp::CspNonce,
    services::{
        evaluation::{self, Dashboard, HalfYear, Scope},
        learning_agenda,
    },
    state::AppState,
    store::{AuditEntry, now_millis},
    views::{self, SignedIn},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lerend-evalueren", get(page))
        .route("/lerend-evalueren.csv", get(csv))
}

#[derive(Debug, Default, Deserialize)]
struct Params {
    niveau: Option<String>,
    id: Option<String>,
    /// `niveau=…&id=…` as one value, from the choice form.
    dashboard: Option<String>,
    halfjaar: Option<String>,
    tabel: Option<String>,
}

/// The dashboard the parameters ask for, or the viewer's first one.
async fn load(state: &AppState, viewer: &Viewer, p: &Params) -> Result<Dashboard, AppError> {
    let (mut level, mut id) = (p.niveau.clone(), p.id.clone());
    if let Some(choice) = &p.dashboard {
        for (k, v) in form_urlencoded::parse(choice.as_bytes()) {
            match k.as_ref() {
                "niveau" => level = Some(v.into_owned()),
                "id" => id = Some(v.into_owned()),
                _ => {}
            }
        }
    }
    let scope = match level.as_deref() {
        None => evaluation::scopes(state, &viewer.policy)
            .await?
            .into_iter()
            .next()
            .map(|(s, _)| s)
            .ok_or_else(|| {
                AppError::Forbidden(
                    "Lerend evalueren is er voor wie in een doorbraakteam werkt, voor \
                     doorbraakcoaches en voor PMM."
                        .into(),
                )
            })?,
        Some(level) => {
            Scope::from_query(level, id.as_deref().unwrap_or_default()).ok_or_else(|| {
                AppError::Invalid("Kies een team, gemeente, provincie of het land.".into())
            })?
        }
    };
    let half = match p.halfjaar.as_deref().filter(|h| !h.is_empty()) {
        None => HalfYear::of(now_millis()),
        Some(code) => HalfYear::parse(code).ok_or_else(|| {
            AppError::Invalid(
                "Een halfjaar schrijf je als jjjj-1 of jjjj-2, bijvoorbeeld 2026-2.".into(),
            )
        })?,
    };
    Ok(evaluation::dashboard(state, &viewer.policy, scope, half).await?)
}

async fn page(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Query(params): Query<Params>,
) -> Result<Markup, AppError> {
    let dashboard = load(&state, &viewer, &params).await?;
    let scopes = evaluation::scopes(&state, &viewer.policy).await?;
    let agenda = match &dashboard.scope {
        Scope::Team(team) => Some(learning_agenda::view(&state, &viewer.policy, *team).await?),
        _ => None,
    };
    Ok(views::evaluation::page(
        &viewer,
        &dashboard,
        &scopes,
        agenda.map(|a| views::learning_agenda::section(&viewer, &a)),
        &nonce.0,
    ))
}

async fn csv(
    State(state): State<AppState>,
    State(audit): State<std::sync::Arc<Audit>>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let dashboard = load(&state, &viewer, &params).await?;
    let key = params.tabel.as_deref().unwrap_or_default();
    let table = views::evaluation::tables(&dashboard)
        .into_iter()
        .find(|t| t.key == key)
        .ok_or_else(|| AppError::Invalid("Deze tabel bestaat niet op het dashboard.".into()))?;
    audit
        .record_export(AuditEntry {
            account_id: Some(viewer.account.id),
            detail: format!(
                "lerend evalueren als CSV: {}, {}, {}",
                dashboard.name,
                dashboard.half.dutch(),
                table.title
            ),
            ..AuditEntry::default()
        })
        .await?;
    let texts: Vec<Vec<String>> = table
        .rows
        .iter()
        .map(|r| r.iter().map(|v| v.text()).collect())
        .collect();
    let header: Vec<&str> = table.columns.iter().map(String::as_str).collect();
    let out = Table {
        header: &header,
        rows: table
            .rows
            .iter()
            .zip(&texts)
            .map(|(row, text)| {
                row.iter()
                    .zip(text)
                    .map(|(v, t)| v.cell(t))
                    .collect::<Vec<Cell<'_>>>()
            })
            .collect(),
    };
    download::respond(
        &out,
        Download::Csv,
        &format!("lerend-evalueren-{}-{}", dashboard.half.code(), table.key),
        "Lerend evalueren",
    )
}
