//! Errors as pages for browsers: a handler's error is JSON (`{"fout": "..."}`), which is right
//! for scripts but unreadable in a browser tab. For requests that accept HTML, this middleware
//! puts the same Dutch message (the response's [`UserMessage`]) on a page of its own. Axum's
//! own rejections of unreadable input (English plain text) get a Dutch message too, as JSON or
//! as a page.

use axum::{
    Json,
    extract::{Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use maud::html;
use serde_json::json;

use super::csp::CspNonce;
use crate::{
    auth::Viewer,
    error::UserMessage,
    http::page::signed_in,
    state::AppState,
    views::{self, SignedIn, components},
};

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

pub async fn html_errors(State(state): State<AppState>, request: Request, next: Next) -> Response {
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
    let message = match response.extensions().get::<UserMessage>() {
        Some(UserMessage(message)) => message.clone(),
        None if is_text => UNREADABLE.to_owned(),
        None => "Er ging iets mis.".to_owned(),
    };
    let parts = response.into_parts().0;
    let menu = match viewer {
        // An error page whose count cannot be read shows none: it already reports a failure.
        Some(viewer) => Some(
            signed_in(&state, viewer.clone())
                .await
                .unwrap_or(SignedIn { viewer, unread: 0 }),
        ),
        None => None,
    };
    let page = views::layout(
        title(status),
        &nonce.0,
        html! {
            (components::topbar(menu.as_ref(), false))
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
