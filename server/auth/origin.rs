//! Where a request comes from: whether it came over HTTPS through a proxy, whether its
//! `Origin` is this server, and which return paths after signing in stay on this site.

use axum::http::{HeaderMap, header};

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
