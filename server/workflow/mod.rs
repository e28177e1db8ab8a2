//! The workflow around a canvas, as rules without I/O: which status changes are allowed and by
//! whom ([`lifecycle`]), how a canvas goes up and down the escalation ladder ([`ladder`]), and
//! the arithmetic of the doorbraakbudget ([`ledger`]). [`events`] tells open pages that a
//! canvas's workflow changed.
//!
//! The facts themselves are relational (see `store::workflow`), not part of the CRDT document:
//! a status or a euro has one authoritative order.

pub mod events;
pub mod ladder;
pub mod ledger;
pub mod lifecycle;
