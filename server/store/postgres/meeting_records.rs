//! The running overleg and its records on PostgreSQL (as `sqlite/meeting_records.rs`).

use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::{
    Postgres, Source,
    query::{execute, flag},
};
use crate::{
    canvas::CanvasId,
    ids::{AccountId, ActionItemId, AgendaItemId, MeetingId},
    store::{
        StoreError,
        meeting_records::{
            ActionRow, ActionScope, AttendanceRow, GuestRow, MeetingRecords, MinutesRow, NewAction,
            Place,
        },
        meetings::Timer,
    },
};

const ACTION_QUERY: &str = "SELECT x.*, m.starts_at, m.team_id, c.label, \
     COALESCE(NULLIF(a.name, ''), a.email) AS owner_name \
     FROM action_items x JOIN meetings m ON m.id = x.meeting_id \
     JOIN accounts a ON a.id = x.owner_id LEFT JOIN canvases c ON c.id = x.canvas_id";

fn action(row: &PgRow) -> Result<ActionRow, sqlx::Error> {
    let canvas: Option<String> = row.try_get("canvas_id")?;
    Ok(ActionRow {
        id: row.try_get("id")?,
        meeting: row.try_get("meeting_id")?,
        meeting_starts_at: row.try_get("starts_at")?,
        team: row.try_get("team_id")?,
        item: row.try_get("agenda_item_id")?,
        canvas: canvas
            .map(|raw| {
                raw.parse::<CanvasId>()
                    .map_err(|_| sqlx::Error::Decode(format!("canvas id {raw}").into()))
            })
            .transpose()?,
        canvas_label: row.try_get("label")?,
        what: row.try_get("what")?,
        owner: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        due_on: row.try_get("due_on")?,
        done_at: row.try_get("done_at")?,
    })
}

/// The key of an [`ActionScope`], bound with its column's type (SQLite bound every key as text
/// and let the column's affinity convert it; PostgreSQL compares BIGINT with BIGINT only).
enum ScopeKey<'a> {
    Id(i64),
    Canvas(&'a str),
}

#[async_trait]
impl<S: Source> MeetingRecords for Postgres<S> {
    async fn set_current_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        left_ms: i64,
        at: i64,
    ) -> Result<bool, StoreError> {
        // As on SQLite: one conditional UPDATE (whose item check the foreign key of
        // current_item backs), then marking the item discussed, which only ever sets a NULL.
        let mut conn = self.conn().await?;
        let changed = execute(
            &mut conn,
            "UPDATE meetings SET current_item = $1, timer_left_ms = $2, timer_started_at = NULL, \
             updated_at = $3 WHERE id = $4 AND status = 'bezig' \
             AND EXISTS (SELECT 1 FROM agenda_items WHERE id = $1 AND meeting_id = $4)",
            &[&item, &left_ms, &at, &meeting],
        )
        .await?;
        if changed == 1 {
            execute(
                &mut conn,
                "UPDATE agenda_items SET discussed_at = $1 WHERE id = $2 AND discussed_at IS NULL",
                &[&at, &item],
            )
            .await?;
        }
        Ok(changed == 1)
    }

    // The setters below are each one conditional UPDATE or one upsert: atomic as they are.

    async fn set_timer(&self, meeting: MeetingId, timer: Timer) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET timer_left_ms = $1, timer_started_at = $2 \
             WHERE id = $3 AND status = 'bezig' AND current_item IS NOT NULL",
            &[&timer.left_ms, &timer.started_at, &meeting],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn set_chair_position(
        &self,
        meeting: MeetingId,
        canvas: &CanvasId,
        step: &str,
    ) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET chair_canvas = $1, chair_step = $2 \
             WHERE id = $3 AND status = 'bezig'",
            &[&canvas.as_str(), &step, &meeting],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn set_guest_window(
        &self,
        meeting: MeetingId,
        from: i64,
        until: Option<i64>,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET guests_from = $1, guests_until = $2 WHERE id = $3",
            &[&from, &until, &meeting],
        )
        .await?;
        Ok(())
    }

    async fn guests(&self, meeting: MeetingId) -> Result<Vec<GuestRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.account_id, g.may_edit, COALESCE(NULLIF(a.name, ''), a.email) AS name \
             FROM meeting_guests g JOIN accounts a ON a.id = g.account_id \
             WHERE g.meeting_id = $1 ORDER BY g.invited_at, g.account_id",
        )
        .bind(meeting)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(GuestRow {
                    account: row.try_get("account_id")?,
                    name: row.try_get("name")?,
                    // A BIGINT 0/1 here, not a bool.
                    may_edit: flag(row, "may_edit")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn set_guest(
        &self,
        meeting: MeetingId,
        account: AccountId,
        may_edit: bool,
        by: AccountId,
        at: i64,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "INSERT INTO meeting_guests (meeting_id, account_id, may_edit, invited_by, invited_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (meeting_id, account_id) \
             DO UPDATE SET may_edit = EXCLUDED.may_edit",
            &[&meeting, &account, &i64::from(may_edit), &by, &at],
        )
        .await?;
        Ok(())
    }

    async fn remove_guest(
        &self,
        meeting: MeetingId,
        account: AccountId,
    ) -> Result<bool, StoreError> {
        let removed = execute(
            &mut *self.conn().await?,
            "DELETE FROM meeting_guests WHERE meeting_id = $1 AND account_id = $2",
            &[&meeting, &account],
        )
        .await?;
        Ok(removed == 1)
    }

    async fn guest_meetings(&self, account: AccountId) -> Result<Vec<MeetingId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT g.meeting_id FROM meeting_guests g JOIN meetings m ON m.id = g.meeting_id \
             WHERE g.account_id = $1 ORDER BY m.starts_at",
        )
        .bind(account)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn guests_whose_window_closed(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<AccountId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT g.account_id FROM meeting_guests g JOIN meetings m \
             ON m.id = g.meeting_id WHERE m.guests_until > $1 AND m.guests_until <= $2",
        )
        .bind(after)
        .bind(upto)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn set_attendance(
        &self,
        meeting: MeetingId,
        account: AccountId,
        place: Place,
        at: i64,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "INSERT INTO meeting_attendance (meeting_id, account_id, place, since) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (meeting_id, account_id) \
             DO UPDATE SET place = EXCLUDED.place",
            &[&meeting, &account, &place.code(), &at],
        )
        .await?;
        Ok(())
    }

    async fn attendance(&self, meeting: MeetingId) -> Result<Vec<AttendanceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT x.account_id, x.place, COALESCE(NULLIF(a.name, ''), a.email) AS name, \
             EXISTS (SELECT 1 FROM meeting_guests g WHERE g.meeting_id = x.meeting_id \
                     AND g.account_id = x.account_id) AS guest \
             FROM meeting_attendance x JOIN accounts a ON a.id = x.account_id \
             WHERE x.meeting_id = $1 ORDER BY x.since, x.account_id",
        )
        .bind(meeting)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                let place: String = row.try_get("place")?;
                Ok(AttendanceRow {
                    account: row.try_get("account_id")?,
                    name: row.try_get("name")?,
                    place: Place::from_code(&place)
                        .ok_or_else(|| sqlx::Error::Decode(format!("place {place}").into()))?,
                    // EXISTS is a real BOOLEAN on PostgreSQL.
                    guest: row.try_get("guest")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn set_decision(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        decision: &str,
    ) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE agenda_items SET decision = $1 WHERE id = $2 AND meeting_id = $3",
            &[&decision, &item, &meeting],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn add_action(&self, a: &NewAction) -> Result<ActionItemId, StoreError> {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO action_items (meeting_id, agenda_item_id, canvas_id, what, owner_id, \
             due_on, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(a.meeting)
        .bind(a.item)
        .bind(a.canvas.as_ref().map(CanvasId::as_str))
        .bind(&a.what)
        .bind(a.owner)
        .bind(&a.due_on)
        .bind(a.by)
        .bind(a.at)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(ActionItemId(id))
    }

    async fn action(&self, id: ActionItemId) -> Result<Option<ActionRow>, StoreError> {
        let row = sqlx::query(&format!("{ACTION_QUERY} WHERE x.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|row| action(&row)).transpose()?)
    }

    async fn actions(&self, scope: ActionScope) -> Result<Vec<ActionRow>, StoreError> {
        let (clause, key) = match &scope {
            ActionScope::Meeting(m) => ("x.meeting_id = $1", ScopeKey::Id(m.0)),
            ActionScope::OpenOfOwner(a) => {
                ("x.owner_id = $1 AND x.done_at IS NULL", ScopeKey::Id(a.0))
            }
            ActionScope::OpenOfCanvas(c) => (
                "x.canvas_id = $1 AND x.done_at IS NULL",
                ScopeKey::Canvas(c.as_str()),
            ),
            ActionScope::OpenOfTeam(t) => {
                ("m.team_id = $1 AND x.done_at IS NULL", ScopeKey::Id(t.0))
            }
            ActionScope::OfCanvas(c) => ("x.canvas_id = $1", ScopeKey::Canvas(c.as_str())),
        };
        let sql = format!("{ACTION_QUERY} WHERE {clause} ORDER BY m.starts_at, x.id");
        let query = sqlx::query(&sql);
        let query = match key {
            ScopeKey::Id(id) => query.bind(id),
            ScopeKey::Canvas(canvas) => query.bind(canvas),
        };
        let rows = query.fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.iter().map(action).collect::<Result<_, _>>()?)
    }

    async fn decisions_on(&self, canvas: &CanvasId) -> Result<Vec<String>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT decision FROM agenda_items WHERE canvas_id = $1 AND decision <> '' \
             ORDER BY id",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn mark_action_done(
        &self,
        id: ActionItemId,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError> {
        // One conditional UPDATE: of two at once, one changes the row.
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE action_items SET done_at = $1, done_by = $2 \
             WHERE id = $3 AND done_at IS NULL",
            &[&at, &by, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn take_due_actions(&self, date: &str) -> Result<Vec<ActionRow>, StoreError> {
        // Marked told and returned in one statement: of two processes telling at the same
        // moment, the second waits for the first's row locks, then finds `due_told` set on the
        // rows as the first left them (READ COMMITTED re-checks the WHERE) and takes none of
        // them. Each is returned once, as on SQLite. The dates are YYYY-MM-DD text: compared
        // byte by byte as on SQLite (COLLATE "C").
        let rows = sqlx::query(&format!(
            "WITH told AS (UPDATE action_items SET due_told = 1 WHERE done_at IS NULL \
             AND due_told = 0 AND due_on COLLATE \"C\" <= $1 RETURNING id) \
             {ACTION_QUERY} WHERE x.id IN (SELECT id FROM told) ORDER BY x.id"
        ))
        .bind(date)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(action).collect::<Result<_, _>>()?)
    }

    async fn minutes(&self, meeting: MeetingId) -> Result<Option<MinutesRow>, StoreError> {
        let row = sqlx::query(
            "SELECT n.content, n.updated_at, n.fixed_at, \
             COALESCE(NULLIF(a.name, ''), a.email) AS fixed_by_name \
             FROM minutes n LEFT JOIN accounts a ON a.id = n.fixed_by WHERE n.meeting_id = $1",
        )
        .bind(meeting)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        row.map(|row| {
            Ok(MinutesRow {
                content: row.try_get("content")?,
                updated_at: row.try_get("updated_at")?,
                fixed_at: row.try_get("fixed_at")?,
                fixed_by_name: row.try_get("fixed_by_name")?,
            })
        })
        .transpose()
        .map_err(|e: sqlx::Error| e.into())
    }

    async fn save_minutes(
        &self,
        meeting: MeetingId,
        content: &str,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError> {
        // One upsert whose update is conditional (no row counts when the verslag is fixed):
        // atomic as it is.
        let changed = execute(
            &mut *self.conn().await?,
            "INSERT INTO minutes (meeting_id, content, updated_by, updated_at) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (meeting_id) DO UPDATE SET content = EXCLUDED.content, \
             updated_by = EXCLUDED.updated_by, updated_at = EXCLUDED.updated_at \
             WHERE minutes.fixed_at IS NULL",
            &[&meeting, &content, &by, &at],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn fix_minutes(
        &self,
        meeting: MeetingId,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE minutes SET fixed_by = $1, fixed_at = $2 \
             WHERE meeting_id = $3 AND fixed_at IS NULL",
            &[&by, &at, &meeting],
        )
        .await?;
        Ok(changed == 1)
    }
}
