//! The event bus: what one part of the server tells the others.
//!
//! Use cases publish what happened (access changed, a canvas's workflow changed) and the sync
//! rooms publish what their documents and presence did; whoever cares listens. Every socket
//! closing and every push to an open page goes through here, from one place per use case, so
//! that a bus backed by PostgreSQL (`LISTEN`/`NOTIFY`) can later carry the same events between
//! server processes. What is sent must therefore be plain data: ids and facts, never a closure
//! or canvas content.
//!
//! - [`EventBus`]: the trait; [`local::LocalBus`]: the in-process implementation.
//! - Listeners that must act before the publishing request answers (closing the connections of
//!   someone whose access was just taken away) are [`Handler`]s, called on publish. Listeners
//!   that follow along (an open page refreshing its panel) [`subscribe`](EventBus::subscribe)
//!   and may miss events when they fall behind; they then simply refresh on the next one.

pub mod local;

use tokio::sync::broadcast;

use crate::{
    access::policy,
    canvas::CanvasId,
    ids::{AccountId, Credential, MeetingId},
};

pub use local::LocalBus;

/// Something that happened, as the rest of the server needs to hear it.
#[derive(Debug, Clone)]
pub enum Event {
    /// Connections and event streams that the change concerns must end; their clients
    /// reconnect by themselves and get whatever access they have now.
    AccessChanged(AccessChange),
    /// A canvas's workflow facts changed (status, escalation, budget).
    WorkflowChanged(WorkflowChange),
    /// Who is present on a loaded canvas changed: the names their accounts carry, sorted.
    PresenceChanged {
        canvas: CanvasId,
        names: Vec<String>,
    },
    /// A canvas's document changed and is durably stored up to log sequence `upto_seq`.
    CanvasUpdated { canvas: CanvasId, upto_seq: i64 },
    /// Something in an overleg changed that its open pages show.
    MeetingChanged {
        meeting: MeetingId,
        signal: MeetingSignal,
    },
}

/// What an overleg's open pages hear.
#[derive(Debug, Clone, PartialEq, Eq)]
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
            Event::PresenceChanged { .. } => Topic::Presence,
            Event::CanvasUpdated { .. } => Topic::Canvas,
            Event::MeetingChanged { .. } => Topic::Meeting,
        }
    }
}

/// Whose access changed.
#[derive(Debug, Clone, PartialEq, Eq)]
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
#[derive(Debug, Clone)]
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
}
