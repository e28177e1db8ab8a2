//! `GET /audit`: the audit log, newest first; `GET /audit.csv` the same as CSV. Aanjagers see
//! their teams' entries, beheerders everything; others get 403.

use std::sync::Arc;

use axum::{Extension, Router, extract::State, response::Response, routing::get};
use maud::Markup;

use super::download::{self, Download};
use crate::{
    access::workspace::{self, AuditScope},
    audit::{Audit, Event},
    auth::Viewer,
    error::AppError,
    export::{Cell, Table},
    http::middleware::csp::CspNonce,
    ids::TeamId,
    state::AppState,
    store::{AuditEntry, AuditRow, Directory},
    views,
    views::SignedIn,
};

/// Entries shown on the page; the CSV holds up to [`CSV_LIMIT`].
const PAGE_LIMIT: i64 = 500;
const CSV_LIMIT: i64 = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit", get(page))
        .route("/audit.csv", get(csv))
        .route("/audit.xlsx", get(xlsx))
}

/// Whose entries the viewer may read: `None` for all (a beheerder), else their aanjager teams.
fn scope(viewer: &Viewer) -> Result<Option<Vec<TeamId>>, AppError> {
    match workspace::audit_scope(&viewer.policy) {
        Some(AuditScope::All) => Ok(None),
        Some(AuditScope::Teams(teams)) => Ok(Some(teams)),
        None => Err(AppError::Forbidden(
            "Het auditlog is er voor aanjagers (van hun team) en beheerders.".into(),
        )),
    }
}

async fn entries(
    directory: &dyn Directory,
    viewer: &Viewer,
    limit: i64,
) -> Result<Vec<AuditRow>, AppError> {
    let scope = scope(viewer)?;
    Ok(directory.audit_entries(scope.as_deref(), limit).await?)
}

async fn page(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<Markup, AppError> {
    let rows = entries(directory.as_ref(), &viewer, PAGE_LIMIT).await?;
    Ok(views::audit::page(&viewer, &rows, &nonce.0))
}

async fn csv(
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    audit_download(directory.as_ref(), &audit, &viewer, Download::Csv).await
}

async fn xlsx(
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    viewer: Viewer,
) -> Result<Response, AppError> {
    audit_download(directory.as_ref(), &audit, &viewer, Download::Xlsx).await
}

/// The entries the viewer may read as a file, recorded before it is served.
async fn audit_download(
    directory: &dyn Directory,
    audit: &Audit,
    viewer: &Viewer,
    format: Download,
) -> Result<Response, AppError> {
    let rows = entries(directory, viewer, CSV_LIMIT).await?;
    audit
        .record_export(AuditEntry {
            account_id: Some(viewer.account.id),
            detail: format!("auditlog als {} ({} regels)", format.name(), rows.len()),
            ..AuditEntry::default()
        })
        .await?;
    let table = Table {
        header: &[
            "id",
            "tijdstip",
            "tijdstip_utc_ms",
            "account",
            "team",
            "canvas",
            "gebeurtenis",
            "omschrijving",
            "details",
        ],
        rows: rows
            .iter()
            .map(|row| {
                vec![
                    Cell::Int(row.id),
                    Cell::Time(row.at),
                    Cell::Int(row.at),
                    Cell::Text(row.account.as_deref().unwrap_or_default()),
                    Cell::Text(row.team.as_deref().unwrap_or_default()),
                    Cell::Text(row.canvas_id.as_deref().unwrap_or_default()),
                    Cell::Text(&row.event),
                    Cell::Text(Event::dutch_for_code(&row.event)),
                    Cell::Text(&row.detail),
                ]
            })
            .collect(),
    };
    download::respond(&table, format, "auditlog", "Auditlog")
}
