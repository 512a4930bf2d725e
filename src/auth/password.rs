//! Password hashing (argon2id) and the password rules.
//! Hashing is slow on purpose, so it runs on the blocking pool.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;

use crate::error::AppError;
use crate::i18n::Messages;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 200;

/// A hash of a random password, verified against when the account does not exist, so
/// that an unknown e-mail costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&generate_temporary()).expect("hashing works"));

pub fn hash_blocking(password: &str) -> Result<String, AppError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|err| AppError::Internal(format!("password hashing failed: {err}")))
}

pub async fn hash(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|err| AppError::Internal(err.to_string()))?
}

/// Checks `password` against `stored`, or against a dummy hash when there is no account.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
    .unwrap_or(false)
}

/// The rule for a new password, as a message for the field, or None when it is fine.
pub fn check_new(password: &str, t: &'static Messages) -> Option<&'static str> {
    let length = password.chars().count();
    if length < MIN_LENGTH {
        Some(t.login.password_too_short)
    } else if length > MAX_LENGTH {
        Some(t.login.password_too_long)
    } else {
        None
    }
}

/// A temporary password to hand over by word of mouth: 16 characters in groups of four,
/// from an alphabet without look-alikes (no 0/O, 1/l/I).
pub fn generate_temporary() -> String {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rng();
    (0..4)
        .map(|_| {
            (0..4)
                .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Locale;

    #[tokio::test]
    async fn a_hash_verifies_only_its_own_password() {
        let hash = hash("korrekt hest batteri".into()).await.unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify("korrekt hest batteri".into(), Some(hash.clone())).await);
        assert!(!verify("forkert hest batteri".into(), Some(hash)).await);
        assert!(!verify("korrekt hest batteri".into(), None).await);
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        let t = Locale::Da.messages();
        assert_eq!(
            check_new("elleve tegn", t),
            Some(t.login.password_too_short)
        );
        assert_eq!(
            check_new("æøå æøå æøåæ", t),
            None,
            "counts characters, not bytes"
        );
        assert_eq!(
            check_new(&"x".repeat(201), t),
            Some(t.login.password_too_long)
        );
    }

    #[test]
    fn temporary_passwords_pass_the_rule_and_differ() {
        let t = Locale::Da.messages();
        let a = generate_temporary();
        assert_eq!(a.len(), 19);
        assert_eq!(check_new(&a, t), None);
        assert_ne!(a, generate_temporary());
    }
}
