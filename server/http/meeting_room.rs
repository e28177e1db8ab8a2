//! The running overleg over HTTP. Its live section `GET /overleggen/{id}/live` (the fragment the
//! page fetches again) and its stream `GET /overleggen/{id}/gebeurtenissen`: `overleg` when
//! anything changed, `voorzitter` when the chair moves and `oproep` when the chair calls everyone
//! (both with the canvas and step, and only to those who may read that canvas). The chair's
//! `POST …/starten`, `…/punt/{item}`, `…/timer`, `…/positie`, `…/gasten` and
//! `…/gasten/{account}/verwijderen`; everyone's `…/aanwezig`; the team's
//! `…/agenda/{item}/besluit`, `…/agenda/{item}/actiepunten`, `…/agenda/{item}/in-behandeling`
//! and `POST /actiepunten/{id}/klaar`.

use std::convert::Infallible;

use axum::{
    Extension, Form, Router,
    extract::{Path, Query, State},
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

use super::{meetings::respond, middleware::csp::CspNonce, permitted, workflow::register_stream};
use crate::{
    access::{policy, workspace},
    auth::Viewer,
    canvas::{CanvasId, status::CanvasStatus},
    error::AppError,
    events::{Event as BusEvent, MeetingSignal, Topic},
    ids::{AccountId, ActionItemId, AgendaItemId, MeetingId},
    services::{ServiceError, canvas_workflow::OnCanvas, guests, meeting_room, meetings, outcomes},
    state::AppState,
    store::{
        meeting_records::{ActionScope, Place},
        meetings::{MeetingRow, MeetingStatus},
        now_millis,
    },
    views::{
        SignedIn,
        meeting_room::{Live, LiveItem},
    },
    workflow::lifecycle,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/overleggen/{id}/live", get(fragment))
        .route("/overleggen/{id}/gebeurtenissen", get(events))
        .route("/overleggen/{id}/starten", post(start))
        .route("/overleggen/{id}/punt/{item}", post(take_item))
        .route("/overleggen/{id}/timer", post(timer))
        .route("/overleggen/{id}/positie", post(position))
        .route("/overleggen/{id}/aanwezig", post(attend))
        .route("/overleggen/{id}/gasten", post(invite))
        .route(
            "/overleggen/{id}/gasten/{account}/verwijderen",
            post(remove_guest),
        )
        .route("/overleggen/{id}/agenda/{item}/besluit", post(decide))
        .route(
            "/overleggen/{id}/agenda/{item}/actiepunten",
            post(add_action),
        )
        .route(
            "/overleggen/{id}/agenda/{item}/in-behandeling",
            post(take_up),
        )
        .route("/actiepunten/{id}/klaar", post(finish_action))
}

/// Whether the viewer may read `canvas` (and what the policy knows of it).
async fn readable(
    state: &AppState,
    viewer: &Viewer,
    canvas: &CanvasId,
) -> Result<Option<(policy::Canvas, policy::Access)>, AppError> {
    let Some(facts) = state.canvases.canvas_facts(canvas).await? else {
        return Ok(None);
    };
    let access = policy::canvas_access(&viewer.policy, &facts);
    Ok(access.may_read().then_some((facts, access)))
}

/// The live section of `meeting` as the viewer may see and use it.
pub async fn section(
    state: &AppState,
    viewer: &Viewer,
    meeting: &MeetingRow,
) -> Result<Markup, AppError> {
    let agenda = state.meetings.agenda(meeting.id).await?;
    let running = meeting.status == MeetingStatus::Running;
    let mut readable_items = Vec::new();
    let mut items = Vec::with_capacity(agenda.len());
    for row in &agenda {
        let (readable, may_take_up) = match &row.canvas {
            None => (true, false),
            Some(canvas) => match readable(state, viewer, canvas).await? {
                None => (false, false),
                Some((facts, access)) => {
                    let ingebracht = state.workflow.canvas_status(canvas).await?
                        == Some(CanvasStatus::Ingebracht);
                    let allowed = lifecycle::check(
                        &viewer.policy,
                        &facts,
                        access,
                        CanvasStatus::Ingebracht,
                        CanvasStatus::InBehandeling,
                    )
                    .is_ok();
                    let on_table = meeting.live.current_item == Some(row.id);
                    (true, running && on_table && ingebracht && allowed)
                }
            },
        };
        if readable {
            readable_items.push(row.id);
        }
        items.push(LiveItem {
            row,
            readable,
            may_take_up,
        });
    }
    let actions: Vec<_> = state
        .database
        .actions(ActionScope::Meeting(meeting.id))
        .await?
        .into_iter()
        .filter(|a| readable_items.contains(&a.item))
        .collect();
    let may_record = workspace::may_record_meeting(&viewer.policy, meeting.team);
    let mut earlier = Vec::new();
    for action in state
        .database
        .actions(ActionScope::OpenOfTeam(meeting.team))
        .await?
    {
        if action.meeting == meeting.id || action.meeting_starts_at > meeting.schedule.starts_at {
            continue;
        }
        let shown = match &action.canvas {
            Some(canvas) => readable(state, viewer, canvas).await?.is_some(),
            None => may_record,
        };
        if shown {
            earlier.push(action);
        }
    }
    let may_run = workspace::may_run_meeting(&viewer.policy, meeting.team);
    let guests = if may_run {
        state.database.guests(meeting.id).await?
    } else {
        Vec::new()
    };
    let owners = if may_record {
        outcomes::owners(state, meeting).await?
    } else {
        Vec::new()
    };
    let minutes_fixed = state
        .database
        .minutes(meeting.id)
        .await?
        .is_some_and(|m| m.fixed_at.is_some());
    let live = Live {
        csrf: viewer.csrf(),
        meeting,
        items: &items,
        actions: &actions,
        earlier: &earlier,
        attendance: &state.database.attendance(meeting.id).await?,
        guests: &guests,
        owners: &owners,
        viewer: viewer.account.id,
        may_run,
        may_record,
        minutes_fixed,
        now: now_millis(),
    };
    Ok(crate::views::meeting_room::live(&live))
}

async fn fragment(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<MeetingId>,
) -> Result<Markup, AppError> {
    let meeting = meetings::visible(&state, &viewer, id).await?;
    section(&state, &viewer, &meeting).await
}

/// What one signal says to this viewer on the stream, if anything.
async fn to_event(
    state: &AppState,
    policy: &policy::Account,
    signal: &MeetingSignal,
) -> Option<SseEvent> {
    let (name, canvas, step) = match signal {
        MeetingSignal::Changed => {
            return Some(SseEvent::default().event("overleg").data("gewijzigd"));
        }
        MeetingSignal::ChairMoved { canvas, step } => ("voorzitter", canvas, step),
        MeetingSignal::CallToCome { canvas, step } => ("oproep", canvas, step),
    };
    // Where the chair is, is news only for someone who may read that canvas.
    if !meeting_room::may_follow_to(state, policy, canvas)
        .await
        .unwrap_or(false)
    {
        return None;
    }
    let data = serde_json::json!({
        "canvas": canvas.as_str(),
        "step": step,
        "url": format!("/canvases/{}#{step}", canvas.as_str()),
    });
    Some(SseEvent::default().event(name).data(data.to_string()))
}

/// Server-sent events of one overleg; the first says where the chair is now (if it runs). Ends
/// with the viewer's access (a guest's window closing ends it) and when the server stops.
async fn events(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<MeetingId>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, AppError> {
    let meeting = meetings::visible(&state, &viewer, id).await?;
    let receiver = state.events.subscribe(Topic::Meeting);
    let registration = register_stream(&state, &viewer, None);
    let first = match (&meeting.live.chair_canvas, meeting.status) {
        (Some(canvas), MeetingStatus::Running) => Some(MeetingSignal::ChairMoved {
            canvas: canvas.clone(),
            step: meeting.live.chair_step.clone(),
        }),
        _ => None,
    };
    let stopping = state.tasks.stopping.clone();
    let policy = viewer.policy.clone();
    let stream = futures_util::stream::unfold(
        (receiver, first, (state, policy, stopping, registration)),
        move |(mut receiver, mut pending, context)| async move {
            loop {
                let (state, policy, stopping, registration) = &context;
                let signal = match pending.take() {
                    Some(signal) => signal,
                    None => {
                        let received = tokio::select! {
                            _ = stopping.cancelled() => return None,
                            _ = registration.closer.closed() => return None,
                            received = receiver.recv() => received,
                        };
                        match received {
                            Ok(BusEvent::MeetingChanged { meeting, signal }) if meeting == id => {
                                signal
                            }
                            Ok(_) => continue,
                            Err(RecvError::Lagged(_)) => MeetingSignal::Changed,
                            Err(RecvError::Closed) => return None,
                        }
                    }
                };
                if let Some(event) = to_event(state, policy, &signal).await {
                    return Some((Ok(event), (receiver, pending, context)));
                }
            }
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

async fn start(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let result = meeting_room::start(&state, &viewer, id).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

async fn take_item(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, item)): Path<(MeetingId, AgendaItemId)>,
) -> Result<Response, AppError> {
    let result = meeting_room::take_item(&state, &viewer, id, item).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct TimerQuery {
    #[serde(default)]
    actie: String,
    #[serde(default)]
    minuten: String,
}

async fn timer(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Query(query): Query<TimerQuery>,
) -> Result<Response, AppError> {
    let action = match query.actie.as_str() {
        "start" => meeting_room::TimerAction::Start,
        "pauze" => meeting_room::TimerAction::Pause,
        "verlengen" => meeting_room::TimerAction::Extend(query.minuten.trim().parse().unwrap_or(0)),
        _ => {
            return Err(AppError::Invalid(
                "Kies starten, pauzeren of verlengen.".into(),
            ));
        }
    };
    let result = meeting_room::timer(&state, &viewer, id, action).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct PositionForm {
    #[serde(default)]
    canvas: String,
    #[serde(default)]
    stap: String,
    /// Present: everyone is asked to come.
    oproep: Option<String>,
}

/// The chair's page says where the chair is; 204, or the reason.
async fn position(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<MeetingId>,
    Form(form): Form<PositionForm>,
) -> Result<Response, AppError> {
    let canvas: CanvasId = form
        .canvas
        .parse()
        .map_err(|_| AppError::Invalid("Dit canvas staat niet op de agenda.".into()))?;
    let call = form.oproep.is_some();
    meeting_room::chair_at(&state, &viewer, id, &canvas, &form.stap, call).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

#[derive(Deserialize)]
struct PlaceQuery {
    #[serde(default)]
    plaats: String,
}

async fn attend(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Query(query): Query<PlaceQuery>,
) -> Result<Response, AppError> {
    let Some(place) = Place::from_code(&query.plaats) else {
        return Err(AppError::Invalid("Kies in de zaal of op afstand.".into()));
    };
    let result = meeting_room::attend(&state, &viewer, id, place).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct GuestForm {
    #[serde(default)]
    email: String,
    bewerken: Option<String>,
}

async fn invite(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Form(form): Form<GuestForm>,
) -> Result<Response, AppError> {
    let result = guests::invite(&state, &viewer, id, &form.email, form.bewerken.is_some())
        .await
        .map(|_| ());
    respond(&state, &viewer, id, result, None, &nonce).await
}

async fn remove_guest(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, account)): Path<(MeetingId, AccountId)>,
) -> Result<Response, AppError> {
    let result = guests::remove(&state, &viewer, id, account).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct DecisionForm {
    #[serde(default)]
    besluit: String,
}

async fn decide(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, item)): Path<(MeetingId, AgendaItemId)>,
    Form(form): Form<DecisionForm>,
) -> Result<Response, AppError> {
    let result = outcomes::decide(&state, &viewer, id, item, &form.besluit).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

async fn add_action(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, item)): Path<(MeetingId, AgendaItemId)>,
    Form(fields): Form<outcomes::ActionFields>,
) -> Result<Response, AppError> {
    let result = outcomes::add_action(&state, &viewer, id, item, &fields)
        .await
        .map(|_| ());
    respond(&state, &viewer, id, result, None, &nonce).await
}

/// The canvas on the table goes from ingebracht to in behandeling, through the lifecycle.
async fn take_up(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, item)): Path<(MeetingId, AgendaItemId)>,
) -> Result<Response, AppError> {
    meetings::visible(&state, &viewer, id).await?;
    let canvas = state
        .meetings
        .agenda(id)
        .await?
        .into_iter()
        .find(|i| i.id == item)
        .and_then(|i| i.canvas)
        .ok_or(AppError::NotFound)?;
    let canvas = permitted::readable(state.canvases.as_ref(), &viewer, canvas.as_str()).await?;
    let on = OnCanvas {
        state: &state,
        actor: &viewer,
        canvas: &canvas,
    };
    let result = on
        .change_status(
            CanvasStatus::Ingebracht,
            CanvasStatus::InBehandeling,
            "In het overleg op tafel genomen.",
            Default::default(),
        )
        .await;
    if result.is_ok() {
        meeting_room::changed(&state, id);
    }
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct DoneForm {
    /// Where the button was: a path of this site.
    #[serde(default)]
    terug: String,
}

async fn finish_action(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(action): Path<ActionItemId>,
    Form(form): Form<DoneForm>,
) -> Result<Response, AppError> {
    match outcomes::finish_action(&state, &viewer, action).await {
        Ok(meeting) => {
            // Only a path of this site, and only characters a header may carry.
            let local = form.terug.starts_with('/')
                && !form.terug.starts_with("//")
                && form.terug.len() <= 200
                && form
                    .terug
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"/-_#?=&.".contains(&b));
            let back = if local {
                form.terug
            } else {
                format!("/overleggen/{meeting}")
            };
            Ok(Redirect::to(&back).into_response())
        }
        Err(ServiceError::Refused { refusal, message })
            if refusal != crate::services::Refusal::NotFound =>
        {
            let meeting = state
                .database
                .action(action)
                .await?
                .ok_or(AppError::NotFound)?
                .meeting;
            let refused = Err(ServiceError::Refused { refusal, message });
            respond(&state, &viewer, meeting, refused, None, &nonce).await
        }
        Err(other) => Err(other.into()),
    }
}
