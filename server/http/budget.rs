//! `GET /teams/{id}/budget?jaar=`: a team's doorbraakbudget for a year with its ledger;
//! `POST` sets the year's budget (the aanjager); `GET /teams/{id}/budget.csv?jaar=` exports the
//! ledger. For the team's aanjager, projectleider and teamleden; for anyone else the page does
//! not exist.

use axum::{
    Extension, Form, Router,
    extract::{Path, Query, State},
    http::StatusCode,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Deserialize;

use super::download::{self, Download};
use crate::{
    access::{policy, workspace},
    auth::Viewer,
    error::AppError,
    export::{Cell, Table},
    format::dutch_date,
    http::middleware::csp::CspNonce,
    http::permitted,
    ids::TeamId,
    services::{Refusal, ServiceError, budget, canvas_workflow::OnCanvas},
    state::AppState,
    store::{AuditEntry, TeamRow, now_millis},
    views::SignedIn,
    views::{
        self,
        booking::BookingForm,
        budget::{BudgetPage, TeamBooking},
    },
    workflow::ledger::{self, BookingFields as Typed, Totals},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams/{id}/budget", get(show).post(set))
        .route("/teams/{id}/budget/boeken", post(book))
        .route("/teams/{id}/budget.csv", get(csv))
        .route("/teams/{id}/budget.xlsx", get(xlsx))
}

/// The team, if the viewer may see its budget; otherwise 404.
async fn team(state: &AppState, viewer: &Viewer, id: TeamId) -> Result<TeamRow, AppError> {
    if !workspace::may_see_budget(&viewer.policy, id) {
        return Err(AppError::NotFound);
    }
    let team = state.directory.team(id).await?.ok_or(AppError::NotFound)?;
    Ok(team)
}

/// The team's canvases the viewer may book on (the policy's rule per canvas; archived ones never).
async fn bookable(
    state: &AppState,
    viewer: &Viewer,
    team: TeamId,
) -> Result<Vec<(String, String)>, AppError> {
    let mut canvases: Vec<(String, String)> = state
        .canvases
        .list_canvases()
        .await?
        .into_iter()
        .filter(|c| {
            // An archived canvas is read-only to the policy, so never bookable.
            c.access.as_ref().is_some_and(|facts| {
                facts.team == team
                    && policy::may_book(
                        &viewer.policy,
                        facts,
                        policy::canvas_access(&viewer.policy, facts),
                    )
            })
        })
        .map(|c| (c.id, c.label))
        .collect();
    canvases.sort_by(|a, b| a.1.cmp(&b.1));
    Ok(canvases)
}

/// This year in the Netherlands.
fn this_year() -> i32 {
    dutch_date(now_millis())[..4].parse().unwrap_or(2026)
}

/// A year's totals, `None` when no budget was set.
pub async fn year_totals(
    state: &AppState,
    team: TeamId,
    year: i32,
) -> Result<Option<Totals>, AppError> {
    let Some(budget) = state.workflow.budget(team, year).await? else {
        return Ok(None);
    };
    let entries = state.workflow.ledger(team, year).await?;
    Ok(Some(ledger::totals(
        budget,
        entries.iter().map(|e| (e.kind, e.amount_cents)),
    )))
}

#[derive(Deserialize)]
struct YearQuery {
    jaar: Option<i32>,
}

async fn render(
    state: &AppState,
    viewer: &SignedIn,
    team: &TeamRow,
    year: i32,
    error: Option<String>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    render_booking(state, viewer, team, year, error, None, nonce).await
}

/// The page; `booking` is a refused booking's fields and canvas, shown again.
async fn render_booking(
    state: &AppState,
    viewer: &SignedIn,
    team: &TeamRow,
    year: i32,
    error: Option<String>,
    booking: Option<&BookingFields>,
    nonce: &CspNonce,
) -> Result<maud::Markup, AppError> {
    let mut years = state.workflow.budget_years(team.id).await?;
    if !years.contains(&year) {
        years.push(year);
        years.sort_unstable_by(|a, b| b.cmp(a));
    }
    let totals = year_totals(state, team.id, year).await?;
    let ledger = state.workflow.ledger(team.id, year).await?;
    let canvases = bookable(state, viewer, team.id).await?;
    let members = if canvases.is_empty() {
        Vec::new()
    } else {
        budget::approvers(state.directory.as_ref(), team.id).await?
    };
    let today = dutch_date(now_millis());
    let booking_view = (!canvases.is_empty()).then(|| TeamBooking {
        canvases: &canvases,
        chosen: booking.map(|b| b.canvas.as_str()),
        form: BookingForm {
            team_members: &members,
            today: &today,
            typed: booking.map(|b| &b.fields),
        },
    });
    let page = BudgetPage {
        team,
        year,
        years: &years,
        budget_set: totals.is_some(),
        totals: totals.unwrap_or_default(),
        ledger: &ledger,
        may_set: workspace::may_set_budget(&viewer.policy, team.id),
        error,
        booking: booking_view.as_ref(),
    };
    Ok(views::budget::page(viewer, &page, &nonce.0))
}

async fn show(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
    Query(query): Query<YearQuery>,
) -> Result<maud::Markup, AppError> {
    let team = team(&state, &viewer, id).await?;
    let year = query
        .jaar
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(this_year);
    render(&state, &viewer, &team, year, None, &nonce).await
}

#[derive(Deserialize)]
struct BudgetForm {
    jaar: Option<i32>,
    #[serde(default)]
    bedrag: String,
    /// The budget in cents as the person saw it; empty or absent when none was set.
    #[serde(default)]
    vorig: String,
}

async fn set(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
    Form(form): Form<BudgetForm>,
) -> Result<Response, AppError> {
    let team = team(&state, &viewer, id).await?;
    budget::may_set(&viewer, id)?;
    let year = form
        .jaar
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(this_year);
    // The page again, with `message` above the form.
    let refuse = |status: StatusCode, message: String| {
        let (state, viewer, team, nonce) = (&state, &viewer, &team, &nonce);
        async move {
            let page = render(state, viewer, team, year, Some(message), nonce).await?;
            Ok::<_, AppError>((status, page).into_response())
        }
    };
    let cents = match ledger::parse_amount(&form.bedrag) {
        Ok(cents) => cents,
        Err(error) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).await;
        }
    };
    let seen = match form.vorig.trim() {
        "" => None,
        raw => Some(raw.parse::<i64>().map_err(|_| {
            AppError::Invalid("Laad de pagina opnieuw en stel het budget dan vast.".into())
        })?),
    };
    match budget::set(state.database.as_ref(), &viewer, id, year, cents, seen).await {
        Ok(()) => {}
        Err(ServiceError::Refused {
            refusal: Refusal::Conflict,
            message,
        }) => return refuse(StatusCode::CONFLICT, message).await,
        Err(other) => return Err(other.into()),
    }
    Ok(Redirect::to(&format!("/teams/{id}/budget?jaar={year}")).into_response())
}

async fn csv(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<TeamId>,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    ledger_download(&state, &viewer, id, query, Download::Csv).await
}

async fn xlsx(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<TeamId>,
    Query(query): Query<YearQuery>,
) -> Result<Response, AppError> {
    ledger_download(&state, &viewer, id, query, Download::Xlsx).await
}

/// A year's ledger of the team as a file, recorded in the audit log before it is served.
async fn ledger_download(
    state: &AppState,
    viewer: &Viewer,
    id: TeamId,
    query: YearQuery,
    format: Download,
) -> Result<Response, AppError> {
    let team = team(state, viewer, id).await?;
    let year = query
        .jaar
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(this_year);
    let entries = state.workflow.ledger(id, year).await?;
    let table = Table {
        header: &[
            "nr",
            "datum",
            "canvas_id",
            "canvas",
            "soort",
            "bedrag_centen",
            "bedrag",
            "waarvoor",
            "waarom_niet_regulier",
            "goedgekeurd_door",
            "correctie_van",
            "boven_budget_bevestigd",
            "geboekt_door",
        ],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    Cell::Int(e.id.0),
                    Cell::Date(&e.entry_date),
                    Cell::Text(&e.canvas_id),
                    Cell::Text(&e.canvas_label),
                    Cell::Text(e.kind.dutch()),
                    Cell::Int(e.amount_cents),
                    Cell::Euro(e.amount_cents),
                    Cell::Text(&e.purpose),
                    Cell::Text(&e.why_not_regular),
                    Cell::Text(&e.approved_by),
                    e.corrects.map_or(Cell::Text(""), |c| Cell::Int(c.0)),
                    Cell::Text(if e.over_budget_confirmed { "ja" } else { "nee" }),
                    Cell::Text(&e.recorded_by),
                ]
            })
            .collect(),
    };
    state
        .audit
        .record_export(AuditEntry {
            account_id: Some(viewer.account.id),
            team_id: Some(id),
            detail: format!("grootboek {year} van {} als {}", team.name, format.name()),
            ..AuditEntry::default()
        })
        .await?;
    download::respond(
        &table,
        format,
        &format!("doorbraakbudget-{id}-{year}"),
        "Grootboek",
    )
}

/// A booking from the team's page: the fields of the canvas form plus which canvas.
#[derive(Deserialize)]
struct BookingFields {
    #[serde(default)]
    canvas: String,
    #[serde(flatten)]
    fields: Typed,
}

/// `POST /teams/{id}/budget/boeken`: books on the chosen canvas through the same use case as the
/// canvas's own form; a refusal shows this page again with the reason and what was typed.
async fn book(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
    Form(form): Form<BookingFields>,
) -> Result<Response, AppError> {
    let team = team(&state, &viewer, id).await?;
    let year = ledger::year_of(&form.fields.datum).unwrap_or_else(|_| this_year());
    let refuse = |status: StatusCode, message: String| {
        let (state, viewer, team, nonce, form) = (&state, &viewer, &team, &nonce, &form);
        async move {
            let page =
                render_booking(state, viewer, team, year, Some(message), Some(form), nonce).await?;
            Ok::<_, AppError>((status, page).into_response())
        }
    };
    // A canvas of another team, or one the viewer may not read, is not on this page's list.
    let canvas = match permitted::readable(state.canvases.as_ref(), &viewer, &form.canvas).await {
        Ok(canvas) if canvas.facts.team == id => canvas,
        Ok(_) | Err(AppError::NotFound) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, CHOOSE_CANVAS.into()).await;
        }
        Err(other) => return Err(other),
    };
    let on = OnCanvas {
        state: &state,
        actor: &viewer,
        canvas: &canvas,
    };
    // Who may not book learns that first, as on the canvas.
    let booked = match on
        .may_book()
        .map(|()| budget::entry(&form.fields, id, &canvas.id, viewer.account.id))
    {
        Err(refused) => Err(refused),
        Ok(Ok(entry)) => on.book(&entry).await,
        Ok(Err(error)) => {
            return refuse(StatusCode::UNPROCESSABLE_ENTITY, error.to_string()).await;
        }
    };
    match booked {
        Ok(_) => {
            Ok(Redirect::to(&format!("/teams/{id}/budget?jaar={year}#boekingen")).into_response())
        }
        Err(ServiceError::Refused { refusal, message }) => {
            refuse(super::refusal::status(refusal), message).await
        }
        Err(other) => Err(other.into()),
    }
}

const CHOOSE_CANVAS: &str = "Kies het canvas waarop je boekt.";
