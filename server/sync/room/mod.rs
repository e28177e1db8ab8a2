//! The room of one canvas: everything that touches a loaded canvas goes through its queue and is
//! handled in order, in rounds.
//!
//! The room takes every command that is waiting, applies them to the document, has the persister
//! commit the round's updates, and only then sends anything out. So no client ever receives
//! (through relay or through sync step 2) an update that is not yet on disk, and a busy canvas
//! commits many updates per transaction.
//!
//! The room is split so that its rules can be tested without a runtime or a database:
//! - [`core`] is sans-IO. It owns the document, the peers, presence, sequence numbers and what is
//!   known of the stored rows, and answers each [`core::Input`] with a [`plan::Plan`]: what to
//!   store, what to send to whom once stored, which connections to close, whether to compact,
//!   whether the room must stop. It never sends, stores, spawns or waits.
//! - [`actor`] is the task around the core: it takes commands off the queue in rounds, carries
//!   out the plans (commit, delivery with the slow-reader rule, compaction, metrics, presence for
//!   the overview), and loads, unloads and stops the room.
//! - [`plan`] holds the values the two exchange.

pub mod actor;
pub mod core;
pub mod plan;

use tokio::sync::oneshot;

pub use actor::{Room, run};

use super::{RoomError, awareness::ConnId, peer::PeerHandle, protocol::ClientMessage};
use crate::{canvas::schema::CanvasContent, events::PresenceState};

/// What the room's queue carries: the requests of connections and of the HTTP side.
pub enum RoomCommand {
    /// A connection joins; `done` is answered once the room has taken it in.
    Join {
        peer: PeerHandle,
        done: oneshot::Sender<Result<(), RoomError>>,
    },
    /// A connection has ended.
    Leave { conn: ConnId },
    /// A decoded message of a connection.
    Message {
        conn: ConnId,
        message: ClientMessage,
    },
    /// The document's content, as committed so far.
    ReadContent {
        reply: oneshot::Sender<Result<CanvasContent, RoomError>>,
    },
    /// The whole document as one update, as committed so far.
    ReadSnapshot {
        reply: oneshot::Sender<Result<Vec<u8>, RoomError>>,
    },
    /// Presence states of connections to another server process on this canvas.
    RemotePresence(Vec<PresenceState>),
    /// A room of this canvas loaded on another process: share this one's presence states.
    PresenceAsked,
}
