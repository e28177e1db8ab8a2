//! The SQLite store: one file, WAL journal, `synchronous = FULL` so that a commit survives not
//! only a killed process but also a power cut.
//!
//! Two pools on the one file: a shared pool for requests, and a single connection of its own for
//! the group commit and compaction, so that live edits never wait for a free slot behind HTTP
//! reads. Checkpoints (copying the WAL back into the database file) are taken by a background
//! task instead of by whichever commit crosses SQLite's threshold, so that no group commit, and
//! thus no live edit, waits for one; once writes go quiet the task truncates the WAL, so that a
//! burst of edits does not leave a file of its size behind.

//!
//! Every query is written once, against a [`Source`] of connections: [`Pooled`] takes one from the
//! pools per call, [`Held`] is the one transaction a use case holds (`Database::begin`), so that
//! several queries commit together or not at all. The modules are the aggregates: canvases and
//! their log, accounts and sessions, the organisation, invitations, the audit log, the workflow.

mod accounts;
mod archive_index;
mod audit_log;
pub mod backup;
mod canvases;
mod comments;
mod evaluation;
mod invitations;
mod learning_agenda;
mod meeting_records;
mod meetings;
mod organisation;
mod query;
mod retention;
mod versions;
mod workflow;

use std::{
    future::Future,
    ops::{Deref, DerefMut},
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use sqlx::{
    SqliteConnection, SqlitePool,
    pool::PoolConnection,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{Database, StoreError, Transaction};

const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How long SQLite waits for another connection's write lock before it reports busy.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The SQLite implementation of every storage interface, over a source of connections.
pub struct Sqlite<S> {
    source: S,
}

/// The store as the server opens it: each query takes a connection of the pools.
pub type SqliteStore = Sqlite<Pooled>;

/// A transaction in progress: every query runs on it, and nothing is visible to others until
/// [`Transaction::commit`].
pub type SqliteTransaction = Sqlite<Held>;

/// Where the queries of a [`Sqlite`] run.
pub trait Source: Send + Sync + 'static {
    /// A connection for a request's reads and writes.
    fn conn(&self) -> impl Future<Output = Result<Conn<'_>, StoreError>> + Send;
    /// The connection of the group commit and compaction.
    fn writer(&self) -> impl Future<Output = Result<Conn<'_>, StoreError>> + Send;
    /// Called after a commit through [`Source::writer`].
    fn wrote(&self) {}
}

/// A connection borrowed from a [`Source`] for one query or one nested transaction.
pub enum Conn<'a> {
    Pooled(PoolConnection<sqlx::Sqlite>),
    Held(tokio::sync::MutexGuard<'a, sqlx::Transaction<'static, sqlx::Sqlite>>),
}

impl Deref for Conn<'_> {
    type Target = SqliteConnection;

    fn deref(&self) -> &SqliteConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Held(tx) => tx,
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Held(tx) => tx,
        }
    }
}

/// Two pools on one file, and the background checkpoints.
pub struct Pooled {
    pool: SqlitePool,
    /// The one connection of the persister and of compaction.
    writer: SqlitePool,
    /// Commits through `writer`; the checkpoint task truncates the WAL once it stops moving.
    writes: Arc<AtomicU64>,
    checkpoints: tokio::task::JoinHandle<()>,
}

impl Source for Pooled {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        Ok(Conn::Pooled(self.pool.acquire().await?))
    }

    async fn writer(&self) -> Result<Conn<'_>, StoreError> {
        Ok(Conn::Pooled(self.writer.acquire().await?))
    }

    fn wrote(&self) {
        self.writes.fetch_add(1, Ordering::Relaxed);
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        self.checkpoints.abort();
    }
}

/// One transaction, begun with `BEGIN IMMEDIATE`. A query takes the lock for its duration;
/// the queries of one use case run one after another, so it is never contended.
pub struct Held {
    tx: tokio::sync::Mutex<sqlx::Transaction<'static, sqlx::Sqlite>>,
}

impl Source for Held {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        Ok(Conn::Held(self.tx.lock().await))
    }

    async fn writer(&self) -> Result<Conn<'_>, StoreError> {
        self.conn().await
    }
}

impl<S: Source> Sqlite<S> {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        self.source.conn().await
    }
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("wal_autocheckpoint", "0")
            // 32 MiB of page cache per connection (SQLite's default is 2 MiB): the archive's
            // search and the dashboards read the same index pages over and over.
            .pragma("cache_size", "-32768");
        if let Some(folder) = options.get_filename().parent()
            && !folder.as_os_str().is_empty()
        {
            std::fs::create_dir_all(folder)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let writer = SqlitePoolOptions::new()
            .min_connections(1)
            .max_connections(1)
            .connect_with(options)
            .await?;
        let writes = Arc::new(AtomicU64::new(0));
        let checkpoints = tokio::spawn(checkpoint_regularly(pool.clone(), writes.clone()));
        Ok(Self {
            source: Pooled {
                pool,
                writer,
                writes,
                checkpoints,
            },
        })
    }

    /// The pool for requests (tests read pragmas and files through it).
    pub fn pool(&self) -> &SqlitePool {
        &self.source.pool
    }

    /// The persister's own connection.
    pub fn writer(&self) -> &SqlitePool {
        &self.source.writer
    }
}

#[async_trait]
impl Database for SqliteStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError> {
        // IMMEDIATE takes the write lock now: a use case reads what it then changes, and a
        // deferred transaction that upgrades from reading to writing can fail with "busy"
        // instead of waiting its turn.
        let tx = self.source.pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Box::new(Sqlite {
            source: Held {
                tx: tokio::sync::Mutex::new(tx),
            },
        }))
    }
}

#[async_trait]
impl Transaction for SqliteTransaction {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.source.tx.into_inner().commit().await?)
    }
}

/// Every second, copies what the WAL holds back into the database file. PASSIVE never blocks
/// writers; a checkpoint that cannot finish now simply continues next time. When no commit came
/// through the writer since the last tick and the WAL is fully copied, TRUNCATE resets the file
/// to zero bytes: it waits for readers (within the busy timeout) and briefly blocks writers, which
/// is harmless exactly when nobody is writing.
async fn checkpoint_regularly(pool: SqlitePool, writes: Arc<AtomicU64>) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut seen = u64::MAX;
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        let now = writes.load(Ordering::Relaxed);
        let mode = if now == seen { "TRUNCATE" } else { "PASSIVE" };
        seen = now;
        if let Err(error) = sqlx::query(&format!("PRAGMA wal_checkpoint({mode})"))
            .execute(&pool)
            .await
        {
            tracing::warn!(%error, mode, "WAL checkpoint failed");
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use yrs::{Doc, GetString, ReadTxn, StateVector, Transact, Update, updates::decoder::Decode};

    use sqlx::Row;

    use super::*;
    use crate::{
        canvas::{CanvasId, schema},
        store::{
            AppendBatch, Canvases,
            testing::{TestStore, situation_update as update},
        },
    };

    async fn pragma(pool: &SqlitePool, name: &str) -> String {
        let row = sqlx::query(&format!("PRAGMA {name}"))
            .fetch_one(pool)
            .await
            .expect("pragma");
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|n| n.to_string()))
            .expect("value")
    }

    #[tokio::test]
    async fn both_pools_run_with_the_pragmas_the_code_promises() {
        let store = TestStore::new(false).await;
        for pool in [store.inner.pool(), store.inner.writer()] {
            assert_eq!(pragma(pool, "journal_mode").await, "wal");
            assert_eq!(pragma(pool, "synchronous").await, "2", "FULL");
            assert_eq!(
                pragma(pool, "busy_timeout").await,
                BUSY_TIMEOUT.as_millis().to_string()
            );
            assert_eq!(pragma(pool, "foreign_keys").await, "1");
        }
    }

    async fn canvas(store: &TestStore) -> CanvasId {
        let id = CanvasId::random();
        store
            .create_canvas(&id, "Casus", store.owner().await, &update("begin"), &[])
            .await
            .expect("create");
        id
    }

    fn batch(id: &CanvasId, updates: Vec<Bytes>) -> AppendBatch {
        AppendBatch {
            canvas: id.clone(),
            updates,
            summary: None,
        }
    }

    /// The situatieschets of the stored canvas, rebuilt from its snapshot and log.
    async fn stored_text(store: &TestStore, id: &CanvasId) -> String {
        let stored = store.load_canvas(id).await.expect("load").expect("canvas");
        let doc = Doc::new();
        let situation = doc.get_or_insert_text(schema::root::SITUATION);
        let mut txn = doc.transact_mut();
        for update in stored
            .snapshot
            .iter()
            .map(|(s, _)| s)
            .chain(stored.updates.iter().map(|(_, u)| u))
        {
            txn.apply_update(Update::decode_v1(update).expect("decode"))
                .expect("apply");
        }
        situation.get_string(&txn)
    }

    #[tokio::test]
    async fn commits_do_not_wait_for_a_busy_request_pool() {
        let store = TestStore::new(false).await;
        let id = canvas(&store).await;
        // Every request connection is taken, as by slow page loads.
        let mut held = Vec::new();
        for _ in 0..4 {
            held.push(store.inner.pool().acquire().await.expect("connection"));
        }
        tokio::time::timeout(
            Duration::from_secs(5),
            store.append_updates(&[batch(&id, vec![update("live")])]),
        )
        .await
        .expect("the commit does not wait for a pool slot")
        .expect("commit");
        drop(held);
        assert!(stored_text(&store, &id).await.contains("live"));
    }

    #[tokio::test]
    async fn an_older_snapshot_never_replaces_a_newer_one() {
        let store = TestStore::new(false).await;
        let id = canvas(&store).await;
        let texts = ["een", "twee", "drie", "vier"];
        for (seq, text) in (2..).zip(texts) {
            let last = store
                .append_updates(&[batch(&id, vec![update(text)])])
                .await
                .expect("append");
            assert_eq!(last, vec![seq], "the next position of the canvas's log");
        }
        // Two compactions of one canvas: the newer (up to 5) commits first, the older (up to 3,
        // encoded by a room that has since unloaded) last.
        let older = {
            let stored = store.load_canvas(&id).await.expect("load").expect("canvas");
            let doc = Doc::new();
            let mut txn = doc.transact_mut();
            for (_, u) in stored.updates.iter().take(3) {
                txn.apply_update(Update::decode_v1(u).expect("decode"))
                    .expect("apply");
            }
            drop(txn);
            doc.transact()
                .encode_state_as_update_v1(&StateVector::default())
        };
        let newer = {
            let stored = store.load_canvas(&id).await.expect("load").expect("canvas");
            let doc = Doc::new();
            let mut txn = doc.transact_mut();
            for (_, u) in &stored.updates {
                txn.apply_update(Update::decode_v1(u).expect("decode"))
                    .expect("apply");
            }
            drop(txn);
            doc.transact()
                .encode_state_as_update_v1(&StateVector::default())
        };
        assert!(store.compact(&id, &newer, 5).await.expect("newer"));
        assert!(
            !store.compact(&id, &older, 3).await.expect("older"),
            "refused"
        );
        let text = stored_text(&store, &id).await;
        for expected in texts {
            assert!(text.contains(expected), "{expected} kept in {text:?}");
        }
        let stored = store.load_canvas(&id).await.expect("load").expect("canvas");
        assert_eq!(stored.snapshot.map(|(_, seq)| seq), Some(5));

        // The log was folded away entirely; positions go on after it, not from 1 again.
        let last = store
            .append_updates(&[
                batch(&id, vec![update("vijf")]),
                batch(&id, vec![update("zes")]),
            ])
            .await
            .expect("append");
        assert_eq!(last, vec![6, 7]);
        // A reader that has everything up to 5 gets the log after it, without the snapshot;
        // one that has less also gets the snapshot that folded in what it lacks.
        let tail = store
            .load_canvas_after(&id, 5)
            .await
            .expect("load")
            .expect("canvas");
        assert!(tail.snapshot.is_none());
        assert_eq!(
            tail.updates.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
            [6, 7]
        );
        let behind = store
            .load_canvas_after(&id, 2)
            .await
            .expect("load")
            .expect("canvas");
        assert_eq!(behind.snapshot.map(|(_, seq)| seq), Some(5));
        assert_eq!(behind.updates.len(), 2);
    }

    #[tokio::test]
    async fn the_wal_is_truncated_once_writes_go_quiet() {
        let store = TestStore::new(false).await;
        let id = canvas(&store).await;
        let wal = store.database_file().with_extension("sqlite-wal");
        let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let payload = Bytes::from(vec![7u8; 16 * 1024]);
        // A burst of about 16 MiB in a hundred commits, as a busy meeting would write.
        for _ in 0..100 {
            let updates = vec![payload.clone(); 10];
            store
                .append_updates(&[batch(&id, updates)])
                .await
                .expect("append");
        }
        let peak = wal_size();
        assert!(peak > 4 << 20, "the burst grew the WAL ({peak} bytes)");
        tokio::time::timeout(Duration::from_secs(15), async {
            while wal_size() > 1 << 20 {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        })
        .await
        .expect("the WAL shrinks below 1 MiB once writes stop");
    }
}
