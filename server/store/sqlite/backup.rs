//! An online backup of the SQLite database (`doorbraak backup`): `VACUUM INTO` writes one
//! consistent copy of the whole database, as of the moment it starts, into a new file while the
//! server goes on serving (WAL mode: readers and the one writer are not blocked for long). The
//! copy is then opened on its own and checked (`PRAGMA integrity_check`) before it is reported.

use std::{path::Path, str::FromStr};

use sqlx::{
    ConnectOptions, Connection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode},
};

use super::BUSY_TIMEOUT;
use crate::store::StoreError;

/// What a backup holds, as read back from the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupReport {
    pub bytes: u64,
    pub canvases: i64,
    pub accounts: i64,
    pub audit_entries: i64,
}

/// Copies the database at `url` into the new file `to` (refused if it exists) and checks the copy.
pub async fn backup(url: &str, to: &Path) -> Result<BackupReport, StoreError> {
    if to.exists() {
        return Err(StoreError::BackupExists);
    }
    let source = SqliteConnectOptions::from_str(url)?
        .create_if_missing(false)
        .journal_mode(SqliteJournalMode::Wal)
        .busy_timeout(BUSY_TIMEOUT);
    let mut conn = source.connect().await?;
    sqlx::query("VACUUM INTO ?")
        .bind(to.to_string_lossy().as_ref())
        .execute(&mut conn)
        .await?;
    conn.close().await?;

    // The copy, on its own: readable, whole, and what it holds.
    let copy = SqliteConnectOptions::new()
        .filename(to)
        .read_only(true)
        .create_if_missing(false);
    let mut conn = copy.connect().await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check")
        .fetch_one(&mut conn)
        .await?;
    if check != "ok" {
        return Err(StoreError::Inconsistent(
            "the backup fails SQLite's integrity check",
        ));
    }
    let count = |table: &'static str| format!("SELECT COUNT(*) FROM {table}");
    let canvases: i64 = sqlx::query_scalar(&count("canvases"))
        .fetch_one(&mut conn)
        .await?;
    let accounts: i64 = sqlx::query_scalar(&count("accounts"))
        .fetch_one(&mut conn)
        .await?;
    let audit_entries: i64 = sqlx::query_scalar(&count("audit_log"))
        .fetch_one(&mut conn)
        .await?;
    conn.close().await?;
    Ok(BackupReport {
        bytes: std::fs::metadata(to)?.len(),
        canvases,
        accounts,
        audit_entries,
    })
}
