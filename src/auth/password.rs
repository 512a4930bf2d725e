//! Password hashing (argon2id) and the password rules (NIST SP 800-63B): at least 12
//! characters, not among the 100,000 most common breached passwords, no composition rules.
//! Hashing is slow on purpose, so it runs on the blocking pool; callers hold no database
//! connection while it runs.

use std::sync::LazyLock;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use rand::Rng;

use crate::error::AppError;
use crate::i18n::Messages;

pub const MIN_LENGTH: usize = 12;
pub const MAX_LENGTH: usize = 200;

/// The common breached passwords (see build.rs), lower-cased, sorted, one per line.
static COMMON: &str = include_str!(concat!(env!("OUT_DIR"), "/common_passwords.txt"));
static COMMON_LIST: LazyLock<Vec<&'static str>> = LazyLock::new(|| COMMON.lines().collect());

/// Whether `password` is one of the most common breached passwords (case ignored).
pub fn is_common(password: &str) -> bool {
    COMMON_LIST
        .binary_search(&password.trim().to_lowercase().as_str())
        .is_ok()
}

/// A hash of a random password, verified against when the account does not exist, so
/// that an unknown e-mail costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking(&random_password()).expect("hashing works"));

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
        // An account without a password yet ('') costs the same as an unknown one.
        let stored = stored.filter(|hash| !hash.is_empty());
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

/// The rule for a new password of the account `email`, as a message for the field, or
/// None when it is fine.
pub fn check_new(password: &str, email: &str, t: &'static Messages) -> Option<&'static str> {
    let length = password.chars().count();
    let lower = password.trim().to_lowercase();
    let email = email.trim().to_lowercase();
    let local_part = email.split('@').next().unwrap_or_default();
    if length < MIN_LENGTH {
        Some(t.login.password_too_short)
    } else if length > MAX_LENGTH {
        Some(t.login.password_too_long)
    } else if is_common(password) {
        Some(t.login.password_common)
    } else if lower == email || lower == local_part {
        Some(t.login.password_is_email)
    } else {
        None
    }
}

/// A random password nobody knows (the dummy hash's).
fn random_password() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

    #[tokio::test]
    async fn an_account_without_a_password_matches_nothing() {
        assert!(!verify(String::new(), Some(String::new())).await);
        assert!(!verify("korps-demo-2026".into(), Some(String::new())).await);
    }

    #[test]
    fn new_passwords_need_twelve_characters() {
        let t = Locale::Da.messages();
        let email = "mette@example.org";
        assert_eq!(
            check_new("elleve tegn", email, t),
            Some(t.login.password_too_short)
        );
        assert_eq!(
            check_new("æøå æøå æøåæ", email, t),
            None,
            "counts characters, not bytes"
        );
        assert_eq!(
            check_new(&"x".repeat(201), email, t),
            Some(t.login.password_too_long)
        );
    }

    #[test]
    fn common_breached_passwords_are_refused_whatever_their_case() {
        let t = Locale::Da.messages();
        assert!(COMMON_LIST.len() > 1_000, "the list is embedded");
        assert!(
            COMMON_LIST.windows(2).all(|w| w[0] < w[1]),
            "sorted for the search"
        );
        for common in [
            "qwerty123456",
            "1qaz2wsx3edc",
            "QWERTY123456",
            "password1234",
        ] {
            assert_eq!(
                check_new(common, "a@example.org", t),
                Some(t.login.password_common),
                "{common}"
            );
        }
        assert_eq!(check_new("korps-demo-2026", "a@example.org", t), None);
        assert_eq!(
            check_new("en lang og sjov sætning", "a@example.org", t),
            None
        );
    }

    #[test]
    fn the_own_e_mail_is_not_a_password() {
        let t = Locale::Da.messages();
        assert_eq!(
            check_new("mette.hansen@example.org", "Mette.Hansen@example.org", t),
            Some(t.login.password_is_email)
        );
        assert_eq!(
            check_new("mette.hansen", "mette.hansen@example.org", t),
            Some(t.login.password_is_email)
        );
    }
}
