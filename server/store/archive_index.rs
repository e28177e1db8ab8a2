//! The learning archive's search index: per archived canvas its searchable text, its stems (from
//! [`crate::search`]) and what the filters ask of it, with the query that finds candidates.
//! Which candidates someone may see is the policy's to say (the caller asks it for each), so
//! the index holds no access rule of its own.

use async_trait::async_trait;

use super::StoreError;
use crate::{access::policy, canvas::CanvasId, canvas::status::CanvasStatus};

/// What the index keeps of one archived canvas.
#[derive(Debug, Clone)]
pub struct ArchiveDocument {
    pub canvas: CanvasId,
    /// The canvas's access facts as archived (its scope included).
    pub facts: policy::Canvas,
    /// The leeropbrengst's leerorde and whether the doorbraakbudget was used, when it has one.
    pub order: Option<i64>,
    pub budget_used: Option<bool>,
    /// The text searched and shown in snippets.
    pub body: String,
    /// [`crate::search::stems`] of the body and the tags' names.
    pub stems: String,
    /// Doorbraak gerealiseerd or afgesloten zonder doorbraak.
    pub outcome: CanvasStatus,
    pub archived_at: i64,
}

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ArchiveOrder {
    /// Best match first (newest first without a query).
    #[default]
    Relevance,
    /// Newest first.
    Newest,
}

/// A query on the archive: stems (all must occur) and filters, each optional.
#[derive(Debug, Clone, Default)]
pub struct ArchiveQuery {
    pub stems: Vec<String>,
    /// (kind, code) of the leeropbrengst's tags: leefgebied, domein, regeling; all must hold.
    pub tags: Vec<(String, String)>,
    pub order: Option<i64>,
    pub outcome: Option<CanvasStatus>,
    /// Archived at or after (Unix milliseconds).
    pub from: Option<i64>,
    /// Archived before (Unix milliseconds).
    pub until: Option<i64>,
    pub gemeente: Option<i64>,
    pub team: Option<i64>,
    pub budget_used: Option<bool>,
    pub highest_level: Option<policy::EscalationLevel>,
    pub sort: ArchiveOrder,
}

/// One archived canvas that matches, with what the policy needs to decide who may see it.
#[derive(Debug, Clone)]
pub struct ArchiveCandidate {
    pub facts: policy::Canvas,
}

/// What the results page shows of a hit.
#[derive(Debug, Clone)]
pub struct ArchiveHitRow {
    pub canvas: CanvasId,
    pub label: String,
    pub body: String,
    pub archived_at: i64,
    pub team: String,
    pub gemeente: String,
}

#[async_trait]
pub trait ArchiveIndex: Send + Sync + 'static {
    /// Stores (or replaces) the entry of an archived canvas.
    async fn index_archive(&self, doc: &ArchiveDocument) -> Result<(), StoreError>;

    /// The archived canvases without an entry (archived before the index existed, or by the
    /// demo), oldest first.
    async fn unindexed_archives(&self) -> Result<Vec<CanvasId>, StoreError>;

    /// Every archived canvas matching `query`, in its order, with its access facts.
    async fn search_archive(
        &self,
        query: &ArchiveQuery,
    ) -> Result<Vec<ArchiveCandidate>, StoreError>;

    /// What the results page shows of `canvases`, in the order given (unknown ones left out).
    async fn archive_hits(&self, canvases: &[CanvasId]) -> Result<Vec<ArchiveHitRow>, StoreError>;
}
