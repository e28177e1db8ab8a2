//! Retention on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Connection, Row};

use super::{Postgres, Source};
use crate::{
    canvas::CanvasId,
    ids::TeamId,
    store::{
        StoreError,
        retention::{ClosedCanvas, Retention},
    },
};

/// The label a purged canvas keeps.
pub const PURGED_LABEL: &str = "Verwijderd na de bewaartermijn";

const CLOSED: &str = "('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak')";

#[async_trait]
impl<S: Source> Retention for Postgres<S> {
    async fn closed_unarchived(&self) -> Result<Vec<ClosedCanvas>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT c.id, c.team_id, c.label, \
             (SELECT MAX(s.changed_at) FROM status_changes s WHERE s.canvas_id = c.id \
              AND s.to_status IN {CLOSED}) AS closed_at \
             FROM canvases c WHERE c.status IN {CLOSED} AND c.purged_at IS NULL \
             AND c.team_id IS NOT NULL"
        ))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            let id: String = row.try_get("id")?;
            let (Ok(canvas), Some(closed_at)) = (
                id.parse::<CanvasId>(),
                row.try_get::<Option<i64>, _>("closed_at")?,
            ) else {
                continue;
            };
            out.push(ClosedCanvas {
                canvas,
                team: TeamId(row.try_get("team_id")?),
                label: row.try_get("label")?,
                closed_at,
            });
        }
        Ok(out)
    }

    async fn record_retention_warning(
        &self,
        canvas: &CanvasId,
        days_before: i64,
        at: i64,
    ) -> Result<bool, StoreError> {
        // SQLite's INSERT OR IGNORE; one atomic statement (of two at the same moment exactly one
        // inserts).
        let done = sqlx::query(
            "INSERT INTO retention_warnings (canvas_id, days_before, sent_at) \
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING",
        )
        .bind(canvas.as_str())
        .bind(days_before)
        .bind(at)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn purge_canvas(&self, canvas: &CanvasId, at: i64) -> Result<bool, StoreError> {
        let id = canvas.as_str();
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // On SQLite nothing is written between the purge's deletes and its commit (one writer
        // at a time); here a comment added meanwhile by another connection could survive the
        // purge. The canvas's closing lock waits for the comments in progress and keeps new
        // ones out until the purge commits (they then find it purged); its compaction lock waits
        // for a compaction in progress, whose snapshot the purge then deletes too.
        super::locks::closing_canvas(&mut tx, canvas).await?;
        super::locks::compaction(&mut tx, canvas).await?;
        let marked = sqlx::query(&format!(
            "UPDATE canvases SET purged_at = $1, label = $2 WHERE id = $3 AND status IN {CLOSED} \
             AND purged_at IS NULL"
        ))
        .bind(at)
        .bind(PURGED_LABEL)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if marked != 1 {
            return Ok(false);
        }
        for sql in [
            "DELETE FROM canvas_updates WHERE canvas_id = $1",
            "DELETE FROM canvas_snapshots WHERE canvas_id = $1",
            "DELETE FROM canvas_versions WHERE canvas_id = $1",
            "DELETE FROM comments WHERE canvas_id = $1",
            // SQLite's empty blob x'' is an empty BYTEA here.
            "UPDATE escalations SET question = '', answer = CASE WHEN answer IS NULL THEN NULL \
             ELSE '' END, snapshot = ''::BYTEA WHERE canvas_id = $1",
            "UPDATE status_changes SET note = '' WHERE canvas_id = $1",
            "UPDATE learning_outcomes SET bottleneck_text = CASE WHEN bottleneck_kind = 'regeling' \
             AND regulation_id IS NULL THEN '-' ELSE '' END, order_note = '', budget_why = '', \
             household_effect = '' WHERE canvas_id = $1",
        ] {
            sqlx::query(sql).bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}
