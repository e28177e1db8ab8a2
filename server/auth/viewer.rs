//! The signed-in account of a request: resolved once per request by [`authenticate`] from the
//! session cookie, an `Authorization: Bearer` token or, on the sync endpoint only, a `ticket`
//! query parameter: a single-use ticket of about a minute, fetched with a token, for WebSocket
//! clients that cannot set headers. A token itself never travels in a URL, where proxies'
//! access logs would keep it: `?token=` is refused with a message that names the ticket route.

use std::time::Duration;

use axum::{
    extract::{FromRequestParts, OptionalFromRequestParts, Request, State},
    http::{HeaderMap, header, request::Parts},
    middleware::Next,
    response::Response,
};

use super::{secret, session};
use crate::{
    access::policy,
    accounts::TOKEN_PREFIX,
    app::AppState,
    error::AppError,
    store::{AccountRow, Directory, StoreError, directory::TokenUse, now_millis},
};

/// How the request proved who it is.
#[derive(Debug, Clone)]
pub enum Via {
    /// A browser session; state-changing requests must carry its CSRF token.
    Session { id_hash: String, csrf: String },
    /// A personal access token (no ambient credential, so no CSRF token is needed).
    Token { id: i64 },
}

/// The account behind a request and what the access policy knows of it.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub account: AccountRow,
    pub policy: policy::Account,
    pub via: Via,
    /// Unread in-app notifications, for the menu.
    pub unread: i64,
}

impl Viewer {
    /// The session's CSRF token, for forms; empty for token requests.
    pub fn csrf(&self) -> &str {
        match &self.via {
            Via::Session { csrf, .. } => csrf,
            Via::Token { .. } => "",
        }
    }

    /// Identifies the credential, to close its connections when it ends.
    pub fn credential(&self) -> String {
        match &self.via {
            Via::Session { id_hash, .. } => format!("session:{id_hash}"),
            Via::Token { id } => format!("token:{id}"),
        }
    }
}

/// Set when a request carried a session cookie that has expired, so the sign-in page can say so.
#[derive(Debug, Clone, Copy)]
pub struct SessionExpired;

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
        let Some(viewer) = by_ticket(state.directory.as_ref(), &canvas, &ticket).await? else {
            return Err(AppError::InvalidTicket);
        };
        Some(viewer)
    } else if let Some(token) = token {
        // A presented token that does not work is refused outright rather than ignored, so a
        // script with a revoked token fails loudly.
        let Some(viewer) = by_token(state.directory.as_ref(), &token).await? else {
            return Err(AppError::Unauthenticated);
        };
        Some(viewer)
    } else if let Some(value) = session::from_headers(request.headers()) {
        let found = by_session(state.directory.as_ref(), value, idle).await?;
        if found.is_none() {
            // A socket must not outlive its session.
            let credential = format!("session:{}", secret::hash(value));
            state.sync.participants.close_credential(&credential);
            request.extensions_mut().insert(SessionExpired);
        }
        found
    } else {
        None
    };
    if let Some(mut viewer) = viewer {
        viewer.unread = state
            .workflow
            .unread_notifications(viewer.account.id)
            .await?;
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

async fn by_token(directory: &dyn Directory, token: &str) -> Result<Option<Viewer>, StoreError> {
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
async fn by_ticket(
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
        unread: 0,
    })
}

/// Whether the session behind a connection's credential has ended or expired.
pub async fn session_over(
    directory: &dyn Directory,
    id_hash: &str,
    idle: Duration,
) -> Result<bool, StoreError> {
    Ok(match directory.session(id_hash).await? {
        None => true,
        Some(session) => {
            session::expired(session.created_at, session.last_seen_at, now_millis(), idle)
        }
    })
}

async fn by_session(
    directory: &dyn Directory,
    value: &str,
    idle: Duration,
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
    if now - session.last_seen_at > session::touch_every_ms(idle) {
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
        unread: 0,
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
