//! Guests of one overleg: a doorbraakcoach, a jurist, someone of the woningcorporatie. The chair
//! invites them; they read (and comment on) the agenda's canvases from an hour before the start
//! until the overleg ends plus a grace period, and edit them only if the chair says so.
//!
//! The window is one rule ([`window`]), written into the meeting's row by every use case that
//! changes the meeting's time or status, so that the access policy only compares the clock with
//! two columns. When a window closes, the guests' sockets and streams are closed
//! ([`close_ended_windows`], and at once when it closes by a use case).

use super::{Refusal, ServiceError};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    events::{AccessChange, Event as BusEvent},
    ids::{AccountId, MeetingId},
    state::AppState,
    store::{
        Transaction,
        meetings::{MeetingRow, MeetingStatus},
        now_millis,
    },
};

/// Guests may come in (and read the agenda's canvases) this long before the start.
pub const BEFORE_START_MS: i64 = 60 * 60 * 1000;

/// When guests may read the agenda's canvases: from an hour before the start (or when the chair
/// started it, if that was earlier) until the end plus the grace period. While the overleg runs
/// there is no end yet (`None`); a planned one ends at its scheduled end, a finished one when it
/// was finished, a cancelled one never opens.
pub fn window(
    starts_at: i64,
    duration_minutes: i64,
    status: MeetingStatus,
    (started_at, finished_at): (Option<i64>, Option<i64>),
    grace_ms: i64,
) -> (i64, Option<i64>) {
    let from = (starts_at - BEFORE_START_MS).min(started_at.unwrap_or(i64::MAX));
    let until = match status {
        MeetingStatus::Planned => Some(starts_at + duration_minutes * 60_000 + grace_ms),
        MeetingStatus::Running => None,
        MeetingStatus::Finished => Some(finished_at.unwrap_or(starts_at) + grace_ms),
        MeetingStatus::Cancelled => Some(from),
    };
    (from, until)
}

/// The grace period of `--guest-grace-minutes`' default, for what is seeded without settings.
pub const GRACE_DEFAULT_MS: i64 = crate::config::defaults::GUEST_GRACE_MINUTES as i64 * 60_000;

fn grace_ms(state: &AppState) -> i64 {
    i64::try_from(state.settings.guest_grace_minutes)
        .unwrap_or(i64::MAX / 120_000)
        .saturating_mul(60_000)
}

/// Writes the window of `meeting` as it is now (read through `tx`); returns whether it is not
/// open at `now` (ended, or moved to later), in which case the caller closes the guests'
/// connections after committing: they come back with what the new window gives.
pub async fn set_window(
    state: &AppState,
    tx: &dyn Transaction,
    meeting: MeetingId,
    now: i64,
) -> Result<bool, ServiceError> {
    let Some(m) = tx.meeting(meeting).await? else {
        return Ok(false);
    };
    let (from, until) = window(
        m.schedule.starts_at,
        m.schedule.duration_minutes,
        m.status,
        (m.live.started_at, m.live.finished_at),
        grace_ms(state),
    );
    tx.set_guest_window(meeting, from, until).await?;
    Ok(from > now || until.is_some_and(|until| until <= now))
}

/// Closes everything the guests of `meeting` have open, so that they come back with the access
/// they have now.
pub async fn close_guests(state: &AppState, meeting: MeetingId) -> Result<(), ServiceError> {
    for guest in state.database.guests(meeting).await? {
        state
            .events
            .publish(BusEvent::AccessChanged(AccessChange::Account(
                guest.account,
            )));
    }
    Ok(())
}

/// Closes the connections of every guest whose window closed in `(after, upto]`; the background
/// task calls it on a timer.
pub async fn close_ended_windows(
    state: &AppState,
    after: i64,
    upto: i64,
) -> Result<usize, ServiceError> {
    let guests = state
        .database
        .guests_whose_window_closed(after, upto)
        .await?;
    for guest in &guests {
        state
            .events
            .publish(BusEvent::AccessChanged(AccessChange::Account(*guest)));
    }
    Ok(guests.len())
}

/// The meeting, if the viewer runs it (and so chooses its guests).
async fn chaired(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    super::meetings::chaired(state, viewer, id, "nodigt gasten uit").await
}

/// The meeting, if the viewer runs it and it is not over: a new guest only comes to what is to
/// come (removing one is possible until the grace period has run out, see [`remove`]).
async fn runnable(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    let meeting = chaired(state, viewer, id).await?;
    if matches!(
        meeting.status,
        MeetingStatus::Finished | MeetingStatus::Cancelled
    ) {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit overleg is voorbij; er kunnen geen gasten meer bij.",
        ));
    }
    Ok(meeting)
}

/// Invites the account with this e-mail address as a guest of the overleg (or changes whether it
/// may edit); audited, and the guest is told.
pub async fn invite(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    email: &str,
    may_edit: bool,
) -> Result<AccountId, ServiceError> {
    let meeting = runnable(state, viewer, id).await?;
    let email = email.trim();
    let guest = match state.directory.account_by_email(email).await? {
        Some(account) if !email.is_empty() => account,
        _ => {
            return Err(ServiceError::refused(
                Refusal::Invalid,
                "Er is geen account met dit e-mailadres. Vraag de beheerder er een aan te maken.",
            ));
        }
    };
    if workspace::may_see_meetings(&state.directory.policy_account(&guest).await?, meeting.team) {
        return Err(ServiceError::refused(
            Refusal::Invalid,
            "Deze persoon is lid van het team en is er al bij; een gast komt van buiten het team.",
        ));
    }
    let now = now_millis();
    let tx = state.database.begin().await?;
    tx.set_guest(id, guest.id, may_edit, viewer.account.id, now)
        .await?;
    let rights = if may_edit {
        "lezen, opmerkingen plaatsen en bewerken"
    } else {
        "lezen en opmerkingen plaatsen"
    };
    // The grant itself is what the log must show: who, for which overleg, with which rights.
    let detail = format!("overleg {id}: gast account {} ({rights})", guest.id);
    super::meetings::audit(
        tx.as_ref(),
        Event::GuestInvited,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    let text = format!(
        "Je bent gast bij het overleg van {} op {}: je kunt de canvassen op de agenda vanaf een uur \
         voor het begin {rights}.",
        meeting.team_name,
        crate::format::dutch_time(meeting.schedule.starts_at).0
    );
    tx.notify(&[guest.id], &text, &format!("/overleggen/{id}"))
        .await?;
    tx.commit().await?;
    // A changed right takes effect on the guest's open connections too.
    state
        .events
        .publish(BusEvent::AccessChanged(AccessChange::Account(guest.id)));
    Ok(guest.id)
}

/// Takes a guest off the overleg, also during the grace period after it; their connections
/// close at once.
pub async fn remove(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    guest: AccountId,
) -> Result<(), ServiceError> {
    let meeting = chaired(state, viewer, id).await?;
    let tx = state.database.begin().await?;
    if !tx.remove_guest(id, guest).await? {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Deze persoon is geen gast (meer) van dit overleg.",
        ));
    }
    let detail = format!("overleg {id}: gast account {guest} verwijderd");
    super::meetings::audit(
        tx.as_ref(),
        Event::GuestRemoved,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    state
        .events
        .publish(BusEvent::AccessChanged(AccessChange::Account(guest)));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const START: i64 = 1_800_000_000_000;
    const GRACE: i64 = 15 * 60_000;

    #[test]
    fn the_window_opens_an_hour_before_and_closes_at_the_end_plus_grace() {
        let planned = window(START, 90, MeetingStatus::Planned, (None, None), GRACE);
        assert_eq!(
            planned,
            (START - 3_600_000, Some(START + 90 * 60_000 + GRACE))
        );
        assert_eq!(
            window(
                START,
                90,
                MeetingStatus::Running,
                (Some(START), None),
                GRACE
            )
            .1,
            None,
            "a running overleg lasts until the chair ends it, however long it runs over"
        );
        let early = START - 3 * 3_600_000;
        assert_eq!(
            window(
                START,
                90,
                MeetingStatus::Running,
                (Some(early), None),
                GRACE
            )
            .0,
            early,
            "started early, the guests are let in when it starts"
        );
        let ended = START + 30 * 60_000;
        assert_eq!(
            window(
                START,
                90,
                MeetingStatus::Finished,
                (Some(START), Some(ended)),
                GRACE
            )
            .1,
            Some(ended + GRACE),
            "ending early ends the window early"
        );
        let (from, until) = window(START, 90, MeetingStatus::Cancelled, (None, None), GRACE);
        assert_eq!(until, Some(from), "a cancelled overleg never opens");
    }
}
