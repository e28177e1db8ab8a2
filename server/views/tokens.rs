//! The page of personal access tokens.

use maud::{Markup, html};

use super::{
    components::{copyable, csrf_field, dutch_time, topbar},
    layout,
};
use crate::{store::TokenRow, views::SignedIn};

pub fn page(
    viewer: &SignedIn,
    tokens: &[TokenRow],
    new_token: Option<&str>,
    now: i64,
    nonce: &str,
) -> Markup {
    layout(
        "Toegangstokens",
        nonce,
        html! {
            (topbar(Some(viewer), false))
            main {
                h1 { "Toegangstokens" }
                p { "Een toegangstoken geeft een script of koppeling dezelfde toegang als jij. Stuur het mee als "
                    code { "Authorization: Bearer …" } ". Een WebSocket-client die geen headers kan meesturen, vraagt met het token eerst een ticket aan ("
                    code { "POST /api/canvases/{id}/ticket" } ") en verbindt met " code { "?ticket=…" } ": een token hoort nooit in een URL." }
                @if let Some(token) = new_token {
                    div.notice role="status" {
                        p { "Je nieuwe token. Kopieer het nu: het wordt niet nog eens getoond." }
                        (copyable("new-token", token))
                    }
                }
                form.row method="post" action="/tokens" {
                    (csrf_field(viewer))
                    label for="token-name" { "Waarvoor is het token?" }
                    input #token-name name="name" type="text" required maxlength="100";
                    label for="token-days" { "Werkt" }
                    select #token-days name="dagen" {
                        @for (days, what) in [(30, "30 dagen"), (90, "90 dagen"), (180, "180 dagen"), (365, "een jaar")] {
                            option value=(days) selected[days == 90] { (what) }
                        }
                    }
                    button type="submit" { "Token aanmaken" }
                }
                @if tokens.is_empty() {
                    p { "Je hebt nog geen tokens." }
                } @else {
                    table {
                        thead { tr {
                            th scope="col" { "Naam" } th scope="col" { "Aangemaakt" }
                            th scope="col" { "Verloopt" } th scope="col" { "Laatst gebruikt" } th scope="col" { "Status" }
                        } }
                        tbody {
                            @for token in tokens {
                                tr {
                                    td { (token.name) }
                                    td { (dutch_time(token.created_at)) }
                                    td { (dutch_time(token.expires_at)) }
                                    td { @match token.last_used_at { Some(at) => (dutch_time(at)), None => "nog niet" } }
                                    td {
                                        @if let Some(at) = token.revoked_at {
                                            "Ingetrokken " (dutch_time(at))
                                        } @else if token.expires_at <= now {
                                            "Verlopen"
                                        } @else {
                                            form method="post" action={ "/tokens/" (token.id) "/intrekken" }
                                                data-confirm={ "Het token «" (token.name) "» werkt daarna niet meer; scripts die het gebruiken en hun open verbindingen stoppen meteen." }
                                                data-confirm-yes="Ja, intrekken" {
                                                (csrf_field(viewer))
                                                button.danger type="submit" { "Intrekken" }
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
