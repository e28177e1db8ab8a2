//! The signed-in account of a request, resolved from a session cookie's value, a personal
//! access token or a single-use sync ticket. The HTTP middleware that finds those in a request
//! is [`crate::http::middleware::authenticate`]; this module only answers who they belong to.

use std::time::Duration;

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts},
    http::request::Parts,
};

use super::{
    secret::{self, TOKEN_PREFIX},
    session,
};
use crate::{
    access::policy,
    error::AppError,
    ids::{Credential, TokenId},
    store::{AccountRow, Directory, StoreError, TokenUse, now_millis},
};

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; state-changing requests must carry its CSRF token.
    Session { id_hash: String, csrf: String },
    /// A personal access token (no ambient credential, so no CSRF token is needed).
    Token { id: TokenId },
}

/// The account behind a request and what the access policy knows of it.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub account: AccountRow,
    pub policy: policy::Account,
    pub via: Via,
}

impl Viewer {
    /// The session's CSRF token, for forms; empty for token requests.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// The credential of the request, to close its connections when it ends.
    pub fn credential(&self) -> Credential {
        match &self.via {
            Via::Session { id_hash, .. } => Credential::Session(id_hash.clone()),
            Via::Token { id } => Credential::Token(*id),
        }
    }
}

/// Set when a request carried a session cookie that has expired, so the sign-in page can say so.
#[derive(Debug, Clone, Copy)]
pub struct SessionExpired;

/// The viewer of a personal access token, `None` for one that is unknown, revoked or expired.
pub async fn by_token(
    directory: &dyn Directory,
    token: &str,
) -> Result<Option<Viewer>, StoreError> {
    if !token.starts_with(TOKEN_PREFIX) {
        return Ok(None);
    }
    let now = now_millis();
    match directory.token_account(&secret::hash(token), now).await? {
        Some(used) => token_viewer(directory, used, now).await.map(Some),
        None => Ok(None),
    }
}

/// The viewer of a ticket for `canvas`, which it uses up: the token it was fetched with.
pub async fn by_ticket(
    directory: &dyn Directory,
    canvas: &str,
    ticket: &str,
) -> Result<Option<Viewer>, StoreError> {
    let now = now_millis();
    match directory
        .redeem_ticket(&secret::hash(ticket), canvas, now)
        .await?
    {
        Some(used) => token_viewer(directory, used, now).await.map(Some),
        None => Ok(None),
    }
}

/// How often at most a token's last use is written.
const TOKEN_TOUCH_MS: i64 = 60_000;

/// The viewer behind a working token, noting when it was last used (to the minute).
async fn token_viewer(
    directory: &dyn Directory,
    used: TokenUse,
    now: i64,
) -> Result<Viewer, StoreError> {
    if used
        .last_used_at
        .is_none_or(|at| now - at >= TOKEN_TOUCH_MS)
    {
        directory.touch_token(used.id, now).await?;
    }
    let policy = directory.policy_account(&used.account).await?;
    Ok(Viewer {
        account: used.account,
        policy,
        via: Via::Token { id: used.id },
    })
}

/// Marks a request that only asks whether its session still stands (a canvas page whose
/// connection keeps failing): it must not itself keep an idle session alive. A client can only
/// shorten its own session with it.
pub const PROBE_HEADER: &str = "x-doorbraak-probe";

/// The viewer of a session cookie's value; an expired session is ended on the way. `touch`:
/// whether this request counts as activity.
pub async fn by_session(
    directory: &dyn Directory,
    value: &str,
    idle: Duration,
    touch: bool,
) -> Result<Option<Viewer>, StoreError> {
    let id_hash = secret::hash(value);
    let Some(session) = directory.session(&id_hash).await? else {
        return Ok(None);
    };
    let now = now_millis();
    if session::expired(session.created_at, session.last_seen_at, now, idle) {
        directory.end_session(&id_hash).await?;
        return Ok(None);
    }
    if touch && now - session.last_seen_at > session::touch_every_ms(idle) {
        directory.touch_session(&id_hash, now).await?;
    }
    let policy = directory.policy_account(&session.account).await?;
    Ok(Some(Viewer {
        account: session.account,
        policy,
        via: Via::Session {
            id_hash,
            csrf: session.csrf_token,
        },
    }))
}

/// Handlers that need a signed-in account take a `Viewer`; without one the answer is 401.
impl<S: Send + Sync> FromRequestParts<S> for Viewer {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Viewer>()
            .cloned()
            .ok_or(AppError::Unauthenticated)
    }
}

impl<S: Send + Sync> OptionalFromRequestParts<S> for Viewer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Option<Self>, Self::Rejection> {
        Ok(parts.extensions.get::<Viewer>().cloned())
    }
}
