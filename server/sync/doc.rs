//! One canvas's Yjs document, guarded against hostile updates.
//!
//! yrs returns errors for most bad updates but can still panic while decoding or integrating
//! hostile input (for example a client id beyond 53 bits trips a debug assertion). Every call into
//! yrs with client bytes therefore runs under `catch_unwind`; a panic is reported as an error, and
//! the caller throws the in-memory document away (it may be half-changed) and reloads it from the
//! database, which never saw the bad update.

use std::panic::{AssertUnwindSafe, catch_unwind};

use yrs::{Doc, ReadTxn, StateVector, Transact, Update, updates::decoder::Decode};

use crate::{
    canvas::schema::{self, CanvasContent, Roots},
    store::StoredCanvas,
};

/// Why an update was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    #[error("update cannot be decoded")]
    Malformed,
    #[error("update cannot be applied: {0}")]
    Rejected(String),
    /// yrs panicked; the document may be damaged and must be reloaded.
    #[error("update made the CRDT library panic")]
    Panicked,
}

/// The stored state could not be turned back into a document.
#[derive(Debug, thiserror::Error)]
#[error("stored update {seq} of the canvas cannot be loaded: {cause}")]
pub struct LoadError {
    /// Sequence number of the failing log entry (the snapshot's for the snapshot).
    pub seq: i64,
    pub cause: ApplyError,
}

pub struct CanvasDoc {
    doc: Doc,
    roots: Roots,
}

impl CanvasDoc {
    /// Rebuilds a document from its snapshot and log. Fails instead of skipping a bad entry, so
    /// that a damaged canvas is never served (and then saved) as if it were whole.
    pub fn load(stored: &StoredCanvas) -> Result<Self, LoadError> {
        let doc = Doc::new();
        let roots = Roots::define(&doc);
        let canvas = Self { doc, roots };
        let snapshot = stored.snapshot.iter().map(|(state, seq)| (*seq, state));
        let log = stored.updates.iter().map(|(seq, update)| (*seq, update));
        for (seq, update) in snapshot.chain(log) {
            canvas
                .apply(update)
                .map_err(|cause| LoadError { seq, cause })?;
        }
        Ok(canvas)
    }

    /// The content of a frozen copy (a whole document as one update), `None` if it cannot be
    /// read.
    pub fn content_of_snapshot(snapshot: &[u8]) -> Option<CanvasContent> {
        let stored = StoredCanvas {
            snapshot: Some((snapshot.to_vec(), 0)),
            updates: Vec::new(),
        };
        Self::load(&stored).ok().map(|doc| doc.content())
    }

    /// Applies a client's update. Returns whether the document changed (or now holds a pending
    /// update waiting for its dependencies); an update that only repeats known content is `false`.
    pub fn apply(&self, bytes: &[u8]) -> Result<bool, ApplyError> {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let update = Update::decode_v1(bytes).map_err(|_| ApplyError::Malformed)?;
            let mut txn = self
                .doc
                .try_transact_mut()
                .map_err(|e| ApplyError::Rejected(e.to_string()))?;
            txn.apply_update(update)
                .map_err(|e| ApplyError::Rejected(e.to_string()))?;
            Ok(!txn.insert_set().is_empty()
                || !txn.delete_set().is_empty()
                || txn.has_missing_updates())
        }));
        outcome.unwrap_or(Err(ApplyError::Panicked))
    }

    pub fn state_vector(&self) -> StateVector {
        self.doc.transact().state_vector()
    }

    /// What a peer with `remote` is missing, as one update.
    pub fn diff(&self, remote: &StateVector) -> Vec<u8> {
        self.doc.transact().encode_state_as_update_v1(remote)
    }

    /// The whole document, including pending updates, as one update.
    pub fn snapshot(&self) -> Vec<u8> {
        self.diff(&StateVector::default())
    }

    /// Label and leefgebieden, for the overview.
    pub fn summary(&self) -> (String, Vec<&'static str>) {
        schema::summary(&self.doc, &self.roots)
    }

    pub fn content(&self) -> CanvasContent {
        schema::read(&self.doc, &self.roots)
    }
}
