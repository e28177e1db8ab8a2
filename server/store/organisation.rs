//! The organisation: provinces, gemeenten, teams and who is a member in which role.

use async_trait::async_trait;

use super::{StoreError, accounts::AccountRow};
use crate::{
    access::policy::{self, TeamRole},
    ids::{AccountId, GemeenteId, ProvinceId, TeamId},
};

/// A province.
#[derive(Debug, Clone)]
pub struct ProvinceRow {
    pub id: ProvinceId,
    pub name: String,
}

/// A gemeente with its province.
#[derive(Debug, Clone)]
pub struct GemeenteRow {
    pub id: GemeenteId,
    pub name: String,
    pub province_id: ProvinceId,
    pub province: String,
}

/// A team with where it works.
#[derive(Debug, Clone)]
pub struct TeamRow {
    pub id: TeamId,
    pub name: String,
    pub gemeente: String,
    pub province_id: ProvinceId,
    pub province: String,
}

#[derive(Debug, Clone)]
pub struct MemberRow {
    pub account_id: AccountId,
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
    async fn create_province(&self, name: &str) -> Result<ProvinceId, StoreError>;
    async fn provinces(&self) -> Result<Vec<ProvinceRow>, StoreError>;
    async fn create_gemeente(
        &self,
        name: &str,
        province: ProvinceId,
    ) -> Result<GemeenteId, StoreError>;
    async fn gemeenten(&self) -> Result<Vec<GemeenteRow>, StoreError>;
    async fn create_team(&self, name: &str, gemeente: GemeenteId) -> Result<TeamId, StoreError>;
    async fn teams(&self) -> Result<Vec<TeamRow>, StoreError>;
    async fn team(&self, id: TeamId) -> Result<Option<TeamRow>, StoreError>;
    async fn members(&self, team: TeamId) -> Result<Vec<MemberRow>, StoreError>;
    /// Adds the account to the team or changes its role there.
    async fn set_membership(
        &self,
        team: TeamId,
        account: AccountId,
        role: TeamRole,
    ) -> Result<(), StoreError>;
    /// Changes a member's role (`Some`) or removes them (`None`), unless that would leave the
    /// team without an aanjager: checked in the same statement, so two aanjagers demoting each
    /// other at once cannot both succeed.
    async fn change_member(
        &self,
        team: TeamId,
        account: AccountId,
        role: Option<TeamRole>,
    ) -> Result<MemberChange, StoreError>;

    /// The memberships of an account: (team, role).
    async fn memberships(&self, account: AccountId) -> Result<Vec<(TeamId, TeamRole)>, StoreError>;

    /// The provinces of the teams the account is a member of.
    async fn member_provinces(&self, account: AccountId) -> Result<Vec<ProvinceId>, StoreError>;

    /// The account's invitations as a guest of overleggen, with the agenda canvases whose guest
    /// window is open at `now`.
    async fn guest_grants(&self, account: AccountId, now: i64)
    -> Result<policy::Guest, StoreError>;

    /// What the access policy needs to know of an account, now.
    async fn policy_account(&self, account: &AccountRow) -> Result<policy::Account, StoreError> {
        Ok(policy::Account {
            id: Some(account.id),
            memberships: self.memberships(account.id).await?,
            coach_of: account.coach_province,
            pmm: account.is_pmm,
            beheerder: account.is_beheerder,
            guest: self.guest_grants(account.id, super::now_millis()).await?,
            member_provinces: self.member_provinces(account.id).await?,
        })
    }
}
