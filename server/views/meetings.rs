//! The overleggen: a team's list with the planning form, one overleg with its agenda, and the
//! person's own overleggen with their calendar link.

use maud::{Markup, html};

use super::{
    components::{copyable, csrf_field, dutch_time, error_message, topbar},
    layout,
};
use crate::{
    format::dutch_parts,
    ids::AccountId,
    services::meetings::{MAX_EVERY_WEEKS, MAX_OCCURRENCES, ScheduleFields},
    store::{
        TeamRow,
        meeting_records::ActionRow,
        meetings::{AgendaRow, MeetingRow, MeetingStatus},
    },
    views::SignedIn,
};

/// Who may chair: (account, name).
pub type Chairs<'a> = &'a [(AccountId, String)];

fn status_badge(status: MeetingStatus) -> Markup {
    html! { span.status-badge data-status=(status.code()) { (status.dutch()) } }
}

fn where_(m: &MeetingRow) -> Markup {
    html! {
        @if !m.schedule.place.is_empty() { (m.schedule.place) }
        @if !m.schedule.place.is_empty() && !m.schedule.video_link.is_empty() { " · " }
        @if !m.schedule.video_link.is_empty() { a href=(m.schedule.video_link) rel="noopener noreferrer" { "videoverbinding" } }
    }
}

fn meetings_table(meetings: &[MeetingRow]) -> Markup {
    html! {
        table.dashboard.meetings {
            thead { tr { th scope="col" { "Wanneer" } th scope="col" { "Waar" } th scope="col" { "Voorzitter" } th scope="col" { "Status" } } }
            tbody {
                @for m in meetings {
                    tr data-meeting=(m.id) {
                        td { a href={ "/overleggen/" (m.id) } { (dutch_time(m.schedule.starts_at)) } " (" (m.schedule.duration_minutes) " min)" }
                        td { (where_(m)) }
                        td { (m.chair_name) }
                        td { (status_badge(m.status)) }
                    }
                }
            }
        }
    }
}

/// The fields of a schedule, filled with `typed` (a refused form) or `current` (the overleg).
fn schedule_fields(
    chairs: Chairs,
    typed: Option<&ScheduleFields>,
    current: Option<&MeetingRow>,
    series: bool,
) -> Markup {
    let (date, time, duration, place, video, chair) = match (typed, current) {
        (Some(t), _) => (
            t.datum.clone(),
            t.tijd.clone(),
            t.duur.clone(),
            t.plaats.clone(),
            t.videolink.clone(),
            t.voorzitter.clone(),
        ),
        (None, Some(m)) => {
            let (y, mo, d, h, mi) = dutch_parts(m.schedule.starts_at);
            (
                format!("{y:04}-{mo:02}-{d:02}"),
                format!("{h:02}:{mi:02}"),
                m.schedule.duration_minutes.to_string(),
                m.schedule.place.clone(),
                m.schedule.video_link.clone(),
                m.schedule.chair.to_string(),
            )
        }
        (None, None) => (
            String::new(),
            "14:00".into(),
            "120".into(),
            String::new(),
            String::new(),
            String::new(),
        ),
    };
    html! {
        label for="meeting-date" { "Datum" }
        input #meeting-date name="datum" type="date" required value=(date);
        label for="meeting-time" { "Tijd (Nederlandse tijd)" }
        input #meeting-time name="tijd" type="time" required value=(time);
        label for="meeting-duration" { "Duur in minuten" }
        input #meeting-duration name="duur" type="number" min="15" max="480" step="5" required value=(duration);
        label for="meeting-place" { "Plaats" }
        input #meeting-place name="plaats" type="text" maxlength="300" value=(place) aria-describedby="meeting-place-hint";
        p.hint #meeting-place-hint { "Een plaats, een videolink, of allebei." }
        label for="meeting-video" { "Videolink" }
        input #meeting-video name="videolink" type="url" maxlength="300" placeholder="https://" value=(video);
        label for="meeting-chair" { "Voorzitter" }
        select #meeting-chair name="voorzitter" required {
            @for (id, name) in chairs { option value=(id) selected[chair == id.to_string()] { (name) } }
        }
        @if series {
            label for="meeting-every" { "Herhalen" }
            select #meeting-every name="elke_weken" {
                option value="" { "Eenmalig" }
                @for w in 1..=MAX_EVERY_WEEKS { option value=(w) selected[typed.is_some_and(|t| t.elke_weken == w.to_string())] { "Elke " (w) " weken" } }
            }
            label for="meeting-count" { "Aantal overleggen in de reeks" }
            input #meeting-count name="aantal" type="number" min="2" max=(MAX_OCCURRENCES) value=(typed.map_or("6".to_owned(), |t| t.aantal.clone()));
        }
    }
}

pub struct TeamMeetings<'a> {
    pub team: &'a TeamRow,
    pub meetings: &'a [MeetingRow],
    pub may_plan: bool,
    pub chairs: Chairs<'a>,
    pub error: Option<String>,
    pub typed: Option<&'a ScheduleFields>,
}

pub fn team_page(viewer: &SignedIn, page: &TeamMeetings, nonce: &str) -> Markup {
    let team = page.team;
    layout(
        "Overleggen",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #overleggen {
                h1 { "Overleggen van " (team.name) }
                p { a href={ "/teams/" (team.id) } { "Naar het team" } " · " a href="/overleggen" { "Mijn overleggen en agendalink" } }
                @if page.meetings.is_empty() { p.empty { "Er zijn nog geen overleggen gepland." } } @else { (meetings_table(page.meetings)) }
                @if page.may_plan {
                    h2 #plan-title { "Overleg plannen" }
                    p.hint { "Canvassen met de status ingebracht, en canvassen met open actiepunten uit een eerder overleg, komen vanzelf op de agenda van het eerste overleg." }
                    form.stacked #plan-form method="post" action={ "/teams/" (team.id) "/overleggen" } novalidate {
                        (csrf_field(viewer))
                        @if let Some(error) = &page.error { (error_message(error)) }
                        (schedule_fields(page.chairs, page.typed, None, true))
                        button type="submit" { "Plannen" }
                    }
                }
            }
        },
    )
}

pub struct MeetingPage<'a> {
    pub meeting: &'a MeetingRow,
    /// The live section (views::meeting_room), rendered for the viewer.
    pub live: Markup,
    pub agenda: &'a [AgendaRow],
    /// Canvases of the team that are ingebracht or have open actiepunten and are not on the
    /// agenda: (id, label).
    pub proposals: &'a [(String, String)],
    pub may_plan: bool,
    pub chairs: Chairs<'a>,
    pub error: Option<String>,
    pub typed: Option<&'a ScheduleFields>,
}

pub fn meeting_page(viewer: &SignedIn, page: &MeetingPage, nonce: &str) -> Markup {
    let m = page.meeting;
    let base = format!("/overleggen/{}", m.id);
    let editable = page.may_plan && m.status == MeetingStatus::Planned;
    let total: i64 = page.agenda.iter().map(|i| i.timebox_minutes).sum();
    layout(
        "Overleg",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #overleg data-meeting=(m.id) {
                h1 { "Overleg " (dutch_time(m.schedule.starts_at)) " " (status_badge(m.status)) }
                dl.summary-facts {
                    dt { "Team" } dd { a href={ "/teams/" (m.team) "/overleggen" } { (m.team_name) } }
                    dt { "Duur" } dd { (m.schedule.duration_minutes) " minuten" }
                    dt { "Waar" } dd { (where_(m)) }
                    dt { "Voorzitter" } dd { (m.chair_name) }
                }
                p { a href={ (base) "/agenda.ics" } download { "In je agenda zetten (.ics)" } }
                @if let Some(error) = &page.error { (error_message(error)) }
                // While it runs and after, the live section holds the agenda with what was decided.
                @if matches!(m.status, MeetingStatus::Planned | MeetingStatus::Cancelled) {
                section aria-labelledby="agenda-title" {
                    h2 #agenda-title { "Agenda" }
                    @if page.agenda.is_empty() {
                        p.empty { "Er staat nog niets op de agenda." }
                    } @else {
                        ol.agenda {
                            @for (n, item) in page.agenda.iter().enumerate() {
                                li data-item=(item.id) {
                                    @if let (Some(canvas), Some(label)) = (&item.canvas, &item.canvas_label) {
                                        a href={ "/canvases/" (canvas.as_str()) } { (label) }
                                        @if !item.brought_by.is_empty() { " · ingebracht door " (item.brought_by) }
                                        " · " a href={ "/canvases/" (canvas.as_str()) "/verschil?van=vorig-overleg&tot=nu" } { "wat is er veranderd sinds het vorige overleg" }
                                    } @else {
                                        (item.topic)
                                    }
                                    " · " (item.timebox_minutes) " min"
                                    @if editable {
                                        " "
                                        @if n > 0 { (agenda_button(viewer, &base, item, "omhoog", "Omhoog")) }
                                        @if n + 1 < page.agenda.len() { (agenda_button(viewer, &base, item, "omlaag", "Omlaag")) }
                                        (agenda_button(viewer, &base, item, "verwijderen", "Van de agenda"))
                                    }
                                }
                            }
                        }
                        p.hint { "Samen " (total) " minuten." }
                    }
                    @if editable {
                        @if !page.proposals.is_empty() {
                            h3 { "Voorgesteld: ingebracht of met open actiepunten, en nog niet op de agenda" }
                            ul {
                                @for (id, label) in page.proposals {
                                    li {
                                        form.inline method="post" action={ (base) "/agenda" } {
                                            (csrf_field(viewer))
                                            input type="hidden" name="canvas" value=(id);
                                            input type="hidden" name="minuten" value="20";
                                            (label) " "
                                            button.secondary type="submit" aria-label={ "Op de agenda: " (label) } { "Op de agenda" }
                                        }
                                    }
                                }
                            }
                        }
                        form.row #topic-form method="post" action={ (base) "/agenda" } novalidate {
                            (csrf_field(viewer))
                            label for="topic" { "Onderwerp toevoegen" }
                            input #topic name="onderwerp" type="text" required maxlength="200" placeholder="Mededelingen";
                            label for="topic-minutes" { "Minuten" }
                            input #topic-minutes name="minuten" type="number" min="1" max="240" value="10" required;
                            button type="submit" { "Toevoegen" }
                        }
                        form.row #learning-agenda-form method="post" action={ (base) "/leeragenda" } {
                            (csrf_field(viewer))
                            span.hint { "Lerend evalueren: zet de open punten van de leeragenda van het team op de agenda." }
                            button.secondary type="submit" { "Leeragenda op de agenda" }
                        }
                    }
                }
                }
                (page.live)
                @if editable {
                    details.plan-change {
                        summary { "Overleg wijzigen" }
                        form.stacked #change-form method="post" action={ (base) "/wijzigen" } novalidate {
                            (csrf_field(viewer))
                            input type="hidden" name="volgnummer" value=(m.sequence);
                            (schedule_fields(page.chairs, page.typed, Some(m), false))
                            button type="submit" { "Wijzigen en het team laten weten" }
                        }
                    }
                    form.inline method="post" action={ (base) "/afronden" }
                        data-confirm="Het overleg afronden? Van elk canvas op de agenda wordt een versie bewaard zoals het nu is." data-confirm-yes="Ja, afronden" {
                        (csrf_field(viewer))
                        button type="submit" { "Overleg afronden" }
                    }
                    " "
                    form.inline method="post" action={ (base) "/annuleren" }
                        data-confirm="Het overleg annuleren? Het team krijgt bericht en het overleg verdwijnt als geannuleerd uit ieders agenda." data-confirm-yes="Ja, annuleren" {
                        (csrf_field(viewer))
                        button.danger type="submit" { "Overleg annuleren" }
                    }
                }
            }
        },
    )
}

fn agenda_button(
    viewer: &SignedIn,
    base: &str,
    item: &AgendaRow,
    action: &str,
    text: &str,
) -> Markup {
    let what = item
        .canvas_label
        .clone()
        .unwrap_or_else(|| item.topic.clone());
    html! {
        form.inline method="post" action={ (base) "/agenda/" (item.id) "/" (action) } {
            (csrf_field(viewer))
            button.secondary.small type="submit" aria-label={ (text) ": " (what) } { (text) }
        }
    }
}

pub struct MyMeetings<'a> {
    pub meetings: &'a [MeetingRow],
    /// The person's open actiepunten.
    pub actions: &'a [ActionRow],
    pub has_feed: bool,
    /// The feed's URL right after it was made: shown once.
    pub new_feed: Option<String>,
}

pub fn my_page(viewer: &SignedIn, page: &MyMeetings, nonce: &str) -> Markup {
    layout(
        "Mijn overleggen",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #mijn-overleggen {
                h1 { "Mijn overleggen" }
                @if page.meetings.is_empty() { p.empty { "Je teams hebben nog geen overleggen gepland." } } @else { (meetings_table(page.meetings)) }
                h2 #actiepunten { "Mijn open actiepunten" }
                @if page.actions.is_empty() {
                    p.empty { "Je hebt geen open actiepunten." }
                } @else {
                    ul.actions {
                        @for a in page.actions {
                            li data-action=(a.id) {
                                (a.what) " · klaar op " (a.due_on) " · "
                                a href={ "/overleggen/" (a.meeting) } { "overleg van " (crate::format::dutch_date(a.meeting_starts_at)) }
                                @if let (Some(canvas), Some(label)) = (&a.canvas, &a.canvas_label) {
                                    " · " a href={ "/canvases/" (canvas.as_str()) } { (label) }
                                }
                                " "
                                form.inline method="post" action={ "/actiepunten/" (a.id) "/klaar" } {
                                    (csrf_field(viewer))
                                    input type="hidden" name="terug" value="/overleggen#actiepunten";
                                    button.secondary.small type="submit" aria-label={ "Klaar: " (a.what) } { "Klaar" }
                                }
                            }
                        }
                    }
                }
                h2 { "In je eigen agenda" }
                p { "Met een agendalink toont je agenda-app (Outlook, Google Agenda, Apple Agenda) de overleggen van je teams, en volgt die wijzigingen en annuleringen. De link is geheim: wie hem heeft, ziet wanneer en waar je teams overleggen en de namen van de canvassen op de agenda." }
                @if let Some(url) = &page.new_feed {
                    div.notice role="status" { p { "Je nieuwe agendalink; hij wordt niet nog eens getoond:" } (copyable("feed-link", url)) }
                }
                @if page.has_feed { p { "Je hebt een agendalink." } }
                form.inline method="post" action="/overleggen/agendalink" {
                    (csrf_field(viewer))
                    button type="submit" { @if page.has_feed { "Nieuwe agendalink (de oude stopt)" } @else { "Agendalink maken" } }
                }
                @if page.has_feed {
                    " "
                    form.inline method="post" action="/overleggen/agendalink/intrekken" data-confirm="De agendalink intrekken? Agenda-apps die hem gebruiken, krijgen geen overleggen meer." {
                        (csrf_field(viewer))
                        button.danger type="submit" { "Agendalink intrekken" }
                    }
                }
            }
        },
    )
}
