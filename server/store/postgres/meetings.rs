//! Meetings, agendas and calendar feeds on PostgreSQL (as `sqlite/meetings.rs`).

use async_trait::async_trait;
use sqlx::{Connection, Row, postgres::PgRow};

use super::{
    Postgres, Source,
    query::{execute, unique},
};
use crate::{
    canvas::CanvasId,
    ids::{AccountId, AgendaItemId, MeetingId, TeamId},
    store::{
        StoreError,
        meetings::{
            AgendaRow, Live, MeetingRow, MeetingStatus, Meetings, NewAgendaItem, NewMeeting,
            Schedule, Timer,
        },
    },
};

const MEETING_QUERY: &str = "SELECT m.*, t.name AS team_name, \
     COALESCE(NULLIF(a.name, ''), a.email) AS chair_name \
     FROM meetings m JOIN teams t ON t.id = m.team_id JOIN accounts a ON a.id = m.chair_id";

fn meeting(row: &PgRow) -> Result<MeetingRow, sqlx::Error> {
    let status: String = row.try_get("status")?;
    Ok(MeetingRow {
        id: row.try_get("id")?,
        uid: row.try_get("uid")?,
        team: row.try_get("team_id")?,
        team_name: row.try_get("team_name")?,
        schedule: Schedule {
            starts_at: row.try_get("starts_at")?,
            duration_minutes: row.try_get("duration_minutes")?,
            place: row.try_get("place")?,
            video_link: row.try_get("video_link")?,
            chair: row.try_get("chair_id")?,
        },
        chair_name: row.try_get("chair_name")?,
        status: MeetingStatus::from_code(&status)
            .ok_or_else(|| sqlx::Error::Decode(format!("meeting status {status}").into()))?,
        sequence: row.try_get("sequence")?,
        series: row.try_get("series")?,
        updated_at: row.try_get("updated_at")?,
        live: Live {
            started_at: row.try_get("started_at")?,
            finished_at: row.try_get("finished_at")?,
            current_item: row.try_get("current_item")?,
            timer: Timer {
                left_ms: row.try_get("timer_left_ms")?,
                started_at: row.try_get("timer_started_at")?,
            },
            chair_canvas: canvas_id(row.try_get("chair_canvas")?)?,
            chair_step: row.try_get("chair_step")?,
            guests_from: row.try_get("guests_from")?,
            guests_until: row.try_get("guests_until")?,
        },
    })
}

fn canvas_id(raw: Option<String>) -> Result<Option<CanvasId>, sqlx::Error> {
    raw.map(|raw| {
        raw.parse()
            .map_err(|_| sqlx::Error::Decode(format!("canvas id {raw}").into()))
    })
    .transpose()
}

fn agenda_item(row: &PgRow) -> Result<AgendaRow, sqlx::Error> {
    Ok(AgendaRow {
        id: row.try_get("id")?,
        position: row.try_get("position")?,
        canvas: canvas_id(row.try_get("canvas_id")?)?,
        canvas_label: row.try_get("label")?,
        topic: row.try_get("topic")?,
        brought_by: row.try_get("brought_by")?,
        timebox_minutes: row.try_get("timebox_minutes")?,
        decision: row.try_get("decision")?,
        discussed_at: row.try_get("discussed_at")?,
    })
}

#[async_trait]
impl<S: Source> Meetings for Postgres<S> {
    async fn create_meeting(&self, m: &NewMeeting) -> Result<MeetingId, StoreError> {
        let s = &m.schedule;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (uid, team_id, starts_at, duration_minutes, place, video_link, \
             chair_id, series, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        )
        .bind(&m.uid)
        .bind(m.team)
        .bind(s.starts_at)
        .bind(s.duration_minutes)
        .bind(&s.place)
        .bind(&s.video_link)
        .bind(s.chair)
        .bind(&m.series)
        .bind(m.by)
        .bind(m.at)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(MeetingId(id))
    }

    async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingRow>, StoreError> {
        let row = sqlx::query(&format!("{MEETING_QUERY} WHERE m.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|row| meeting(&row)).transpose()?)
    }

    async fn team_meetings(&self, team: TeamId) -> Result<Vec<MeetingRow>, StoreError> {
        self.meetings_of_teams(&[team]).await
    }

    async fn meetings_of_teams(&self, teams: &[TeamId]) -> Result<Vec<MeetingRow>, StoreError> {
        if teams.is_empty() {
            return Ok(Vec::new());
        }
        // One array bind instead of SQLite's list of placeholders.
        let teams: Vec<i64> = teams.iter().map(|team| team.0).collect();
        let rows = sqlx::query(&format!(
            "{MEETING_QUERY} WHERE m.team_id = ANY($1) ORDER BY m.starts_at, m.id"
        ))
        .bind(teams)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(meeting).collect::<Result<_, _>>()?)
    }

    async fn reschedule(
        &self,
        id: MeetingId,
        sequence: i64,
        s: &Schedule,
        at: i64,
    ) -> Result<bool, StoreError> {
        // Compare-and-set on the sequence: of two changes made from the same page, one wins.
        // One UPDATE with its condition: atomic on PostgreSQL too (the second waits for the
        // first's row lock and then no longer matches).
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET starts_at = $1, duration_minutes = $2, place = $3, \
             video_link = $4, chair_id = $5, sequence = sequence + 1, updated_at = $6 \
             WHERE id = $7 AND sequence = $8 AND status = 'gepland'",
            &[
                &s.starts_at,
                &s.duration_minutes,
                &s.place.as_str(),
                &s.video_link.as_str(),
                &s.chair,
                &at,
                &id,
                &sequence,
            ],
        )
        .await?;
        Ok(changed == 1)
    }

    // The status changes below are each one conditional UPDATE: atomic as they are.

    async fn start_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'bezig', started_at = $1, updated_at = $1 \
             WHERE id = $2 AND status = 'gepland'",
            &[&at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn finish_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'afgerond', finished_at = $1, sequence = sequence + 1, \
             timer_started_at = NULL, updated_at = $1 \
             WHERE id = $2 AND status IN ('gepland', 'bezig')",
            &[&at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn cancel_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'geannuleerd', sequence = sequence + 1, \
             updated_at = $1 WHERE id = $2 AND status = 'gepland'",
            &[&at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn agenda(&self, meeting: MeetingId) -> Result<Vec<AgendaRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.*, c.label FROM agenda_items i LEFT JOIN canvases c ON c.id = i.canvas_id \
             WHERE i.meeting_id = $1 ORDER BY i.position, i.id",
        )
        .bind(meeting)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(agenda_item).collect::<Result<_, _>>()?)
    }

    async fn add_agenda_item(
        &self,
        meeting: MeetingId,
        item: &NewAgendaItem,
    ) -> Result<AgendaItemId, StoreError> {
        // The next position is read and taken in one statement, which on SQLite no other writer
        // can interleave with; on PostgreSQL two at once would read the same MAX and share a
        // position (and a later swap of the two would change nothing), hence the meeting's lock
        // first. The transaction (a savepoint inside a use case's) also keeps a Duplicate from
        // aborting the caller's transaction.
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        super::locks::meeting(&mut tx, meeting).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agenda_items (meeting_id, position, canvas_id, topic, brought_by, \
             timebox_minutes) VALUES ($1, (SELECT COALESCE(MAX(position), 0) + 1 \
             FROM agenda_items WHERE meeting_id = $1), $2, $3, $4, $5) RETURNING id",
        )
        .bind(meeting)
        .bind(item.canvas.as_ref().map(CanvasId::as_str))
        .bind(&item.topic)
        .bind(&item.brought_by)
        .bind(item.timebox_minutes)
        .fetch_one(&mut *tx)
        .await
        .map_err(unique)?;
        tx.commit().await?;
        Ok(AgendaItemId(id))
    }

    async fn remove_agenda_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
    ) -> Result<bool, StoreError> {
        let removed = execute(
            &mut *self.conn().await?,
            "DELETE FROM agenda_items WHERE id = $1 AND meeting_id = $2",
            &[&item, &meeting],
        )
        .await?;
        Ok(removed == 1)
    }

    async fn move_agenda_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        up: bool,
    ) -> Result<bool, StoreError> {
        // The swap is computed from the agenda as read: the meeting's lock keeps another change
        // of its agenda from landing between the read and the swap (SQLite's one writer).
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        super::locks::meeting(&mut tx, meeting).await?;
        let agenda: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, position FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id",
        )
        .bind(meeting)
        .fetch_all(&mut *tx)
        .await?;
        let Some(at) = agenda.iter().position(|(id, _)| *id == item.0) else {
            return Ok(false);
        };
        let other = if up { at.checked_sub(1) } else { Some(at + 1) };
        let Some(&(other_id, other_position)) = other.and_then(|o| agenda.get(o)) else {
            return Ok(false);
        };
        let position = agenda[at].1;
        // One statement, so the swap is whole or not at all.
        execute(
            &mut tx,
            "UPDATE agenda_items SET position = CASE id WHEN $1 THEN $2 WHEN $3 THEN $4 END \
             WHERE id IN ($1, $3) AND meeting_id = $5",
            &[&item.0, &other_position, &other_id, &position, &meeting],
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    async fn meetings_with_canvas(&self, canvas: &CanvasId) -> Result<Vec<MeetingRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MEETING_QUERY} WHERE m.status IN ('gepland', 'bezig') AND m.id IN \
             (SELECT meeting_id FROM agenda_items WHERE canvas_id = $1) ORDER BY m.starts_at"
        ))
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(meeting).collect::<Result<_, _>>()?)
    }

    async fn set_calendar_feed(
        &self,
        account: AccountId,
        secret_hash: &str,
        at: i64,
    ) -> Result<(), StoreError> {
        // An upsert: atomic as it is.
        execute(
            &mut *self.conn().await?,
            "INSERT INTO calendar_feeds (account_id, secret_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (account_id) DO UPDATE SET secret_hash = EXCLUDED.secret_hash, \
             created_at = EXCLUDED.created_at",
            &[&account, &secret_hash, &at],
        )
        .await?;
        Ok(())
    }

    async fn remove_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError> {
        let removed = execute(
            &mut *self.conn().await?,
            "DELETE FROM calendar_feeds WHERE account_id = $1",
            &[&account],
        )
        .await?;
        Ok(removed == 1)
    }

    async fn has_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError> {
        // The literal is INTEGER on PostgreSQL: cast, to decode it as the i64 it is on SQLite.
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1::BIGINT FROM calendar_feeds WHERE account_id = $1")
                .bind(account)
                .fetch_optional(&mut *self.conn().await?)
                .await?;
        Ok(found.is_some())
    }

    async fn calendar_feed_account(
        &self,
        secret_hash: &str,
    ) -> Result<Option<AccountId>, StoreError> {
        Ok(
            sqlx::query_scalar("SELECT account_id FROM calendar_feeds WHERE secret_hash = $1")
                .bind(secret_hash)
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }
}
