//! The append-only audit log on SQLite.

use async_trait::async_trait;
use sqlx::Row;

use super::{Source, Sqlite};
use crate::ids::TeamId;
use crate::store::{
    StoreError,
    audit_log::{AuditEntry, AuditLog, AuditRow},
    now_millis,
};

#[async_trait]
impl<S: Source> AuditLog for Sqlite<S> {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, account_id, team_id, canvas_id, event, detail) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(now_millis())
        .bind(entry.account_id)
        .bind(entry.team_id)
        .bind(entry.canvas_id.as_deref())
        .bind(entry.event)
        .bind(&entry.detail)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }

    async fn audit_entries(
        &self,
        teams: Option<&[TeamId]>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let filter = match teams {
            None => String::new(),
            Some([]) => "WHERE 0".to_owned(),
            // Team ids are integers from our own database, so they are safe to inline.
            Some(teams) => format!(
                "WHERE l.team_id IN ({})",
                teams
                    .iter()
                    .map(|team| team.0.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        let rows = sqlx::query(&format!(
            "SELECT l.id, l.at, a.email AS account, t.name AS team, l.canvas_id, l.event, \
             l.detail FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id \
             LEFT JOIN teams t ON t.id = l.team_id {filter} ORDER BY l.id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(AuditRow {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    account: row.try_get("account")?,
                    team: row.try_get("team")?,
                    canvas_id: row.try_get("canvas_id")?,
                    event: row.try_get("event")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }
}
