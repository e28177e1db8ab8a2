//! The canvases and their log on SQLite.

use async_trait::async_trait;
use sqlx::{Connection, Row};

use super::{Source, Sqlite, query::codes};
use crate::{
    access::policy::{self, AccountId, EscalationLevel, ProvinceId, TeamId},
    canvas::{CanvasId, status::CanvasStatus},
    store::{
        AppendBatch, CanvasOwner, CanvasSummary, Canvases, StoreError, StoredCanvas, now_millis,
    },
};

#[async_trait]
impl<S: Source> Canvases for Sqlite<S> {
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        owner: CanvasOwner,
        initial_update: &[u8],
        life_areas: &[&str],
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        sqlx::query(
            "INSERT INTO canvases \
             (id, label, created_at, updated_at, team_id, brought_in_by, life_areas, last_seq) \
             VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
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
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }

    async fn canvas_facts(&self, id: &CanvasId) -> Result<Option<policy::Canvas>, StoreError> {
        let row = sqlx::query(&format!("{ACCESS_QUERY} WHERE c.id = ?"))
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|row| access_facts(&row)).transpose()?.flatten())
    }

    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError> {
        let rows = sqlx::query(&format!("{ACCESS_QUERY} ORDER BY c.updated_at DESC"))
            .fetch_all(&mut *self.conn().await?)
            .await?;
        rows.into_iter()
            .map(|row| {
                Ok(CanvasSummary {
                    id: row.try_get("id")?,
                    label: row.try_get("label")?,
                    created_at: row.try_get("created_at")?,
                    updated_at: row.try_get("updated_at")?,
                    life_areas: codes(&row, "life_areas")?,
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
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn rename_canvas(&self, id: &CanvasId, label: &str) -> Result<bool, StoreError> {
        // Not a canvas archived or purged meanwhile: the check is in the statement.
        let renamed = sqlx::query(
            "UPDATE canvases SET label = ? WHERE id = ? AND status <> 'gearchiveerd' \
             AND purged_at IS NULL",
        )
        .bind(label)
        .bind(id.as_str())
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(renamed.rows_affected() == 1)
    }

    async fn load_canvas_after(
        &self,
        id: &CanvasId,
        after: i64,
    ) -> Result<Option<StoredCanvas>, StoreError> {
        // One read transaction, so the snapshot and the tail belong together even while the
        // canvas is compacted by another connection.
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let exists = sqlx::query("SELECT 1 FROM canvases WHERE id = ?")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await?;
        if exists.is_none() {
            return Ok(None);
        }
        // The snapshot only when it holds entries the reader lacks.
        let snapshot = sqlx::query(
            "SELECT state, upto_seq FROM canvas_snapshots WHERE canvas_id = ? AND upto_seq > ?",
        )
        .bind(id.as_str())
        .bind(after)
        .fetch_optional(&mut *tx)
        .await?
        .map(|row| Ok::<_, sqlx::Error>((row.try_get("state")?, row.try_get("upto_seq")?)))
        .transpose()?;
        let after = snapshot.as_ref().map_or(after, |(_, seq)| *seq);
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

    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<Vec<i64>, StoreError> {
        let now = now_millis();
        // The writer's own connection: live edits never queue behind request traffic for a slot
        // of the shared pool (SQLite still has one writer at a time; the busy timeout covers a
        // request that holds the write lock for a moment).
        let mut conn = self.source.writer().await?;
        let mut tx = conn.begin().await?;
        let mut last = Vec::with_capacity(batches.len());
        for batch in batches {
            // The positions come from the canvas row, in the writing transaction (SQLite has
            // one writer at a time, so nobody else takes them meanwhile).
            let upto: i64 = sqlx::query_scalar(
                "UPDATE canvases SET updated_at = ?, last_seq = last_seq + ?, \
                 life_areas = COALESCE(?, life_areas) WHERE id = ? RETURNING last_seq",
            )
            .bind(now)
            .bind(batch.updates.len() as i64)
            .bind(batch.summary.as_ref().map(|s| s.life_areas.join(",")))
            .bind(batch.canvas.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Inconsistent(
                "updates for a canvas that does not exist",
            ))?;
            let first = upto - batch.updates.len() as i64 + 1;
            for (seq, update) in (first..).zip(&batch.updates) {
                sqlx::query("INSERT INTO canvas_updates (canvas_id, seq, data) VALUES (?, ?, ?)")
                    .bind(batch.canvas.as_str())
                    .bind(seq)
                    .bind(update.as_ref())
                    .execute(&mut *tx)
                    .await?;
            }
            last.push(upto);
        }
        tx.commit().await?;
        self.source.wrote();
        Ok(last)
    }

    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.source.writer().await?;
        let mut tx = conn.begin().await?;
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
        self.source.wrote();
        Ok(true)
    }
}

/// A canvas with its team, province and place on the escalation ladder. Canvases without a team
/// come back too (the left joins), with NULLs.
const ACCESS_QUERY: &str = "SELECT c.id, c.label, c.created_at, c.updated_at, c.life_areas, \
     c.status, c.team_id, c.brought_in_by, c.escalation_level, c.highest_level, c.archive_scope, \
     c.purged_at, \
     t.name AS team, \
     g.province_id FROM canvases c LEFT JOIN teams t ON t.id = c.team_id \
     LEFT JOIN gemeenten g ON g.id = t.gemeente_id";

/// What the policy needs of a canvas row; `None` when it has no team, or was purged after the
/// retention period: then nobody sees it.
fn access_facts(row: &sqlx::sqlite::SqliteRow) -> Result<Option<policy::Canvas>, sqlx::Error> {
    if row.try_get::<Option<i64>, _>("purged_at")?.is_some() {
        return Ok(None);
    }
    let team: Option<i64> = row.try_get("team_id")?;
    let province: Option<ProvinceId> = row.try_get("province_id")?;
    let level = |column: &str| -> Result<EscalationLevel, sqlx::Error> {
        let code: String = row.try_get(column)?;
        EscalationLevel::from_code(&code)
            .ok_or_else(|| sqlx::Error::Decode(format!("escalation level {code}").into()))
    };
    let (Some(team), Some(province)) = (team, province) else {
        return Ok(None);
    };
    let id: String = row.try_get("id")?;
    Ok(Some(policy::Canvas {
        id: id
            .parse()
            .map_err(|_| sqlx::Error::Decode(format!("canvas id {id}").into()))?,
        team: TeamId(team),
        brought_in_by: row
            .try_get::<Option<i64>, _>("brought_in_by")?
            .map(AccountId),
        province,
        level: level("escalation_level")?,
        highest_level: level("highest_level")?,
        archived: row.try_get::<String, _>("status")? == CanvasStatus::Gearchiveerd.code(),
        archive_scope: row
            .try_get::<Option<String>, _>("archive_scope")?
            .as_deref()
            .and_then(policy::ArchiveScope::from_code),
    }))
}
