//! Small pieces shared by pages.

use maud::{Markup, html};

use crate::{
    access::workspace,
    auth::{Viewer, session::CSRF_FIELD},
    format,
    views::SignedIn,
};

/// The bar at the top of every page: the menu for what the viewer may do, who is signed in and
/// the sign-out button. `live` adds the connection, save and presence indicators that the client
/// fills in on a canvas.
pub fn topbar(viewer: Option<&SignedIn>, live: bool) -> Markup {
    html! {
        // The first stops of the keyboard: past the menu to the page's content, and on a canvas
        // to its step bar. They show when they have the focus.
        a.skip-link href="#inhoud" { "Naar de inhoud" }
        @if live { a.skip-link href="#step-bar" { "Naar de stappen" } }
        header.topbar {
            a.brand href="/" { "Doorbraak" }
            @if let Some(viewer) = viewer {
                nav aria-label="Hoofdmenu" {
                    a href="/" { "Canvasoverzicht" }
                    @if workspace::may_list_teams(&viewer.policy) {
                        a href="/teams" { "Teams" }
                    }
                    @if workspace::has_meetings(&viewer.policy) {
                        a href="/overleggen" { "Overleggen" }
                    }
                    @if workspace::may_search_archive(&viewer.policy) {
                        a href="/leerarchief" { "Leerarchief" }
                        a href="/lerend-evalueren" { "Lerend evalueren" }
                    }
                    @if !workspace::coached_provinces(&viewer.policy).is_empty() { a href="/coach" { "Coachdashboard" } }
                    @if workspace::may_use_pmm_inbox(&viewer.policy) { a href="/pmm" { "PMM-inbox" } }
                    @if workspace::may_read_audit(&viewer.policy) { a href="/audit" { "Auditlog" } }
                    @if workspace::may_administer(&viewer.policy) { a href="/beheer" { "Beheer" } }
                    a href="/tokens" { "Toegangstokens" }
                    a #notifications-link href="/meldingen" {
                        "Meldingen"
                        @if viewer.unread > 0 { " " span.badge { (viewer.unread) } span.visually-hidden { " ongelezen" } }
                    }
                }
            }
            @if live {
                span #connection-status role="status" aria-live="polite" data-state="offline" { "Offline" }
                span #save-status aria-live="polite" {}
                ul #presence aria-label="Nu aanwezig" {}
            }
            @if let Some(viewer) = viewer {
                form.sign-out method="post" action="/uitloggen" data-account-id=(viewer.account.id) {
                    (csrf_field(viewer))
                    span.who { (viewer.account.display_name()) }
                    button type="submit" { "Uitloggen" }
                }
            }
        }
        // A live canvas puts the target before its first field (views/canvas.rs).
        @if !live { span #inhoud tabindex="-1" {} }
    }
}

/// The hidden field that carries the session's CSRF token in every state-changing form.
pub fn csrf_field(viewer: &Viewer) -> Markup {
    csrf_input(viewer.csrf())
}

/// The same field from the token itself, for markup built without the viewer at hand.
pub fn csrf_input(token: &str) -> Markup {
    html! { input type="hidden" name=(CSRF_FIELD) value=(token); }
}

/// The button that withdraws an open invitation, posted to `action`.
pub fn withdraw_form(
    action: &str,
    viewer: &Viewer,
    invitation: &crate::store::InvitationRow,
) -> Markup {
    html! {
        form.inline method="post" action=(action) {
            (csrf_field(viewer))
            input type="hidden" name="uitnodiging" value=(invitation.token_hash);
            button.danger type="submit" aria-label={ "Intrekken: uitnodiging voor " (invitation.email) } { "Intrekken" }
        }
    }
}

/// A secret shown once (a one-time link, a new token) with a button that copies it (`copy.js`).
pub fn copyable(id: &str, text: &str) -> Markup {
    html! {
        p.copyable {
            code id=(id) { (text) }
            " "
            button.secondary type="button" data-copy=(id) { "Kopiëren" }
            " "
            span.copy-status role="status" {}
        }
    }
}

/// A Dutch confirmation for the user, announced to screen readers.
pub fn notice(message: &str) -> Markup {
    html! { p.notice role="status" { (message) } }
}

/// A Dutch error message for the user, announced to screen readers.
pub fn error_message(message: &str) -> Markup {
    html! { p.error role="alert" { (message) } }
}

/// A Unix time in milliseconds as Dutch local time ("23-11-2026 17:05") in a `<time>` element.
pub fn dutch_time(millis: i64) -> Markup {
    let (text, iso) = format::dutch_time(millis);
    html! { time datetime=(iso) { (text) } }
}

/// A moment in short words ("vandaag 14:05", "3 dagen geleden"), with the full Dutch time as
/// its title, in a `<time>` element.
pub fn compact_time(millis: i64, now: i64) -> Markup {
    let (full, iso) = format::dutch_time(millis);
    html! { time datetime=(iso) title=(full) { (format::compact_time(millis, now)) } }
}
