//! The sans-IO core of a room: the canvas's document, its peers and their presence, and what is
//! known of the stored rows (the log position up to which the document holds every entry, log
//! length, stored bytes, summary).
//!
//! The core is fed [`Input`]s and answers each with a [`Plan`]; it never sends, stores, spawns or
//! waits, so it runs (and is tested) without a runtime or a database. A round takes two steps:
//! [`Input::Round`] applies the commands and returns the batch to store, and the outcome of
//! storing it ([`Input::Committed`] or [`Input::CommitFailed`]) returns what to send. What a round
//! sends stays inside the core until its commit is reported, so nothing unstored can leave.
//!
//! Other server processes may append to the same canvas's log. Their entries reach the document
//! as [`Input::Foreign`], read from the database once committed; a commit of this room's own
//! that lands after positions the document has not seen yet asks for that read
//! ([`Plan::catch_up`]). The document thus holds every entry up to [`RoomCore::applied`], and a
//! compaction never folds away an entry its snapshot lacks.
//!
//! The peers' handles are kept here so that the actor can reach them while it delivers, but the
//! core never uses their channels: a connection to close is a [`Now::Close`] in the plan.

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use bytes::Bytes;
use tracing::warn;

use super::{
    RoomCommand,
    plan::{Compaction, Now, Outgoing, Plan},
};
use crate::{
    canvas::CanvasId,
    config::Limits,
    events::PresenceState,
    store::{AppendBatch, DocSummary, StoredCanvas},
    sync::{
        awareness::{AwarenessTable, ConnId},
        doc::{ApplyError, Broken, CanvasDoc},
        peer::{PeerHandle, TOO_LARGE_TO_STORE, close_code},
        protocol::{self, AwarenessEntry, ClientMessage},
    },
};

/// What the actor feeds the core.
pub enum Input {
    /// One round of commands, in the order they were queued. Answered with the batch to store;
    /// the actor must report how that went before the next round.
    Round(Vec<RoomCommand>),
    /// The round's batch is committed, its last update at this log position, or it had none
    /// (`None`). Answered with what to send.
    Committed(Option<i64>),
    /// Log entries committed by other server processes, as read after [`RoomCore::applied`]:
    /// applied and relayed to every peer (they are stored already).
    Foreign(StoredCanvas),
    /// The round's batch could not be stored: the document in memory is now ahead of the
    /// database, so every connection is closed and the room stops.
    CommitFailed,
    /// The actor holds the canvas's compaction slot: the snapshot to write, if one is due.
    Compact,
    /// Presence not renewed within `timeout` is removed and announced.
    Sweep { now: Instant, timeout: Duration },
    /// The actor has closed this peer (its queue was full): it leaves, and its presence goes.
    Disconnect(ConnId),
    /// The server shuts down: every connection is closed and the room stops.
    Shutdown,
}

struct Peer {
    handle: PeerHandle,
    /// Update messages received from this peer and durably stored.
    saved: u64,
    /// Update messages received in the current round.
    unsaved: u64,
    /// Whether an update of this peer changed the document in the current round.
    changed: bool,
}

/// The document can no longer be trusted: it is thrown away and reloaded from the database.
struct Reload;

impl From<Broken> for Reload {
    fn from(_: Broken) -> Self {
        Reload
    }
}

/// A round that has been applied and waits for its commit.
struct Pending {
    /// What the round sends once committed.
    out: Vec<Outgoing>,
    /// What the batch adds to the stored rows, if the round had one.
    stored: Option<Stored>,
    /// Whether the document broke during the round: after the commit the room reloads.
    reload: bool,
}

struct Stored {
    count: i64,
    bytes: u64,
    summary: Option<DocSummary>,
}

/// One loaded canvas, without I/O.
pub struct RoomCore {
    id: CanvasId,
    doc: CanvasDoc,
    peers: HashMap<ConnId, Peer>,
    awareness: AwarenessTable,
    /// The document holds every log entry up to and including this position (and maybe some
    /// after it: this room's own, committed after entries of another process it has not read).
    applied: i64,
    /// Log entries since the last snapshot.
    log_len: u64,
    /// Bytes stored for the canvas (snapshot and log), for `--max-canvas-bytes`.
    stored_bytes: u64,
    /// Label and leefgebieden as last recorded for the overview; `None` until this room has
    /// written them (a room's first commit always does, so a summary missed when a broken
    /// predecessor stopped is caught up).
    summary: Option<DocSummary>,
    /// Whether presence changed since it was last published for the overview.
    presence_changed: bool,
    /// States of this process's connections that changed and are not yet shared with the
    /// other processes; they go out with the next plan that sends.
    sharing: Vec<PresenceState>,
    max_canvas_bytes: u64,
    /// Log length at which the log is folded into a snapshot.
    compact_after: u64,
    pending: Option<Pending>,
}

impl RoomCore {
    /// The core of a canvas whose document `doc` was loaded from `stored`.
    pub fn new(id: CanvasId, doc: CanvasDoc, stored: &StoredCanvas, limits: &Limits) -> Self {
        Self {
            id,
            doc,
            peers: HashMap::new(),
            awareness: AwarenessTable::default(),
            applied: stored.last_seq(),
            log_len: stored.updates.len() as u64,
            stored_bytes: stored.byte_len(),
            summary: None,
            presence_changed: false,
            sharing: Vec::new(),
            max_canvas_bytes: limits.max_canvas_bytes,
            compact_after: limits.compact_after.max(1),
            pending: None,
        }
    }

    pub fn id(&self) -> &CanvasId {
        &self.id
    }

    /// The handle of a peer in the room, to deliver to it.
    pub fn peer(&self, conn: ConnId) -> Option<&PeerHandle> {
        self.peers.get(&conn).map(|p| &p.handle)
    }

    /// The handles of every peer in the room.
    pub fn peers(&self) -> impl Iterator<Item = &PeerHandle> {
        self.peers.values().map(|p| &p.handle)
    }

    pub fn has_peers(&self) -> bool {
        !self.peers.is_empty()
    }

    /// The log position up to which the document holds every entry.
    pub fn applied(&self) -> i64 {
        self.applied
    }

    /// Takes one input and says what to do about it.
    pub fn step(&mut self, input: Input) -> Plan {
        match input {
            Input::Round(commands) => self.round(commands),
            Input::Committed(upto) => self.committed(upto),
            Input::Foreign(tail) => self.foreign(tail),
            Input::CommitFailed => {
                // Replies not yet sent are dropped, so their askers retry on a fresh room.
                let _unsent = self.pending.take();
                self.close_all(
                    close_code::INTERNAL_ERROR,
                    "Opslaan is mislukt; de verbinding wordt hersteld.",
                )
            }
            Input::Compact => self.compact(),
            Input::Sweep { now, timeout } => {
                let mut plan = Plan::default();
                let removed = self.awareness.sweep(now, timeout);
                self.presence_moved(&removed, &mut plan.send);
                plan.share = std::mem::take(&mut self.sharing);
                plan
            }
            Input::Disconnect(conn) => {
                let mut plan = Plan::default();
                self.remove_peer(conn, &mut plan.send);
                plan.share = std::mem::take(&mut self.sharing);
                plan
            }
            Input::Shutdown => self.close_all(close_code::GOING_AWAY, "De server wordt herstart."),
        }
    }

    /// Who is here, for the overview, if that changed since it was last asked: the `user.name`
    /// in each presence state, which the server stamped from the account.
    pub fn take_presence(&mut self) -> Option<Vec<String>> {
        std::mem::take(&mut self.presence_changed).then(|| self.presence_names())
    }

    /// Who is here through this process's connections, by the `user.name` the server stamped
    /// in each presence state, sorted.
    pub fn presence_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self
            .awareness
            .current_local()
            .iter()
            .filter_map(|entry| {
                let state: serde_json::Value =
                    serde_json::from_str(entry.state.as_deref()?).ok()?;
                let name = state.get("user")?.get("name")?.as_str()?.trim();
                (!name.is_empty()).then(|| name.chars().take(40).collect())
            })
            .collect();
        names.sort();
        names
    }

    /// Applies a round's commands and plans the batch to store. A command that breaks the
    /// document ends the round there: the commands after it are dropped (their askers retry)
    /// and the room reloads once what came before is committed.
    fn round(&mut self, commands: Vec<RoomCommand>) -> Plan {
        debug_assert!(
            self.pending.is_none(),
            "a round is planned before the last one's commit was reported"
        );
        let mut plan = Plan::default();
        let mut out = Vec::new();
        let mut updates = Vec::new();
        let mut reload = self
            .take_commands(commands, &mut plan, &mut out, &mut updates)
            .is_err();
        // The summary travels in the round's own transaction; it is never read from a document
        // that just failed (the next room's first commit catches it up).
        let mut summary = None;
        if !reload && !updates.is_empty() {
            match self.doc.summary() {
                Ok(now) if self.summary.as_ref() != Some(&now) => summary = Some(now),
                Ok(_) => {}
                Err(Broken) => reload = true,
            }
        }
        let mut stored = None;
        if !updates.is_empty() {
            let count = updates.len() as i64;
            let bytes: u64 = updates.iter().map(|u: &Bytes| u.len() as u64).sum();
            plan.persist = Some(AppendBatch {
                canvas: self.id.clone(),
                updates,
                summary: summary.clone(),
            });
            stored = Some(Stored {
                count,
                bytes,
                summary,
            });
        }
        self.pending = Some(Pending {
            out,
            stored,
            reload,
        });
        plan
    }

    /// The round is on disk: account for the stored rows and release what it sends, with each
    /// editor's saved signal. When the commit's positions do not follow on from
    /// [`applied`](Self::applied), another process committed in between: the plan asks for
    /// its entries.
    fn committed(&mut self, upto: Option<i64>) -> Plan {
        let Some(pending) = self.pending.take() else {
            return Plan::default();
        };
        let mut catch_up = false;
        if let Some(stored) = pending.stored {
            match upto {
                Some(upto) if upto - stored.count == self.applied => self.applied = upto,
                // The read after `applied` that follows counts these rows with the others.
                _ => catch_up = true,
            }
            if !catch_up {
                self.log_len += stored.count as u64;
                self.stored_bytes += stored.bytes;
            }
            if stored.summary.is_some() {
                self.summary = stored.summary;
            }
        }
        if pending.reload {
            return self.reload();
        }
        let mut plan = Plan {
            send: pending.out,
            share: std::mem::take(&mut self.sharing),
            catch_up,
            ..Plan::default()
        };
        for peer in self.peers.values_mut().filter(|p| p.unsaved > 0) {
            if std::mem::take(&mut peer.changed) {
                plan.edited.push(peer.handle.id);
            }
            peer.saved += std::mem::take(&mut peer.unsaved);
            if peer.handle.wants_saved {
                plan.send.push(Outgoing::To(
                    peer.handle.id,
                    protocol::encode_saved(peer.saved),
                ));
            }
        }
        plan.compaction_due = self.compaction_due();
        plan
    }

    /// Applies entries that other processes committed and relays what they change to every
    /// peer. They are on disk already, so they go out at once: each log entry as it was stored
    /// (as its own process relayed it), or, when a snapshot folded some of them away, the
    /// difference from what the document held before.
    fn foreign(&mut self, tail: StoredCanvas) -> Plan {
        let upto = tail.last_seq();
        if upto <= self.applied {
            return Plan::default();
        }
        let mut plan = Plan::default();
        let before = match &tail.snapshot {
            Some(_) => match self.doc.state_vector() {
                Ok(before) => Some(before),
                Err(Broken) => return self.reload(),
            },
            None => None,
        };
        if let Some((state, _)) = &tail.snapshot
            && self.doc.apply(state).is_err()
        {
            // What is stored cannot be applied: the document cannot be trusted any more, and a
            // reload shows whether the stored canvas is damaged.
            return self.reload();
        }
        for (seq, update) in &tail.updates {
            match self.doc.apply(update) {
                Ok(true) if before.is_none() => plan.send.push(Outgoing::Broadcast {
                    except: None,
                    message: protocol::encode_update(update),
                    update: true,
                }),
                Ok(_) => {}
                Err(_) => {
                    warn!(seq, "a stored update of another process cannot be applied");
                    return self.reload();
                }
            }
        }
        if let Some(before) = before {
            match self.doc.diff(&before) {
                Ok(diff) => plan.send.push(Outgoing::Broadcast {
                    except: None,
                    message: protocol::encode_update(&diff),
                    update: true,
                }),
                Err(Broken) => return self.reload(),
            }
            // Another process compacted past what this room had: its log starts again there.
            self.log_len = tail.updates.len() as u64;
            self.stored_bytes = tail.byte_len();
        } else {
            self.log_len += tail.updates.len() as u64;
            self.stored_bytes += tail.byte_len();
        }
        self.applied = upto;
        plan.compaction_due = self.compaction_due();
        plan
    }

    fn compaction_due(&self) -> bool {
        self.log_len >= self.compact_after
    }

    /// Folds the log into a snapshot once it is long enough. The snapshot is encoded here, where
    /// the document is; the actor writes it in a task of its own so that live edits do not wait
    /// for it. A failed write loses nothing (the log stays) and is covered by the next one.
    fn compact(&mut self) -> Plan {
        if !self.compaction_due() {
            return Plan::default();
        }
        match self.doc.snapshot() {
            Ok(snapshot) => {
                // Every entry up to `applied` is in the snapshot: the compaction may delete
                // them, and none after.
                let upto_seq = self.applied;
                self.log_len = 0;
                self.stored_bytes = snapshot.len() as u64;
                Plan {
                    compact: Some(Compaction { snapshot, upto_seq }),
                    ..Plan::default()
                }
            }
            Err(Broken) => self.reload(),
        }
    }

    /// Stops the room so that it is reloaded from the database: whatever yrs left in memory must
    /// not be served, and what was committed is safe. Replies not yet sent are dropped, so their
    /// askers retry on the reloaded room; clients reconnect and resync.
    fn reload(&mut self) -> Plan {
        warn!("the document cannot be trusted after a client's input; reloading the canvas");
        self.close_all(
            close_code::SERVICE_RESTART,
            "Het canvas wordt opnieuw geladen.",
        )
    }

    /// Applies the round's commands in order, stopping at the first that breaks the document.
    fn take_commands(
        &mut self,
        commands: Vec<RoomCommand>,
        plan: &mut Plan,
        out: &mut Vec<Outgoing>,
        updates: &mut Vec<Bytes>,
    ) -> Result<(), Reload> {
        for command in commands {
            match command {
                RoomCommand::Join { peer, done } => {
                    out.push(Outgoing::To(
                        peer.id,
                        protocol::encode_sync_step1(&self.doc.state_vector()?),
                    ));
                    let present = self.awareness.current();
                    if !present.is_empty() {
                        out.push(Outgoing::To(
                            peer.id,
                            protocol::encode_awareness(present.iter()),
                        ));
                    }
                    if peer.read_only {
                        out.push(Outgoing::To(peer.id, protocol::encode_read_only()));
                    }
                    self.peers.insert(
                        peer.id,
                        Peer {
                            handle: peer,
                            saved: 0,
                            unsaved: 0,
                            changed: false,
                        },
                    );
                    plan.now.push(Now::Joined(done));
                }
                RoomCommand::Leave { conn } => self.remove_peer(conn, out),
                RoomCommand::ReadContent { reply } => {
                    out.push(Outgoing::Content(reply, Box::new(self.doc.content()?)));
                }
                RoomCommand::ReadSnapshot { reply } => {
                    out.push(Outgoing::Snapshot(reply, self.doc.snapshot()?));
                }
                RoomCommand::RemotePresence(states) => {
                    // Shown to the connections here; the other process shares them itself.
                    let changed = self.awareness.apply_remote(&states, Instant::now());
                    announce_presence(out, &changed);
                }
                RoomCommand::PresenceAsked => {
                    let local = self.awareness.current_local();
                    let shared = self.awareness.shared(&local);
                    self.sharing.extend(shared);
                }
                RoomCommand::Message { conn, message } => {
                    if !self.peers.contains_key(&conn) {
                        continue; // Already removed, for example as too slow.
                    }
                    self.handle(conn, message, plan, out, updates)?;
                }
            }
        }
        Ok(())
    }

    /// Handles one message of a peer. Bad input closes the offending connection; input that
    /// yrs refused after it may have changed the document, or that made it panic, also reloads
    /// the room, since the document in memory may no longer be what the log holds.
    fn handle(
        &mut self,
        conn: ConnId,
        message: ClientMessage,
        plan: &mut Plan,
        out: &mut Vec<Outgoing>,
        updates: &mut Vec<Bytes>,
    ) -> Result<(), Reload> {
        match message {
            ClientMessage::SyncStep1(remote) => {
                out.push(Outgoing::To(
                    conn,
                    protocol::encode_sync_step2(&self.doc.diff(&remote)?),
                ));
            }
            ClientMessage::SyncStep2(_) | ClientMessage::Update(_)
                if self.peers.get(&conn).is_some_and(|p| p.handle.read_only) =>
            {
                // May read, not edit: the update is dropped, and the client is told why.
                out.push(Outgoing::To(conn, protocol::encode_read_only()));
            }
            ClientMessage::SyncStep2(update) | ClientMessage::Update(update) => {
                plan.updates_received += 1;
                let pending: u64 = updates.iter().map(|u| u.len() as u64).sum();
                if self.stored_bytes + pending + update.len() as u64 > self.max_canvas_bytes {
                    // Refused before yrs sees it: nothing changed, the client keeps its work.
                    warn!(
                        conn,
                        bytes = update.len(),
                        "an update would make the canvas too large"
                    );
                    self.close(conn, close_code::MESSAGE_TOO_BIG, TOO_LARGE_TO_STORE, plan);
                    self.remove_peer(conn, out);
                    return Ok(());
                }
                match self.doc.apply(&update) {
                    Ok(changed) => {
                        if changed {
                            out.push(Outgoing::Broadcast {
                                except: Some(conn),
                                message: protocol::encode_update(&update),
                                update: true,
                            });
                            updates.push(update);
                        }
                        if let Some(peer) = self.peers.get_mut(&conn) {
                            peer.unsaved += 1;
                            peer.changed |= changed;
                        }
                    }
                    Err(error) => {
                        warn!(%error, conn, "refused a document update");
                        self.close(
                            conn,
                            close_code::INVALID_PAYLOAD,
                            "Deze wijziging kan niet worden verwerkt.",
                            plan,
                        );
                        self.remove_peer(conn, out);
                        if !matches!(error, ApplyError::Malformed) {
                            return Err(Reload);
                        }
                    }
                }
            }
            ClientMessage::Awareness(entries) => {
                let Some(identity) = self.peers.get(&conn).map(|p| p.handle.identity.clone())
                else {
                    return Ok(());
                };
                let changed = self
                    .awareness
                    .apply(conn, &identity, entries, Instant::now());
                self.presence_moved(&changed, out);
            }
            ClientMessage::QueryAwareness => {
                let present = self.awareness.current();
                out.push(Outgoing::To(
                    conn,
                    protocol::encode_awareness(present.iter()),
                ));
            }
        }
        Ok(())
    }

    /// Plans closing one peer's connection at once.
    fn close(&self, conn: ConnId, code: u16, reason: &'static str, plan: &mut Plan) {
        if let Some(peer) = self.peers.get(&conn) {
            plan.now
                .push(Now::Close(peer.handle.closer.clone(), code, reason));
        }
    }

    fn remove_peer(&mut self, conn: ConnId, out: &mut Vec<Outgoing>) {
        if self.peers.remove(&conn).is_some() {
            let removed = self.awareness.disconnect(conn);
            self.presence_moved(&removed, out);
        }
    }

    /// Presence entries changed: everyone here hears of it, the overview's names may have
    /// changed, and the rooms of the canvas elsewhere hear of this process's own.
    fn presence_moved(&mut self, entries: &[AwarenessEntry], out: &mut Vec<Outgoing>) {
        let shared = self.awareness.shared(entries);
        self.presence_changed |= !shared.is_empty();
        self.sharing.extend(shared);
        announce_presence(out, entries);
    }

    /// Plans closing every connection and stopping the room; the rooms of the canvas on other
    /// processes hear that their presence is gone (their clients reconnect, maybe there).
    fn close_all(&mut self, code: u16, reason: &'static str) -> Plan {
        let mut now = Vec::new();
        for (conn, peer) in self.peers.drain() {
            let removed = self.awareness.disconnect(conn);
            self.sharing.extend(self.awareness.shared(&removed));
            now.push(Now::Close(peer.handle.closer, code, reason));
        }
        Plan {
            now,
            share: std::mem::take(&mut self.sharing),
            stop: true,
            ..Plan::default()
        }
    }
}

fn announce_presence(out: &mut Vec<Outgoing>, entries: &[AwarenessEntry]) {
    if !entries.is_empty() {
        // Also to the sender: y-websocket clients take any message as a sign of life, and a lone
        // client would otherwise reconnect every 30 seconds.
        out.push(Outgoing::Broadcast {
            except: None,
            message: protocol::encode_awareness(entries.iter()),
            update: false,
        });
    }
}

#[cfg(test)]
mod tests {
    //! The core's rules, without a runtime or a database: each test feeds inputs and reads the
    //! plans. Channels are only created (which needs no runtime) so that peers can be built and
    //! the absence of anything sent can be checked.

    use std::sync::Arc;

    use tokio::sync::{mpsc, oneshot, watch};

    use super::*;
    use crate::{
        canvas::schema,
        store::testing::situation_update,
        sync::{
            RoomError,
            awareness::Identity,
            doc::Op,
            peer::{Closer, close_code},
        },
    };

    /// What a plan sends, in a form that can be compared.
    #[derive(Debug, PartialEq)]
    enum Sent {
        To(ConnId, Bytes),
        Broadcast {
            except: Option<ConnId>,
            message: Bytes,
            update: bool,
        },
        Content(String),
        Snapshot,
    }

    fn sent(plan: &Plan) -> Vec<Sent> {
        plan.send
            .iter()
            .map(|outgoing| match outgoing {
                Outgoing::To(conn, message) => Sent::To(*conn, message.clone()),
                Outgoing::Broadcast {
                    except,
                    message,
                    update,
                } => Sent::Broadcast {
                    except: *except,
                    message: message.clone(),
                    update: *update,
                },
                Outgoing::Content(_, content) => Sent::Content(content.steps.situation.clone()),
                Outgoing::Snapshot(..) => Sent::Snapshot,
            })
            .collect()
    }

    /// The codes of the connections a plan closes, in order.
    fn closed(plan: &Plan) -> Vec<u16> {
        plan.now
            .iter()
            .filter_map(|effect| match effect {
                Now::Close(_, code, _) => Some(*code),
                Now::Joined(_) => None,
            })
            .collect()
    }

    /// Carries out a plan's immediate effects, as the actor does.
    fn act_now(plan: &mut Plan) {
        for effect in plan.now.drain(..) {
            match effect {
                Now::Joined(done) => drop(done.send(Ok(()))),
                Now::Close(closer, code, reason) => closer.close(code, reason),
            }
        }
    }

    struct TestPeer {
        handle: PeerHandle,
        queue: mpsc::Receiver<Bytes>,
    }

    impl TestPeer {
        fn new(id: ConnId, read_only: bool) -> Self {
            let (outbox, queue) = mpsc::channel(64);
            let handle = PeerHandle {
                id,
                identity: Identity::new(
                    crate::ids::AccountId(id as i64),
                    &format!("Teamlid {id}"),
                    "teamlid",
                ),
                outbox,
                closer: Closer::default(),
                wants_saved: true,
                read_only,
                edits: Arc::new(watch::channel(0).0),
            };
            Self { handle, queue }
        }

        /// Whether the core (or anyone) queued a message for this peer.
        fn was_sent_anything(&mut self) -> bool {
            self.queue.try_recv().is_ok()
        }
    }

    /// A fresh canvas, as created: one logged update (the schema's).
    fn stored() -> StoredCanvas {
        StoredCanvas {
            snapshot: None,
            updates: vec![(1, schema::initialize())],
        }
    }

    fn core_with(limits: Limits) -> RoomCore {
        let stored = stored();
        let doc = CanvasDoc::load(&stored).expect("the schema loads");
        RoomCore::new(CanvasId::random(), doc, &stored, &limits)
    }

    /// A room with the given peers joined, their greetings already sent.
    fn room_with(limits: Limits, peers: &[&TestPeer]) -> RoomCore {
        let mut core = core_with(limits);
        for peer in peers {
            let (done, _) = oneshot::channel();
            let commands = vec![RoomCommand::Join {
                peer: peer.handle.clone(),
                done,
            }];
            let (mut round, _greeting) = commit(&mut core, commands);
            act_now(&mut round);
        }
        core
    }

    /// One round that commits: the round's plan and its commit's plan.
    fn commit(core: &mut RoomCore, commands: Vec<RoomCommand>) -> (Plan, Plan) {
        let round = core.step(Input::Round(commands));
        let committed = core.step(in_order(core, &round));
        (round, committed)
    }

    /// The commit of a round's batch when nobody else wrote to the canvas meanwhile: right
    /// after what the document holds.
    fn in_order(core: &RoomCore, round: &Plan) -> Input {
        Input::Committed(
            round
                .persist
                .as_ref()
                .map(|batch| core.applied() + batch.updates.len() as i64),
        )
    }

    fn update_from(conn: ConnId, update: &Bytes) -> RoomCommand {
        RoomCommand::Message {
            conn,
            message: ClientMessage::Update(update.clone()),
        }
    }

    fn presence(client_id: u64, state: Option<&str>) -> AwarenessEntry {
        AwarenessEntry {
            client_id,
            clock: 1,
            state: state.map(Into::into),
        }
    }

    #[test]
    fn a_join_is_acknowledged_at_once_and_greeted_after_the_commit() {
        let mut core = core_with(Limits::default());
        let peer = TestPeer::new(1, true);
        let (done, mut joined) = oneshot::channel::<Result<(), RoomError>>();
        let mut round = core.step(Input::Round(vec![RoomCommand::Join {
            peer: peer.handle.clone(),
            done,
        }]));
        assert!(round.persist.is_none());
        assert!(round.send.is_empty(), "nothing is sent before the commit");
        act_now(&mut round);
        assert!(matches!(joined.try_recv(), Ok(Ok(()))), "join answered");
        let committed = core.step(in_order(&core, &round));
        let greeting = sent(&committed);
        assert_eq!(
            greeting.len(),
            2,
            "sync step 1, then read-only: {greeting:?}"
        );
        assert!(matches!(&greeting[0], Sent::To(1, m) if m.starts_with(&[0, 0])));
        assert_eq!(greeting[1], Sent::To(1, protocol::encode_read_only()));
        assert!(core.peer(1).is_some());
    }

    #[test]
    fn an_update_is_stored_first_and_relayed_to_the_others_once_committed() {
        let (mut a, mut b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        let update = situation_update("vertrouwelijk");

        let round = core.step(Input::Round(vec![update_from(1, &update)]));
        let batch = round.persist.as_ref().expect("a batch to store");
        assert_eq!(core.applied(), 1, "the stored schema update");
        assert_eq!(batch.updates, vec![update.clone()]);
        assert!(
            batch.summary.is_some(),
            "a room's first commit records the summary"
        );
        assert_eq!(round.updates_received, 1);
        assert!(round.send.is_empty(), "nothing is sent before the commit");
        assert!(closed(&round).is_empty());
        assert!(!a.was_sent_anything() && !b.was_sent_anything());

        let committed = core.step(in_order(&core, &round));
        assert_eq!(
            sent(&committed),
            vec![
                Sent::Broadcast {
                    except: Some(1),
                    message: protocol::encode_update(&update),
                    update: true,
                },
                Sent::To(1, protocol::encode_saved(1)),
            ]
        );
        assert_eq!(
            committed.edited,
            vec![1],
            "the editor is counted, the reader not"
        );
        assert!(!committed.stop && !committed.compaction_due);
        assert!(
            !a.was_sent_anything() && !b.was_sent_anything(),
            "the core sends nothing"
        );

        // The next round numbers on, and an update that changes nothing is not stored.
        let (round, committed) = commit(
            &mut core,
            vec![
                update_from(2, &situation_update("meer")),
                update_from(1, &update),
            ],
        );
        assert_eq!(core.applied(), 3, "the commit followed on");
        let batch = round.persist.expect("a batch to store");
        assert_eq!(batch.updates.len(), 1, "the repeat is not stored");
        assert_eq!(batch.summary, None, "the summary did not change");
        let mut edited = committed.edited.clone();
        edited.sort();
        assert_eq!(edited, vec![2]);
        assert!(sent(&committed).contains(&Sent::To(1, protocol::encode_saved(2))));
        assert!(sent(&committed).contains(&Sent::To(2, protocol::encode_saved(1))));
    }

    #[test]
    fn a_read_only_peer_is_told_and_its_update_is_not_stored() {
        let (reader, other) = (TestPeer::new(1, true), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&reader, &other]);
        let update = situation_update("vertrouwelijk");
        let (round, committed) = commit(&mut core, vec![update_from(1, &update)]);
        assert!(round.persist.is_none(), "nothing to store");
        assert_eq!(round.updates_received, 0);
        assert_eq!(
            sent(&committed),
            vec![Sent::To(1, protocol::encode_read_only())]
        );
        assert!(committed.edited.is_empty());
        let (reply, _) = oneshot::channel();
        let (_, read) = commit(&mut core, vec![RoomCommand::ReadContent { reply }]);
        assert_eq!(
            sent(&read),
            vec![Sent::Content(String::new())],
            "the document is unchanged"
        );
    }

    #[test]
    fn a_failed_commit_relays_nothing_and_closes_everyone() {
        let (a, b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        let round = core.step(Input::Round(vec![update_from(1, &situation_update("weg"))]));
        assert!(round.persist.is_some());
        let mut failed = core.step(Input::CommitFailed);
        assert!(failed.stop);
        assert!(failed.send.is_empty(), "nothing unstored is relayed");
        assert!(failed.edited.is_empty(), "no edit is counted");
        assert_eq!(
            closed(&failed),
            vec![close_code::INTERNAL_ERROR, close_code::INTERNAL_ERROR]
        );
        act_now(&mut failed);
        assert_eq!(a.handle.closer.frame().0, close_code::INTERNAL_ERROR);
        assert_eq!(b.handle.closer.frame().0, close_code::INTERNAL_ERROR);
        assert!(!core.has_peers());
        assert!(
            sent(&core.step(Input::Committed(None))).is_empty(),
            "the failed round is gone"
        );
    }

    #[test]
    fn replies_are_read_in_place_and_sent_only_once_committed() {
        let a = TestPeer::new(1, false);
        let mut core = room_with(Limits::default(), &[&a]);
        let (before, _) = oneshot::channel();
        let (after, _) = oneshot::channel();
        let (snapshot, _) = oneshot::channel();
        let update = situation_update("nieuw");
        let round = core.step(Input::Round(vec![
            RoomCommand::ReadContent { reply: before },
            update_from(1, &update),
            RoomCommand::ReadContent { reply: after },
            RoomCommand::ReadSnapshot { reply: snapshot },
        ]));
        assert!(round.send.is_empty());
        let committed = core.step(in_order(&core, &round));
        assert_eq!(
            sent(&committed),
            vec![
                Sent::Content(String::new()),
                Sent::Broadcast {
                    except: Some(1),
                    message: protocol::encode_update(&update),
                    update: true,
                },
                Sent::Content("nieuw".into()),
                Sent::Snapshot,
                Sent::To(1, protocol::encode_saved(1)),
            ]
        );
    }

    #[test]
    fn compaction_is_due_once_the_log_reaches_the_threshold() {
        let limits = Limits {
            compact_after: 3,
            ..Limits::default()
        };
        let a = TestPeer::new(1, false);
        let mut core = room_with(limits, &[&a]);
        let (_, committed) = commit(&mut core, vec![update_from(1, &situation_update("een "))]);
        assert!(!committed.compaction_due, "two log entries");
        assert!(core.step(Input::Compact).compact.is_none(), "not due yet");
        let (_, committed) = commit(&mut core, vec![update_from(1, &situation_update("twee "))]);
        assert!(committed.compaction_due, "three log entries");

        let compaction = core.step(Input::Compact).compact.expect("a snapshot");
        assert_eq!(compaction.upto_seq, 3);
        let content = CanvasDoc::content_of_snapshot(&compaction.snapshot).expect("it loads");
        for word in ["een", "twee"] {
            assert!(
                content.steps.situation.contains(word),
                "{word} is in the snapshot"
            );
        }
        let (round, committed) =
            commit(&mut core, vec![update_from(1, &situation_update("drie "))]);
        assert_eq!(core.applied(), 4);
        assert!(round.persist.is_some());
        assert!(!committed.compaction_due, "the log starts again");
    }

    #[test]
    fn an_update_past_the_canvas_limit_closes_its_sender_and_is_not_stored() {
        let limits = Limits {
            max_canvas_bytes: stored().byte_len() + 10,
            ..Limits::default()
        };
        let (a, b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(limits, &[&a, &b]);
        let (mut round, committed) = commit(
            &mut core,
            vec![update_from(1, &situation_update("te groot"))],
        );
        assert!(round.persist.is_none());
        assert_eq!(closed(&round), vec![close_code::MESSAGE_TOO_BIG]);
        act_now(&mut round);
        assert_eq!(a.handle.closer.frame().0, close_code::MESSAGE_TOO_BIG);
        assert!(!b.handle.closer.is_closed());
        assert!(core.peer(1).is_none() && core.peer(2).is_some());
        assert!(sent(&committed).is_empty());
    }

    #[test]
    fn a_leave_removes_the_peers_presence_and_announces_it() {
        let (a, b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        assert_eq!(
            core.take_presence(),
            None,
            "nobody announced themselves yet"
        );
        let (_, committed) = commit(
            &mut core,
            vec![RoomCommand::Message {
                conn: 1,
                message: ClientMessage::Awareness(vec![presence(10, Some("{}"))]),
            }],
        );
        let stamped = presence(10, Some(&a.handle.identity.stamp("{}")));
        assert_eq!(
            sent(&committed),
            vec![Sent::Broadcast {
                except: None,
                message: protocol::encode_awareness([stamped].iter()),
                update: false,
            }]
        );
        assert_eq!(core.take_presence(), Some(vec!["Teamlid 1".to_string()]));
        assert_eq!(core.take_presence(), None, "published once");

        let (round, committed) = commit(&mut core, vec![RoomCommand::Leave { conn: 1 }]);
        assert!(round.send.is_empty());
        assert_eq!(
            sent(&committed),
            vec![Sent::Broadcast {
                except: None,
                message: protocol::encode_awareness([presence(10, None)].iter()),
                update: false,
            }]
        );
        assert!(core.peer(1).is_none());
        assert_eq!(core.take_presence(), Some(Vec::new()));
        // A peer dropped by the actor (too slow) leaves the same way.
        let (_, committed) = commit(
            &mut core,
            vec![RoomCommand::Message {
                conn: 2,
                message: ClientMessage::Awareness(vec![presence(20, Some("{}"))]),
            }],
        );
        assert_eq!(sent(&committed).len(), 1);
        let gone = core.step(Input::Disconnect(2));
        assert_eq!(
            sent(&gone),
            vec![Sent::Broadcast {
                except: None,
                message: protocol::encode_awareness([presence(20, None)].iter()),
                update: false,
            }]
        );
        assert!(!core.has_peers());
    }

    #[test]
    fn a_commit_after_another_process_commits_reads_its_entries_and_relays_them() {
        let (mut a, mut b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        let own = situation_update("hier ");
        let round = core.step(Input::Round(vec![update_from(1, &own)]));
        // Another process took position 2 first: this round's update is at 3.
        let committed = core.step(Input::Committed(Some(3)));
        assert!(committed.catch_up, "the commit did not follow on from 1");
        assert_eq!(core.applied(), 1, "position 2 is not in the document yet");
        assert!(round.persist.is_some());
        assert!(sent(&committed).contains(&Sent::Broadcast {
            except: Some(1),
            message: protocol::encode_update(&own),
            update: true,
        }));

        // The read after 1 holds the other process's entry and this room's own.
        let elsewhere = situation_update("elders ");
        let foreign = core.step(Input::Foreign(StoredCanvas {
            snapshot: None,
            updates: vec![(2, elsewhere.to_vec()), (3, own.to_vec())],
        }));
        assert_eq!(core.applied(), 3);
        let relayed = sent(&foreign);
        assert_eq!(
            relayed.len(),
            1,
            "the entry this room lacked, to everyone: {relayed:?}"
        );
        let Sent::Broadcast {
            except: None,
            message,
            update: true,
        } = &relayed[0]
        else {
            panic!("a broadcast of the difference: {relayed:?}");
        };
        let doc = yrs::Doc::new();
        let mut reader = protocol::Reader::new(&message[2..]);
        let diff = <yrs::Update as yrs::updates::decoder::Decode>::decode_v1(
            reader.buffer().expect("payload"),
        )
        .expect("update");
        yrs::Transact::transact_mut(&doc)
            .apply_update(diff)
            .expect("apply");
        let text = doc.get_or_insert_text(schema::root::SITUATION);
        assert_eq!(
            yrs::GetString::get_string(&text, &yrs::Transact::transact(&doc)),
            "elders ",
            "only what the document lacked, as it was stored"
        );
        let content = core.doc.content().expect("content").steps.situation;
        assert!(
            content.contains("elders") && content.contains("hier"),
            "{content:?}"
        );
        // Read again: nothing new, nothing sent.
        let again = core.step(Input::Foreign(StoredCanvas {
            snapshot: None,
            updates: vec![(3, own.to_vec())],
        }));
        assert!(sent(&again).is_empty());
        assert!(!a.was_sent_anything() && !b.was_sent_anything());

        // A compaction of another process folded what follows into a snapshot.
        let later = situation_update("later ");
        let folded = {
            let doc = CanvasDoc::load(&StoredCanvas {
                snapshot: None,
                updates: vec![(1, schema::initialize()), (4, later.to_vec())],
            })
            .expect("loads");
            doc.snapshot().expect("snapshot")
        };
        let foreign = core.step(Input::Foreign(StoredCanvas {
            snapshot: Some((folded, 4)),
            updates: Vec::new(),
        }));
        assert_eq!(core.applied(), 4);
        assert_eq!(sent(&foreign).len(), 1);
        assert_eq!(
            core.step(Input::Compact).compact.map(|c| c.upto_seq),
            None,
            "the log starts again after the other process's snapshot"
        );
    }

    #[test]
    fn presence_of_other_processes_is_shown_here_and_only_this_processs_own_is_shared() {
        let a = TestPeer::new(1, false);
        let mut core = room_with(Limits::default(), &[&a]);
        let (_, committed) = commit(
            &mut core,
            vec![RoomCommand::Message {
                conn: 1,
                message: ClientMessage::Awareness(vec![presence(10, Some("{}"))]),
            }],
        );
        let stamped = a.handle.identity.stamp("{}").to_string();
        assert_eq!(
            committed.share,
            vec![PresenceState {
                client_id: 10,
                clock: 1,
                state: Some(stamped.clone()),
                account: a.handle.identity.account,
            }],
            "the rooms elsewhere hear of this connection's state"
        );

        let remote = PresenceState {
            client_id: 20,
            clock: 1,
            state: Some(r#"{"user":{"name":"Elders"}}"#.into()),
            account: crate::ids::AccountId(99),
        };
        // One that claims this connection's id is not taken.
        let usurper = PresenceState {
            client_id: 10,
            clock: 5,
            state: Some("{}".into()),
            account: crate::ids::AccountId(99),
        };
        let (_, committed) = commit(
            &mut core,
            vec![RoomCommand::RemotePresence(vec![remote.clone(), usurper])],
        );
        assert_eq!(
            sent(&committed),
            vec![Sent::Broadcast {
                except: None,
                message: protocol::encode_awareness(
                    [AwarenessEntry {
                        client_id: 20,
                        clock: 1,
                        state: remote.state.as_deref().map(Into::into),
                    }]
                    .iter()
                ),
                update: false,
            }]
        );
        assert!(committed.share.is_empty(), "not shared onwards");
        assert_eq!(
            core.presence_names(),
            vec!["Teamlid 1".to_string()],
            "the overview counts this process's own"
        );

        let (_, committed) = commit(&mut core, vec![RoomCommand::PresenceAsked]);
        assert_eq!(committed.share.len(), 1, "asked: this connection's state");
        assert_eq!(committed.share[0].client_id, 10);

        // The other process stops renewing (it died): its entry goes, this one's stays.
        let later = Instant::now() + Duration::from_secs(60);
        let mut swept = core.step(Input::Sweep {
            now: later,
            timeout: Duration::from_secs(40),
        });
        let removed: Vec<u64> = swept.share.drain(..).map(|s| s.client_id).collect();
        assert_eq!(
            removed,
            vec![10],
            "only this process's own removal is shared"
        );
        assert_eq!(sent(&swept).len(), 1);
    }

    #[test]
    fn a_broken_document_reloads_after_committing_what_came_before() {
        let (a, b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        core.doc.faults.lock().expect("faults").push(Op::Content);
        let (reply, mut answer) = oneshot::channel();
        let (later, mut later_answer) = oneshot::channel();
        let round = core.step(Input::Round(vec![
            update_from(1, &situation_update("bewaard")),
            RoomCommand::ReadContent { reply },
            RoomCommand::ReadContent { reply: later },
        ]));
        let batch = round.persist.as_ref().expect("what came before is stored");
        assert_eq!(batch.updates.len(), 1);
        assert_eq!(batch.summary, None, "no summary from a broken document");
        let dropped = Err(oneshot::error::TryRecvError::Closed);
        assert_eq!(
            answer.try_recv().map(|_| ()),
            dropped,
            "the failed read is dropped"
        );
        assert_eq!(
            later_answer.try_recv().map(|_| ()),
            dropped,
            "the rest of the round is dropped, its askers retry"
        );
        let committed = core.step(in_order(&core, &round));
        assert!(committed.stop);
        assert!(committed.send.is_empty(), "a broken document sends nothing");
        assert_eq!(
            closed(&committed),
            vec![close_code::SERVICE_RESTART, close_code::SERVICE_RESTART]
        );
    }

    #[test]
    fn shutdown_closes_everyone_as_going_away() {
        let (a, b) = (TestPeer::new(1, false), TestPeer::new(2, false));
        let mut core = room_with(Limits::default(), &[&a, &b]);
        let mut plan = core.step(Input::Shutdown);
        assert!(plan.stop);
        act_now(&mut plan);
        assert_eq!(a.handle.closer.frame().0, close_code::GOING_AWAY);
        assert_eq!(b.handle.closer.frame().0, close_code::GOING_AWAY);
    }
}
