//! The lerend-evalueren facts on SQLite.

use async_trait::async_trait;
use sqlx::Row;

use super::{Source, Sqlite, query::codes, workflow::rendement_of};
use crate::{
    ids::TeamId,
    store::{
        StoreError,
        evaluation::{BookingFact, ClosingRow, EscalationFact, Evaluation, EvaluationRows},
    },
};

/// `?, ?, ?` for `n` placeholders (at least one, so that an empty list matches nothing).
fn placeholders(n: usize) -> String {
    vec!["?"; n.max(1)].join(", ")
}

#[async_trait]
impl<S: Source> Evaluation for Sqlite<S> {
    async fn evaluation_rows(
        &self,
        teams: &[TeamId],
        from: i64,
        until: i64,
    ) -> Result<EvaluationRows, StoreError> {
        let mut conn = self.conn().await?;
        let teams_in = placeholders(teams.len());
        let ids: Vec<i64> = if teams.is_empty() {
            vec![-1]
        } else {
            teams.iter().map(|t| t.0).collect()
        };

        let sql = format!(
            "SELECT status FROM canvases WHERE team_id IN ({teams_in}) \
             AND created_at >= ? AND created_at < ?"
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        let started = q.bind(from).bind(until).fetch_all(&mut *conn).await?;

        // The last closing of each canvas in the period, with its leeropbrengst. CROSS JOIN keeps
        // SQLite's join order: the period's closings (by index) first, then their canvases;
        // the other way round it scanned the period once per canvas.
        let sql = format!(
            "SELECT s.to_status, s.changed_at, l.bottleneck_kind, l.regulation_id, \
             l.learning_order, l.rendement_current, l.rendement_inaction, l.rendement_solution, \
             l.rendement_net, l.payback_kind, l.payback_months, \
             (SELECT group_concat(x.kind || ':' || x.code) FROM learning_tags x \
              WHERE x.canvas_id = s.canvas_id) AS tags \
             FROM status_changes s CROSS JOIN canvases c ON c.id = s.canvas_id \
             LEFT JOIN learning_outcomes l ON l.canvas_id = s.canvas_id \
             WHERE c.team_id IN ({teams_in}) \
             AND s.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
             AND s.changed_at >= ? AND s.changed_at < ? \
             AND NOT EXISTS (SELECT 1 FROM status_changes later INDEXED BY status_changes_closings \
               WHERE later.canvas_id = s.canvas_id \
               AND later.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
               AND later.changed_at < ? AND (later.changed_at > s.changed_at \
               OR (later.changed_at = s.changed_at AND later.id > s.id)))"
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        let rows = q
            .bind(from)
            .bind(until)
            .bind(until)
            .fetch_all(&mut *conn)
            .await?;
        let mut closings = Vec::with_capacity(rows.len());
        for row in &rows {
            let order: Option<i64> = row.try_get("learning_order")?;
            let rendement = order.map(|_| rendement_of(row)).transpose()?;
            let tags: Option<String> = row.try_get("tags")?;
            closings.push(ClosingRow {
                outcome: row.try_get("to_status")?,
                closed_at: row.try_get("changed_at")?,
                tags: tags
                    .unwrap_or_default()
                    .split(',')
                    .filter_map(|t| t.split_once(':'))
                    .map(|(k, c)| (k.to_owned(), c.to_owned()))
                    .collect(),
                bottleneck: row.try_get("bottleneck_kind")?,
                regulation: row.try_get("regulation_id")?,
                order,
                rendement,
            });
        }

        let sql = format!(
            "SELECT e.to_level, e.outcome, e.escalated_at, e.answered_at FROM escalations e \
             JOIN canvases c ON c.id = e.canvas_id WHERE c.team_id IN ({teams_in}) \
             AND e.escalated_at >= ? AND e.escalated_at < ?"
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        let rows = q.bind(from).bind(until).fetch_all(&mut *conn).await?;
        let escalations = rows
            .iter()
            .map(|row| {
                Ok(EscalationFact {
                    to_level: row.try_get("to_level")?,
                    outcome: row.try_get("outcome")?,
                    escalated_at: row.try_get("escalated_at")?,
                    answered_at: row.try_get("answered_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok(EvaluationRows {
            started,
            closings,
            escalations,
        })
    }

    async fn budget_facts(
        &self,
        teams: &[TeamId],
        years: &[i32],
    ) -> Result<(Vec<(i32, i64)>, Vec<BookingFact>), StoreError> {
        let mut conn = self.conn().await?;
        let teams_in = placeholders(teams.len());
        let years_in = placeholders(years.len());
        let ids: Vec<i64> = if teams.is_empty() {
            vec![-1]
        } else {
            teams.iter().map(|t| t.0).collect()
        };
        let sql = format!(
            "SELECT year, SUM(amount_cents) FROM team_budgets WHERE team_id IN ({teams_in}) \
             AND year IN ({years_in}) GROUP BY year ORDER BY year"
        );
        let mut q = sqlx::query_as::<_, (i32, i64)>(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        for y in years {
            q = q.bind(y);
        }
        let budgets = q.fetch_all(&mut *conn).await?;
        let sql = format!(
            "SELECT b.year, b.kind, b.amount_cents, c.life_areas, \
             (SELECT s.to_status FROM status_changes s WHERE s.canvas_id = b.canvas_id AND \
              s.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
              ORDER BY s.changed_at DESC, s.id DESC LIMIT 1) AS closed_as \
             FROM budget_entries b JOIN canvases c ON c.id = b.canvas_id \
             WHERE b.team_id IN ({teams_in}) AND b.year IN ({years_in})"
        );
        let mut q = sqlx::query(&sql);
        for id in &ids {
            q = q.bind(id);
        }
        for y in years {
            q = q.bind(y);
        }
        let rows = q.fetch_all(&mut *conn).await?;
        let bookings = rows
            .iter()
            .map(|row| {
                Ok(BookingFact {
                    year: row.try_get("year")?,
                    kind: row.try_get("kind")?,
                    cents: row.try_get("amount_cents")?,
                    life_areas: codes(row, "life_areas")?,
                    without_breakthrough: row.try_get::<Option<String>, _>("closed_as")?.as_deref()
                        == Some("afgesloten_zonder_doorbraak"),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?;
        Ok((budgets, bookings))
    }
}
