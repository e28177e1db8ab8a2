//! Personal access tokens: making one, and revoking it (which ends every connection opened
//! with it at once).

use super::{Refusal, ServiceError};
use crate::{
    accounts,
    audit::Event,
    auth::Viewer,
    events::{AccessChange, Event as BusEvent, EventBus},
    ids::{Credential, TokenId},
    store::{AuditEntry, Database},
};

/// Makes a token named `name` (already checked) for the viewer, working `days`; returns the
/// token itself, shown once.
pub async fn create(
    database: &dyn Database,
    viewer: &Viewer,
    name: &str,
    days: u64,
) -> Result<String, ServiceError> {
    let tx = database.begin().await?;
    let (_, token) = accounts::create_token_for(tx.as_ref(), viewer.account.id, name, days).await?;
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        detail: name.to_owned(),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::TokenCreated.entry(entry)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Revokes one of the viewer's own tokens; not found when they have no such working token.
pub async fn revoke(
    database: &dyn Database,
    events: &dyn EventBus,
    viewer: &Viewer,
    token: TokenId,
) -> Result<(), ServiceError> {
    let tx = database.begin().await?;
    if !tx.revoke_token(viewer.account.id, token).await? {
        return Err(ServiceError::refused(Refusal::NotFound, ""));
    }
    let entry = AuditEntry {
        account_id: Some(viewer.account.id),
        detail: format!("token {token}"),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::TokenRevoked.entry(entry)).await?;
    tx.commit().await?;
    events.publish(BusEvent::AccessChanged(AccessChange::Credential(
        Credential::Token(token),
    )));
    Ok(())
}
