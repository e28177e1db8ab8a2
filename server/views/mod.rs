//! Server-rendered pages (maud): a layout, small components, one module per page.
//!
//! Pages work without JavaScript (they show the current content); the bundled client in
//! `web/dist` enhances them into live editors. No inline script anywhere: the CSP forbids it.

pub mod admin;
pub mod audit;
pub mod booking;
pub mod budget;
pub mod canvas;
pub mod charts;
pub mod comments;
pub mod components;
pub mod dashboards;
pub mod dossier;
pub mod evaluation;
pub mod learning_agenda;
pub mod learning_archive;
pub mod meeting_room;
pub mod meetings;
pub mod minutes;
pub mod overview;
pub mod sign_in;
pub mod teams;
pub mod tokens;
pub mod versions;
pub mod widgets;
pub mod workflow;

use std::ops::Deref;

use maud::{DOCTYPE, Markup, html};

use crate::auth::Viewer;

/// Who a page is rendered for, with what its menu shows beside the account: the unread
/// notifications. Counting them is a page's concern, so only pages do it (not every request,
/// not `/sync`); everything else of the viewer is reached through `Deref`.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub viewer: Viewer,
    /// Unread in-app notifications, for the menu's badge.
    pub unread: i64,
}

impl Deref for SignedIn {
    type Target = Viewer;

    fn deref(&self) -> &Viewer {
        &self.viewer
    }
}

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
