//! The beheerder's page.

use maud::{Markup, html};

use super::{
    components::{copyable, csrf_field, dutch_time, error_message, notice, topbar, withdraw_form},
    layout,
};
use crate::{
    store::{AccountRow, GemeenteRow, InvitationKind, InvitationRow, ProvinceRow, TeamRow},
    views::SignedIn,
};

pub struct AdminPage {
    pub provinces: Vec<ProvinceRow>,
    pub gemeenten: Vec<GemeenteRow>,
    pub teams: Vec<TeamRow>,
    /// Names of the teams that have no aanjager yet.
    pub without_aanjager: Vec<String>,
    pub accounts: Vec<AccountRow>,
    /// Every open one-time link, to withdraw.
    pub invitations: Vec<InvitationRow>,
    pub message: Option<String>,
    pub link: Option<String>,
    pub error: Option<String>,
}

/// What an open link hands out, in Dutch.
fn granted(kind: &InvitationKind, page: &AdminPage) -> String {
    match kind {
        InvitationKind::Team(team, role) => {
            let name = page
                .teams
                .iter()
                .find(|t| t.id == *team)
                .map_or("?", |t| t.name.as_str());
            format!("{} van {name}", role.dutch().to_lowercase())
        }
        InvitationKind::Coach(province) => {
            let name = page
                .provinces
                .iter()
                .find(|p| p.id == *province)
                .map_or("?", |p| p.name.as_str());
            format!("doorbraakcoach van {name}")
        }
        InvitationKind::Pmm => "PMM".into(),
        InvitationKind::Reset => "nieuw wachtwoord".into(),
    }
}

/// The setup in its order, each step marked done once it has something: a province, a gemeente,
/// a team, then its first aanjager.
fn setup_steps(page: &AdminPage) -> Markup {
    let has_aanjager = !page.teams.is_empty() && page.without_aanjager.is_empty();
    let steps = [
        (
            "provinces-title",
            "Een provincie",
            !page.provinces.is_empty(),
        ),
        (
            "gemeenten-title",
            "Een gemeente in die provincie",
            !page.gemeenten.is_empty(),
        ),
        (
            "teams-title",
            "Een doorbraakteam in die gemeente",
            !page.teams.is_empty(),
        ),
        (
            "invite-title",
            "De eerste aanjager van dat team uitnodigen",
            has_aanjager,
        ),
    ];
    html! {
        nav.setup-steps aria-label="Inrichten, in deze volgorde" {
            ol {
                @for (target, text, done) in steps {
                    li data-done=[done.then_some("true")] {
                        a href={ "#" (target) } { (text) }
                        @if done { span.visually-hidden { " (gedaan)" } " ✓" }
                    }
                }
            }
        }
    }
}

/// The form that sets an account's coach province and PMM role.
fn national_roles(viewer: &SignedIn, account: &AccountRow, provinces: &[ProvinceRow]) -> Markup {
    let id = account.id;
    html! {
        form.row method="post" action={ "/beheer/accounts/" (id) "/rollen" } {
            (csrf_field(viewer))
            label for={ "coach-" (id) } { "Coach van" }
            select id={ "coach-" (id) } name="coach" {
                option value="" selected[account.coach_province.is_none()] { "geen provincie" }
                @for p in provinces {
                    option value=(p.id) selected[account.coach_province == Some(p.id)] { (p.name) }
                }
            }
            label {
                input type="checkbox" name="pmm" value="ja" checked[account.is_pmm];
                " PMM"
            }
            button type="submit" aria-label={ "Rollen van " (account.email) " opslaan" } { "Opslaan" }
        }
    }
}

pub fn page(viewer: &SignedIn, page: &AdminPage, nonce: &str) -> Markup {
    layout(
        "Beheer",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main #beheer {
                h1 { "Beheer" }
                @if let Some(message) = &page.message { (notice(message)) }
                @if let Some(error) = &page.error { (error_message(error)) }
                @if let Some(link) = &page.link {
                    div.notice role="status" { p { "Geef deze link door; hij werkt één keer:" } (copyable("admin-link", link)) }
                }
                (setup_steps(page))
                section aria-labelledby="provinces-title" {
                    h2 #provinces-title { "Stap 1: provincies" }
                    ul { @for p in &page.provinces { li { (p.name) } } }
                    form.row method="post" action="/beheer/provincies" {
                        (csrf_field(viewer))
                        label for="province-name" { "Nieuwe provincie" }
                        input #province-name name="name" type="text" required maxlength="120";
                        button type="submit" { "Toevoegen" }
                    }
                }
                section aria-labelledby="gemeenten-title" {
                    h2 #gemeenten-title { "Stap 2: gemeenten" }
                    ul { @for g in &page.gemeenten { li { (g.name) " (" (g.province) ")" } } }
                    @if page.provinces.is_empty() {
                        p.hint { "Voeg eerst een provincie toe; een gemeente hoort bij een provincie." }
                    } @else {
                        form.row method="post" action="/beheer/gemeenten" {
                            (csrf_field(viewer))
                            label for="gemeente-name" { "Nieuwe gemeente" }
                            input #gemeente-name name="name" type="text" required maxlength="120";
                            label for="gemeente-province" { "Provincie" }
                            select #gemeente-province name="province" { @for p in &page.provinces { option value=(p.id) { (p.name) } } }
                            button type="submit" { "Toevoegen" }
                        }
                    }
                }
                section aria-labelledby="teams-title" {
                    h2 #teams-title { "Stap 3: doorbraakteams" }
                    ul { @for t in &page.teams { li { a href={ "/teams/" (t.id) } { (t.name) } " (" (t.gemeente) ")" } } }
                    @if page.gemeenten.is_empty() {
                        p.hint { "Voeg eerst een gemeente toe; een team hoort bij een gemeente." }
                    } @else {
                        form.row method="post" action="/beheer/teams" {
                            (csrf_field(viewer))
                            label for="team-name" { "Nieuw team" }
                            input #team-name name="name" type="text" required maxlength="120";
                            label for="team-gemeente" { "Gemeente" }
                            select #team-gemeente name="gemeente" { @for g in &page.gemeenten { option value=(g.id) { (g.name) } } }
                            button type="submit" { "Toevoegen" }
                        }
                    }
                }
                section aria-labelledby="invite-title" {
                    h2 #invite-title { "Stap 4: de eerste aanjager, coaches en PMM uitnodigen" }
                    p.hint { "De eerste aanjager van een team, een doorbraakcoach van een provincie, of iemand van PMM. Teamleden nodigt de aanjager zelf uit." }
                    @if !page.without_aanjager.is_empty() {
                        p #without-aanjager { "Nog zonder aanjager: " (page.without_aanjager.join(", ")) "." }
                    }
                    form.stacked method="post" action="/beheer/uitnodigingen" data-shown-by="admin-invite-kind" {
                        (csrf_field(viewer))
                        label for="admin-invite-email" { "E-mailadres" }
                        input #admin-invite-email name="email" type="email" required;
                        label for="admin-invite-kind" { "Als" }
                        select #admin-invite-kind name="kind" {
                            option value="aanjager" { "Aanjager van het gekozen team" }
                            option value="coach" { "Doorbraakcoach van de gekozen provincie" }
                            option value="pmm" { "PMM (landelijk)" }
                        }
                        div.stacked-part data-for="aanjager" {
                            label for="admin-invite-team" { "Team" }
                            select #admin-invite-team name="team" { @for t in &page.teams { option value=(t.id) { (t.name) } } }
                        }
                        div.stacked-part data-for="coach" {
                            label for="admin-invite-province" { "Provincie" }
                            select #admin-invite-province name="province" { @for p in &page.provinces { option value=(p.id) { (p.name) } } }
                        }
                        button type="submit" { "Uitnodiging maken" }
                    }
                    @if !page.invitations.is_empty() {
                        h3 { "Openstaande uitnodigingen en herstellinks" }
                        ul {
                            @for invitation in &page.invitations {
                                li {
                                    (invitation.email) ": " (granted(&invitation.kind, page))
                                    ", geldig tot " (dutch_time(invitation.expires_at)) " "
                                    (withdraw_form("/beheer/uitnodigingen/intrekken", viewer, invitation))
                                }
                            }
                        }
                    }
                }
                section aria-labelledby="accounts-title" {
                    h2 #accounts-title { "Accounts" }
                    table {
                        thead { tr { th scope="col" { "E-mailadres" } th scope="col" { "Naam" } th scope="col" { "Coach en PMM" } th scope="col" { "Wachtwoord" } } }
                        tbody {
                            @for account in &page.accounts {
                                tr {
                                    td { (account.email) }
                                    td { (account.name) @if account.is_beheerder { " (beheerder)" } }
                                    td { (national_roles(viewer, account, &page.provinces)) }
                                    td {
                                        form method="post" action={ "/beheer/accounts/" (account.id) "/herstellink" } {
                                            (csrf_field(viewer))
                                            button type="submit" aria-label={ "Herstellink maken voor " (account.email) } { "Herstellink maken" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
