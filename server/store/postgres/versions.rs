//! Canvas versions on PostgreSQL. An escalation's version holds no copy of its own: its snapshot
//! is the escalation's (`canvas_versions.escalation_id`).

use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::{Postgres, Source};
use crate::{
    canvas::CanvasId,
    ids::VersionId,
    store::{
        StoreError,
        versions::{NewVersion, VersionKind, VersionRow, Versions},
    },
};

const VERSION_QUERY: &str = "SELECT v.id, v.kind, v.name, v.created_at, v.meeting_id, \
     COALESCE(NULLIF(a.name, ''), a.email, '') AS created_by_name \
     FROM canvas_versions v LEFT JOIN accounts a ON a.id = v.created_by";

fn version(row: &PgRow) -> Result<VersionRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(VersionRow {
        id: row.try_get("id")?,
        kind: VersionKind::from_code(&kind)
            .ok_or_else(|| sqlx::Error::Decode(format!("version kind {kind}").into()))?,
        name: row.try_get("name")?,
        created_at: row.try_get("created_at")?,
        created_by: row.try_get("created_by_name")?,
        meeting: row.try_get("meeting_id")?,
    })
}

#[async_trait]
impl<S: Source> Versions for Postgres<S> {
    async fn save_version(&self, v: &NewVersion) -> Result<VersionId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO canvas_versions (canvas_id, kind, name, snapshot, meeting_id, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(v.canvas.as_str())
        .bind(v.kind.code())
        .bind(&v.name)
        .bind(&v.snapshot)
        .bind(v.meeting)
        .bind(v.by)
        .bind(v.at)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(VersionId(id))
    }

    async fn versions(&self, canvas: &CanvasId) -> Result<Vec<VersionRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{VERSION_QUERY} WHERE v.canvas_id = $1 ORDER BY v.created_at, v.id"
        ))
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(version).collect::<Result<_, _>>()?)
    }

    async fn delete_versions_but_escalations(&self, canvas: &CanvasId) -> Result<u64, StoreError> {
        Ok(
            sqlx::query(
                "DELETE FROM canvas_versions WHERE canvas_id = $1 AND kind <> 'opschaling'",
            )
            .bind(canvas.as_str())
            .execute(&mut *self.conn().await?)
            .await?
            .rows_affected(),
        )
    }

    async fn version_snapshot(
        &self,
        canvas: &CanvasId,
        id: VersionId,
    ) -> Result<Option<(VersionRow, Vec<u8>)>, StoreError> {
        // PostgreSQL wants a name for every subquery in FROM, and CROSS JOIN for a join without
        // ON (SQLite's bare JOIN); `$2` is the id both halves use (SQLite binds it twice).
        let row = sqlx::query(&format!(
            "SELECT * FROM ({VERSION_QUERY} WHERE v.canvas_id = $1 AND v.id = $2) AS found \
             CROSS JOIN \
             (SELECT COALESCE(v.snapshot, e.snapshot) AS frozen FROM canvas_versions v \
              LEFT JOIN escalations e ON e.id = v.escalation_id WHERE v.id = $2) AS frozen_copy"
        ))
        .bind(canvas.as_str())
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row
            .map(|row| Ok::<_, sqlx::Error>((version(&row)?, row.try_get("frozen")?)))
            .transpose()?)
    }

    async fn replace_version_snapshot(
        &self,
        canvas: &CanvasId,
        id: VersionId,
        was: &[u8],
        snapshot: &[u8],
    ) -> Result<bool, StoreError> {
        // Each UPDATE is a compare-and-set in one statement (a concurrent writer
        // of the row is waited for and its result compared with `was`), as on SQLite, where the
        // two statements do not run in one transaction either.
        let mut conn = self.conn().await?;
        let own = sqlx::query(
            "UPDATE canvas_versions SET snapshot = $1 WHERE id = $2 AND canvas_id = $3 \
             AND snapshot = $4",
        )
        .bind(snapshot)
        .bind(id)
        .bind(canvas.as_str())
        .bind(was)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        if own == 1 {
            return Ok(true);
        }
        let escalation = sqlx::query(
            "UPDATE escalations SET snapshot = $1 WHERE snapshot = $2 AND canvas_id = $3 AND id = \
             (SELECT escalation_id FROM canvas_versions WHERE id = $4 AND canvas_id = $3 \
              AND snapshot IS NULL)",
        )
        .bind(snapshot)
        .bind(was)
        .bind(canvas.as_str())
        .bind(id)
        .execute(&mut *conn)
        .await?
        .rows_affected();
        Ok(escalation == 1)
    }
}
