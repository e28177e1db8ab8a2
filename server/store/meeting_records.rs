//! What happens in a running overleg and what it leaves behind: the item on the table and its
//! timer, where the chair is, who attends, the guests of one overleg, the besluit and actiepunten
//! per item, and the verslag.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    canvas::CanvasId,
    ids::{AccountId, ActionItemId, AgendaItemId, MeetingId, TeamId},
    store::meetings::Timer,
};

/// A guest of one overleg.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuestRow {
    pub account: AccountId,
    pub name: String,
    /// Whether the chair lets them edit the agenda's canvases.
    pub may_edit: bool,
}

/// Where someone attends from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Room,
    Remote,
}

impl Place {
    pub fn code(self) -> &'static str {
        match self {
            Place::Room => "zaal",
            Place::Remote => "afstand",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        [Place::Room, Place::Remote]
            .into_iter()
            .find(|p| p.code() == code)
    }

    pub fn dutch(self) -> &'static str {
        match self {
            Place::Room => "in de zaal",
            Place::Remote => "op afstand",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttendanceRow {
    pub account: AccountId,
    pub name: String,
    pub place: Place,
    /// Whether they attend as a guest of this overleg (not as a member of the team).
    pub guest: bool,
}

#[derive(Debug, Clone)]
pub struct NewAction {
    pub meeting: MeetingId,
    pub item: AgendaItemId,
    pub canvas: Option<CanvasId>,
    pub what: String,
    pub owner: AccountId,
    /// YYYY-MM-DD.
    pub due_on: String,
    pub by: AccountId,
    pub at: i64,
}

/// An actiepunt: what, who, by when.
#[derive(Debug, Clone)]
pub struct ActionRow {
    pub id: ActionItemId,
    pub meeting: MeetingId,
    pub meeting_starts_at: i64,
    pub team: TeamId,
    pub item: AgendaItemId,
    pub canvas: Option<CanvasId>,
    pub canvas_label: Option<String>,
    pub what: String,
    pub owner: AccountId,
    pub owner_name: String,
    pub due_on: String,
    pub done_at: Option<i64>,
}

impl ActionRow {
    pub fn is_open(&self) -> bool {
        self.done_at.is_none()
    }
}

/// The verslag as stored: its content (JSON) and whether it is fixed.
#[derive(Debug, Clone)]
pub struct MinutesRow {
    pub content: String,
    pub updated_at: i64,
    pub fixed_at: Option<i64>,
    pub fixed_by_name: Option<String>,
}

/// Which actiepunten to list.
#[derive(Debug, Clone)]
pub enum ActionScope {
    Meeting(MeetingId),
    /// The open ones of a person.
    OpenOfOwner(AccountId),
    /// The open ones on a canvas.
    OpenOfCanvas(CanvasId),
    /// All on a canvas, done or not.
    OfCanvas(CanvasId),
    /// The open ones of a team's earlier overleggen (for the next agenda).
    OpenOfTeam(TeamId),
}

#[async_trait]
pub trait MeetingRecords: Send + Sync + 'static {
    /// Puts `item` on the table of a running meeting with its timer paused at `left_ms`, and
    /// marks the item discussed. `false` if the meeting is not running or the item not on it.
    async fn set_current_item(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        left_ms: i64,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Sets the timer of a running meeting. `false` if it is not running.
    async fn set_timer(&self, meeting: MeetingId, timer: Timer) -> Result<bool, StoreError>;
    /// Where the chair is now. `false` if the meeting is not running.
    async fn set_chair_position(
        &self,
        meeting: MeetingId,
        canvas: &CanvasId,
        step: &str,
    ) -> Result<bool, StoreError>;
    /// The window in which the guests may read the agenda's canvases.
    async fn set_guest_window(
        &self,
        meeting: MeetingId,
        from: i64,
        until: Option<i64>,
    ) -> Result<(), StoreError>;

    async fn guests(&self, meeting: MeetingId) -> Result<Vec<GuestRow>, StoreError>;
    /// Invites the account or changes whether it may edit.
    async fn set_guest(
        &self,
        meeting: MeetingId,
        account: AccountId,
        may_edit: bool,
        by: AccountId,
        at: i64,
    ) -> Result<(), StoreError>;
    async fn remove_guest(
        &self,
        meeting: MeetingId,
        account: AccountId,
    ) -> Result<bool, StoreError>;
    /// The meetings the account is a guest of (for its calendar and its list).
    async fn guest_meetings(&self, account: AccountId) -> Result<Vec<MeetingId>, StoreError>;
    /// The guests whose window closed in `(after, upto]`: their access ended then.
    async fn guests_whose_window_closed(
        &self,
        after: i64,
        upto: i64,
    ) -> Result<Vec<AccountId>, StoreError>;

    /// Records (or changes) where the account attends from.
    async fn set_attendance(
        &self,
        meeting: MeetingId,
        account: AccountId,
        place: Place,
        at: i64,
    ) -> Result<(), StoreError>;
    async fn attendance(&self, meeting: MeetingId) -> Result<Vec<AttendanceRow>, StoreError>;

    /// The besluit of an item. `false` if the item is not on that agenda.
    async fn set_decision(
        &self,
        meeting: MeetingId,
        item: AgendaItemId,
        decision: &str,
    ) -> Result<bool, StoreError>;
    async fn add_action(&self, action: &NewAction) -> Result<ActionItemId, StoreError>;
    async fn action(&self, id: ActionItemId) -> Result<Option<ActionRow>, StoreError>;
    /// Oldest meeting first, then in the order they were recorded.
    async fn actions(&self, scope: ActionScope) -> Result<Vec<ActionRow>, StoreError>;
    /// The besluiten recorded on agenda items of the canvas, in every overleg.
    async fn decisions_on(&self, canvas: &CanvasId) -> Result<Vec<String>, StoreError>;
    /// Marks an open actiepunt done. `false` if it was done already.
    async fn mark_action_done(
        &self,
        id: ActionItemId,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// The open actiepunten due on or before `date` (YYYY-MM-DD) whose owner was not told yet,
    /// marked told: each is returned once.
    async fn take_due_actions(&self, date: &str) -> Result<Vec<ActionRow>, StoreError>;

    async fn minutes(&self, meeting: MeetingId) -> Result<Option<MinutesRow>, StoreError>;
    /// Saves the draft. `false` if the verslag is fixed already.
    async fn save_minutes(
        &self,
        meeting: MeetingId,
        content: &str,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError>;
    /// Fixes the verslag for good. `false` if there is no draft or it was fixed already.
    async fn fix_minutes(
        &self,
        meeting: MeetingId,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError>;
}
