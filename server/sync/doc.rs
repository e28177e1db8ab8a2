//! One canvas's Yjs document, guarded against hostile updates.
//!
//! yrs returns errors for most bad updates but can still panic while decoding, integrating or
//! encoding state that a client shaped. Every call into yrs therefore runs under `catch_unwind`,
//! reads as much as writes: a panic comes back as [`Broken`], and the caller throws the in-memory
//! document away (it may be half-changed) and reloads it from the database, which never saw the
//! bad update. After a panic the document is poisoned: every later call answers [`Broken`] without
//! touching yrs again.
//!
//! A write transaction is held in `ManuallyDrop` while yrs integrates an update. If integration
//! panics, the unwinding does not run the transaction's `Drop` (its commit walks the half-applied
//! state and could panic a second time, which aborts the process); the transaction is leaked with
//! the poisoned document instead.

use std::{
    mem::ManuallyDrop,
    panic::{AssertUnwindSafe, catch_unwind},
    sync::atomic::{AtomicBool, Ordering},
};

use yrs::{Doc, ReadTxn, StateVector, Transact, Update, updates::decoder::Decode};

use crate::{
    canvas::schema::{self, CanvasContent, Roots},
    store::{DocSummary, StoredCanvas},
    sync::update_ids,
};

/// Why an update was refused.
#[derive(Debug, thiserror::Error)]
pub enum ApplyError {
    /// Refused before yrs saw it: the document is unchanged.
    #[error("update cannot be decoded")]
    Malformed,
    /// yrs refused it, possibly after integrating part of it: the document must be reloaded.
    #[error("update cannot be applied: {0}")]
    Rejected(String),
    /// yrs panicked; the document may be damaged and must be reloaded.
    #[error("update made the CRDT library panic")]
    Panicked,
}

impl From<Broken> for ApplyError {
    fn from(_: Broken) -> Self {
        ApplyError::Panicked
    }
}

/// yrs panicked on this document (now or earlier); it must be reloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the CRDT library panicked on this document")]
pub struct Broken;

/// The stored state could not be turned back into a document.
#[derive(Debug, thiserror::Error)]
#[error("stored update {seq} of the canvas cannot be loaded: {cause}")]
pub struct LoadError {
    /// Sequence number of the failing log entry (the snapshot's for the snapshot).
    pub seq: i64,
    pub cause: ApplyError,
}

/// The calls into yrs, by name: what a test's injected fault hits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Apply,
    StateVector,
    Diff,
    Summary,
    Content,
}

/// Calls that are to panic, in order, shared with whoever injects them (a room's tests).
#[cfg(test)]
pub type Faults = std::sync::Arc<std::sync::Mutex<Vec<Op>>>;

/// Where a text of the canvas is: a text root, or a string field of a widget's row (the
/// `index`-th row of the array root `array`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextAt<'a> {
    Root(&'a str),
    Item {
        array: &'a str,
        index: usize,
        key: &'a str,
    },
}

pub struct CanvasDoc {
    doc: Doc,
    roots: Roots,
    poisoned: AtomicBool,
    #[cfg(test)]
    pub faults: Faults,
}

impl CanvasDoc {
    fn empty() -> Self {
        let doc = Doc::new();
        let roots = Roots::define(&doc);
        Self {
            doc,
            roots,
            poisoned: AtomicBool::new(false),
            #[cfg(test)]
            faults: Faults::default(),
        }
    }

    /// Rebuilds a document from its snapshot and log. Fails instead of skipping a bad entry, so
    /// that a damaged canvas is never served (and then saved) as if it were whole.
    pub fn load(stored: &StoredCanvas) -> Result<Self, LoadError> {
        let canvas = Self::empty();
        let snapshot = stored.snapshot.iter().map(|(state, seq)| (*seq, state));
        let log = stored.updates.iter().map(|(seq, update)| (*seq, update));
        for (seq, update) in snapshot.chain(log) {
            canvas
                .apply(update)
                .map_err(|cause| LoadError { seq, cause })?;
        }
        Ok(canvas)
    }

    /// A frozen copy (a whole document as one update) with the characters `start..end` of the
    /// text `at` replaced by `with`, as one update again; `None` if the copy does not load or
    /// those characters are not `expected` (the copy changed since it was read). The removed
    /// characters are deleted in yrs, whose garbage collection drops their content, so the new
    /// copy no longer holds them.
    pub fn replace_in_snapshot(
        snapshot: &[u8],
        at: TextAt<'_>,
        (start, end): (usize, usize),
        expected: &str,
        with: &str,
    ) -> Option<Vec<u8>> {
        use yrs::{Array, GetString, Map, Out, Text, types::text::TextRef};
        let stored = StoredCanvas {
            snapshot: Some((snapshot.to_vec(), 0)),
            updates: Vec::new(),
        };
        let canvas = Self::load(&stored).ok()?;
        // yrs counts in bytes (the document's default offset kind).
        let bytes = |current: &str| {
            let byte = |chars: usize| {
                current
                    .char_indices()
                    .nth(chars)
                    .map_or(current.len(), |(b, _)| b)
            };
            let (from, to) = (byte(start), byte(end));
            (current.get(from..to) == Some(expected) && from < to).then_some((from, to))
        };
        let replace_text = |text: &TextRef, txn: &mut yrs::TransactionMut| {
            let (from, to) = bytes(&text.get_string(txn))?;
            text.remove_range(txn, from as u32, (to - from) as u32);
            text.insert(txn, from as u32, with);
            Some(())
        };
        canvas
            .guarded(Op::Apply, || {
                let done = match at {
                    TextAt::Root(field) => {
                        let text = canvas.doc.get_or_insert_text(field);
                        replace_text(&text, &mut canvas.doc.transact_mut())
                    }
                    TextAt::Item { array, index, key } => {
                        let array = canvas.doc.get_or_insert_array(array);
                        let mut txn = canvas.doc.transact_mut();
                        // The index counts the rows only, as the canvas's reader does.
                        let row = array
                            .iter(&txn)
                            .filter_map(|value| match value {
                                Out::YMap(map) => Some(map),
                                _ => None,
                            })
                            .nth(index)?;
                        match row.get(&txn, key)? {
                            Out::YText(text) => replace_text(&text, &mut txn),
                            Out::Any(yrs::Any::String(current)) => {
                                let (from, to) = bytes(&current)?;
                                let replaced =
                                    format!("{}{with}{}", &current[..from], &current[to..]);
                                // The old value is deleted with the entry it was in.
                                row.insert(&mut txn, key, replaced);
                                Some(())
                            }
                            _ => None,
                        }
                    }
                };
                done?;
                Some(
                    canvas
                        .doc
                        .transact()
                        .encode_state_as_update_v1(&StateVector::default()),
                )
            })
            .ok()
            .flatten()
    }

    /// The content of a frozen copy (a whole document as one update), `None` if it cannot be
    /// read.
    pub fn content_of_snapshot(snapshot: &[u8]) -> Option<CanvasContent> {
        let stored = StoredCanvas {
            snapshot: Some((snapshot.to_vec(), 0)),
            updates: Vec::new(),
        };
        Self::load(&stored).ok()?.content().ok()
    }

    /// Runs `call` into yrs behind the panic guard; a panic poisons the document.
    fn guarded<T>(&self, op: Op, call: impl FnOnce() -> T) -> Result<T, Broken> {
        if self.poisoned.load(Ordering::Acquire) {
            return Err(Broken);
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            if op != Op::Apply {
                self.inject(op);
            }
            call()
        }));
        outcome.map_err(|_| {
            self.poisoned.store(true, Ordering::Release);
            Broken
        })
    }

    /// Panics if a test queued a fault for `op`; compiled to nothing outside tests.
    #[cfg(not(test))]
    #[inline(always)]
    fn inject(&self, _: Op) {}

    #[cfg(test)]
    fn inject(&self, op: Op) {
        let due = self.faults.lock().is_ok_and(|mut faults| {
            let due = faults.first() == Some(&op);
            if due {
                faults.remove(0);
            }
            due
        });
        if due {
            panic!("injected fault in {op:?}");
        }
    }

    /// Applies a client's update. Returns whether the document changed (or now holds a pending
    /// update waiting for its dependencies); an update that only repeats known content is `false`.
    pub fn apply(&self, bytes: &[u8]) -> Result<bool, ApplyError> {
        // Client ids above 2^53 would be truncated by yrs (in release builds) and read
        // differently by JavaScript clients: refused before yrs decodes anything.
        update_ids::check(bytes).map_err(|_| ApplyError::Malformed)?;
        self.guarded(Op::Apply, || {
            let update = Update::decode_v1(bytes).map_err(|_| ApplyError::Malformed)?;
            let txn = self
                .doc
                .try_transact_mut()
                .map_err(|e| ApplyError::Rejected(e.to_string()))?;
            // Dropped (committed) only when integration returned; see the module comment.
            let mut txn = ManuallyDrop::new(txn);
            let applied = txn
                .apply_update(update)
                .map_err(|e| ApplyError::Rejected(e.to_string()));
            self.inject(Op::Apply);
            let changed = !txn.insert_set().is_empty()
                || !txn.delete_set().is_empty()
                || txn.has_missing_updates();
            drop(ManuallyDrop::into_inner(txn));
            applied.map(|()| changed)
        })?
    }

    pub fn state_vector(&self) -> Result<StateVector, Broken> {
        self.guarded(Op::StateVector, || self.doc.transact().state_vector())
    }

    /// What a peer with `remote` (a client's state vector) is missing, as one update.
    pub fn diff(&self, remote: &StateVector) -> Result<Vec<u8>, Broken> {
        self.guarded(Op::Diff, || {
            self.doc.transact().encode_state_as_update_v1(remote)
        })
    }

    /// The whole document, including pending updates, as one update.
    pub fn snapshot(&self) -> Result<Vec<u8>, Broken> {
        self.diff(&StateVector::default())
    }

    /// The leefgebieden, for the overview.
    pub fn summary(&self) -> Result<DocSummary, Broken> {
        self.guarded(Op::Summary, || DocSummary {
            life_areas: schema::life_areas(&self.doc, &self.roots),
        })
    }

    pub fn content(&self) -> Result<CanvasContent, Broken> {
        self.guarded(Op::Content, || schema::read(&self.doc, &self.roots))
    }
}

/// Whether two stored canvases are the same document: the same state vector, the same whole
/// state as one update, and the same content as the API shows it. `doorbraak copy` asks it of
/// every canvas in both databases; `Err` says, in Dutch, why one of them does not load.
pub fn same_document(a: &StoredCanvas, b: &StoredCanvas) -> Result<bool, String> {
    let load = |stored: &StoredCanvas, side: &str| {
        CanvasDoc::load(stored)
            .map_err(|e| format!("laadt niet in {side} (logregel {}: {})", e.seq, e.cause))
    };
    let (a, b) = (load(a, "SQLite")?, load(b, "PostgreSQL")?);
    let unreadable = |_: Broken| "de CRDT-bibliotheek kan het document niet lezen".to_owned();
    let content = |doc: &CanvasDoc| {
        doc.content()
            .map_err(unreadable)
            .map(|c| serde_json::to_value(c).ok())
    };
    Ok(
        a.state_vector().map_err(unreadable)? == b.state_vector().map_err(unreadable)?
            && a.snapshot().map_err(unreadable)? == b.snapshot().map_err(unreadable)?
            && content(&a)? == content(&b)?,
    )
}

#[cfg(test)]
mod tests {
    use yrs::{Text, updates::encoder::Encode};

    use super::*;

    fn doc_with(text: &str) -> Vec<u8> {
        let doc = Doc::new();
        let situation = doc.get_or_insert_text(schema::root::SITUATION);
        situation.push(&mut doc.transact_mut(), text);
        doc.transact()
            .encode_state_as_update_v1(&StateVector::default())
    }

    #[test]
    fn a_panic_in_any_call_poisons_the_document() {
        for op in [
            Op::Apply,
            Op::StateVector,
            Op::Diff,
            Op::Summary,
            Op::Content,
        ] {
            let canvas = CanvasDoc::empty();
            canvas.faults.lock().expect("faults").push(op);
            let outcome = match op {
                Op::Apply => canvas.apply(&doc_with("x")).map(|_| ()).map_err(|_| Broken),
                Op::StateVector => canvas.state_vector().map(|_| ()),
                Op::Diff => canvas.diff(&StateVector::default()).map(|_| ()),
                Op::Summary => canvas.summary().map(|_| ()),
                Op::Content => canvas.content().map(|_| ()),
            };
            assert_eq!(outcome, Err(Broken), "{op:?}");
            assert_eq!(canvas.state_vector().map(|sv| sv.encode_v1()), Err(Broken));
        }
    }

    #[test]
    fn a_panic_inside_a_write_transaction_never_commits_it() {
        // The fault fires after yrs integrated the update, with the write transaction open. Its
        // Drop (the commit, which runs observers and could panic a second time while unwinding,
        // aborting the process) must not run: the update observer sees only the first commit.
        let canvas = CanvasDoc::empty();
        let commits = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let counted = commits.clone();
        canvas
            .doc
            .observe_update_v1("test", move |_: &yrs::TransactionMut, _| {
                counted.fetch_add(1, Ordering::SeqCst);
            })
            .expect("observer");
        canvas.apply(&doc_with("eerst")).expect("apply");
        canvas.faults.lock().expect("faults").push(Op::Apply);
        assert!(matches!(
            canvas.apply(&doc_with("dan")),
            Err(ApplyError::Panicked)
        ));
        assert_eq!(commits.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn the_same_document_is_told_from_another_and_from_damage() {
        let stored = |updates: &[&Vec<u8>]| StoredCanvas {
            snapshot: None,
            updates: (1..).zip(updates.iter().map(|u| u.to_vec())).collect(),
        };
        let first = doc_with("Een scooter voor school.");
        let other = doc_with("Een fiets voor school.");
        assert_eq!(
            same_document(&stored(&[&first]), &stored(&[&first])),
            Ok(true)
        );
        assert_eq!(
            same_document(&stored(&[&first]), &stored(&[&first, &other])),
            Ok(false),
            "one more update"
        );
        let damaged = same_document(&stored(&[&first]), &stored(&[&vec![0xff, 0x00]]));
        assert!(
            damaged
                .as_ref()
                .is_err_and(|why| why.starts_with("laadt niet in PostgreSQL (logregel 1")),
            "{damaged:?}"
        );
    }
}
