//! The gate in front of every handler: strangers get 401 (browsers are sent to the sign-in
//! page), and requests from other sites are refused.
//!
//! - Only `PUBLIC` paths answer without an account.
//! - A state-changing request whose `Origin` is another site is refused (403).
//! - A state-changing request authenticated by the session cookie must also carry the session's
//!   CSRF token, in the `X-CSRF-Token` header or, for HTML forms, the `csrf` field. Requests with
//!   a bearer token need neither: a browser never adds that header by itself.

use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::{HeaderMap, Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use super::{Via, Viewer, secret, viewer::SessionExpired};
use crate::error::AppError;

/// Paths that answer without an account: the sign-in page, one-time links, the front-end
/// bundle (the sign-in page uses its stylesheet) and the health check.
const PUBLIC: &[&str] = &[
    "/inloggen",
    "/healthz",
    "/assets/",
    "/uitnodiging/",
    "/wachtwoord/",
];

/// Largest form body read for its CSRF field.
const MAX_FORM_BYTES: usize = 256 * 1024;

pub const CSRF_HEADER: &str = "x-csrf-token";
pub const CSRF_FIELD: &str = "csrf";

fn is_public(path: &str) -> bool {
    PUBLIC
        .iter()
        .any(|public| path == *public || (public.ends_with('/') && path.starts_with(public)))
}

/// Whether the request reached us over HTTPS through a proxy that says so.
pub fn behind_https(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .is_some_and(|proto| proto.as_bytes().eq_ignore_ascii_case(b"https"))
}

/// Whether the request's `Origin`, if it has one, is this server itself: the same host, and a
/// web scheme (`https` when a proxy says the request came over HTTPS; `ftp://` or `http://` with
/// the right host is somebody else's page then).
pub fn same_origin(headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let Some((scheme, rest)) = origin.to_str().ok().and_then(|o| o.split_once("://")) else {
        return false;
    };
    let scheme_ok = if behind_https(headers) {
        scheme.eq_ignore_ascii_case("https")
    } else {
        scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")
    };
    let origin_host = rest.trim_end_matches('/');
    scheme_ok && host.is_some_and(|h| origin_host.eq_ignore_ascii_case(h))
}

/// Middleware: see the module documentation.
pub async fn guard(request: Request, next: Next) -> Result<Response, AppError> {
    let path = request.uri().path().to_owned();
    let viewer = request.extensions().get::<Viewer>().cloned();
    if viewer.is_none() && !is_public(&path) {
        return Ok(refuse_stranger(&request));
    }
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
    }) = viewer
    else {
        return Ok(next.run(request).await);
    };
    // Signing in from a page loaded before another tab signed in carries no token; signing in
    // starts a fresh session anyway, and the Origin check above keeps other sites out.
    if path == "/inloggen" {
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
        let mut response = Redirect::to(&target).into_response();
        if expired {
            // The server ended the session: offline copies of canvases go with it.
            response
                .headers_mut()
                .insert("clear-site-data", super::session::CLEAR_STORAGE);
        }
        return response;
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

/// A safe place to return to after signing in: a local path, never another site.
pub fn local_path(back: Option<&str>) -> String {
    match back {
        // Browsers drop tabs and newlines from URLs, so "/\t/evil.example" would become
        // "//evil.example": nothing but visible characters is accepted.
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.contains('\\')
                && !path.chars().any(|c| c.is_control() || c.is_whitespace()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn only_the_listed_paths_are_public() {
        for path in [
            "/inloggen",
            "/healthz",
            "/assets/app.js",
            "/uitnodiging/abc",
        ] {
            assert!(is_public(path), "{path}");
        }
        for path in [
            "/",
            "/api/canvases",
            "/sync/x",
            "/metrics",
            "/inloggenx",
            "/healthz/x",
        ] {
            assert!(!is_public(path), "{path}");
        }
    }

    #[test]
    fn origins_must_be_this_server() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::HOST,
            HeaderValue::from_static("doorbraak.example:8080"),
        );
        assert!(same_origin(&headers), "no Origin: not a browser");
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://doorbraak.example:8080"),
        );
        assert!(same_origin(&headers));
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("https://evil.example"),
        );
        assert!(!same_origin(&headers));
        headers.insert(header::ORIGIN, HeaderValue::from_static("null"));
        assert!(!same_origin(&headers));
        for other_scheme in [
            "ftp://doorbraak.example:8080",
            "ws://doorbraak.example:8080",
        ] {
            headers.insert(header::ORIGIN, HeaderValue::from_static(other_scheme));
            assert!(!same_origin(&headers), "{other_scheme}");
        }
        headers.insert(
            header::ORIGIN,
            HeaderValue::from_static("http://doorbraak.example:8080"),
        );
        assert!(same_origin(&headers), "plain HTTP on this host");
        headers.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        assert!(
            !same_origin(&headers),
            "behind HTTPS, an http:// page is another site"
        );
    }

    #[test]
    fn return_paths_stay_on_this_site() {
        assert_eq!(local_path(Some("/canvases/x")), "/canvases/x");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/\t/evil.example",
            "/\n/x",
        ] {
            assert_eq!(local_path(Some(bad)), "/", "{bad}");
        }
        assert_eq!(local_path(None), "/");
    }
}
