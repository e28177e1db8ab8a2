//! Named versions of a canvas: frozen copies after an overleg, by hand, or of an escalation.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    canvas::CanvasId,
    ids::{AccountId, MeetingId, VersionId},
};

/// Why a version exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum VersionKind {
    /// Made when the overleg that discussed the canvas ended.
    Overleg,
    /// The frozen copy an escalation made.
    Opschaling,
    /// Saved by hand.
    Handmatig,
}

impl VersionKind {
    pub fn code(self) -> &'static str {
        match self {
            VersionKind::Overleg => "overleg",
            VersionKind::Opschaling => "opschaling",
            VersionKind::Handmatig => "handmatig",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            VersionKind::Overleg,
            VersionKind::Opschaling,
            VersionKind::Handmatig,
        ]
        .into_iter()
        .find(|k| k.code() == code)
    }

    pub fn dutch(self) -> &'static str {
        match self {
            VersionKind::Overleg => "Na overleg",
            VersionKind::Opschaling => "Opschaling",
            VersionKind::Handmatig => "Opgeslagen",
        }
    }
}

#[derive(Debug, Clone)]
pub struct VersionRow {
    pub id: VersionId,
    pub kind: VersionKind,
    pub name: String,
    pub created_at: i64,
    /// Who made it (name or e-mail); empty when unknown.
    pub created_by: String,
    pub meeting: Option<MeetingId>,
}

#[derive(Debug, Clone)]
pub struct NewVersion {
    pub canvas: CanvasId,
    pub kind: VersionKind,
    pub name: String,
    /// The whole document as one update (v1).
    pub snapshot: Vec<u8>,
    pub meeting: Option<MeetingId>,
    pub by: AccountId,
    pub at: i64,
}

#[async_trait]
pub trait Versions: Send + Sync + 'static {
    async fn save_version(&self, version: &NewVersion) -> Result<VersionId, StoreError>;
    /// The canvas's versions, oldest first.
    async fn versions(&self, canvas: &CanvasId) -> Result<Vec<VersionRow>, StoreError>;
    /// Removes the versions made by hand or after an overleg (archiving keeps only the
    /// escalations' own); how many went.
    async fn delete_versions_but_escalations(&self, canvas: &CanvasId) -> Result<u64, StoreError>;
    /// A version of the canvas with its frozen document.
    async fn version_snapshot(
        &self,
        canvas: &CanvasId,
        id: VersionId,
    ) -> Result<Option<(VersionRow, Vec<u8>)>, StoreError>;

    /// Replaces the frozen copy of version `id` of `canvas` (an escalation's version: the
    /// escalation's copy) when it is still `was`; `false` otherwise (changed meanwhile, or no
    /// such version).
    async fn replace_version_snapshot(
        &self,
        canvas: &CanvasId,
        id: VersionId,
        was: &[u8],
        snapshot: &[u8],
    ) -> Result<bool, StoreError>;
}
