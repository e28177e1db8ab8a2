//! `POST /api/anonimiteit` `{"text": "…", "label": "…"}`: the anonymity rule's findings in a text,
//! `{"findings": [{"kind", "start", "end", "uitleg"}]}` with offsets in Unicode characters, for
//! the editor's marks and for scripts that check text before it goes into a canvas. For who does
//! casework (a team, coach or PMM role, or a guest while their overleg's canvases are open); the
//! text is neither stored nor logged.

use axum::{Json, Router, extract::rejection::JsonRejection, routing::post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::{access::workspace, anonymity, auth::Viewer, error::AppError, state::AppState};

/// The longest text checked at once, in characters: a whole canvas is well under it.
pub const MAX_CHARS: usize = 1_000_000;

pub fn router() -> Router<AppState> {
    Router::new().route("/api/anonimiteit", post(check))
}

#[derive(Deserialize)]
struct Check {
    text: String,
    /// The canvas's own label, which is no finding.
    #[serde(default)]
    label: String,
}

async fn check(
    viewer: Viewer,
    body: Result<Json<Check>, JsonRejection>,
) -> Result<Json<Value>, AppError> {
    if !workspace::may_check_anonymity(&viewer.policy) {
        return Err(AppError::Forbidden(
            "De anonimiteitscontrole is er voor wie aan casussen werkt.".into(),
        ));
    }
    let Json(check) = body.map_err(|_| {
        AppError::Invalid(
            "Stuur JSON met een veld \"text\", bijvoorbeeld {\"text\": \"Bel 06-12345678\"}."
                .into(),
        )
    })?;
    if check.text.chars().count() > MAX_CHARS {
        return Err(AppError::Invalid(
            "Deze tekst is te lang om te controleren (meer dan 1.000.000 tekens).".into(),
        ));
    }
    // Milliseconds per 100 KB: off the async workers all the same.
    let findings = tokio::task::spawn_blocking(move || anonymity::scan(&check.text, &check.label))
        .await
        .map_err(|error| AppError::Export(error.to_string()))?;
    let findings: Vec<Value> = findings
        .into_iter()
        .map(
            |f| json!({ "kind": f.kind, "start": f.start, "end": f.end, "uitleg": f.kind.dutch() }),
        )
        .collect();
    Ok(Json(json!({ "findings": findings })))
}
