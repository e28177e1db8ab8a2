//! The workflow around a canvas, as rules without I/O: which status changes are allowed and by
//! whom ([`lifecycle`]), how a canvas goes up and down the escalation ladder ([`ladder`]), and
//! the arithmetic of the doorbraakbudget ([`ledger`]), and what a closed canvas taught
//! ([`learning`], which closing requires). Open pages hear of a change through
//! [`crate::events`].
//!
//! The facts themselves are relational (see `store::workflow`), not part of the CRDT document:
//! a status or a euro has one authoritative order.

pub mod ladder;
pub mod learning;
pub mod ledger;
pub mod lifecycle;
