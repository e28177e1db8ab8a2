//! The organisation a beheerder keeps: provinces, gemeenten and teams.

use super::{Refusal, ServiceError};
use crate::{
    access::workspace,
    audit::Event,
    auth::Viewer,
    ids::{GemeenteId, ProvinceId},
    store::{AuditEntry, Database, StoreError},
};

/// Something to add to the organisation, with its (checked) name.
#[derive(Debug, Clone, Copy)]
pub enum NewUnit<'a> {
    Province(&'a str),
    Gemeente(&'a str, ProvinceId),
    Team(&'a str, GemeenteId),
}

impl NewUnit<'_> {
    /// What it is called on the page.
    pub fn dutch(self) -> &'static str {
        match self {
            NewUnit::Province(_) => "Provincie",
            NewUnit::Gemeente(..) => "Gemeente",
            NewUnit::Team(..) => "Team",
        }
    }
}

/// Adds `unit`, a beheerder's change; `detail` is what the audit log says of it. A name that is
/// taken is refused as a conflict.
pub async fn add(
    database: &dyn Database,
    viewer: &Viewer,
    unit: NewUnit<'_>,
    detail: String,
) -> Result<(), ServiceError> {
    if !workspace::may_administer(&viewer.policy) {
        let message = "Deze pagina is alleen voor beheerders.";
        return Err(ServiceError::refused(Refusal::Forbidden, message));
    }
    let tx = database.begin().await?;
    let created = match unit {
        NewUnit::Province(name) => tx.create_province(name).await.map(drop),
        NewUnit::Gemeente(name, province) => tx.create_gemeente(name, province).await.map(drop),
        NewUnit::Team(name, gemeente) => tx.create_team(name, gemeente).await.map(drop),
    };
    match created {
        Ok(()) => {}
        Err(StoreError::Duplicate) => {
            let message = format!("{} bestaat al.", unit.dutch());
            return Err(ServiceError::refused(Refusal::Conflict, message));
        }
        Err(other) => return Err(other.into()),
    }
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        detail,
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::Administration.entry(entry)).await?;
    tx.commit().await?;
    Ok(())
}
