//! One-time links: invitations to a team, as doorbraakcoach or PMM, and password resets.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    access::policy::TeamRole,
    ids::{AccountId, ProvinceId, TeamId},
};

/// What a one-time link grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InvitationKind {
    /// Membership of a team with a role.
    Team(TeamId, TeamRole),
    /// Doorbraakcoach of a province.
    Coach(ProvinceId),
    Pmm,
    /// A new password for an existing account.
    Reset,
}

#[derive(Debug, Clone)]
pub struct InvitationRow {
    /// SHA-256 of the link's secret: identifies the invitation (to withdraw it) without being
    /// able to use it.
    pub token_hash: String,
    pub kind: InvitationKind,
    pub email: String,
    pub created_by: AccountId,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[async_trait]
pub trait Invitations: Send + Sync + 'static {
    async fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError>;
    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRow>, StoreError>;
    /// Marks the link used if it is unused and unexpired at `now`; `false` otherwise. Atomic:
    /// of two concurrent uses exactly one succeeds.
    async fn use_invitation(&self, token_hash: &str, now: i64) -> Result<bool, StoreError>;
    /// Unused, unexpired invitations to a team; to any team or role with `None`.
    async fn open_invitations(
        &self,
        team: Option<TeamId>,
        now: i64,
    ) -> Result<Vec<InvitationRow>, StoreError>;
    /// Deletes an unused invitation, so that its link no longer works; `false` if there was none.
    async fn withdraw_invitation(&self, token_hash: &str) -> Result<bool, StoreError>;
}
