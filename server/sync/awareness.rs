//! Presence (Yjs awareness) of one canvas, without any I/O.
//!
//! The server relays what clients say about themselves, following the rules of
//! `y-protocols/awareness` (a higher clock wins; a `null` state at the same clock removes), with
//! two rules of its own:
//! - **Who someone is comes from the server.** Every state is stamped with the name and role of
//!   the account behind the connection (`user.name`, `user.role`), whatever the client announced;
//!   the rest of the state (colour, cursor, step) is the client's.
//! - **Ownership.** The connection that first sets a client id owns it, and no other connection
//!   may set or remove it while the owner is connected. After the owner disconnects, only the
//!   same account may take the id back (a reconnecting tab), until the id is forgotten.
//!
//! When a connection closes, everything it owned is removed at once; entries that are not
//! renewed within the timeout are removed by [`AwarenessTable::sweep`].
//!
//! **Other processes.** The states of connections to another server process on the same canvas
//! arrive already stamped by that process ([`AwarenessTable::apply_remote`]); they follow the
//! same clock rules, never displace a state of a connection here, and are removed by the sweep
//! when their process stops renewing them (it died). Only the states of this process's own
//! connections are shared onwards ([`AwarenessTable::shared`]).

use std::{
    collections::HashMap,
    sync::Arc,
    time::{Duration, Instant},
};

use super::protocol::AwarenessEntry;
use crate::{events::PresenceState, ids::AccountId};

/// Identifies one WebSocket connection within the server.
pub type ConnId = u64;

/// Client ids one connection may own at once; a browser tab needs one.
pub const MAX_IDS_PER_CONNECTION: usize = 8;

/// The account behind a connection as presence shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub account: AccountId,
    pub name: Arc<str>,
    /// The Dutch role on this canvas (teamlid, doorbraakcoach, PMM, …).
    pub role: &'static str,
}

impl Identity {
    pub fn new(account: AccountId, name: &str, role: &'static str) -> Self {
        Self {
            account,
            name: name.into(),
            role,
        }
    }

    /// The client's state with `user.name` and `user.role` set from the account. A state that is
    /// not a JSON object is replaced by one that only says who this is.
    pub fn stamp(&self, state: &str) -> Arc<str> {
        let mut value: serde_json::Value =
            serde_json::from_str(state).unwrap_or(serde_json::Value::Null);
        if !value.is_object() {
            value = serde_json::json!({});
        }
        if let Some(object) = value.as_object_mut() {
            let user = object
                .entry("user")
                .or_insert_with(|| serde_json::json!({}));
            if !user.is_object() {
                *user = serde_json::json!({});
            }
            if let Some(user) = user.as_object_mut() {
                user.insert("name".into(), self.name.as_ref().into());
                user.insert("role".into(), self.role.into());
            }
        }
        value.to_string().into()
    }
}

#[derive(Debug)]
struct Presence {
    clock: u64,
    state: Option<Arc<str>>,
    owner: Option<ConnId>,
    /// The account that set the id; it alone may take it back after a disconnect.
    account: AccountId,
    renewed: Instant,
    /// Set through another server process: not this process's to share.
    remote: bool,
}

impl Presence {
    fn entry(&self, client_id: u64) -> AwarenessEntry {
        AwarenessEntry {
            client_id,
            clock: self.clock,
            state: self.state.clone(),
        }
    }
}

#[derive(Debug, Default)]
pub struct AwarenessTable {
    entries: HashMap<u64, Presence>,
}

impl AwarenessTable {
    /// Applies what `conn` (of `identity`'s account) sent and returns the entries that changed,
    /// stamped with that identity, to relay to everyone.
    pub fn apply(
        &mut self,
        conn: ConnId,
        identity: &Identity,
        incoming: Vec<AwarenessEntry>,
        now: Instant,
    ) -> Vec<AwarenessEntry> {
        let mut changed = Vec::new();
        for mut entry in incoming {
            entry.state = entry.state.map(|state| identity.stamp(&state));
            let owned = self
                .entries
                .values()
                .filter(|p| p.owner == Some(conn))
                .count();
            let accepted = match self.entries.get(&entry.client_id) {
                Some(current) if current.owner.is_some_and(|owner| owner != conn) => false,
                Some(current) if current.account != identity.account => false,
                Some(current) => {
                    let newer = entry.clock > current.clock;
                    let removal = entry.clock == current.clock
                        && entry.state.is_none()
                        && current.state.is_some();
                    let may_claim = current.owner == Some(conn) || owned < MAX_IDS_PER_CONNECTION;
                    (newer || removal) && may_claim
                }
                None => owned < MAX_IDS_PER_CONNECTION,
            };
            if accepted {
                let presence = Presence {
                    clock: entry.clock,
                    state: entry.state.clone(),
                    owner: Some(conn),
                    account: identity.account,
                    renewed: now,
                    remote: false,
                };
                self.entries.insert(entry.client_id, presence);
                changed.push(entry);
            }
        }
        changed
    }

    /// Applies states that connections to another server process set, as that process stamped
    /// them; returns the entries that changed, to relay to this process's connections. A state
    /// of a connection here is never displaced, nor one of another account.
    pub fn apply_remote(
        &mut self,
        incoming: &[PresenceState],
        now: Instant,
    ) -> Vec<AwarenessEntry> {
        let mut changed = Vec::new();
        for state in incoming {
            let accepted = match self.entries.get(&state.client_id) {
                Some(current) if current.owner.is_some() => false,
                Some(current) if current.account != state.account => false,
                Some(current) => {
                    state.clock > current.clock
                        || (state.clock == current.clock
                            && state.state.is_none()
                            && current.state.is_some())
                }
                None => true,
            };
            if accepted {
                let presence = Presence {
                    clock: state.clock,
                    state: state.state.as_deref().map(Into::into),
                    owner: None,
                    account: state.account,
                    renewed: now,
                    remote: true,
                };
                changed.push(presence.entry(state.client_id));
                self.entries.insert(state.client_id, presence);
            }
        }
        changed
    }

    /// Of `entries` (as returned by this table), those of this process's own connections, with
    /// their accounts: what the rooms of the canvas on other processes are to hear.
    pub fn shared(&self, entries: &[AwarenessEntry]) -> Vec<PresenceState> {
        entries
            .iter()
            .filter_map(|entry| {
                let presence = self.entries.get(&entry.client_id)?;
                (!presence.remote).then(|| PresenceState {
                    client_id: entry.client_id,
                    clock: entry.clock,
                    state: entry.state.as_deref().map(str::to_owned),
                    account: presence.account,
                })
            })
            .collect()
    }

    /// The current states of this process's own connections.
    pub fn current_local(&self) -> Vec<AwarenessEntry> {
        self.entries
            .iter()
            .filter(|(_, p)| p.state.is_some() && !p.remote)
            .map(|(client_id, p)| p.entry(*client_id))
            .collect()
    }

    /// Removes the presence of everything `conn` owned and releases the ids.
    pub fn disconnect(&mut self, conn: ConnId) -> Vec<AwarenessEntry> {
        let mut removed = Vec::new();
        for (client_id, presence) in &mut self.entries {
            if presence.owner == Some(conn) {
                presence.owner = None;
                if presence.state.take().is_some() {
                    removed.push(presence.entry(*client_id));
                }
            }
        }
        removed
    }

    /// Removes states not renewed within `timeout` and forgets long-removed ids.
    pub fn sweep(&mut self, now: Instant, timeout: Duration) -> Vec<AwarenessEntry> {
        let mut removed = Vec::new();
        for (client_id, presence) in &mut self.entries {
            if presence.state.is_some() && now.duration_since(presence.renewed) >= timeout {
                presence.state = None;
                removed.push(presence.entry(*client_id));
            }
        }
        // A removed entry's clock is kept for a while so that a late, older message cannot
        // resurrect it; after that the memory is given back.
        self.entries.retain(|_, p| {
            p.state.is_some() || p.owner.is_some() || now.duration_since(p.renewed) < timeout * 2
        });
        removed
    }

    /// The current states, for a client that joins or asks.
    pub fn current(&self) -> Vec<AwarenessEntry> {
        self.entries
            .iter()
            .filter(|(_, p)| p.state.is_some())
            .map(|(client_id, p)| p.entry(*client_id))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(client_id: u64, clock: u64, state: Option<&str>) -> AwarenessEntry {
        AwarenessEntry {
            client_id,
            clock,
            state: state.map(Into::into),
        }
    }

    /// Connection `conn` belongs to account `conn`, named after it.
    fn identity(conn: ConnId) -> Identity {
        Identity::new(
            AccountId(conn as i64),
            &format!("Persoon {conn}"),
            "teamlid",
        )
    }

    fn apply(table: &mut AwarenessTable, conn: ConnId, entries: Vec<AwarenessEntry>) -> Vec<u64> {
        table
            .apply(conn, &identity(conn), entries, Instant::now())
            .iter()
            .map(|e| e.client_id)
            .collect()
    }

    /// What `conn`'s account looks like in a state it sent as `{}`.
    fn stamped(conn: ConnId) -> Option<Arc<str>> {
        Some(identity(conn).stamp("{}"))
    }

    #[test]
    fn newer_clock_wins_and_null_at_same_clock_removes() {
        let mut table = AwarenessTable::default();
        assert_eq!(apply(&mut table, 1, vec![entry(10, 1, Some("{}"))]), [10]);
        assert!(
            apply(&mut table, 1, vec![entry(10, 1, Some("{\"a\":1}"))]).is_empty(),
            "same clock"
        );
        assert!(
            apply(&mut table, 1, vec![entry(10, 0, Some("{}"))]).is_empty(),
            "older clock"
        );
        assert_eq!(apply(&mut table, 1, vec![entry(10, 1, None)]), [10]);
        assert!(table.current().is_empty());
    }

    #[test]
    fn the_server_says_who_someone_is() {
        let mut table = AwarenessTable::default();
        let claimed =
            r##"{"user":{"name":"Coach Gelderland","role":"PMM","color":"#30bced"},"step":2}"##;
        apply(&mut table, 1, vec![entry(10, 1, Some(claimed))]);
        let state: serde_json::Value =
            serde_json::from_str(table.current()[0].state.as_deref().expect("state"))
                .expect("json");
        assert_eq!(state["user"]["name"], "Persoon 1");
        assert_eq!(state["user"]["role"], "teamlid");
        assert_eq!(
            state["user"]["color"], "#30bced",
            "the rest is the client's"
        );
        assert_eq!(state["step"], 2);
        for odd in ["42", "\"tekst\"", r#"{"user":"Coach"}"#, "[]"] {
            let state: serde_json::Value =
                serde_json::from_str(&identity(1).stamp(odd)).expect("json");
            assert_eq!(state["user"]["name"], "Persoon 1", "{odd}");
        }
    }

    #[test]
    fn a_connection_cannot_touch_ids_another_connection_owns() {
        let mut table = AwarenessTable::default();
        apply(&mut table, 1, vec![entry(10, 1, Some("{}"))]);
        assert!(apply(&mut table, 2, vec![entry(10, 5, Some("{\"evil\":1}"))]).is_empty());
        assert!(apply(&mut table, 2, vec![entry(10, 5, None)]).is_empty());
        assert_eq!(
            table.current(),
            vec![AwarenessEntry {
                client_id: 10,
                clock: 1,
                state: stamped(1)
            }]
        );
        // Once the owner is gone, another account still cannot take the id over.
        assert_eq!(table.disconnect(1).len(), 1);
        assert!(apply(&mut table, 2, vec![entry(10, 2, Some("{}"))]).is_empty());
        // The same account can (a reconnecting tab, on a new connection).
        let mut reconnected = identity(1);
        reconnected.name = "Persoon 1".into();
        assert_eq!(
            table
                .apply(
                    3,
                    &reconnected,
                    vec![entry(10, 2, Some("{}"))],
                    Instant::now()
                )
                .len(),
            1
        );
    }

    #[test]
    fn one_connection_owns_a_bounded_number_of_ids() {
        let mut table = AwarenessTable::default();
        let flood = (0..100).map(|id| entry(id, 1, Some("{}"))).collect();
        assert_eq!(apply(&mut table, 1, flood).len(), MAX_IDS_PER_CONNECTION);
    }

    #[test]
    fn unrenewed_states_are_swept() {
        let mut table = AwarenessTable::default();
        let start = Instant::now();
        table.apply(1, &identity(1), vec![entry(10, 1, Some("{}"))], start);
        table.apply(
            1,
            &identity(1),
            vec![entry(11, 1, Some("{}"))],
            start + Duration::from_secs(20),
        );
        let removed = table.sweep(start + Duration::from_secs(30), Duration::from_secs(30));
        assert_eq!(removed, vec![entry(10, 1, None)]);
        assert_eq!(
            table.current(),
            vec![AwarenessEntry {
                client_id: 11,
                clock: 1,
                state: stamped(1)
            }]
        );
    }
}
