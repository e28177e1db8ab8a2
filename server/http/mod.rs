//! HTTP handlers, one module per resource, each exposing its own `router()`.

pub mod assets;
pub mod canvases;
pub mod csp;
pub mod health;
pub mod pages;
pub mod sync;

use axum::Router;

use crate::app::AppState;

/// All routes of the server.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(canvases::router())
        .merge(sync::router())
        .merge(pages::router())
        .merge(assets::router())
}
