//! The overleggen over HTTP: `GET`/`POST /teams/{id}/overleggen` (list, plan),
//! `GET /overleggen/{id}` with its agenda, `POST …/wijzigen`, `…/annuleren`, `…/agenda` and
//! `…/agenda/{item}/{verwijderen|omhoog|omlaag}`; the calendar: `GET /overleggen/{id}/agenda.ics`
//! for one, `GET /agenda/{secret}.ics` (public: calendar apps send no headers, the secret is the
//! key) for all of a person's, made and revoked on `GET /overleggen`.

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::{public_base, refusal};
use crate::{
    access::workspace,
    auth::secret,
    config::AuthSettings,
    error::AppError,
    export::ics,
    http::middleware::csp::CspNonce,
    ids::{AccountId, AgendaItemId, MeetingId, TeamId},
    services::{
        Refusal, ServiceError,
        meetings::{self, AgendaAddition, AgendaChange, ScheduleFields},
    },
    state::AppState,
    store::{TeamRow, meetings::MeetingRow, now_millis},
    views::{
        self, SignedIn,
        meetings::{MeetingPage, MyMeetings, TeamMeetings},
    },
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/overleggen", get(mine))
        .route("/overleggen/agendalink", post(renew_feed))
        .route("/overleggen/agendalink/intrekken", post(revoke_feed))
        .route("/teams/{id}/overleggen", get(team_list).post(plan))
        .route("/overleggen/{id}", get(show))
        .route("/overleggen/{id}/agenda.ics", get(one_ics))
        .route("/overleggen/{id}/wijzigen", post(reschedule))
        .route("/overleggen/{id}/annuleren", post(cancel))
        .route("/overleggen/{id}/afronden", post(finish))
        .route("/overleggen/{id}/agenda", post(add))
        .route("/overleggen/{id}/leeragenda", post(add_learning_agenda))
        .route("/overleggen/{id}/agenda/{item}/{change}", post(change))
}

/// The calendar feed, reached without a session.
pub fn public_router() -> Router<AppState> {
    Router::new().route("/agenda/{file}", get(feed))
}

/// The team, if the viewer sees its overleggen; otherwise 404.
async fn team(state: &AppState, viewer: &SignedIn, id: TeamId) -> Result<TeamRow, AppError> {
    if !workspace::may_see_meetings(&viewer.policy, id) {
        return Err(AppError::NotFound);
    }
    state.directory.team(id).await?.ok_or(AppError::NotFound)
}

/// Who may chair the team's overleggen, by name.
async fn chairs(state: &AppState, team: TeamId) -> Result<Vec<(AccountId, String)>, AppError> {
    Ok(state
        .directory
        .members(team)
        .await?
        .into_iter()
        .filter(|m| workspace::may_chair(m.role))
        .map(|m| {
            (
                m.account_id,
                if m.name.is_empty() { m.email } else { m.name },
            )
        })
        .collect())
}

async fn render_team(
    state: &AppState,
    viewer: &SignedIn,
    team: &TeamRow,
    error: Option<String>,
    typed: Option<&ScheduleFields>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let list = state.meetings.team_meetings(team.id).await?;
    let chairs = chairs(state, team.id).await?;
    let page = TeamMeetings {
        team,
        meetings: &list,
        may_plan: workspace::may_plan_meetings(&viewer.policy, team.id),
        chairs: &chairs,
        error,
        typed,
    };
    Ok(views::meetings::team_page(viewer, &page, &nonce.0))
}

async fn team_list(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
) -> Result<maud::Markup, AppError> {
    let team = team(&state, &viewer, id).await?;
    render_team(&state, &viewer, &team, None, None, &nonce).await
}

async fn plan(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
    Form(fields): Form<ScheduleFields>,
) -> Result<Response, AppError> {
    let team = team(&state, &viewer, id).await?;
    match meetings::plan(&state, &viewer, id, &fields).await {
        Ok(ids) => Ok(Redirect::to(&format!("/overleggen/{}", ids[0])).into_response()),
        Err(ServiceError::Refused { refusal, message }) if refusal != Refusal::NotFound => {
            let page =
                render_team(&state, &viewer, &team, Some(message), Some(&fields), &nonce).await?;
            Ok((refusal::status(refusal), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

async fn render_meeting(
    state: &AppState,
    viewer: &SignedIn,
    meeting: &MeetingRow,
    error: Option<String>,
    typed: Option<&ScheduleFields>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let agenda = state.meetings.agenda(meeting.id).await?;
    let may_plan = workspace::may_plan_meetings(&viewer.policy, meeting.team);
    let mut proposals = Vec::new();
    if may_plan {
        for (id, _) in meetings::proposals(state, meeting.team, Some(meeting.id)).await? {
            let label = state.canvases.canvas_label(&id).await?.unwrap_or_default();
            proposals.push((id.to_string(), label));
        }
    }
    let chairs = chairs(state, meeting.team).await?;
    let live = super::meeting_room::section(state, viewer, meeting).await?;
    let page = MeetingPage {
        meeting,
        live,
        agenda: &agenda,
        proposals: &proposals,
        may_plan,
        chairs: &chairs,
        error,
        typed,
    };
    Ok(views::meetings::meeting_page(viewer, &page, &nonce.0))
}

async fn show(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<maud::Markup, AppError> {
    let meeting = meetings::visible(&state, &viewer, id).await?;
    render_meeting(&state, &viewer, &meeting, None, None, &nonce).await
}

/// Back to the overleg after a change, or its page again with the reason.
pub(super) async fn respond(
    state: &AppState,
    viewer: &SignedIn,
    id: MeetingId,
    result: Result<(), ServiceError>,
    typed: Option<&ScheduleFields>,
    nonce: &CspNonce,
) -> Result<Response, AppError> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/overleggen/{id}")).into_response()),
        Err(ServiceError::Refused { refusal, message }) if refusal != Refusal::NotFound => {
            let meeting = meetings::visible(state, viewer, id).await?;
            let page = render_meeting(state, viewer, &meeting, Some(message), typed, nonce).await?;
            Ok((refusal::status(refusal), page).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize)]
struct RescheduleForm {
    #[serde(default)]
    volgnummer: String,
    #[serde(flatten)]
    fields: ScheduleFields,
}

async fn reschedule(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Form(form): Form<RescheduleForm>,
) -> Result<Response, AppError> {
    let sequence = form.volgnummer.trim().parse().unwrap_or(-1);
    let result = meetings::reschedule(&state, &viewer, id, sequence, &form.fields).await;
    respond(&state, &viewer, id, result, Some(&form.fields), &nonce).await
}

async fn cancel(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let result = meetings::cancel(&state, &viewer, id).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

async fn finish(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let result = meetings::finish(&state, &viewer, id).await.map(|_| ());
    respond(&state, &viewer, id, result, None, &nonce).await
}

#[derive(Deserialize)]
struct AddForm {
    canvas: Option<String>,
    onderwerp: Option<String>,
    #[serde(default)]
    minuten: String,
}

async fn add(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
    Form(form): Form<AddForm>,
) -> Result<Response, AppError> {
    let what = match (&form.canvas, &form.onderwerp) {
        (Some(canvas), _) => AgendaAddition::Canvas(canvas),
        (None, Some(topic)) => AgendaAddition::Topic(topic),
        (None, None) => AgendaAddition::Topic(""),
    };
    let result = meetings::add_to_agenda(&state, &viewer, id, what, &form.minuten)
        .await
        .map(|_| ());
    respond(&state, &viewer, id, result, None, &nonce).await
}

/// `POST /overleggen/{id}/leeragenda`: the team's open leeragenda as the agenda of a
/// lerend-evalueren session.
async fn add_learning_agenda(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let result = meetings::add_learning_agenda(&state, &viewer, id)
        .await
        .map(|_| ());
    respond(&state, &viewer, id, result, None, &nonce).await
}

async fn change(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path((id, item, change)): Path<(MeetingId, AgendaItemId, String)>,
) -> Result<Response, AppError> {
    let change = match change.as_str() {
        "verwijderen" => AgendaChange::Remove,
        "omhoog" => AgendaChange::Up,
        "omlaag" => AgendaChange::Down,
        _ => return Err(AppError::NotFound),
    };
    let result = meetings::change_agenda(&state, &viewer, id, item, change).await;
    respond(&state, &viewer, id, result, None, &nonce).await
}

/// `list` as a calendar, each overleg with its agenda by label and a link to its page.
async fn calendar_response(
    state: &AppState,
    base: &str,
    name: &str,
    list: &[MeetingRow],
    file: &str,
) -> Result<Response, AppError> {
    let mut entries = Vec::with_capacity(list.len());
    for meeting in list {
        let agenda = state
            .meetings
            .agenda(meeting.id)
            .await?
            .into_iter()
            .map(|i| i.canvas_label.unwrap_or(i.topic))
            .collect();
        let url = format!("{base}/overleggen/{}", meeting.id);
        entries.push(ics::Entry {
            meeting,
            agenda,
            url,
        });
    }
    let body = ics::calendar(name, &entries, now_millis());
    let disposition = format!("inline; filename=\"{file}\"");
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/calendar; charset=utf-8"),
            ),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).unwrap_or(HeaderValue::from_static("inline")),
            ),
            (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
        ],
        body,
    )
        .into_response())
}

async fn one_ics(
    State(state): State<AppState>,
    State(settings): State<Arc<AuthSettings>>,
    headers: HeaderMap,
    viewer: SignedIn,
    Path(id): Path<MeetingId>,
) -> Result<Response, AppError> {
    let meeting = meetings::visible(&state, &viewer, id).await?;
    let base = public_base(&settings, &headers);
    let file = format!("overleg-{id}.ics");
    calendar_response(&state, &base, "Doorbraakoverleg", &[meeting], &file).await
}

/// `GET /agenda/{secret}.ics`: the overleggen of the feed owner's teams; 404 for any other name.
async fn feed(
    State(state): State<AppState>,
    State(settings): State<Arc<AuthSettings>>,
    headers: HeaderMap,
    Path(file): Path<String>,
) -> Result<Response, AppError> {
    let secret_text = file.strip_suffix(".ics").ok_or(AppError::NotFound)?;
    let account = state
        .meetings
        .calendar_feed_account(&secret::hash(secret_text))
        .await?
        .ok_or(AppError::NotFound)?;
    let row = state
        .directory
        .account_by_id(account)
        .await?
        .ok_or(AppError::NotFound)?;
    let policy = state.directory.policy_account(&row).await?;
    let list = meetings::of_person(&state, &policy).await?;
    let base = public_base(&settings, &headers);
    calendar_response(&state, &base, "Doorbraakoverleggen", &list, "doorbraak.ics").await
}

async fn my_page(
    state: &AppState,
    viewer: &SignedIn,
    new_feed: Option<String>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let list = meetings::of_person(state, &viewer.policy).await?;
    let actions = meetings::open_actions_of(state, viewer).await?;
    let page = MyMeetings {
        meetings: &list,
        actions: &actions,
        has_feed: state.meetings.has_calendar_feed(viewer.account.id).await?,
        new_feed,
    };
    Ok(views::meetings::my_page(viewer, &page, &nonce.0))
}

async fn mine(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<maud::Markup, AppError> {
    my_page(&state, &viewer, None, &nonce).await
}

async fn renew_feed(
    State(state): State<AppState>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: SignedIn,
) -> Result<Response, AppError> {
    let secret = meetings::renew_feed(&state, &viewer).await?;
    let url = format!("{}/agenda/{secret}.ics", public_base(&settings, &headers));
    let page = my_page(&state, &viewer, Some(url), &nonce).await?;
    Ok((StatusCode::OK, page).into_response())
}

async fn revoke_feed(
    State(state): State<AppState>,
    viewer: SignedIn,
) -> Result<Response, AppError> {
    meetings::revoke_feed(&state, &viewer).await?;
    Ok(Redirect::to("/overleggen").into_response())
}
