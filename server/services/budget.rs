//! Setting a team's doorbraakbudget for a year (bookings on it are the canvas workflow's).

use super::{Refusal, ServiceError};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    format::euro,
    ids::TeamId,
    store::{AuditEntry, Database},
};

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
