//! The doorbraakoverleg: planning (once or every N weeks), changing and cancelling (the team is
//! told, calendars follow through the sequence), the agenda (canvases and free topics, in order),
//! and the secret calendar feed of each person.

use super::{Refusal, ServiceError};
use crate::{
    access::{policy, workspace},
    audit::Event,
    auth::{Viewer, secret},
    canvas::{CanvasId, status::CanvasStatus},
    format::{dutch_time, from_dutch_local},
    ids::{AccountId, AgendaItemId, MeetingId, TeamId},
    state::AppState,
    store::{
        AuditEntry, Transaction,
        meeting_records::{ActionRow, ActionScope},
        meetings::{MeetingRow, MeetingStatus, NewAgendaItem, NewMeeting, Schedule},
        now_millis,
    },
    text,
};

const PLANNERS_ONLY: &str =
    "Alleen de aanjager of de projectleider plant overleggen en zet de agenda.";
const NOT_PLANNED: &str = "Dit overleg is niet meer gepland; het kan niet meer worden gewijzigd.";
const CHANGED_MEANWHILE: &str = "Iemand anders heeft dit overleg intussen gewijzigd. Bekijk de nieuwe gegevens en probeer het opnieuw.";
/// How many overleggen one planning may make, and how far apart.
pub const MAX_OCCURRENCES: u32 = 26;
pub const MAX_EVERY_WEEKS: u32 = 8;

/// A schedule as a form sends it, checked by [`schedule`].
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct ScheduleFields {
    #[serde(default)]
    pub datum: String,
    #[serde(default)]
    pub tijd: String,
    #[serde(default)]
    pub duur: String,
    #[serde(default)]
    pub plaats: String,
    #[serde(default)]
    pub videolink: String,
    #[serde(default)]
    pub voorzitter: String,
    /// Every N weeks; empty for once.
    #[serde(default)]
    pub elke_weken: String,
    /// How many, with `elke_weken`.
    #[serde(default)]
    pub aantal: String,
}

fn invalid(message: &str) -> ServiceError {
    ServiceError::refused(Refusal::Invalid, message)
}

/// Checks the fields: a real moment in Dutch time, 15 to 480 minutes, one-line place, an https
/// video link, a chair who is the team's aanjager or projectleider.
async fn schedule(
    state: &AppState,
    team: TeamId,
    fields: &ScheduleFields,
) -> Result<Schedule, ServiceError> {
    let starts_at = from_dutch_local(fields.datum.trim(), fields.tijd.trim())
        .ok_or_else(|| invalid("Kies een bestaande datum en tijd, zoals 2027-03-03 en 14:00."))?;
    let duration_minutes: i64 = fields
        .duur
        .trim()
        .parse()
        .ok()
        .filter(|m| (15..=480).contains(m))
        .ok_or_else(|| invalid("De duur is een aantal minuten tussen 15 en 480."))?;
    let one_line = |raw: &str, what: &str| -> Result<String, ServiceError> {
        let line = text::single_line(raw).map_err(|e| invalid(&e.to_string()))?;
        if line.chars().count() > 300 {
            return Err(invalid(&format!("{what} is langer dan 300 tekens.")));
        }
        Ok(line.to_owned())
    };
    let place = one_line(&fields.plaats, "De plaats")?;
    let video_link = one_line(&fields.videolink, "De videolink")?;
    if !video_link.is_empty() && !video_link.starts_with("https://") {
        return Err(invalid("Een videolink begint met https://."));
    }
    if place.is_empty() && video_link.is_empty() {
        return Err(invalid("Vul een plaats of een videolink in (of allebei)."));
    }
    let chair = fields
        .voorzitter
        .trim()
        .parse::<i64>()
        .ok()
        .map(AccountId)
        .ok_or_else(|| invalid("Kies de voorzitter."))?;
    let chairs = state
        .directory
        .members(team)
        .await?
        .into_iter()
        .any(|m| m.account_id == chair && workspace::may_chair(m.role));
    if !chairs {
        return Err(invalid(
            "De voorzitter is de aanjager of de projectleider van het team.",
        ));
    }
    Ok(Schedule {
        starts_at,
        duration_minutes,
        place,
        video_link,
        chair,
    })
}

fn may_plan(viewer: &Viewer, team: TeamId) -> Result<(), ServiceError> {
    if workspace::may_plan_meetings(&viewer.policy, team) {
        Ok(())
    } else {
        Err(ServiceError::refused(Refusal::Forbidden, PLANNERS_ONLY))
    }
}

/// "di 3 maart 2027 14:00"-like words for notifications: the Dutch date and time.
fn when(millis: i64) -> String {
    dutch_time(millis).0
}

/// Tells the team's members and the overleg's guests, but `actor`, about `meeting`.
async fn tell_team(
    tx: &dyn Transaction,
    team: TeamId,
    actor: AccountId,
    text: &str,
    meeting: MeetingId,
) -> Result<(), ServiceError> {
    let mut members: Vec<AccountId> = tx
        .members(team)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .chain(tx.guests(meeting).await?.into_iter().map(|g| g.account))
        .filter(|id| *id != actor)
        .collect();
    members.sort_unstable();
    members.dedup();
    tx.notify(&members, text, &format!("/overleggen/{meeting}"))
        .await?;
    Ok(())
}

/// Writes the audit line of a use case on an overleg, in its transaction.
pub(super) async fn audit(
    tx: &dyn Transaction,
    event: Event,
    viewer: &Viewer,
    team: impl Into<Option<TeamId>>,
    detail: String,
) -> Result<(), ServiceError> {
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: team.into(),
        detail,
        ..AuditEntry::default()
    };
    tx.append_audit(&event.entry(entry)).await?;
    Ok(())
}

/// Plans one overleg, or a series every N weeks; the team's canvases that are ingebracht go on
/// the first one's agenda. Returns the ids, first first.
pub async fn plan(
    state: &AppState,
    viewer: &Viewer,
    team: TeamId,
    fields: &ScheduleFields,
) -> Result<Vec<MeetingId>, ServiceError> {
    may_plan(viewer, team)?;
    let first = schedule(state, team, fields).await?;
    let (every, count) = match fields.elke_weken.trim() {
        "" => (0, 1),
        raw => {
            let every: u32 = raw
                .parse()
                .ok()
                .filter(|w| (1..=MAX_EVERY_WEEKS).contains(w))
                .ok_or_else(|| {
                    invalid(&format!("Herhalen kan elke 1 tot {MAX_EVERY_WEEKS} weken."))
                })?;
            let count: u32 = fields
                .aantal
                .trim()
                .parse()
                .ok()
                .filter(|n| (2..=MAX_OCCURRENCES).contains(n))
                .ok_or_else(|| {
                    invalid(&format!("Een reeks is 2 tot {MAX_OCCURRENCES} overleggen."))
                })?;
            (every, count)
        }
    };
    let proposed = proposals(state, team, None).await?;
    let series = (count > 1).then(|| uuid::Uuid::new_v4().to_string());
    let now = now_millis();
    let tx = state.database.begin().await?;
    let mut ids = Vec::new();
    for n in 0..count {
        // Same local time every time, across the change to or from summer time.
        let local = first.starts_at + i64::from(n * every) * 7 * 86_400_000;
        let starts_at = shift_to_same_local_time(first.starts_at, local);
        let id = tx
            .create_meeting(&NewMeeting {
                uid: format!("{}@doorbraak", uuid::Uuid::new_v4()),
                team,
                schedule: Schedule {
                    starts_at,
                    ..first.clone()
                },
                series: series.clone(),
                by: viewer.account.id,
                at: now,
            })
            .await?;
        super::guests::set_window(state, tx.as_ref(), id, now).await?;
        ids.push(id);
    }
    for (canvas, brought_by) in &proposed {
        tx.add_agenda_item(
            ids[0],
            &NewAgendaItem {
                canvas: Some(canvas.clone()),
                topic: String::new(),
                brought_by: brought_by.clone(),
                timebox_minutes: 20,
            },
        )
        .await?;
    }
    let detail = if count > 1 {
        format!(
            "{count} overleggen, elke {every} weken, vanaf {}",
            when(first.starts_at)
        )
    } else {
        format!("overleg {} op {}", ids[0], when(first.starts_at))
    };
    audit(tx.as_ref(), Event::MeetingPlanned, viewer, team, detail).await?;
    let text = if count > 1 {
        format!(
            "Er zijn {count} overleggen gepland, elke {every} weken, vanaf {}.",
            when(first.starts_at)
        )
    } else {
        format!("Er is een overleg gepland op {}.", when(first.starts_at))
    };
    tell_team(tx.as_ref(), team, viewer.account.id, &text, ids[0]).await?;
    for (canvas, _) in &proposed {
        tell_inbrenger(tx.as_ref(), viewer, canvas, ids[0], first.starts_at).await?;
    }
    tx.commit().await?;
    Ok(ids)
}

/// `moment` moved by whole days from `first` so that it has `first`'s Dutch clock time again
/// (a week after 14:00 in winter is 14:00 in summer, not 15:00).
fn shift_to_same_local_time(first: i64, moment: i64) -> i64 {
    let (_, _, _, hour, minute) = crate::format::dutch_parts(first);
    let date = crate::format::dutch_date(moment);
    from_dutch_local(&date, &format!("{hour:02}:{minute:02}")).unwrap_or(moment)
}

/// The team's canvases proposed for an agenda and not on `meeting`'s yet, with who brought them
/// in: those ingebracht, and those with actiepunten still open from an earlier overleg.
pub async fn proposals(
    state: &AppState,
    team: TeamId,
    meeting: Option<MeetingId>,
) -> Result<Vec<(CanvasId, String)>, ServiceError> {
    let on_agenda: Vec<CanvasId> = match meeting {
        Some(m) => state
            .meetings
            .agenda(m)
            .await?
            .into_iter()
            .filter_map(|i| i.canvas)
            .collect(),
        None => Vec::new(),
    };
    let followed_up: Vec<CanvasId> = state
        .database
        .actions(ActionScope::OpenOfTeam(team))
        .await?
        .into_iter()
        .filter(|a| Some(a.meeting) != meeting)
        .filter_map(|a| a.canvas)
        .collect();
    let mut out = Vec::new();
    for canvas in state.canvases.list_canvases().await? {
        let Some(facts) = canvas.access.as_ref() else {
            continue;
        };
        let Ok(id) = canvas.id.parse::<CanvasId>() else {
            continue;
        };
        let proposed =
            canvas.status == CanvasStatus::Ingebracht.code() || followed_up.contains(&id);
        if facts.team != team || facts.archived || !proposed || on_agenda.contains(&id) {
            continue;
        }
        let brought_by = match facts.brought_in_by {
            Some(account) => state
                .directory
                .account_by_id(account)
                .await?
                .map(|a| a.display_name().to_owned())
                .unwrap_or_default(),
            None => String::new(),
        };
        out.push((id, brought_by));
    }
    Ok(out)
}

/// The inbrenger hears that their canvas is on the agenda, and when.
async fn tell_inbrenger(
    tx: &dyn Transaction,
    viewer: &Viewer,
    canvas: &CanvasId,
    meeting: MeetingId,
    starts_at: i64,
) -> Result<(), ServiceError> {
    // Read through the transaction, which holds the meeting's lock: not through the pool that
    // the writers waiting for that lock may hold.
    let Some(facts) = tx.canvas_facts(canvas).await? else {
        return Ok(());
    };
    let Some(inbrenger) = facts.brought_in_by.filter(|a| *a != viewer.account.id) else {
        return Ok(());
    };
    let label = tx.canvas_label(canvas).await?.unwrap_or_default();
    let text = format!(
        "Je canvas {label} staat op de agenda van het overleg van {}.",
        when(starts_at)
    );
    tx.notify(&[inbrenger], &text, &format!("/overleggen/{meeting}"))
        .await?;
    Ok(())
}

/// The viewer's open actiepunten that they may still read: on a canvas they may read, or on a
/// topic of an overleg they see.
pub async fn open_actions_of(
    state: &AppState,
    viewer: &Viewer,
) -> Result<Vec<ActionRow>, ServiceError> {
    let mut out = Vec::new();
    for action in state
        .database
        .actions(ActionScope::OpenOfOwner(viewer.account.id))
        .await?
    {
        let readable = match &action.canvas {
            Some(canvas) => match state.canvases.canvas_facts(canvas).await? {
                Some(facts) => policy::canvas_access(&viewer.policy, &facts).may_read(),
                None => false,
            },
            None => workspace::may_see_meeting(&viewer.policy, action.team, action.meeting),
        };
        if readable {
            out.push(action);
        }
    }
    Ok(out)
}

/// The meeting, if the viewer may see it (404 otherwise).
pub async fn visible(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    match state.meetings.meeting(id).await? {
        Some(m) if workspace::may_see_meeting(&viewer.policy, m.team, m.id) => Ok(m),
        _ => Err(ServiceError::refused(Refusal::NotFound, "Niet gevonden.")),
    }
}

/// The overleggen in someone's calendar: those of their teams and those they are a guest of,
/// soonest first.
pub async fn of_person(
    state: &AppState,
    policy: &crate::access::policy::Account,
) -> Result<Vec<MeetingRow>, ServiceError> {
    let teams = workspace::meeting_teams(policy);
    let mut list = state.meetings.meetings_of_teams(&teams).await?;
    for id in &policy.guest.meetings {
        if list.iter().any(|m| m.id == *id) {
            continue;
        }
        if let Some(m) = state.meetings.meeting(*id).await? {
            list.push(m);
        }
    }
    list.sort_by_key(|m| (m.schedule.starts_at, m.id));
    Ok(list)
}

/// The meeting, if the viewer runs it (the aanjager or projectleider of its team); otherwise
/// refused with "Alleen de voorzitter … {does}." (404 for who may not see it at all).
pub(super) async fn chaired(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    does: &str,
) -> Result<MeetingRow, ServiceError> {
    let meeting = visible(state, viewer, id).await?;
    if !workspace::may_run_meeting(&viewer.policy, meeting.team) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            format!("Alleen de voorzitter (de aanjager of de projectleider) {does}."),
        ));
    }
    Ok(meeting)
}

/// A planned meeting the viewer may change.
async fn changeable(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    let meeting = visible(state, viewer, id).await?;
    may_plan(viewer, meeting.team)?;
    if meeting.status != MeetingStatus::Planned {
        return Err(ServiceError::refused(Refusal::Conflict, NOT_PLANNED));
    }
    Ok(meeting)
}

/// A new date, time, place or chair, if nobody changed the meeting since `sequence`; the team is
/// told and calendars take it over (the sequence goes up).
pub async fn reschedule(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    sequence: i64,
    fields: &ScheduleFields,
) -> Result<(), ServiceError> {
    let meeting = changeable(state, viewer, id).await?;
    let new = schedule(state, meeting.team, fields).await?;
    let tx = state.database.begin().await?;
    let now = now_millis();
    if !tx.reschedule(id, sequence, &new, now).await? {
        return Err(ServiceError::refused(Refusal::Conflict, CHANGED_MEANWHILE));
    }
    let closed = super::guests::set_window(state, tx.as_ref(), id, now).await?;
    let detail = format!(
        "overleg {id}: {} wordt {}",
        when(meeting.schedule.starts_at),
        when(new.starts_at)
    );
    audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    let text = format!(
        "Het overleg van {} is gewijzigd: nu op {}.",
        when(meeting.schedule.starts_at),
        when(new.starts_at)
    );
    tell_team(tx.as_ref(), meeting.team, viewer.account.id, &text, id).await?;
    tx.commit().await?;
    if closed {
        super::guests::close_guests(state, id).await?;
    }
    Ok(())
}

/// Ends the overleg: every canvas that was on the table gets a version "Na overleg 3 maart 2027",
/// a frozen copy as it is at this moment, in the same transaction (every canvas on the agenda, for
/// an overleg recorded afterwards without running it live). The guests' window closes after the
/// grace period.
pub async fn finish(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<usize, ServiceError> {
    let meeting = visible(state, viewer, id).await?;
    may_plan(viewer, meeting.team)?;
    if !matches!(
        meeting.status,
        MeetingStatus::Planned | MeetingStatus::Running
    ) {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit overleg is al afgerond of geannuleerd.",
        ));
    }
    let name = format!(
        "Na overleg {}",
        crate::format::dutch_long_date(meeting.schedule.starts_at)
    );
    // The copies are encoded before the transaction begins (it holds the write lock).
    let mut copies = Vec::new();
    let agenda = state.meetings.agenda(id).await?;
    let ran_live = meeting.live.started_at.is_some();
    for item in agenda {
        if ran_live && item.discussed_at.is_none() {
            continue;
        }
        if let Some(canvas) = item.canvas {
            let snapshot = state.sync.snapshot(&canvas).await?;
            copies.push((canvas, snapshot));
        }
    }
    let now = now_millis();
    let tx = state.database.begin().await?;
    if !tx.finish_meeting(id, now).await? {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit overleg is al afgerond of geannuleerd.",
        ));
    }
    for (canvas, snapshot) in &copies {
        tx.save_version(&crate::store::versions::NewVersion {
            canvas: canvas.clone(),
            kind: crate::store::versions::VersionKind::Overleg,
            name: name.clone(),
            snapshot: snapshot.clone(),
            meeting: Some(id),
            by: viewer.account.id,
            at: now,
        })
        .await?;
    }
    let closed = super::guests::set_window(state, tx.as_ref(), id, now).await?;
    let detail = format!("overleg {id} afgerond, {} versie(s)", copies.len());
    audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    if closed {
        super::guests::close_guests(state, id).await?;
    }
    super::meeting_room::changed(state, id);
    Ok(copies.len())
}

/// Cancels a planned meeting; the team is told, calendars show it cancelled.
pub async fn cancel(state: &AppState, viewer: &Viewer, id: MeetingId) -> Result<(), ServiceError> {
    let meeting = changeable(state, viewer, id).await?;
    let tx = state.database.begin().await?;
    let now = now_millis();
    if !tx.cancel_meeting(id, now).await? {
        return Err(ServiceError::refused(Refusal::Conflict, NOT_PLANNED));
    }
    super::guests::set_window(state, tx.as_ref(), id, now).await?;
    let detail = format!("overleg {id} van {}", when(meeting.schedule.starts_at));
    audit(
        tx.as_ref(),
        Event::MeetingCancelled,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    let text = format!(
        "Het overleg van {} gaat niet door.",
        when(meeting.schedule.starts_at)
    );
    tell_team(tx.as_ref(), meeting.team, viewer.account.id, &text, id).await?;
    tx.commit().await?;
    super::guests::close_guests(state, id).await?;
    Ok(())
}

/// What can go on an agenda.
pub enum AgendaAddition<'a> {
    /// A canvas of the team, by its id as sent.
    Canvas(&'a str),
    /// A free topic (mededelingen, lerend evalueren).
    Topic(&'a str),
}

/// Puts a canvas of the team or a topic at the end of the agenda, with a time box in minutes.
pub async fn add_to_agenda(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    what: AgendaAddition<'_>,
    timebox: &str,
) -> Result<AgendaItemId, ServiceError> {
    let meeting = changeable(state, viewer, id).await?;
    let timebox_minutes: i64 = timebox
        .trim()
        .parse()
        .ok()
        .filter(|m| (1..=240).contains(m))
        .ok_or_else(|| invalid("De tijd voor een agendapunt is 1 tot 240 minuten."))?;
    let (item, canvas) = match what {
        AgendaAddition::Canvas(raw) => {
            let canvas: CanvasId = raw
                .parse()
                .map_err(|_| invalid("Kies een canvas van het team."))?;
            let facts = state.canvases.canvas_facts(&canvas).await?;
            if !facts.is_some_and(|f| f.team == meeting.team && !f.archived) {
                return Err(invalid("Kies een canvas van het team."));
            }
            let brought_by = proposals(state, meeting.team, None)
                .await?
                .into_iter()
                .find(|(c, _)| *c == canvas)
                .map(|(_, by)| by)
                .unwrap_or_default();
            let item = NewAgendaItem {
                canvas: Some(canvas.clone()),
                topic: String::new(),
                brought_by,
                timebox_minutes,
            };
            (item, Some(canvas))
        }
        AgendaAddition::Topic(raw) => {
            let topic = text::single_line(raw).map_err(|e| invalid(&e.to_string()))?;
            if topic.is_empty() || topic.chars().count() > 200 {
                return Err(invalid(
                    "Een onderwerp is 1 tot 200 tekens, zoals Mededelingen.",
                ));
            }
            let item = NewAgendaItem {
                canvas: None,
                topic: topic.to_owned(),
                brought_by: String::new(),
                timebox_minutes,
            };
            (item, None)
        }
    };
    let tx = state.database.begin().await?;
    let added = match tx.add_agenda_item(id, &item).await {
        Ok(added) => added,
        Err(crate::store::StoreError::Duplicate) => {
            return Err(ServiceError::refused(
                Refusal::Conflict,
                "Dit canvas staat al op de agenda.",
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let detail = format!("overleg {id}: agendapunt {added} toegevoegd");
    audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    if let Some(canvas) = &canvas {
        tell_inbrenger(tx.as_ref(), viewer, canvas, id, meeting.schedule.starts_at).await?;
    }
    tx.commit().await?;
    Ok(added)
}

/// Makes the overleg a lerend-evalueren session: every leerpunt and veranderactie of the team's
/// leeragenda that is not done goes on its agenda as an onderwerp ("Leerpunt: …", with its
/// owner and due date), ten minutes each, after what is on it; one already there is not added
/// twice. Returns how many were added.
pub async fn add_learning_agenda(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<usize, ServiceError> {
    let meeting = changeable(state, viewer, id).await?;
    let points = state.database.agenda_points(meeting.team).await?;
    let on_it: Vec<String> = state
        .meetings
        .agenda(id)
        .await?
        .into_iter()
        .map(|item| item.topic)
        .collect();
    let tx = state.database.begin().await?;
    let mut added = 0;
    for point in points.iter().filter(|p| p.status != "klaar") {
        let kind = if point.kind == "veranderactie" {
            "Veranderactie"
        } else {
            "Leerpunt"
        };
        let text: String = point.text.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut topic = format!("{kind}: {text}");
        if topic.chars().count() > 200 {
            topic = topic.chars().take(199).collect::<String>() + "…";
        }
        if on_it.contains(&topic) {
            continue;
        }
        let item = NewAgendaItem {
            canvas: None,
            topic,
            brought_by: format!("{} (vóór {})", point.owner, point.due),
            timebox_minutes: 10,
        };
        tx.add_agenda_item(id, &item).await?;
        added += 1;
    }
    if added == 0 {
        return Err(invalid(
            "De leeragenda van het team heeft geen open punten die nog niet op de agenda staan.",
        ));
    }
    let detail = format!("overleg {id}: {added} punten van de leeragenda op de agenda");
    audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(added)
}

/// Takes an item off the agenda, or moves it one place up or down.
pub async fn change_agenda(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    item: AgendaItemId,
    change: AgendaChange,
) -> Result<(), ServiceError> {
    let meeting = changeable(state, viewer, id).await?;
    let row = state
        .meetings
        .agenda(id)
        .await?
        .into_iter()
        .find(|i| i.id == item);
    if let (AgendaChange::Remove, Some(row)) = (change, &row) {
        let recorded = !row.decision.is_empty()
            || state
                .database
                .actions(ActionScope::Meeting(id))
                .await?
                .iter()
                .any(|a| a.item == item);
        if recorded {
            return Err(ServiceError::refused(
                Refusal::Conflict,
                "Bij dit agendapunt zijn al een besluit of actiepunten vastgelegd; het blijft op \
                 de agenda.",
            ));
        }
    }
    let tx = state.database.begin().await?;
    let done = match change {
        AgendaChange::Remove => tx.remove_agenda_item(id, item).await?,
        AgendaChange::Up => tx.move_agenda_item(id, item, true).await?,
        AgendaChange::Down => tx.move_agenda_item(id, item, false).await?,
    };
    if !done {
        // Already gone, or already first or last: nothing to do, said plainly.
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit agendapunt kan niet verder die kant op, of staat er niet meer.",
        ));
    }
    let detail = format!("overleg {id}: agendapunt {item} {}", change.dutch());
    audit(
        tx.as_ref(),
        Event::MeetingChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    // A canvas off the agenda is off the guests' window too: what they have open of it closes.
    if matches!(change, AgendaChange::Remove) && row.is_some_and(|r| r.canvas.is_some()) {
        super::guests::close_guests(state, id).await?;
    }
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum AgendaChange {
    Remove,
    Up,
    Down,
}

impl AgendaChange {
    fn dutch(self) -> &'static str {
        match self {
            AgendaChange::Remove => "verwijderd",
            AgendaChange::Up => "omhoog",
            AgendaChange::Down => "omlaag",
        }
    }
}

/// A new secret for the viewer's calendar feed (the old one stops working); returned once.
pub async fn renew_feed(state: &AppState, viewer: &Viewer) -> Result<String, ServiceError> {
    let secret = secret::fresh();
    let tx = state.database.begin().await?;
    tx.set_calendar_feed(viewer.account.id, &secret::hash(&secret), now_millis())
        .await?;
    let detail = "nieuwe agendalink".into();
    audit(
        tx.as_ref(),
        Event::CalendarFeedChanged,
        viewer,
        None,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(secret)
}

/// Stops the viewer's calendar feed.
pub async fn revoke_feed(state: &AppState, viewer: &Viewer) -> Result<(), ServiceError> {
    let tx = state.database.begin().await?;
    tx.remove_calendar_feed(viewer.account.id).await?;
    let detail = "agendalink ingetrokken".into();
    audit(
        tx.as_ref(),
        Event::CalendarFeedChanged,
        viewer,
        None,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
