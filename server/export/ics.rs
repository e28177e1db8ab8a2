//! Overleggen as iCalendar (RFC 5545, written with the `ics` crate): one VTIMEZONE for
//! Europe/Amsterdam, and per overleg a VEVENT with a stable UID, the SEQUENCE that goes up with
//! every change, STATUS:CANCELLED once cancelled, and local times in that zone. No canvas content:
//! the agenda is given by the canvases' anonymous labels only.

use ics::{
    Daylight, Event, ICalendar, Standard, TimeZone, escape_text,
    parameters::TzIDParam,
    properties::{
        CalScale, Description, DtEnd, DtStart, LastModified, Location, Method, RRule, Sequence,
        Status, Summary, TzName, URL,
    },
};

use crate::{
    format::{dutch_parts, utc_parts},
    store::meetings::{MeetingRow, MeetingStatus},
};

const ZONE: &str = "Europe/Amsterdam";

/// One overleg with what its calendar entry says of the agenda.
pub struct Entry<'a> {
    pub meeting: &'a MeetingRow,
    /// The agenda in order: canvas labels and free topics.
    pub agenda: Vec<String>,
    /// Where the overleg's page is.
    pub url: String,
}

/// `jjjjmmddTuummss` in Dutch local time.
fn local(millis: i64) -> String {
    let (y, m, d, h, min) = dutch_parts(millis);
    format!("{y:04}{m:02}{d:02}T{h:02}{min:02}00")
}

/// `jjjjmmddTuummssZ` in UTC.
fn utc(millis: i64) -> String {
    let (y, m, d, h, min) = utc_parts(millis);
    let s = millis.div_euclid(1000).rem_euclid(60);
    format!("{y:04}{m:02}{d:02}T{h:02}{min:02}{s:02}Z")
}

fn amsterdam() -> TimeZone<'static> {
    // The EU rule since 1996: summer time from the last Sunday of March 02:00 to the last
    // Sunday of October 03:00.
    let mut winter = Standard::new("19701025T030000", "+0200", "+0100");
    winter.push(RRule::new("FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU"));
    winter.push(TzName::new("CET"));
    let mut summer = Daylight::new("19700329T020000", "+0100", "+0200");
    summer.push(RRule::new("FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU"));
    summer.push(TzName::new("CEST"));
    let mut zone = TimeZone::standard(ZONE, winter);
    zone.add_daylight(summer);
    zone
}

/// A calendar named `name` holding `entries`; `now` (Unix ms) stamps them.
pub fn calendar(name: &str, entries: &[Entry<'_>], now: i64) -> String {
    let mut calendar = ICalendar::new("2.0", "-//Doorbraak//Doorbraakoverleg//NL");
    calendar.push(CalScale::new("GREGORIAN"));
    calendar.push(Method::new("PUBLISH"));
    calendar.push(ics::components::Property::new(
        "X-WR-CALNAME",
        escape_text(name),
    ));
    calendar.add_timezone(amsterdam());
    for entry in entries {
        let m = entry.meeting;
        let s = &m.schedule;
        let mut event = Event::new(m.uid.clone(), utc(now));
        let mut start = DtStart::new(local(s.starts_at));
        start.add(TzIDParam::new(ZONE));
        let mut end = DtEnd::new(local(s.starts_at + s.duration_minutes * 60_000));
        end.add(TzIDParam::new(ZONE));
        event.push(start);
        event.push(end);
        event.push(Sequence::new(m.sequence.to_string()));
        event.push(LastModified::new(utc(m.updated_at)));
        event.push(Status::new(if m.status == MeetingStatus::Cancelled {
            "CANCELLED"
        } else {
            "CONFIRMED"
        }));
        event.push(Summary::new(escape_text(format!(
            "Doorbraakoverleg {}",
            m.team_name
        ))));
        let place = if s.place.is_empty() {
            s.video_link.clone()
        } else {
            s.place.clone()
        };
        event.push(Location::new(escape_text(place)));
        event.push(URL::new(entry.url.clone()));
        let mut description = format!("Voorzitter: {}\n", m.chair_name);
        if !s.video_link.is_empty() {
            description.push_str(&format!("Video: {}\n", s.video_link));
        }
        if !entry.agenda.is_empty() {
            description.push_str("Agenda:\n");
            for (n, item) in entry.agenda.iter().enumerate() {
                description.push_str(&format!("{}. {item}\n", n + 1));
            }
        }
        event.push(Description::new(
            escape_text(description.trim_end()).into_owned(),
        ));
        calendar.add_event(event);
    }
    calendar.to_string()
}
