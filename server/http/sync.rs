//! `GET /sync/{canvas_id}`: the WebSocket endpoint of the y-websocket protocol.
//!
//! Everything that can be refused is refused before the upgrade, with a plain HTTP status:
//! an unknown canvas is a 404 (never silently created), too many connections from one address a
//! 429. Add `?saved=1` to receive the saved signal (see [`crate::sync::protocol`]).

use std::{net::SocketAddr, sync::Arc};

use axum::{
    Router,
    extract::{
        ConnectInfo, Path, Query, State, WebSocketUpgrade, ws::rejection::WebSocketUpgradeRejection,
    },
    response::Response,
    routing::get,
};
use serde::Deserialize;
use tracing::Instrument;

use crate::{
    app::AppState,
    canvas::CanvasId,
    error::AppError,
    store::Store,
    sync::{SyncService, connection},
};

pub fn router() -> Router<AppState> {
    Router::new().route("/sync/{canvas_id}", get(upgrade))
}

#[derive(Deserialize)]
struct SyncParams {
    saved: Option<String>,
}

async fn upgrade(
    ws: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
    Path(canvas_id): Path<String>,
    Query(params): Query<SyncParams>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    State(store): State<Arc<dyn Store>>,
    State(sync): State<Arc<SyncService>>,
) -> Result<Response, AppError> {
    let canvas: CanvasId = canvas_id.parse().map_err(|_| AppError::NotFound)?;
    if !store.canvas_exists(&canvas).await? {
        return Err(AppError::NotFound);
    }
    let ws = ws.map_err(|_| {
        AppError::Invalid("Dit adres is alleen bereikbaar via een WebSocket-verbinding.".into())
    })?;
    let Some(permit) = sync.limiter.try_acquire(peer.ip()) else {
        sync.context()
            .metrics
            .connections_rejected
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        return Err(AppError::TooManyConnections);
    };
    let wants_saved = matches!(params.saved.as_deref(), Some("1" | "true"));
    let limits = &sync.context().limits;
    // Frames somewhat above the limit still arrive, so that the connection can be closed with a
    // clear reason; far larger ones are cut off by the WebSocket layer itself.
    let hard_cap = limits.max_message_bytes.saturating_mul(2).max(64 * 1024);
    let token = sync.tasks().token();
    let span = tracing::info_span!("connection", canvas_id = %canvas);
    // Small buffers: most canvases are idle most of the time, and 128 KiB per idle socket adds up.
    let ws = ws
        .max_message_size(hard_cap)
        .max_frame_size(hard_cap)
        .read_buffer_size(8 * 1024)
        .write_buffer_size(8 * 1024);
    Ok(ws.on_upgrade(move |socket| {
        async move {
            connection::serve(socket, sync, canvas, wants_saved, permit).await;
            drop(token);
        }
        .instrument(span)
    }))
}
