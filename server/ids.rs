//! Typed identifiers: an account id cannot be passed where a team id is meant. A leaf that every
//! layer may use; the canvas id, which is also validated text, lives with the canvas
//! ([`crate::canvas::CanvasId`]) and is re-exported here.

use std::fmt;

pub use crate::canvas::CanvasId;

macro_rules! id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Stored, sent and parsed as the integer it wraps (`transparent`): queries bind and read it,
        /// paths and forms parse it, as is.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(sqlx::Type, serde::Serialize, serde::Deserialize)]
        #[sqlx(transparent)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id!(
    /// Identifies an account.
    AccountId
);
id!(
    /// Identifies a doorbraakteam.
    TeamId
);
id!(
    /// Identifies a province (the doorbraakcoaches work per province).
    ProvinceId
);
id!(
    /// Identifies one step of a canvas on the escalation ladder.
    EscalationId
);
id!(
    /// Identifies a personal access token.
    TokenId
);
id!(
    /// Identifies a line of the doorbraakbudget's ledger.
    EntryId
);
id!(
    /// Identifies a gemeente.
    GemeenteId
);
id!(
    /// Identifies a doorbraakoverleg.
    MeetingId
);
id!(
    /// Identifies one item of an overleg's agenda.
    AgendaItemId
);
id!(
    /// Identifies a named version of a canvas.
    VersionId
);
id!(
    /// Identifies an actiepunt recorded in an overleg.
    ActionItemId
);
id!(
    /// Identifies a comment on a canvas.
    CommentId
);

/// Identifies one running server process among those sharing a database, for the events it
/// shares with the others; new at every start.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub struct NodeId(pub u64);

impl NodeId {
    pub fn random() -> Self {
        Self(uuid::Uuid::new_v4().as_u64_pair().0)
    }
}

/// What a request or a connection proved its identity with. Closing "everything opened with
/// this credential" (sign-out, a revoked token, an expired session) is keyed on it.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
pub enum Credential {
    /// A browser session, by the hash of its cookie (the cookie itself is never kept).
    Session(String),
    /// A personal access token.
    Token(TokenId),
}
