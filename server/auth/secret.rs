//! Random secrets (session ids, tokens, links, CSRF tokens) and their stored form.
//!
//! Secrets are shown once and stored only as their SHA-256, so a copy of the database opens
//! nothing. A secret has 244 random bits: enough that guessing is hopeless, so a fast hash is
//! the right one (unlike passwords, which need argon2).

use sha2::{Digest, Sha256};

/// Prefix of personal access tokens, so that a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "dbk_";

/// A fresh secret: 244 random bits (two v4 UUIDs from the operating system's generator) in hex.
pub fn fresh() -> String {
    let (a, b) = (uuid::Uuid::new_v4(), uuid::Uuid::new_v4());
    format!("{}{}", a.simple(), b.simple())
}

/// What the database keeps of a secret.
pub fn hash(secret: &str) -> String {
    Sha256::digest(secret.as_bytes())
        .iter()
        .map(|byte| format!("{byte:02x}"))
        .collect()
}

/// Compares two strings in time that depends only on their lengths.
pub fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_random_and_hashed() {
        let (one, two) = (fresh(), fresh());
        assert_ne!(one, two);
        assert_eq!(one.len(), 64);
        assert_eq!(hash(&one).len(), 64);
        assert_ne!(hash(&one), one);
        assert!(same(&one, &one.clone()));
        assert!(!same(&one, &two));
        assert!(!same("a", "ab"));
    }
}
