//! The workflow facts on PostgreSQL.
//!
//! Transactions start with the write that guards them (an `UPDATE ... WHERE` on what is expected),
//! so they take SQLite's write lock first and never read a state another writer is changing. On
//! PostgreSQL that first `UPDATE` takes the row lock of what it guards instead: a second writer of
//! the same row waits for the first to commit and then evaluates its `WHERE` again on the row as
//! the first left it (READ COMMITTED), so the compare-and-set holds. The methods that check one
//! table and write another (`add_entry`) or replace a row by deleting and inserting it
//! (`save_learning`) take a row lock first ([`super::locks`]).

use async_trait::async_trait;
use sqlx::{Connection, Postgres as Db, Row, Transaction, postgres::PgRow};

use super::{
    Postgres, Source, locks,
    query::{codes, flag},
};
use crate::canvas::rendement::Payback;
use crate::ids::{AccountId, EntryId, EscalationId, TeamId};
use crate::store::{
    StoreError, now_millis,
    workflow::{
        EntryOutcome, EscalationAnswer, EscalationRow, LedgerRow, NewEscalation, NewLedgerEntry,
        NotificationRow, OpenEscalationRow, StatusChangeRow, Workflow,
    },
};
use crate::{
    access::policy::EscalationLevel,
    canvas::CanvasId,
    canvas::status::CanvasStatus,
    workflow::ladder::Outcome,
    workflow::learning::{Bottleneck, Learning, Rendement},
    workflow::ledger::Kind,
};

/// Orders the level codes of a column in SQL, for "the highest level reached".
fn rank(column: &str) -> String {
    format!(
        "(CASE {column} WHEN 'team' THEN 0 WHEN 'directie' THEN 1 WHEN 'coach' THEN 2 ELSE 3 END)"
    )
}

const ESCALATION_COLUMNS: &str = "e.id, e.canvas_id, e.from_level, e.to_level, e.question, \
     e.escalated_at, e.picked_up_at, e.answer, e.answered_at, e.outcome, \
     eb.name AS escalated_by, pb.name AS picked_up_by, ab.name AS answered_by";

const ESCALATION_JOINS: &str = "JOIN accounts eb ON eb.id = e.escalated_by \
     LEFT JOIN accounts pb ON pb.id = e.picked_up_by \
     LEFT JOIN accounts ab ON ab.id = e.answered_by";

fn decode_error(what: &str) -> sqlx::Error {
    sqlx::Error::Decode(what.to_owned().into())
}

/// A year column (BIGINT here, as every SQLite INTEGER) as the `i32` the interfaces use.
fn year_of(row: &PgRow, column: &str) -> Result<i32, sqlx::Error> {
    i32::try_from(row.try_get::<i64, _>(column)?).map_err(|e| sqlx::Error::Decode(e.into()))
}

fn level(row: &PgRow, column: &str) -> Result<EscalationLevel, sqlx::Error> {
    let code: String = row.try_get(column)?;
    EscalationLevel::from_code(&code).ok_or_else(|| decode_error("escalation level"))
}

fn escalation(row: &PgRow) -> Result<EscalationRow, sqlx::Error> {
    let outcome: Option<String> = row.try_get("outcome")?;
    Ok(EscalationRow {
        id: row.try_get("id")?,
        canvas_id: row.try_get("canvas_id")?,
        from_level: level(row, "from_level")?,
        to_level: level(row, "to_level")?,
        question: row.try_get("question")?,
        escalated_by: row.try_get("escalated_by")?,
        escalated_at: row.try_get("escalated_at")?,
        picked_up_by: row.try_get("picked_up_by")?,
        picked_up_at: row.try_get("picked_up_at")?,
        answer: row.try_get("answer")?,
        answered_by: row.try_get("answered_by")?,
        answered_at: row.try_get("answered_at")?,
        outcome: outcome.as_deref().and_then(Outcome::from_code),
    })
}

fn ledger_row(row: &PgRow) -> Result<LedgerRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    Ok(LedgerRow {
        id: row.try_get("id")?,
        canvas_id: row.try_get("canvas_id")?,
        canvas_label: row.try_get("canvas_label")?,
        year: year_of(row, "year")?,
        kind: Kind::from_code(&kind).ok_or_else(|| decode_error("entry kind"))?,
        amount_cents: row.try_get("amount_cents")?,
        purpose: row.try_get("purpose")?,
        why_not_regular: row.try_get("why_not_regular")?,
        approved_by: row.try_get("approved_by")?,
        entry_date: row.try_get("entry_date")?,
        corrects: row.try_get("corrects")?,
        // A 0/1 BIGINT here: SQLite decodes its INTEGER as a bool, PostgreSQL does not.
        over_budget_confirmed: flag(row, "over_budget_confirmed")?,
        recorded_by: row.try_get("recorded_by")?,
        recorded_at: row.try_get("recorded_at")?,
    })
}

/// SQLite's `b.*` named two columns `recorded_by` (the entry's account id and the joined
/// e-mail) and the row read the last; here the entry's columns are listed without its
/// `recorded_by`, so that the name means the e-mail alone.
const LEDGER_QUERY: &str = "SELECT b.id, b.team_id, b.year, b.canvas_id, b.kind, b.amount_cents, \
     b.purpose, b.why_not_regular, b.approved_by, b.entry_date, b.corrects, \
     b.over_budget_confirmed, b.recorded_at, c.label AS canvas_label, a.email AS recorded_by FROM \
     budget_entries b JOIN canvases c ON c.id = b.canvas_id JOIN accounts a ON a.id = b.recorded_by";

/// Records a status change inside a transaction.
async fn record_status(
    tx: &mut Transaction<'_, Db>,
    canvas: &CanvasId,
    (from, to): (CanvasStatus, CanvasStatus),
    by: AccountId,
    note: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO status_changes (canvas_id, from_status, to_status, changed_by, changed_at, \
         note) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(canvas.as_str())
    .bind(from.code())
    .bind(to.code())
    .bind(by)
    .bind(at)
    .bind(note)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts an escalation step and puts the canvas on its level, inside a transaction.
async fn insert_step(
    tx: &mut Transaction<'_, Db>,
    step: &NewEscalation,
) -> Result<EscalationId, sqlx::Error> {
    sqlx::query(&format!(
        "UPDATE canvases SET escalation_level = $1, highest_level = CASE WHEN {} < {} THEN $1 \
         ELSE highest_level END WHERE id = $2",
        rank("highest_level"),
        rank("$1")
    ))
    .bind(step.to_level.code())
    .bind(step.canvas.as_str())
    .execute(&mut **tx)
    .await?;
    // RETURNING id: PostgreSQL has no last_insert_rowid().
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO escalations (canvas_id, from_level, to_level, question, escalated_by, \
         escalated_at, snapshot) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(step.canvas.as_str())
    .bind(step.from_level.code())
    .bind(step.to_level.code())
    .bind(&step.question)
    .bind(step.by)
    .bind(step.at)
    .bind(&step.snapshot)
    .fetch_one(&mut **tx)
    .await?;
    Ok(EscalationId(id))
}

/// Why [`Workflow::add_entry`] refused an entry, for the message (nothing was written).
async fn refusal(
    tx: &mut Transaction<'_, Db>,
    entry: &NewLedgerEntry,
) -> Result<EntryOutcome, StoreError> {
    let status: Option<String> = sqlx::query_scalar("SELECT status FROM canvases WHERE id = $1")
        .bind(entry.canvas.as_str())
        .fetch_optional(&mut **tx)
        .await?;
    if status.as_deref() == Some(CanvasStatus::Gearchiveerd.code()) {
        return Ok(EntryOutcome::Archived);
    }
    if let Some(original) = entry.corrects {
        let left = sqlx::query(
            "SELECT o.amount_cents + COALESCE((SELECT SUM(c.amount_cents) FROM budget_entries \
             c WHERE c.corrects = o.id), 0)::BIGINT AS left FROM budget_entries o WHERE o.id = $1 \
             AND o.canvas_id = $2 AND o.corrects IS NULL AND o.kind = $3 AND o.year = $4",
        )
        .bind(original)
        .bind(entry.canvas.as_str())
        .bind(entry.kind.code())
        .bind(i64::from(entry.year))
        .fetch_optional(&mut **tx)
        .await?;
        return Ok(match left {
            Some(row) => EntryOutcome::OverCorrection(row.try_get("left")?),
            None => EntryOutcome::NoSuchEntry,
        });
    }
    // The budget read here, on the transaction, rather than through `Workflow::budget`: that
    // would ask the source for a second connection while this one is held.
    let budget: Option<i64> = sqlx::query_scalar(
        "SELECT amount_cents FROM team_budgets WHERE team_id = $1 AND year = $2",
    )
    .bind(entry.team)
    .bind(i64::from(entry.year))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(budget) = budget else {
        return Ok(EntryOutcome::NoBudget);
    };
    let used: i64 = sqlx::query(
        "SELECT COALESCE(SUM(amount_cents), 0)::BIGINT AS used FROM budget_entries \
         WHERE team_id = $1 AND year = $2",
    )
    .bind(entry.team)
    .bind(i64::from(entry.year))
    .fetch_one(&mut **tx)
    .await?
    .try_get("used")?;
    Ok(EntryOutcome::OverBudget(budget - used))
}

#[async_trait]
impl<S: Source> Workflow for Postgres<S> {
    async fn canvas_status(&self, canvas: &CanvasId) -> Result<Option<CanvasStatus>, StoreError> {
        let row = sqlx::query("SELECT status FROM canvases WHERE id = $1")
            .bind(canvas.as_str())
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let code: String = row.try_get("status")?;
        code.parse()
            .map(Some)
            .map_err(|_| StoreError::Inconsistent("canvas status"))
    }

    async fn change_status(
        &self,
        canvas: &CanvasId,
        from: CanvasStatus,
        to: CanvasStatus,
        by: AccountId,
        note: &str,
        at: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // Archiving removes the comments it finds and refuses what comes after: it waits for
        // the additions in progress first (see `locks::adding_to_canvas`).
        if to == CanvasStatus::Gearchiveerd {
            locks::closing_canvas(&mut tx, canvas).await?;
        }
        // A compare-and-set in one UPDATE: atomic on PostgreSQL too (a concurrent change of the
        // same canvas waits for its row lock and then finds the status no longer `from`).
        let changed = sqlx::query("UPDATE canvases SET status = $1 WHERE id = $2 AND status = $3")
            .bind(to.code())
            .bind(canvas.as_str())
            .bind(from.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed != 1 {
            return Ok(false);
        }
        record_status(&mut tx, canvas, (from, to), by, note, at).await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn status_history(&self, canvas: &CanvasId) -> Result<Vec<StatusChangeRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT s.from_status, s.to_status, s.changed_at, s.note, a.name, a.email FROM \
             status_changes s LEFT JOIN accounts a ON a.id = s.changed_by WHERE s.canvas_id = $1 \
             ORDER BY s.id",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                let name: Option<String> = row.try_get("name")?;
                let email: Option<String> = row.try_get("email")?;
                Ok(StatusChangeRow {
                    from: row.try_get("from_status")?,
                    to: row.try_get("to_status")?,
                    by: name.filter(|n| !n.is_empty()).or(email),
                    at: row.try_get("changed_at")?,
                    note: row.try_get("note")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn escalate(&self, step: &NewEscalation) -> Result<Option<EscalationId>, StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // The guarding UPDATE locks the canvas row until the commit; everything after it writes
        // that row or rows of it (see the module's comment).
        let guarded = sqlx::query(
            "UPDATE canvases SET status = 'opgeschaald' WHERE id = $1 AND escalation_level = $2 \
             AND status = 'in_behandeling'",
        )
        .bind(step.canvas.as_str())
        .bind(step.from_level.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if guarded != 1 {
            return Ok(None);
        }
        let id = insert_step(&mut tx, step).await?;
        let note = format!(
            "Opgeschaald naar {}",
            crate::workflow::ladder::level_dutch(step.to_level)
        );
        record_status(
            &mut tx,
            &step.canvas,
            (CanvasStatus::InBehandeling, CanvasStatus::Opgeschaald),
            step.by,
            &note,
            step.at,
        )
        .await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    async fn pick_up(&self, escalation: EscalationId, by: AccountId) -> Result<bool, StoreError> {
        // One compare-and-set UPDATE: atomic on PostgreSQL too.
        let changed = sqlx::query(
            "UPDATE escalations SET picked_up_by = $1, picked_up_at = $2 WHERE id = $3 \
             AND picked_up_by IS NULL AND answered_at IS NULL",
        )
        .bind(by)
        .bind(now_millis())
        .bind(escalation)
        .execute(&mut *self.conn().await?)
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    async fn answer(&self, answer: &EscalationAnswer) -> Result<bool, StoreError> {
        let now = answer.at;
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // The guarding UPDATE locks the escalation row until the commit: a second answer waits
        // and then finds it answered. The canvas's UPDATE after it takes the canvas row's lock
        // and works on its latest state, as SQLite's next writer would.
        let answered = sqlx::query(
            "UPDATE escalations SET answer = $1, answered_by = $2, answered_at = $3, outcome = $4, \
             picked_up_by = COALESCE(picked_up_by, $2), picked_up_at = COALESCE(picked_up_at, $3) \
             WHERE id = $5 AND canvas_id = $6 AND answered_at IS NULL",
        )
        .bind(&answer.answer)
        .bind(answer.by)
        .bind(now)
        .bind(answer.outcome.code())
        .bind(answer.escalation)
        .bind(answer.canvas.as_str())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if answered != 1 {
            return Ok(false);
        }
        match &answer.further {
            Some(step) => {
                insert_step(&mut tx, step).await?;
            }
            None => {
                sqlx::query(
                    "UPDATE canvases SET escalation_level = 'team', status = 'in_behandeling' \
                     WHERE id = $1",
                )
                .bind(answer.canvas.as_str())
                .execute(&mut *tx)
                .await?;
                let note = format!(
                    "Terug bij het team: {}",
                    answer.outcome.dutch().to_lowercase()
                );
                record_status(
                    &mut tx,
                    &answer.canvas,
                    (CanvasStatus::Opgeschaald, CanvasStatus::InBehandeling),
                    answer.by,
                    &note,
                    now,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(true)
    }

    async fn escalations(&self, canvas: &CanvasId) -> Result<Vec<EscalationRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ESCALATION_COLUMNS} FROM escalations e {ESCALATION_JOINS} \
             WHERE e.canvas_id = $1 ORDER BY e.id"
        ))
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(escalation).collect::<Result<_, _>>()?)
    }

    async fn escalation_snapshot(
        &self,
        canvas: &CanvasId,
        id: EscalationId,
    ) -> Result<Option<(EscalationRow, Vec<u8>)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ESCALATION_COLUMNS}, e.snapshot FROM escalations e {ESCALATION_JOINS} \
             WHERE e.canvas_id = $1 AND e.id = $2"
        ))
        .bind(canvas.as_str())
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        Ok(row
            .map(|row| Ok::<_, sqlx::Error>((escalation(&row)?, row.try_get("snapshot")?)))
            .transpose()?)
    }

    async fn open_escalations(&self) -> Result<Vec<OpenEscalationRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ESCALATION_COLUMNS}, c.label, c.life_areas, t.name AS team, \
             g.name AS gemeente, g.province_id FROM escalations e {ESCALATION_JOINS} \
             JOIN canvases c ON c.id = e.canvas_id JOIN teams t ON t.id = c.team_id \
             JOIN gemeenten g ON g.id = t.gemeente_id \
             WHERE e.answered_at IS NULL ORDER BY e.escalated_at, e.id"
        ))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(OpenEscalationRow {
                    escalation: escalation(row)?,
                    label: row.try_get("label")?,
                    team: row.try_get("team")?,
                    gemeente: row.try_get("gemeente")?,
                    province_id: row.try_get("province_id")?,
                    life_areas: codes(row, "life_areas")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn set_budget(
        &self,
        team: TeamId,
        year: i32,
        cents: i64,
        by: AccountId,
        seen: Option<i64>,
    ) -> Result<bool, StoreError> {
        // One statement each, so SQLite's single writer makes the comparison and the write one
        // step: a first budget only while there is none, a change only while it is what was seen.
        // On PostgreSQL each is atomic by itself (the INSERT's conflict on the primary key, the
        // UPDATE's row lock and re-check of its WHERE).
        let done = match seen {
            None => {
                sqlx::query(
                    "INSERT INTO team_budgets (team_id, year, amount_cents, set_by, set_at) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (team_id, year) DO NOTHING",
                )
                .bind(team)
                .bind(i64::from(year))
                .bind(cents)
                .bind(by)
                .bind(now_millis())
                .execute(&mut *self.conn().await?)
                .await?
            }
            Some(seen) => {
                sqlx::query(
                    "UPDATE team_budgets SET amount_cents = $1, set_by = $2, set_at = $3 \
                 WHERE team_id = $4 AND year = $5 AND amount_cents = $6",
                )
                .bind(cents)
                .bind(by)
                .bind(now_millis())
                .bind(team)
                .bind(i64::from(year))
                .bind(seen)
                .execute(&mut *self.conn().await?)
                .await?
            }
        };
        Ok(done.rows_affected() == 1)
    }

    async fn budget(&self, team: TeamId, year: i32) -> Result<Option<i64>, StoreError> {
        let row =
            sqlx::query("SELECT amount_cents FROM team_budgets WHERE team_id = $1 AND year = $2")
                .bind(team)
                .bind(i64::from(year))
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(row.map(|row| row.try_get("amount_cents")).transpose()?)
    }

    async fn budget_years(&self, team: TeamId) -> Result<Vec<i32>, StoreError> {
        let rows = sqlx::query(
            "SELECT year FROM team_budgets WHERE team_id = $1 UNION \
             SELECT year FROM budget_entries WHERE team_id = $1 ORDER BY year DESC",
        )
        .bind(team)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| year_of(row, "year"))
            .collect::<Result<_, _>>()?)
    }

    async fn ledger(&self, team: TeamId, year: i32) -> Result<Vec<LedgerRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{LEDGER_QUERY} WHERE b.team_id = $1 AND b.year = $2 ORDER BY b.id"
        ))
        .bind(team)
        .bind(i64::from(year))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(ledger_row).collect::<Result<_, _>>()?)
    }

    async fn canvas_ledger(&self, canvas: &CanvasId) -> Result<Vec<LedgerRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{LEDGER_QUERY} WHERE b.canvas_id = $1 ORDER BY b.id"
        ))
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(ledger_row).collect::<Result<_, _>>()?)
    }

    async fn save_learning(
        &self,
        canvas: &CanvasId,
        learning: &Learning,
        by: AccountId,
        at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // Replacing is a DELETE and then an INSERT: on SQLite one writer at a time, so the last
        // save wins. On PostgreSQL two saves of a canvas without a leeropbrengst would both
        // delete nothing and the second INSERT would fail on the primary key: the canvas row's
        // lock keeps SQLite's order (the status change that saves it holds that lock already).
        locks::canvas(&mut tx, canvas).await?;
        // The signals and tags go with the row (ON DELETE CASCADE).
        sqlx::query("DELETE FROM learning_outcomes WHERE canvas_id = $1")
            .bind(canvas.as_str())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO learning_outcomes (canvas_id, bottleneck_kind, regulation_id, \
             bottleneck_text, learning_order, order_note, budget_used, budget_why, \
             household_effect, recorded_by, recorded_at, rendement_current, rendement_inaction, \
             rendement_solution, rendement_net, payback_kind, payback_months) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(canvas.as_str())
        .bind(learning.bottleneck.code())
        .bind(learning.regulation.as_deref())
        .bind(&learning.bottleneck_text)
        .bind(learning.order)
        .bind(&learning.order_note)
        // budget_used is a 0/1 BIGINT: PostgreSQL takes no bool for it.
        .bind(i64::from(learning.budget_used))
        .bind(&learning.budget_why)
        .bind(&learning.effect)
        .bind(by)
        .bind(at)
        .bind(learning.rendement.current)
        .bind(learning.rendement.inaction)
        .bind(learning.rendement.solution)
        .bind(learning.rendement.net)
        .bind(payback_code(learning.rendement.payback).0)
        .bind(payback_code(learning.rendement.payback).1)
        .execute(&mut *tx)
        .await?;
        for audience in &learning.signals {
            sqlx::query("INSERT INTO learning_signals (canvas_id, audience) VALUES ($1, $2)")
                .bind(canvas.as_str())
                .bind(audience)
                .execute(&mut *tx)
                .await?;
        }
        for (kind, code) in &learning.tags {
            sqlx::query("INSERT INTO learning_tags (canvas_id, kind, code) VALUES ($1, $2, $3)")
                .bind(canvas.as_str())
                .bind(kind)
                .bind(code)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_archive_scope(
        &self,
        canvas: &CanvasId,
        scope: crate::access::policy::ArchiveScope,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        sqlx::query("UPDATE canvases SET archive_scope = $1 WHERE id = $2")
            .bind(scope.code())
            .bind(canvas.as_str())
            .execute(&mut *conn)
            .await?;
        // The archive's search index holds the scope too.
        sqlx::query("UPDATE archive_entries SET scope = $1 WHERE canvas_id = $2")
            .bind(scope.code())
            .bind(canvas.as_str())
            .execute(&mut *conn)
            .await?;
        Ok(())
    }

    async fn save_overrides(
        &self,
        canvas: &CanvasId,
        digests: &[String],
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        for digest in digests {
            // SQLite's INSERT OR IGNORE: a digest already recorded stays as it is.
            sqlx::query(
                "INSERT INTO anonymity_overrides (canvas_id, digest) VALUES ($1, $2) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(canvas.as_str())
            .bind(digest)
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    async fn overrides(&self, canvas: &CanvasId) -> Result<Vec<String>, StoreError> {
        let mut conn = self.conn().await?;
        // SQLite reads them through its (canvas_id, digest) key, so in the digests' byte order;
        // PostgreSQL promises no order without ORDER BY.
        Ok(sqlx::query_scalar(
            "SELECT digest FROM anonymity_overrides WHERE canvas_id = $1 \
             ORDER BY digest COLLATE \"C\"",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *conn)
        .await?)
    }

    async fn learning(&self, canvas: &CanvasId) -> Result<Option<Learning>, StoreError> {
        let mut conn = self.conn().await?;
        let Some(row) = sqlx::query(
            "SELECT bottleneck_kind, regulation_id, bottleneck_text, learning_order, order_note, \
             budget_used, budget_why, household_effect, rendement_current, rendement_inaction, \
             rendement_solution, rendement_net, payback_kind, payback_months \
             FROM learning_outcomes WHERE canvas_id = $1",
        )
        .bind(canvas.as_str())
        .fetch_optional(&mut *conn)
        .await?
        else {
            return Ok(None);
        };
        let kind: String = row.try_get("bottleneck_kind")?;
        let signals: Vec<String> = sqlx::query_scalar(
            "SELECT audience FROM learning_signals WHERE canvas_id = $1 ORDER BY \
             CASE audience WHEN 'beleid' THEN 0 WHEN 'bestuur' THEN 1 ELSE 2 END",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *conn)
        .await?;
        // COLLATE "C": SQLite's byte order, not the database's collation.
        let tags: Vec<(String, String)> = sqlx::query_as(
            "SELECT kind, code FROM learning_tags WHERE canvas_id = $1 \
             ORDER BY kind COLLATE \"C\", code COLLATE \"C\"",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *conn)
        .await?;
        Ok(Some(Learning {
            bottleneck: Bottleneck::from_code(&kind)
                .ok_or(StoreError::Inconsistent("bottleneck kind"))?,
            regulation: row.try_get("regulation_id")?,
            bottleneck_text: row.try_get("bottleneck_text")?,
            order: row.try_get("learning_order")?,
            order_note: row.try_get("order_note")?,
            signals,
            // A 0/1 BIGINT here.
            budget_used: flag(&row, "budget_used")?,
            budget_why: row.try_get("budget_why")?,
            effect: row.try_get("household_effect")?,
            tags,
            rendement: rendement_of(&row)?,
        }))
    }

    async fn add_entry(&self, entry: &NewLedgerEntry) -> Result<EntryOutcome, StoreError> {
        // One statement: SQLite runs it under the write lock, so the check and the insert cannot
        // be separated by another entry. PostgreSQL runs two such statements side by side, each
        // on a snapshot without the other's entry (READ COMMITTED), so first the locks: the
        // canvas's addition lock (an archiving waits for this booking, or this booking for the
        // archiving and then finds the canvas archived), then the row whose remainder is
        // checked: the year's budget, or the corrected entry. The statement after them sees
        // every booking committed before they were granted.
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        locks::adding_to_canvas(&mut tx, &entry.canvas).await?;
        match entry.corrects {
            Some(original) => locks::ledger_entry(&mut tx, original).await?,
            None => locks::budget(&mut tx, entry.team, i64::from(entry.year)).await?,
        }
        let guard = if entry.corrects.is_some() {
            // A correction: of an uncorrected original on this canvas, of the same kind and year,
            // and never more than what is left of it.
            "EXISTS (SELECT 1 FROM budget_entries o WHERE o.id = $10 AND o.canvas_id = $3 \
               AND o.corrects IS NULL AND o.kind = $4 AND o.year = $2) \
             AND (SELECT o.amount_cents + COALESCE((SELECT SUM(c.amount_cents) FROM \
               budget_entries c WHERE c.corrects = o.id), 0)::BIGINT FROM budget_entries o \
               WHERE o.id = $10) + $5 >= 0"
        } else {
            // $11 is the 0/1 BIGINT of over_budget_confirmed, not a boolean: `<> 0`.
            "EXISTS (SELECT 1 FROM team_budgets WHERE team_id = $1 AND year = $2) \
             AND ($11 <> 0 OR (SELECT amount_cents FROM team_budgets WHERE team_id = $1 \
               AND year = $2) - COALESCE((SELECT SUM(amount_cents) FROM budget_entries \
               WHERE team_id = $1 AND year = $2), 0)::BIGINT >= $5)"
        };
        // In the same statement, and so under the same locks: the canvas is not archived.
        // RETURNING id: PostgreSQL has no last_insert_rowid().
        let inserted: Option<i64> = sqlx::query_scalar(&format!(
            "INSERT INTO budget_entries (team_id, year, canvas_id, kind, amount_cents, purpose, \
             why_not_regular, approved_by, entry_date, corrects, over_budget_confirmed, \
             recorded_by, recorded_at) SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, \
             $13 WHERE {guard} AND (SELECT status FROM canvases WHERE id = $3) <> '{archived}' \
             RETURNING id",
            archived = CanvasStatus::Gearchiveerd.code(),
        ))
        .bind(entry.team)
        .bind(i64::from(entry.year))
        .bind(entry.canvas.as_str())
        .bind(entry.kind.code())
        .bind(entry.amount_cents)
        .bind(&entry.purpose)
        .bind(&entry.why_not_regular)
        .bind(&entry.approved_by)
        .bind(&entry.entry_date)
        .bind(entry.corrects)
        .bind(i64::from(entry.confirm_over_budget))
        .bind(entry.by)
        .bind(now_millis())
        .fetch_optional(&mut *tx)
        .await?;
        // Refused: find out why, for the message (nothing was written), still under the lock,
        // so the reason is the state the statement saw.
        let outcome = match inserted {
            Some(id) => EntryOutcome::Added(EntryId(id)),
            None => refusal(&mut tx, entry).await?,
        };
        tx.commit().await?;
        Ok(outcome)
    }

    async fn notify(
        &self,
        accounts: &[AccountId],
        text: &str,
        link: &str,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        for account in accounts {
            sqlx::query(
                "INSERT INTO notifications (account_id, text, link, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(account)
            .bind(text)
            .bind(link)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn notifications(&self, account: AccountId) -> Result<Vec<NotificationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, text, link, created_at, read_at FROM notifications WHERE account_id = $1 \
             ORDER BY id DESC LIMIT 200",
        )
        .bind(account)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(NotificationRow {
                    id: row.try_get("id")?,
                    text: row.try_get("text")?,
                    link: row.try_get("link")?,
                    created_at: row.try_get("created_at")?,
                    read: row.try_get::<Option<i64>, _>("read_at")?.is_some(),
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn unread_notifications(&self, account: AccountId) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS unread FROM notifications WHERE account_id = $1 \
             AND read_at IS NULL",
        )
        .bind(account)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(row.try_get("unread")?)
    }

    async fn mark_notifications_read(&self, account: AccountId) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE notifications SET read_at = $1 WHERE account_id = $2 AND read_at IS NULL",
        )
        .bind(now_millis())
        .bind(account)
        .execute(&mut *self.conn().await?)
        .await?;
        Ok(())
    }
}

/// How a payback is stored: its kind and, in months, its length.
pub(super) fn payback_code(p: Payback) -> (&'static str, Option<i64>) {
    match p {
        Payback::Direct => ("direct", None),
        Payback::Never => ("nooit", None),
        Payback::Months(m) => ("maanden", Some(m)),
    }
}

/// The rendement stored with a leeropbrengst (its `rendement_*` and `payback_*` columns).
pub(super) fn rendement_of(row: &PgRow) -> Result<Rendement, sqlx::Error> {
    Ok(Rendement {
        current: row.try_get("rendement_current")?,
        inaction: row.try_get("rendement_inaction")?,
        solution: row.try_get("rendement_solution")?,
        net: row.try_get("rendement_net")?,
        payback: payback_of(
            &row.try_get::<String, _>("payback_kind")?,
            row.try_get("payback_months")?,
        ),
    })
}

fn payback_of(kind: &str, months: Option<i64>) -> Payback {
    match (kind, months) {
        ("maanden", Some(m)) => Payback::Months(m),
        ("nooit", _) => Payback::Never,
        _ => Payback::Direct,
    }
}
