//! The workflow of one canvas over HTTP: status changes, escalations (up, picked up, answered,
//! and the frozen copy and printable summary of each), budget entries, and the panel that shows
//! it all, live.
//!
//! Forms post here and are sent back to the canvas page; a refusal shows the canvas page again
//! with the Dutch reason in the panel (403 for a role that may not, 409 when someone else changed
//! the same fact first, 422 for bad input). Every change is published, so open pages refresh
//! their panel through `GET /canvases/{id}/gebeurtenissen` (server-sent events).

use std::convert::Infallible;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    http::StatusCode,
    response::{
        IntoResponse, Redirect, Response,
        sse::{Event as SseEvent, KeepAlive, Sse},
    },
    routing::{get, post},
};
use futures_util::Stream;
use maud::Markup;
use serde::Deserialize;
use tokio::sync::broadcast::error::RecvError;

use super::{
    pages,
    permitted::{self, Permitted},
};
use crate::{
    access::policy::{EscalationLevel, TeamRole},
    app::AppState,
    audit::Event,
    auth::Viewer,
    canvas::status::CanvasStatus,
    error::AppError,
    http::csp::CspNonce,
    store::{
        directory::AuditEntry,
        now_millis,
        workflow::{EntryOutcome, EscalationAnswer, NewEscalation, NewLedgerEntry},
    },
    sync::{RoomError, doc::CanvasDoc},
    views::{
        self,
        components::dutch_date,
        workflow::{Panel, frozen_banner},
    },
    workflow::{
        events::Changed,
        ladder::{self, LadderError, Outcome, level_dutch},
        ledger::{self, Kind, LedgerError},
        lifecycle,
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/canvases/{id}/werkwijze", get(fragment))
        .route("/canvases/{id}/gebeurtenissen", get(events))
        .route("/canvases/{id}/status", post(change_status))
        .route("/canvases/{id}/opschalen", post(escalate))
        .route("/canvases/{id}/opschalingen/{escalation}", get(frozen))
        .route(
            "/canvases/{id}/opschalingen/{escalation}/samenvatting",
            get(summary),
        )
        .route(
            "/canvases/{id}/opschalingen/{escalation}/oppakken",
            post(pick_up),
        )
        .route(
            "/canvases/{id}/opschalingen/{escalation}/antwoord",
            post(answer),
        )
        .route("/canvases/{id}/budget", post(book))
        .route("/canvases/{id}/budget/{entry}/correctie", post(correct))
}

/// Whether the viewer may book on the canvas's budget: its team's aanjager or projectleider.
fn may_book(viewer: &Viewer, canvas: &Permitted) -> bool {
    canvas.access.may_edit()
        && viewer.policy.memberships.iter().any(|(team, role)| {
            *team == canvas.facts.team
                && matches!(role, TeamRole::Aanjager | TeamRole::Projectleider)
        })
}

/// The panel as the viewer may use it.
pub async fn panel(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    error: Option<String>,
) -> Result<Panel, AppError> {
    let id = canvas.id.as_str();
    let status = state
        .workflow
        .canvas_status(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (account, facts, access) = (&viewer.policy, &canvas.facts, canvas.access);
    let transitions = lifecycle::next(status)
        .filter(|to| lifecycle::check(account, facts, access, status, *to).is_ok())
        .collect();
    let escalations = state.workflow.escalations(id).await?;
    let escalate_to = ladder::above(facts.level)
        .into_iter()
        .filter(|to| ladder::may_escalate(account, facts, access, status, *to).is_ok())
        .collect();
    let to_handle = escalations
        .iter()
        .find(|e| e.is_open() && ladder::may_handle(account, facts, e.to_level))
        .cloned();
    let now = now_millis();
    Ok(Panel {
        canvas_id: id.to_owned(),
        csrf: viewer.csrf().to_owned(),
        status,
        history: state.workflow.status_history(id).await?,
        transitions,
        escalations,
        escalate_to,
        to_handle,
        ledger: state.workflow.canvas_ledger(id).await?,
        may_book: may_book(viewer, canvas),
        today: dutch_date(now),
        signal_days: state.settings.escalation_signal_days,
        now,
        error,
    })
}

async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Markup, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    Ok(views::workflow::panel(
        &panel(&state, &viewer, &canvas, None).await?,
    ))
}

/// Server-sent events: `werkwijze` whenever this canvas's workflow changes.
async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let id = canvas.id.to_string();
    Ok(changes(&state, move |change| change.canvas == id))
}

/// A stream of `werkwijze` events for the changes `wanted` picks; ends when the server stops.
pub fn changes<F>(
    state: &AppState,
    wanted: F,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<F>>
where
    F: Fn(&Changed) -> bool + Send + 'static,
{
    let receiver = state.events.subscribe();
    let stopping = state.sync.context().shutdown.clone();
    let stream = futures_util::stream::unfold(
        (receiver, stopping, wanted),
        |(mut receiver, stopping, wanted)| async move {
            loop {
                let received = tokio::select! {
                    _ = stopping.cancelled() => return None,
                    received = receiver.recv() => received,
                };
                let relevant = match &received {
                    Ok(change) => wanted(change),
                    // Missed some: refresh to be safe.
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                };
                if relevant {
                    let event = SseEvent::default().event("werkwijze").data("gewijzigd");
                    return Some((Ok(event), (receiver, stopping, wanted)));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}

/// Tells open pages, and records the change in the audit log.
async fn changed(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    event: Event,
    detail: String,
) {
    state.events.publish(Changed {
        canvas: canvas.id.to_string(),
        team: canvas.facts.team.0,
        province: canvas.facts.province.0,
    });
    state
        .audit
        .record(
            event,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(canvas.facts.team.0),
                canvas_id: Some(canvas.id.to_string()),
                detail,
                ..AuditEntry::default()
            },
        )
        .await;
}

/// Back to the canvas's panel after a change.
fn back(canvas: &Permitted) -> Response {
    Redirect::to(&format!("/canvases/{}#workflow", canvas.id)).into_response()
}

/// The canvas page again, with the reason for a refusal in its panel.
async fn refused(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    nonce: &CspNonce,
    status: StatusCode,
    message: String,
) -> Result<Response, AppError> {
    let page = pages::canvas_page(state, viewer, canvas, Some(message), nonce).await?;
    Ok((status, page).into_response())
}

const CONFLICT: &str = "Iemand anders heeft dit intussen gewijzigd. Bekijk de nieuwe stand en probeer het zo nodig opnieuw.";

#[derive(Deserialize)]
struct StatusForm {
    #[serde(default)]
    van: String,
    #[serde(default)]
    naar: String,
    #[serde(default)]
    toelichting: String,
}

async fn change_status(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let (Ok(from), Ok(to)) = (
        form.van.parse::<CanvasStatus>(),
        form.naar.parse::<CanvasStatus>(),
    ) else {
        let message = "Kies een bestaande status.".to_owned();
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    };
    if let Err(error) = lifecycle::check(&viewer.policy, &canvas.facts, canvas.access, from, to) {
        let code = match error {
            lifecycle::TransitionError::Role(_) => StatusCode::FORBIDDEN,
            _ => StatusCode::UNPROCESSABLE_ENTITY,
        };
        return refused(&state, &viewer, &canvas, &nonce, code, error.to_string()).await;
    }
    let note: String = form.toelichting.trim().chars().take(500).collect();
    // Compare-and-set on the status the person saw: of two changes at once, one wins and the
    // other is told, instead of silently overwriting it.
    if !state
        .workflow
        .change_status(canvas.id.as_str(), from, to, viewer.account.id, &note)
        .await?
    {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            CONFLICT.into(),
        )
        .await;
    }
    let detail = format!("{} → {}", from.code(), to.code());
    changed(&state, &viewer, &canvas, Event::StatusChanged, detail).await;
    Ok(back(&canvas))
}

/// The accounts working at `level` for this canvas, to notify; never the person acting.
async fn handlers(
    state: &AppState,
    canvas: &Permitted,
    level: EscalationLevel,
    except: i64,
) -> Result<Vec<i64>, AppError> {
    let province = canvas.facts.province.0;
    let ids: Vec<i64> = match level {
        EscalationLevel::Team | EscalationLevel::Directie => {
            let team_only = level == EscalationLevel::Team;
            state
                .directory
                .members(canvas.facts.team.0)
                .await?
                .into_iter()
                .filter(|m| {
                    team_only || matches!(m.role, TeamRole::Aanjager | TeamRole::Projectleider)
                })
                .map(|m| m.account_id)
                .collect()
        }
        EscalationLevel::Coach | EscalationLevel::Pmm => state
            .directory
            .list_accounts()
            .await?
            .into_iter()
            .filter(|a| {
                if level == EscalationLevel::Coach {
                    a.coach_province == Some(province)
                } else {
                    a.is_pmm
                }
            })
            .map(|a| a.id)
            .collect(),
    };
    Ok(ids.into_iter().filter(|id| *id != except).collect())
}

async fn notify(state: &AppState, accounts: &[i64], text: &str, canvas: &Permitted) {
    let link = format!("/canvases/{}#workflow", canvas.id);
    if let Err(error) = state.workflow.notify(accounts, text, &link).await {
        tracing::warn!(%error, "could not store notifications");
    }
}

/// The canvas's label, for notifications (labels are anonymous by design).
async fn label_of(state: &AppState, canvas: &Permitted) -> Result<String, AppError> {
    let content = state
        .sync
        .content(&canvas.id)
        .await
        .map_err(AppError::Room)?;
    Ok(content.label)
}

/// The canvas as it is now, for the frozen copy kept with an escalation.
async fn snapshot(state: &AppState, canvas: &Permitted) -> Result<Vec<u8>, AppError> {
    state
        .sync
        .snapshot(&canvas.id)
        .await
        .map_err(|error| match error {
            RoomError::NotFound => AppError::NotFound,
            other => AppError::Room(other),
        })
}

#[derive(Deserialize)]
struct EscalateForm {
    #[serde(default)]
    naar: String,
    #[serde(default)]
    vraag: String,
}

async fn escalate(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<EscalateForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let status = state
        .workflow
        .canvas_status(canvas.id.as_str())
        .await?
        .ok_or(AppError::NotFound)?;
    let to = EscalationLevel::from_code(&form.naar).unwrap_or(EscalationLevel::Team);
    let checked = ladder::may_escalate(&viewer.policy, &canvas.facts, canvas.access, status, to)
        .and_then(|()| ladder::text(&form.vraag, LadderError::QuestionRequired));
    let question = match checked {
        Ok(question) => question,
        Err(error) => {
            let code = match error {
                LadderError::NotTheTeam => StatusCode::FORBIDDEN,
                LadderError::AlreadyEscalated => StatusCode::CONFLICT,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return refused(&state, &viewer, &canvas, &nonce, code, error.to_string()).await;
        }
    };
    let step = NewEscalation {
        canvas: canvas.id.to_string(),
        from_level: canvas.facts.level,
        to_level: to,
        question,
        by: viewer.account.id,
        at: now_millis(),
        snapshot: snapshot(&state, &canvas).await?,
    };
    if state.workflow.escalate(&step).await?.is_none() {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            CONFLICT.into(),
        )
        .await;
    }
    let text = format!(
        "Nieuwe opschaling naar {}: {}",
        level_dutch(to),
        label_of(&state, &canvas).await?
    );
    notify(
        &state,
        &handlers(&state, &canvas, to, viewer.account.id).await?,
        &text,
        &canvas,
    )
    .await;
    changed(
        &state,
        &viewer,
        &canvas,
        Event::Escalated,
        format!("naar {}", to.code()),
    )
    .await;
    Ok(back(&canvas))
}

async fn pick_up(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path((id, escalation)): Path<(String, i64)>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let open = state
        .workflow
        .escalations(canvas.id.as_str())
        .await?
        .into_iter()
        .find(|e| e.id == escalation && e.is_open());
    let Some(open) = open else {
        let message = LadderError::NothingOpen.to_string();
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            message,
        )
        .await;
    };
    if !ladder::may_handle(&viewer.policy, &canvas.facts, open.to_level) {
        let message = LadderError::NotYourRung(ladder::who_handles(open.to_level)).to_string();
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::FORBIDDEN,
            message,
        )
        .await;
    }
    if !state
        .workflow
        .pick_up(escalation, viewer.account.id)
        .await?
    {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            CONFLICT.into(),
        )
        .await;
    }
    changed(
        &state,
        &viewer,
        &canvas,
        Event::EscalationAnswered,
        "opgepakt".into(),
    )
    .await;
    Ok(back(&canvas))
}

#[derive(Deserialize)]
struct AnswerForm {
    #[serde(default)]
    antwoord: String,
    #[serde(default)]
    uitkomst: String,
    #[serde(default)]
    verder_naar: String,
    #[serde(default)]
    verder_vraag: String,
}

async fn answer(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path((id, escalation)): Path<(String, i64)>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let open = state
        .workflow
        .escalations(canvas.id.as_str())
        .await?
        .into_iter()
        .find(|e| e.id == escalation && e.is_open());
    let Some(open) = open else {
        let message = LadderError::NothingOpen.to_string();
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            message,
        )
        .await;
    };
    let Some(outcome) = Outcome::from_code(&form.uitkomst) else {
        let message = "Kies een uitkomst.".to_owned();
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::UNPROCESSABLE_ENTITY,
            message,
        )
        .await;
    };
    let further = (outcome == Outcome::VerderOpgeschaald)
        .then(|| EscalationLevel::from_code(&form.verder_naar))
        .flatten();
    let checked = ladder::may_answer(
        &viewer.policy,
        &canvas.facts,
        open.to_level,
        outcome,
        further,
    )
    .and_then(|()| ladder::text(&form.antwoord, LadderError::AnswerRequired))
    .and_then(|answer| {
        let question = match further {
            Some(_) => Some(ladder::text(
                &form.verder_vraag,
                LadderError::QuestionRequired,
            )?),
            None => None,
        };
        Ok((answer, question))
    });
    let (answer_text, further_question) = match checked {
        Ok(checked) => checked,
        Err(error) => {
            let code = match error {
                LadderError::NotYourRung(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            return refused(&state, &viewer, &canvas, &nonce, code, error.to_string()).await;
        }
    };
    let further_step = match (further, further_question) {
        (Some(to), Some(question)) => Some(NewEscalation {
            canvas: canvas.id.to_string(),
            from_level: open.to_level,
            to_level: to,
            question,
            by: viewer.account.id,
            at: now_millis(),
            snapshot: snapshot(&state, &canvas).await?,
        }),
        _ => None,
    };
    let recorded = EscalationAnswer {
        escalation,
        canvas: canvas.id.to_string(),
        by: viewer.account.id,
        answer: answer_text,
        outcome,
        further: further_step,
    };
    if !state.workflow.answer(&recorded).await? {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::CONFLICT,
            CONFLICT.into(),
        )
        .await;
    }
    let label = label_of(&state, &canvas).await?;
    let team = handlers(&state, &canvas, EscalationLevel::Team, viewer.account.id).await?;
    let text = format!(
        "Antwoord ontvangen ({}): {label}",
        outcome.dutch().to_lowercase()
    );
    notify(&state, &team, &text, &canvas).await;
    if let Some(to) = further {
        let text = format!("Nieuwe opschaling naar {}: {label}", level_dutch(to));
        notify(
            &state,
            &handlers(&state, &canvas, to, viewer.account.id).await?,
            &text,
            &canvas,
        )
        .await;
    }
    changed(
        &state,
        &viewer,
        &canvas,
        Event::EscalationAnswered,
        outcome.code().into(),
    )
    .await;
    Ok(back(&canvas))
}

/// A frozen copy of the canvas as it was escalated, read-only beside the live one.
async fn frozen(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path((id, escalation)): Path<(String, i64)>,
) -> Result<Markup, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let (row, snapshot) = state
        .workflow
        .escalation_snapshot(canvas.id.as_str(), escalation)
        .await?
        .ok_or(AppError::NotFound)?;
    let content =
        CanvasDoc::content_of_snapshot(&snapshot).ok_or(AppError::Room(RoomError::Damaged))?;
    let view = views::canvas::CanvasView {
        id: &canvas.id,
        content: &content,
        read_only: true,
        live: false,
        banner: Some(frozen_banner(canvas.id.as_str(), &row)),
        workflow: None,
    };
    Ok(views::canvas::page(&viewer, &view, &nonce.0))
}

/// The printable one-page summary of an escalation, from its frozen copy.
async fn summary(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path((id, escalation)): Path<(String, i64)>,
) -> Result<Markup, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    let (row, snapshot) = state
        .workflow
        .escalation_snapshot(canvas.id.as_str(), escalation)
        .await?
        .ok_or(AppError::NotFound)?;
    let content =
        CanvasDoc::content_of_snapshot(&snapshot).ok_or(AppError::Room(RoomError::Damaged))?;
    state
        .audit
        .record(
            Event::Exported,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(canvas.facts.team.0),
                canvas_id: Some(canvas.id.to_string()),
                detail: format!("samenvatting van opschaling {escalation}"),
                ..AuditEntry::default()
            },
        )
        .await;
    let title = format!("Samenvatting: {}", content.label);
    let body = views::workflow::summary(&content.label, &row, &content);
    Ok(views::layout(&title, &nonce.0, body))
}

#[derive(Deserialize)]
struct BookForm {
    #[serde(default)]
    soort: String,
    #[serde(default)]
    bedrag: String,
    #[serde(default)]
    waarvoor: String,
    #[serde(default)]
    waarom: String,
    #[serde(default)]
    goedgekeurd_door: String,
    #[serde(default)]
    datum: String,
    boven_budget: Option<String>,
}

/// Checks a booking's fields; returns the entry to add.
fn entry_from(form: &BookForm, canvas: &Permitted, by: i64) -> Result<NewLedgerEntry, LedgerError> {
    let kind = Kind::from_code(&form.soort).ok_or(LedgerError::Amount)?;
    let amount_cents = ledger::parse_amount(&form.bedrag)?;
    Ok(NewLedgerEntry {
        team: canvas.facts.team.0,
        year: ledger::year_of(&form.datum)?,
        canvas: canvas.id.to_string(),
        kind,
        amount_cents,
        purpose: ledger::required(&form.waarvoor, LedgerError::PurposeRequired)?,
        why_not_regular: ledger::required(&form.waarom, LedgerError::WhyRequired)?,
        approved_by: ledger::required(&form.goedgekeurd_door, LedgerError::ApprovedByRequired)?,
        entry_date: form.datum.trim().to_owned(),
        corrects: None,
        confirm_over_budget: form.boven_budget.is_some(),
        by,
    })
}

/// Adds an entry and answers as the outcome says.
async fn add_entry(
    state: &AppState,
    viewer: &Viewer,
    canvas: &Permitted,
    nonce: &CspNonce,
    entry: NewLedgerEntry,
) -> Result<Response, AppError> {
    let refusal = match state.workflow.add_entry(&entry).await? {
        EntryOutcome::Added(id) => {
            let detail = format!(
                "boeking {id}: {} {}",
                entry.kind.code(),
                views::components::euro(entry.amount_cents)
            );
            changed(state, viewer, canvas, Event::BudgetBooked, detail).await;
            return Ok(back(canvas));
        }
        EntryOutcome::OverBudget(remaining) => LedgerError::OverBudget(remaining),
        EntryOutcome::OverCorrection(left) => LedgerError::OverCorrection(left),
        EntryOutcome::NoSuchEntry => LedgerError::NoSuchEntry,
        EntryOutcome::NoBudget => LedgerError::NoBudget(entry.year),
    };
    refused(
        state,
        viewer,
        canvas,
        nonce,
        StatusCode::CONFLICT,
        refusal.to_string(),
    )
    .await
}

fn may_not_book() -> String {
    "Alleen de aanjager en de projectleider van het team boeken op het doorbraakbudget.".into()
}

async fn book(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path(id): Path<String>,
    Form(form): Form<BookForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    if !may_book(&viewer, &canvas) {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::FORBIDDEN,
            may_not_book(),
        )
        .await;
    }
    match entry_from(&form, &canvas, viewer.account.id) {
        Ok(entry) => add_entry(&state, &viewer, &canvas, &nonce, entry).await,
        Err(error) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            refused(&state, &viewer, &canvas, &nonce, code, error.to_string()).await
        }
    }
}

#[derive(Deserialize)]
struct CorrectionForm {
    #[serde(default)]
    bedrag: String,
    #[serde(default)]
    reden: String,
}

/// A counter-entry: takes (part of) an entry back. The amount is given positive and booked
/// negative, of the same kind and year as the entry it corrects.
async fn correct(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Viewer,
    Path((id, original)): Path<(String, i64)>,
    Form(form): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    let canvas = permitted::readable(state.store.as_ref(), &viewer, &id).await?;
    if !may_book(&viewer, &canvas) {
        return refused(
            &state,
            &viewer,
            &canvas,
            &nonce,
            StatusCode::FORBIDDEN,
            may_not_book(),
        )
        .await;
    }
    let corrected = state
        .workflow
        .canvas_ledger(canvas.id.as_str())
        .await?
        .into_iter()
        .find(|e| e.id == original && e.corrects.is_none());
    let checked = corrected.ok_or(LedgerError::NoSuchEntry).and_then(|entry| {
        let amount = ledger::parse_amount(&form.bedrag)?;
        let reason = ledger::required(&form.reden, LedgerError::WhyRequired)?;
        Ok(NewLedgerEntry {
            team: canvas.facts.team.0,
            year: entry.year,
            canvas: canvas.id.to_string(),
            kind: entry.kind,
            amount_cents: -amount,
            purpose: format!("Correctie van boeking {original}"),
            why_not_regular: reason,
            approved_by: viewer.account.display_name().to_owned(),
            entry_date: dutch_date(now_millis()),
            corrects: Some(original),
            confirm_over_budget: false,
            by: viewer.account.id,
        })
    });
    match checked {
        Ok(entry) => add_entry(&state, &viewer, &canvas, &nonce, entry).await,
        Err(error) => {
            let code = StatusCode::UNPROCESSABLE_ENTITY;
            refused(&state, &viewer, &canvas, &nonce, code, error.to_string()).await
        }
    }
}
