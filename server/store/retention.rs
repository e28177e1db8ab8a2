//! Retention of closed canvases that are not archived: which are due, the warnings sent before,
//! and the purge itself (one canvas per transaction, in the caller's transaction).

use async_trait::async_trait;

use super::StoreError;
use crate::{canvas::CanvasId, ids::TeamId};

/// A closed canvas that is not archived (nor purged), with when it was last closed.
#[derive(Debug, Clone)]
pub struct ClosedCanvas {
    pub canvas: CanvasId,
    pub team: TeamId,
    pub label: String,
    pub closed_at: i64,
}

#[async_trait]
pub trait Retention: Send + Sync + 'static {
    /// Every closed canvas that is neither archived nor purged.
    async fn closed_unarchived(&self) -> Result<Vec<ClosedCanvas>, StoreError>;

    /// Records that the warning `days_before` the purge went out; `false` if it had already.
    async fn record_retention_warning(
        &self,
        canvas: &CanvasId,
        days_before: i64,
        at: i64,
    ) -> Result<bool, StoreError>;

    /// Deletes the casework `canvas` holds: its document (log and snapshot), versions, comments
    /// and the escalations' frozen copies, questions and answers; the texts of its leeropbrengst
    /// and timeline; its label becomes a neutral one and it is marked purged. What stays: the
    /// id, team, dates, statuses, the leeropbrengst's kinds and figures, the escalations' levels
    /// and times, and the ledger's entries whole. `false` if it was no longer closed and
    /// unarchived.
    async fn purge_canvas(&self, canvas: &CanvasId, at: i64) -> Result<bool, StoreError>;
}
