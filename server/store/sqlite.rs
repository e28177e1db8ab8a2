//! The SQLite store: one file, WAL journal, `synchronous = FULL` so that a commit survives not
//! only a killed process but also a power cut.
//!
//! Checkpoints (copying the WAL back into the database file) are taken by a background task
//! instead of by whichever commit crosses SQLite's threshold, so that no group commit, and thus
//! no live edit, waits for one.

use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    Row, SqlitePool,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
};

use super::{AppendBatch, CanvasOwner, CanvasSummary, Store, StoreError, StoredCanvas, now_millis};
use crate::{
    access::policy::{self, AccountId, EscalationLevel, ProvinceId, TeamId},
    canvas::CanvasId,
};

const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);

pub struct SqliteStore {
    pub(super) pool: SqlitePool,
    checkpoints: tokio::task::JoinHandle<()>,
}

impl SqliteStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("wal_autocheckpoint", "0");
        if let Some(folder) = options.get_filename().parent()
            && !folder.as_os_str().is_empty()
        {
            std::fs::create_dir_all(folder)?;
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
        let checkpoints = tokio::spawn(checkpoint_regularly(pool.clone()));
        Ok(Self { pool, checkpoints })
    }
}

impl Drop for SqliteStore {
    fn drop(&mut self) {
        self.checkpoints.abort();
    }
}

/// Every second, copies what the WAL holds back into the database file. PASSIVE never blocks
/// writers; a checkpoint that cannot finish now simply continues next time.
async fn checkpoint_regularly(pool: SqlitePool) {
    let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if pool.is_closed() {
            return;
        }
        if let Err(error) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .execute(&pool)
            .await
        {
            tracing::warn!(%error, "WAL checkpoint failed");
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
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO canvases (id, label, created_at, updated_at, team_id, brought_in_by) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(id.as_str())
        .bind(label)
        .bind(now)
        .bind(now)
        .bind(owner.team)
        .bind(owner.brought_in_by)
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
        let mut tx = self.pool.begin().await?;
        for batch in batches {
            for (seq, update) in (batch.first_seq..).zip(&batch.updates) {
                sqlx::query("INSERT INTO canvas_updates (canvas_id, seq, data) VALUES (?, ?, ?)")
                    .bind(batch.canvas.as_str())
                    .bind(seq)
                    .bind(update.as_ref())
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("UPDATE canvases SET updated_at = ? WHERE id = ?")
                .bind(now)
                .bind(batch.canvas.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn update_summary(
        &self,
        id: &CanvasId,
        label: &str,
        life_areas: &[&str],
    ) -> Result<(), StoreError> {
        sqlx::query("UPDATE canvases SET label = ?, life_areas = ? WHERE id = ?")
            .bind(label)
            .bind(life_areas.join(","))
            .bind(id.as_str())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO canvas_snapshots (canvas_id, state, upto_seq) VALUES (?, ?, ?) \
             ON CONFLICT (canvas_id) DO UPDATE SET state = excluded.state, upto_seq = excluded.upto_seq",
        )
        .bind(id.as_str())
        .bind(snapshot)
        .bind(upto_seq)
        .execute(&mut *tx)
        .await?;
        sqlx::query("DELETE FROM canvas_updates WHERE canvas_id = ? AND seq <= ?")
            .bind(id.as_str())
            .bind(upto_seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
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
    }))
}
