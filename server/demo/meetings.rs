//! The demo's overleggen: two past ones of Doorbraakteam Arnhem that discussed the scooter case
//! (each left a version of it, the earlier one before the rendement and actieplan were filled
//! in, and each its besluiten, an actiepunt and a fixed verslag; the coach joined the second as a
//! remote guest), and one upcoming with an agenda and the actiepunt still open, so "wat is er
//! veranderd sinds het vorige overleg" shows something at once. Fictitious, like the rest of the
//! demo.

use yrs::{Doc, GetString, ReadTxn, StateVector, Text, Transact, Update, updates::decoder::Decode};

use super::{DEMO_CANVAS_ID, scooter_case, workflow::Cast};
use crate::{
    canvas::{CanvasId, schema::root},
    format::{dutch_date, from_dutch_local},
    ids::{AgendaItemId, MeetingId},
    services::{guests, minutes},
    store::{
        Database, StoreError,
        meeting_records::{NewAction, Place},
        meetings::{NewAgendaItem, NewMeeting, Schedule},
        now_millis,
        versions::{NewVersion, VersionKind},
    },
};

const DAY: i64 = 86_400_000;

/// 14:00 Dutch time, `days` from now.
fn at_two(days: i64) -> i64 {
    let date = dutch_date(now_millis() + days * DAY);
    from_dutch_local(&date, "14:00").unwrap_or(now_millis() + days * DAY)
}

/// The scooter case as it stood after an overleg: `cut` removes the last part of some texts,
/// as if they were written later.
fn earlier_case(cut: &[(&str, usize)]) -> Vec<u8> {
    let doc = Doc::new();
    if let Ok(update) = Update::decode_v1(&scooter_case()) {
        let _ = doc.transact_mut().apply_update(update);
    }
    for (name, keep) in cut {
        let text = doc.get_or_insert_text(*name);
        let mut txn = doc.transact_mut();
        let len = text.len(&txn);
        let current = text.get_string(&txn);
        // Cut at a word boundary at or before `keep` characters.
        let at = current
            .char_indices()
            .take_while(|(i, _)| *i <= *keep)
            .filter(|(_, c)| *c == ' ')
            .map(|(i, _)| i as u32)
            .last()
            .unwrap_or(len);
        if at < len {
            text.remove_range(&mut txn, at, len - at);
        }
    }
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
}

pub async fn seed(db: &dyn Database, cast: &Cast) -> Result<(), StoreError> {
    let scooter: CanvasId = DEMO_CANVAS_ID
        .parse()
        .map_err(|_| StoreError::Inconsistent("demo canvas id"))?;
    let schedule = |starts_at: i64| Schedule {
        starts_at,
        duration_minutes: 120,
        place: "Stadhuis Arnhem, zaal 2.14".into(),
        video_link: "https://video.example.nl/doorbraakteam-arnhem".into(),
        chair: cast.aanjager,
    };
    let plan = |starts_at: i64, n: u32| NewMeeting {
        uid: format!("demo-overleg-{n}@doorbraak"),
        team: cast.arnhem,
        schedule: schedule(starts_at),
        series: None,
        by: cast.aanjager,
        at: starts_at - 14 * DAY,
    };
    // Six and three weeks ago: each discussed the scooter case and ended with a version of it.
    let past = [
        (
            at_two(-42),
            earlier_case(&[
                (root::SITUATION, 200),
                (root::BREAKTHROUGH, 40),
                (root::INVOLVEMENT, 60),
            ]),
        ),
        (at_two(-21), earlier_case(&[(root::INVOLVEMENT, 120)])),
    ];
    for (n, (starts_at, snapshot)) in past.into_iter().enumerate() {
        let id = db.create_meeting(&plan(starts_at, n as u32 + 1)).await?;
        let case = add(db, id, Some(&scooter), "", 30).await?;
        let news = add(db, id, None, "Mededelingen", 10).await?;
        let ended = starts_at + 120 * 60_000;
        record(db, cast, id, starts_at, [case, news], &RECORDS[n]).await?;
        db.finish_meeting(id, ended).await?;
        db.save_version(&NewVersion {
            canvas: scooter.clone(),
            kind: VersionKind::Overleg,
            name: format!("Na overleg {}", crate::format::dutch_long_date(starts_at)),
            snapshot,
            meeting: Some(id),
            by: cast.aanjager,
            at: ended,
        })
        .await?;
        fix_minutes(db, cast, id, ended + DAY).await?;
    }
    // In two weeks: the scooter case again, and the twice-yearly lerend evalueren.
    let next = db.create_meeting(&plan(at_two(14), 3)).await?;
    add(db, next, None, "Mededelingen", 10).await?;
    add(db, next, Some(&scooter), "", 30).await?;
    add(
        db,
        next,
        None,
        "Lerend evalueren: wat leren de afgesloten casussen ons?",
        45,
    )
    .await?;
    Ok(())
}

/// What a past overleg recorded: a besluit per item (the case, the mededelingen), one actiepunt
/// on the case ("wie haalt wat op voor de volgende keer") due some days later, whether it was
/// done, and whether the coach joined remotely as a guest.
struct Records {
    decisions: [&'static str; 2],
    action: &'static str,
    due_days: i64,
    done: bool,
    coach_as_guest: bool,
}

const RECORDS: [Records; 2] = [
    Records {
        decisions: [
            "Het team zoekt uit of de scooter uit het doorbraakbudget kan. De consulent Wmo vraagt \
             na of een vervoersvoorziening mogelijk is.",
            "Geen bijzonderheden.",
        ],
        action: "Navragen of de Wmo een vervoersvoorziening biedt",
        due_days: 7,
        done: true,
        coach_as_guest: false,
    },
    Records {
        decisions: [
            "De scooter en het kinderzitje worden uit het doorbraakbudget betaald; op de \
             terugvordering wordt de hardheidsclausule toegepast.",
            "De provinciale doorbraakcoach sluit voortaan op afstand aan.",
        ],
        action: "Offerte voor de scooter en het kinderzitje opvragen",
        // Due before the next overleg: open on its agenda, the canvas and the teamlid's list.
        due_days: 31,
        done: false,
        coach_as_guest: true,
    },
];

/// Runs a past overleg through its items as the chair would have.
async fn record(
    db: &dyn Database,
    cast: &Cast,
    id: MeetingId,
    starts_at: i64,
    items: [AgendaItemId; 2],
    records: &Records,
) -> Result<(), StoreError> {
    db.start_meeting(id, starts_at).await?;
    if records.coach_as_guest {
        db.set_guest(id, cast.coach, false, cast.aanjager, starts_at - 7 * DAY)
            .await?;
    }
    db.set_attendance(id, cast.aanjager, Place::Room, starts_at)
        .await?;
    db.set_attendance(id, cast.teamlid, Place::Room, starts_at)
        .await?;
    if records.coach_as_guest {
        db.set_attendance(id, cast.coach, Place::Remote, starts_at)
            .await?;
    }
    for (n, (item, decision)) in items.iter().zip(records.decisions).enumerate() {
        let at = starts_at + n as i64 * 30 * 60_000;
        db.set_current_item(id, *item, 30 * 60_000, at).await?;
        db.set_decision(id, *item, decision).await?;
    }
    let action = db
        .add_action(&NewAction {
            meeting: id,
            item: items[0],
            canvas: Some(
                DEMO_CANVAS_ID
                    .parse()
                    .map_err(|_| StoreError::Inconsistent("demo canvas id"))?,
            ),
            what: records.action.into(),
            owner: cast.teamlid,
            due_on: dutch_date(starts_at + records.due_days * DAY),
            by: cast.aanjager,
            at: starts_at + 20 * 60_000,
        })
        .await?;
    if records.done {
        db.mark_action_done(action, cast.teamlid, starts_at + 5 * DAY)
            .await?;
    }
    Ok(())
}

/// The verslag made from the records, fixed by the chair.
async fn fix_minutes(
    db: &dyn Database,
    cast: &Cast,
    id: MeetingId,
    at: i64,
) -> Result<(), StoreError> {
    let meeting = db
        .meeting(id)
        .await?
        .ok_or(StoreError::Inconsistent("demo meeting"))?;
    let (from, until) = guests::window(
        meeting.schedule.starts_at,
        meeting.schedule.duration_minutes,
        meeting.status,
        (meeting.live.started_at, meeting.live.finished_at),
        guests::GRACE_DEFAULT_MS,
    );
    db.set_guest_window(id, from, until).await?;
    let minutes = minutes::draft(db, &meeting).await?;
    let content =
        serde_json::to_string(&minutes).map_err(|_| StoreError::Inconsistent("demo verslag"))?;
    db.save_minutes(id, &content, cast.aanjager, at).await?;
    db.fix_minutes(id, cast.aanjager, at).await?;
    Ok(())
}

async fn add(
    db: &dyn Database,
    meeting: MeetingId,
    canvas: Option<&CanvasId>,
    topic: &str,
    minutes: i64,
) -> Result<AgendaItemId, StoreError> {
    db.add_agenda_item(
        meeting,
        &NewAgendaItem {
            canvas: canvas.cloned(),
            topic: topic.into(),
            brought_by: if canvas.is_some() {
                "Ilse Inbrenger".into()
            } else {
                String::new()
            },
            timebox_minutes: minutes,
        },
    )
    .await
}
