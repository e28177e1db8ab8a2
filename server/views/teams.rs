//! The team pages: the list of the viewer's teams and one team with its members.

use maud::{Markup, html};

use super::{
    components::{copyable, csrf_field, dutch_time, error_message, topbar, withdraw_form},
    layout,
};
use crate::{
    access::policy::TeamRole,
    access::workspace,
    store::{InvitationKind, InvitationRow, MemberRow, TeamRow},
    views::SignedIn,
};

pub fn list(viewer: &SignedIn, teams: &[(TeamRow, Option<TeamRole>)], nonce: &str) -> Markup {
    layout(
        "Teams",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { "Teams" }
                @if teams.is_empty() {
                    p { "Je bent nog geen lid van een team." }
                } @else {
                    table {
                        thead { tr { th scope="col" { "Team" } th scope="col" { "Gemeente" } th scope="col" { "Provincie" } th scope="col" { "Jouw rol" } } }
                        tbody {
                            @for (team, role) in teams {
                                tr {
                                    td { a href={ "/teams/" (team.id) } { (team.name) } }
                                    td { (team.gemeente) }
                                    td { (team.province) }
                                    td { (role.map_or("—", TeamRole::dutch)) }
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}

/// One team as shown.
pub struct TeamPage {
    pub team: TeamRow,
    pub members: Vec<MemberRow>,
    pub invitations: Vec<InvitationRow>,
    /// Whether the viewer may invite, change roles and remove members.
    pub manage: bool,
    /// A link just made, to pass on.
    pub new_link: Option<String>,
    pub error: Option<String>,
}

fn role_select(name: &str, id: &str, selected: Option<TeamRole>) -> Markup {
    html! {
        select name=(name) id=(id) {
            @for role in TeamRole::ALL {
                option value=(role.code()) selected[Some(role) == selected] { (role.dutch()) }
            }
        }
    }
}

pub fn page(viewer: &SignedIn, page: &TeamPage, nonce: &str) -> Markup {
    let team = &page.team;
    layout(
        &team.name,
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { (team.name) }
                p { "Gemeente " (team.gemeente) ", provincie " (team.province) "." }
                @if workspace::may_see_budget(&viewer.policy, team.id) {
                    p { a href={ "/teams/" (team.id) "/budget" } { "Doorbraakbudget en boekingen" } }
                }
                @if workspace::may_see_meetings(&viewer.policy, team.id) {
                    p { a href={ "/teams/" (team.id) "/overleggen" } { "Overleggen" } }
                }
                @if let Some(error) = &page.error { (error_message(error)) }
                @if let Some(link) = &page.new_link {
                    div.notice role="status" {
                        p { "Uitnodiging gemaakt. Geef deze link door; hij werkt één keer en verloopt vanzelf:" }
                        (copyable("invitation-link", link))
                    }
                }
                h2 { "Leden" }
                table.members {
                    thead { tr { th scope="col" { "Naam" } th scope="col" { "E-mailadres" } th scope="col" { "Rol" }
                        @if page.manage { th scope="col" { "Verwijderen" } } } }
                    tbody {
                        @for member in &page.members {
                            tr {
                                td { (member.name) }
                                td { (member.email) }
                                td {
                                    @if page.manage {
                                        form.row method="post" action={ "/teams/" (team.id) "/leden/" (member.account_id) "/rol" } {
                                            (csrf_field(viewer))
                                            label.visually-hidden for={ "rol-" (member.account_id) } { "Rol van " (member.email) }
                                            (role_select("role", &format!("rol-{}", member.account_id), Some(member.role)))
                                            button type="submit" { "Wijzigen" }
                                        }
                                    } @else {
                                        (member.role.dutch())
                                    }
                                }
                                @if page.manage {
                                    td {
                                        form method="post" action={ "/teams/" (team.id) "/leden/" (member.account_id) "/verwijderen" }
                                            data-confirm={ (member.email) " wordt uit " (team.name) " verwijderd en kan de canvassen van het team meteen niet meer openen. Open verbindingen worden verbroken." }
                                            data-confirm-yes="Ja, verwijderen" {
                                            (csrf_field(viewer))
                                            button.danger type="submit" aria-label={ "Verwijderen: " (member.email) " uit het team" } { "Verwijderen" }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                @if page.manage {
                    h2 { "Uitnodigen" }
                    form.row method="post" action={ "/teams/" (team.id) "/uitnodigingen" } {
                        (csrf_field(viewer))
                        label for="invite-email" { "E-mailadres" }
                        input #invite-email name="email" type="email" required;
                        label for="invite-role" { "Rol" }
                        (role_select("role", "invite-role", Some(TeamRole::Teamlid)))
                        button type="submit" { "Uitnodiging maken" }
                    }
                    @if !page.invitations.is_empty() {
                        h3 { "Openstaande uitnodigingen" }
                        ul {
                            @for invitation in &page.invitations {
                                li {
                                    (invitation.email)
                                    @if let InvitationKind::Team(_, role) = invitation.kind { " als " (role.dutch().to_lowercase()) }
                                    ", geldig tot " (dutch_time(invitation.expires_at))
                                    " "
                                    (withdraw_form(&format!("/teams/{}/uitnodigingen/intrekken", page.team.id), viewer, invitation))
                                }
                            }
                        }
                    }
                }
            }
        },
    )
}
