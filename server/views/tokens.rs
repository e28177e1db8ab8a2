//! The page of personal access tokens.

use maud::{Markup, html};

use super::{
    components::{csrf_field, dutch_time, topbar},
    layout,
};
use crate::{auth::Viewer, store::directory::TokenRow};

pub fn page(viewer: &Viewer, tokens: &[TokenRow], new_token: Option<&str>, nonce: &str) -> Markup {
    layout(
        "Toegangstokens",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { "Toegangstokens" }
                p { "Een toegangstoken geeft een script of koppeling dezelfde toegang als jij. Stuur het mee als "
                    code { "Authorization: Bearer …" } ", of bij een WebSocket als " code { "?token=…" } "." }
                @if let Some(token) = new_token {
                    div.notice role="status" {
                        p { "Je nieuwe token. Kopieer het nu: het wordt niet nog eens getoond." }
                        p { code #new-token { (token) } }
                    }
                }
                form.row method="post" action="/tokens" {
                    (csrf_field(viewer))
                    label for="token-name" { "Waarvoor is het token?" }
                    input #token-name name="name" type="text" required maxlength="100";
                    button type="submit" { "Token aanmaken" }
                }
                @if tokens.is_empty() {
                    p { "Je hebt nog geen tokens." }
                } @else {
                    table {
                        thead { tr { th scope="col" { "Naam" } th scope="col" { "Aangemaakt" } th scope="col" { "Status" } } }
                        tbody {
                            @for token in tokens {
                                tr {
                                    td { (token.name) }
                                    td { (dutch_time(token.created_at)) }
                                    td {
                                        @if let Some(at) = token.revoked_at {
                                            "Ingetrokken " (dutch_time(at))
                                        } @else {
                                            form method="post" action={ "/tokens/" (token.id) "/intrekken" } {
                                                (csrf_field(viewer))
                                                button type="submit" { "Intrekken" }
                                            }
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
