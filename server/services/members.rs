//! Who holds which role: a team's members (their role, their removal) and the national roles
//! of an account (doorbraakcoach of a province, PMM). Each change is one transaction with its
//! audit line; afterwards the account's open connections close, so that it applies at once.

use super::{Refusal, ServiceError, invitations::SELF_GRANT};
use crate::{
    access::policy::{self, AccountId, TeamId, TeamRole},
    audit::Event,
    auth::Viewer,
    events::{AccessChange, Event as BusEvent, EventBus},
    store::{AuditEntry, Database, MemberChange, ProvinceRow, Transaction},
};

const OWN_ROLE: &str =
    "Je kunt je eigen rol niet wijzigen. Vraag een andere aanjager of een beheerder.";
const LAST_AANJAGER: &str =
    "Een team houdt minstens één aanjager. Maak eerst iemand anders aanjager.";

/// Gives a member of `team` the role with code `role` (`Some`) or removes them (`None`), unless
/// that would leave the team without an aanjager. Whether `by` manages the team at all is the
/// caller's question (it answers 404 or 403 for the team itself).
pub async fn change_member(
    database: &dyn Database,
    events: &dyn EventBus,
    by: &Viewer,
    team: TeamId,
    account: AccountId,
    role: Option<&str>,
) -> Result<(), ServiceError> {
    let role = match role {
        Some(code) => {
            if !policy::may_change_role(&by.policy, team, account) {
                return Err(ServiceError::refused(Refusal::Forbidden, OWN_ROLE));
            }
            let role = TeamRole::from_code(code).ok_or_else(|| {
                ServiceError::refused(Refusal::Invalid, "Kies een bestaande rol.")
            })?;
            Some(role)
        }
        None => None,
    };
    let tx = database.begin().await?;
    let member = tx
        .members(team)
        .await?
        .into_iter()
        .find(|m| m.account_id == account)
        .ok_or_else(|| ServiceError::refused(Refusal::NotFound, ""))?;
    match tx.change_member(team, account, role).await? {
        MemberChange::Done => {}
        MemberChange::NotMember => return Err(ServiceError::refused(Refusal::NotFound, "")),
        MemberChange::LastAanjager => {
            return Err(ServiceError::refused(Refusal::Invalid, LAST_AANJAGER));
        }
    }
    let (event, detail) = match role {
        Some(role) => (
            Event::RoleChanged,
            format!("{}: {} → {}", member.email, member.role.code(), role.code()),
        ),
        None => (Event::MemberRemoved, member.email),
    };
    let entry = AuditEntry {
        account_id: Some(by.account.id),
        team_id: Some(team),
        detail,
        ..AuditEntry::default()
    };
    commit_and_reconnect(tx, events, event.entry(entry), account).await
}

/// Makes `account` doorbraakcoach of `coach` (or of no province) and PMM or not; a beheerder's
/// change, never on their own account.
pub async fn set_national_roles(
    database: &dyn Database,
    events: &dyn EventBus,
    by: &Viewer,
    account: AccountId,
    coach: Option<&ProvinceRow>,
    pmm: bool,
) -> Result<(), ServiceError> {
    if account == by.account.id {
        return Err(ServiceError::refused(Refusal::Forbidden, SELF_GRANT));
    }
    let tx = database.begin().await?;
    let email = tx
        .account_by_id(account)
        .await?
        .ok_or_else(|| ServiceError::refused(Refusal::NotFound, ""))?
        .email;
    tx.set_coach(account, coach.map(|province| province.id))
        .await?;
    tx.set_pmm(account, pmm).await?;
    let coach_name = coach.map_or("geen", |province| province.name.as_str());
    let entry = AuditEntry {
        account_id: Some(by.account.id),
        detail: format!(
            "{email}: coach van {coach_name}, PMM {}",
            if pmm { "ja" } else { "nee" }
        ),
        ..AuditEntry::default()
    };
    commit_and_reconnect(tx, events, Event::RoleChanged.entry(entry), account).await
}

/// Writes the audit line, commits, and closes the account's connections and streams: they
/// come back under the new rules.
async fn commit_and_reconnect(
    tx: Box<dyn Transaction>,
    events: &dyn EventBus,
    entry: AuditEntry,
    account: AccountId,
) -> Result<(), ServiceError> {
    tx.append_audit(&entry).await?;
    tx.commit().await?;
    events.publish(BusEvent::AccessChanged(AccessChange::Account(account)));
    Ok(())
}
