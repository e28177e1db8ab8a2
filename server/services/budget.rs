//! Setting a team's doorbraakbudget for a year, and what a booking on it is made of (booking
//! itself is the canvas workflow's: `canvas_workflow::OnCanvas::book`).

use super::{Refusal, ServiceError};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    canvas::CanvasId,
    format::euro,
    ids::{AccountId, TeamId},
    store::{AuditEntry, Database, Directory, StoreError, workflow::NewLedgerEntry},
    workflow::ledger::{self, BookingFields, Kind, LedgerError},
};

/// Checks a booking's fields; returns the entry `by` adds to `canvas` of `team`.
pub fn entry(
    form: &BookingFields,
    team: TeamId,
    canvas: &CanvasId,
    by: AccountId,
) -> Result<NewLedgerEntry, LedgerError> {
    Ok(NewLedgerEntry {
        team,
        year: ledger::year_of(&form.datum)?,
        canvas: canvas.clone(),
        kind: Kind::from_code(&form.soort).ok_or(LedgerError::Kind)?,
        amount_cents: ledger::parse_amount(&form.bedrag)?,
        purpose: ledger::required_line(&form.waarvoor, LedgerError::PurposeRequired)?,
        why_not_regular: ledger::required(&form.waarom, LedgerError::WhyRequired)?,
        approved_by: ledger::required_line(
            &form.goedgekeurd_door,
            LedgerError::ApprovedByRequired,
        )?,
        entry_date: form.datum.trim().to_owned(),
        corrects: None,
        confirm_over_budget: form.boven_budget.is_some(),
        by,
    })
}

/// The names a booking's approver is chosen from: the team's members, by name (or e-mail).
pub async fn approvers(directory: &dyn Directory, team: TeamId) -> Result<Vec<String>, StoreError> {
    let mut names: Vec<String> = directory
        .members(team)
        .await?
        .into_iter()
        .map(|m| if m.name.is_empty() { m.email } else { m.name })
        .collect();
    names.sort();
    Ok(names)
}

/// Whether `viewer` may set `team`'s budget; asked before the form's fields are read, so that
/// someone who may not learns that first.
pub fn may_set(viewer: &Viewer, team: TeamId) -> Result<(), ServiceError> {
    if workspace::may_set_budget(&viewer.policy, team) {
        Ok(())
    } else {
        let message = "Alleen de aanjager stelt het budget vast.";
        Err(ServiceError::refused(Refusal::Forbidden, message))
    }
}

/// Sets `team`'s budget for `year` to `cents`, if it is still `seen` (`None`: not set yet):
/// of two people setting it at once, one wins and the other is told.
pub async fn set(
    database: &dyn Database,
    viewer: &Viewer,
    team: TeamId,
    year: i32,
    cents: i64,
    seen: Option<i64>,
) -> Result<(), ServiceError> {
    may_set(viewer, team)?;
    let tx = database.begin().await?;
    if !tx
        .set_budget(team, year, cents, viewer.account.id, seen)
        .await?
    {
        let message = "Iemand anders heeft het budget intussen gewijzigd. Bekijk het nieuwe \
                       bedrag en stel het zo nodig opnieuw vast.";
        return Err(ServiceError::refused(Refusal::Conflict, message));
    }
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        team_id: Some(team),
        detail: format!("budget {year} vastgesteld op {}", euro(cents)),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::BudgetBooked.entry(entry)).await?;
    tx.commit().await?;
    Ok(())
}
