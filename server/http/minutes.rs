//! The verslag over HTTP: `GET /overleggen/{id}/verslag` (the print view, with the chair's edit
//! form until it is fixed), `POST …/verslag` (save), `POST …/verslag/vaststellen`, and the same
//! document as `GET …/verslag.pdf` and `GET …/verslag.docx`.

use std::collections::HashMap;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};

use super::{
    dossier::{Format, document_file},
    middleware::csp::CspNonce,
    refusal,
};
use crate::{
    access::workspace,
    error::AppError,
    export::minutes,
    ids::MeetingId,
    services::{
        Refusal, ServiceError,
        minutes::{self as verslag, MinutesFields},
    },
    state::AppState,
    store::meetings::{MeetingRow, MeetingStatus},
    views::{self, SignedIn, minutes::MinutesPage},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/overleggen/{id}/verslag", get(show).post(save))
        .route("/overleggen/{id}/verslag/vaststellen", post(fix))
        .route("/overleggen/{id}/verslag.pdf", get(pdf))
        .route("/overleggen/{id}/verslag.docx", get(docx))
}

/// The verslag holds the besluiten and actiepunten of every canvas on the agenda: taking it away
/// (its print view, PDF or DOCX) is recorded as an export of each, like every copy of a canvas.
async fn record_export(
    state: &AppState,
    viewer: &SignedIn,
    meeting: &MeetingRow,
    format: &str,
) -> Result<(), AppError> {
    for item in state.meetings.agenda(meeting.id).await? {
        if let Some(canvas) = item.canvas {
            state
                .audit
                .record_canvas_export(
                    viewer.account.id,
                    meeting.team,
                    &canvas,
                    format!("verslag van overleg {} als {format}", meeting.id),
                )
                .await?;
        }
    }
    Ok(())
}

async fn render(
    state: &AppState,
    viewer: &SignedIn,
    id: MeetingId,
    error: Option<String>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let meeting = verslag::readable(state, viewer, id).await?;
    let current = verslag::current(state, &meeting).await?;
    record_export(state, viewer, &meeting, "afdrukweergave").await?;
    let editable = current.fixed.is_none()
        && meeting.status != MeetingStatus::Cancelled
        && workspace::may_run_meeting(&viewer.policy, meeting.team);
    let document = minutes::document(&current.minutes, current.fixed.clone());
    let page = MinutesPage {
        csrf: viewer.csrf(),
        meeting: meeting.id.0,
        document: &document,
        minutes: &current.minutes,
        editable,
        fixable: meeting.status == MeetingStatus::Finished,
        error,
    };
    Ok(views::layout(
        &document.title,
        &nonce.0,
        views::minutes::page(&page),
    ))
}

async fn show(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<maud::Markup, AppError> {
    render(&state, &viewer, id, None, &nonce).await
}

/// Back to the verslag, or the verslag again with the reason.
async fn respond(
    state: &AppState,
    viewer: &SignedIn,
    id: MeetingId,
    result: Result<(), ServiceError>,
    nonce: &CspNonce,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/overleggen/{id}/verslag")).into_response()),
        Err(ServiceError::Refused { refusal, message }) if refusal != Refusal::NotFound => {
            let page = render(state, viewer, id, Some(message), nonce).await?;
            Ok((refusal::status(refusal), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The form's besluiten are `besluit_0`, `besluit_1`, … in agenda order.
fn fields(form: &HashMap<String, String>) -> MinutesFields {
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    MinutesFields {
        zaal: field("zaal"),
        afstand: field("afstand"),
        gasten: field("gasten"),
        besluit: (0..)
            .map_while(|n| form.get(&format!("besluit_{n}")).cloned())
            .collect(),
    }
}

async fn save(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Form(form): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let result = verslag::save(&state, &viewer, id, &fields(&form)).await;
    respond(&state, &viewer, id, result, &nonce).await
}

async fn fix(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let result = verslag::fix(&state, &viewer, id).await;
    respond(&state, &viewer, id, result, &nonce).await
}

async fn file(
    state: &AppState,
    viewer: &SignedIn,
    id: MeetingId,
    format: Format,
) -> Result<Response, AppError> {
    let meeting = verslag::readable(state, viewer, id).await?;
    let current = verslag::current(state, &meeting).await?;
    record_export(state, viewer, &meeting, format.name()).await?;
    let document = minutes::document(&current.minutes, current.fixed);
    document_file(state, document, format, &format!("verslag-overleg-{id}")).await
}

async fn pdf(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    file(&state, &viewer, id, Format::Pdf).await
}

async fn docx(
    State(state): State<AppState>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    file(&state, &viewer, id, Format::Docx).await
}
