//! What an overleg decides per agenda item: the besluit and the actiepunten ("wie haalt wat op
//! voor de volgende keer"), recorded live and visible to all; open actiepunten follow their
//! owner, their canvas and the next agenda until someone marks them done.

use super::{Refusal, ServiceError, meeting_room::changed};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    format::{dutch_date, dutch_long_date},
    ids::{AccountId, ActionItemId, AgendaItemId, MeetingId},
    state::AppState,
    store::{
        Transaction,
        meeting_records::NewAction,
        meetings::{AgendaRow, MeetingRow, MeetingStatus},
        now_millis,
    },
    text,
};

/// Longest besluit and actiepunt, in characters.
pub const MAX_DECISION: usize = 4_000;
pub const MAX_ACTION: usize = 500;

fn invalid(message: &str) -> ServiceError {
    ServiceError::refused(Refusal::Invalid, message)
}

/// The meeting and one of its items, if the viewer records in it and its verslag is not fixed.
async fn recordable(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    item: AgendaItemId,
) -> Result<(MeetingRow, AgendaRow), ServiceError> {
    let meeting = super::meetings::visible(state, viewer, id).await?;
    if !workspace::may_record_meeting(&viewer.policy, meeting.team) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "Alleen de leden van het team leggen besluiten en actiepunten vast.",
        ));
    }
    if meeting.status == MeetingStatus::Cancelled {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit overleg is geannuleerd.",
        ));
    }
    if state
        .database
        .minutes(id)
        .await?
        .is_some_and(|m| m.fixed_at.is_some())
    {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Het verslag van dit overleg is vastgesteld; er verandert niets meer aan.",
        ));
    }
    let row = state
        .meetings
        .agenda(id)
        .await?
        .into_iter()
        .find(|i| i.id == item)
        .ok_or_else(|| invalid("Dit agendapunt staat niet op de agenda."))?;
    Ok((meeting, row))
}

async fn audit(
    tx: &dyn Transaction,
    viewer: &Viewer,
    meeting: &MeetingRow,
    detail: String,
) -> Result<(), ServiceError> {
    super::meetings::audit(tx, Event::MeetingRecorded, viewer, meeting.team, detail).await
}

/// Records (or replaces) the besluit of an item.
pub async fn decide(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    item: AgendaItemId,
    decision: &str,
) -> Result<(), ServiceError> {
    let (meeting, _) = recordable(state, viewer, id, item).await?;
    let decision = text::paragraphs(decision).map_err(|e| invalid(&e.to_string()))?;
    if decision.chars().count() > MAX_DECISION {
        return Err(invalid("Een besluit is hoogstens 4.000 tekens."));
    }
    let tx = state.database.begin().await?;
    if !tx.set_decision(id, item, &decision).await? {
        return Err(invalid("Dit agendapunt staat niet op de agenda."));
    }
    // The log says that a besluit was recorded, never what it says (casework).
    audit(
        tx.as_ref(),
        viewer,
        &meeting,
        format!("overleg {id}: besluit bij agendapunt {item}"),
    )
    .await?;
    tx.commit().await?;
    changed(state, id);
    Ok(())
}

/// An actiepunt as a form sends it.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ActionFields {
    #[serde(default)]
    pub wat: String,
    /// The owner's account id.
    #[serde(default)]
    pub wie: String,
    /// YYYY-MM-DD.
    #[serde(default)]
    pub wanneer: String,
}

/// The people an actiepunt can go to: the team's members and the overleg's guests; on a canvas
/// item only those who may read that canvas ([`add_action`] checks it).
pub async fn owners(
    state: &AppState,
    meeting: &MeetingRow,
) -> Result<Vec<(AccountId, String)>, ServiceError> {
    let mut out: Vec<(AccountId, String)> = state
        .directory
        .members(meeting.team)
        .await?
        .into_iter()
        .map(|m| {
            let name = if m.name.is_empty() { m.email } else { m.name };
            (m.account_id, name)
        })
        .collect();
    for guest in state.database.guests(meeting.id).await? {
        if !out.iter().any(|(id, _)| *id == guest.account) {
            out.push((guest.account, format!("{} (gast)", guest.name)));
        }
    }
    Ok(out)
}

/// Whether `account` may read `canvas` now.
async fn reads(
    state: &AppState,
    account: AccountId,
    canvas: &crate::canvas::CanvasId,
) -> Result<bool, ServiceError> {
    let (Some(row), Some(facts)) = (
        state.directory.account_by_id(account).await?,
        state.canvases.canvas_facts(canvas).await?,
    ) else {
        return Ok(false);
    };
    let policy = state.directory.policy_account(&row).await?;
    Ok(crate::access::policy::canvas_access(&policy, &facts).may_read())
}

/// Records an actiepunt on an item; its owner is told.
pub async fn add_action(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    item: AgendaItemId,
    fields: &ActionFields,
) -> Result<ActionItemId, ServiceError> {
    let (meeting, row) = recordable(state, viewer, id, item).await?;
    let what = text::single_line(&fields.wat).map_err(|e| invalid(&e.to_string()))?;
    if what.is_empty() || what.chars().count() > MAX_ACTION {
        return Err(invalid("Beschrijf het actiepunt in 1 tot 500 tekens."));
    }
    let owner = fields
        .wie
        .trim()
        .parse::<i64>()
        .ok()
        .map(AccountId)
        .ok_or_else(|| invalid("Kies wie het actiepunt oppakt."))?;
    if !owners(state, &meeting)
        .await?
        .iter()
        .any(|(a, _)| *a == owner)
    {
        return Err(invalid(
            "Kies wie het actiepunt oppakt: iemand van het team of een gast.",
        ));
    }
    if let Some(canvas) = &row.canvas
        && !reads(state, owner, canvas).await?
    {
        return Err(invalid(
            "Deze persoon mag dit canvas niet lezen; kies iemand die dat wel mag.",
        ));
    }
    let due_on = fields.wanneer.trim();
    if crate::format::from_dutch_local(due_on, "12:00").is_none() {
        return Err(invalid(
            "Kies een bestaande datum voor het actiepunt, zoals 2027-03-17.",
        ));
    }
    let now = now_millis();
    let tx = state.database.begin().await?;
    let action = tx
        .add_action(&NewAction {
            meeting: id,
            item,
            canvas: row.canvas.clone(),
            what: what.to_owned(),
            owner,
            due_on: due_on.to_owned(),
            by: viewer.account.id,
            at: now,
        })
        .await?;
    audit(
        tx.as_ref(),
        viewer,
        &meeting,
        format!("overleg {id}: actiepunt {action}"),
    )
    .await?;
    if owner != viewer.account.id {
        let label = row
            .canvas_label
            .clone()
            .unwrap_or_else(|| row.topic.clone());
        let text = format!(
            "Je hebt een actiepunt uit het overleg van {} ({label}), klaar op {}.",
            dutch_long_date(meeting.schedule.starts_at),
            due_on
        );
        tx.notify(&[owner], &text, "/overleggen#actiepunten")
            .await?;
    }
    tx.commit().await?;
    changed(state, id);
    Ok(action)
}

/// Marks an actiepunt done (its owner, or anyone recording in the team's overleggen).
pub async fn finish_action(
    state: &AppState,
    viewer: &Viewer,
    action: ActionItemId,
) -> Result<MeetingId, ServiceError> {
    let not_found = || ServiceError::refused(Refusal::NotFound, "Niet gevonden.");
    let row = state.database.action(action).await?.ok_or_else(not_found)?;
    let meeting = super::meetings::visible(state, viewer, row.meeting)
        .await
        .map_err(|_| not_found())?;
    if !workspace::may_finish_action(&viewer.policy, meeting.team, row.owner) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "Alleen wie het actiepunt heeft, of een lid van het team, zet het op klaar.",
        ));
    }
    let tx = state.database.begin().await?;
    if !tx
        .mark_action_done(action, viewer.account.id, now_millis())
        .await?
    {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit actiepunt is al klaar.",
        ));
    }
    audit(
        tx.as_ref(),
        viewer,
        &meeting,
        format!("actiepunt {action} klaar"),
    )
    .await?;
    tx.commit().await?;
    changed(state, row.meeting);
    Ok(row.meeting)
}

/// Tells the owners of actiepunten that are due today (or overdue and not told yet); the
/// background task calls it on a timer. Each is told once.
pub async fn tell_due(state: &AppState) -> Result<usize, ServiceError> {
    let today = dutch_date(now_millis());
    let tx = state.database.begin().await?;
    let due = tx.take_due_actions(&today).await?;
    for action in &due {
        // The label and the date only: what the actiepunt says is casework. The label only for
        // an owner who may still read the canvas.
        let readable = match &action.canvas {
            Some(canvas) => reads(state, action.owner, canvas).await?,
            None => false,
        };
        let text = match action.canvas_label.as_ref().filter(|_| readable) {
            Some(label) => format!(
                "Je actiepunt bij {label} moet op {} klaar zijn.",
                action.due_on
            ),
            None => format!("Je actiepunt moet op {} klaar zijn.", action.due_on),
        };
        tx.notify(&[action.owner], &text, "/overleggen#actiepunten")
            .await?;
    }
    tx.commit().await?;
    Ok(due.len())
}
