//! The workflow panel of a canvas (status and its timeline, the escalation path, the budget
//! entries), the printable summary of an escalation, and the banner of a frozen copy.

use maud::{Markup, html};

use super::{
    booking::{self, BookingForm},
    components::{csrf_input, dutch_time, error_message},
};
use crate::format::euro;
use crate::{
    access::policy::EscalationLevel,
    canvas::{rendement, schema::CanvasContent, status::CanvasStatus},
    store::workflow::{EscalationRow, LedgerRow, StatusChangeRow},
    workflow::{
        ladder::{self, Outcome, level_dutch},
        learning::{AUDIENCES, Bottleneck, Learning, ORDER_HELP},
    },
};

const DAY_MS: i64 = 86_400_000;

/// Whole days between two Unix times in milliseconds.
pub fn days_between(from: i64, to: i64) -> i64 {
    (to - from).max(0) / DAY_MS
}

/// Everything the panel shows, already filtered by what the viewer may do.
pub struct Panel {
    pub canvas_id: String,
    pub csrf: String,
    pub status: CanvasStatus,
    pub history: Vec<StatusChangeRow>,
    /// Statuses the viewer may move the canvas to.
    pub transitions: Vec<CanvasStatus>,
    /// Why the viewer may not make the other moves from here (only their role stands in the way).
    pub blocked: Vec<String>,
    pub escalations: Vec<EscalationRow>,
    /// Levels the viewer may escalate to now (empty: the form is not shown).
    pub escalate_to: Vec<EscalationLevel>,
    /// The open escalation, when the viewer works at its level.
    pub to_handle: Option<EscalationRow>,
    pub ledger: Vec<LedgerRow>,
    /// Whether the viewer may book on the budget.
    pub may_book: bool,
    /// The team's members by name, to choose who approved a booking from.
    pub team_members: Vec<String>,
    pub today: String,
    pub signal_days: u64,
    pub now: i64,
    pub error: Option<String>,
    /// The planned and running overleggen with this canvas on their agenda: (id, start in Unix
    /// ms, running).
    pub on_agenda: Vec<(crate::ids::MeetingId, i64, bool)>,
    /// The leeropbrengst of a closed canvas.
    pub learning: Option<Learning>,
    /// Whether the viewer reads the canvas's history (the escalations' frozen copies).
    pub reads_history: bool,
    /// The closing form's prefill, when the viewer may close the canvas.
    pub closing: Option<ClosingForm>,
    /// What the anonymity check finds in what the archive would keep, when the viewer may
    /// archive the canvas.
    pub archive_findings: Option<Vec<crate::services::archiving::ArchiveFinding>>,
    pub comments: Vec<crate::store::comments::CommentRow>,
    pub may_comment: bool,
    /// Open actiepunten on the canvas, with whether the viewer may mark each done.
    pub actions: Vec<(crate::store::meeting_records::ActionRow, bool)>,
}

/// What the closing form starts with: the tags (kind, code, name, prefilled from the canvas) and
/// whether the doorbraakbudget was used (and why, from the ledger).
#[derive(Debug, Clone, Default)]
pub struct ClosingForm {
    pub tags: Vec<(&'static str, String, String, bool)>,
    pub budget_used: bool,
    pub budget_why: String,
}

/// What a status button asks before it acts, for the moves that close or archive a canvas.
fn confirm_status(to: CanvasStatus) -> Option<String> {
    match to {
        CanvasStatus::Gearchiveerd => Some(
            "Je archiveert dit canvas. Daarna kan niemand het nog wijzigen of erop boeken; het \
             blijft te lezen als lesmateriaal. Dit is niet terug te draaien."
                .to_owned(),
        ),
        CanvasStatus::DoorbraakGerealiseerd | CanvasStatus::AfgeslotenZonderDoorbraak => {
            Some(format!(
                "Je sluit dit canvas af als «{}». Het team ziet dat meteen; het canvas gaat \
                 daarna alleen nog naar «Gearchiveerd».",
                to.dutch()
            ))
        }
        _ => None,
    }
}

/// What escalating to `level` asks before it acts: who will be told.
fn confirm_escalation(level: EscalationLevel) -> String {
    format!(
        "Je schaalt dit canvas op naar {}. {} krijgt hiervan een melding en kan het canvas \
         lezen; tot het antwoord staat het canvas op «Opgeschaald».",
        level_dutch(level),
        capitalised(ladder::who_handles(level))
    )
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map_or_else(String::new, |first| {
        first.to_uppercase().chain(chars).collect()
    })
}

fn status_name(code: &str) -> String {
    code.parse::<CanvasStatus>()
        .map_or_else(|_| code.to_owned(), |s| s.dutch().to_owned())
}

/// The panel; `#workflow` is replaced as a whole when the page refreshes it live.
pub fn panel(p: &Panel) -> Markup {
    let base = format!("/canvases/{}", p.canvas_id);
    html! {
        section #workflow aria-labelledby="workflow-title" data-canvas-id=(p.canvas_id) {
            h2 #workflow-title { "Werkwijze" }
            @if let Some(error) = &p.error { (error_message(error)) }
            @for (meeting, starts_at, running) in &p.on_agenda {
                @if *running {
                    p.on-agenda { "Nu in het " a href={ "/overleggen/" (meeting) } { "overleg van " (dutch_time(*starts_at)) } "." }
                } @else {
                    p.on-agenda { "Op de agenda van het " a href={ "/overleggen/" (meeting) } { "overleg van " (dutch_time(*starts_at)) } "." }
                }
            }
            div.workflow-grid {
                (status_block(p, &base))
                (escalation_block(p, &base))
                (budget_block(p, &base))
                (super::comments::block(&super::comments::CommentsBlock {
                    csrf: &p.csrf,
                    comments: &p.comments,
                    may_comment: p.may_comment,
                    actions: &p.actions,
                }, &base))
            }
        }
    }
}

fn status_block(p: &Panel, base: &str) -> Markup {
    html! {
        div.workflow-part {
            h3 { "Status" }
            p.status-now { "Status: " strong #canvas-status data-status=(p.status.code()) { (p.status.dutch()) } }
            @if !p.transitions.is_empty() {
                form.stacked #status-form method="post" action={ (base) "/status" } novalidate {
                    (csrf_input(&p.csrf))
                    input type="hidden" name="van" value=(p.status.code());
                    label for="status-note" { "Toelichting (optioneel)" }
                    input #status-note name="toelichting" type="text" maxlength="500";
                    @if let Some(closing) = &p.closing { (closing_fields(closing)) }
                    @if let Some(findings) = &p.archive_findings { (archive_fields(findings)) }
                    div.row {
                        @for to in &p.transitions {
                            button type="submit" name="naar" value=(to.code())
                                data-confirm=[confirm_status(*to)]
                                data-confirm-yes=[confirm_status(*to).map(|_| format!("Ja, naar «{}»", to.dutch()))] {
                                "Naar «" (to.dutch()) "»"
                            }
                        }
                    }
                }
            }
            @for why in &p.blocked { p.hint { (why) } }
            @if let Some(learning) = &p.learning { (learning_summary(learning)) }
            @if !p.history.is_empty() {
                h4 { "Tijdlijn" }
                ol.timeline {
                    @for change in &p.history {
                        li {
                            (dutch_time(change.at)) ": " (status_name(&change.from)) " → " (status_name(&change.to))
                            @if let Some(by) = &change.by { ", door " (by) }
                            @if !change.note.is_empty() { span.note { " — " (change.note) } }
                        }
                    }
                }
            }
        }
    }
}

/// The leeropbrengst's fields, asked when closing (the closing buttons send them along).
fn closing_fields(c: &ClosingForm) -> Markup {
    html! {
        fieldset.learning #learning-fields {
            legend { "Leeropbrengst (nodig om af te sluiten)" }
            p.hint { "Wat deze casus leert, voor het leerarchief en lerend evalueren. Anoniem: geen namen, adressen of nummers." }
            label for="learning-bottleneck" { "Wat blokkeerde de reguliere weg?" }
            select #learning-bottleneck name="knelpunt" {
                option value="" { "Kies…" }
                @for b in Bottleneck::ALL { option value=(b.code()) { (b.dutch()) } }
            }
            label for="learning-regulation" { "Regeling uit de lijst (bij een regeling)" }
            select #learning-regulation name="regeling" {
                option value="" { "Geen of niet in de lijst" }
                @for r in crate::canvas::regulations::catalogue() { option value=(r.id) { (r.law) " " (r.article) } }
            }
            label for="learning-bottleneck-text" { "Het systeemknelpunt" }
            textarea #learning-bottleneck-text name="knelpunt_tekst" rows="2" maxlength="2000" data-anonymity {}
            fieldset.choices {
                legend { "Leerorde" }
                p.hint #learning-order-help { (ORDER_HELP) }
                @for n in 1..=3 {
                    label.checkbox { input type="radio" name="leerorde" value=(n) aria-describedby="learning-order-help"; " " (n) "e orde" }
                }
            }
            label for="learning-order-note" { "Toelichting bij de leerorde" }
            textarea #learning-order-note name="leerorde_toelichting" rows="2" maxlength="2000" data-anonymity {}
            fieldset.choices {
                legend { "Wie moet het signaal horen?" }
                @for (code, name) in AUDIENCES {
                    label.checkbox { input type="checkbox" name={ "signaal_" (code) } value="ja"; " " (name) }
                }
            }
            label.checkbox { input #learning-budget type="checkbox" name="budget_gebruikt" value="ja" checked[c.budget_used]; " Het doorbraakbudget is gebruikt" }
            label for="learning-budget-why" { "Waarom werkte de reguliere weg niet?" }
            textarea #learning-budget-why name="budget_waarom" rows="2" maxlength="2000" data-anonymity { (c.budget_why) }
            label for="learning-effect" { "Het effect voor het huishouden (in anonieme termen)" }
            textarea #learning-effect name="effect" rows="2" maxlength="2000" data-anonymity {}
            fieldset.choices {
                legend { "Labels (vooraf ingevuld uit het canvas)" }
                @for (kind, code, name, on) in &c.tags {
                    label.checkbox { input type="checkbox" name={ "tag_" (kind) "_" (code) } value="ja" checked[*on]; " " (name) }
                }
            }
        }
    }
}

/// The anonymity check before archiving: each finding with a field for the reason it is no
/// personal data (or it is taken out of the canvas first).
fn archive_fields(findings: &[crate::services::archiving::ArchiveFinding]) -> Markup {
    html! {
        fieldset.learning #archive-check {
            legend { "Archiveren als lesmateriaal" }
            label for="archive-scope" { "Wie mag het gearchiveerde canvas lezen?" }
            select #archive-scope name="bereik" {
                @for scope in crate::access::policy::ArchiveScope::ALL {
                    option value=(scope.code()) selected[scope == crate::access::policy::ArchiveScope::Province] { (scope.dutch()) }
                }
            }
            @if findings.is_empty() {
                p.hint { "Geen persoonsgegevens gevonden in wat het archief bewaart. Bij archiveren gaan de opmerkingen en de handmatige en overlegversies weg; de opschalingen, de leeropbrengst en het canvas zelf blijven." }
            } @else {
                p.hint { "Het archief is lesmateriaal voor andere teams. Haal deze gegevens uit het canvas, of geef bij elk aan waarom het geen persoonsgegeven is (bijvoorbeeld: zelfbedacht zaaknummer). Elke reden komt in het auditlog." }
                ul.archive-findings {
                    @for (n, f) in findings.iter().enumerate() {
                        li data-kind=(f.kind.code()) {
                            (f.place) ": " (f.kind.dutch()) " “" (f.text) "”"
                            label for={ "archive-reason-" (n) } { "Waarom geen persoonsgegeven?" }
                            input id={ "archive-reason-" (n) } name={ "reden_" (f.key) } type="text" maxlength="300";
                        }
                    }
                }
            }
        }
    }
}

fn learning_summary(l: &Learning) -> Markup {
    html! {
        details.learning-summary {
            summary { "Leeropbrengst" }
            dl.summary-facts {
                dt { "Systeemknelpunt" } dd { (l.bottleneck.dutch()) @if !l.bottleneck_text.is_empty() { ": " (l.bottleneck_text) } }
                dt { "Leerorde" } dd { (l.order) "e orde: " (l.order_note) }
                dt { "Signaal voor" } dd { (l.signal_names().join(", ")) }
                dt { "Doorbraakbudget" } dd { @if l.budget_used { "gebruikt: " (l.budget_why) } @else { "niet gebruikt" } }
                dt { "Effect voor het huishouden" } dd { (l.effect) }
                dt { "Labels" } dd { (l.tag_names().join(", ")) }
            }
        }
    }
}

fn escalation_block(p: &Panel, base: &str) -> Markup {
    html! {
        div.workflow-part {
            h3 { "Opschaling" }
            @if p.escalations.is_empty() {
                p.empty { "Dit canvas is niet opgeschaald." }
            } @else {
                ol.escalations {
                    @for e in &p.escalations {
                        (escalation_item(p, base, e))
                    }
                }
            }
            @if let Some(open) = &p.to_handle {
                (answer_form(p, base, open))
            }
            @if !p.escalate_to.is_empty() {
                form.stacked #escalate-form method="post" action={ (base) "/opschalen" } novalidate
                    data-confirm-from="escalate-to" data-confirm-yes="Ja, opschalen" {
                    (csrf_input(&p.csrf))
                    p.hint #escalate-help {
                        "Gebruikelijk is eerst de directie, dan de doorbraakcoach van de provincie, dan PMM. "
                        "Wie je kiest, krijgt een melding en kan het canvas lezen."
                    }
                    label for="escalate-to" { "Opschalen naar" }
                    select #escalate-to name="naar" aria-describedby="escalate-help" {
                        @for level in &p.escalate_to {
                            option value=(level.code()) data-confirm=(confirm_escalation(*level)) { (level_dutch(*level)) }
                        }
                    }
                    label for="escalate-question" { "Vraag over het systeemprobleem (verplicht)" }
                    textarea #escalate-question name="vraag" required maxlength=(ladder::MAX_TEXT_CHARS) rows="3" data-anonymity {}
                    button type="submit" { "Opschalen" }
                }
            }
        }
    }
}

fn escalation_item(p: &Panel, base: &str, e: &EscalationRow) -> Markup {
    let waited = days_between(e.escalated_at, e.answered_at.unwrap_or(p.now));
    let late = e.is_open() && waited > p.signal_days as i64;
    html! {
        li.escalation data-open=[e.is_open().then_some("true")] data-late=[late.then_some("true")] {
            p {
                strong { "Van " (level_dutch(e.from_level)) " naar " (level_dutch(e.to_level)) }
                ", " (dutch_time(e.escalated_at)) " door " (e.escalated_by)
            }
            p.question { "Vraag: " (e.question) }
            @if let (Some(by), Some(at)) = (&e.picked_up_by, e.picked_up_at) {
                p { "Opgepakt door " (by) ", " (dutch_time(at)) }
            }
            @match (&e.answer, e.outcome) {
                (Some(answer), Some(outcome)) => {
                    p.answer { "Antwoord: " (answer) }
                    p { "Uitkomst: " strong { (outcome.dutch()) }
                        @if let (Some(by), Some(at)) = (&e.answered_by, e.answered_at) { ", " (dutch_time(at)) " door " (by) } }
                }
                _ => {
                    p.waiting {
                        "Wacht op " (ladder::who_handles(e.to_level)) ", al " (waited) " " (if waited == 1 { "dag" } else { "dagen" })
                        @if late { strong.signal { " — langer dan " (p.signal_days) " dagen" } }
                    }
                }
            }
            @if p.reads_history {
                p.links {
                    a href={ (base) "/opschalingen/" (e.id) } { "Canvas zoals het toen was" }
                    " · "
                    a href={ (base) "/opschalingen/" (e.id) "/samenvatting" } { "Samenvatting (afdrukken)" }
                }
            }
        }
    }
}

fn answer_form(p: &Panel, base: &str, open: &EscalationRow) -> Markup {
    let action = format!("{base}/opschalingen/{}", open.id);
    html! {
        div.handle {
            @if open.picked_up_by.is_none() {
                form #pick-up-form method="post" action={ (action) "/oppakken" } {
                    (csrf_input(&p.csrf))
                    button type="submit" { "Oppakken" }
                }
            }
            form.stacked #answer-form method="post" action={ (action) "/antwoord" } novalidate {
                (csrf_input(&p.csrf))
                label for="answer" { "Antwoord" }
                textarea #answer name="antwoord" required maxlength=(ladder::MAX_TEXT_CHARS) rows="3" data-anonymity {}
                label for="outcome" { "Uitkomst" }
                select #outcome name="uitkomst" {
                    @for outcome in Outcome::ALL { option value=(outcome.code()) { (outcome.dutch()) } }
                }
                @let further = ladder::above(open.to_level);
                @if !further.is_empty() {
                    label for="further-to" { "Bij verder opschalen: naar" }
                    select #further-to name="verder_naar" {
                        @for level in &further { option value=(level.code()) { (level_dutch(*level)) } }
                    }
                    label for="further-question" { "Bij verder opschalen: de vraag" }
                    textarea #further-question name="verder_vraag" maxlength=(ladder::MAX_TEXT_CHARS) rows="2" {}
                }
                button type="submit" { "Antwoord vastleggen" }
            }
        }
    }
}

fn budget_block(p: &Panel, base: &str) -> Markup {
    html! {
        div.workflow-part {
            h3 { "Doorbraakbudget" }
            @if p.ledger.is_empty() {
                p.empty { "Nog geen boekingen op dit canvas." }
            } @else {
                table.ledger {
                    thead { tr { th scope="col" { "Datum" } th scope="col" { "Soort" } th scope="col" { "Bedrag" }
                        th scope="col" { "Waarvoor" } th scope="col" { "Waarom niet regulier" } th scope="col" { "Goedgekeurd door" }
                        @if p.may_book { th scope="col" { "Correctie" } } } }
                    tbody {
                        @for entry in &p.ledger { (ledger_row(p, base, entry)) }
                    }
                }
            }
            @if p.may_book {
                form.stacked #budget-form method="post" action={ (base) "/budget" } novalidate {
                    (csrf_input(&p.csrf))
                    (booking::fields(&BookingForm { team_members: &p.team_members, today: &p.today, typed: None }))
                    button type="submit" { "Boeken" }
                }
            }
        }
    }
}

fn ledger_row(p: &Panel, base: &str, entry: &LedgerRow) -> Markup {
    html! {
        tr data-entry=(entry.id) {
            td { (entry.entry_date) }
            td { (entry.kind.dutch()) @if entry.corrects.is_some() { " (correctie)" } }
            td.amount { (euro(entry.amount_cents)) }
            td { (entry.purpose) }
            td { (entry.why_not_regular) }
            td { (entry.approved_by) @if entry.over_budget_confirmed { br; strong.signal { "boven budget bevestigd" } } }
            @if p.may_book {
                td {
                    @if entry.corrects.is_none() {
                        form.correction method="post" action={ (base) "/budget/" (entry.id) "/correctie" } novalidate {
                            (csrf_input(&p.csrf))
                            label for={ "correct-" (entry.id) } { "Bedrag correctie" }
                            input id={ "correct-" (entry.id) } name="bedrag" type="text" inputmode="decimal" required placeholder="1.250,00";
                            label for={ "correct-why-" (entry.id) } { "Reden" }
                            input id={ "correct-why-" (entry.id) } name="reden" type="text" required;
                            button type="submit" { "Corrigeren" }
                        }
                    }
                }
            }
        }
    }
}

/// The banner above a frozen copy.
pub fn frozen_banner(canvas_id: &str, e: &EscalationRow) -> Markup {
    html! {
        div.notice #frozen-banner role="status" {
            p { "Bevroren kopie: dit canvas zoals het was op " (dutch_time(e.escalated_at))
                ", toen het werd opgeschaald naar " (level_dutch(e.to_level)) ". Het kan niet worden bewerkt." }
            p.question { "Vraag: " (e.question) }
            p { a href={ "/canvases/" (canvas_id) } { "Naar het canvas zoals het nu is" } }
        }
    }
}

/// Where a summarised canvas stands, for the summary's heading.
pub struct SummaryContext<'a> {
    pub team: &'a str,
    pub gemeente: &'a str,
    pub status: CanvasStatus,
    /// Unix milliseconds: when the summary was printed.
    pub printed_at: i64,
}

/// The one-page summary of an escalation, for directie, coach or PMM: printable.
pub fn summary(
    label: &str,
    e: &EscalationRow,
    content: &CanvasContent,
    context: &SummaryContext,
) -> Markup {
    let steps = &content.steps;
    let totals = rendement::totals(content);
    let triangle = &steps.value_triangle;
    html! {
        article.summary {
            header {
                p.confidential { "Vertrouwelijk" }
                h1 { "Opschaling: " (label) }
                p { "Van " (level_dutch(e.from_level)) " naar " (level_dutch(e.to_level)) ", " (dutch_time(e.escalated_at)) " door " (e.escalated_by) "." }
                dl.summary-facts {
                    dt { "Team" } dd { (context.team) }
                    dt { "Gemeente" } dd { (context.gemeente) }
                    dt { "Status" } dd #summary-status { (context.status.dutch()) }
                    dt { "Afgedrukt" } dd { (dutch_time(context.printed_at)) }
                }
                p.no-print { button type="button" data-print { "Afdrukken" } }
            }
            section { h2 { "Vraag" } p.question { (e.question) } }
            section { h2 { "Systeemprobleem" } p { (or_dash(&steps.breakthrough.system_problem)) } }
            section { h2 { "De doorbraak" } p { (or_dash(&steps.breakthrough.text)) } }
            section { h2 { "Wat is al geprobeerd" } p { (or_dash(&steps.overview.text)) } }
            section {
                h2 { "Waardendriehoek" }
                dl {
                    dt { "Betrokkenheid" } dd { (or_dash(&triangle.involvement)) }
                    dt { "Legitimiteit" } dd {
                        (or_dash(&triangle.legitimacy.text))
                        @if !triangle.legitimacy.regulations.is_empty() {
                            ul { @for r in &triangle.legitimacy.regulations { li { (r.law) " " (r.article) @if !r.room.is_empty() { ": " (r.room) } } } }
                        }
                    }
                    dt { "Rendement over " (totals.horizon_years) " jaar" }
                    dd {
                        table.totals {
                            tbody {
                                tr { th scope="row" { "Doormodderen (huidige kosten en gevolgschade)" } td.amount { (euro(totals.doormodderen)) } }
                                tr { th scope="row" { "Doorbreken (de maatwerkoplossing)" } td.amount { (euro(totals.doorbreken)) } }
                                tr { th scope="row" { "Netto resultaat (doormodderen − doorbreken)" } td.amount #summary-net { (rendement::net_dutch(totals.net)) } }
                                tr { th scope="row" { "Terugverdientijd" } td.amount #summary-payback { (totals.payback.dutch()) } }
                            }
                        }
                        @if totals.incomplete > 0 { p.hint { (rendement::incomplete_dutch(totals.incomplete)) } }
                    }
                }
            }
        }
    }
}

fn or_dash(text: &str) -> &str {
    if text.trim().is_empty() { "—" } else { text }
}
