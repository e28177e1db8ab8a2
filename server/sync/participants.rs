//! Open connections by account, credential and canvas, so that revoking a token, ending a
//! session, changing someone's membership or moving a canvas on the escalation ladder
//! disconnects the people concerned at once instead of at their next reconnect. Their clients
//! reconnect by themselves and get whatever access they have now.

use std::{collections::HashMap, sync::Mutex};

use super::{
    awareness::ConnId,
    peer::{Closer, close_code},
};

/// The close reason a disconnected participant sees.
const REVOKED: &str = "Je toegang is gewijzigd of ingetrokken.";

/// Who is on the other end of a connection and what they may do.
#[derive(Debug, Clone)]
pub struct Participant {
    pub account_id: i64,
    /// Identifies the session or token the connection was opened with.
    pub credential: String,
    /// The canvas the connection is on.
    pub canvas: String,
    /// Their updates are dropped (and they are told so); state and presence still reach them.
    pub read_only: bool,
    /// Whether the client asked for the saved signal.
    pub wants_saved: bool,
}

struct Open {
    account_id: i64,
    credential: String,
    canvas: String,
    closer: Closer,
}

#[derive(Default)]
pub struct Participants(Mutex<HashMap<ConnId, Open>>);

impl Participants {
    pub fn register(&self, conn: ConnId, participant: &Participant, closer: Closer) {
        if let Ok(mut open) = self.0.lock() {
            let entry = Open {
                account_id: participant.account_id,
                credential: participant.credential.clone(),
                canvas: participant.canvas.clone(),
                closer,
            };
            open.insert(conn, entry);
        }
    }

    pub fn unregister(&self, conn: ConnId) {
        if let Ok(mut open) = self.0.lock() {
            open.remove(&conn);
        }
    }

    /// The distinct credentials with open connections.
    pub fn credentials(&self) -> Vec<String> {
        let Ok(open) = self.0.lock() else {
            return Vec::new();
        };
        let mut credentials: Vec<String> = open
            .values()
            .map(|entry| entry.credential.clone())
            .collect();
        credentials.sort_unstable();
        credentials.dedup();
        credentials
    }

    /// Closes every connection of an account; returns how many.
    pub fn close_account(&self, account_id: i64) -> usize {
        self.close_where(|open| open.account_id == account_id)
    }

    /// Closes every connection opened with a credential; returns how many.
    pub fn close_credential(&self, credential: &str) -> usize {
        self.close_where(|open| open.credential == credential)
    }

    /// Closes the connections to a canvas of every account that `keep` does not keep.
    pub fn close_on_canvas(&self, canvas: &str, keep: impl Fn(i64) -> bool) -> usize {
        self.close_where(|open| open.canvas == canvas && !keep(open.account_id))
    }

    fn close_where(&self, matches: impl Fn(&Open) -> bool) -> usize {
        let Ok(open) = self.0.lock() else {
            return 0;
        };
        open.values()
            .filter(|entry| matches(entry))
            .map(|entry| entry.closer.close(close_code::POLICY_VIOLATION, REVOKED))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(account_id: i64, credential: &str, canvas: &str) -> Participant {
        Participant {
            account_id,
            credential: credential.into(),
            canvas: canvas.into(),
            read_only: false,
            wants_saved: false,
        }
    }

    #[test]
    fn closes_by_account_by_credential_and_by_canvas() {
        let participants = Participants::default();
        let closers: Vec<Closer> = (0..4).map(|_| Closer::default()).collect();
        participants.register(1, &participant(7, "token:1", "a"), closers[0].clone());
        participants.register(2, &participant(7, "session:a", "a"), closers[1].clone());
        participants.register(3, &participant(8, "session:b", "a"), closers[2].clone());
        participants.register(4, &participant(9, "session:c", "b"), closers[3].clone());

        assert_eq!(participants.close_credential("token:1"), 1);
        assert!(closers[0].is_closed() && !closers[1].is_closed());
        assert_eq!(closers[0].frame(), (close_code::POLICY_VIOLATION, REVOKED));

        assert_eq!(participants.close_on_canvas("a", |account| account == 7), 1);
        assert!(closers[2].is_closed() && !closers[1].is_closed() && !closers[3].is_closed());

        participants.unregister(3);
        assert_eq!(participants.close_account(8), 0, "unregistered");
        assert_eq!(participants.close_account(7), 2);
        assert!(closers[1].is_closed() && !closers[3].is_closed());
    }
}
