//! `GET /healthz` for load balancers and `GET /metrics` for Prometheus.

use std::sync::Arc;

use axum::{Router, extract::State, http::header, response::IntoResponse, routing::get};

use crate::{access::workspace, auth::Viewer, error::AppError, metrics::Metrics, state::AppState};

/// `/healthz`, which answers without an account.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/healthz", get(healthz))
}

/// `/metrics`, for signed-in beheerders.
pub fn router() -> Router<AppState> {
    Router::new().route("/metrics", get(metrics))
}

async fn healthz() -> &'static str {
    "ok"
}

/// Metrics are for beheerders (or a scraper with a beheerder's token).
async fn metrics(
    State(metrics): State<Arc<Metrics>>,
    viewer: Viewer,
) -> Result<impl IntoResponse, AppError> {
    if !workspace::may_read_metrics(&viewer.policy) {
        return Err(AppError::Forbidden(
            "De meetwaarden zijn alleen voor beheerders.".into(),
        ));
    }
    Ok((
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        metrics.render(),
    ))
}
