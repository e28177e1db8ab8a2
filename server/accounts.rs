//! Accounts and personal access tokens: creating the first beheerder and tokens for scripts from
//! the command line.
//!
//! Tokens are random, shown once, and stored only as their SHA-256 hash, so a copy of the
//! database gives no working token. (Sign-in, sessions and enforcement follow with access
//! control; until then these accounts and tokens open nothing.)

use sha2::{Digest, Sha256};

use crate::{
    access::password::{self, PasswordError},
    store::{AccountRow, Store, StoreError},
};

/// Longest e-mail address accepted (RFC 5321's limit for a path).
const MAX_EMAIL_CHARS: usize = 254;

/// Prefix of personal access tokens, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "dbk_";

/// Why an account or token could not be made; `Display` is the Dutch message for the user.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("Dit is geen geldig e-mailadres.")]
    InvalidEmail,
    #[error("Er bestaat al een account met dit e-mailadres.")]
    Exists,
    #[error("Er is geen account met dit e-mailadres.")]
    Unknown,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("De database gaf een fout: {0}")]
    Store(#[from] StoreError),
}

/// An e-mail address, trimmed and lowercased, so one person has one spelling.
pub fn normalize_email(raw: &str) -> Result<String, AccountError> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@').ok_or(AccountError::InvalidEmail)?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.matches('@').count() == 1
        && email.chars().count() <= MAX_EMAIL_CHARS;
    if valid {
        Ok(email)
    } else {
        Err(AccountError::InvalidEmail)
    }
}

/// Creates a beheerder with `password`.
pub async fn create_beheerder(
    store: &dyn Store,
    email: &str,
    name: &str,
    password: &str,
) -> Result<AccountRow, AccountError> {
    let email = normalize_email(email)?;
    let hash = password::hash(password)?;
    match store
        .create_account(&email, name.trim(), Some(&hash), true)
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
    store: &dyn Store,
    email: &str,
    name: &str,
) -> Result<String, AccountError> {
    let email = normalize_email(email)?;
    let account = store
        .account_by_email(&email)
        .await?
        .ok_or(AccountError::Unknown)?;
    let token = new_token();
    store
        .create_token(account.id, name.trim(), &token_hash(&token))
        .await?;
    Ok(token)
}

/// A fresh token: the prefix and 244 random bits (two v4 UUIDs) in hex.
fn new_token() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{TOKEN_PREFIX}{}{}", a.simple(), b.simple())
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::TestStore;

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
        let store = TestStore::new(false).await;
        let account = create_beheerder(
            &store,
            "Beheer@Gemeente.nl",
            " Beheer ",
            "lang genoeg wachtwoord",
        )
        .await
        .unwrap();
        assert!(account.is_beheerder);
        assert_eq!(account.email, "beheer@gemeente.nl");
        assert!(matches!(
            create_beheerder(&store, "beheer@gemeente.nl", "", "lang genoeg wachtwoord").await,
            Err(AccountError::Exists)
        ));
        assert!(matches!(
            create_beheerder(&store, "ander@gemeente.nl", "", "kort").await,
            Err(AccountError::Password(_))
        ));

        let token = create_token(&store, "BEHEER@gemeente.nl", "script")
            .await
            .unwrap();
        let found = store
            .account_by_token_hash(&token_hash(&token))
            .await
            .unwrap()
            .expect("account");
        assert_eq!(found.id, account.id);
        assert!(
            store
                .account_by_token_hash(&token_hash("dbk_other"))
                .await
                .unwrap()
                .is_none()
        );
        assert!(matches!(
            create_token(&store, "niemand@gemeente.nl", "").await,
            Err(AccountError::Unknown)
        ));
    }
}
