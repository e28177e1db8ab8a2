//! The bus of several server processes on one PostgreSQL database.
//!
//! Every event is handled and followed in the publishing process exactly as on the
//! [`LocalBus`], and sent to the other processes with `NOTIFY`; what they send arrives through one
//! listening connection (`LISTEN`) and is published on this process's local bus as if it had
//! happened here. So a handler (closing the sockets of someone whose access was taken away) acts
//! on whichever process holds the socket, and a page open on one process follows what happens
//! on another.
//!
//! - Commits to a canvas's log are not sent by the bus: the committing transaction announces
//!   them itself ([`COMMIT_CHANNEL`]), so that no process hears of a commit that did not happen,
//!   and none misses one because the committer died before it could tell.
//! - A notification carries ids and facts, never content, and stays far below PostgreSQL's
//!   8,000-byte limit; one that would not is dropped with a warning (an access change on a
//!   canvas is sent without its list of accounts to keep instead, which closes more).
//! - Access, workflow and meeting events are tried again until the database takes them;
//!   presence events, which renew themselves, are sent once and dropped when the database
//!   cannot keep up.
//! - An event is sent after its use case committed, from this process's memory: a process
//!   killed in between (normally well under a millisecond) takes it along, and the other
//!   processes close the connections it concerns at their next re-check
//!   (`services::recheck`). A process that stops gracefully sends what it holds first
//!   ([`EventBus::flush`]).
//! - Notifications are not kept while the listening connection is down. When it comes back,
//!   [`Event::EventsMissed`] is published here: loaded canvases read their log again, so a
//!   missed notification never means a missed update.

use std::{sync::Arc, time::Duration};

use serde::{Deserialize, Serialize};
use sqlx::{PgPool, postgres::PgListener};
use tokio::sync::{broadcast, mpsc};
use tokio_util::sync::CancellationToken;

use super::{AccessChange, Event, EventBus, Handler, LocalBus, Topic};
use crate::{
    ids::NodeId,
    store::postgres::{COMMIT_CHANNEL, parse_commit_notice},
};

/// The channel of every event but commits.
pub const EVENTS_CHANNEL: &str = "doorbraak_events";

/// The longest notification sent; PostgreSQL refuses 8,000 bytes and more.
const MAX_PAYLOAD: usize = 7_500;

/// How long the listener waits before it tries again after losing the database.
const RETRY: Duration = Duration::from_secs(1);

/// An event as it travels: with the process it comes from, which ignores its own.
#[derive(Serialize, Deserialize)]
struct Wire {
    from: NodeId,
    event: Event,
}

/// Presence events waiting to be sent at most; presence renews itself, so more are dropped.
const PRESENCE_QUEUE: usize = 1024;

/// The longest wait between two attempts to send an event that must arrive.
const MAX_RETRY: Duration = Duration::from_secs(30);

/// The bus of one process among several on one PostgreSQL database.
pub struct PostgresBus {
    local: Arc<LocalBus>,
    node: NodeId,
    /// Access, workflow and meeting events: few (one per use case), and each must arrive, so
    /// they are kept and retried until sent, ahead of presence.
    must_arrive: mpsc::UnboundedSender<String>,
    /// Presence: many (every cursor move), bounded, dropped when the database cannot keep up.
    presence: mpsc::Sender<String>,
    /// Tells the sender to end once both queues are empty; and the sender, to wait for it.
    closing: CancellationToken,
    sender: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl PostgresBus {
    /// Starts the sender and the listener of process `node` on `pool`, and returns once the
    /// listener listens (or its first attempt failed: it then keeps trying, and tells this
    /// process what it may have missed once it listens). The listener ends when `stopping` is
    /// cancelled, the sender once [`EventBus::flush`] asked it to and what it holds is sent.
    pub async fn start(pool: PgPool, node: NodeId, stopping: CancellationToken) -> Self {
        let local = Arc::new(LocalBus::default());
        let (must_arrive, important) = mpsc::unbounded_channel();
        let (presence, presence_queue) = mpsc::channel(PRESENCE_QUEUE);
        let closing = CancellationToken::new();
        let sender = tokio::spawn(send(
            pool.clone(),
            important,
            presence_queue,
            closing.clone(),
        ));
        let listener = match subscribe(&pool).await {
            Ok(listener) => Some(listener),
            Err(error) => {
                tracing::warn!(%error, "could not listen to the other processes; trying again");
                None
            }
        };
        tokio::spawn(listen(pool, listener, local.clone(), node, stopping));
        Self {
            local,
            node,
            must_arrive,
            presence,
            closing,
            sender: std::sync::Mutex::new(Some(sender)),
        }
    }
}

impl EventBus for PostgresBus {
    fn publish(&self, event: Event) {
        let shared = !matches!(event, Event::CanvasUpdated { .. } | Event::EventsMissed);
        if shared {
            self.share(&event);
        }
        self.local.publish(event);
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Event> {
        self.local.subscribe(topic)
    }

    fn handle_with(&self, handler: Arc<dyn Handler>) {
        self.local.handle_with(handler);
    }

    /// The last presence removals of the rooms, and an access change published just before the
    /// stop, reach the other processes now instead of fading or waiting for their re-check. A
    /// database that does not answer within `within` gets nothing more.
    fn flush(
        &self,
        within: Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        self.closing.cancel();
        let sender = self.sender.lock().ok().and_then(|mut sender| sender.take());
        Box::pin(async move {
            let Some(sender) = sender else { return };
            if tokio::time::timeout(within, sender).await.is_err() {
                tracing::warn!("events for the other processes were not all sent before stopping");
            }
        })
    }
}

impl PostgresBus {
    /// Queues `event` for the other processes.
    fn share(&self, event: &Event) {
        let presence = event.topic() == Topic::Presence;
        let Some(payload) = self.encode(event) else {
            return;
        };
        if presence {
            // Full: the database is behind; the next renewal says it again.
            let _ = self.presence.try_send(payload);
        } else {
            let _ = self.must_arrive.send(payload);
        }
    }

    /// The notification for `event`, within PostgreSQL's limit. An access change on a canvas
    /// whose list of accounts to keep is too long goes without the list: the other processes
    /// then close every connection to the canvas, and those who keep access reconnect.
    fn encode(&self, event: &Event) -> Option<String> {
        let encode = |event: &Event| {
            let wire = Wire {
                from: self.node,
                event: event.clone(),
            };
            serde_json::to_string(&wire)
                .map_err(|error| tracing::warn!(%error, "an event could not be encoded"))
                .ok()
        };
        let payload = encode(event)?;
        if payload.len() <= MAX_PAYLOAD {
            return Some(payload);
        }
        if let Event::AccessChanged(AccessChange::Canvas { canvas, .. }) = event {
            return encode(&Event::AccessChanged(AccessChange::Canvas {
                canvas: canvas.clone(),
                keep: Vec::new(),
            }));
        }
        tracing::warn!(
            bytes = payload.len(),
            topic = ?event.topic(),
            "an event is too large to share with the other processes"
        );
        None
    }
}

/// Sends the queued events, those that must arrive first and in the order they were
/// published; one that must arrive is tried again (waiting longer each time, up to
/// [`MAX_RETRY`]) until it is sent, a presence event only once.
async fn send(
    pool: PgPool,
    mut must_arrive: mpsc::UnboundedReceiver<String>,
    mut presence: mpsc::Receiver<String>,
    closing: CancellationToken,
) {
    loop {
        let (payload, must) = tokio::select! {
            biased;
            Some(payload) = must_arrive.recv() => (payload, true),
            Some(payload) = presence.recv() => (payload, false),
            // Only once both queues are empty (the select is biased).
            _ = closing.cancelled() => return,
            else => return,
        };
        let mut wait = RETRY;
        loop {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(EVENTS_CHANNEL)
                .bind(&payload)
                .execute(&pool)
                .await;
            match sent {
                Ok(_) => break,
                Err(error) if must => {
                    tracing::warn!(%error, "sharing an event failed; trying again");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(MAX_RETRY);
                }
                Err(error) => {
                    tracing::debug!(%error, "a presence event was not shared");
                    break;
                }
            }
        }
    }
}

/// Follows the other processes' events and commits until `stopping`; reconnects whenever the
/// connection drops, and then tells this process that it may have missed some.
async fn listen(
    pool: PgPool,
    listener: Option<PgListener>,
    local: Arc<LocalBus>,
    node: NodeId,
    stopping: CancellationToken,
) {
    let mut listener = match listener {
        Some(listener) => listener,
        None => loop {
            tokio::select! {
                _ = stopping.cancelled() => return,
                _ = tokio::time::sleep(RETRY) => {}
            }
            if let Ok(listener) = subscribe(&pool).await {
                // The server may have served meanwhile, without hearing the others.
                local.publish(Event::EventsMissed);
                break listener;
            }
        },
    };
    let mut down = false;
    loop {
        if down {
            // Reconnected (and listening again) once a statement on its connection succeeds.
            match sqlx::query("SELECT 1").execute(&mut listener).await {
                Ok(_) => {
                    down = false;
                    tracing::info!("listening to the other processes again");
                    local.publish(Event::EventsMissed);
                }
                Err(_) => {
                    tokio::select! {
                        _ = stopping.cancelled() => return,
                        _ = tokio::time::sleep(RETRY) => {}
                    }
                    continue;
                }
            }
        }
        let next = tokio::select! {
            _ = stopping.cancelled() => return,
            next = listener.try_recv() => next,
        };
        match next {
            Ok(Some(notification)) => {
                if let Some(event) = decode(notification.channel(), notification.payload(), node) {
                    local.publish(event);
                }
            }
            // The connection dropped and was made again, listening, before this returned.
            Ok(None) => {
                tracing::warn!("the connection listening to the other processes dropped");
                local.publish(Event::EventsMissed);
            }
            Err(error) => {
                tracing::warn!(%error, "lost the connection listening to the other processes");
                down = true;
            }
        }
    }
}

async fn subscribe(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener
        .listen_all([EVENTS_CHANNEL, COMMIT_CHANNEL])
        .await?;
    Ok(listener)
}

/// The event a notification carries, unless it is this process's own or not understood.
fn decode(channel: &str, payload: &str, node: NodeId) -> Option<Event> {
    if channel == COMMIT_CHANNEL {
        let (canvas, upto_seq) = parse_commit_notice(payload)?;
        return Some(Event::CanvasUpdated { canvas, upto_seq });
    }
    match serde_json::from_str::<Wire>(payload) {
        Ok(wire) if wire.from == node => None,
        Ok(wire) => Some(wire.event),
        Err(error) => {
            tracing::warn!(%error, "an event from another process was not understood");
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{events::AccessChange, ids::AccountId};

    #[test]
    fn events_travel_as_json_and_a_process_ignores_its_own() {
        let node = NodeId(7);
        let wire = Wire {
            from: NodeId(8),
            event: Event::AccessChanged(AccessChange::Account(AccountId(3))),
        };
        let payload = serde_json::to_string(&wire).expect("encode");
        assert!(matches!(
            decode(EVENTS_CHANNEL, &payload, node),
            Some(Event::AccessChanged(AccessChange::Account(AccountId(3))))
        ));
        assert!(
            decode(EVENTS_CHANNEL, &payload, NodeId(8)).is_none(),
            "its own"
        );
        assert!(decode(EVENTS_CHANNEL, "{\"kapot\":1}", node).is_none());
        let canvas = crate::canvas::CanvasId::random();
        let commit = format!("{canvas} 42");
        assert!(matches!(
            decode(COMMIT_CHANNEL, &commit, node),
            Some(Event::CanvasUpdated { canvas: c, upto_seq: 42 }) if c == canvas
        ));
        assert!(decode(COMMIT_CHANNEL, "geen-canvas 1", node).is_none());
    }
}
