//! The append-only audit log on PostgreSQL.

use async_trait::async_trait;
use sqlx::Row;

use super::{Postgres, Source};
use crate::ids::TeamId;
use crate::store::{
    StoreError,
    audit_log::{AuditEntry, AuditLog, AuditRow},
    now_millis,
};

#[async_trait]
impl<S: Source> AuditLog for Postgres<S> {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, account_id, team_id, canvas_id, event, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
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
        // The teams as one array bound to `= ANY($2)` instead of SQLite's inlined `IN (...)`
        // list; an empty array matches no row, as SQLite's `WHERE 0`.
        let teams: Option<Vec<i64>> = teams.map(|teams| teams.iter().map(|team| team.0).collect());
        let filter = if teams.is_some() {
            "WHERE l.team_id = ANY($2)"
        } else {
            ""
        };
        // SQLite reads a negative LIMIT as no limit, PostgreSQL refuses one: LIMIT NULL is none.
        let limit = (limit >= 0).then_some(limit);
        let sql = format!(
            "SELECT l.id, l.at, a.email AS account, t.name AS team, l.canvas_id, l.event, \
             l.detail FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id \
             LEFT JOIN teams t ON t.id = l.team_id {filter} ORDER BY l.id DESC LIMIT $1"
        );
        let mut query = sqlx::query(&sql).bind(limit);
        if let Some(teams) = teams {
            query = query.bind(teams);
        }
        let rows = query.fetch_all(&mut *self.conn().await?).await?;
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
