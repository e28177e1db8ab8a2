//! HTTP handlers, one module per resource, each exposing its own `router()`.

pub mod admin;
pub mod assets;
pub mod audit;
pub mod budget;
pub mod canvases;
pub mod client_address;
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

use crate::{app::AppState, auth::links, config::AuthSettings, store::directory::InvitationKind};

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

pub use crate::auth::guard::behind_https;

/// The full address of a one-time link, to pass on: on the configured public URL, or on the
/// address the request came in at.
pub fn link_url(
    settings: &AuthSettings,
    headers: &HeaderMap,
    kind: InvitationKind,
    token: &str,
) -> String {
    let base = match &settings.public_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if behind_https(headers) {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
    };
    format!("{base}{}", links::path(kind, token))
}
