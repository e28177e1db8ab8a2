//! `doorbraak copy --from sqlite://… --to postgres://…`: moves an installation from its SQLite
//! database into an empty PostgreSQL database in one run, and checks the copy.
//!
//! - The source may be in use by a running server: the copy is made from a consistent snapshot
//!   of it (`VACUUM INTO`, as `doorbraak backup` makes one), written beside it and removed
//!   afterwards.
//! - Both databases are first brought up to this binary's schema (their migrations), and must
//!   then have the same tables with the same columns ([`schema`]); the tables and columns are
//!   read from the databases, never listed here, so a new migration needs no change here.
//! - The target must be empty: a row in any table but sqlx's `_sqlx_migrations` refuses the copy
//!   before anything changes, its migrations included.
//! - Everything goes into PostgreSQL in **one transaction** ([`rows`]), checked before it
//!   commits ([`verify`]): the same number of rows in every table, and every canvas the same
//!   document in both. A failure anywhere rolls it all back and leaves the target empty.
//!
//! The search index of the learning archive is copied as it is: SQLite's FTS5 table
//! `archive_search` is read through its `rowid` and `stems` (its shadow tables are SQLite's own
//! and left out), which are exactly the columns of PostgreSQL's plain table of that name, whose
//! GIN index PostgreSQL fills itself.

mod rows;
mod schema;
mod verify;

use std::{
    path::{Path, PathBuf},
    str::FromStr,
};

use sqlx::{Connection, PgConnection, PgPool, sqlite::SqliteConnectOptions};

use super::{
    SqliteStore, StoreError, StoredCanvas, Transaction,
    postgres::{self, PostgresTransaction},
    sqlite,
};
use schema::{Plan, quoted};

/// Whether two stored canvases hold the same document; `Err` says (in Dutch) why one of them
/// cannot be read. Given by the caller: building a document is the sync layer's
/// (`sync::doc::same_document`), which the store does not import.
pub type SameDocument = fn(&StoredCanvas, &StoredCanvas) -> Result<bool, String>;

/// What was copied, and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport {
    pub tables: usize,
    pub rows: u64,
    /// Canvases that are the same document in both databases (all of them, or there is no
    /// report).
    pub canvases: usize,
}

/// Copies the SQLite database at `from` into the empty PostgreSQL database at `to`, in one
/// transaction that commits only once the copy is checked.
pub async fn copy(
    from: &str,
    to: &str,
    same_document: SameDocument,
) -> Result<CopyReport, StoreError> {
    if !from.starts_with("sqlite:") {
        return Err(StoreError::CopyFromNotSqlite);
    }
    if !super::postgres::is_url(to) {
        return Err(StoreError::CopyToNotPostgres);
    }
    // Opening a SQLite URL creates a missing file: a mistyped path would copy an empty database.
    let source_file = SqliteConnectOptions::from_str(from)?
        .get_filename()
        .to_owned();
    if !source_file.is_file() {
        return Err(StoreError::CopySourceMissing(
            source_file.display().to_string(),
        ));
    }
    // Refused before the target's migrations run: they would change a database that is not
    // this copy's to change (another application's, or an installation already in use).
    let mut conn = PgConnection::connect(to).await?;
    let found = rows_in(&mut conn).await;
    conn.close().await?;
    found?;

    // Both schemas up to date, as a server brings them on start.
    let source = SqliteStore::open(from).await?;
    source.pool().close().await;
    source.writer().close().await;
    drop(source);
    let target = postgres::connect(to).await?;

    let snapshot = snapshot_path(&source_file);
    let copied = copy_snapshot(from, &snapshot, &target, same_document).await;
    target.close().await;
    remove_snapshot(&snapshot);
    copied
}

/// Takes the snapshot and copies it.
async fn copy_snapshot(
    from: &str,
    snapshot: &Path,
    target: &PgPool,
    same_document: SameDocument,
) -> Result<CopyReport, StoreError> {
    sqlite::backup::backup(from, snapshot).await?;
    let source = SqliteStore::open(&format!("sqlite://{}", snapshot.display())).await?;
    let copied = copy_into(&source, target, same_document).await;
    source.pool().close().await;
    source.writer().close().await;
    copied
}

/// The whole copy, in one transaction on the target.
async fn copy_into(
    source: &SqliteStore,
    target: &PgPool,
    same_document: SameDocument,
) -> Result<CopyReport, StoreError> {
    let tx = PostgresTransaction::begin_on(target).await?;
    let (plan, rows, counts) = {
        let mut conn = tx.connection().await?;
        // Waiting for another session's locks is not worth more than this: it is in use.
        sqlx::query("SET LOCAL lock_timeout = '10s'")
            .execute(&mut *conn)
            .await?;
        // Held until the transaction ends: no server starts on the database meanwhile.
        if !postgres::claim_for_transaction(&mut conn).await? {
            return Err(StoreError::CopyTargetInUse);
        }
        let plan = schema::plan(&mut conn, &schema::sqlite_tables(source.pool()).await?).await?;
        // Locked before they are found empty: nobody else writes a row until this commits.
        let all: Vec<String> = plan.tables.iter().map(|t| quoted(&t.name)).collect();
        sqlx::query(&format!(
            "LOCK TABLE {} IN ACCESS EXCLUSIVE MODE",
            all.join(", ")
        ))
        .execute(&mut *conn)
        .await?;
        rows_in(&mut conn).await?;
        let rows = insert_everything(source, &mut conn, &plan).await?;
        let mut counts = Vec::with_capacity(plan.tables.len());
        for table in &plan.tables {
            let (ours, theirs) = verify::counts(source.pool(), &mut conn, &table.name).await?;
            counts.push((table.name.clone(), ours, theirs));
        }
        (plan, rows, counts)
    };

    // The check, through the storage interfaces, on the uncommitted copy.
    let mut differences = verify::count_differences(&counts);
    let ids: Vec<String> = sqlx::query_scalar("SELECT id FROM canvases ORDER BY id")
        .fetch_all(source.pool())
        .await?;
    let (canvases, unlike) = verify::canvases(ids, source, &tx, same_document).await?;
    differences.extend(unlike);
    if !differences.is_empty() {
        return Err(StoreError::CopyVerification(verify::summary(&differences)));
    }

    // Last, because a sequence's change is not undone by a rollback: after the check, the
    // next ids come after the copied ones.
    {
        let mut conn = tx.connection().await?;
        for s in &plan.sequences {
            sqlx::query(&format!(
                "SELECT setval($1::regclass, COALESCE((SELECT MAX({}) FROM {}), 0) + 1, false)",
                quoted(&s.column),
                quoted(&s.table)
            ))
            .bind(&s.sequence)
            .execute(&mut *conn)
            .await?;
        }
    }
    Transaction::commit(Box::new(tx)).await?;
    Ok(CopyReport {
        tables: plan.tables.len(),
        rows,
        canvases,
    })
}

/// Inserts every table in the plan's order, then the columns that close a circle of foreign
/// keys. The tables' own triggers are off meanwhile: they derive rows that the copy brings
/// itself (an escalation's version) and refuse the changes of those last updates (the ledger
/// and the audit log are append-only). Turned off within the transaction, so nobody else ever
/// sees them off, and on again before it commits.
async fn insert_everything(
    source: &SqliteStore,
    conn: &mut PgConnection,
    plan: &Plan,
) -> Result<u64, StoreError> {
    let triggered: Vec<&str> = plan
        .tables
        .iter()
        .filter(|t| t.has_triggers)
        .map(|t| t.name.as_str())
        .collect();
    for table in &triggered {
        sqlx::query(&format!(
            "ALTER TABLE {} DISABLE TRIGGER USER",
            quoted(table)
        ))
        .execute(&mut *conn)
        .await?;
    }
    let mut rows = 0;
    let mut later = Vec::new();
    for table in &plan.tables {
        let (copied, pending) = rows::copy_table(source.pool(), conn, table).await?;
        tracing::debug!(table = %table.name, rows = copied, "table copied");
        rows += copied;
        if !pending.is_empty() {
            later.push((table, pending));
        }
    }
    for (table, pending) in later {
        rows::set_deferred(conn, table, pending).await?;
    }
    for table in &triggered {
        sqlx::query(&format!(
            "ALTER TABLE {} ENABLE TRIGGER USER",
            quoted(table)
        ))
        .execute(&mut *conn)
        .await?;
    }
    Ok(rows)
}

/// Refuses a target with a row in any of its tables (sqlx's own table of migrations aside).
async fn rows_in(conn: &mut PgConnection) -> Result<(), StoreError> {
    let mut filled = Vec::new();
    for table in schema::postgres_table_names(conn).await? {
        let rows: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {}", quoted(&table)))
            .fetch_one(&mut *conn)
            .await?;
        match rows {
            0 => {}
            1 => filled.push(format!("{table}: 1 rij")),
            n => filled.push(format!("{table}: {n} rijen")),
        }
    }
    if filled.is_empty() {
        Ok(())
    } else {
        Err(StoreError::CopyTargetNotEmpty(verify::summary(&filled)))
    }
}

/// Beside the source (the one folder the service writes, on the disk that holds its size), with
/// a name of this run's own.
fn snapshot_path(source: &Path) -> PathBuf {
    let name = source
        .file_name()
        .map_or_else(|| "doorbraak.db".into(), |n| n.to_string_lossy());
    source.with_file_name(format!(
        "{name}.kopie-{}-{}",
        std::process::id(),
        super::now_millis()
    ))
}

/// Removes the snapshot and the journal files its store made.
fn remove_snapshot(snapshot: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut file = snapshot.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if let Err(error) = std::fs::remove_file(&file)
            && error.kind() != std::io::ErrorKind::NotFound
        {
            tracing::warn!(file = %file.display(), %error, "the snapshot of the copy stays behind");
        }
    }
}
