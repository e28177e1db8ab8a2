//! The gates in front of the handlers.
//!
//! - [`require_account`] sits on the protected router only: strangers get 401, and browsers
//!   asking for a page are sent to the sign-in page. The public router (sign-in, one-time
//!   links, the bundle and the health check) does not have it, so no list of public paths is
//!   needed.
//! - [`cross_site`] sits on every route: a state-changing request whose `Origin` is another
//!   site is refused (403), and one authenticated by the session cookie must also carry the
//!   session's CSRF token, in the `X-CSRF-Token` header or, for HTML forms, the `csrf` field.
//!   Requests with a bearer token need neither: a browser never adds that header by itself.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    auth::{
        Via, Viewer,
        origin::same_origin,
        secret,
        session::{CSRF_FIELD, CSRF_HEADER},
        viewer::SessionExpired,
    },
    error::AppError,
};

/// Largest form body read for its CSRF field.
const MAX_FORM_BYTES: usize = 256 * 1024;

/// Middleware of the protected router: see the module documentation.
pub async fn require_account(request: Request, next: Next) -> Response {
    if request.extensions().get::<Viewer>().is_none() {
        return refuse_stranger(&request);
    }
    next.run(request).await
}

/// Middleware of every route: see the module documentation.
pub async fn cross_site(request: Request, next: Next) -> Result<Response, AppError> {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if safe {
        return Ok(next.run(request).await);
    }
    if !same_origin(request.headers()) {
        return Err(AppError::Forbidden(
            "Dit verzoek komt van een andere website en is geweigerd.".into(),
        ));
    }
    let Some(Viewer {
        via: Via::Session { csrf, .. },
        ..
    }) = request.extensions().get::<Viewer>().cloned()
    else {
        return Ok(next.run(request).await);
    };
    // Signing in from a page loaded before another tab signed in carries no token; signing in
    // starts a fresh session anyway, and the Origin check above keeps other sites out.
    if request.uri().path() == "/inloggen" {
        return Ok(next.run(request).await);
    }
    let request = check_csrf(request, &csrf).await?;
    Ok(next.run(request).await)
}

/// Strangers: browsers asking for a page go to the sign-in page, everything else gets 401.
fn refuse_stranger(request: &Request) -> Response {
    let wants_page = request.method() == Method::GET
        && request
            .headers()
            .get(header::ACCEPT)
            .and_then(|a| a.to_str().ok())
            .is_some_and(|accept| accept.contains("text/html"));
    if wants_page {
        let expired = request.extensions().get::<SessionExpired>().is_some();
        let back = request.uri().path();
        let mut target = format!("/inloggen?terug={}", percent_encode(back));
        if expired {
            target.push_str("&verlopen=1");
        }
        // No Clear-Site-Data here: a session that expired in the middle of a meeting keeps the
        // offline copies with its unsent edits for its own account's next sign-in (sign-out
        // clears them; `offline-copies.js` removes other accounts' copies).
        return Redirect::to(&target).into_response();
    }
    AppError::Unauthenticated.into_response()
}

/// Checks the CSRF token in the header or, for a form, in its `csrf` field; gives back the
/// request with its body intact.
async fn check_csrf(request: Request, expected: &str) -> Result<Request, AppError> {
    let refused =
        || AppError::Forbidden("Dit formulier is verlopen. Laad de pagina opnieuw.".into());
    if let Some(sent) = request.headers().get(CSRF_HEADER) {
        let sent = sent.to_str().unwrap_or_default();
        return if secret::same(sent, expected) {
            Ok(request)
        } else {
            Err(refused())
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .is_some_and(|c| c.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(refused());
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| AppError::Invalid("Het formulier is te groot.".into()))?;
    let sent = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == CSRF_FIELD)
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    if !secret::same(&sent, expected) {
        return Err(refused());
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

/// Percent-encodes a path for a query parameter.
fn percent_encode(path: &str) -> String {
    form_urlencoded::byte_serialize(path.as_bytes()).collect()
}
