//! Open connections by account and credential, so that revoking a token, ending a session or
//! changing someone's membership disconnects them at once instead of at their next reconnect.

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
    /// Their updates are dropped (and they are told so); state and presence still reach them.
    pub read_only: bool,
    /// Whether the client asked for the saved signal.
    pub wants_saved: bool,
}

#[derive(Default)]
pub struct Participants(Mutex<HashMap<ConnId, (i64, String, Closer)>>);

impl Participants {
    pub fn register(&self, conn: ConnId, participant: &Participant, closer: Closer) {
        if let Ok(mut open) = self.0.lock() {
            open.insert(
                conn,
                (
                    participant.account_id,
                    participant.credential.clone(),
                    closer,
                ),
            );
        }
    }

    pub fn unregister(&self, conn: ConnId) {
        if let Ok(mut open) = self.0.lock() {
            open.remove(&conn);
        }
    }

    /// Closes every connection of an account; returns how many.
    pub fn close_account(&self, account_id: i64) -> usize {
        self.close_where(|(account, _, _)| *account == account_id)
    }

    /// Closes every connection opened with a credential; returns how many.
    pub fn close_credential(&self, credential: &str) -> usize {
        self.close_where(|(_, opened_with, _)| opened_with == credential)
    }

    fn close_where(&self, matches: impl Fn(&(i64, String, Closer)) -> bool) -> usize {
        let Ok(open) = self.0.lock() else {
            return 0;
        };
        open.values()
            .filter(|entry| matches(entry))
            .map(|(_, _, closer)| closer.close(close_code::POLICY_VIOLATION, REVOKED))
            .count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn participant(account_id: i64, credential: &str) -> Participant {
        Participant {
            account_id,
            credential: credential.into(),
            read_only: false,
            wants_saved: false,
        }
    }

    #[test]
    fn closes_by_account_and_by_credential() {
        let participants = Participants::default();
        let closers: Vec<Closer> = (0..3).map(|_| Closer::default()).collect();
        participants.register(1, &participant(7, "token:1"), closers[0].clone());
        participants.register(2, &participant(7, "session:a"), closers[1].clone());
        participants.register(3, &participant(8, "session:b"), closers[2].clone());

        assert_eq!(participants.close_credential("token:1"), 1);
        assert!(closers[0].is_closed() && !closers[1].is_closed());
        assert_eq!(closers[0].frame(), (close_code::POLICY_VIOLATION, REVOKED));

        participants.unregister(3);
        assert_eq!(participants.close_account(8), 0, "unregistered");
        assert_eq!(participants.close_account(7), 2);
        assert!(closers[1].is_closed() && !closers[2].is_closed());
    }
}
