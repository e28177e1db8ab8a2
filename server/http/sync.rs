//! `GET /sync/{canvas_id}`: the WebSocket endpoint of the y-websocket protocol.
//!
//! Everything that can be refused is refused before the upgrade, with a plain HTTP status: no
//! account is a 401; a page of another site (the `Origin` header) a 403; a canvas that does not
//! exist or that the account may not see a 404 (never silently created); too many connections
//! from one address a 429. Accounts that may read but not edit connect too: their updates are
//! dropped and they are told so (see [`crate::sync::protocol::MSG_READ_ONLY`]).
//!
//! Scripts authenticate with `Authorization: Bearer` or, where a WebSocket client cannot set
//! headers, with `?ticket=`: single-use, about a minute, fetched with the token from
//! `POST /api/canvases/{id}/ticket` (a token itself is refused in the URL). The query string is
//! never logged. Add `?saved=1` to receive the saved signal.

use std::sync::Arc;

use axum::{
    Json, Router,
    extract::{Path, Query, State, WebSocketUpgrade, ws::rejection::WebSocketUpgradeRejection},
    http::{HeaderMap, header},
    response::Response,
    routing::{get, post},
};
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{client_address::ClientAddress, permitted};
use crate::{
    audit::{Audit, Event},
    auth::{Via, Viewer, origin::same_origin, secret},
    canvas::CanvasId,
    error::AppError,
    ids::Credential,
    services::recheck,
    state::AppState,
    store::{AuditEntry, Canvases, Directory, now_millis},
    sync::{
        SyncService,
        awareness::Identity,
        connection,
        participants::{Holder, Participant},
    },
    views::SignedIn,
};

/// The name others see in presence: the account's name, or its e-mail address without one.
fn display_name(account: &crate::store::AccountRow) -> &str {
    match account.name.trim() {
        "" => &account.email,
        name => name,
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sync/{canvas_id}", get(upgrade))
        .route("/api/canvases/{canvas_id}/ticket", post(ticket))
}

/// How long a ticket works: long enough to open a socket, too short to be worth stealing.
const TICKET_VALID_MS: i64 = 60_000;

/// `POST /api/canvases/{id}/ticket` with a token: a single-use ticket for `?ticket=` on this
/// canvas's socket, bound to the token (revoking it ends what the ticket opened).
async fn ticket(
    State(store): State<Arc<dyn Canvases>>,
    State(directory): State<Arc<dyn Directory>>,
    viewer: Viewer,
    Path(canvas_id): Path<String>,
) -> Result<Json<serde_json::Value>, AppError> {
    let Via::Token { id: token } = viewer.via else {
        return Err(AppError::Forbidden(
            "Een ticket vraag je aan met een toegangstoken (Authorization: Bearer). Een pagina \
             in de browser verbindt met de sessie zelf."
                .into(),
        ));
    };
    let canvas = permitted::readable(store.as_ref(), &viewer, &canvas_id).await?;
    let ticket = format!("dbt_{}", secret::fresh());
    let expires_at = now_millis().saturating_add(TICKET_VALID_MS);
    directory
        .create_ticket(
            &secret::hash(&ticket),
            token,
            canvas.id.as_str(),
            expires_at,
        )
        .await?;
    Ok(Json(serde_json::json!({
        "ticket": ticket,
        "geldigSeconden": TICKET_VALID_MS / 1000,
    })))
}

#[derive(Deserialize)]
struct SyncParams {
    saved: Option<String>,
}

/// What an open connection's edits lead to outside the room: the audit entry (once per
/// credential and canvas), and a session kept alive while its owner edits, so someone typing
/// through a long meeting is not signed out for "inactivity".
struct Activity {
    directory: Arc<dyn Directory>,
    audit: Arc<Audit>,
    credential: Credential,
    session: Option<String>,
    entry: AuditEntry,
}

impl Activity {
    async fn follow(
        self,
        mut edited: tokio::sync::watch::Receiver<u64>,
        ended: &CancellationToken,
    ) {
        let mut audited = false;
        let mut touched: Option<std::time::Instant> = None;
        loop {
            let more = tokio::select! {
                changed = edited.changed() => changed.is_ok(),
                _ = ended.cancelled() => false,
            };
            // Also after the end: an edit stored just before the connection closed counts.
            if *edited.borrow_and_update() > 0 {
                if !audited {
                    audited = true;
                    self.audit
                        .canvas_edited(&self.credential, self.entry.clone())
                        .await;
                }
                if let Some(session) = &self.session
                    && touched.is_none_or(|at| at.elapsed() >= SESSION_TOUCH)
                {
                    touched = Some(std::time::Instant::now());
                    if let Err(error) = self.directory.touch_session(session, now_millis()).await {
                        tracing::warn!(%error, "could not record session activity");
                    }
                }
            }
            if !more {
                return;
            }
        }
    }
}

/// How often at most editing over a connection marks its session as active.
const SESSION_TOUCH: std::time::Duration = std::time::Duration::from_secs(60);

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn upgrade(
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    viewer: SignedIn,
    headers: HeaderMap,
    Path(canvas_id): Path<String>,
    Query(params): Query<SyncParams>,
    ClientAddress(client): ClientAddress,
    State(store): State<Arc<dyn Canvases>>,
    State(sync): State<Arc<SyncService>>,
    State(audit): State<Arc<Audit>>,
    State(directory): State<Arc<dyn Directory>>,
) -> Result<Response, AppError> {
    // Cross-site WebSocket hijacking: a page elsewhere could open this socket with the user's
    // cookie. Browsers always send Origin on a WebSocket, so a cookie without one is refused too.
    let by_cookie = matches!(viewer.via, Via::Session { .. });
    if !same_origin(&headers) || (by_cookie && !headers.contains_key(header::ORIGIN)) {
        return Err(AppError::Forbidden(
            "Deze verbinding komt van een andere website en is geweigerd.".into(),
        ));
    }
    // Registered before the access check, so that a removal, role change, revocation or ladder
    // move that lands between the check and the start of the socket still closes it.
    let registration = sync.participants.register(
        sync.next_conn_id(),
        Holder {
            account_id: viewer.account.id,
            credential: viewer.credential(),
            canvas: canvas_id.parse::<CanvasId>().ok(),
        },
    );
    let canvas = permitted::readable(store.as_ref(), &viewer, &canvas_id).await?;
    let ws = ws.map_err(|_| {
        AppError::Invalid("Dit adres is alleen bereikbaar via een WebSocket-verbinding.".into())
    })?;
    let Some(permit) = sync.limiter.try_acquire(client) else {
        sync.context()
            .metrics
            .connections_rejected
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(AppError::TooManyConnections);
    };
    // What the connection is let in with; the periodic re-check closes it once that changes.
    let standing = recheck::standing(&viewer.policy, &canvas.facts).ok_or(AppError::NotFound)?;
    registration.admit(standing);
    let participant = Participant {
        identity: Identity::new(
            viewer.account.id,
            display_name(&viewer.account),
            standing.role,
        ),
        read_only: standing.read_only,
        wants_saved: matches!(params.saved.as_deref(), Some("1" | "true")),
    };
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(canvas.facts.team),
        canvas_id: Some(canvas.id.to_string()),
        ..AuditEntry::default()
    };
    if !by_cookie {
        // A browser's opening is recorded with its page view; a script's here.
        audit.record(Event::CanvasOpened, entry.clone()).await;
    }
    let limits = &sync.context().limits;
    // Frames somewhat above the limit still arrive, so that the connection can be closed with a
    // clear reason; far larger ones are cut off by the WebSocket layer itself.
    let hard_cap = limits.frame_cap();
    let token = sync.tasks().token();
    let span = tracing::info_span!("connection", canvas_id = %canvas.id);
    // Small buffers: most canvases are idle most of the time, and 128 KiB per idle socket adds up.
    let ws = ws
        .max_message_size(hard_cap)
        .max_frame_size(hard_cap)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024);
    let session = match &viewer.via {
        Via::Session { id_hash, .. } => Some(id_hash.clone()),
        Via::Token { .. } => None,
    };
    let viewer_credential = viewer.credential();
    Ok(ws.on_upgrade(move |socket| {
        async move {
            let (edits, edited) = tokio::sync::watch::channel(0);
            let credential = viewer_credential;
            let ended = CancellationToken::new();
            let serving = async {
                let edits = Arc::new(edits);
                connection::serve(
                    socket,
                    sync,
                    canvas.id,
                    participant,
                    registration,
                    edits,
                    permit,
                )
                .await;
                ended.cancel();
            };
            let activity = Activity {
                directory,
                audit,
                credential,
                session,
                entry,
            };
            tokio::join!(serving, activity.follow(edited, &ended));
            drop(token);
        }
        .instrument(span)
    }))
}
