//! The canvases. A canvas is stored as an append-only log of Yjs updates plus at most one
//! snapshot that replaces the log's head once it grows past a threshold. Loading reads the
//! snapshot and the tail.

use async_trait::async_trait;
use bytes::Bytes;

use super::StoreError;
use crate::{
    access::policy,
    canvas::CanvasId,
    ids::{AccountId, TeamId},
};

/// What is stored of one canvas.
#[derive(Debug, Default)]
pub struct StoredCanvas {
    /// The compacted state and the last log sequence number it includes.
    pub snapshot: Option<(Vec<u8>, i64)>,
    /// Log entries after the snapshot, in order: (sequence number, update).
    pub updates: Vec<(i64, Vec<u8>)>,
}

impl StoredCanvas {
    /// Bytes of the snapshot and the log together.
    pub fn byte_len(&self) -> u64 {
        let snapshot = self.snapshot.as_ref().map_or(0, |(state, _)| state.len());
        let log: usize = self.updates.iter().map(|(_, update)| update.len()).sum();
        (snapshot + log) as u64
    }

    /// The highest sequence number stored, 0 for none.
    pub fn last_seq(&self) -> i64 {
        let logged = self.updates.last().map(|(seq, _)| *seq);
        let snapshot = self.snapshot.as_ref().map(|(_, seq)| *seq);
        logged.or(snapshot).unwrap_or(0)
    }
}

/// Updates of one canvas to append. Their log positions are given out by the committing
/// transaction, not by whoever sends them: several server processes may append to one canvas at
/// the same moment, and its log must still have one order.
#[derive(Debug, Clone)]
pub struct AppendBatch {
    pub canvas: CanvasId,
    pub updates: Vec<Bytes>,
    /// The overview's summary of the document once these updates are applied, when it changed:
    /// written in the same transaction, so the overview never disagrees with the log.
    pub summary: Option<DocSummary>,
}

/// What the overview shows of a document without loading it (the label is the canvas record's,
/// not the document's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSummary {
    /// Codes of the leefgebieden that are switched on, in catalogue order.
    pub life_areas: Vec<&'static str>,
}

/// A line of the canvas list.
#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanvasSummary {
    pub id: String,
    pub label: String,
    /// Unix time in milliseconds.
    pub created_at: i64,
    /// Unix time in milliseconds of the last stored change.
    pub updated_at: i64,
    /// Codes of the leefgebieden the canvas touches.
    pub life_areas: Vec<String>,
    /// The lifecycle status's code (see [`crate::canvas::status`]).
    pub status: String,
    /// The team's name; empty for a canvas from before teams existed.
    pub team: String,
    /// What the access policy needs; `None` for a canvas without a team, which nobody sees.
    #[serde(skip)]
    pub access: Option<policy::Canvas>,
}

/// Who a new canvas belongs to.
#[derive(Debug, Clone, Copy)]
pub struct CanvasOwner {
    pub team: TeamId,
    /// The account that brought the case in.
    pub brought_in_by: AccountId,
}

/// The canvases: their records and their documents as a log of updates with a snapshot.
#[async_trait]
pub trait Canvases: Send + Sync + 'static {
    /// Creates a canvas of `owner`'s team with its first update (sequence number 1) and the
    /// leefgebieden that update switches on.
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        owner: CanvasOwner,
        initial_update: &[u8],
        life_areas: &[&str],
    ) -> Result<(), StoreError>;

    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError>;

    /// What the access policy needs to know of a canvas; `None` if it does not exist or has no
    /// team (from before teams existed), which nobody may see either way.
    async fn canvas_facts(&self, id: &CanvasId) -> Result<Option<policy::Canvas>, StoreError>;

    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError>;

    /// The canvas's anonymous label, `None` if it does not exist.
    async fn canvas_label(&self, id: &CanvasId) -> Result<Option<String>, StoreError>;

    /// Gives the canvas a new label (already validated as anonymous); `false` when it is
    /// archived or purged (or does not exist), and nothing changed.
    async fn rename_canvas(&self, id: &CanvasId, label: &str) -> Result<bool, StoreError>;

    /// The snapshot and log of a canvas, `None` if it does not exist.
    async fn load_canvas(&self, id: &CanvasId) -> Result<Option<StoredCanvas>, StoreError> {
        self.load_canvas_after(id, 0).await
    }

    /// What a document that holds every log entry up to and including `after` lacks: the log
    /// entries after it, or, when a compaction has folded some of those into the snapshot, the
    /// snapshot and the entries after the snapshot. Read in one go, so that a compaction running
    /// meanwhile cannot make it miss entries. `None` if the canvas does not exist.
    async fn load_canvas_after(
        &self,
        id: &CanvasId,
        after: i64,
    ) -> Result<Option<StoredCanvas>, StoreError>;

    /// Appends all batches, with their summaries, in one transaction: the group commit of the
    /// persister. Each batch takes the next positions of its canvas's log, with the canvas row
    /// locked until the commit; returned is the position of each batch's last update, in the
    /// order of the batches.
    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<Vec<i64>, StoreError>;

    /// Replaces the log up to and including `upto_seq` by `snapshot`, in one transaction.
    ///
    /// A snapshot only ever moves forward: when the stored one already covers `upto_seq` or
    /// more, nothing is written and `Ok(false)` is returned. A compaction that was overtaken
    /// (encoded by a room that has since unloaded, committing after a newer room's compaction
    /// deleted later log rows) can therefore never put the canvas back to an older state.
    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<bool, StoreError>;
}
