//! Durable storage: one interface per aggregate, one database implementing all of them
//! ([`Database`]), and transactions ([`Database::begin`]) in which a use case runs several of
//! them so that they commit together or not at all.
//!
//! - [`Canvases`]: the canvases and their log of updates.
//! - [`Accounts`], [`Organisation`], [`Invitations`], [`AuditLog`]: together the [`Directory`] of
//!   who is who and who may sign in.
//! - [`Workflow`]: status history, escalations, the doorbraakbudget and notifications.
//! - [`Meetings`]: the doorbraakoverleggen, their agendas and the calendar feeds.
//! - [`MeetingRecords`]: a running overleg and what it leaves: guests, attendance, besluiten,
//!   actiepunten, the verslag.
//! - [`Comments`]: comments on canvases, in threads.
//! - [`Versions`]: named frozen copies of a canvas (after an overleg, by hand, escalations).
//! - [`ArchiveIndex`]: the learning archive's search index.
//! - [`Evaluation`]: what the lerend-evalueren dashboard counts.
//! - [`LearningAgenda`]: the leeragenda of a local project.
//! - [`Retention`]: closed canvases kept for a period, then purged.
//!
//! The backend is chosen from the database URL: SQLite (the default, one server process) or
//! PostgreSQL ([`postgres`], one or several server processes). [`copy`] moves an installation
//! from the one to the other.

pub mod accounts;
pub mod archive_index;
pub mod audit_log;
pub mod canvases;
pub mod comments;
pub mod copy;
pub mod directory;
pub mod evaluation;
pub mod invitations;
pub mod learning_agenda;
pub mod meeting_records;
pub mod meetings;
pub mod organisation;
pub mod postgres;
pub mod retention;
mod sqlite;
#[cfg(test)]
pub(crate) mod testing;
pub mod versions;
pub mod workflow;

use std::sync::Arc;

use async_trait::async_trait;

pub use accounts::{AccountRow, Accounts, SessionRow, SignInTurn, TokenRow, TokenUse};
pub use archive_index::ArchiveIndex;
pub use audit_log::{AuditEntry, AuditLog, AuditRow};
pub use canvases::{AppendBatch, CanvasOwner, CanvasSummary, Canvases, DocSummary, StoredCanvas};
pub use comments::Comments;
pub use directory::Directory;
pub use evaluation::Evaluation;
pub use invitations::{InvitationKind, InvitationRow, Invitations};
pub use learning_agenda::LearningAgenda;
pub use meeting_records::MeetingRecords;
pub use meetings::Meetings;
pub use organisation::{GemeenteRow, MemberChange, MemberRow, Organisation, ProvinceRow, TeamRow};
pub use retention::Retention;
pub use sqlite::{SqliteStore, SqliteTransaction};
pub use versions::Versions;
pub use workflow::Workflow;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL (expected sqlite://PATH or postgres://…)")]
    UnsupportedUrl,
    #[error("could not create the database folder: {0}")]
    Io(#[from] std::io::Error),
    /// `doorbraak backup` copies SQLite files; PostgreSQL has its own tools.
    #[error(
        "doorbraak backup is for SQLite; back up PostgreSQL with pg_dump (see docs/deployment.md)"
    )]
    BackupOfPostgres,
    /// `doorbraak backup` never overwrites a file.
    #[error("the backup file exists already; choose a new name")]
    BackupExists,
    /// A row with the same unique key exists.
    #[error("already exists")]
    Duplicate,
    /// Stored data or a seed does not fit together.
    #[error("inconsistent data: {0}")]
    Inconsistent(&'static str),
    /// `doorbraak copy` reads a SQLite database.
    #[error("--from moet een SQLite-database zijn (sqlite://PAD)")]
    CopyFromNotSqlite,
    /// `doorbraak copy` writes into a PostgreSQL database.
    #[error("--to moet een PostgreSQL-database zijn (postgres://GEBRUIKER@HOST:POORT/DATABASE)")]
    CopyToNotPostgres,
    /// The SQLite file to copy is not there (opening it would make an empty one).
    #[error("de SQLite-database {0} bestaat niet")]
    CopySourceMissing(String),
    /// The target of `doorbraak copy` holds rows; which, in a few words.
    #[error(
        "de PostgreSQL-database is niet leeg ({0}); doorbraak copy kopieert alleen naar een lege \
         database. Er is niets veranderd."
    )]
    CopyTargetNotEmpty(String),
    /// A server process serves the target of `doorbraak copy`.
    #[error(
        "er draait een Doorbraak-server op de PostgreSQL-database; stop die eerst. Er is niets \
         gekopieerd."
    )]
    CopyTargetInUse,
    /// The two databases of `doorbraak copy` differ in tables or columns; which.
    #[error(
        "de tabellen van SQLite en PostgreSQL verschillen ({0}); gebruik voor beide dezelfde \
         versie van doorbraak. Er is niets gekopieerd."
    )]
    CopySchemaMismatch(String),
    /// A schema `doorbraak copy` cannot copy (a type it does not know, a circle of required
    /// foreign keys).
    #[error("doorbraak copy kan dit schema niet kopiëren: {0}. Er is niets gekopieerd.")]
    CopyUnsupported(String),
    /// A stored value that PostgreSQL cannot take as it is.
    #[error(
        "tabel {table}, kolom {column}: {problem}. Er is niets gekopieerd, de PostgreSQL-database \
         is leeg gebleven."
    )]
    CopyValue {
        table: String,
        column: String,
        problem: String,
    },
    /// The copy differs from its source; what differs. Nothing was committed.
    #[error(
        "de controle van de kopie vond verschillen ({0}). Er is niets vastgelegd, de \
         PostgreSQL-database is leeg gebleven."
    )]
    CopyVerification(String),
}

/// One database holds the canvases, the directory and the workflow facts.
#[async_trait]
pub trait Database:
    Canvases
    + Directory
    + Workflow
    + Meetings
    + MeetingRecords
    + Comments
    + Versions
    + ArchiveIndex
    + Evaluation
    + LearningAgenda
    + Retention
{
    /// Begins a transaction. Until it commits, its writes are seen by nobody else; dropped
    /// without [`Transaction::commit`], it is rolled back. It holds the database's write lock
    /// (on SQLite; on PostgreSQL the row locks its statements take), so a use case does its slow
    /// work (hashing, encoding) before it begins.
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError>;

    /// The pool of a PostgreSQL database, which several server processes may share (their
    /// event bus runs over it); `None` for SQLite, which serves one process.
    fn postgres(&self) -> Option<sqlx::PgPool> {
        None
    }
}

/// A transaction in progress, with every storage interface.
#[async_trait]
pub trait Transaction:
    Canvases
    + Directory
    + Workflow
    + Meetings
    + MeetingRecords
    + Comments
    + Versions
    + ArchiveIndex
    + Retention
{
    async fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// Opens (creating and migrating if needed) the database the URL names.
pub async fn open(url: &str) -> Result<Arc<dyn Database>, StoreError> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(url).await?))
    } else if postgres::is_url(url) {
        Ok(Arc::new(postgres::PostgresStore::open(url).await?))
    } else {
        Err(StoreError::UnsupportedUrl)
    }
}

/// An online backup of the database at `url` into the new file `to` (SQLite; a PostgreSQL
/// database is backed up with `pg_dump`).
pub async fn backup(
    url: &str,
    to: &std::path::Path,
) -> Result<sqlite::backup::BackupReport, StoreError> {
    if url.starts_with("sqlite:") {
        sqlite::backup::backup(url, to).await
    } else if postgres::is_url(url) {
        Err(StoreError::BackupOfPostgres)
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

/// Every storage interface, for code that calls them on a concrete store (tests, the command
/// line): `use crate::store::prelude::*;`.
pub mod prelude {
    pub use super::{
        Accounts, ArchiveIndex, AuditLog, Canvases, Comments, Database, Directory, Evaluation,
        Invitations, LearningAgenda, MeetingRecords, Meetings, Organisation, Retention,
        Transaction, Versions, Workflow,
    };
}
