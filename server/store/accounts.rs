//! Accounts and how they prove who they are: personal access tokens with their WebSocket
//! tickets, sessions, and the count of failed sign-ins.

use async_trait::async_trait;

use super::StoreError;
use crate::ids::{AccountId, ProvinceId, TokenId};

/// An account as stored.
#[derive(Debug, Clone)]
pub struct AccountRow {
    pub id: AccountId,
    pub email: String,
    pub name: String,
    pub password_hash: Option<String>,
    pub is_beheerder: bool,
    pub is_pmm: bool,
    pub coach_province: Option<ProvinceId>,
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

/// A sign-in turn held in the database ([`Accounts::sign_in_turn`]), if the backend has one;
/// given up when dropped.
pub struct SignInTurn {
    _held: Option<Box<dyn std::any::Any + Send>>,
}

impl SignInTurn {
    /// Nothing held: the backend serves one process.
    pub fn none() -> Self {
        Self { _held: None }
    }

    /// Holds `held` (a connection with the turn's lock) until dropped.
    pub(crate) fn holding(held: impl std::any::Any + Send) -> Self {
        Self {
            _held: Some(Box::new(held)),
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
    pub id: TokenId,
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
    pub id: TokenId,
    pub last_used_at: Option<i64>,
    pub account: AccountRow,
}

#[async_trait]
pub trait Accounts: Send + Sync + 'static {
    // The account itself.

    /// Creates an account; [`StoreError::Duplicate`] when the e-mail address is taken.
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError>;
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError>;
    async fn account_by_id(&self, id: AccountId) -> Result<Option<AccountRow>, StoreError>;
    async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError>;
    async fn set_password(&self, account: AccountId, password_hash: &str)
    -> Result<(), StoreError>;
    async fn set_name(&self, account: AccountId, name: &str) -> Result<(), StoreError>;
    async fn set_pmm(&self, account: AccountId, pmm: bool) -> Result<(), StoreError>;
    async fn set_coach(
        &self,
        account: AccountId,
        province: Option<ProvinceId>,
    ) -> Result<(), StoreError>;

    // Personal access tokens.

    /// Stores a token (its hash) that works for `lifetime_ms` from now; returns its id. The
    /// expiry is counted from the very moment stored as its creation.
    async fn create_token(
        &self,
        account: AccountId,
        name: &str,
        token_hash: &str,
        lifetime_ms: i64,
    ) -> Result<TokenId, StoreError>;
    /// The token and its account, if the token exists, is not revoked and has not expired.
    async fn token_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError>;
    /// Records that the token was used at `now`.
    async fn touch_token(&self, token: TokenId, now: i64) -> Result<(), StoreError>;
    /// Stores a single-use ticket (its hash) for a WebSocket to `canvas_id`, fetched with the
    /// token `token_id`.
    async fn create_ticket(
        &self,
        ticket_hash: &str,
        token: TokenId,
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
    async fn list_tokens(&self, account: AccountId) -> Result<Vec<TokenRow>, StoreError>;
    /// Revokes one of the account's tokens; `false` if it has no such unrevoked token.
    async fn revoke_token(&self, account: AccountId, token: TokenId) -> Result<bool, StoreError>;
    /// Revokes every token of the account.
    async fn revoke_tokens_of(&self, account: AccountId) -> Result<(), StoreError>;

    // Sessions.

    async fn create_session(
        &self,
        id_hash: &str,
        account: AccountId,
        csrf_token: &str,
    ) -> Result<(), StoreError>;
    /// A session that has not ended (expiry by inactivity is the caller's rule).
    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError>;
    async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError>;
    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError>;
    async fn end_sessions_of(&self, account: AccountId) -> Result<(), StoreError>;

    // Failed sign-ins.

    /// Consecutive failures for an address and when the last one was.
    async fn sign_in_failures(&self, email: &str) -> Result<(u32, i64), StoreError>;
    /// Counts one more failure; returns the new count.
    async fn record_sign_in_failure(&self, email: &str, now: i64) -> Result<u32, StoreError>;
    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError>;
    /// Waits until no other server process on this database runs a sign-in attempt for `key`,
    /// and holds that turn until the returned one is dropped: checking the count, the
    /// password and recording the failure are then one step across processes, as a process's
    /// own turn makes them within it. SQLite serves one process: nothing to hold.
    async fn sign_in_turn(&self, _key: &str) -> Result<SignInTurn, StoreError> {
        Ok(SignInTurn::none())
    }
}
