//! The SQLite store: one file, WAL journal, `synchronous = FULL` so that a commit survives not
//! only a killed process but also a power cut.
//!
//! Two pools on the one file: a shared pool for requests, and a single connection of its own for
//! the group commit and compaction, so that live edits never wait for a free slot behind HTTP
//! reads. Checkpoints (copying the WAL back into the database file) are taken by a background
//! task instead of by whichever commit crosses SQLite's threshold, so that no group commit, and
//! thus no live edit, waits for one; once writes go quiet the task truncates the WAL, so that a
//! burst of edits does not leave a file of its size behind.

use std::{
    str::FromStr,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use async_trait::async_trait;
use sqlx::{
    Row, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{AppendBatch, CanvasOwner, CanvasSummary, Store, StoreError, StoredCanvas, now_millis};
use crate::{
    access::policy::{self, AccountId, EscalationLevel, ProvinceId, TeamId},
    canvas::{CanvasId, status::CanvasStatus},
};

const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// How long SQLite waits for another connection's write lock before it reports busy.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    /// The one connection of the persister and of compaction.
    pub(super) writer: SqlitePool,
    /// Commits through `writer`; the checkpoint task truncates the WAL once it stops moving.
    writes: Arc<AtomicU64>,
    checkpoints: tokio::task::JoinHandle<()>,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(BUSY_TIMEOUT)
            .pragma("wal_autocheckpoint", "0");
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
            pool,
            writer,
            writes,
            checkpoints,
        })
    }

    /// The pool for requests (tests read pragmas and files through it).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// The persister's own connection.
    pub fn writer(&self) -> &SqlitePool {
        &self.writer
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.checkpoints.abort();
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

#[async_trait]
impl Store for SqliteStore {
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        owner: CanvasOwner,
        initial_update: &[u8],
        life_areas: &[&str],
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO canvases \
             (id, label, created_at, updated_at, team_id, brought_in_by, life_areas) \
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(label)
        .bind(now)
        .bind(now)
        .bind(owner.team)
        .bind(owner.brought_in_by)
        .bind(life_areas.join(","))
        .execute(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO canvas_updates (canvas_id, seq, data) VALUES (?, 1, ?)")
            .bind(id.as_str())
            .bind(initial_update)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM canvases WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.is_some())
    }

    async fn canvas_access(
        &self,
        id: &CanvasId,
    ) -> Result<Option<Option<policy::Canvas>>, StoreError> {
        let row = sqlx::query(&format!("{ACCESS_QUERY} WHERE c.id = ?"))
            .bind(id.as_str())
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| access_facts(&row)).transpose()?)
    }

    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError> {
        let rows = sqlx::query(&format!("{ACCESS_QUERY} ORDER BY c.updated_at DESC"))
            .fetch_all(&self.pool)
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(CanvasSummary {
                    id: row.try_get("id")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                    life_areas: row
                        .try_get::<String, _>("life_areas")?
                        .split(',')
                        .filter(|code| !code.is_empty())
                        .map(str::to_owned)
                        .collect(),
                    status: row.try_get("status")?,
                    team: row
                        .try_get::<Option<String>, _>("team")?
                        .unwrap_or_default(),
                    access: access_facts(&row)?,
                })
            })
            .collect()
    }

    async fn canvas_label(&self, id: &CanvasId) -> Result<Option<String>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT label FROM canvases WHERE id = ?")
                .bind(id.as_str())
                .fetch_optional(&self.pool)
                .await?,
        )
    }

    async fn rename_canvas(&self, id: &CanvasId, label: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE canvases SET label = ? WHERE id = ?")
            .bind(label)
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn load_canvas(&self, id: &CanvasId) -> Result<Option<StoredCanvas>, StoreError> {
        // One read transaction, so the snapshot and the tail belong together even while the
        // canvas is compacted by another connection.
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM canvases WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        let snapshot =
            sqlx::query("SELECT state, upto_seq FROM canvas_snapshots WHERE canvas_id = ?")
                .bind(id.as_str())
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| Ok::<_, sqlx::Error>((row.try_get("state")?, row.try_get("upto_seq")?)))
                .transpose()?;
        let after = snapshot.as_ref().map_or(0, |(_, seq)| *seq);
        let updates = sqlx::query(
            "SELECT seq, data FROM canvas_updates WHERE canvas_id = ? AND seq > ? ORDER BY seq",
        )
        .bind(id.as_str())
        .bind(after)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|row| Ok((row.try_get("seq")?, row.try_get("data")?)))
        .collect::<Result<_, sqlx::Error>>()?;
        tx.commit().await?;
        Ok(Some(StoredCanvas { snapshot, updates }))
    }

    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<(), StoreError> {
        let now = now_millis();
        // The writer's own connection: live edits never queue behind request traffic for a slot
        // of the shared pool (SQLite still has one writer at a time; the busy timeout covers a
        // request that holds the write lock for a moment).
        let mut tx = self.writer.begin().await?;
        for batch in batches {
            for (seq, update) in (batch.first_seq..).zip(&batch.updates) {
                sqlx::query("INSERT INTO canvas_updates (canvas_id, seq, data) VALUES (?, ?, ?)")
                    .bind(batch.canvas.as_str())
                    .bind(seq)
                    .bind(update.as_ref())
                    .execute(&mut *tx)
                    .await?;
            }
            match &batch.summary {
                Some(summary) => {
                    sqlx::query("UPDATE canvases SET updated_at = ?, life_areas = ? WHERE id = ?")
                        .bind(now)
                        .bind(summary.life_areas.join(","))
                        .bind(batch.canvas.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    sqlx::query("UPDATE canvases SET updated_at = ? WHERE id = ?")
                        .bind(now)
                        .bind(batch.canvas.as_str())
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        tx.commit().await?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }

    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<bool, StoreError> {
        let mut tx = self.writer.begin().await?;
        // The WHERE of the upsert refuses an older snapshot; SQLite runs one writer at a time, so
        // the comparison and the write cannot interleave with another compaction.
        let written = sqlx::query(
            "INSERT INTO canvas_snapshots (canvas_id, state, upto_seq) VALUES (?, ?, ?) \
             ON CONFLICT (canvas_id) DO UPDATE SET state = excluded.state, upto_seq = excluded.upto_seq \
             WHERE excluded.upto_seq > canvas_snapshots.upto_seq",
        )
        .bind(id.as_str())
        .bind(snapshot)
        .bind(upto_seq)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            > 0;
        if !written {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM canvas_updates WHERE canvas_id = ? AND seq <= ?")
            .bind(id.as_str())
            .bind(upto_seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        self.writes.fetch_add(1, Ordering::Relaxed);
        Ok(true)
    }
}

/// A canvas with its team, province and place on the escalation ladder. Canvases without a team
/// come back too (the left joins), with NULLs.
const ACCESS_QUERY: &str = "SELECT c.id, c.label, c.created_at, c.updated_at, c.life_areas, \
     c.status, c.team_id, c.brought_in_by, c.escalation_level, c.highest_level, t.name AS team, \
     g.province_id FROM canvases c LEFT JOIN teams t ON t.id = c.team_id \
     LEFT JOIN gemeenten g ON g.id = t.gemeente_id";

/// What the policy needs of a canvas row; `None` when it has no team.
fn access_facts(row: &sqlx::sqlite::SqliteRow) -> Result<Option<policy::Canvas>, sqlx::Error> {
    let team: Option<i64> = row.try_get("team_id")?;
    let province: Option<i64> = row.try_get("province_id")?;
    let level = |column: &str| -> Result<EscalationLevel, sqlx::Error> {
        let code: String = row.try_get(column)?;
        EscalationLevel::from_code(&code)
            .ok_or_else(|| sqlx::Error::Decode(format!("escalation level {code}").into()))
    };
    let (Some(team), Some(province)) = (team, province) else {
        return Ok(None);
    };
    Ok(Some(policy::Canvas {
        team: TeamId(team),
        brought_in_by: row
            .try_get::<Option<i64>, _>("brought_in_by")?
            .map(AccountId),
        province: ProvinceId(province),
        level: level("escalation_level")?,
        highest_level: level("highest_level")?,
        archived: row.try_get::<String, _>("status")? == CanvasStatus::Gearchiveerd.code(),
    }))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use bytes::Bytes;
    use yrs::{Doc, GetString, ReadTxn, StateVector, Transact, Update, updates::decoder::Decode};

    use super::*;
    use crate::{
        canvas::schema,
        store::testing::{TestStore, situation_update as update},
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

    fn batch(id: &CanvasId, first_seq: i64, updates: Vec<Bytes>) -> AppendBatch {
        AppendBatch {
            canvas: id.clone(),
            first_seq,
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
            store.append_updates(&[batch(&id, 2, vec![update("live")])]),
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
            store
                .append_updates(&[batch(&id, seq, vec![update(text)])])
                .await
                .expect("append");
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
    }

    #[tokio::test]
    async fn the_wal_is_truncated_once_writes_go_quiet() {
        let store = TestStore::new(false).await;
        let id = canvas(&store).await;
        let wal = store.database_file().with_extension("sqlite-wal");
        let wal_size = || std::fs::metadata(&wal).map_or(0, |m| m.len());
        let payload = Bytes::from(vec![7u8; 16 * 1024]);
        // A burst of about 16 MiB in a hundred commits, as a busy meeting would write.
        for round in 0..100 {
            let updates = vec![payload.clone(); 10];
            store
                .append_updates(&[batch(&id, 2 + round * 10, updates)])
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
