//! The running overleg on its page (`section#overleg-live`): what is on the table with the shared
//! timer and the agenda's progress, who is there, per item the besluit and the actiepunten, the
//! guests, and the actiepunten still open from earlier overleggen. The same section is the
//! fragment the page fetches again on every change (`GET /overleggen/{id}/live`).

use maud::{Markup, html};

use super::components::{csrf_input, dutch_time};
use crate::{
    format::{dutch_date, dutch_parts},
    ids::AccountId,
    store::{
        meeting_records::{ActionRow, AttendanceRow, GuestRow, Place},
        meetings::{AgendaRow, MeetingRow, MeetingStatus},
    },
};

/// One agenda item as the viewer may see it.
pub struct LiveItem<'a> {
    pub row: &'a AgendaRow,
    /// Whether the viewer may read what was decided: a topic, or a canvas they may read.
    pub readable: bool,
    /// The canvas is ingebracht and the viewer may move it to in behandeling.
    pub may_take_up: bool,
}

pub struct Live<'a> {
    pub csrf: &'a str,
    pub meeting: &'a MeetingRow,
    pub items: &'a [LiveItem<'a>],
    /// The actiepunten of this overleg.
    pub actions: &'a [ActionRow],
    /// Open actiepunten of the team's earlier overleggen that the viewer may read.
    pub earlier: &'a [ActionRow],
    pub attendance: &'a [AttendanceRow],
    pub guests: &'a [GuestRow],
    /// Who an actiepunt can go to.
    pub owners: &'a [(AccountId, String)],
    pub viewer: AccountId,
    pub may_run: bool,
    pub may_record: bool,
    pub minutes_fixed: bool,
    pub now: i64,
}

fn clock(millis: i64) -> String {
    let (_, _, _, hour, minute) = dutch_parts(millis);
    format!("{hour:02}:{minute:02}")
}

/// `ms` as minutes and seconds, "−" when over time.
pub fn timer_text(ms: i64) -> String {
    let sign = if ms < 0 { "−" } else { "" };
    let seconds = ms.unsigned_abs().div_ceil(1000);
    format!("{sign}{}:{:02}", seconds / 60, seconds % 60)
}

fn button(csrf: &str, action: &str, text: &str, label: Option<&str>, class: &str) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_input(csrf))
            button type="submit" class=(class) aria-label=[label] { (text) }
        }
    }
}

fn title(row: &AgendaRow) -> &str {
    row.canvas_label.as_deref().unwrap_or(&row.topic)
}

pub fn live(l: &Live) -> Markup {
    let m = l.meeting;
    let base = format!("/overleggen/{}", m.id);
    let over = matches!(m.status, MeetingStatus::Finished | MeetingStatus::Cancelled);
    let current = l
        .items
        .iter()
        .position(|i| Some(i.row.id) == m.live.current_item);
    let discussed = l
        .items
        .iter()
        .filter(|i| i.row.discussed_at.is_some())
        .count();
    let recording = l.may_record && !l.minutes_fixed && m.status != MeetingStatus::Cancelled;
    html! {
        section #overleg-live aria-labelledby="live-title" data-meeting=(m.id) data-status=(m.status.code()) {
            h2 #live-title { "Het overleg" }
            @match m.status {
                MeetingStatus::Planned => {
                    p { "Het overleg is nog niet begonnen." }
                    @if l.may_run {
                        (button(l.csrf, &format!("{base}/starten"), "Overleg starten", None, ""))
                    }
                }
                MeetingStatus::Running => {
                    p { "Bezig sinds " (m.live.started_at.map(clock).unwrap_or_default()) "." }
                }
                MeetingStatus::Finished => {
                    p { "Afgerond" @if let Some(at) = m.live.finished_at { " om " (clock(at)) } "." }
                }
                MeetingStatus::Cancelled => { p { "Dit overleg is geannuleerd." } }
            }
            @if m.status == MeetingStatus::Running {
                div.on-table {
                    @if let Some(n) = current {
                        @let item = &l.items[n];
                        p.on-table-title {
                            "Op tafel: " strong #on-table { (title(item.row)) }
                            " · punt " (n + 1) " van " (l.items.len()) ", " (discussed) " besproken"
                        }
                        @let timer = m.live.timer;
                        @let left = timer.left_at(l.now).unwrap_or(0);
                        p.timer-line {
                            "Tijd over: "
                            span.timer #meeting-timer role="timer" data-left-ms=(left) data-running=(timer.running())
                                data-over=[(left < 0).then_some("true")] { (timer_text(left)) }
                            @if !timer.running() { " " span.hint #timer-paused { "(gepauzeerd)" } }
                        }
                        @if l.may_run {
                            div.row.chair-controls {
                                @if timer.running() {
                                    (button(l.csrf, &format!("{base}/timer?actie=pauze"), "Timer pauzeren", None, "secondary"))
                                } @else {
                                    (button(l.csrf, &format!("{base}/timer?actie=start"), "Timer starten", None, "secondary"))
                                }
                                (button(l.csrf, &format!("{base}/timer?actie=verlengen&minuten=5"), "5 minuten erbij", None, "secondary"))
                                @if let Some(next) = l.items.get(n + 1) {
                                    (button(l.csrf, &format!("{base}/punt/{}", next.row.id), "Volgend punt", Some(&format!("Volgend punt: {}", title(next.row))), ""))
                                }
                            }
                        }
                    } @else {
                        p { "Er ligt nog niets op tafel." }
                    }
                }
                p.follow-line {
                    button.secondary #follow-chair type="button" hidden data-meeting=(m.id) { "Volg de voorzitter" }
                    span.hint { " Je scherm toont dan het canvas en de stap waar de voorzitter is. Stoppen kan met Esc, of door zelf te scrollen of te typen." }
                }
                @if l.may_run {
                    form.inline method="post" action={ (base) "/afronden" }
                        data-confirm="Het overleg afronden? Van elk besproken canvas wordt een versie bewaard zoals het nu is, en gasten kunnen er daarna niet meer bij." data-confirm-yes="Ja, afronden" {
                        (csrf_input(l.csrf))
                        button type="submit" { "Overleg afronden" }
                    }
                }
            }
            (attendance(l, &base, over))
            @if !l.items.is_empty() && m.status != MeetingStatus::Planned {
                h3 { "Agenda, besluiten en actiepunten" }
                ol.agenda-live {
                    @for (n, item) in l.items.iter().enumerate() {
                        (agenda_item(l, &base, n, item, current == Some(n), recording))
                    }
                }
            }
            @if l.may_run && !over { (guests(l, &base)) }
            @if !l.earlier.is_empty() {
                h3 #eerdere-actiepunten { "Open actiepunten uit eerdere overleggen" }
                (action_list(l, l.earlier, &base, true))
            }
            @if m.status == MeetingStatus::Finished && l.may_record {
                p { a href={ (base) "/verslag" } { @if l.minutes_fixed { "Het vastgestelde verslag" } @else { "Het verslag" } } }
            }
        }
    }
}

fn attendance(l: &Live, base: &str, over: bool) -> Markup {
    let mine = l
        .attendance
        .iter()
        .find(|a| a.account == l.viewer)
        .map(|a| a.place);
    let names = |place: Place| {
        l.attendance
            .iter()
            .filter(|a| a.place == place)
            .map(|a| {
                if a.guest {
                    format!("{} (gast)", a.name)
                } else {
                    a.name.clone()
                }
            })
            .collect::<Vec<_>>()
    };
    html! {
        h3 { "Wie is er" }
        @if l.attendance.is_empty() {
            p.empty { "Nog niemand heeft gezegd dat die er is." }
        } @else {
            dl.summary-facts.attendance {
                @for place in [Place::Room, Place::Remote] {
                    @let list = names(place);
                    @if !list.is_empty() {
                        dt { @if place == Place::Room { "In de zaal" } @else { "Op afstand" } }
                        dd data-place=(place.code()) { (list.join(", ")) }
                    }
                }
            }
        }
        @if !over {
            div.row {
                @for place in [Place::Room, Place::Remote] {
                    @if mine != Some(place) {
                        (button(l.csrf, &format!("{base}/aanwezig?plaats={}", place.code()),
                            if place == Place::Room { "Ik ben in de zaal" } else { "Ik ben er op afstand" }, None, "secondary"))
                    }
                }
            }
        }
    }
}

fn agenda_item(
    l: &Live,
    base: &str,
    n: usize,
    item: &LiveItem,
    on_table: bool,
    recording: bool,
) -> Markup {
    let row = item.row;
    let actions: Vec<&ActionRow> = l.actions.iter().filter(|a| a.item == row.id).collect();
    let running = l.meeting.status == MeetingStatus::Running;
    html! {
        li data-item=(row.id) data-on-table=[on_table.then_some("true")] {
            h4 {
                @if let Some(canvas) = &row.canvas {
                    a href={ "/canvases/" (canvas.as_str()) } { (title(row)) }
                } @else { (title(row)) }
                @if on_table { " " span.badge { "op tafel" } }
                @else if row.discussed_at.is_some() { " " span.hint { "(besproken)" } }
                @if let (Some(canvas), MeetingStatus::Finished) = (&row.canvas, l.meeting.status) {
                    @if item.readable {
                        " · " a.small href={ "/canvases/" (canvas.as_str()) "/verschil?van=vorig-overleg&tot=nu" } { "wat is er veranderd sinds dit overleg" }
                    }
                }
            }
            @if running && l.may_run && !on_table {
                (button(l.csrf, &format!("{base}/punt/{}", row.id), "Op tafel leggen", Some(&format!("Op tafel leggen: {}", title(row))), "secondary small"))
            }
            @if item.may_take_up {
                (button(l.csrf, &format!("{base}/agenda/{}/in-behandeling", row.id), "In behandeling nemen",
                    Some(&format!("In behandeling nemen: {}", title(row))), "secondary small"))
            }
            @if !item.readable {
                p.hint { "Het besluit en de actiepunten zijn er alleen voor wie dit canvas mag lezen." }
            } @else {
                @if !row.decision.is_empty() {
                    div.decision { strong { "Besluit: " } @for line in row.decision.lines() { (line) br; } }
                }
                @if recording {
                    @let form = html! {
                        form.stacked.decision-form method="post" action={ (base) "/agenda/" (row.id) "/besluit" } {
                            (csrf_input(l.csrf))
                            label for={ "besluit-" (n) } { "Besluit bij " (title(row)) }
                            textarea id={ "besluit-" (n) } name="besluit" rows="2" maxlength="4000" data-anonymity { (row.decision) }
                            button.secondary type="submit" { "Besluit vastleggen" }
                        }
                    };
                    // Once recorded, the form to change it is one click away, not in the way.
                    @if row.decision.is_empty() { (form) } @else { details.decision-change { summary { "Besluit wijzigen" } (form) } }
                }
                @if !actions.is_empty() {
                    (action_list(l, &actions.into_iter().cloned().collect::<Vec<_>>(), base, false))
                }
                @if recording {
                    form.row.action-form method="post" action={ (base) "/agenda/" (row.id) "/actiepunten" } {
                        (csrf_input(l.csrf))
                        label for={ "wat-" (n) } { "Actiepunt" }
                        input id={ "wat-" (n) } name="wat" type="text" required maxlength="500" placeholder="Wie haalt wat op voor de volgende keer" data-anonymity;
                        label for={ "wie-" (n) } { "Wie" }
                        select id={ "wie-" (n) } name="wie" required {
                            @for (id, name) in l.owners { option value=(id) { (name) } }
                        }
                        label for={ "wanneer-" (n) } { "Klaar op" }
                        input id={ "wanneer-" (n) } name="wanneer" type="date" required;
                        button.secondary type="submit" { "Actiepunt toevoegen" }
                    }
                }
            }
        }
    }
}

/// Actiepunten with their owner, date and state; open ones with a button to mark them done.
fn action_list(l: &Live, actions: &[ActionRow], base: &str, with_origin: bool) -> Markup {
    html! {
        ul.actions {
            @for a in actions {
                li data-action=(a.id) data-done=[a.done_at.is_some().then_some("true")] {
                    (a.what) " · " (a.owner_name) " · klaar op " (a.due_on)
                    @if with_origin {
                        " · uit het overleg van " (dutch_date(a.meeting_starts_at))
                        @if let Some(label) = &a.canvas_label { " (" (label) ")" }
                    }
                    @if let Some(at) = a.done_at { " · " span.done { "klaar (" (dutch_time(at)) ")" } }
                    @else if l.may_record || a.owner == l.viewer {
                        " "
                        form.inline method="post" action={ "/actiepunten/" (a.id) "/klaar" } {
                            (csrf_input(l.csrf))
                            input type="hidden" name="terug" value=(base);
                            button.secondary.small type="submit" aria-label={ "Klaar: " (a.what) } { "Klaar" }
                        }
                    }
                }
            }
        }
    }
}

fn guests(l: &Live, base: &str) -> Markup {
    html! {
        h3 #gasten { "Gasten" }
        p.hint { "Een gast (een doorbraakcoach, een jurist, iemand van de woningcorporatie) leest de canvassen op de agenda van een uur voor het begin tot het einde van het overleg, en plaatst er opmerkingen bij. Bewerken alleen als je dat aanvinkt." }
        @if l.guests.is_empty() {
            p.empty { "Er zijn geen gasten uitgenodigd." }
        } @else {
            ul.guests {
                @for g in l.guests {
                    li data-guest=(g.account) {
                        (g.name) @if g.may_edit { " · mag bewerken" } @else { " · mag lezen" }
                        " "
                        (button(l.csrf, &format!("{base}/gasten/{}/verwijderen", g.account), "Verwijderen", Some(&format!("Gast verwijderen: {}", g.name)), "secondary small"))
                    }
                }
            }
        }
        form.row #guest-form method="post" action={ (base) "/gasten" } {
            (csrf_input(l.csrf))
            label for="guest-email" { "E-mailadres van de gast" }
            input #guest-email name="email" type="email" required maxlength="200";
            label.checkbox for="guest-edit" { input #guest-edit name="bewerken" type="checkbox" value="ja"; " Mag de canvassen bewerken" }
            button.secondary type="submit" { "Uitnodigen" }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::timer_text;

    #[test]
    fn the_timer_reads_as_minutes_and_seconds_and_shows_overtime() {
        assert_eq!(timer_text(600_000), "10:00");
        assert_eq!(timer_text(59_001), "1:00");
        assert_eq!(timer_text(0), "0:00");
        assert_eq!(timer_text(-61_000), "−1:01");
    }
}
