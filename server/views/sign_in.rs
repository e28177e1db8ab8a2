//! The sign-in page, and the page of a one-time link (invitation or password reset).

use maud::{Markup, html};

use super::{
    components::{error_message, notice, topbar},
    layout,
};

/// The sign-in form. `back` is where to go afterwards; `message` a notice such as "signed out".
pub fn page(
    email: &str,
    back: &str,
    error: Option<&str>,
    message: Option<&str>,
    nonce: &str,
) -> Markup {
    layout(
        "Inloggen",
        nonce,
        html! {
            (topbar(None, false))
            main.narrow {
                h1 { "Inloggen" }
                @if let Some(message) = message { (notice(message)) }
                @if let Some(error) = error { (error_message(error)) }
                form.stacked method="post" action="/inloggen" {
                    input type="hidden" name="terug" value=(back);
                    label for="email" { "E-mailadres" }
                    input #email name="email" type="email" autocomplete="username" required value=(email);
                    label for="password" { "Wachtwoord" }
                    input #password name="password" type="password" autocomplete="current-password" required;
                    button type="submit" { "Inloggen" }
                }
                p.hint { "Nog geen account? Je aanjager of beheerder stuurt je een uitnodiging." }
            }
        },
    )
}

/// What a one-time link page asks for.
pub struct LinkForm<'a> {
    pub title: &'a str,
    pub intro: String,
    pub email: &'a str,
    /// Ask for a name (a new account).
    pub ask_name: bool,
    /// The account exists and proves itself with its current password.
    pub existing_password: bool,
    pub csrf: Option<&'a str>,
    pub error: Option<&'a str>,
}

pub fn link_page(form: &LinkForm, nonce: &str) -> Markup {
    let password_label = if form.existing_password {
        "Je huidige wachtwoord"
    } else {
        "Kies een wachtwoord (minstens 12 tekens)"
    };
    layout(
        form.title,
        nonce,
        html! {
            (topbar(None, false))
            main.narrow {
                h1 { (form.title) }
                p { (form.intro) }
                @if let Some(error) = form.error { (error_message(error)) }
                form.stacked method="post" {
                    @if let Some(csrf) = form.csrf { input type="hidden" name="csrf" value=(csrf); }
                    label for="email" { "E-mailadres" }
                    input #email type="email" value=(form.email) readonly autocomplete="username";
                    @if form.ask_name {
                        label for="name" { "Je naam" }
                        input #name name="name" type="text" autocomplete="name" maxlength="120";
                    }
                    label for="password" { (password_label) }
                    input #password name="password" type="password" required
                        autocomplete=(if form.existing_password { "current-password" } else { "new-password" });
                    button type="submit" { "Bevestigen" }
                }
            }
        },
    )
}

/// A link that cannot be used (anymore).
pub fn invalid_link(message: &str, nonce: &str) -> Markup {
    layout(
        "Link ongeldig",
        nonce,
        html! {
            (topbar(None, false))
            main.narrow {
                h1 { "Link ongeldig" }
                (error_message(message))
                p { a href="/inloggen" { "Naar de inlogpagina" } }
            }
        },
    )
}
