//! The workflow facts of canvases: status history, escalations, the doorbraakbudget and in-app
//! notifications. Every change that must not be lost or doubled under concurrency is one
//! statement or one transaction that checks what it expects (compare-and-set).

use async_trait::async_trait;

use super::StoreError;
use crate::{
    access::policy::EscalationLevel,
    canvas::{CanvasId, status::CanvasStatus},
    ids::{AccountId, EntryId, EscalationId, ProvinceId, TeamId},
    workflow::{ladder::Outcome, learning::Learning, ledger::Kind},
};

/// One status change as shown in the timeline.
#[derive(Debug, Clone)]
pub struct StatusChangeRow {
    pub from: String,
    pub to: String,
    pub by: Option<String>,
    pub at: i64,
    pub note: String,
}

/// One escalation step, with names instead of account ids.
#[derive(Debug, Clone)]
pub struct EscalationRow {
    pub id: EscalationId,
    pub canvas_id: String,
    pub from_level: EscalationLevel,
    pub to_level: EscalationLevel,
    pub question: String,
    pub escalated_by: String,
    pub escalated_at: i64,
    pub picked_up_by: Option<String>,
    pub picked_up_at: Option<i64>,
    pub answer: Option<String>,
    pub answered_by: Option<String>,
    pub answered_at: Option<i64>,
    pub outcome: Option<Outcome>,
}

impl EscalationRow {
    pub fn is_open(&self) -> bool {
        self.answered_at.is_none()
    }
}

/// An open escalation with what a dashboard shows of its canvas.
#[derive(Debug, Clone)]
pub struct OpenEscalationRow {
    pub escalation: EscalationRow,
    pub label: String,
    pub team: String,
    pub gemeente: String,
    pub province_id: ProvinceId,
    pub life_areas: Vec<String>,
}

/// A new step up the ladder.
#[derive(Debug, Clone)]
pub struct NewEscalation {
    pub canvas: CanvasId,
    pub from_level: EscalationLevel,
    pub to_level: EscalationLevel,
    pub question: String,
    pub by: AccountId,
    /// Unix milliseconds; now, except in the demo's history.
    pub at: i64,
    /// The canvas as it is now: the whole Yjs document as one update.
    pub snapshot: Vec<u8>,
}

/// An answer to an open escalation; with [`Outcome::VerderOpgeschaald`], `further` is the next
/// step.
#[derive(Debug, Clone)]
pub struct EscalationAnswer {
    pub escalation: EscalationId,
    pub canvas: CanvasId,
    pub by: AccountId,
    pub answer: String,
    pub outcome: Outcome,
    pub further: Option<NewEscalation>,
    /// Unix milliseconds; now, except in the demo's history.
    pub at: i64,
}

/// A ledger entry as stored.
#[derive(Debug, Clone)]
pub struct LedgerRow {
    pub id: EntryId,
    pub canvas_id: String,
    pub canvas_label: String,
    pub year: i32,
    pub kind: Kind,
    pub amount_cents: i64,
    pub purpose: String,
    pub why_not_regular: String,
    pub approved_by: String,
    pub entry_date: String,
    pub corrects: Option<EntryId>,
    pub over_budget_confirmed: bool,
    pub recorded_by: String,
    pub recorded_at: i64,
}

/// A ledger entry to add.
#[derive(Debug, Clone)]
pub struct NewLedgerEntry {
    pub team: TeamId,
    pub year: i32,
    pub canvas: CanvasId,
    pub kind: Kind,
    /// Positive; negative only for a correction.
    pub amount_cents: i64,
    pub purpose: String,
    pub why_not_regular: String,
    pub approved_by: String,
    pub entry_date: String,
    pub corrects: Option<EntryId>,
    pub confirm_over_budget: bool,
    pub by: AccountId,
}

/// What became of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryOutcome {
    Added(EntryId),
    /// Over budget without confirmation; what remains.
    OverBudget(i64),
    /// A correction larger than what is left of the entry; what is left.
    OverCorrection(i64),
    /// The corrected entry is not on this canvas, or is itself a correction.
    NoSuchEntry,
    /// No budget was set for the year.
    NoBudget,
    /// The canvas is gearchiveerd: nothing is booked on it any more.
    Archived,
}

#[derive(Debug, Clone)]
pub struct NotificationRow {
    pub id: i64,
    pub text: String,
    pub link: String,
    pub created_at: i64,
    pub read: bool,
}

#[async_trait]
pub trait Workflow: Send + Sync + 'static {
    async fn canvas_status(&self, canvas: &CanvasId) -> Result<Option<CanvasStatus>, StoreError>;

    /// Moves the canvas from `from` to `to` and records who did it, at `at` (Unix ms; now,
    /// except in the demo's history); `false` (and nothing changed) when its status is no
    /// longer `from`.
    async fn change_status(
        &self,
        canvas: &CanvasId,
        from: CanvasStatus,
        to: CanvasStatus,
        by: AccountId,
        note: &str,
        at: i64,
    ) -> Result<bool, StoreError>;

    async fn status_history(&self, canvas: &CanvasId) -> Result<Vec<StatusChangeRow>, StoreError>;

    /// Opens an escalation from the team: puts the canvas at the new level and status
    /// opgeschaald. `None` when it is no longer at `from_level` in behandeling.
    async fn escalate(&self, step: &NewEscalation) -> Result<Option<EscalationId>, StoreError>;

    /// Records who picked an open escalation up; `false` if it is answered or picked up already.
    async fn pick_up(&self, escalation: EscalationId, by: AccountId) -> Result<bool, StoreError>;

    /// Answers an open escalation: back to the team (level team, status in behandeling), or one
    /// step further up. `false` when it was answered meanwhile.
    async fn answer(&self, answer: &EscalationAnswer) -> Result<bool, StoreError>;

    /// The path of a canvas, oldest first.
    async fn escalations(&self, canvas: &CanvasId) -> Result<Vec<EscalationRow>, StoreError>;

    /// One escalation of a canvas with the frozen copy of the canvas.
    async fn escalation_snapshot(
        &self,
        canvas: &CanvasId,
        escalation: EscalationId,
    ) -> Result<Option<(EscalationRow, Vec<u8>)>, StoreError>;

    /// Every open escalation, the oldest first.
    async fn open_escalations(&self) -> Result<Vec<OpenEscalationRow>, StoreError>;

    /// Sets a team's budget for a year, if it is still `seen` (`None`: not set yet): a
    /// compare-and-set like every workflow write. `false` when someone else changed it first.
    async fn set_budget(
        &self,
        team: TeamId,
        year: i32,
        cents: i64,
        by: AccountId,
        seen: Option<i64>,
    ) -> Result<bool, StoreError>;

    async fn budget(&self, team: TeamId, year: i32) -> Result<Option<i64>, StoreError>;

    /// The years a team has a budget or entries for, newest first.
    async fn budget_years(&self, team: TeamId) -> Result<Vec<i32>, StoreError>;

    async fn ledger(&self, team: TeamId, year: i32) -> Result<Vec<LedgerRow>, StoreError>;

    async fn canvas_ledger(&self, canvas: &CanvasId) -> Result<Vec<LedgerRow>, StoreError>;

    /// Stores the leeropbrengst of a canvas (replacing an earlier one, after reopening).
    async fn save_learning(
        &self,
        canvas: &CanvasId,
        learning: &Learning,
        by: AccountId,
        at: i64,
    ) -> Result<(), StoreError>;

    async fn learning(&self, canvas: &CanvasId) -> Result<Option<Learning>, StoreError>;

    /// Records the anonymity findings overridden when archiving, each as a digest of its kind
    /// and words ([`crate::services::archiving::override_digest`]).
    async fn save_overrides(&self, canvas: &CanvasId, digests: &[String])
    -> Result<(), StoreError>;

    /// The digests [`Self::save_overrides`] recorded for the canvas.
    async fn overrides(&self, canvas: &CanvasId) -> Result<Vec<String>, StoreError>;

    /// Who may read the archived canvas as learning material.
    async fn set_archive_scope(
        &self,
        canvas: &CanvasId,
        scope: crate::access::policy::ArchiveScope,
    ) -> Result<(), StoreError>;

    /// Adds an entry, checking the budget and any correction in the same statement, so two
    /// entries at the same moment can never together spend what is there once.
    async fn add_entry(&self, entry: &NewLedgerEntry) -> Result<EntryOutcome, StoreError>;

    async fn notify(
        &self,
        accounts: &[AccountId],
        text: &str,
        link: &str,
    ) -> Result<(), StoreError>;

    async fn notifications(&self, account: AccountId) -> Result<Vec<NotificationRow>, StoreError>;

    async fn unread_notifications(&self, account: AccountId) -> Result<i64, StoreError>;

    async fn mark_notifications_read(&self, account: AccountId) -> Result<(), StoreError>;
}
