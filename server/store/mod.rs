//! Durable storage behind one trait.
//!
//! A canvas is stored as an append-only log of Yjs updates plus at most one snapshot that replaces
//! the log's head once it grows past a threshold. Loading reads the snapshot and the tail. The
//! backend is chosen from the database URL; SQLite is the default, PostgreSQL follows.

mod sqlite;
#[cfg(test)]
pub(crate) mod testing;

use std::sync::Arc;

use async_trait::async_trait;
use bytes::Bytes;

use crate::canvas::CanvasId;

pub use sqlite::SqliteStore;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite://PATH)")]
    UnsupportedUrl,
    #[error("could not create the database folder: {0}")]
    Io(#[from] std::io::Error),
    /// A row with the same unique key exists.
    #[error("already exists")]
    Duplicate,
}

/// An account as stored.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_beheerder: bool,
}

/// What is stored of one canvas.
#[derive(Debug, Default)]
pub struct StoredCanvas {
    /// The compacted state and the last log sequence number it includes.
    pub snapshot: Option<(Vec<u8>, i64)>,
    /// Log entries after the snapshot, in order: (sequence number, update).
    pub updates: Vec<(i64, Vec<u8>)>,
}

impl StoredCanvas {
    /// The highest sequence number stored, 0 for none.
    pub fn last_seq(&self) -> i64 {
        let logged = self.updates.last().map(|(seq, _)| *seq);
        let snapshot = self.snapshot.as_ref().map(|(_, seq)| *seq);
        logged.or(snapshot).unwrap_or(0)
    }
}

/// Updates of one canvas to append, numbered from `first_seq` on.
#[derive(Debug, Clone)]
pub struct AppendBatch {
    pub canvas: CanvasId,
    pub first_seq: i64,
    pub updates: Vec<Bytes>,
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
}

/// The storage operations of the server.
#[async_trait]
pub trait Store: Send + Sync + 'static {
    /// Creates a canvas with its first update (sequence number 1).
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        initial_update: &[u8],
    ) -> Result<(), StoreError>;

    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError>;

    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError>;

    /// The snapshot and log of a canvas, `None` if it does not exist.
    async fn load_canvas(&self, id: &CanvasId) -> Result<Option<StoredCanvas>, StoreError>;

    /// Appends all batches in one transaction: the group commit of the persister.
    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<(), StoreError>;

    /// Records the label and leefgebieden the document now has, for the overview.
    async fn update_summary(
        &self,
        id: &CanvasId,
        label: &str,
        life_areas: &[&str],
    ) -> Result<(), StoreError>;

    /// Creates an account; [`StoreError::Duplicate`] when the e-mail address is taken.
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError>;

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError>;

    /// Stores a personal access token (its hash) for an account.
    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError>;

    /// The account of a token that is not revoked.
    async fn account_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<AccountRow>, StoreError>;

    /// Replaces the log up to and including `upto_seq` by `snapshot`, in one transaction.
    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<(), StoreError>;
}

/// Opens (creating and migrating if needed) the database the URL names.
pub async fn open(url: &str) -> Result<Arc<dyn Store>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// Milliseconds since the Unix epoch.
pub(crate) fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}
