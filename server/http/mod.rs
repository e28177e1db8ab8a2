//! HTTP handlers, one module per resource, each exposing its own `router()`.

pub mod admin;
pub mod assets;
pub mod audit;
pub mod budget;
pub mod canvases;
pub mod csp;
pub mod dashboards;
pub mod error_pages;
pub mod health;
pub mod pages;
pub mod permitted;
pub mod sign_in;
pub mod sync;
pub mod teams;
pub mod tokens;
pub mod workflow;

use axum::{Router, http::HeaderMap};

use crate::{app::AppState, config::AuthSettings};

/// All routes of the server.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(canvases::router())
        .merge(sync::router())
        .merge(pages::router())
        .merge(sign_in::router())
        .merge(teams::router())
        .merge(tokens::router())
        .merge(audit::router())
        .merge(admin::router())
        .merge(workflow::router())
        .merge(dashboards::router())
        .merge(budget::router())
        .merge(assets::router())
}

/// The address users reach this server at, for links they pass on: configured, or taken from
/// the request (behind a proxy that sets `X-Forwarded-Proto` for HTTPS).
pub fn public_base(settings: &AuthSettings, headers: &HeaderMap) -> String {
    if let Some(url) = &settings.public_url {
        return url.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let https = headers
        .get("x-forwarded-proto")
        .is_some_and(|p| p.as_bytes().eq_ignore_ascii_case(b"https"));
    format!("{}://{host}", if https { "https" } else { "http" })
}
