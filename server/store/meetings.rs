//! The doorbraakoverleg: meetings of a team, their agenda, and the secret calendar feeds.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    canvas::CanvasId,
    ids::{AccountId, AgendaItemId, MeetingId, TeamId},
};

/// Where a meeting stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeetingStatus {
    Planned,
    Running,
    Finished,
    Cancelled,
}

impl MeetingStatus {
    pub fn code(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "gepland",
            MeetingStatus::Running => "bezig",
            MeetingStatus::Finished => "afgerond",
            MeetingStatus::Cancelled => "geannuleerd",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [
            MeetingStatus::Planned,
            MeetingStatus::Running,
            MeetingStatus::Finished,
            MeetingStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.code() == code)
    }

    pub fn dutch(self) -> &'static str {
        match self {
            MeetingStatus::Planned => "Gepland",
            MeetingStatus::Running => "Bezig",
            MeetingStatus::Finished => "Afgerond",
            MeetingStatus::Cancelled => "Geannuleerd",
        }
    }
}

/// When and where a meeting is, and who chairs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    /// Unix ms (UTC).
    pub starts_at: i64,
    pub duration_minutes: i64,
    pub place: String,
    pub video_link: String,
    pub chair: AccountId,
}

#[derive(Debug, Clone)]
pub struct NewMeeting {
    pub uid: String,
    pub team: TeamId,
    pub schedule: Schedule,
    pub series: Option<String>,
    pub by: AccountId,
    pub at: i64,
}

#[derive(Debug, Clone)]
pub struct MeetingRow {
    pub id: MeetingId,
    pub uid: String,
    pub team: TeamId,
    pub team_name: String,
    pub schedule: Schedule,
    pub chair_name: String,
    pub status: MeetingStatus,
    pub sequence: i64,
    pub series: Option<String>,
    pub updated_at: i64,
    pub live: Live,
}

/// What an overleg looks like while it runs (and where it stopped).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Live {
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// The agenda item on the table.
    pub current_item: Option<AgendaItemId>,
    pub timer: Timer,
    /// Where the chair is: a canvas and a step (presence, not content).
    pub chair_canvas: Option<CanvasId>,
    pub chair_step: String,
    /// The window in which guests read the agenda's canvases; `until` is `None` while it runs.
    pub guests_from: Option<i64>,
    pub guests_until: Option<i64>,
}

/// The shared time box of the current item: everyone computes the same time left from it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Timer {
    /// Milliseconds left when it was last started or paused; `None` before an item is on.
    pub left_ms: Option<i64>,
    /// When it was started; `None` while paused.
    pub started_at: Option<i64>,
}

impl Timer {
    /// Milliseconds left at `now` (negative when the time box is over).
    pub fn left_at(&self, now: i64) -> Option<i64> {
        let left = self.left_ms?;
        Some(match self.started_at {
            Some(started) => left - (now - started).max(0),
            None => left,
        })
    }

    pub fn running(&self) -> bool {
        self.started_at.is_some()
    }
}

/// One item of an agenda: a canvas (with its label) or a free topic.
#[derive(Debug, Clone)]
pub struct AgendaRow {
    pub id: AgendaItemId,
    pub position: i64,
    pub canvas: Option<CanvasId>,
    pub canvas_label: Option<String>,
    pub topic: String,
    pub brought_by: String,
    pub timebox_minutes: i64,
    /// The besluit recorded for it.
    pub decision: String,
    /// When it was first on the table.
    pub discussed_at: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewAgendaItem {
    pub canvas: Option<CanvasId>,
    pub topic: String,
    pub brought_by: String,
    pub timebox_minutes: i64,
}

#[async_trait]
pub trait Meetings: Send + Sync + 'static {
    async fn create_meeting(&self, meeting: &NewMeeting) -> Result<MeetingId, StoreError>;
    async fn meeting(&self, id: MeetingId) -> Result<Option<MeetingRow>, StoreError>;
    /// A team's meetings, soonest first.
    async fn team_meetings(&self, team: TeamId) -> Result<Vec<MeetingRow>, StoreError>;
    /// The meetings of all these teams, soonest first (a person's calendar).
    async fn meetings_of_teams(&self, teams: &[TeamId]) -> Result<Vec<MeetingRow>, StoreError>;
    /// Replaces the schedule if the meeting is still at `sequence` and planned; raises the
    /// sequence. `false` when someone changed it first or it is no longer planned.
    async fn reschedule(
        &self,
        id: MeetingId,
        sequence: i64,
        schedule: &Schedule,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Starts a planned meeting (bezig). `false` otherwise.
    async fn start_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError>;
    /// Ends a planned or running meeting (afgerond); raises the sequence. `false` otherwise.
    async fn finish_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError>;
    /// Cancels a planned meeting; raises the sequence. `false` if it was not planned.
    async fn cancel_meeting(&self, id: MeetingId, at: i64) -> Result<bool, StoreError>;

    async fn agenda(&self, meeting: MeetingId) -> Result<Vec<AgendaRow>, StoreError>;
    /// Adds at the end; [`StoreError::Duplicate`] when the canvas is on it already.
    async fn add_agenda_item(
        &self,
        meeting: MeetingId,
        item: &NewAgendaItem,
    ) -> Result<AgendaItemId, StoreError>;
    /// `false` if there was no such item on that agenda.
    async fn remove_agenda_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
    ) -> Result<bool, StoreError>;
    /// Swaps the item with its neighbour (earlier when `up`); `false` at either end.
    async fn move_agenda_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        up: bool,
    ) -> Result<bool, StoreError>;
    /// The planned and running meetings whose agenda holds the canvas, soonest first.
    async fn meetings_with_canvas(&self, canvas: &CanvasId) -> Result<Vec<MeetingRow>, StoreError>;

    /// Sets (or replaces) the account's calendar feed secret.
    async fn set_calendar_feed(
        &self,
        account: AccountId,
        secret_hash: &str,
        at: i64,
    ) -> Result<(), StoreError>;
    async fn remove_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError>;
    async fn has_calendar_feed(&self, account: AccountId) -> Result<bool, StoreError>;
    /// The account whose feed has this secret.
    async fn calendar_feed_account(
        &self,
        secret_hash: &str,
    ) -> Result<Option<AccountId>, StoreError>;
}
