//! The audit log: who signed in, opened, edited or exported which canvas, and who changed roles
//! and tokens. Append-only (the database refuses changes), and never canvas content.
//!
//! Edits are recorded once per session (or token) and canvas, not per keystroke.

use std::{collections::HashSet, sync::Arc, sync::Mutex};

use crate::{
    canvas::CanvasId,
    ids::{AccountId, Credential, TeamId},
    store::{AuditEntry, Directory},
};

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    SignIn,
    SignInFailed,
    SignOut,
    CanvasCreated,
    CanvasRenamed,
    CanvasOpened,
    CanvasEdited,
    Exported,
    Invited,
    InvitationWithdrawn,
    InvitationAccepted,
    RoleChanged,
    MemberRemoved,
    PasswordResetLink,
    TokenCreated,
    TokenRevoked,
    Administration,
    StatusChanged,
    Escalated,
    EscalationPickedUp,
    EscalationAnswered,
    BudgetBooked,
    MeetingPlanned,
    MeetingChanged,
    MeetingCancelled,
    CalendarFeedChanged,
    VersionSaved,
    GuestInvited,
    GuestRemoved,
    MeetingRecorded,
    MinutesChanged,
    MinutesFixed,
    CommentAdded,
    CommentResolved,
    AnonymityOverridden,
    CanvasPurged,
    Redacted,
}

impl Event {
    pub const ALL: [Event; 37] = [
        Event::SignIn,
        Event::SignInFailed,
        Event::SignOut,
        Event::CanvasCreated,
        Event::CanvasRenamed,
        Event::CanvasOpened,
        Event::CanvasEdited,
        Event::Exported,
        Event::Invited,
        Event::InvitationWithdrawn,
        Event::InvitationAccepted,
        Event::RoleChanged,
        Event::MemberRemoved,
        Event::PasswordResetLink,
        Event::TokenCreated,
        Event::TokenRevoked,
        Event::Administration,
        Event::StatusChanged,
        Event::Escalated,
        Event::EscalationPickedUp,
        Event::EscalationAnswered,
        Event::BudgetBooked,
        Event::MeetingPlanned,
        Event::MeetingChanged,
        Event::MeetingCancelled,
        Event::CalendarFeedChanged,
        Event::VersionSaved,
        Event::GuestInvited,
        Event::GuestRemoved,
        Event::MeetingRecorded,
        Event::MinutesChanged,
        Event::MinutesFixed,
        Event::CommentAdded,
        Event::CommentResolved,
        Event::AnonymityOverridden,
        Event::CanvasPurged,
        Event::Redacted,
    ];

    /// The code stored in the log.
    pub fn code(self) -> &'static str {
        match self {
            Event::SignIn => "sign_in",
            Event::SignInFailed => "sign_in_failed",
            Event::SignOut => "sign_out",
            Event::CanvasCreated => "canvas_created",
            Event::CanvasRenamed => "canvas_renamed",
            Event::CanvasOpened => "canvas_opened",
            Event::CanvasEdited => "canvas_edited",
            Event::Exported => "exported",
            Event::Invited => "invited",
            Event::InvitationWithdrawn => "invitation_withdrawn",
            Event::InvitationAccepted => "invitation_accepted",
            Event::RoleChanged => "role_changed",
            Event::MemberRemoved => "member_removed",
            Event::PasswordResetLink => "password_reset_link",
            Event::TokenCreated => "token_created",
            Event::TokenRevoked => "token_revoked",
            Event::Administration => "administration",
            Event::StatusChanged => "status_changed",
            Event::Escalated => "escalated",
            Event::EscalationPickedUp => "escalation_picked_up",
            Event::EscalationAnswered => "escalation_answered",
            Event::BudgetBooked => "budget_booked",
            Event::MeetingPlanned => "meeting_planned",
            Event::MeetingChanged => "meeting_changed",
            Event::MeetingCancelled => "meeting_cancelled",
            Event::CalendarFeedChanged => "calendar_feed_changed",
            Event::VersionSaved => "version_saved",
            Event::GuestInvited => "guest_invited",
            Event::GuestRemoved => "guest_removed",
            Event::MeetingRecorded => "meeting_recorded",
            Event::MinutesChanged => "minutes_changed",
            Event::MinutesFixed => "minutes_fixed",
            Event::CommentAdded => "comment_added",
            Event::CommentResolved => "comment_resolved",
            Event::AnonymityOverridden => "anonymity_overridden",
            Event::CanvasPurged => "canvas_purged",
            Event::Redacted => "redacted",
        }
    }

    /// The Dutch description shown in the log.
    pub fn dutch(self) -> &'static str {
        match self {
            Event::SignIn => "Ingelogd",
            Event::SignInFailed => "Mislukte inlogpoging",
            Event::SignOut => "Uitgelogd",
            Event::CanvasCreated => "Canvas aangemaakt",
            Event::CanvasRenamed => "Naam van canvas gewijzigd",
            Event::CanvasOpened => "Canvas geopend",
            Event::CanvasEdited => "Canvas bewerkt",
            Event::Exported => "Geëxporteerd",
            Event::Invited => "Uitgenodigd",
            Event::InvitationWithdrawn => "Uitnodiging ingetrokken",
            Event::InvitationAccepted => "Uitnodiging aanvaard",
            Event::RoleChanged => "Rol gewijzigd",
            Event::MemberRemoved => "Uit team verwijderd",
            Event::PasswordResetLink => "Herstellink voor wachtwoord gemaakt",
            Event::TokenCreated => "Toegangstoken aangemaakt",
            Event::TokenRevoked => "Toegangstoken ingetrokken",
            Event::Administration => "Beheer",
            Event::StatusChanged => "Status gewijzigd",
            Event::Escalated => "Opgeschaald",
            Event::EscalationPickedUp => "Opschaling opgepakt",
            Event::EscalationAnswered => "Opschaling beantwoord",
            Event::BudgetBooked => "Geboekt op het doorbraakbudget",
            Event::MeetingPlanned => "Overleg gepland",
            Event::MeetingChanged => "Overleg of agenda gewijzigd",
            Event::MeetingCancelled => "Overleg geannuleerd",
            Event::CalendarFeedChanged => "Agenda-abonnement gewijzigd",
            Event::VersionSaved => "Versie van een canvas opgeslagen",
            Event::GuestInvited => "Gast voor een overleg uitgenodigd of gewijzigd",
            Event::GuestRemoved => "Gast van een overleg verwijderd",
            Event::MeetingRecorded => "Besluit of actiepunt vastgelegd",
            Event::MinutesChanged => "Verslag bewerkt",
            Event::MinutesFixed => "Verslag vastgesteld",
            Event::CommentAdded => "Opmerking geplaatst",
            Event::CommentResolved => "Opmerking afgehandeld of heropend",
            Event::AnonymityOverridden => "Anonimiteitsmelding bij archiveren overschreven",
            Event::CanvasPurged => "Canvas verwijderd na de bewaartermijn",
            Event::Redacted => "Persoonsgegeven verwijderd uit een bevroren kopie",
        }
    }

    /// `entry` as a line of this event, for a use case that writes it in its own transaction.
    pub fn entry(self, entry: AuditEntry) -> AuditEntry {
        AuditEntry {
            event: self.code(),
            ..entry
        }
    }

    pub fn dutch_for_code(code: &str) -> &'_ str {
        Self::ALL
            .into_iter()
            .find(|event| event.code() == code)
            .map_or(code, |event| event.dutch())
    }
}

/// An export could not be recorded in the audit log, so it is not served.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the audit log could not record an export")]
pub struct Unrecorded;

/// (credential, canvas) pairs remembered as edited, at most.
const MAX_REMEMBERED: usize = 100_000;

/// Writes the audit log.
pub struct Audit {
    directory: Arc<dyn Directory>,
    /// (credential, canvas) pairs whose edit is already recorded.
    edited: Mutex<HashSet<(Credential, String)>>,
}

impl Audit {
    pub fn new(directory: Arc<dyn Directory>) -> Self {
        Self {
            directory,
            edited: Mutex::default(),
        }
    }

    /// Appends an entry. A failure is logged, never shown: the action itself already happened.
    pub async fn record(&self, event: Event, entry: AuditEntry) {
        let entry = AuditEntry {
            event: event.code(),
            ..entry
        };
        if let Err(error) = self.directory.append_audit(&entry).await {
            tracing::error!(%error, event = event.code(), "could not write the audit log");
        }
    }

    /// Records an export before it is served: unlike other events, an export whose entry cannot
    /// be written must not happen (it fails closed), so the caller answers 503 instead.
    pub async fn record_export(&self, entry: AuditEntry) -> Result<(), Unrecorded> {
        let entry = AuditEntry {
            event: Event::Exported.code(),
            ..entry
        };
        self.directory.append_audit(&entry).await.map_err(|error| {
            tracing::error!(%error, "could not record an export; it is refused");
            Unrecorded
        })
    }

    /// [`Audit::record_export`] of something taken away from one canvas of `team`.
    pub async fn record_canvas_export(
        &self,
        account: AccountId,
        team: TeamId,
        canvas: &CanvasId,
        detail: String,
    ) -> Result<(), Unrecorded> {
        self.record_export(AuditEntry {
            account_id: Some(account),
            team_id: Some(team),
            canvas_id: Some(canvas.to_string()),
            detail,
            ..AuditEntry::default()
        })
        .await
    }

    /// Records that `credential` edited a canvas, the first time only.
    pub async fn canvas_edited(&self, credential: &Credential, entry: AuditEntry) {
        let key = (
            credential.clone(),
            entry.canvas_id.clone().unwrap_or_default(),
        );
        let first = self.edited.lock().is_ok_and(|mut seen| {
            // Bounded: after a very long uptime an edit may be recorded once more, never lost.
            if seen.len() >= MAX_REMEMBERED {
                seen.clear();
            }
            seen.insert(key)
        });
        if first {
            self.record(Event::CanvasEdited, entry).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_event_has_a_distinct_code() {
        let codes: HashSet<_> = Event::ALL.iter().map(|e| e.code()).collect();
        assert_eq!(codes.len(), Event::ALL.len());
        assert_eq!(Event::dutch_for_code("sign_in"), "Ingelogd");
        assert_eq!(Event::dutch_for_code("onbekend"), "onbekend");
    }
}
