//! Checking an e-mail address and password, with the lockout of [`crate::access::lockout`].
//!
//! The answer never reveals whether an account exists: an unknown address is counted, slowed
//! down and locked exactly like a wrong password, and its "password check" runs argon2 against a
//! dummy hash so that it takes as long as a real one.
//!
//! Attempts for one address run one at a time, on one process and across the processes of one
//! database: otherwise a burst of parallel guesses would all read the same failure count before
//! any of them recorded its failure, and get past the lock.

use std::{
    collections::HashMap,
    net::IpAddr,
    sync::{Arc, Mutex, OnceLock},
};

use crate::{
    access::{lockout, password},
    store::{AccountRow, Directory, StoreError, now_millis},
};

/// The per-address locks of attempts in progress.
type Turns = Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>;

/// What the sign-in attempts of one server process share, owned by the app state: whose turn
/// it is per address, and the slots for password work.
#[derive(Default)]
pub struct Attempts {
    turns: Arc<Turns>,
    pub passwords: password::PasswordWork,
}

/// Holds an address's turn; forgets the address when nobody else waits for it.
struct Turn {
    turns: Arc<Turns>,
    email: String,
    lock: Arc<tokio::sync::Mutex<()>>,
}

impl Turn {
    fn of(attempts: &Attempts, email: &str) -> Self {
        let lock = attempts
            .turns
            .lock()
            .map(|mut map| map.entry(email.to_owned()).or_default().clone())
            .unwrap_or_default();
        Self {
            turns: attempts.turns.clone(),
            email: email.to_owned(),
            lock,
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        if let Ok(mut map) = self.turns.lock()
            // The map's reference and ours: nobody else holds or waits for this turn.
            && Arc::strong_count(&self.lock) <= 2
        {
            map.remove(&self.email);
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    #[error("Het e-mailadres of het wachtwoord klopt niet.")]
    Refused,
    #[error("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.")]
    Locked,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A hash to verify against when there is no account, so both cases cost the same.
fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| password::hash("geen-echt-wachtwoord-hier").unwrap_or_default())
}

/// The key under which a client address's failures are counted, beside the e-mail addresses.
fn client_key(client: IpAddr) -> String {
    format!("client:{client}")
}

/// Checks the credentials; on failure waits as long as the lockout rules say before answering.
/// `client` is the real address the attempt came from, when known (see
/// [`crate::access::lockout`]).
pub async fn sign_in(
    attempts: &Attempts,
    directory: &dyn Directory,
    email: &str,
    password: &str,
    client: Option<IpAddr>,
) -> Result<AccountRow, SignInError> {
    // Count failures under the normalised address, or the raw one when it is not an address.
    let email = crate::text::email(email).unwrap_or_else(|_| email.trim().to_lowercase());
    let turn = Turn::of(attempts, &email);
    let _turn = turn.lock.lock().await;
    // And across the processes on one database (PostgreSQL), held until this attempt answers.
    let _across = directory.sign_in_turn(&email).await?;
    let now = now_millis();
    let (failures, last) = directory.sign_in_failures(&email).await?;
    if lockout::locked_until(failures, last, now).is_some() {
        return Err(SignInError::Locked);
    }
    if let Some(client) = client {
        let (failures, last) = directory.sign_in_failures(&client_key(client)).await?;
        if lockout::client_locked_until(failures, last, now).is_some() {
            return Err(SignInError::Locked);
        }
    }
    let account = directory.account_by_email(&email).await?;
    let stored = account
        .as_ref()
        .and_then(|account| account.password_hash.clone());
    let matches = match stored {
        Some(hash) => {
            attempts
                .passwords
                .verify_off_thread(password.to_owned(), hash)
                .await
        }
        None => {
            attempts
                .passwords
                .verify_off_thread(password.to_owned(), dummy_hash().to_owned())
                .await;
            false
        }
    };
    if let (true, Some(account)) = (matches, account) {
        directory.clear_sign_in_failures(&email).await?;
        return Ok(account);
    }
    if let Some(client) = client {
        directory
            .record_sign_in_failure(&client_key(client), now)
            .await?;
    }
    let failures = directory.record_sign_in_failure(&email, now).await?;
    tokio::time::sleep(lockout::delay_after(failures)).await;
    if failures >= lockout::LOCK_AFTER {
        Err(SignInError::Locked)
    } else {
        Err(SignInError::Refused)
    }
}
