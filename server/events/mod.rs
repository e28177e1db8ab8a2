//! The event bus: what one part of the server tells the others.
//!
//! Use cases publish what happened (access changed, a canvas's workflow changed) and the sync
//! rooms publish what their documents and presence did; whoever cares listens. Every socket
//! closing and every push to an open page goes through here, from one place per use case, so
//! that the bus backed by PostgreSQL (`LISTEN`/`NOTIFY`) carries the same events between server
//! processes. What is sent is therefore plain data (serialisable): ids and facts, never a
//! closure or canvas content.
//!
//! - [`EventBus`]: the trait; [`local::LocalBus`]: the in-process implementation;
//!   [`postgres::PostgresBus`]: the bus of several server processes on one PostgreSQL
//!   (`LISTEN`/`NOTIFY`), which hands every event to the local bus of each of them.
//! - Listeners that must act before the publishing request answers (closing the connections of
//!   someone whose access was just taken away) are [`Handler`]s, called on publish. Listeners
//!   that follow along (an open page refreshing its panel) [`subscribe`](EventBus::subscribe)
//!   and may miss events when they fall behind; they then simply refresh on the next one.

pub mod local;
pub mod postgres;

use tokio::sync::broadcast;

use serde::{Deserialize, Serialize};

use crate::{
    access::policy,
    canvas::CanvasId,
    ids::{AccountId, Credential, MeetingId, NodeId},
};

pub use local::LocalBus;

/// Something that happened, as the rest of the server needs to hear it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Event {
    /// Connections and event streams that the change concerns must end; their clients
    /// reconnect by themselves and get whatever access they have now.
    AccessChanged(AccessChange),
    /// A canvas's workflow facts changed (status, escalation, budget).
    WorkflowChanged(WorkflowChange),
    /// Who is present on a loaded canvas through process `node` changed: the names their
    /// accounts carry, sorted (empty: nobody, or the room unloaded). Renewed while anyone is
    /// there, so that the names of a process that died fade from the others.
    PresenceChanged {
        canvas: CanvasId,
        node: NodeId,
        names: Vec<String>,
    },
    /// Presence states of the connections to process `node` changed on a canvas: the rooms of
    /// the canvas on other processes show them to their own connections too.
    PresenceStates {
        canvas: CanvasId,
        node: NodeId,
        states: Vec<PresenceState>,
    },
    /// A room of the canvas loaded on process `node`: the rooms of the canvas elsewhere send
    /// their connections' presence states.
    PresenceAsked { canvas: CanvasId, node: NodeId },
    /// A canvas's document changed and is durably stored up to log sequence `upto_seq`.
    CanvasUpdated { canvas: CanvasId, upto_seq: i64 },
    /// The bus lost its link to the other server processes for a moment: whatever they
    /// published meanwhile was not heard. Loaded canvases read their log again.
    EventsMissed,
    /// Something in an overleg changed that its open pages show.
    MeetingChanged {
        meeting: MeetingId,
        signal: MeetingSignal,
    },
}

/// One presence (Yjs awareness) state, as the room of the connection that set it holds it:
/// stamped already with who it is by that room's process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresenceState {
    pub client_id: u64,
    pub clock: u64,
    /// The JSON state; `None` when it was removed.
    pub state: Option<String>,
    /// The account behind it: only this account may take the client id over elsewhere (a tab
    /// that reconnects to another process).
    pub account: AccountId,
}

/// What an overleg's open pages hear.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MeetingSignal {
    /// Its state changed (item, timer, attendance, besluit, actiepunten): fetch it again.
    Changed,
    /// The chair is now at this canvas and step: followers go along.
    ChairMoved { canvas: CanvasId, step: String },
    /// The chair asks everyone to come to this canvas and step; each may decline.
    CallToCome { canvas: CanvasId, step: String },
}

/// The kinds of event, each followed on its own: a page following workflow changes does not
/// fall behind because a busy canvas commits many updates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Topic {
    Access,
    Workflow,
    Presence,
    Canvas,
    Meeting,
}

impl Topic {
    pub const ALL: [Topic; 5] = [
        Topic::Access,
        Topic::Workflow,
        Topic::Presence,
        Topic::Canvas,
        Topic::Meeting,
    ];
}

impl Event {
    pub fn topic(&self) -> Topic {
        match self {
            Event::AccessChanged(_) => Topic::Access,
            Event::WorkflowChanged(_) => Topic::Workflow,
            Event::PresenceChanged { .. }
            | Event::PresenceStates { .. }
            | Event::PresenceAsked { .. } => Topic::Presence,
            Event::CanvasUpdated { .. } | Event::EventsMissed => Topic::Canvas,
            Event::MeetingChanged { .. } => Topic::Meeting,
        }
    }
}

/// Whose access changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AccessChange {
    /// A session ended or a token was revoked: everything opened with it.
    Credential(Credential),
    /// A session expired (idle or at its absolute limit): everything opened with it closes with
    /// its own close code, so a page can say so and keep its unsent edits.
    SessionExpired(Credential),
    /// An account's roles or memberships changed: everything it has open.
    Account(AccountId),
    /// A canvas moved on the escalation ladder or was archived: its connections, except those
    /// of the accounts in `keep` (its own team, whose access does not depend on the level).
    Canvas {
        canvas: CanvasId,
        keep: Vec<AccountId>,
    },
}

/// A change to one canvas's workflow facts.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WorkflowChange {
    pub canvas: CanvasId,
    /// The canvas's team, province and place on the ladder after the change: a stream announces
    /// it only to someone the policy lets read the canvas now.
    pub facts: policy::Canvas,
}

/// Acts on an event as it is published, before `publish` returns.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, event: &Event);
}

/// Carries events from the part of the server where they happen to the parts that listen.
pub trait EventBus: Send + Sync + 'static {
    /// Tells every handler, then every subscriber.
    fn publish(&self, event: Event);

    /// Follows the events of `topic` published from now on.
    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Event>;

    /// Adds a handler, called for every event published from now on.
    fn handle_with(&self, handler: std::sync::Arc<dyn Handler>);

    /// Sends on what is still queued for other processes, waiting at most `within`. Called once
    /// at shutdown, after everything that publishes has stopped; the bus sends nothing after.
    fn flush(
        &self,
        within: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send + '_>> {
        let _ = within;
        Box::pin(std::future::ready(()))
    }
}
