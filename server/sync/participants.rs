//! Open connections and event streams by account, credential and canvas, so that revoking a
//! token, ending a session, changing someone's membership or moving a canvas on the escalation
//! ladder disconnects the people concerned at once instead of at their next reconnect. Their
//! clients reconnect by themselves and get whatever access they have now.
//!
//! A connection registers *before* its access is checked and keeps the [`Registration`] for as
//! long as it lives. A change that lands between the check and the start of the connection
//! therefore still finds it: its closer is closed, and the connection ends as soon as it starts.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use crate::{
    canvas::CanvasId,
    events::{AccessChange, Event, Handler},
    ids::{AccountId, Credential},
};

use super::{
    awareness::{ConnId, Identity},
    peer::{Closer, close_code},
};

/// The close reason a disconnected participant sees.
const REVOKED: &str = "Je toegang is gewijzigd of ingetrokken.";
/// The close reason when the session expired.
const EXPIRED: &str = "Je sessie is verlopen.";
/// Why everything closes after the event bus lost its link to the other processes.
const RECONNECT: &str = "De verbinding wordt hersteld.";

/// Who is on the other end of a connection and what they may do.
#[derive(Debug, Clone)]
pub struct Participant {
    /// Name and role as others see them in presence: from the account, never from the client.
    pub identity: Identity,
    /// Their updates are dropped (and they are told so); state and presence still reach them.
    pub read_only: bool,
    /// Whether the client asked for the saved signal.
    pub wants_saved: bool,
}

/// What a registration is about: whose credential, and which canvas (none for a stream that
/// follows many canvases, such as the coach dashboard's).
#[derive(Debug, Clone)]
pub struct Holder {
    pub account_id: AccountId,
    /// The session or token the connection was opened with.
    pub credential: Credential,
    pub canvas: Option<CanvasId>,
}

/// What a canvas connection was let in with. The periodic re-check closes a connection whose
/// standing the server would no longer give it (see `services::recheck`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Standing {
    pub read_only: bool,
    /// The role others see in presence.
    pub role: &'static str,
}

struct Open {
    holder: Holder,
    closer: Closer,
    /// `None` until the access check let it in, and for event streams, which carry no role.
    standing: Option<Standing>,
    /// For a stream over many canvases: the digest of the account's access it filters by
    /// (`policy::Account::digest`).
    grants: Option<u64>,
}

/// An open connection or stream as the re-check sees it.
#[derive(Debug, Clone)]
pub struct OpenEntry {
    pub conn: ConnId,
    pub holder: Holder,
    pub standing: Option<Standing>,
    pub grants: Option<u64>,
}

type Registry = Arc<Mutex<HashMap<ConnId, Open>>>;

#[derive(Default)]
pub struct Participants(Registry);

/// One registered connection or stream; unregistered when dropped.
pub struct Registration {
    pub conn: ConnId,
    pub closer: Closer,
    registry: Registry,
}

impl Registration {
    /// Records what the access check let the connection in with.
    pub fn admit(&self, standing: Standing) {
        self.update(|entry| entry.standing = Some(standing));
    }

    /// Records the digest of the access a stream over many canvases filters its events by.
    pub fn admit_stream(&self, grants: u64) {
        self.update(|entry| entry.grants = Some(grants));
    }

    fn update(&self, change: impl FnOnce(&mut Open)) {
        if let Ok(mut open) = self.registry.lock()
            && let Some(entry) = open.get_mut(&self.conn)
        {
            change(entry);
        }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        if let Ok(mut open) = self.registry.lock() {
            open.remove(&self.conn);
        }
    }
}

impl Participants {
    /// Registers `conn` for `holder`; from now on every change that concerns it closes it.
    pub fn register(&self, conn: ConnId, holder: Holder) -> Registration {
        let closer = Closer::default();
        if let Ok(mut open) = self.0.lock() {
            let entry = Open {
                holder,
                closer: closer.clone(),
                standing: None,
                grants: None,
            };
            open.insert(conn, entry);
        }
        Registration {
            conn,
            closer,
            registry: self.0.clone(),
        }
    }

    /// Every open connection and stream.
    pub fn open(&self) -> Vec<OpenEntry> {
        let Ok(open) = self.0.lock() else {
            return Vec::new();
        };
        open.iter()
            .map(|(conn, entry)| OpenEntry {
                conn: *conn,
                holder: entry.holder.clone(),
                standing: entry.standing,
                grants: entry.grants,
            })
            .collect()
    }

    /// Closes one connection or stream as revoked; whether it was open (and not closed yet).
    pub fn close_conn(&self, conn: ConnId) -> bool {
        let Ok(open) = self.0.lock() else {
            return false;
        };
        match open.get(&conn) {
            Some(entry) if !entry.closer.is_closed() => {
                entry.closer.close(close_code::POLICY_VIOLATION, REVOKED);
                true
            }
            _ => false,
        }
    }

    /// Closes every connection of an account; returns how many.
    pub fn close_account(&self, account_id: AccountId) -> usize {
        self.close_where(|holder| holder.account_id == account_id)
    }

    /// Closes every connection opened with a credential; returns how many.
    pub fn close_credential(&self, credential: &Credential) -> usize {
        self.close_where(|holder| holder.credential == *credential)
    }

    /// Closes every connection opened with a session that expired, saying so; returns how many.
    pub fn close_expired(&self, credential: &Credential) -> usize {
        self.close_with(close_code::SESSION_EXPIRED, EXPIRED, |holder| {
            holder.credential == *credential
        })
    }

    /// Closes the connections to a canvas of every account that `keep` does not keep.
    pub fn close_on_canvas(&self, canvas: &CanvasId, keep: impl Fn(AccountId) -> bool) -> usize {
        self.close_where(|holder| {
            holder.canvas.as_ref() == Some(canvas) && !keep(holder.account_id)
        })
    }

    fn close_where(&self, matches: impl Fn(&Holder) -> bool) -> usize {
        self.close_with(close_code::POLICY_VIOLATION, REVOKED, matches)
    }

    fn close_with(
        &self,
        code: u16,
        reason: &'static str,
        matches: impl Fn(&Holder) -> bool,
    ) -> usize {
        let Ok(open) = self.0.lock() else {
            return 0;
        };
        open.values()
            .filter(|entry| matches(&entry.holder))
            .map(|entry| entry.closer.close(code, reason))
            .count()
    }
}

/// Access changes published on the bus close what they concern, before the use case answers.
impl Handler for Participants {
    fn handle(&self, event: &Event) {
        let change = match event {
            Event::AccessChanged(change) => change,
            // The bus could not hear the other processes for a while: an access change made
            // there may be among what it missed, and nothing says whose. Everything closes and
            // is reopened by its client with whatever access it has now (an open page also
            // catches up on workflow changes it missed). Rare: only after the database link
            // dropped.
            Event::EventsMissed => {
                self.close_with(close_code::SERVICE_RESTART, RECONNECT, |_| true);
                return;
            }
            _ => return,
        };
        match change {
            AccessChange::Credential(credential) => self.close_credential(credential),
            AccessChange::SessionExpired(credential) => self.close_expired(credential),
            AccessChange::Account(account) => self.close_account(*account),
            AccessChange::Canvas { canvas, keep } => {
                self.close_on_canvas(canvas, |account| keep.contains(&account))
            }
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::TokenId;

    fn session_of(id_hash: &str) -> Credential {
        Credential::Session(id_hash.into())
    }

    /// The canvas called `name` ("a", "b") in these tests.
    fn canvas(name: &str) -> CanvasId {
        let n = name.bytes().next().map_or(0, u32::from);
        format!("00000000-0000-4000-8000-{n:012x}")
            .parse()
            .expect("canvas id")
    }

    fn holder(account_id: AccountId, credential: Credential, name: &str) -> Holder {
        Holder {
            account_id,
            credential,
            canvas: Some(canvas(name)),
        }
    }

    #[test]
    fn closes_by_account_by_credential_and_by_canvas() {
        let participants = Participants::default();
        let token =
            participants.register(1, holder(AccountId(7), Credential::Token(TokenId(1)), "a"));
        let session = participants.register(2, holder(AccountId(7), session_of("a"), "a"));
        let other = participants.register(3, holder(AccountId(8), session_of("b"), "a"));
        let elsewhere = participants.register(4, holder(AccountId(9), session_of("c"), "b"));

        assert_eq!(
            participants.close_credential(&Credential::Token(TokenId(1))),
            1
        );
        assert!(token.closer.is_closed() && !session.closer.is_closed());
        assert_eq!(
            token.closer.frame(),
            (close_code::POLICY_VIOLATION, REVOKED)
        );

        assert_eq!(
            participants.close_on_canvas(&canvas("a"), |account| account == AccountId(7)),
            1
        );
        assert!(other.closer.is_closed());
        assert!(!session.closer.is_closed() && !elsewhere.closer.is_closed());

        drop(other);
        assert_eq!(
            participants.close_account(AccountId(8)),
            0,
            "unregistered when dropped"
        );
        assert_eq!(participants.close_account(AccountId(7)), 2);
        assert!(session.closer.is_closed() && !elsewhere.closer.is_closed());
    }

    #[test]
    fn the_recheck_sees_each_connection_with_its_standing_and_closes_one_alone() {
        let participants = Participants::default();
        let admitted = participants.register(1, holder(AccountId(7), session_of("a"), "a"));
        let checking = participants.register(2, holder(AccountId(7), session_of("a"), "a"));
        let standing = Standing {
            read_only: true,
            role: "Doorbraakcoach",
        };
        admitted.admit(standing);
        let mut open = participants.open();
        open.sort_by_key(|entry| entry.conn);
        let seen: Vec<_> = open
            .iter()
            .map(|entry| (entry.conn, entry.standing))
            .collect();
        assert_eq!(seen, [(1, Some(standing)), (2, None)]);

        assert!(participants.close_conn(1));
        assert_eq!(
            admitted.closer.frame(),
            (close_code::POLICY_VIOLATION, REVOKED)
        );
        assert!(!checking.closer.is_closed(), "only the one named");
        drop(admitted);
        assert!(!participants.close_conn(1), "gone once dropped");
    }

    #[test]
    fn a_change_before_the_connection_starts_still_closes_it() {
        // The upgrade registers, then checks access, then starts the socket; a removal in between
        // finds the registration and closes it, so the socket ends as soon as it starts.
        let participants = Participants::default();
        let registration = participants.register(1, holder(AccountId(7), session_of("a"), "a"));
        participants.close_account(AccountId(7));
        assert!(registration.closer.is_closed());
        assert_eq!(registration.closer.frame().0, close_code::POLICY_VIOLATION);
    }

    #[test]
    fn everything_closes_when_the_bus_may_have_missed_an_access_change() {
        let participants = Participants::default();
        let socket = participants.register(1, holder(AccountId(7), session_of("a"), "a"));
        let stream = participants.register(
            2,
            Holder {
                account_id: AccountId(8),
                credential: session_of("b"),
                canvas: None,
            },
        );
        participants.handle(&Event::EventsMissed);
        assert_eq!(
            socket.closer.frame(),
            (close_code::SERVICE_RESTART, RECONNECT)
        );
        assert!(stream.closer.is_closed());
    }

    #[test]
    fn streams_without_a_canvas_close_with_their_account() {
        let participants = Participants::default();
        let stream = participants.register(
            1,
            Holder {
                account_id: AccountId(7),
                credential: session_of("a"),
                canvas: None,
            },
        );
        assert_eq!(participants.close_on_canvas(&canvas("a"), |_| false), 0);
        assert_eq!(participants.close_credential(&session_of("a")), 1);
        assert!(stream.closer.is_closed());
    }
}
