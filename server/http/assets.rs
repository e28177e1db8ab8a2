//! The front-end bundle, embedded into the binary so that running the server needs no Node.

use axum::{
    Router,
    http::{HeaderValue, header},
    response::IntoResponse,
    routing::get,
};

use crate::state::AppState;

const APP_JS: &[u8] = include_bytes!("../../web/dist/app.js");
const APP_CSS: &[u8] = include_bytes!("../../web/dist/app.css");

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/assets/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", APP_JS) }),
        )
        .route(
            "/assets/app.css",
            get(|| async { asset("text/css; charset=utf-8", APP_CSS) }),
        )
}

fn asset(content_type: &'static str, body: &'static [u8]) -> impl IntoResponse {
    // No long-lived caching: the file name carries no version yet, and a stale client after an
    // upgrade would be worse than one request per page view.
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
        ],
        body,
    )
}
