//! Accounts and personal access tokens: creating accounts (the first beheerder from the command
//! line) and tokens for scripts.
//!
//! Tokens are random, shown once, and stored only as their SHA-256 hash, so a copy of the
//! database gives no working token.

use crate::{
    access::password::{self, PasswordError},
    auth::secret,
    ids::{AccountId, TokenId},
    store::{AccountRow, Directory, StoreError},
};

pub use crate::auth::secret::TOKEN_PREFIX;

/// Days a token works unless chosen otherwise at creation.
pub use crate::config::defaults::TOKEN_DAYS as DEFAULT_TOKEN_DAYS;
/// The longest a token may be made to work.
pub const MAX_TOKEN_DAYS: u64 = 366;

/// Why an account or token could not be made; `Display` is the Dutch message for the user.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Dit is geen geldig e-mailadres.")]
    InvalidEmail,
    #[error("Er bestaat al een account met dit e-mailadres.")]
    Exists,
    #[error("Er is geen account met dit e-mailadres.")]
    Unknown,
    #[error("De naam staat op één regel, zonder onzichtbare tekens die de leesrichting omdraaien.")]
    Name,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("De database gaf een fout: {0}")]
    Store(#[from] StoreError),
}

/// An e-mail address, trimmed and lowercased, so one person has one spelling.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    crate::text::email(raw).map_err(|_| AccountError::InvalidEmail)
}

/// Creates a beheerder with `password`.
pub async fn create_beheerder(
    directory: &dyn Directory,
    email: &str,
    name: &str,
    password: &str,
) -> Result<AccountRow, AccountError> {
    create_account(directory, email, name, Some(password), true).await
}

/// Creates an account, with a password or (to be set through a one-time link) without.
pub async fn create_account(
    directory: &dyn Directory,
    email: &str,
    name: &str,
    password: Option<&str>,
    beheerder: bool,
) -> Result<AccountRow, AccountError> {
    let email = normalize_email(email)?;
    let name = crate::text::single_line(name).map_err(|_| AccountError::Name)?;
    let hash = password.map(password::hash).transpose()?;
    match directory
        .create_account(&email, name, hash.as_deref(), beheerder)
        .await
    {
        Ok(account) => Ok(account),
        Err(StoreError::Duplicate) => Err(AccountError::Exists),
        Err(error) => Err(error.into()),
    }
}

/// Creates a personal access token for the account with `email`; returns the token, which is
/// shown this once and never stored.
pub async fn create_token(
    directory: &dyn Directory,
    email: &str,
    name: &str,
    days: u64,
) -> Result<String, AccountError> {
    let email = normalize_email(email)?;
    let account = directory
        .account_by_email(&email)
        .await?
        .ok_or(AccountError::Unknown)?;
    Ok(create_token_for(directory, account.id, name, days).await?.1)
}

/// Creates a personal access token for an account that works for `days` (1 to
/// [`MAX_TOKEN_DAYS`]); returns its id and the token itself.
pub async fn create_token_for(
    directory: &dyn Directory,
    account_id: AccountId,
    name: &str,
    days: u64,
) -> Result<(TokenId, String), StoreError> {
    let token = new_token();
    let valid = days.clamp(1, MAX_TOKEN_DAYS) as i64 * 86_400_000;
    let id = directory
        .create_token(account_id, name.trim(), &token_hash(&token), valid)
        .await?;
    Ok((id, token))
}

/// A fresh token: the prefix and a random secret.
fn new_token() -> String {
    format!("{TOKEN_PREFIX}{}", secret::fresh())
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    secret::hash(token)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{prelude::*, testing::TestStore};

    #[test]
    fn e_mail_addresses_are_normalized_and_checked() {
        assert_eq!(
            normalize_email("  Anne.Aanjager@Gemeente.NL ").unwrap(),
            "anne.aanjager@gemeente.nl"
        );
        for bad in [
            "",
            "anne",
            "@gemeente.nl",
            "anne@",
            "anne@gemeente",
            "an ne@gemeente.nl",
            "a@b@c.nl",
            "anne@.nl",
        ] {
            assert!(normalize_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn tokens_are_random_prefixed_and_stored_as_a_hash() {
        let (one, two) = (new_token(), new_token());
        assert_ne!(one, two);
        assert!(one.starts_with(TOKEN_PREFIX) && one.len() == TOKEN_PREFIX.len() + 64);
        assert_eq!(token_hash(&one).len(), 64);
        assert_ne!(token_hash(&one), token_hash(&two));
        assert!(!token_hash(&one).contains(&one[TOKEN_PREFIX.len()..]));
    }

    #[tokio::test]
    async fn a_beheerder_and_a_token_for_them() {
        let test_store = TestStore::new(false).await;
        let store = &test_store.inner;
        let account = create_beheerder(
            store,
            "Beheer@Gemeente.nl",
            " Beheer ",
            "lang genoeg wachtwoord",
        )
        .await
        .unwrap();
        assert!(account.is_beheerder);
        assert_eq!(account.email, "beheer@gemeente.nl");
        assert!(matches!(
            create_beheerder(store, "beheer@gemeente.nl", "", "lang genoeg wachtwoord").await,
            Err(AccountError::Exists)
        ));
        assert!(matches!(
            create_beheerder(store, "ander@gemeente.nl", "", "kort").await,
            Err(AccountError::Password(_))
        ));

        let token = create_token(store, "BEHEER@gemeente.nl", "script", DEFAULT_TOKEN_DAYS)
            .await
            .unwrap();
        let found = store
            .token_account(&token_hash(&token), crate::store::now_millis())
            .await
            .unwrap()
            .expect("account");
        assert_eq!(found.account.id, account.id);
        assert!(
            store
                .token_account(&token_hash("dbk_other"), crate::store::now_millis())
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            create_token(store, "niemand@gemeente.nl", "", DEFAULT_TOKEN_DAYS).await,
            Err(AccountError::Unknown)
        ));
    }
}
