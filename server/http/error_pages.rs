//! Errors as pages for browsers: a handler's error is JSON (`{"fout": "..."}`), which is right
//! for scripts but unreadable in a browser tab. For requests that accept HTML, this middleware
//! puts the same Dutch message on a page of its own. Axum's own rejections of unreadable input
//! (English plain text) get a Dutch message too, as JSON or as a page.

use axum::{
    Json,
    body::to_bytes,
    extract::Request,
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use maud::html;
use serde_json::json;

use super::csp::CspNonce;
use crate::{
    auth::Viewer,
    views::{self, components},
};

/// Error bodies are small; anything larger is passed on untouched.
const MAX_ERROR_BYTES: usize = 16 * 1024;

fn title(status: StatusCode) -> &'static str {
    match status {
        StatusCode::UNAUTHORIZED => "Log opnieuw in",
        StatusCode::FORBIDDEN => "Geen toegang",
        StatusCode::NOT_FOUND => "Niet gevonden",
        StatusCode::CONFLICT => "Intussen gewijzigd",
        StatusCode::TOO_MANY_REQUESTS => "Even wachten",
        status if status.is_server_error() => "Er ging iets mis",
        _ => "Dit kan zo niet",
    }
}

/// What a request that could not even be read gets (axum's own rejections are English text).
const UNREADABLE: &str =
    "Dit verzoek kon niet worden gelezen. Controleer de gegevens en probeer het opnieuw.";

pub async fn html_errors(request: Request, next: Next) -> Response {
    let wants_html = request
        .headers()
        .get(header::ACCEPT)
        .and_then(|accept| accept.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"));
    let nonce = request.extensions().get::<CspNonce>().cloned();
    let viewer = request.extensions().get::<Viewer>().cloned();
    let response = next.run(request).await;
    let status = response.status();
    if status.as_u16() < 400 {
        return response;
    }
    let (is_json, is_text) = {
        let kind = response
            .headers()
            .get(header::CONTENT_TYPE)
            .map(|t| t.as_bytes())
            .unwrap_or_default();
        (
            kind.starts_with(b"application/json"),
            kind.starts_with(b"text/plain"),
        )
    };
    if is_text && status.is_client_error() && !wants_html {
        return (status, Json(json!({ "fout": UNREADABLE }))).into_response();
    }
    let (Some(nonce), true) = (nonce, wants_html && (is_json || is_text)) else {
        return response;
    };
    let (parts, body) = response.into_parts();
    let message = if is_json {
        let Ok(bytes) = to_bytes(body, MAX_ERROR_BYTES).await else {
            return (parts.status, "Er ging iets mis.").into_response();
        };
        serde_json::from_slice::<serde_json::Value>(&bytes)
            .ok()
            .and_then(|value| value["fout"].as_str().map(str::to_owned))
            .unwrap_or_else(|| "Er ging iets mis.".to_owned())
    } else {
        UNREADABLE.to_owned()
    };
    let page = views::layout(
        title(status),
        &nonce.0,
        html! {
            (components::topbar(viewer.as_ref(), false))
            main.narrow {
                h1 { (title(status)) }
                (components::error_message(&message))
                @if status == StatusCode::UNAUTHORIZED {
                    p { a href="/inloggen" { "Naar de inlogpagina" } }
                } @else {
                    p { a href="/" { "Naar het canvasoverzicht" } }
                }
            }
        },
    );
    let mut response = (status, page).into_response();
    if let Some(challenge) = parts.headers.get(header::WWW_AUTHENTICATE) {
        let value = challenge.clone();
        response
            .headers_mut()
            .insert(header::WWW_AUTHENTICATE, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
