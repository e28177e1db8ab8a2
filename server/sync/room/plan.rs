//! What the room's core decides and its actor carries out: the plan of one step.
//!
//! A plan holds values only. The reply channels of joins and reads travel through it untouched,
//! so that the actor answers them at the point the core placed them.

use bytes::Bytes;
use tokio::sync::oneshot;

use crate::{
    canvas::schema::CanvasContent,
    events::PresenceState,
    store::AppendBatch,
    sync::{RoomError, awareness::ConnId, peer::Closer},
};

/// Something to send once the round is committed.
pub enum Outgoing {
    To(ConnId, Bytes),
    /// To every peer but `except`; `update` marks relayed document updates for the metrics.
    Broadcast {
        except: Option<ConnId>,
        message: Bytes,
        update: bool,
    },
    /// A reply read from the document at its place in the round, sent once the round is
    /// committed.
    Content(
        oneshot::Sender<Result<CanvasContent, RoomError>>,
        Box<CanvasContent>,
    ),
    Snapshot(oneshot::Sender<Result<Vec<u8>, RoomError>>, Vec<u8>),
}

/// An effect due at once, before the round is committed: nothing in it reaches a client's
/// document, so it need not wait for the disk.
pub enum Now {
    /// A joiner has been taken in: its `join` returns (its first messages follow the commit).
    Joined(oneshot::Sender<Result<(), RoomError>>),
    /// Close a connection with a code and a Dutch reason.
    Close(Closer, u16, &'static str),
}

/// A snapshot to store in place of the log up to and including `upto_seq`.
pub struct Compaction {
    pub snapshot: Vec<u8>,
    pub upto_seq: i64,
}

/// What to do after one step of the core, in the order the fields are listed: the actor carries
/// out `now`, then stores `persist`, then (unless `stop`) counts `edited`, delivers `send`,
/// publishes presence and compacts.
///
/// A round's plan ([`Input::Round`](super::core::Input::Round)) only ever fills `now`,
/// `updates_received` and `persist`; what the round sends comes with the plan of its commit.
#[derive(Default)]
#[must_use]
pub struct Plan {
    /// Join acknowledgements and connections to close, in the order they arose.
    pub now: Vec<Now>,
    /// Document updates received from clients that may edit, for the metrics.
    pub updates_received: u64,
    /// The round's updates, to commit before anything of the round is sent.
    pub persist: Option<AppendBatch>,
    /// Peers whose update changed the canvas and was stored: their edit count goes up.
    pub edited: Vec<ConnId>,
    /// Messages and replies to deliver, in order.
    pub send: Vec<Outgoing>,
    /// Presence states of this process's connections that changed, for the rooms of the canvas
    /// on other processes.
    pub share: Vec<PresenceState>,
    /// The commit landed after log positions of other processes that the document lacks: the
    /// actor reads them and feeds them back ([`Input::Foreign`](super::core::Input)).
    pub catch_up: bool,
    /// The log is long enough to fold into a snapshot: the actor claims the canvas's compaction
    /// slot and then asks the core for the snapshot ([`Input::Compact`](super::core::Input)).
    pub compaction_due: bool,
    /// The snapshot to write, with the compaction slot the actor holds.
    pub compact: Option<Compaction>,
    /// The room must stop (its connections are closed in `now`); it reloads on demand.
    pub stop: bool,
}
