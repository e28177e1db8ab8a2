//! Server-rendered pages (maud): a layout, small components, one module per page.
//!
//! Pages work without JavaScript (they show the current content); the bundled client in
//! `web/dist` enhances them into live editors. No inline script anywhere: the CSP forbids it.

pub mod admin;
pub mod audit;
pub mod budget;
pub mod canvas;
pub mod components;
pub mod dashboards;
pub mod overview;
pub mod sign_in;
pub mod teams;
pub mod tokens;
pub mod widgets;
pub mod workflow;

use maud::{DOCTYPE, Markup, html};

/// The page frame: head, the bundle, and `body`. `nonce` is this response's CSP nonce, which
/// the client gives to the style elements it creates.
pub fn layout(title: &str, nonce: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="nl" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="csp-nonce" content=(nonce);
                title { (title) " · Doorbraak" }
                // No favicon yet; an empty data URL spares every page a 404.
                link rel="icon" href="data:,";
                link rel="stylesheet" href="/assets/app.css";
                script src="/assets/app.js" defer {}
            }
            body { (body) }
        }
    }
}
