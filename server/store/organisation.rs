//! The organisation: provinces, gemeenten, teams and who is a member in which role.

use async_trait::async_trait;

use super::{StoreError, accounts::AccountRow};
use crate::access::policy::{self, AccountId, ProvinceId, TeamId, TeamRole};

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

#[async_trait]
pub trait Organisation: Send + Sync + 'static {
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
}
