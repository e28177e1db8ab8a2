//! The session cookie: a random secret naming a row in `sessions`, which stores only its hash.
//!
//! The cookie is `HttpOnly` (no script reads it), `SameSite=Lax` (not sent with cross-site
//! posts) and `Secure` when the server is reached over HTTPS. It has no expiry of its own: the
//! server ends a session after a period of inactivity, and at the latest after
//! [`MAX_SESSION`].

use std::time::Duration;

use axum::http::{HeaderMap, HeaderValue, header};

use super::secret;
use crate::{
    ids::AccountId,
    store::{Directory, StoreError},
};

pub const COOKIE: &str = "doorbraak_sessie";

/// The header that carries the session's CSRF token on script requests.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// The form field that carries it in HTML forms.
pub const CSRF_FIELD: &str = "csrf";

/// The longest a session lasts, however active: a working day and a bit.
pub const MAX_SESSION: Duration = Duration::from_secs(12 * 3600);

/// How often at most a session's last activity is written (not on every request): a minute, or
/// a quarter of the idle time when that is shorter, so activity is never missed.
pub fn touch_every_ms(idle: Duration) -> i64 {
    (idle.as_millis() as i64 / 4).clamp(1_000, 60_000)
}

/// Starts a session for an account; returns the cookie's value.
pub async fn start(directory: &dyn Directory, account_id: AccountId) -> Result<String, StoreError> {
    let value = secret::fresh();
    directory
        .create_session(&secret::hash(&value), account_id, &secret::fresh())
        .await?;
    Ok(value)
}

/// The session cookie's value in a request, if any.
pub fn from_headers(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|cookies| cookies.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(name, value)| (name == COOKIE && !value.is_empty()).then_some(value))
}

/// Whether a session last seen at `last_seen` and started at `created` has expired at `now`.
pub fn expired(created: i64, last_seen: i64, now: i64, idle: Duration) -> bool {
    now.saturating_sub(last_seen) > idle.as_millis() as i64
        || now.saturating_sub(created) > MAX_SESSION.as_millis() as i64
}

/// The `Set-Cookie` value that stores `value`.
pub fn set_cookie(value: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax{secure}"
    ))
    .unwrap_or_else(|_| clear_cookie(!secure.is_empty()))
}

/// The `Set-Cookie` value that removes the cookie.
/// `Clear-Site-Data` value that makes the browser drop this site's storage (IndexedDB with the
/// offline copies of canvases, local storage) when a session ends.
pub const CLEAR_STORAGE: HeaderValue = HeaderValue::from_static("\"storage\"");

pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .unwrap_or(HeaderValue::from_static(
        "doorbraak_sessie=; Path=/; Max-Age=0",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_is_found_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; doorbraak_sessie=abc; b=2"),
        );
        assert_eq!(from_headers(&headers), Some("abc"));
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("doorbraak_sessie="),
        );
        assert_eq!(from_headers(&headers), None);
    }

    #[test]
    fn sessions_expire_after_inactivity_and_at_the_latest_after_a_day() {
        let idle = Duration::from_secs(60 * 60);
        let hour = 3_600_000;
        assert!(!expired(0, 0, hour, idle));
        assert!(expired(0, 0, hour + 1, idle));
        assert!(!expired(0, 11 * hour, 12 * hour, idle));
        assert!(expired(0, 12 * hour, 12 * hour + 1, idle), "absolute limit");
    }

    #[test]
    fn the_cookie_is_http_only_and_same_site() {
        let plain = set_cookie("abc", false);
        assert_eq!(
            plain,
            "doorbraak_sessie=abc; Path=/; HttpOnly; SameSite=Lax"
        );
        assert!(
            set_cookie("abc", true)
                .to_str()
                .unwrap()
                .ends_with("; Secure")
        );
    }
}
