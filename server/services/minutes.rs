//! The verslag of an overleg: a draft made from what was recorded (date, who was there, per item
//! the label, the besluit and the actiepunten), which the chair edits and then fixes
//! (vaststellen); from then on it does not change.

use super::{Refusal, ServiceError};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    export::minutes::{Minutes, MinutesAction, MinutesItem},
    format::{dutch_long_date, dutch_parts},
    ids::MeetingId,
    state::AppState,
    store::{
        Database, StoreError,
        meeting_records::{ActionScope, Place},
        meetings::{MeetingRow, MeetingStatus},
        now_millis,
    },
    text,
};

/// The verslag as it stands: the stored one, or a draft from the records.
pub struct Current {
    pub minutes: Minutes,
    /// "Vastgesteld op … door …" once fixed.
    pub fixed: Option<String>,
    /// Whether it was saved (edited) at least once.
    pub saved: bool,
}

fn clock(millis: i64) -> String {
    let (_, _, _, hour, minute) = dutch_parts(millis);
    format!("{hour:02}:{minute:02}")
}

/// A draft from what the overleg recorded (the demo makes its verslagen with it too).
pub async fn draft(db: &dyn Database, meeting: &MeetingRow) -> Result<Minutes, StoreError> {
    let id = meeting.id;
    let attendance = db.attendance(id).await?;
    let names = |want: &dyn Fn(&crate::store::meeting_records::AttendanceRow) -> bool| {
        attendance
            .iter()
            .filter(|a| want(a))
            .map(|a| a.name.clone())
            .collect::<Vec<_>>()
    };
    let actions = db.actions(ActionScope::Meeting(id)).await?;
    let items = db
        .agenda(id)
        .await?
        .into_iter()
        .map(|item| MinutesItem {
            title: item.canvas_label.clone().unwrap_or(item.topic.clone()),
            decision: item.decision.clone(),
            actions: actions
                .iter()
                .filter(|a| a.item == item.id)
                .map(|a| MinutesAction {
                    what: a.what.clone(),
                    who: a.owner_name.clone(),
                    due: a.due_on.clone(),
                })
                .collect(),
        })
        .collect();
    let s = &meeting.schedule;
    let place = [s.place.as_str(), s.video_link.as_str()]
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" · ");
    Ok(Minutes {
        team: meeting.team_name.clone(),
        date: dutch_long_date(s.starts_at),
        time: format!(
            "{}–{}",
            clock(s.starts_at),
            clock(s.starts_at + s.duration_minutes * 60_000)
        ),
        place,
        chair: meeting.chair_name.clone(),
        in_room: names(&|a| !a.guest && a.place == Place::Room),
        remote: names(&|a| !a.guest && a.place == Place::Remote),
        guests: names(&|a| a.guest),
        items,
    })
}

/// The verslag of a meeting the viewer may see.
pub async fn current(state: &AppState, meeting: &MeetingRow) -> Result<Current, ServiceError> {
    match state.database.minutes(meeting.id).await? {
        Some(row) => {
            let minutes: Minutes = serde_json::from_str(&row.content).map_err(|_| {
                ServiceError::Store(crate::store::StoreError::Inconsistent("verslag"))
            })?;
            let fixed = row.fixed_at.map(|at| {
                format!(
                    "Vastgesteld op {} door {}",
                    crate::format::dutch_time(at).0,
                    row.fixed_by_name.unwrap_or_default()
                )
            });
            Ok(Current {
                minutes,
                fixed,
                saved: true,
            })
        }
        None => Ok(Current {
            minutes: draft(state.database.as_ref(), meeting).await?,
            fixed: None,
            saved: false,
        }),
    }
}

/// The verslag as the edit form sends it: the lists one name per line, a besluit per item.
#[derive(Debug, Default, Clone, serde::Deserialize)]
pub struct MinutesFields {
    #[serde(default)]
    pub zaal: String,
    #[serde(default)]
    pub afstand: String,
    #[serde(default)]
    pub gasten: String,
    /// Besluit per item, in agenda order.
    #[serde(default)]
    pub besluit: Vec<String>,
}

/// The meeting, if the viewer may read its verslag (404 for who may not see the overleg, 403
/// for who sees it but not its verslag).
pub async fn readable(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    let meeting = super::meetings::visible(state, viewer, id).await?;
    if !workspace::may_read_minutes(&viewer.policy, meeting.team) {
        return Err(ServiceError::refused(
            Refusal::Forbidden,
            "Het verslag is er voor wie in het team werkt.",
        ));
    }
    Ok(meeting)
}

/// The meeting, if the viewer may edit or fix its verslag: the chair, once it has run.
async fn editable(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
) -> Result<MeetingRow, ServiceError> {
    let meeting =
        super::meetings::chaired(state, viewer, id, "bewerkt en stelt het verslag vast").await?;
    if meeting.status == MeetingStatus::Cancelled {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Dit overleg is geannuleerd; het heeft geen verslag.",
        ));
    }
    Ok(meeting)
}

fn names(raw: &str) -> Result<Vec<String>, ServiceError> {
    let mut out = Vec::new();
    for line in raw.lines() {
        let name =
            text::single_line(line).map_err(|e| ServiceError::refused(Refusal::Invalid, e))?;
        if name.chars().count() > 200 {
            return Err(ServiceError::refused(
                Refusal::Invalid,
                "Een naam in het verslag is hoogstens 200 tekens.",
            ));
        }
        if !name.is_empty() {
            out.push(name.to_owned());
        }
    }
    Ok(out)
}

const FIXED: &str = "Het verslag is vastgesteld; er verandert niets meer aan.";

/// Saves the chair's edits of the verslag (not once it is fixed).
pub async fn save(
    state: &AppState,
    viewer: &Viewer,
    id: MeetingId,
    fields: &MinutesFields,
) -> Result<(), ServiceError> {
    let meeting = editable(state, viewer, id).await?;
    let mut minutes = current(state, &meeting).await?.minutes;
    minutes.in_room = names(&fields.zaal)?;
    minutes.remote = names(&fields.afstand)?;
    minutes.guests = names(&fields.gasten)?;
    if fields.besluit.len() != minutes.items.len() {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "De agenda is intussen veranderd. Open het verslag opnieuw.",
        ));
    }
    for (item, decision) in minutes.items.iter_mut().zip(&fields.besluit) {
        let decision =
            text::paragraphs(decision).map_err(|e| ServiceError::refused(Refusal::Invalid, e))?;
        if decision.chars().count() > super::outcomes::MAX_DECISION {
            return Err(ServiceError::refused(
                Refusal::Invalid,
                "Een besluit is hoogstens 4.000 tekens.",
            ));
        }
        item.decision = decision;
    }
    let content = serde_json::to_string(&minutes)
        .map_err(|_| ServiceError::Store(crate::store::StoreError::Inconsistent("verslag")))?;
    let tx = state.database.begin().await?;
    if !tx
        .save_minutes(id, &content, viewer.account.id, now_millis())
        .await?
    {
        return Err(ServiceError::refused(Refusal::Conflict, FIXED));
    }
    let detail = format!("verslag van overleg {id}");
    super::meetings::audit(
        tx.as_ref(),
        Event::MinutesChanged,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Fixes the verslag as it stands (the draft, if it was never edited). Only once the overleg
/// has ended.
pub async fn fix(state: &AppState, viewer: &Viewer, id: MeetingId) -> Result<(), ServiceError> {
    let meeting = editable(state, viewer, id).await?;
    if meeting.status != MeetingStatus::Finished {
        return Err(ServiceError::refused(
            Refusal::Conflict,
            "Een verslag wordt vastgesteld als het overleg is afgerond.",
        ));
    }
    let standing = current(state, &meeting).await?;
    if standing.fixed.is_some() {
        return Err(ServiceError::refused(Refusal::Conflict, FIXED));
    }
    let content = serde_json::to_string(&standing.minutes)
        .map_err(|_| ServiceError::Store(crate::store::StoreError::Inconsistent("verslag")))?;
    let at = now_millis();
    let tx = state.database.begin().await?;
    if !standing.saved {
        tx.save_minutes(id, &content, viewer.account.id, at).await?;
    }
    if !tx.fix_minutes(id, viewer.account.id, at).await? {
        return Err(ServiceError::refused(Refusal::Conflict, FIXED));
    }
    let detail = format!("verslag van overleg {id} vastgesteld");
    super::meetings::audit(
        tx.as_ref(),
        Event::MinutesFixed,
        viewer,
        meeting.team,
        detail,
    )
    .await?;
    tx.commit().await?;
    super::meeting_room::changed(state, id);
    Ok(())
}
