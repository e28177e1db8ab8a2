//! The WebSocket transport of one client: it only moves bytes between the socket and the room.
//!
//! Two tasks per connection: this reader, which decodes frames and forwards them to the room
//! within the connection's rate limit, and a writer fed by a bounded queue, which also sends the
//! keep-alive pings. A connection that stays silent for two ping intervals is closed.

use std::{sync::Arc, time::Duration};

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use bytes::Bytes;
use futures_util::{SinkExt, StreamExt, stream::SplitSink};
use tokio::sync::mpsc;
use tracing::debug;

use super::{
    RoomError, SyncService,
    limiter::ConnectionPermit,
    participants::{Participant, Registration},
    peer::{Closer, PeerHandle, TOO_LARGE_TO_STORE, close_code},
    protocol::{self, DecodeError},
    rate_limit::RateLimit,
    room::RoomCommand,
};
use crate::canvas::CanvasId;

/// How long a single frame may take to write before the client counts as gone.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// Counts the connection as open for as long as it lives.
struct OpenGauge(Arc<crate::metrics::Metrics>);

impl Drop for OpenGauge {
    fn drop(&mut self) {
        self.0
            .open_connections
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Serves one upgraded WebSocket until either side closes it. `registration` was taken before
/// the access check (so a change since then has already closed it); `edits` counts the rounds in
/// which the participant's changes were stored.
pub async fn serve(
    socket: WebSocket,
    sync: Arc<SyncService>,
    canvas: CanvasId,
    participant: Participant,
    registration: Registration,
    edits: Arc<tokio::sync::watch::Sender<u64>>,
    permit: ConnectionPermit,
) {
    let _permit = permit;
    let ctx = sync.context().clone();
    ctx.metrics
        .open_connections
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let _gauge = OpenGauge(ctx.metrics.clone());
    let limits = ctx.limits.clone();

    let conn = registration.conn;
    let closer = registration.closer.clone();
    let (sink, mut stream) = socket.split();
    let (outbox, queue) = mpsc::channel(limits.send_queue.max(1));
    let writer = ctx
        .tasks
        .spawn(write(sink, queue, closer.clone(), limits.ping_interval()));

    let peer = PeerHandle {
        id: conn,
        identity: participant.identity.clone(),
        outbox,
        closer: closer.clone(),
        wants_saved: participant.wants_saved,
        read_only: participant.read_only,
        edits,
    };
    let room = match sync.join(&canvas, peer).await {
        Ok(room) => Some(room),
        Err(error) => {
            let (code, reason) = match error {
                RoomError::ShuttingDown | RoomError::Unloaded => (
                    close_code::TRY_AGAIN_LATER,
                    "De server is bezig; probeer het zo opnieuw.",
                ),
                RoomError::NotFound => (close_code::POLICY_VIOLATION, "Dit canvas bestaat niet."),
                RoomError::Damaged | RoomError::Storage => (
                    close_code::INTERNAL_ERROR,
                    "Dit canvas kan nu niet worden geladen.",
                ),
            };
            closer.close(code, reason);
            None
        }
    };

    if let Some(room) = room {
        let silence = limits.ping_interval() * 2;
        let mut rate = RateLimit::new(
            limits.client_messages_per_sec,
            limits.client_bytes_per_sec,
            limits.max_message_bytes,
        );
        loop {
            let frame = tokio::select! {
                _ = closer.closed() => break,
                frame = tokio::time::timeout(silence, stream.next()) => frame,
            };
            let data = match frame {
                Err(_) => {
                    debug!(conn, "no sign of life; closing");
                    closer.close(close_code::GOING_AWAY, "Geen antwoord op ping.");
                    break;
                }
                Ok(Some(Err(error))) => {
                    // A frame past the WebSocket layer's cap: say so, so the client does not send
                    // the same again and again.
                    if is_too_long(&error) {
                        let reason = if participant.read_only {
                            "Bericht is te groot."
                        } else {
                            TOO_LARGE_TO_STORE
                        };
                        closer.close(close_code::MESSAGE_TOO_BIG, reason);
                    }
                    break;
                }
                Ok(None) | Ok(Some(Ok(Message::Close(_)))) => break,
                Ok(Some(Ok(Message::Ping(_) | Message::Pong(_)))) => continue,
                Ok(Some(Ok(Message::Text(_)))) => {
                    closer.close(
                        close_code::UNSUPPORTED_DATA,
                        "Alleen binaire berichten zijn toegestaan.",
                    );
                    break;
                }
                Ok(Some(Ok(Message::Binary(data)))) => data,
            };
            // Offline work arrives as one large update; other messages are small.
            let editing = !participant.read_only && protocol::carries_update(&data);
            let limit = if editing {
                limits.max_update_bytes.max(limits.max_message_bytes)
            } else {
                limits.max_message_bytes
            };
            if data.len() > limit {
                let reason = if editing {
                    TOO_LARGE_TO_STORE
                } else {
                    "Bericht is te groot."
                };
                closer.close(close_code::MESSAGE_TOO_BIG, reason);
                break;
            }
            let pause = rate.take(data.len());
            if !pause.is_zero() {
                tokio::select! {
                    _ = closer.closed() => break,
                    _ = tokio::time::sleep(pause) => {}
                }
            }
            let message = match protocol::decode(&data) {
                Ok(message) => message,
                Err(error) => {
                    debug!(conn, %error, "refused a message");
                    let code = match error {
                        DecodeError::UnknownType(_) | DecodeError::UnknownSyncType(_) => {
                            close_code::UNSUPPORTED_DATA
                        }
                        DecodeError::InvalidUpdate => close_code::INVALID_PAYLOAD,
                        _ => close_code::PROTOCOL_ERROR,
                    };
                    closer.close(code, "Ongeldig bericht.");
                    break;
                }
            };
            if room
                .send(RoomCommand::Message { conn, message })
                .await
                .is_err()
            {
                break; // The room stopped; it has set the close reason.
            }
        }
        let _ = room.send(RoomCommand::Leave { conn }).await;
    }

    closer.close(close_code::NORMAL, "");
    let _ = writer.await;
    drop(registration);
}

/// Whether a read failed because a message or frame was larger than the WebSocket layer allows.
fn is_too_long(error: &axum::Error) -> bool {
    use tokio_tungstenite::tungstenite::Error;
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(error) = cause {
        if let Some(Error::Capacity(_)) = error.downcast_ref::<Error>() {
            return true;
        }
        cause = error.source();
    }
    false
}

/// Messages written before one flush at most.
const WRITE_BATCH: usize = 64;

/// Writes queued messages and pings until the connection is closed, then sends the close frame.
/// Whatever is queued is written together and flushed once: under load that is one system call
/// for many relayed updates instead of one each.
async fn write(
    mut sink: SplitSink<WebSocket, Message>,
    mut queue: mpsc::Receiver<Bytes>,
    closer: Closer,
    ping_every: Duration,
) {
    let mut ping = tokio::time::interval_at(tokio::time::Instant::now() + ping_every, ping_every);
    let mut batch = Vec::with_capacity(WRITE_BATCH);
    loop {
        tokio::select! {
            biased;
            _ = closer.closed() => break,
            received = queue.recv_many(&mut batch, WRITE_BATCH) => if received == 0 { break },
            _ = ping.tick() => {}
        };
        let messages: Vec<Message> = if batch.is_empty() {
            vec![Message::Ping(Bytes::new())]
        } else {
            batch.drain(..).map(Message::Binary).collect()
        };
        let write_all = async {
            for message in messages {
                sink.feed(message).await?;
            }
            sink.flush().await
        };
        // A client whose TCP window stays shut blocks the write; closing must not wait for it.
        let sent = tokio::select! {
            sent = tokio::time::timeout(WRITE_TIMEOUT, write_all) => matches!(sent, Ok(Ok(()))),
            _ = closer.closed() => false,
        };
        if !sent {
            closer.close(close_code::GOING_AWAY, "");
            break;
        }
    }
    let (code, reason) = closer.frame();
    let frame = CloseFrame {
        code,
        reason: reason.into(),
    };
    let _ = tokio::time::timeout(
        Duration::from_secs(1),
        sink.send(Message::Close(Some(frame))),
    )
    .await;
}
