//! The canvases and their log on PostgreSQL.
//!
//! A commit to the log (see the module `postgres`) takes its positions from the canvas row,
//! which it locks, and announces them on [`COMMIT_CHANNEL`]; a compaction takes the
//! canvas's own advisory lock, and its snapshot's upsert is one atomic statement.

use async_trait::async_trait;
use sqlx::{Connection, Row, postgres::PgRow};

use super::{Postgres, Source, query::codes};
use crate::{
    access::policy::{self, AccountId, EscalationLevel, ProvinceId, TeamId},
    canvas::{CanvasId, status::CanvasStatus},
    store::{
        AppendBatch, CanvasOwner, CanvasSummary, Canvases, StoreError, StoredCanvas, now_millis,
    },
};

#[async_trait]
impl<S: Source> Canvases for Postgres<S> {
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
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1)",
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
        sqlx::query("INSERT INTO canvas_updates (canvas_id, seq, data) VALUES ($1, 1, $2)")
            .bind(id.as_str())
            .bind(initial_update)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM canvases WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }

    async fn canvas_facts(&self, id: &CanvasId) -> Result<Option<policy::Canvas>, StoreError> {
        let row = sqlx::query(&format!("{ACCESS_QUERY} WHERE c.id = $1"))
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
            sqlx::query_scalar("SELECT label FROM canvases WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }

    async fn rename_canvas(&self, id: &CanvasId, label: &str) -> Result<bool, StoreError> {
        // Not a canvas archived or purged meanwhile: the check is in the statement, which
        // waits for an archiving's row lock and then sees its status.
        let renamed = sqlx::query(
            "UPDATE canvases SET label = $1 WHERE id = $2 AND status <> 'gearchiveerd' \
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
        // One statement, so the snapshot and the tail belong together even while the canvas is
        // compacted by another connection. (SQLite reads them in one read transaction; under
        // PostgreSQL's READ COMMITTED every statement of a transaction sees its own snapshot,
        // so two statements could see the snapshot before a compaction and the log after it,
        // missing the rows in between. One statement sees one snapshot of the database, also
        // inside a use case's transaction, where REPEATABLE READ can no longer be chosen.)
        //
        // The first row is the canvas's, with its snapshot when that holds entries after
        // `after` (NULLs otherwise); the log entries after both follow in order. No row: no
        // such canvas.
        let rows = sqlx::query(
            "SELECT 0 AS part, s.upto_seq AS seq, s.state AS data FROM canvases c \
             LEFT JOIN canvas_snapshots s ON s.canvas_id = c.id AND s.upto_seq > $2 \
             WHERE c.id = $1 \
             UNION ALL \
             SELECT 1, u.seq, u.data FROM canvas_updates u WHERE u.canvas_id = $1 \
             AND u.seq > GREATEST($2, \
                 COALESCE((SELECT upto_seq FROM canvas_snapshots WHERE canvas_id = $1), 0)) \
             ORDER BY part, seq",
        )
        .bind(id.as_str())
        .bind(after)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut rows = rows.into_iter();
        let Some(canvas) = rows.next() else {
            return Ok(None);
        };
        let snapshot = match canvas.try_get::<Option<i64>, _>("seq")? {
            Some(upto_seq) => Some((canvas.try_get::<Vec<u8>, _>("data")?, upto_seq)),
            None => None,
        };
        let updates = rows
            .map(|row| Ok((row.try_get("seq")?, row.try_get("data")?)))
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(Some(StoredCanvas { snapshot, updates }))
    }

    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<Vec<i64>, StoreError> {
        let now = now_millis();
        // A connection of the pool: PostgreSQL has no single writer and no separate writer's
        // connection (SQLite's `writer()`).
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // The canvas rows are locked in the order of their ids, whatever order the batches came
        // in: two processes committing groups of the same canvases then wait for each other
        // instead of deadlocking.
        let mut order: Vec<usize> = (0..batches.len()).collect();
        order.sort_by(|a, b| batches[*a].canvas.cmp(&batches[*b].canvas));
        let mut last = vec![0; batches.len()];
        for index in order {
            let batch = &batches[index];
            let count = batch.updates.len() as i64;
            // The positions come from the canvas row: the UPDATE locks it until this
            // transaction ends, so a process committing to the same canvas at the same moment
            // waits and then takes the positions after these. The log has one order, and a
            // reader that sees a position sees every position before it (the holder of a lower
            // one committed before the next could take the lock).
            let upto: i64 = sqlx::query_scalar(
                "UPDATE canvases SET updated_at = $1, last_seq = last_seq + $2, \
                 life_areas = COALESCE($3, life_areas) WHERE id = $4 RETURNING last_seq",
            )
            .bind(now)
            .bind(count)
            .bind(batch.summary.as_ref().map(|s| s.life_areas.join(",")))
            .bind(batch.canvas.as_str())
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::Inconsistent(
                "updates for a canvas that does not exist",
            ))?;
            let seqs: Vec<i64> = (upto - count + 1..=upto).collect();
            let data: Vec<&[u8]> = batch.updates.iter().map(|u| u.as_ref()).collect();
            sqlx::query(
                "INSERT INTO canvas_updates (canvas_id, seq, data) \
                 SELECT $1, seq, data FROM UNNEST($2::BIGINT[], $3::BYTEA[]) AS t (seq, data)",
            )
            .bind(batch.canvas.as_str())
            .bind(&seqs)
            .bind(&data)
            .execute(&mut *tx)
            .await?;
            // Delivered to the listening processes only once this transaction commits, and
            // never if it rolls back: they read only committed rows. Positions, no content.
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(COMMIT_CHANNEL)
                .bind(commit_notice(&batch.canvas, upto))
                .execute(&mut *tx)
                .await?;
            last[index] = upto;
        }
        tx.commit().await?;
        Ok(last)
    }

    async fn compact(
        &self,
        id: &CanvasId,
        snapshot: &[u8],
        upto_seq: i64,
    ) -> Result<bool, StoreError> {
        // A connection of the pool (SQLite uses its writer's own connection here).
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // One compaction of a canvas at a time, on whichever process: while another one holds
        // the canvas's lock this one is skipped (the log stays as it is), and the next
        // compaction covers whatever it would have.
        let claimed: bool =
            sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1, hashtext($2))")
                .bind(COMPACTION_LOCKS)
                .bind(id.as_str())
                .fetch_one(&mut *tx)
                .await?;
        if !claimed {
            tx.rollback().await?;
            return Ok(false);
        }
        // The WHERE of the upsert refuses an older snapshot: a snapshot only moves forward. It
        // inserts, or locks the existing snapshot row and evaluates the WHERE against its latest
        // committed version, so the comparison and the write cannot interleave with a
        // compaction that committed a moment ago.
        let written = sqlx::query(
            "INSERT INTO canvas_snapshots (canvas_id, state, upto_seq) VALUES ($1, $2, $3) \
             ON CONFLICT (canvas_id) DO UPDATE SET state = EXCLUDED.state, upto_seq = EXCLUDED.upto_seq \
             WHERE EXCLUDED.upto_seq > canvas_snapshots.upto_seq",
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
        // Only what the snapshot holds: every entry up to `upto_seq` was in the document it was
        // encoded from.
        sqlx::query("DELETE FROM canvas_updates WHERE canvas_id = $1 AND seq <= $2")
            .bind(id.as_str())
            .bind(upto_seq)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// The first key of the canvases' compaction locks (the second is the canvas id's hash); an
/// arbitrary constant ("cmpc" in ASCII).
pub const COMPACTION_LOCKS: i32 = 0x636d_7063;

/// The channel on which a commit to a canvas's log is announced to the other server processes.
pub const COMMIT_CHANNEL: &str = "doorbraak_commits";

/// What the commit announces: the canvas and the last position it wrote, never content (and far
/// below PostgreSQL's 8,000-byte limit on a notification).
fn commit_notice(canvas: &CanvasId, upto: i64) -> String {
    format!("{canvas} {upto}")
}

/// The canvas and position of a notice on [`COMMIT_CHANNEL`]; `None` for anything else.
pub fn parse_commit_notice(notice: &str) -> Option<(CanvasId, i64)> {
    let (canvas, upto) = notice.split_once(' ')?;
    Some((canvas.parse().ok()?, upto.parse().ok()?))
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
fn access_facts(row: &PgRow) -> Result<Option<policy::Canvas>, sqlx::Error> {
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
