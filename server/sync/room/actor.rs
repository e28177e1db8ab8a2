//! The room's actor: the task that runs one loaded canvas around its sans-IO [`RoomCore`].
//!
//! It takes commands off the room's queue in rounds, feeds them to the core and carries out the
//! plans: it has the persister commit each round before anything of it is sent, delivers to
//! peers without ever waiting on one (a peer that falls behind is disconnected), spawns
//! compactions through the canvas's single-flight slot, keeps the metrics and publishes presence
//! for the overview. It also loads the canvas, and stops the room when it is idle, broken or shut
//! down.

use std::{
    ops::ControlFlow,
    sync::{Arc, atomic::Ordering},
    time::Instant,
};

use bytes::Bytes;
use tokio::sync::mpsc;
use tracing::{Instrument, debug, error, warn};

use super::{
    RoomCommand,
    core::{Input, RoomCore},
    plan::{Compaction, Now, Outgoing, Plan},
};
use crate::{
    canvas::CanvasId,
    events::{Event, PresenceState},
    sync::{
        Head, RoomError, SyncContext,
        awareness::ConnId,
        doc::CanvasDoc,
        peer::{PeerHandle, close_code},
    },
};

/// Commands taken in one round at most.
const MAX_ROUND: usize = 256;

/// Bytes of presence states shared in one event at most: a notification between processes must
/// stay below 8,000 bytes with the event around them, and JSON escaping can double a state.
const SHARED_PRESENCE_BYTES: usize = 3_000;

/// A loaded canvas: its core and what the room shares with every other.
pub struct Room {
    core: RoomCore,
    ctx: Arc<SyncContext>,
    /// What the room hears of commits to its canvas by other server processes.
    head: Arc<Head>,
}

/// Loads the canvas and runs its room until it is unloaded, broken or shut down.
///
/// On a load failure every waiting command gets the error and the stored rows stay untouched:
/// a canvas that cannot be read is never served, so it can never be overwritten by an empty one.
pub async fn run(
    id: CanvasId,
    ctx: Arc<SyncContext>,
    mut rx: mpsc::Receiver<RoomCommand>,
    head: Arc<Head>,
) -> Result<(), RoomError> {
    let room = match load(&id, &ctx, head).await {
        Ok(room) => room,
        Err(error) => {
            refuse_queued(&mut rx, error.clone()).await;
            return Err(error);
        }
    };
    ctx.metrics.loaded_canvases.fetch_add(1, Ordering::Relaxed);
    // The rooms of the canvas on other processes tell this one who is there.
    ctx.events.publish(Event::PresenceAsked {
        canvas: id.clone(),
        node: ctx.node,
    });
    room.run(&mut rx).await;
    ctx.metrics.loaded_canvases.fetch_sub(1, Ordering::Relaxed);
    ctx.events.publish(Event::PresenceChanged {
        canvas: id.clone(),
        node: ctx.node,
        names: Vec::new(),
    });
    // Whatever is still queued was sent to a room that no longer exists: refuse it so that
    // joiners retry on a fresh room.
    refuse_queued(&mut rx, RoomError::Unloaded).await;
    Ok(())
}

/// Closes the queue and answers every waiting request with `error`.
async fn refuse_queued(rx: &mut mpsc::Receiver<RoomCommand>, error: RoomError) {
    rx.close();
    while let Some(command) = rx.recv().await {
        match command {
            RoomCommand::Join { done, .. } => drop(done.send(Err(error.clone()))),
            RoomCommand::ReadContent { reply } => drop(reply.send(Err(error.clone()))),
            RoomCommand::ReadSnapshot { reply } => drop(reply.send(Err(error.clone()))),
            RoomCommand::Leave { .. }
            | RoomCommand::Message { .. }
            | RoomCommand::RemotePresence(_)
            | RoomCommand::PresenceAsked => {}
        }
    }
}

async fn load(id: &CanvasId, ctx: &Arc<SyncContext>, head: Arc<Head>) -> Result<Room, RoomError> {
    let stored = match ctx.store.load_canvas(id).await {
        Ok(Some(stored)) => stored,
        Ok(None) => return Err(RoomError::NotFound),
        Err(error) => {
            error!(%error, "loading the canvas from the database failed");
            return Err(RoomError::Storage);
        }
    };
    #[allow(unused_mut)] // Mutated in tests only, to inject faults.
    let mut doc = CanvasDoc::load(&stored).map_err(|error| {
        error!(%error, "stored canvas state is damaged; the canvas stays unloaded and its rows untouched");
        RoomError::Damaged
    })?;
    #[cfg(test)]
    {
        doc.faults = ctx.faults.clone();
    }
    Ok(Room {
        core: RoomCore::new(id.clone(), doc, &stored, &ctx.limits),
        ctx: ctx.clone(),
        head,
    })
}

impl Room {
    async fn run(mut self, rx: &mut mpsc::Receiver<RoomCommand>) {
        let timeout = self.ctx.limits.awareness_timeout();
        let mut sweep =
            tokio::time::interval((timeout / 3).max(std::time::Duration::from_millis(200)));
        let mut idle_since = tokio::time::Instant::now();
        loop {
            let idle_deadline = idle_since + self.ctx.limits.idle_unload();
            let unload = !self.core.has_peers();
            tokio::select! {
                biased;
                _ = self.ctx.shutdown.cancelled() => {
                    let plan = self.core.step(Input::Shutdown);
                    self.act_now(plan.now);
                    self.share_presence(plan.share);
                    return;
                }
                command = rx.recv() => {
                    let Some(command) = command else { return };
                    let mut round = vec![command];
                    while round.len() < MAX_ROUND {
                        match rx.try_recv() {
                            Ok(command) => round.push(command),
                            Err(_) => break,
                        }
                    }
                    if self.round(round).await.is_break() {
                        return;
                    }
                    if !self.core.has_peers() {
                        idle_since = tokio::time::Instant::now();
                    }
                }
                _ = self.head.wake.notified() => {
                    if self.catch_up_if_behind().await.is_break() {
                        return;
                    }
                }
                _ = sweep.tick() => {
                    let plan = self.core.step(Input::Sweep { now: Instant::now(), timeout });
                    if self.carry_out(plan).is_break() {
                        return;
                    }
                    self.renew_presence();
                    // A catch-up that failed is tried again here.
                    if self.catch_up_if_behind().await.is_break() {
                        return;
                    }
                }
                _ = tokio::time::sleep_until(idle_deadline), if unload => {
                    debug!("unloading idle canvas");
                    return;
                }
            }
        }
    }

    /// Handles one round of commands: apply, commit, then send. Breaks when the room must stop
    /// (its document can no longer be trusted, or it is ahead of the database); it is then
    /// reloaded on demand.
    async fn round(&mut self, commands: Vec<RoomCommand>) -> ControlFlow<()> {
        let plan = self.core.step(Input::Round(commands));
        debug_assert!(plan.send.is_empty(), "a round sends only once committed");
        if plan.updates_received > 0 {
            self.ctx
                .metrics
                .updates_received
                .fetch_add(plan.updates_received, Ordering::Relaxed);
        }
        self.act_now(plan.now);
        let outcome = match plan.persist {
            None => Input::Committed(None),
            Some(batch) => {
                match self.ctx.persister.append(batch).await {
                    Ok(upto_seq) => {
                        self.ctx.events.publish(Event::CanvasUpdated {
                            canvas: self.core.id().clone(),
                            upto_seq,
                        });
                        Input::Committed(Some(upto_seq))
                    }
                    Err(error) => {
                        // The document in memory is now ahead of the database. Drop it: clients
                        // reconnect, the room reloads what is stored and the clients send back what
                        // it lacks.
                        error!(%error, "updates could not be stored; closing the canvas so clients resync");
                        Input::CommitFailed
                    }
                }
            }
        };
        let plan = self.core.step(outcome);
        let catch_up = plan.catch_up;
        self.carry_out(plan)?;
        if catch_up {
            return self.catch_up().await;
        }
        ControlFlow::Continue(())
    }

    /// Reads and relays what other processes committed to the canvas, if the room heard of
    /// entries it lacks.
    async fn catch_up_if_behind(&mut self) -> ControlFlow<()> {
        if self.head.behind(self.core.applied()) {
            return self.catch_up().await;
        }
        ControlFlow::Continue(())
    }

    /// Reads the log after what the document holds and feeds it to the core, which relays it.
    /// A read that fails is tried again on the next sweep; nothing is lost meanwhile, the
    /// entries stay in the log.
    async fn catch_up(&mut self) -> ControlFlow<()> {
        let read = self
            .ctx
            .store
            .load_canvas_after(self.core.id(), self.core.applied());
        // Only a read: a stop does not wait for a database that is slow to answer it (the loop
        // then stops the room).
        let read = tokio::select! {
            read = read => read,
            _ = self.ctx.shutdown.cancelled() => return ControlFlow::Continue(()),
        };
        match read {
            Ok(Some(tail)) => {
                let plan = self.core.step(Input::Foreign(tail));
                self.carry_out(plan)
            }
            Ok(None) => {
                warn!("the canvas no longer exists; unloading it");
                let plan = self.core.step(Input::Shutdown);
                self.act_now(plan.now);
                self.share_presence(plan.share);
                ControlFlow::Break(())
            }
            Err(error) => {
                warn!(%error, "reading what other processes committed failed; trying again");
                self.head.retry_later();
                ControlFlow::Continue(())
            }
        }
    }

    /// Carries out a plan that needs no waiting: closes, edit counts, delivery, presence for the
    /// overview, then compaction if it is due.
    fn carry_out(&mut self, plan: Plan) -> ControlFlow<()> {
        self.act_now(plan.now);
        self.share_presence(plan.share);
        if plan.stop {
            return ControlFlow::Break(());
        }
        for conn in plan.edited {
            if let Some(peer) = self.core.peer(conn) {
                peer.edits.send_modify(|rounds| *rounds += 1);
            }
        }
        self.deliver(plan.send);
        self.publish_presence();
        if plan.compaction_due {
            return self.compact();
        }
        ControlFlow::Continue(())
    }

    fn act_now(&self, effects: Vec<Now>) {
        for effect in effects {
            match effect {
                Now::Joined(done) => drop(done.send(Ok(()))),
                Now::Close(closer, code, reason) => closer.close(code, reason),
            }
        }
    }

    /// Sends without ever waiting: a peer whose queue is full is disconnected (it resyncs when it
    /// reconnects), and its presence removal is sent in turn.
    fn deliver(&mut self, mut out: Vec<Outgoing>) {
        while !out.is_empty() {
            let mut too_slow = Vec::new();
            for outgoing in out.drain(..) {
                match outgoing {
                    Outgoing::To(conn, message) => {
                        if let Some(peer) = self.core.peer(conn) {
                            send(peer, message, &mut too_slow);
                        }
                    }
                    Outgoing::Broadcast {
                        except,
                        message,
                        update,
                    } => {
                        let mut sent = 0;
                        for peer in self.core.peers().filter(|p| Some(p.id) != except) {
                            if send(peer, message.clone(), &mut too_slow) {
                                sent += 1;
                            }
                        }
                        if update {
                            self.ctx
                                .metrics
                                .updates_broadcast
                                .fetch_add(sent, Ordering::Relaxed);
                        }
                    }
                    Outgoing::Content(reply, content) => {
                        let _ = reply.send(Ok(*content));
                    }
                    Outgoing::Snapshot(reply, snapshot) => {
                        let _ = reply.send(Ok(snapshot));
                    }
                }
            }
            for conn in too_slow {
                if let Some(peer) = self.core.peer(conn) {
                    self.ctx
                        .metrics
                        .clients_disconnected_slow
                        .fetch_add(1, Ordering::Relaxed);
                    peer.closer.close(
                        close_code::TRY_AGAIN_LATER,
                        "Verbinding te traag; opnieuw verbinden.",
                    );
                }
                out.extend(self.core.step(Input::Disconnect(conn)).send);
            }
        }
    }

    /// Folds the log into a snapshot, written by a task of its own so that live edits do not
    /// wait for it. At most one compaction per canvas runs at a time, across room incarnations:
    /// one still running postpones the next to a later round. A failed write loses nothing (the
    /// log stays) and is covered by the next compaction.
    fn compact(&mut self) -> ControlFlow<()> {
        let Some(slot) = self.ctx.compacting.claim(self.core.id()) else {
            return ControlFlow::Continue(());
        };
        let plan = self.core.step(Input::Compact);
        self.act_now(plan.now);
        self.share_presence(plan.share);
        if plan.stop {
            return ControlFlow::Break(());
        }
        let Some(Compaction {
            snapshot,
            upto_seq: upto,
        }) = plan.compact
        else {
            return ControlFlow::Continue(());
        };
        let (store, id) = (self.ctx.store.clone(), self.core.id().clone());
        let task = async move {
            let _slot = slot;
            match store.compact(&id, &snapshot, upto).await {
                Ok(true) => debug!(upto, bytes = snapshot.len(), "compacted the update log"),
                Ok(false) => debug!(upto, "a newer snapshot is stored; compaction skipped"),
                Err(error) => warn!(%error, "compacting the update log failed"),
            }
        };
        self.ctx.tasks.spawn(task.in_current_span());
        ControlFlow::Continue(())
    }

    /// Tells the overview who is here, if that changed.
    fn publish_presence(&mut self) {
        if let Some(names) = self.core.take_presence() {
            self.ctx.events.publish(Event::PresenceChanged {
                canvas: self.core.id().clone(),
                node: self.ctx.node,
                names,
            });
        }
    }

    /// Tells the overviews again who is here, so that the names stay on other processes'
    /// overviews for as long as this process keeps them there (and fade when it dies).
    fn renew_presence(&mut self) {
        let names = self.core.presence_names();
        if !names.is_empty() {
            self.ctx.events.publish(Event::PresenceChanged {
                canvas: self.core.id().clone(),
                node: self.ctx.node,
                names,
            });
        }
    }

    /// Hands presence states of this process's connections to the rooms of the canvas on other
    /// processes, a few per event so that each stays far below the limit of a notification; a
    /// single state too large for one is not shared (its connection still shows it here).
    fn share_presence(&self, states: Vec<PresenceState>) {
        let mut batch = Vec::new();
        let mut bytes = 0;
        for state in states {
            let size = state.state.as_ref().map_or(0, String::len) + 64;
            if size > SHARED_PRESENCE_BYTES {
                debug!(
                    client_id = state.client_id,
                    size, "a presence state too large to share"
                );
                continue;
            }
            if bytes + size > SHARED_PRESENCE_BYTES {
                self.publish_states(std::mem::take(&mut batch));
                bytes = 0;
            }
            bytes += size;
            batch.push(state);
        }
        if !batch.is_empty() {
            self.publish_states(batch);
        }
    }

    fn publish_states(&self, states: Vec<PresenceState>) {
        self.ctx.events.publish(Event::PresenceStates {
            canvas: self.core.id().clone(),
            node: self.ctx.node,
            states,
        });
    }
}

/// Queues a message for a peer; returns whether it was queued.
fn send(peer: &PeerHandle, message: Bytes, too_slow: &mut Vec<ConnId>) -> bool {
    match peer.outbox.try_send(message) {
        Ok(()) => true,
        Err(mpsc::error::TrySendError::Full(_)) => {
            too_slow.push(peer.id);
            false
        }
        // The connection is gone; its Leave is on the way.
        Err(mpsc::error::TrySendError::Closed(_)) => false,
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use yrs::{Doc, StateVector, Transact, updates::decoder::Decode};

    use super::*;
    use crate::{
        canvas::schema,
        config::Limits,
        metrics::Metrics,
        store::{
            Canvases,
            testing::{TestStore, situation_update},
        },
        sync::{
            SyncService,
            awareness::Identity,
            doc::Op,
            peer::Closer,
            protocol::{self, ClientMessage},
        },
    };
    use tokio::sync::Semaphore;

    fn peer(id: ConnId) -> (PeerHandle, mpsc::Receiver<Bytes>) {
        let (outbox, queue) = mpsc::channel(64);
        (
            PeerHandle {
                id,
                identity: Identity::new(crate::ids::AccountId(id as i64), "Teamlid", "teamlid"),
                outbox,
                closer: Closer::default(),
                wants_saved: true,
                read_only: false,
                edits: Arc::new(tokio::sync::watch::channel(0).0),
            },
            queue,
        )
    }

    fn an_update() -> Bytes {
        situation_update("vertrouwelijk")
    }

    /// A store, the service, a canvas, its room's queue and two peers with their queues.
    type Setup = (
        Arc<TestStore>,
        SyncService,
        CanvasId,
        mpsc::Sender<RoomCommand>,
        [(PeerHandle, mpsc::Receiver<Bytes>); 2],
    );

    /// Two peers on a fresh canvas; the store fails its appends when `failing`.
    async fn setup(failing: bool) -> Setup {
        setup_with(failing, false, Limits::default()).await
    }

    /// Two peers on a fresh canvas, the first one read-only when `first_read_only`.
    async fn setup_with(failing: bool, first_read_only: bool, limits: Limits) -> Setup {
        let store = Arc::new(TestStore::new(false).await);
        store
            .failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
        let id = CanvasId::random();
        store
            .create_canvas(
                &id,
                "Casus",
                store.owner().await,
                &schema::initialize(),
                &[],
            )
            .await
            .expect("create");
        let sync = SyncService::new(
            store.clone(),
            Arc::new(Metrics::default()),
            limits,
            Arc::new(crate::events::LocalBus::default()),
            crate::tasks::Tasks::default(),
            crate::ids::NodeId(1),
        );
        let mut peers = [peer(1), peer(2)];
        peers[0].0.read_only = first_read_only;
        let room = sync.join(&id, peers[0].0.clone()).await.expect("join");
        sync.join(&id, peers[1].0.clone()).await.expect("join");
        (store, sync, id, room, peers)
    }

    /// Messages a peer has been sent so far, by message type.
    async fn received(queue: &mut mpsc::Receiver<Bytes>) -> Vec<Bytes> {
        // The room sends each round's messages before it takes the next command, and this runs
        // after the round it waits for, so everything is queued already.
        tokio::task::yield_now().await;
        let mut messages = Vec::new();
        while let Ok(message) = queue.try_recv() {
            messages.push(message);
        }
        messages
    }

    fn is_update(message: &Bytes) -> bool {
        message.starts_with(&[0, 2])
    }

    fn is_saved(message: &Bytes) -> bool {
        message.starts_with(&[100])
    }

    async fn send_update_from_first_peer(room: &mpsc::Sender<RoomCommand>) {
        let message = ClientMessage::Update(an_update());
        room.send(RoomCommand::Message { conn: 1, message })
            .await
            .expect("send");
    }

    /// Log entries stored for the canvas (its first update is the label).
    async fn stored_updates(store: &TestStore, id: &CanvasId) -> usize {
        store
            .inner
            .load_canvas(id)
            .await
            .expect("load")
            .expect("canvas")
            .updates
            .len()
    }

    #[tokio::test]
    async fn a_stored_update_is_relayed_and_confirmed() {
        let (store, _sync, id, room, [(_a, mut a_queue), (_b, mut b_queue)]) = setup(false).await;
        send_update_from_first_peer(&room).await;
        relayed_to(&mut b_queue).await;
        assert!(
            received(&mut a_queue).await.iter().any(is_saved),
            "saved signal"
        );
        assert_eq!(stored_updates(&store, &id).await, 2);
    }

    #[tokio::test]
    async fn an_update_that_cannot_be_stored_is_never_relayed() {
        let (store, _sync, id, room, [(a, mut a_queue), (b, mut b_queue)]) = setup(true).await;
        send_update_from_first_peer(&room).await;
        tokio::time::timeout(Duration::from_secs(5), b.closer.closed())
            .await
            .expect("the canvas closes its connections");
        assert_eq!(a.closer.frame().0, close_code::INTERNAL_ERROR);
        assert_eq!(b.closer.frame().0, close_code::INTERNAL_ERROR);
        assert!(
            !received(&mut b_queue).await.iter().any(is_update),
            "nothing unstored reaches another client"
        );
        assert!(
            !received(&mut a_queue).await.iter().any(is_saved),
            "no saved signal"
        );
        assert_eq!(stored_updates(&store, &id).await, 1);
    }

    /// Waits until the second peer has been sent an update, failing after 5 s.
    async fn relayed_to(queue: &mut mpsc::Receiver<Bytes>) {
        tokio::time::timeout(Duration::from_secs(5), async {
            while !received(queue).await.iter().any(is_update) {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("the update reaches the other peer");
    }

    #[tokio::test]
    async fn a_read_only_peer_is_told_and_its_updates_go_nowhere() {
        let (store, _sync, id, room, [(a, mut a_queue), (_b, mut b_queue)]) =
            setup_with(false, true, Limits::default()).await;
        assert!(
            received(&mut a_queue)
                .await
                .contains(&protocol::encode_read_only()),
            "told on joining"
        );
        send_update_from_first_peer(&room).await;
        // A round trip through the room: its answer comes after the update was handled.
        room.send(RoomCommand::Message {
            conn: 1,
            message: ClientMessage::QueryAwareness,
        })
        .await
        .expect("send");
        tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                let messages = received(&mut a_queue).await;
                if messages.contains(&protocol::encode_read_only()) {
                    assert!(!messages.iter().any(is_saved), "nothing was saved");
                    return;
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .expect("told that the update was dropped");
        assert!(!received(&mut b_queue).await.iter().any(is_update));
        assert_eq!(stored_updates(&store, &id).await, 1, "nothing stored");
        assert_eq!(*a.edits.borrow(), 0);
    }

    #[tokio::test]
    async fn stored_changes_of_a_peer_are_counted() {
        let (_store, _sync, _id, room, [(a, _), (b, mut b_queue)]) = setup(false).await;
        assert_eq!(*a.edits.borrow(), 0);
        send_update_from_first_peer(&room).await;
        relayed_to(&mut b_queue).await;
        assert_eq!(*a.edits.borrow(), 1, "the editor is counted");
        assert_eq!(*b.edits.borrow(), 0, "the reader is not");
    }

    async fn send(room: &mpsc::Sender<RoomCommand>, conn: ConnId, message: ClientMessage) {
        room.send(RoomCommand::Message { conn, message })
            .await
            .expect("send");
    }

    /// The situatieschets as stored: snapshot and log, read back from the database.
    async fn stored_situation(store: &TestStore, id: &CanvasId) -> String {
        let stored = store
            .inner
            .load_canvas(id)
            .await
            .expect("load")
            .expect("canvas");
        let doc = CanvasDoc::load(&stored).expect("stored state loads");
        doc.content().expect("content").steps.situation
    }

    async fn wait_for(what: &str, condition: impl Fn() -> bool) {
        tokio::time::timeout(Duration::from_secs(10), async {
            while !condition() {
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await
        .unwrap_or_else(|_| panic!("timed out waiting for {what}"));
    }

    #[tokio::test]
    async fn compaction_is_single_flight_across_room_incarnations() {
        // The canvas starts with one logged update: the first edit makes the log due.
        let limits = Limits {
            compact_after: 2,
            idle_unload_secs: 0,
            ..Limits::default()
        };
        let (store, sync, id, room, [(a, _), (b, _)]) = setup_with(false, false, limits).await;
        store.hold_compactions();
        send(&room, a.id, ClientMessage::Update(situation_update("een "))).await;
        let arrived = || {
            store
                .compactions_arrived
                .load(std::sync::atomic::Ordering::SeqCst)
        };
        wait_for("the first compaction", || arrived() == 1).await;

        // Everyone leaves: the room unloads while its compaction is still being written.
        room.send(RoomCommand::Leave { conn: a.id })
            .await
            .expect("leave");
        room.send(RoomCommand::Leave { conn: b.id })
            .await
            .expect("leave");
        wait_for("the room to unload", || room.is_closed()).await;

        let (c, _c_queue) = peer(3);
        let room = sync.join(&id, c.clone()).await.expect("join a fresh room");
        send(
            &room,
            c.id,
            ClientMessage::Update(situation_update("twee ")),
        )
        .await;
        sync.content(&id).await.expect("a round trip");
        assert_eq!(
            arrived(),
            1,
            "no second compaction while the first is running"
        );

        store
            .compaction_gate
            .add_permits(Semaphore::MAX_PERMITS / 2);
        wait_for("the slot to be free", || {
            sync.context().compacting.claim(&id).is_some()
        })
        .await;
        send(
            &room,
            c.id,
            ClientMessage::Update(situation_update("drie ")),
        )
        .await;
        wait_for("the next compaction", || arrived() == 2).await;
        wait_for("it to be written", || {
            sync.context().compacting.claim(&id).is_some()
        })
        .await;
        let text = stored_situation(&store, &id).await;
        for word in ["een", "twee", "drie"] {
            assert!(text.contains(word), "{word} is stored in {text:?}");
        }
    }

    /// Triggers the call `op` in a room of two peers, with a fault injected into it.
    async fn trigger(op: Op, sync: &SyncService, id: &CanvasId, room: &mpsc::Sender<RoomCommand>) {
        sync.context().faults.lock().expect("faults").push(op);
        match op {
            Op::StateVector => {
                let (c, _) = peer(3);
                sync.join(id, c)
                    .await
                    .expect("the join succeeds on the reloaded room");
            }
            Op::Diff => send(room, 1, ClientMessage::SyncStep1(StateVector::default())).await,
            Op::Summary | Op::Apply => {
                send(room, 1, ClientMessage::Update(situation_update("bewaard "))).await
            }
            Op::Content => {
                sync.content(id)
                    .await
                    .expect("content from the reloaded room");
            }
        }
    }

    #[tokio::test]
    async fn a_panic_in_any_call_into_yrs_reloads_the_room_and_reconnects_its_clients() {
        for op in [
            Op::StateVector,
            Op::Diff,
            Op::Summary,
            Op::Content,
            Op::Apply,
        ] {
            let (store, sync, id, room, [(a, _), (b, _)]) = setup(false).await;
            trigger(op, &sync, &id, &room).await;
            tokio::time::timeout(Duration::from_secs(5), b.closer.closed())
                .await
                .unwrap_or_else(|_| panic!("{op:?}: the room closes its connections"));
            assert_eq!(b.closer.frame().0, close_code::SERVICE_RESTART, "{op:?}");
            let expected_a = if op == Op::Apply {
                close_code::INVALID_PAYLOAD
            } else {
                close_code::SERVICE_RESTART
            };
            assert_eq!(a.closer.frame().0, expected_a, "{op:?}");
            // The room is back, from what is stored.
            let content = sync.content(&id).await.expect("the canvas reloads");
            let stored = stored_situation(&store, &id).await;
            assert_eq!(
                content.steps.situation, stored,
                "{op:?}: memory is what is on disk"
            );
            if op == Op::Summary {
                assert!(stored.contains("bewaard"), "the committed update stays");
            }
            if op == Op::Apply {
                assert!(
                    !stored.contains("bewaard"),
                    "the refused update is not stored"
                );
            }
        }
    }

    /// Client 7 writes "X" into the situatieschets, then a second item whose parent is that
    /// string item: yrs integrates the first block and then fails with `InvalidParent`.
    fn partly_applicable_update() -> Bytes {
        let mut bytes = vec![1, 2, 7, 0, 0x04, 1];
        protocol::write_var_uint(&mut bytes, schema::root::SITUATION.len() as u64);
        bytes.extend_from_slice(schema::root::SITUATION.as_bytes());
        bytes.extend([1, b'X', 0x04, 0, 7, 0, 1, b'Y', 0]);
        bytes.into()
    }

    #[tokio::test]
    async fn an_update_yrs_rejects_halfway_reloads_the_room_from_disk() {
        let (store, sync, id, room, [(a, _), (b, _)]) = setup(false).await;
        send(&room, 1, ClientMessage::Update(situation_update("eerder "))).await;
        send(&room, 1, ClientMessage::Update(partly_applicable_update())).await;
        tokio::time::timeout(Duration::from_secs(5), b.closer.closed())
            .await
            .expect("the room reloads");
        assert_eq!(a.closer.frame().0, close_code::INVALID_PAYLOAD);
        assert_eq!(b.closer.frame().0, close_code::SERVICE_RESTART);
        let content = sync.content(&id).await.expect("reloaded");
        assert_eq!(content.steps.situation, "eerder ");
        assert_eq!(stored_situation(&store, &id).await, "eerder ");
        // What the next client is offered is what is stored.
        let (c, mut c_queue) = peer(3);
        let room = sync.join(&id, c).await.expect("join");
        send(&room, 3, ClientMessage::SyncStep1(StateVector::default())).await;
        sync.content(&id).await.expect("a round trip");
        let step2 = received(&mut c_queue)
            .await
            .into_iter()
            .find(|m| m.starts_with(&[0, 1]))
            .expect("sync step 2");
        let mut reader = protocol::Reader::new(&step2[2..]);
        let offered = Doc::new();
        let update = yrs::Update::decode_v1(reader.buffer().expect("payload")).expect("update");
        offered.transact_mut().apply_update(update).expect("apply");
        let text = offered.get_or_insert_text(schema::root::SITUATION);
        assert_eq!(
            yrs::GetString::get_string(&text, &offered.transact()),
            "eerder "
        );
    }
}
