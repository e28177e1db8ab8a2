//! The leerarchief: `GET /leerarchief` (the search page), `GET /api/leerarchief` (the same as
//! JSON: `{"total", "hits": [{"id", "label", "snippet", "archived_at", "team", "gemeente"}]}`)
//! and `GET /leerarchief.csv` (every hit, audited). The query string is the same for all three:
//! `q`, `leefgebied`, `domein`, `regeling`, `leerorde`, `uitkomst`, `van`, `tot` (jjjj-mm-dd),
//! `gemeente`, `team`, `budget` (ja/nee), `niveau`, `sorteer` (relevantie/datum), `pagina`,
//! `eigen` (1: the own team's live canvases too).

use axum::{
    Extension, Json, Router,
    extract::{Path, Query, State},
    response::Response,
    routing::get,
};
use maud::Markup;
use serde_json::{Value, json};

use super::download::{self, Download};
use crate::{
    access::{policy::EscalationLevel, workspace},
    audit::Audit,
    auth::Viewer,
    error::AppError,
    export::{Cell, Table},
    format,
    http::{middleware::csp::CspNonce, permitted},
    search,
    services::{
        archive_export,
        archive_search::{self, Search},
    },
    state::AppState,
    store::archive_index::{ArchiveOrder, ArchiveQuery},
    views::{
        self, SignedIn,
        learning_archive::{Choices, Params},
    },
    workflow::learning::{self, OUTCOMES},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/leerarchief", get(page))
        .route("/leerarchief.csv", get(csv))
        .route("/api/leerarchief", get(api))
        .route("/api/leerarchief/{id}", get(archived_json))
}

/// One archived canvas as JSON (`doorbraak.archief/1`, see `docs/archive-export.md`), for whoever
/// may read it; 404 for any other canvas. Recorded in the audit log.
async fn archived_json(
    State(state): State<AppState>,
    viewer: Viewer,
    Path(id): Path<String>,
) -> Result<Json<Value>, AppError> {
    let canvas = permitted::readable(state.canvases.as_ref(), &viewer, &id).await?;
    let archived = archive_export::archived(&state, canvas).await?;
    let body = archived.json(crate::store::now_millis());
    let canvas = archived.canvas();
    state
        .audit
        .record_canvas_export(
            viewer.account.id,
            canvas.facts.team,
            &canvas.id,
            "leerarchief als JSON".into(),
        )
        .await?;
    Ok(Json(body))
}

/// A field's value, `None` when absent or empty.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().map(str::trim).filter(|v| !v.is_empty())
}

fn invalid(what: &str) -> AppError {
    AppError::Invalid(format!("Deze zoekopdracht klopt niet: {what}."))
}

/// The search the parameters ask for, or why they do not hold (in Dutch).
pub fn parse(p: &Params) -> Result<Search, AppError> {
    let text: String = given(&p.q).unwrap_or_default().chars().take(200).collect();
    let choices = learning::tag_choices();
    let mut tags = Vec::new();
    for (kind, field, what) in [
        ("leefgebied", &p.leefgebied, "dit leefgebied bestaat niet"),
        ("domein", &p.domein, "dit domein bestaat niet"),
        (
            "regeling",
            &p.regeling,
            "deze regeling staat niet in de catalogus",
        ),
    ] {
        if let Some(code) = given(field) {
            if !choices.iter().any(|(k, c, _)| *k == kind && c == code) {
                return Err(invalid(what));
            }
            tags.push((kind.to_owned(), code.to_owned()));
        }
    }
    let number = |field: &Option<String>, what: &str| -> Result<Option<i64>, AppError> {
        given(field)
            .map(|v| v.parse::<i64>().map_err(|_| invalid(what)))
            .transpose()
    };
    let order = number(&p.leerorde, "de leerorde is 1, 2 of 3")?;
    if order.is_some_and(|o| !(1..=3).contains(&o)) {
        return Err(invalid("de leerorde is 1, 2 of 3"));
    }
    let outcome = given(&p.uitkomst)
        .map(|v| {
            OUTCOMES
                .iter()
                .find(|(code, _)| *code == v)
                .map(|(_, s)| *s)
                .ok_or_else(|| invalid("kies als uitkomst gerealiseerd of zonder-doorbraak"))
        })
        .transpose()?;
    let day = |field: &Option<String>| -> Result<Option<i64>, AppError> {
        given(field)
            .map(|v| {
                format::from_dutch_local(v, "00:00")
                    .ok_or_else(|| invalid("een datum schrijf je als jjjj-mm-dd"))
            })
            .transpose()
    };
    let from = day(&p.van)?;
    // Up to and including the day named.
    let until = day(&p.tot)?.map(|t| t + 86_400_000);
    let budget_used = match given(&p.budget) {
        None => None,
        Some("ja") => Some(true),
        Some("nee") => Some(false),
        Some(_) => return Err(invalid("budget is ja of nee")),
    };
    let highest_level = given(&p.niveau)
        .map(|v| {
            EscalationLevel::from_code(v)
                .ok_or_else(|| invalid("het niveau is team, directie, coach of pmm"))
        })
        .transpose()?;
    let sort = match given(&p.sorteer) {
        None | Some("relevantie") => ArchiveOrder::Relevance,
        Some("datum") => ArchiveOrder::Newest,
        Some(_) => return Err(invalid("sorteer op relevantie of datum")),
    };
    let page = number(&p.pagina, "de pagina is een getal")?.unwrap_or(1);
    Ok(Search {
        text,
        query: ArchiveQuery {
            stems: Vec::new(),
            tags,
            order,
            outcome,
            from,
            until,
            gemeente: number(&p.gemeente, "kies een gemeente uit de lijst")?,
            team: number(&p.team, "kies een team uit de lijst")?,
            budget_used,
            highest_level,
            sort,
        },
        page: usize::try_from(page.max(1)).unwrap_or(1),
        include_live: given(&p.eigen) == Some("1"),
    })
}

/// Refuses who does no casework; a member alone may add live canvases.
fn allowed(viewer: &Viewer, search: &mut Search) -> Result<(), AppError> {
    if !workspace::may_search_archive(&viewer.policy) {
        return Err(AppError::Forbidden(
            "Het leerarchief is er voor doorbraakteams, doorbraakcoaches en PMM.".into(),
        ));
    }
    search.include_live &= workspace::may_search_live(&viewer.policy);
    Ok(())
}

async fn page(
    State(state): State<AppState>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Query(params): Query<Params>,
) -> Result<Markup, AppError> {
    let parsed = parse(&params);
    let mut ask = parsed.as_ref().cloned().unwrap_or_default();
    allowed(&viewer, &mut ask)?;
    let error = parsed.err().map(|e| e.to_string());
    let results = match &error {
        None => Some(archive_search::search(&state, &viewer.policy, &ask).await?),
        Some(_) => None,
    };
    let choices = Choices {
        gemeenten: state.directory.gemeenten().await?,
        teams: state.directory.teams().await?,
        live: workspace::may_search_live(&viewer.policy),
    };
    Ok(views::learning_archive::page(
        &viewer,
        &params,
        &choices,
        results.as_ref(),
        error.as_deref(),
        &nonce.0,
    ))
}

async fn api(
    State(state): State<AppState>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<Json<Value>, AppError> {
    let mut ask = parse(&params)?;
    allowed(&viewer, &mut ask)?;
    let results = archive_search::search(&state, &viewer.policy, &ask).await?;
    let hit = |h: &archive_search::Hit| {
        json!({
            "id": h.id.as_str(),
            "label": h.label,
            "snippet": search::plain(&h.snippet),
            "archived_at": h.archived_at,
            "team": h.team,
            "gemeente": h.gemeente,
        })
    };
    Ok(Json(json!({
        "total": results.total,
        "page": results.page,
        "pages": results.pages,
        "hits": results.hits.iter().map(hit).collect::<Vec<_>>(),
        "live": results.live.iter().map(hit).collect::<Vec<_>>(),
    })))
}

/// Every hit of the search (not one page) as CSV, recorded in the audit log first.
async fn csv(
    State(state): State<AppState>,
    State(audit): State<std::sync::Arc<Audit>>,
    viewer: Viewer,
    Query(params): Query<Params>,
) -> Result<Response, AppError> {
    let mut ask = parse(&params)?;
    allowed(&viewer, &mut ask)?;
    ask.include_live = false;
    let results = archive_search::search_all(&state, &viewer.policy, &ask).await?;
    audit
        .record_export(crate::store::AuditEntry {
            account_id: Some(viewer.account.id),
            detail: format!("leerarchief als CSV ({} canvassen)", results.len()),
            ..Default::default()
        })
        .await?;
    let snippets: Vec<String> = results.iter().map(|h| search::plain(&h.snippet)).collect();
    let dates: Vec<String> = results
        .iter()
        .map(|h| h.archived_at.map(format::dutch_date).unwrap_or_default())
        .collect();
    let table = Table {
        header: &[
            "canvas",
            "naam",
            "gearchiveerd",
            "team",
            "gemeente",
            "fragment",
        ],
        rows: results
            .iter()
            .zip(snippets.iter().zip(&dates))
            .map(|(h, (snippet, date))| {
                vec![
                    Cell::Text(h.id.as_str()),
                    Cell::Text(&h.label),
                    Cell::Date(date),
                    Cell::Text(&h.team),
                    Cell::Text(&h.gemeente),
                    Cell::Text(snippet),
                ]
            })
            .collect(),
    };
    download::respond(&table, Download::Csv, "leerarchief", "Leerarchief")
}
