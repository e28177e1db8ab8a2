//! The leeragenda on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Connection, Row, postgres::PgRow};

use super::{Postgres, Source};
use crate::{
    ids::TeamId,
    store::{
        StoreError,
        learning_agenda::{AgendaPointRow, LearningAgenda, NewAgendaPoint},
    },
};

/// SQLite's `group_concat(…, char(30))` is `string_agg(…, chr(30))` here. SQLite walks the
/// links by their primary key (item, canvas), so the canvases come in the byte order of their
/// ids; PostgreSQL promises no order, so it is asked for inside the aggregate (COLLATE "C").
const POINT_QUERY: &str = "SELECT p.id, p.team_id, p.kind, p.text, p.due_date, p.status, \
     COALESCE(NULLIF(a.name, ''), a.email) AS owner, \
     (SELECT string_agg(c.id || chr(31) || c.label, chr(30) ORDER BY x.canvas_id COLLATE \"C\") \
      FROM learning_agenda_canvases x \
      JOIN canvases c ON c.id = x.canvas_id WHERE x.item_id = p.id) AS canvases \
     FROM learning_agenda p JOIN accounts a ON a.id = p.owner_id";

fn point(row: &PgRow) -> Result<AgendaPointRow, sqlx::Error> {
    let canvases: Option<String> = row.try_get("canvases")?;
    Ok(AgendaPointRow {
        id: row.try_get("id")?,
        team: TeamId(row.try_get("team_id")?),
        kind: row.try_get("kind")?,
        text: row.try_get("text")?,
        owner: row.try_get("owner")?,
        due: row.try_get("due_date")?,
        status: row.try_get("status")?,
        canvases: canvases
            .unwrap_or_default()
            .split('\u{1e}')
            .filter_map(|c| c.split_once('\u{1f}'))
            .map(|(id, label)| (id.to_owned(), label.to_owned()))
            .collect(),
    })
}

#[async_trait]
impl<S: Source> LearningAgenda for Postgres<S> {
    async fn add_agenda_point(&self, p: &NewAgendaPoint) -> Result<i64, StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO learning_agenda (team_id, kind, text, owner_id, due_date, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(p.team)
        .bind(p.kind)
        .bind(&p.text)
        .bind(p.owner)
        .bind(&p.due)
        .bind(p.by)
        .bind(p.at)
        .fetch_one(&mut *tx)
        .await?;
        for canvas in &p.canvases {
            // SQLite's INSERT OR IGNORE: a canvas named twice is linked once.
            sqlx::query(
                "INSERT INTO learning_agenda_canvases (item_id, canvas_id) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(canvas.as_str())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(id)
    }

    async fn agenda_points(&self, team: TeamId) -> Result<Vec<AgendaPointRow>, StoreError> {
        // false sorts before true as 0 before 1; COLLATE "C" keeps SQLite's byte order.
        let rows = sqlx::query(&format!(
            "{POINT_QUERY} WHERE p.team_id = $1 \
             ORDER BY p.status = 'klaar', p.due_date COLLATE \"C\", p.id"
        ))
        .bind(team)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(point).collect::<Result<_, _>>()?)
    }

    async fn agenda_point(&self, id: i64) -> Result<Option<AgendaPointRow>, StoreError> {
        let row = sqlx::query(&format!("{POINT_QUERY} WHERE p.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.as_ref().map(point).transpose()?)
    }

    async fn set_agenda_status(&self, id: i64, status: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE learning_agenda SET status = $1, \
             done_at = CASE WHEN $1 = 'klaar' THEN $2 ELSE NULL END WHERE id = $3",
        )
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
