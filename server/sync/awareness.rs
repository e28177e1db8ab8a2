//! Presence (Yjs awareness) of one canvas, without any I/O.
//!
//! The server keeps no awareness state of its own; it relays what clients say about themselves,
//! following the rules of `y-protocols/awareness` (a higher clock wins; a `null` state at the same
//! clock removes). On top of that it enforces ownership: the connection that first sets a client
//! id owns it, and no other connection may set or remove it while the owner is connected. When a
//! connection closes, everything it owned is removed at once; entries that are not renewed within
//! the timeout are removed by [`AwarenessTable::sweep`].

use std::{
    collections::HashMap,
    time::{Duration, Instant},
};

use super::protocol::AwarenessEntry;

/// Identifies one WebSocket connection within the server.
pub type ConnId = u64;

/// Client ids one connection may own at once; a browser tab needs one.
pub const MAX_IDS_PER_CONNECTION: usize = 8;

#[derive(Debug)]
struct Presence {
    clock: u64,
    state: Option<std::sync::Arc<str>>,
    owner: Option<ConnId>,
    renewed: Instant,
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
    /// Applies what `conn` sent and returns the entries that changed, to relay to everyone.
    pub fn apply(
        &mut self,
        conn: ConnId,
        incoming: Vec<AwarenessEntry>,
        now: Instant,
    ) -> Vec<AwarenessEntry> {
        let mut changed = Vec::new();
        for entry in incoming {
            let owned = self
                .entries
                .values()
                .filter(|p| p.owner == Some(conn))
                .count();
            let accepted = match self.entries.get(&entry.client_id) {
                Some(current) if current.owner.is_some_and(|owner| owner != conn) => false,
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
                    renewed: now,
                };
                self.entries.insert(entry.client_id, presence);
                changed.push(entry);
            }
        }
        changed
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

    #[test]
    fn newer_clock_wins_and_null_at_same_clock_removes() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        assert_eq!(table.apply(1, vec![entry(10, 1, Some("{}"))], now).len(), 1);
        assert!(
            table
                .apply(1, vec![entry(10, 1, Some("{\"a\":1}"))], now)
                .is_empty(),
            "same clock"
        );
        assert!(
            table
                .apply(1, vec![entry(10, 0, Some("{}"))], now)
                .is_empty(),
            "older clock"
        );
        assert_eq!(
            table.apply(1, vec![entry(10, 1, None)], now),
            vec![entry(10, 1, None)]
        );
        assert!(table.current().is_empty());
    }

    #[test]
    fn a_connection_cannot_touch_ids_another_connection_owns() {
        let mut table = AwarenessTable::default();
        let now = Instant::now();
        table.apply(1, vec![entry(10, 1, Some("{}"))], now);
        assert!(
            table
                .apply(2, vec![entry(10, 5, Some("{\"evil\":1}"))], now)
                .is_empty()
        );
        assert!(table.apply(2, vec![entry(10, 5, None)], now).is_empty());
        assert_eq!(table.current(), vec![entry(10, 1, Some("{}"))]);
        // Once the owner is gone, the id can be taken over (a reconnecting tab).
        assert_eq!(table.disconnect(1), vec![entry(10, 1, None)]);
        assert_eq!(table.apply(2, vec![entry(10, 2, Some("{}"))], now).len(), 1);
    }

    #[test]
    fn one_connection_owns_a_bounded_number_of_ids() {
        let mut table = AwarenessTable::default();
        let flood = (0..100).map(|id| entry(id, 1, Some("{}"))).collect();
        assert_eq!(
            table.apply(1, flood, Instant::now()).len(),
            MAX_IDS_PER_CONNECTION
        );
    }

    #[test]
    fn unrenewed_states_are_swept() {
        let mut table = AwarenessTable::default();
        let start = Instant::now();
        table.apply(1, vec![entry(10, 1, Some("{}"))], start);
        table.apply(
            1,
            vec![entry(11, 1, Some("{}"))],
            start + Duration::from_secs(20),
        );
        let removed = table.sweep(start + Duration::from_secs(30), Duration::from_secs(30));
        assert_eq!(removed, vec![entry(10, 1, None)]);
        assert_eq!(table.current(), vec![entry(11, 1, Some("{}"))]);
    }
}
