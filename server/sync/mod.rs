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
        atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering},
    },
};

use tokio::{
    sync::{Notify, mpsc, oneshot},
    time::Instant,
};
use tokio_util::{sync::CancellationToken, task::TaskTracker};

use crate::tasks::Tasks;
use tracing::Instrument;

use crate::{
    canvas::{CanvasId, schema::CanvasContent},
    config::Limits,
    events::{Event, EventBus, Handler},
    ids::NodeId,
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
    /// This server process, among those sharing the database.
    pub node: NodeId,
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

/// The names of the people present per canvas, as the server stamped them in their awareness
/// state (`user.name`), per server process they are connected to. Rooms publish them (on every
/// process); the overview reads them. Another process's names fade when it stops renewing
/// them (it died); this process's own stay until its room says otherwise.
pub struct PresenceBoard {
    node: NodeId,
    fade_after: std::time::Duration,
    board: Mutex<HashMap<CanvasId, HashMap<NodeId, Names>>>,
}

/// The names a process announced for a canvas, and when.
type Names = (Vec<String>, Instant);

/// Rooms publish presence on the bus; the board keeps the latest per canvas and process.
impl Handler for PresenceBoard {
    fn handle(&self, event: &Event) {
        if let Event::PresenceChanged {
            canvas,
            node,
            names,
        } = event
        {
            self.set(canvas, *node, names.clone());
        }
    }
}

impl PresenceBoard {
    pub fn new(node: NodeId, fade_after: std::time::Duration) -> Self {
        Self {
            node,
            fade_after,
            board: Mutex::default(),
        }
    }

    fn set(&self, id: &CanvasId, node: NodeId, names: Vec<String>) {
        if let Ok(mut board) = self.board.lock() {
            let nodes = board.entry(id.clone()).or_default();
            if names.is_empty() {
                nodes.remove(&node);
            } else {
                nodes.insert(node, (names, Instant::now()));
            }
            // What processes that died (or stopped without saying so) left behind goes here,
            // so the board does not grow with every restart elsewhere.
            nodes.retain(|n, (_, at)| *n == self.node || at.elapsed() < self.fade_after);
            if nodes.is_empty() {
                board.remove(id);
            }
        }
    }

    /// The names on a canvas, sorted; empty when nobody is there.
    pub fn names(&self, id: &str) -> Vec<String> {
        let Ok(id) = id.parse::<CanvasId>() else {
            return Vec::new();
        };
        let Ok(board) = self.board.lock() else {
            return Vec::new();
        };
        let mut names: Vec<String> = board
            .get(&id)
            .into_iter()
            .flatten()
            .filter(|(node, (_, at))| **node == self.node || at.elapsed() < self.fade_after)
            .flat_map(|(_, (names, _))| names.iter().cloned())
            .collect();
        names.sort();
        names
    }
}

/// What a loaded room hears of commits to its canvas made elsewhere: by another server process
/// (through the event bus), or by itself. Lossless however often it is told: the highest
/// position heard and a flag, and one wake-up for the room's loop.
#[derive(Default)]
pub struct Head {
    /// The highest log position heard of.
    upto: AtomicI64,
    /// Commits may have been missed (the bus lost its connection, a read failed): read the log
    /// after what the document holds, whatever was heard.
    resync: AtomicBool,
    wake: Notify,
}

impl Head {
    /// The canvas's log has entries up to `upto`.
    pub fn committed(&self, upto: i64) {
        self.upto.fetch_max(upto, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// Commits may have been missed: the room reads the log at once.
    pub fn resync(&self) {
        self.resync.store(true, Ordering::SeqCst);
        self.wake.notify_one();
    }

    /// The read failed: the room reads again on its next sweep.
    fn retry_later(&self) {
        self.resync.store(true, Ordering::SeqCst);
    }

    /// Whether the log may hold entries after `applied`; clears the resync flag.
    fn behind(&self, applied: i64) -> bool {
        self.resync.swap(false, Ordering::SeqCst) || self.upto.load(Ordering::SeqCst) > applied
    }
}

/// A loaded room: its incarnation, its queue and what it hears of commits.
struct Loaded {
    generation: u64,
    queue: mpsc::Sender<RoomCommand>,
    head: Arc<Head>,
}

type RoomMap = Arc<Mutex<HashMap<CanvasId, Loaded>>>;

/// Tells loaded rooms what happened to their canvas on other processes (the bus carries it):
/// commits, whose new entries they read and relay, and presence.
struct Elsewhere {
    rooms: RoomMap,
    node: NodeId,
}

impl Handler for Elsewhere {
    fn handle(&self, event: &Event) {
        let Ok(rooms) = self.rooms.lock() else { return };
        match event {
            Event::CanvasUpdated { canvas, upto_seq } => {
                if let Some(room) = rooms.get(canvas) {
                    room.head.committed(*upto_seq);
                }
            }
            Event::EventsMissed => rooms.values().for_each(|room| room.head.resync()),
            // Presence renews itself: a message that finds the queue full is dropped, the
            // next renewal brings it.
            Event::PresenceStates {
                canvas,
                node,
                states,
            } if *node != self.node => {
                if let Some(room) = rooms.get(canvas) {
                    let _ = room
                        .queue
                        .try_send(RoomCommand::RemotePresence(states.clone()));
                }
            }
            Event::PresenceAsked { canvas, node } if *node != self.node => {
                if let Some(room) = rooms.get(canvas) {
                    let _ = room.queue.try_send(RoomCommand::PresenceAsked);
                }
            }
            _ => {}
        }
    }
}

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
        node: NodeId,
    ) -> Self {
        let participants = Arc::new(Participants::default());
        // Rooms renew their names three times per awareness timeout.
        let presence = Arc::new(PresenceBoard::new(node, limits.awareness_timeout()));
        let rooms = RoomMap::default();
        events.handle_with(participants.clone());
        events.handle_with(presence.clone());
        events.handle_with(Arc::new(Elsewhere {
            rooms: rooms.clone(),
            node,
        }));
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
            node,
            compacting: Compacting::default(),
            #[cfg(test)]
            faults: doc::Faults::default(),
        };
        Self {
            ctx: Arc::new(ctx),
            rooms,
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
        if let Some(room) = rooms.get(id)
            && !room.queue.is_closed()
        {
            return Ok(room.queue.clone());
        }
        let generation = self.next_room.fetch_add(1, Ordering::Relaxed);
        let (tx, rx) = mpsc::channel(ROOM_QUEUE);
        // Registered before the room loads: a commit heard from now on is either in what it
        // loads or reaches its head.
        let head = Arc::new(Head::default());
        let loaded = Loaded {
            generation,
            queue: tx.clone(),
            head: head.clone(),
        };
        rooms.insert(id.clone(), loaded);
        let (id, ctx, registry) = (id.clone(), self.ctx.clone(), self.rooms.clone());
        let span = tracing::info_span!("canvas", canvas_id = %id);
        self.ctx.tasks.spawn(
            async move {
                let _ = room::run(id.clone(), ctx, rx, head).await;
                // Forget the room unless a newer one already took its place.
                if let Ok(mut rooms) = registry.lock()
                    && rooms
                        .get(&id)
                        .is_some_and(|room| room.generation == generation)
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
