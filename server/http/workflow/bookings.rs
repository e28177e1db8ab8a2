//! The doorbraakbudget on a canvas: `POST /canvases/{id}/budget` books an entry,
//! `POST /canvases/{id}/budget/{entry}/correctie` takes (part of) one back by a counter-entry.

use axum::{Form, extract::Path, http::StatusCode, response::Response};
use serde::Deserialize;

use super::Action;
use crate::{
    error::AppError,
    format::dutch_date,
    ids::EntryId,
    services::budget,
    store::{now_millis, workflow::NewLedgerEntry},
    workflow::ledger::{self, BookingFields, LedgerError},
};

pub async fn book(action: Action, Form(form): Form<BookingFields>) -> Result<Response, AppError> {
    let on = action.on();
    if let Err(refused) = on.may_book() {
        return action.respond::<()>(Err(refused)).await;
    }
    let (team, by) = (action.canvas.facts.team, action.viewer.account.id);
    match budget::entry(&form, team, &action.canvas.id, by) {
        Ok(entry) => action.respond(on.book(&entry).await).await,
        Err(error) => action.refuse(StatusCode::UNPROCESSABLE_ENTITY, error).await,
    }
}

#[derive(Deserialize)]
pub struct CorrectionForm {
    #[serde(default)]
    bedrag: String,
    #[serde(default)]
    reden: String,
}

/// A counter-entry. The amount is given positive and booked negative, of the same kind and year
/// as the entry it corrects.
pub async fn correct(
    action: Action,
    Path((_, original)): Path<(String, EntryId)>,
    Form(form): Form<CorrectionForm>,
) -> Result<Response, AppError> {
    let on = action.on();
    if let Err(refused) = on.may_book() {
        return action.respond::<()>(Err(refused)).await;
    }
    let corrected = action
        .state
        .workflow
        .canvas_ledger(&action.canvas.id)
        .await?
        .into_iter()
        .find(|e| e.id == original && e.corrects.is_none());
    let checked = corrected.ok_or(LedgerError::NoSuchEntry).and_then(|entry| {
        Ok(NewLedgerEntry {
            team: action.canvas.facts.team,
            year: entry.year,
            canvas: action.canvas.id.clone(),
            kind: entry.kind,
            amount_cents: -ledger::parse_amount(&form.bedrag)?,
            purpose: format!("Correctie van boeking {original}"),
            why_not_regular: ledger::required(&form.reden, LedgerError::WhyRequired)?,
            approved_by: action.viewer.account.display_name().to_owned(),
            entry_date: dutch_date(now_millis()),
            corrects: Some(original),
            confirm_over_budget: false,
            by: action.viewer.account.id,
        })
    });
    match checked {
        Ok(entry) => action.respond(on.book(&entry).await).await,
        Err(error) => action.refuse(StatusCode::UNPROCESSABLE_ENTITY, error).await,
    }
}
