//! Meetings, agendas and calendar feeds on SQLite.

use async_trait::async_trait;
use sqlx::{Row, sqlite::SqliteRow};

use super::{
    Source, Sqlite,
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

fn meeting(row: &SqliteRow) -> Result<MeetingRow, sqlx::Error> {
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

fn agenda_item(row: &SqliteRow) -> Result<AgendaRow, sqlx::Error> {
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
impl<S: Source> Meetings for Sqlite<S> {
    async fn create_meeting(&self, m: &NewMeeting) -> Result<MeetingId, StoreError> {
        let s = &m.schedule;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO meetings (uid, team_id, starts_at, duration_minutes, place, video_link, \
             chair_id, series, created_by, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
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
        .bind(m.at)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(MeetingId(id))
    }

    async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingRow>, StoreError> {
        let row = sqlx::query(&format!("{MEETING_QUERY} WHERE m.id = ?"))
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
        let marks = vec!["?"; teams.len()].join(", ");
        let sql =
            format!("{MEETING_QUERY} WHERE m.team_id IN ({marks}) ORDER BY m.starts_at, m.id");
        let mut query = sqlx::query(&sql);
        for team in teams {
            query = query.bind(*team);
        }
        let rows = query.fetch_all(&mut *self.conn().await?).await?;
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
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET starts_at = ?, duration_minutes = ?, place = ?, video_link = ?, \
             chair_id = ?, sequence = sequence + 1, updated_at = ? \
             WHERE id = ? AND sequence = ? AND status = 'gepland'",
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

    async fn start_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'bezig', started_at = ?, updated_at = ? \
             WHERE id = ? AND status = 'gepland'",
            &[&at, &at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn finish_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'afgerond', finished_at = ?, sequence = sequence + 1, \
             timer_started_at = NULL, updated_at = ? WHERE id = ? AND status IN ('gepland', 'bezig')",
            &[&at, &at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn cancel_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE meetings SET status = 'geannuleerd', sequence = sequence + 1, updated_at = ? \
             WHERE id = ? AND status = 'gepland'",
            &[&at, &id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn agenda(&self, meeting: MeetingId) -> Result<Vec<AgendaRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT i.*, c.label FROM agenda_items i LEFT JOIN canvases c ON c.id = i.canvas_id \
             WHERE i.meeting_id = ? ORDER BY i.position, i.id",
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
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO agenda_items (meeting_id, position, canvas_id, topic, brought_by, \
             timebox_minutes) VALUES (?, (SELECT COALESCE(MAX(position), 0) + 1 FROM agenda_items \
             WHERE meeting_id = ?), ?, ?, ?, ?) RETURNING id",
        )
        .bind(meeting)
        .bind(meeting)
        .bind(item.canvas.as_ref().map(CanvasId::as_str))
        .bind(&item.topic)
        .bind(&item.brought_by)
        .bind(item.timebox_minutes)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(AgendaItemId(id))
    }

    async fn remove_agenda_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
    ) -> Result<bool, StoreError> {
        let removed = execute(
            &mut *self.conn().await?,
            "DELETE FROM agenda_items WHERE id = ? AND meeting_id = ?",
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
        let mut conn = self.conn().await?;
        let agenda: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, position FROM agenda_items WHERE meeting_id = ? ORDER BY position, id",
        )
        .bind(meeting)
        .fetch_all(&mut *conn)
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
            &mut conn,
            "UPDATE agenda_items SET position = CASE id WHEN ? THEN ? WHEN ? THEN ? END \
             WHERE id IN (?, ?) AND meeting_id = ?",
            &[
                &item.0,
                &other_position,
                &other_id,
                &position,
                &item.0,
                &other_id,
                &meeting,
            ],
        )
        .await?;
        Ok(true)
    }

    async fn meetings_with_canvas(&self, canvas: &CanvasId) -> Result<Vec<MeetingRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{MEETING_QUERY} WHERE m.status IN ('gepland', 'bezig') AND m.id IN \
             (SELECT meeting_id FROM agenda_items WHERE canvas_id = ?) ORDER BY m.starts_at"
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
        execute(
            &mut *self.conn().await?,
            "INSERT INTO calendar_feeds (account_id, secret_hash, created_at) VALUES (?, ?, ?) \
             ON CONFLICT (account_id) DO UPDATE SET secret_hash = excluded.secret_hash, \
             created_at = excluded.created_at",
            &[&account, &secret_hash, &at],
        )
        .await?;
        Ok(())
    }

    async fn remove_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError> {
        let removed = execute(
            &mut *self.conn().await?,
            "DELETE FROM calendar_feeds WHERE account_id = ?",
            &[&account],
        )
        .await?;
        Ok(removed == 1)
    }

    async fn has_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError> {
        let found: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM calendar_feeds WHERE account_id = ?")
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
            sqlx::query_scalar("SELECT account_id FROM calendar_feeds WHERE secret_hash = ?")
                .bind(secret_hash)
                .fetch_optional(&mut *self.conn().await?)
                .await?,
        )
    }
}
