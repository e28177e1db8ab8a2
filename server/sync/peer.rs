//! What a room knows of one connection: where to send its messages and how to close it.

use std::sync::{Arc, Mutex};

use bytes::Bytes;
use tokio::sync::{mpsc, watch};
use tokio_util::sync::CancellationToken;

use super::awareness::{ConnId, Identity};

/// WebSocket close codes the server uses (RFC 6455, section 7.4.1).
pub mod close_code {
    pub const NORMAL: u16 = 1000;
    pub const GOING_AWAY: u16 = 1001;
    pub const PROTOCOL_ERROR: u16 = 1002;
    pub const UNSUPPORTED_DATA: u16 = 1003;
    pub const INVALID_PAYLOAD: u16 = 1007;
    pub const POLICY_VIOLATION: u16 = 1008;
    pub const MESSAGE_TOO_BIG: u16 = 1009;
    pub const INTERNAL_ERROR: u16 = 1011;
    pub const SERVICE_RESTART: u16 = 1012;
    pub const TRY_AGAIN_LATER: u16 = 1013;
    /// Doorbraak's own (the 4000–4999 range is for applications): the session that opened the
    /// connection expired. Unlike 1008 the page keeps its offline copy and asks to sign in again.
    pub const SESSION_EXPIRED: u16 = 4001;
}

/// The reason for 1009 when a document update is too large to store: the page shows it, keeps
/// its local copy and does not try again.
pub const TOO_LARGE_TO_STORE: &str =
    "Deze wijziging is te groot om op te slaan. Ze blijft in deze browser bewaard.";

/// Asks a connection to close, with the first code and reason given winning.
///
/// The close frame cannot travel through the connection's message queue: a slow client is closed
/// precisely because that queue is full. The writer task watches this token instead.
#[derive(Clone, Default)]
pub struct Closer {
    token: CancellationToken,
    // A std mutex: held for a copy, never across an await.
    frame: Arc<Mutex<Option<(u16, &'static str)>>>,
}

impl Closer {
    /// Closes with `code` and a Dutch `reason` (at most 123 bytes, as a close frame allows).
    pub fn close(&self, code: u16, reason: &'static str) {
        if let Ok(mut frame) = self.frame.lock() {
            frame.get_or_insert((code, reason));
        }
        self.token.cancel();
    }

    pub fn is_closed(&self) -> bool {
        self.token.is_cancelled()
    }

    pub async fn closed(&self) {
        self.token.cancelled().await
    }

    /// The code and reason to send, once closed.
    pub fn frame(&self) -> (u16, &'static str) {
        self.frame
            .lock()
            .ok()
            .and_then(|f| *f)
            .unwrap_or((close_code::NORMAL, ""))
    }
}

/// A connection as a room sees it.
#[derive(Clone)]
pub struct PeerHandle {
    pub id: ConnId,
    /// Who the connection belongs to; stamped into every presence state it sends.
    pub identity: Identity,
    /// Bounded: a room never waits on a client, it drops clients that fall behind.
    pub outbox: mpsc::Sender<Bytes>,
    pub closer: Closer,
    /// Whether the client asked for the saved signal.
    pub wants_saved: bool,
    /// Whether the room drops this peer's updates (it may read, not edit).
    pub read_only: bool,
    /// Counts the rounds in which an update of this peer changed the canvas and was stored;
    /// the connection's owner watches it to audit the edit and keep the session alive.
    pub edits: Arc<watch::Sender<u64>>,
}
