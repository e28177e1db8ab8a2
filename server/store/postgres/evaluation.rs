//! The lerend-evalueren facts on PostgreSQL.
//!
//! The lists of teams and years are one array each (`= ANY($n)`) instead of SQLite's
//! `IN (?, ?, …)` of as many placeholders: an empty array matches nothing, as SQLite's list of
//! one placeholder for no team (`-1`) or no year (left unbound, so NULL) does, so SQLite's
//! `placeholders` helper has no twin here.

use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::{Postgres, Source, query::codes, workflow::rendement_of};
use crate::{
    ids::TeamId,
    store::{
        StoreError,
        evaluation::{BookingFact, ClosingRow, EscalationFact, Evaluation, EvaluationRows},
    },
};

/// A year (BIGINT here, as every SQLite INTEGER) as the `i32` the interface uses.
fn year_of(year: i64) -> Result<i32, sqlx::Error> {
    i32::try_from(year).map_err(|e| sqlx::Error::Decode(e.into()))
}

#[async_trait]
impl<S: Source> Evaluation for Postgres<S> {
    async fn evaluation_rows(
        &self,
        teams: &[TeamId],
        from: i64,
        until: i64,
    ) -> Result<EvaluationRows, StoreError> {
        let mut conn = self.conn().await?;
        let ids: Vec<i64> = teams.iter().map(|t| t.0).collect();

        let started: Vec<String> = sqlx::query_scalar(
            "SELECT status FROM canvases WHERE team_id = ANY($1) \
             AND created_at >= $2 AND created_at < $3",
        )
        .bind(&ids)
        .bind(from)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;

        // The last closing of each canvas in the period, with its leeropbrengst. SQLite needs
        // CROSS JOIN (its join order: the period's closings first, then their canvases) and
        // INDEXED BY status_changes_closings as planner hints; PostgreSQL has neither and plans
        // the same inner join and NOT EXISTS by itself, with the same rows as result.
        // string_agg is group_concat; SQLite concatenates the tags in the order of their key
        // (canvas_id, kind, code), made explicit here in bytes (COLLATE "C") as SQLite compares.
        let rows = sqlx::query(
            "SELECT s.to_status, s.changed_at, l.bottleneck_kind, l.regulation_id, \
             l.learning_order, l.rendement_current, l.rendement_inaction, l.rendement_solution, \
             l.rendement_net, l.payback_kind, l.payback_months, \
             (SELECT string_agg(x.kind || ':' || x.code, ',' \
                ORDER BY x.kind COLLATE \"C\", x.code COLLATE \"C\") FROM learning_tags x \
              WHERE x.canvas_id = s.canvas_id) AS tags \
             FROM status_changes s JOIN canvases c ON c.id = s.canvas_id \
             LEFT JOIN learning_outcomes l ON l.canvas_id = s.canvas_id \
             WHERE c.team_id = ANY($1) \
             AND s.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
             AND s.changed_at >= $2 AND s.changed_at < $3 \
             AND NOT EXISTS (SELECT 1 FROM status_changes later \
               WHERE later.canvas_id = s.canvas_id \
               AND later.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
               AND later.changed_at < $3 AND (later.changed_at > s.changed_at \
               OR (later.changed_at = s.changed_at AND later.id > s.id)))",
        )
        .bind(&ids)
        .bind(from)
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

        let rows = sqlx::query(
            "SELECT e.to_level, e.outcome, e.escalated_at, e.answered_at FROM escalations e \
             JOIN canvases c ON c.id = e.canvas_id WHERE c.team_id = ANY($1) \
             AND e.escalated_at >= $2 AND e.escalated_at < $3",
        )
        .bind(&ids)
        .bind(from)
        .bind(until)
        .fetch_all(&mut *conn)
        .await?;
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
        let ids: Vec<i64> = teams.iter().map(|t| t.0).collect();
        // year is a BIGINT column: the array binds as bigint[].
        let years: Vec<i64> = years.iter().map(|&y| i64::from(y)).collect();
        // SUM of a BIGINT is NUMERIC on PostgreSQL: cast back.
        let budgets: Vec<(i32, i64)> = sqlx::query_as::<_, (i64, i64)>(
            "SELECT year, SUM(amount_cents)::BIGINT FROM team_budgets WHERE team_id = ANY($1) \
             AND year = ANY($2) GROUP BY year ORDER BY year",
        )
        .bind(&ids)
        .bind(&years)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|(year, cents)| Ok((year_of(year)?, cents)))
        .collect::<Result<_, sqlx::Error>>()?;
        let rows = sqlx::query(
            "SELECT b.year, b.kind, b.amount_cents, c.life_areas, \
             (SELECT s.to_status FROM status_changes s WHERE s.canvas_id = b.canvas_id AND \
              s.to_status IN ('doorbraak_gerealiseerd', 'afgesloten_zonder_doorbraak') \
              ORDER BY s.changed_at DESC, s.id DESC LIMIT 1) AS closed_as \
             FROM budget_entries b JOIN canvases c ON c.id = b.canvas_id \
             WHERE b.team_id = ANY($1) AND b.year = ANY($2)",
        )
        .bind(&ids)
        .bind(&years)
        .fetch_all(&mut *conn)
        .await?;
        let bookings = rows
            .iter()
            .map(|row: &PgRow| {
                Ok(BookingFact {
                    year: year_of(row.try_get("year")?)?,
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
