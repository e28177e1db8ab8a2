//! `GET /audit`: the audit log, newest first; `GET /audit.csv` the same as CSV. Aanjagers see
//! their teams' entries, beheerders everything; others get 403.

use std::sync::Arc;

use axum::{
    Extension, Router,
    extract::State,
    http::{HeaderValue, header},
    response::{IntoResponse, Response},
    routing::get,
};
use maud::Markup;

use crate::{
    access::workspace::{self, AuditScope},
    audit::{Audit, Event},
    auth::Viewer,
    error::AppError,
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
    let rows = entries(directory.as_ref(), &viewer, CSV_LIMIT).await?;
    audit
        .record_export(AuditEntry {
            account_id: Some(viewer.account.id),
            detail: format!("auditlog als CSV ({} regels)", rows.len()),
            ..AuditEntry::default()
        })
        .await?;
    let mut out =
        String::from("id;tijdstip_utc_ms;account;team;canvas;gebeurtenis;omschrijving;details\r\n");
    for row in &rows {
        let fields = [
            row.id.to_string(),
            row.at.to_string(),
            row.account.clone().unwrap_or_default(),
            row.team.clone().unwrap_or_default(),
            row.canvas_id.clone().unwrap_or_default(),
            row.event.clone(),
            Event::dutch_for_code(&row.event).to_owned(),
            row.detail.clone(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(";"));
        out.push_str("\r\n");
    }
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"auditlog.csv\""),
            ),
        ],
        out,
    )
        .into_response())
}

/// A CSV field (semicolon-separated, as Dutch spreadsheets expect), quoted when needed. A field
/// that a spreadsheet would run as a formula is prefixed with a quote.
pub fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([';', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("gewoon"), "gewoon");
        assert_eq!(csv_field("a;b"), "\"a;b\"");
        assert_eq!(csv_field("zei \"ja\""), "\"zei \"\"ja\"\"\"");
        assert_eq!(csv_field("=SOM(A1)"), "'=SOM(A1)");
    }
}
