//! Running an overleg live: the chair starts it, puts one agenda item after another on the table
//! with a shared timer (started, paused, extended), and can be followed; everyone says where they
//! attend from. Every change is published so the open pages show it at once.
//!
//! The timer is two numbers in the meeting's row (time left when last started or paused, and
//! when it was started), so every page and every server process computes the same time left.

use super::{Refusal, ServiceError, guests};
use crate::{
    access::policy,
    audit::Event,
    auth::Viewer,
    canvas::CanvasId,
    events::{Event as BusEvent, MeetingSignal},
    ids::{AgendaItemId, MeetingId},
    state::AppState,
    store::{
        meeting_records::Place,
        meetings::{MeetingRow, MeetingStatus, Timer},
        now_millis,
    },
};

/// The most a time box can be extended by at once.
pub const MAX_EXTEND_MINUTES: i64 = 60;

/// Tells the overleg's open pages that it changed.
pub fn changed(state: &AppState, meeting: MeetingId) {
    state.events.publish(BusEvent::MeetingChanged {
        meeting,
        signal: MeetingSignal::Changed,
    });
}

fn refused(refusal: Refusal, message: &str) -> ServiceError {
    ServiceError::refused(refusal, message)
}

/// The meeting, if the viewer runs it.
async fn chaired(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    super::meetings::chaired(state, viewer, id, "leidt het overleg").await
}

/// The meeting, if the viewer runs it and it runs.
async fn running(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    let meeting = chaired(state, viewer, id).await?;
    if meeting.status != MeetingStatus::Running {
        return Err(refused(
            Refusal::Conflict,
            "Dit overleg is niet bezig. Start het eerst.",
        ));
    }
    Ok(meeting)
}

/// Starts the overleg; the first agenda item goes on the table.
pub async fn start(state: &AppState, viewer: &Viewer, id: MeetingId) -> Result<(), ServiceError> {
    let meeting = chaired(state, viewer, id).await?;
    let now = now_millis();
    let first = state.meetings.agenda(id).await?.into_iter().next();
    let tx = state.database.begin().await?;
    if !tx.start_meeting(id, now).await? {
        return Err(refused(
            Refusal::Conflict,
            "Dit overleg is al begonnen, afgerond of geannuleerd.",
        ));
    }
    if let Some(item) = &first {
        tx.set_current_item(id, item.id, item.timebox_minutes * 60_000, now)
            .await?;
    }
    guests::set_window(state, tx.as_ref(), id, now).await?;
    let detail = format!("overleg {id} gestart");
    super::meetings::audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    changed(state, id);
    Ok(())
}

/// Puts an agenda item on the table, its timer set to its time box and paused.
pub async fn take_item(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    item: AgendaItemId,
) -> Result<(), ServiceError> {
    running(state, viewer, id).await?;
    let Some(row) = state
        .meetings
        .agenda(id)
        .await?
        .into_iter()
        .find(|i| i.id == item)
    else {
        return Err(refused(
            Refusal::Invalid,
            "Dit agendapunt staat niet op de agenda.",
        ));
    };
    let on = state
        .database
        .set_current_item(id, item, row.timebox_minutes * 60_000, now_millis())
        .await?;
    if !on {
        return Err(refused(Refusal::Conflict, "Dit overleg is niet bezig."));
    }
    changed(state, id);
    Ok(())
}

/// What the chair does with the timer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimerAction {
    Start,
    Pause,
    /// Adds minutes to the time left.
    Extend(i64),
}

/// The timer after `action` at `now`.
pub fn apply(timer: Timer, action: TimerAction, now: i64) -> Timer {
    let left = timer.left_at(now).unwrap_or(0);
    match action {
        TimerAction::Start if timer.running() => timer,
        TimerAction::Start => Timer {
            left_ms: Some(left),
            started_at: Some(now),
        },
        TimerAction::Pause => Timer {
            left_ms: Some(left),
            started_at: None,
        },
        TimerAction::Extend(minutes) => Timer {
            left_ms: Some(left + minutes * 60_000),
            started_at: timer.started_at.map(|_| now),
        },
    }
}

pub async fn timer(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    action: TimerAction,
) -> Result<(), ServiceError> {
    let meeting = running(state, viewer, id).await?;
    if let TimerAction::Extend(minutes) = action
        && !(1..=MAX_EXTEND_MINUTES).contains(&minutes)
    {
        return Err(refused(
            Refusal::Invalid,
            "Verlengen kan met 1 tot 60 minuten tegelijk.",
        ));
    }
    if meeting.live.current_item.is_none() {
        return Err(refused(
            Refusal::Conflict,
            "Er ligt nog geen agendapunt op tafel.",
        ));
    }
    let next = apply(meeting.live.timer, action, now_millis());
    if !state.database.set_timer(id, next).await? {
        return Err(refused(Refusal::Conflict, "Dit overleg is niet bezig."));
    }
    changed(state, id);
    Ok(())
}

/// Whether `canvas` is on the agenda of `meeting`.
async fn on_agenda(
    state: &AppState,
    meeting: MeetingId,
    canvas: &CanvasId,
) -> Result<bool, ServiceError> {
    Ok(state
        .meetings
        .agenda(meeting)
        .await?
        .iter()
        .any(|i| i.canvas.as_ref() == Some(canvas)))
}

/// A step as a page names it: short, of letters, digits and dashes (it becomes a fragment).
fn step_name(raw: &str) -> Result<&str, ServiceError> {
    let ok = raw.len() <= 40
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw)
    } else {
        Err(refused(Refusal::Invalid, "Onbekende stap."))
    }
}

/// The chair is at `canvas` and `step` now: followers go along. With `call`, everyone is asked
/// to come there (each may decline).
pub async fn chair_at(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    canvas: &CanvasId,
    step: &str,
    call: bool,
) -> Result<(), ServiceError> {
    running(state, viewer, id).await?;
    let step = step_name(step)?;
    if !on_agenda(state, id, canvas).await? {
        return Err(refused(
            Refusal::Invalid,
            "Dit canvas staat niet op de agenda.",
        ));
    }
    if !state.database.set_chair_position(id, canvas, step).await? {
        return Err(refused(Refusal::Conflict, "Dit overleg is niet bezig."));
    }
    let (canvas, step) = (canvas.clone(), step.to_owned());
    let signal = if call {
        MeetingSignal::CallToCome { canvas, step }
    } else {
        MeetingSignal::ChairMoved { canvas, step }
    };
    state.events.publish(BusEvent::MeetingChanged {
        meeting: id,
        signal,
    });
    Ok(())
}

/// The viewer attends the overleg from `place` (any member or guest, until it is over).
pub async fn attend(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    place: Place,
) -> Result<(), ServiceError> {
    let meeting = super::meetings::visible(state, viewer, id).await?;
    if matches!(
        meeting.status,
        MeetingStatus::Finished | MeetingStatus::Cancelled
    ) {
        return Err(refused(Refusal::Conflict, "Dit overleg is voorbij."));
    }
    state
        .database
        .set_attendance(id, viewer.account.id, place, now_millis())
        .await?;
    changed(state, id);
    Ok(())
}

/// Whether a follower with `policy` may hear that the chair is at `canvas`: only someone who may
/// read it learns even where the chair is.
pub async fn may_follow_to(
    state: &AppState,
    policy: &policy::Account,
    canvas: &CanvasId,
) -> Result<bool, ServiceError> {
    let Some(facts) = state.canvases.canvas_facts(canvas).await? else {
        return Ok(false);
    };
    Ok(policy::canvas_access(policy, &facts).may_read())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_timer_counts_down_only_while_started_and_extends_from_what_is_left() {
        let t0 = 1_000_000;
        let paused = Timer {
            left_ms: Some(600_000),
            started_at: None,
        };
        assert_eq!(paused.left_at(t0 + 60_000), Some(600_000));
        let started = apply(paused, TimerAction::Start, t0);
        assert_eq!(started.left_at(t0 + 60_000), Some(540_000));
        assert_eq!(apply(started, TimerAction::Start, t0 + 5_000), started);
        let paused_again = apply(started, TimerAction::Pause, t0 + 60_000);
        assert_eq!(paused_again.left_at(t0 + 600_000), Some(540_000));
        let extended = apply(started, TimerAction::Extend(5), t0 + 60_000);
        assert_eq!(extended.left_at(t0 + 60_000), Some(840_000));
        assert!(
            extended.running(),
            "extending a running timer keeps it running"
        );
        let over = started.left_at(t0 + 700_000);
        assert_eq!(over, Some(-100_000), "the time box can run over");
    }
}
