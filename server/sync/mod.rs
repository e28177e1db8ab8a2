//! Live co-editing: the y-websocket protocol, rooms, persistence and the WebSocket transport.
//!
//! - [`protocol`] and [`awareness`] are sans-IO: bytes in, values out, tested without sockets.
//! - [`doc`] wraps a canvas's yrs document behind a panic guard.
//! - [`room`] is the actor of one loaded canvas; [`SyncService`] finds or starts rooms.
//! - [`persister`] group-commits the updates of all rooms.
//! - [`connection`] moves bytes between one WebSocket and its room.

pub mod awareness;
pub mod connection;
pub mod doc;
pub mod limiter;
pub mod participants;
pub mod peer;
pub mod persister;
pub mod protocol;
pub mod rate_limit;
pub mod room;
pub mod update_ids;

use std::{
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
};

use tokio::sync::{mpsc, oneshot};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::tasks::Tasks;
use tracing::Instrument;

use crate::{
    canvas::{CanvasId, schema::CanvasContent},
    config::Limits,
    events::{Event, EventBus, Handler},
    metrics::Metrics,
    store::Canvases,
};
use limiter::ConnectionLimiter;
use participants::Participants;
use peer::PeerHandle;
use persister::Persister;
use room::RoomCommand;

/// Commands waiting for a room at most; senders wait when it is full.
const ROOM_QUEUE: usize = 1024;
/// Attempts to reach a room that unloads at the very moment it is asked for.
const ATTEMPTS: usize = 5;

/// Why a canvas could not be served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RoomError {
    #[error("canvas does not exist")]
    NotFound,
    #[error("stored canvas state is damaged")]
    Damaged,
    #[error("database unavailable")]
    Storage,
    #[error("server is shutting down")]
    ShuttingDown,
    /// The room stopped while the request waited; asking again starts a fresh one.
    #[error("canvas was unloaded")]
    Unloaded,
}

/// What every room shares.
pub struct SyncContext {
    pub store: Arc<dyn Canvases>,
    pub persister: Persister,
    pub metrics: Arc<Metrics>,
    pub limits: Limits,
    pub shutdown: CancellationToken,
    /// Every task of the service, so that shutdown can wait for all of them.
    pub tasks: TaskTracker,
    /// Who is on which canvas right now, for the overview (kept from the bus's presence events).
    pub presence: Arc<PresenceBoard>,
    /// Where rooms publish presence and committed updates.
    pub events: Arc<dyn EventBus>,
    /// Canvases whose compaction is being written. Shared by every incarnation of a room, so a
    /// room that loads while its predecessor's compaction is still running waits its turn.
    pub compacting: Compacting,
    /// Calls into yrs that are to panic, for the rooms' tests.
    #[cfg(test)]
    pub faults: doc::Faults,
}

/// Single-flight compaction per canvas across room incarnations.
#[derive(Default)]
pub struct Compacting(Arc<Mutex<std::collections::HashSet<CanvasId>>>);

/// Holds the canvas's compaction slot until dropped (when the compaction task ends).
pub struct CompactionSlot {
    set: Arc<Mutex<std::collections::HashSet<CanvasId>>>,
    id: CanvasId,
}

impl Compacting {
    /// The canvas's slot, unless a compaction of it is still running.
    pub fn claim(&self, id: &CanvasId) -> Option<CompactionSlot> {
        let mut set = self.0.lock().ok()?;
        set.insert(id.clone()).then(|| CompactionSlot {
            set: self.0.clone(),
            id: id.clone(),
        })
    }
}

impl Drop for CompactionSlot {
    fn drop(&mut self) {
        if let Ok(mut set) = self.set.lock() {
            set.remove(&self.id);
        }
    }
}

/// The names of the people present per loaded canvas, as their clients announce them in their
/// awareness state (`user.name`). Rooms write it; the overview reads it.
#[derive(Default)]
pub struct PresenceBoard(Mutex<HashMap<CanvasId, Vec<String>>>);

/// Rooms publish presence on the bus; the board keeps the latest per canvas.
impl Handler for PresenceBoard {
    fn handle(&self, event: &Event) {
        if let Event::PresenceChanged { canvas, names } = event {
            self.set(canvas, names.clone());
        }
    }
}

impl PresenceBoard {
    fn set(&self, id: &CanvasId, names: Vec<String>) {
        if let Ok(mut board) = self.0.lock() {
            if names.is_empty() {
                board.remove(id);
            } else {
                board.insert(id.clone(), names);
            }
        }
    }

    /// The names on a canvas, sorted; empty when nobody is there.
    pub fn names(&self, id: &str) -> Vec<String> {
        let Ok(id) = id.parse::<CanvasId>() else {
            return Vec::new();
        };
        self.0
            .lock()
            .ok()
            .and_then(|board| board.get(&id).cloned())
            .unwrap_or_default()
    }
}

type RoomMap = Arc<Mutex<HashMap<CanvasId, (u64, mpsc::Sender<RoomCommand>)>>>;

/// Finds or starts the room of a canvas and tracks every task of the sync service.
pub struct SyncService {
    ctx: Arc<SyncContext>,
    rooms: RoomMap,
    next_room: AtomicU64,
    next_conn: AtomicU64,
    pub limiter: ConnectionLimiter,
    /// Open connections by account and credential.
    pub participants: Arc<Participants>,
    persister_stop: CancellationToken,
    persister_task: Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl SyncService {
    /// Starts the persister; the service's participants and presence board listen on `events`;
    /// its rooms and connections run as `tasks` of the app.
    pub fn new(
        store: Arc<dyn Canvases>,
        metrics: Arc<Metrics>,
        limits: Limits,
        events: Arc<dyn EventBus>,
        tasks: Tasks,
    ) -> Self {
        let participants = Arc::new(Participants::default());
        let presence = Arc::new(PresenceBoard::default());
        events.handle_with(participants.clone());
        events.handle_with(presence.clone());
        let persister_stop = CancellationToken::new();
        let (persister, persister_task) =
            Persister::spawn(store.clone(), metrics.clone(), persister_stop.clone());
        let limiter = ConnectionLimiter::new(limits.max_connections_per_ip);
        let ctx = SyncContext {
            store,
            persister,
            metrics,
            limits,
            shutdown: tasks.stopping,
            tasks: tasks.tracker,
            presence,
            events,
            compacting: Compacting::default(),
            #[cfg(test)]
            faults: doc::Faults::default(),
        };
        Self {
            ctx: Arc::new(ctx),
            rooms: RoomMap::default(),
            next_room: AtomicU64::new(1),
            next_conn: AtomicU64::new(1),
            limiter,
            participants,
            persister_stop,
            persister_task: Mutex::new(Some(persister_task)),
        }
    }

    pub fn context(&self) -> &Arc<SyncContext> {
        &self.ctx
    }

    pub fn tasks(&self) -> &TaskTracker {
        &self.ctx.tasks
    }

    pub fn next_conn_id(&self) -> u64 {
        self.next_conn.fetch_add(1, Ordering::Relaxed)
    }

    /// The queue of the canvas's room, starting the room if it is not loaded.
    fn room(&self, id: &CanvasId) -> Result<mpsc::Sender<RoomCommand>, RoomError> {
        if self.ctx.shutdown.is_cancelled() {
            return Err(RoomError::ShuttingDown);
        }
        let mut rooms = self.rooms.lock().map_err(|_| RoomError::ShuttingDown)?;
        if let Some((_, tx)) = rooms.get(id)
            && !tx.is_closed()
        {
            return Ok(tx.clone());
        }
        let generation = self.next_room.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        rooms.insert(id.clone(), (generation, tx.clone()));
        let (id, ctx, registry) = (id.clone(), self.ctx.clone(), self.rooms.clone());
        let span = tracing::info_span!("canvas", canvas_id = %id);
        self.ctx.tasks.spawn(
            async move {
                let _ = room::run(id.clone(), ctx, rx).await;
                // Forget the room unless a newer one already took its place.
                if let Ok(mut rooms) = registry.lock()
                    && rooms.get(&id).is_some_and(|(g, _)| *g == generation)
                {
                    rooms.remove(&id);
                }
            }
            .instrument(span),
        );
        Ok(tx)
    }

    /// Sends a command built by `make` and awaits its reply, retrying on a room that unloaded
    /// in between.
    async fn ask<T>(
        &self,
        id: &CanvasId,
        make: impl Fn(oneshot::Sender<Result<T, RoomError>>) -> RoomCommand,
    ) -> Result<(T, mpsc::Sender<RoomCommand>), RoomError> {
        for _ in 0..ATTEMPTS {
            let tx = self.room(id)?;
            let (reply, answer) = oneshot::channel();
            if tx.send(make(reply)).await.is_err() {
                continue;
            }
            match answer.await {
                Ok(Ok(value)) => return Ok((value, tx)),
                Ok(Err(RoomError::Unloaded)) | Err(_) => continue,
                Ok(Err(error)) => return Err(error),
            }
        }
        Err(RoomError::Unloaded)
    }

    /// Adds a connection to the canvas's room; returns the room's queue for its messages.
    pub async fn join(
        &self,
        id: &CanvasId,
        peer: PeerHandle,
    ) -> Result<mpsc::Sender<RoomCommand>, RoomError> {
        let (_, tx) = self
            .ask(id, |done| RoomCommand::Join {
                peer: peer.clone(),
                done,
            })
            .await?;
        Ok(tx)
    }

    /// The canvas's current content, with the label of its record.
    pub async fn content(&self, id: &CanvasId) -> Result<CanvasContent, RoomError> {
        let (mut content, _) = self
            .ask(id, |reply| RoomCommand::ReadContent { reply })
            .await?;
        content.label = self.label(id).await?;
        Ok(content)
    }

    /// The canvas's anonymous label, from its record.
    pub async fn label(&self, id: &CanvasId) -> Result<String, RoomError> {
        match self.ctx.store.canvas_label(id).await {
            Ok(Some(label)) => Ok(label),
            Ok(None) => Err(RoomError::NotFound),
            Err(error) => {
                tracing::error!(%error, "reading a canvas label failed");
                Err(RoomError::Storage)
            }
        }
    }

    /// The canvas's whole document as one Yjs update (v1), as stored: for a frozen copy.
    pub async fn snapshot(&self, id: &CanvasId) -> Result<Vec<u8>, RoomError> {
        let (snapshot, _) = self
            .ask(id, |reply| RoomCommand::ReadSnapshot { reply })
            .await?;
        Ok(snapshot)
    }

    /// Asks every room and connection to finish (they share the app's shutdown signal).
    pub fn shutdown(&self) {
        self.ctx.shutdown.cancel();
    }

    /// Waits until every task of the app (rooms and connections among them) has ended, then
    /// until the persister committed the last updates: it stops last, after everything that
    /// could still hand it updates.
    pub async fn wait_stopped(&self) {
        self.ctx.tasks.close();
        self.ctx.tasks.wait().await;
        self.persister_stop.cancel();
        let task = self.persister_task.lock().ok().and_then(|mut t| t.take());
        if let Some(task) = task {
            let _ = task.await;
        }
    }
}
