//! HTTP handlers, one module per resource, each exposing its own `router()`.

pub mod admin;
pub mod anonymity;
pub mod assets;
pub mod audit;
pub mod budget;
pub mod canvas_page;
pub mod canvases;
pub mod client_address;
pub mod dashboards;
pub mod dossier;
mod download;
pub mod evaluation;
pub mod health;
pub mod learning_agenda;
pub mod learning_archive;
pub mod meeting_room;
pub mod meetings;
pub mod middleware;
pub mod minutes;
pub mod page;
pub mod pages;
pub mod permitted;
mod refusal;
pub mod sign_in;
pub mod sync;
pub mod teams;
pub mod tokens;
pub mod versions;
pub mod workflow;

use axum::{
    Router,
    http::{HeaderMap, StatusCode},
    routing::get,
};

use crate::{
    auth::{links, origin::behind_https},
    config::AuthSettings,
    state::AppState,
    store::InvitationKind,
};

/// All routes of the server: the public ones, and the protected ones behind
/// [`middleware::guard::require_account`].
pub fn router() -> Router<AppState> {
    public_router().merge(protected_router())
}

/// What answers without an account: signing in, one-time links, the front-end bundle (the
/// sign-in page uses its stylesheet) and the health check.
fn public_router() -> Router<AppState> {
    Router::new()
        .merge(health::public_router())
        .merge(sign_in::public_router())
        .merge(assets::router())
        .merge(meetings::public_router())
        // Unknown files under /assets/ are simply not there, for strangers too.
        .route("/assets/{*file}", get(|| async { StatusCode::NOT_FOUND }))
}

/// Everything else. The fallback sits behind the gate too, so a stranger learns nothing about
/// which paths exist: every unknown path is a 401 (or the sign-in page) for them.
fn protected_router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(canvases::router())
        .merge(anonymity::router())
        .merge(learning_archive::router())
        .merge(evaluation::router())
        .merge(learning_agenda::router())
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
        .merge(dossier::router())
        .merge(meetings::router())
        .merge(meeting_room::router())
        .merge(minutes::router())
        .merge(versions::router())
        // The same Dutch "Niet gevonden" as an unknown canvas, as a page for a browser.
        .fallback(|| async { crate::error::AppError::NotFound })
        .layer(axum::middleware::from_fn(
            middleware::guard::require_account,
        ))
}

/// The full address of a one-time link, to pass on: on the configured public URL, or on the
/// address the request came in at.
pub fn link_url(
    settings: &AuthSettings,
    headers: &HeaderMap,
    kind: InvitationKind,
    token: &str,
) -> String {
    format!(
        "{}{}",
        public_base(settings, headers),
        links::path(kind, token)
    )
}

/// Where users reach this server (`--public-url`, else the request's host and scheme), for
/// links that leave the browser: one-time links, calendar feeds.
pub fn public_base(settings: &AuthSettings, headers: &HeaderMap) -> String {
    match &settings.public_url {
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
    }
}
