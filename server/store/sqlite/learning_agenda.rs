//! The leeragenda on SQLite.

use async_trait::async_trait;
use sqlx::{Connection, Row, sqlite::SqliteRow};

use super::{Source, Sqlite};
use crate::{
    ids::TeamId,
    store::{
        StoreError,
        learning_agenda::{AgendaPointRow, LearningAgenda, NewAgendaPoint},
    },
};

const POINT_QUERY: &str = "SELECT p.id, p.team_id, p.kind, p.text, p.due_date, p.status, \
     COALESCE(NULLIF(a.name, ''), a.email) AS owner, \
     (SELECT group_concat(c.id || char(31) || c.label, char(30)) FROM learning_agenda_canvases x \
      JOIN canvases c ON c.id = x.canvas_id WHERE x.item_id = p.id) AS canvases \
     FROM learning_agenda p JOIN accounts a ON a.id = p.owner_id";

fn point(row: &SqliteRow) -> Result<AgendaPointRow, sqlx::Error> {
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
impl<S: Source> LearningAgenda for Sqlite<S> {
    async fn add_agenda_point(&self, p: &NewAgendaPoint) -> Result<i64, StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO learning_agenda (team_id, kind, text, owner_id, due_date, created_by, \
             created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
            sqlx::query(
                "INSERT OR IGNORE INTO learning_agenda_canvases (item_id, canvas_id) VALUES (?, ?)",
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
        let rows = sqlx::query(&format!(
            "{POINT_QUERY} WHERE p.team_id = ? ORDER BY p.status = 'klaar', p.due_date, p.id"
        ))
        .bind(team)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(point).collect::<Result<_, _>>()?)
    }

    async fn agenda_point(&self, id: i64) -> Result<Option<AgendaPointRow>, StoreError> {
        let row = sqlx::query(&format!("{POINT_QUERY} WHERE p.id = ?"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.as_ref().map(point).transpose()?)
    }

    async fn set_agenda_status(&self, id: i64, status: &str, at: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE learning_agenda SET status = ?1, \
             done_at = CASE WHEN ?1 = 'klaar' THEN ?2 ELSE NULL END WHERE id = ?3",
        )
        .bind(status)
        .bind(at)
        .bind(id)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(done.rows_affected() > 0)
    }
}
