//! Password hashing with argon2id (the `argon2` crate's defaults: 19 MiB, 2 passes, 1 lane), in
//! the PHC string format so that parameters can be raised later without breaking old hashes.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;

/// Why a new password was refused; `Display` is the Dutch message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PasswordError {
    #[error("Kies een wachtwoord van minstens {MIN_PASSWORD_CHARS} tekens.")]
    TooShort,
    #[error("Een wachtwoord mag hoogstens 256 tekens lang zijn.")]
    TooLong,
    #[error("Het wachtwoord kon niet worden opgeslagen. Probeer het opnieuw.")]
    Hashing,
}

/// Hashes a new password, refusing ones that are too short (or absurdly long, which would let a
/// client spend the server's CPU).
pub fn hash(password: &str) -> Result<String, PasswordError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(PasswordError::TooShort);
    }
    if chars > 256 {
        return Err(PasswordError::TooLong);
    }
    // 122 random bits from the operating system's generator (a v4 UUID) make a unique salt.
    let salt = SaltString::encode_b64(uuid::Uuid::new_v4().as_bytes())
        .map_err(|_| PasswordError::Hashing)?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|_| PasswordError::Hashing)
}

/// Password work done at once at most. Each argon2 run takes 19 MiB and tens of milliseconds on
/// purpose, so a burst of sign-in attempts must queue here instead of exhausting memory.
const PARALLEL: usize = 4;

/// The slots for password work of one server process, owned by the app state.
pub struct PasswordWork(tokio::sync::Semaphore);

impl Default for PasswordWork {
    fn default() -> Self {
        Self(tokio::sync::Semaphore::new(PARALLEL))
    }
}

impl PasswordWork {
    /// [`hash`] on a blocking thread, at most [`PARALLEL`] at once.
    pub async fn hash_off_thread(&self, password: String) -> Result<String, PasswordError> {
        let _slot = self.0.acquire().await.map_err(|_| PasswordError::Hashing)?;
        tokio::task::spawn_blocking(move || hash(&password))
            .await
            .map_err(|_| PasswordError::Hashing)?
    }

    /// [`verify`] on a blocking thread, at most [`PARALLEL`] at once.
    pub async fn verify_off_thread(&self, password: String, stored: String) -> bool {
        let Ok(_slot) = self.0.acquire().await else {
            return false;
        };
        tokio::task::spawn_blocking(move || verify(&password, &stored))
            .await
            .unwrap_or(false)
    }
}

/// Whether `password` matches `stored`; a malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    if password.len() > 1024 {
        return false;
    }
    PasswordHash::new(stored).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_and_are_salted() {
        let first = hash("correct horse battery").unwrap();
        let second = hash("correct horse battery").unwrap();
        assert!(first.starts_with("$argon2id$"));
        assert_ne!(first, second, "a fresh salt each time");
        assert!(verify("correct horse battery", &first));
        assert!(!verify("correct horse batterY", &first));
        assert!(!verify("correct horse battery", "not a hash"));
    }

    #[test]
    fn refuses_short_and_absurd_passwords() {
        assert_eq!(hash("kort"), Err(PasswordError::TooShort));
        assert_eq!(hash(&"x".repeat(257)), Err(PasswordError::TooLong));
    }
}
