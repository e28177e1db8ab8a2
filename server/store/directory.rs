//! The directory: who is who and who may sign in. Accounts, provinces, gemeenten, teams and
//! memberships, sessions, personal access tokens, one-time links, failed sign-ins and the
//! append-only audit log.
//!
//! Kept apart from [`super::Store`] (the canvas documents) because the two change for different
//! reasons; one database implements both.

use async_trait::async_trait;

use super::StoreError;
use crate::access::policy::{self, AccountId, ProvinceId, TeamId, TeamRole};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_beheerder: bool,
    pub is_pmm: bool,
    pub coach_province: Option<i64>,
}

impl AccountRow {
    /// The name to show, falling back to the e-mail address.
    pub fn display_name(&self) -> &str {
        if self.name.is_empty() {
            &self.email
        } else {
            &self.name
        }
    }
}

/// A signed-in session as stored.
#[derive(Debug, Clone)]
pub struct SessionRow {
    pub account: AccountRow,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// A personal access token as listed (never the token itself).
#[derive(Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub name: String,
    pub created_at: i64,
    pub revoked_at: Option<i64>,
    pub expires_at: i64,
    /// When it last authenticated a request (kept to the minute), if ever.
    pub last_used_at: Option<i64>,
}

/// A working token as a request presents it.
#[derive(Debug, Clone)]
pub struct TokenUse {
    pub id: i64,
    pub last_used_at: Option<i64>,
    pub account: AccountRow,
}

#[derive(Debug, Clone)]
pub struct NamedRow {
    pub id: i64,
    pub name: String,
}

/// A gemeente with its province.
#[derive(Debug, Clone)]
pub struct GemeenteRow {
    pub id: i64,
    pub name: String,
    pub province_id: i64,
    pub province: String,
}

/// A team with where it works.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: i64,
    pub name: String,
    pub gemeente: String,
    pub province_id: i64,
    pub province: String,
}

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub account_id: i64,
    pub email: String,
    pub name: String,
    pub role: TeamRole,
}

/// What became of a change to a membership.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberChange {
    Done,
    NotMember,
    /// Refused: the team would have no aanjager left.
    LastAanjager,
}

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
    pub created_by: i64,
    pub created_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

/// One line of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub account_id: Option<i64>,
    pub team_id: Option<i64>,
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
pub trait Directory: Send + Sync + 'static {
    // Accounts.

    /// Creates an account; [`StoreError::Duplicate`] when the e-mail address is taken.
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError>;
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError>;
    async fn account_by_id(&self, id: i64) -> Result<Option<AccountRow>, StoreError>;
    async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError>;
    async fn set_password(&self, account_id: i64, password_hash: &str) -> Result<(), StoreError>;
    async fn set_name(&self, account_id: i64, name: &str) -> Result<(), StoreError>;
    async fn set_pmm(&self, account_id: i64, pmm: bool) -> Result<(), StoreError>;
    async fn set_coach(&self, account_id: i64, province: Option<i64>) -> Result<(), StoreError>;
    /// The memberships of an account: (team, role).
    async fn memberships(&self, account_id: i64) -> Result<Vec<(i64, TeamRole)>, StoreError>;

    /// What the access policy needs to know of an account.
    async fn policy_account(&self, account: &AccountRow) -> Result<policy::Account, StoreError> {
        let memberships = self
            .memberships(account.id)
            .await?
            .into_iter()
            .map(|(team, role)| (TeamId(team), role))
            .collect();
        Ok(policy::Account {
            id: Some(AccountId(account.id)),
            memberships,
            coach_of: account.coach_province.map(ProvinceId),
            pmm: account.is_pmm,
            beheerder: account.is_beheerder,
        })
    }

    // Personal access tokens.

    /// Stores a token (its hash) that works until `expires_at`; returns its id.
    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<i64, StoreError>;
    /// The token and its account, if the token exists, is not revoked and has not expired.
    async fn token_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError>;
    /// Records that the token was used at `now`.
    async fn touch_token(&self, token_id: i64, now: i64) -> Result<(), StoreError>;
    /// Stores a single-use ticket (its hash) for a WebSocket to `canvas_id`, fetched with the
    /// token `token_id`.
    async fn create_ticket(
        &self,
        ticket_hash: &str,
        token_id: i64,
        canvas_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError>;
    /// Uses up a ticket for `canvas_id`: the token it was fetched with, if the ticket was
    /// unexpired and that token still works. Of two uses at once exactly one succeeds.
    async fn redeem_ticket(
        &self,
        ticket_hash: &str,
        canvas_id: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError>;
    async fn list_tokens(&self, account_id: i64) -> Result<Vec<TokenRow>, StoreError>;
    /// Revokes one of the account's tokens; `false` if it has no such unrevoked token.
    async fn revoke_token(&self, account_id: i64, token_id: i64) -> Result<bool, StoreError>;
    /// Revokes every token of the account.
    async fn revoke_tokens_of(&self, account_id: i64) -> Result<(), StoreError>;

    // Sessions.

    async fn create_session(
        &self,
        id_hash: &str,
        account_id: i64,
        csrf_token: &str,
    ) -> Result<(), StoreError>;
    /// A session that has not ended (expiry by inactivity is the caller's rule).
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError>;
    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError>;
    async fn end_sessions_of(&self, account_id: i64) -> Result<(), StoreError>;

    // Failed sign-ins.

    /// Consecutive failures for an address and when the last one was.
    async fn sign_in_failures(&self, email: &str) -> Result<(u32, i64), StoreError>;
    /// Counts one more failure; returns the new count.
    async fn record_sign_in_failure(&self, email: &str, now: i64) -> Result<u32, StoreError>;
    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError>;

    // Provinces, gemeenten, teams and memberships.

    async fn create_province(&self, name: &str) -> Result<i64, StoreError>;
    async fn provinces(&self) -> Result<Vec<NamedRow>, StoreError>;
    async fn create_gemeente(&self, name: &str, province_id: i64) -> Result<i64, StoreError>;
    async fn gemeenten(&self) -> Result<Vec<GemeenteRow>, StoreError>;
    async fn create_team(&self, name: &str, gemeente_id: i64) -> Result<i64, StoreError>;
    async fn teams(&self) -> Result<Vec<TeamRow>, StoreError>;
    async fn team(&self, id: i64) -> Result<Option<TeamRow>, StoreError>;
    async fn members(&self, team_id: i64) -> Result<Vec<MemberRow>, StoreError>;
    /// Adds the account to the team or changes its role there.
    async fn set_membership(
        &self,
        team_id: i64,
        account_id: i64,
        role: TeamRole,
    ) -> Result<(), StoreError>;
    /// Changes a member's role (`Some`) or removes them (`None`), unless that would leave the
    /// team without an aanjager: checked in the same statement, so two aanjagers demoting each
    /// other at once cannot both succeed.
    async fn change_member(
        &self,
        team_id: i64,
        account_id: i64,
        role: Option<TeamRole>,
    ) -> Result<MemberChange, StoreError>;

    // One-time links.

    async fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError>;
    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRow>, StoreError>;
    /// Marks the link used if it is unused and unexpired at `now`; `false` otherwise. Atomic:
    /// of two concurrent uses exactly one succeeds.
    async fn use_invitation(&self, token_hash: &str, now: i64) -> Result<bool, StoreError>;
    /// Unused, unexpired invitations to a team; to any team or role with `None`.
    async fn open_invitations(
        &self,
        team_id: Option<i64>,
        now: i64,
    ) -> Result<Vec<InvitationRow>, StoreError>;
    /// Deletes an unused invitation, so that its link no longer works; `false` if there was none.
    async fn withdraw_invitation(&self, token_hash: &str) -> Result<bool, StoreError>;

    // The audit log.

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError>;
    /// The newest entries first, at most `limit`; only those of `teams` unless `None` (all).
    async fn audit_entries(
        &self,
        teams: Option<&[i64]>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError>;
}
