//! The append-only audit log: who did what, never canvas content.

use async_trait::async_trait;

use super::StoreError;
use crate::ids::{AccountId, TeamId};

/// One line of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub account_id: Option<AccountId>,
    pub team_id: Option<TeamId>,
    pub canvas_id: Option<String>,
    /// A code from [`crate::audit::Event`].
    pub event: &'static str,
    /// Never canvas content: an e-mail address, a role, a token's name.
    pub detail: String,
}

/// A stored audit line with who did it.
#[derive(Debug, Clone)]
pub struct AuditRow {
    pub id: i64,
    pub at: i64,
    pub account: Option<String>,
    pub team: Option<String>,
    pub canvas_id: Option<String>,
    pub event: String,
    pub detail: String,
}

#[async_trait]
pub trait AuditLog: Send + Sync + 'static {
    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest entries first, at most `limit`; only those of `teams` unless `None` (all).
    async fn audit_entries(
        &self,
        teams: Option<&[TeamId]>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError>;
}
