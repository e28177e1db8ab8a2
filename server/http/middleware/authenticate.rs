//! Finds who is asking, once per request, and puts the [`Viewer`](crate::auth::Viewer) into the request's
//! extensions: from the session cookie, an `Authorization: Bearer` token or, on the sync
//! endpoint only, a `ticket` query parameter (a single-use ticket of about a minute, fetched
//! with a token, for WebSocket clients that cannot set headers). A token itself never travels
//! in a URL, where proxies' access logs would keep it: `?token=` is refused with a message that
//! names the ticket route.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, header},
    middleware::Next,
    response::Response,
};

use crate::{
    auth::{
        secret, session,
        viewer::{self, SessionExpired},
    },
    error::AppError,
    events::{AccessChange, Event},
    ids::Credential,
    state::AppState,
};

/// Middleware: resolves the viewer, if any, into the request's extensions.
pub async fn authenticate(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Result<Response, AppError> {
    // The bundle is public and needs nobody's identity: no lookups for it.
    if request.uri().path().starts_with("/assets/") {
        return Ok(next.run(request).await);
    }
    let idle = state.auth.session_idle();
    if sync_query(&request, "token").is_some() {
        return Err(AppError::TokenInUrl);
    }
    let token = bearer(request.headers()).map(str::to_owned);
    let ticket = sync_query(&request, "ticket").map(|(canvas, ticket)| (canvas, ticket.to_owned()));
    let viewer = if let Some((canvas, ticket)) = ticket {
        let Some(viewer) = viewer::by_ticket(state.directory.as_ref(), &canvas, &ticket).await?
        else {
            return Err(AppError::InvalidTicket);
        };
        Some(viewer)
    } else if let Some(token) = token {
        // A presented token that does not work is refused outright rather than ignored, so a
        // script with a revoked token fails loudly.
        let Some(viewer) = viewer::by_token(state.directory.as_ref(), &token).await? else {
            return Err(AppError::Unauthenticated);
        };
        Some(viewer)
    } else if let Some(value) = session::from_headers(request.headers()) {
        let touch = !request.headers().contains_key(viewer::PROBE_HEADER);
        let found = viewer::by_session(state.directory.as_ref(), value, idle, touch).await?;
        if found.is_none() {
            // A socket must not outlive its session. A session signed out was closed then, so
            // what is left here expired: its pages keep their edits and say so.
            let credential = Credential::Session(secret::hash(value));
            state
                .events
                .publish(Event::AccessChanged(AccessChange::SessionExpired(
                    credential,
                )));
            request.extensions_mut().insert(SessionExpired);
        }
        found
    } else {
        None
    };
    if let Some(viewer) = viewer {
        request.extensions_mut().insert(viewer);
    }
    Ok(next.run(request).await)
}

/// The token of an `Authorization: Bearer` header.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// The canvas of a sync request and its query parameter `name`, if both are there.
fn sync_query<'a>(request: &'a Request, name: &str) -> Option<(String, &'a str)> {
    let canvas = request.uri().path().strip_prefix("/sync/")?;
    let value = form_urlencoded_find(request.uri().query()?, name)?;
    Some((canvas.to_owned(), value))
}

/// The raw value of `name` in a query string; tokens are hex and need no decoding.
fn form_urlencoded_find<'a>(query: &'a str, name: &str) -> Option<&'a str> {
    query
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}
