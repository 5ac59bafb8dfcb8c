//! Passwords: argon2id hashes, the rules a new password must meet, random ones for scripts.

use app::model::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;
use tokio::sync::Semaphore;

/// Shortest accepted password.
const MIN_LENGTH: usize = 8;
/// Longest accepted password (argon2 input stays bounded).
const MAX_LENGTH: usize = 256;

/// A random password for a generated account.
pub fn generate_password() -> String {
    Alphanumeric.sample_string(&mut OsRng, 20)
}

/// A random token (session, invitation, reset, device), URL-safe.
pub fn random_token() -> String {
    Alphanumeric.sample_string(&mut OsRng, 43)
}

/// Checks a new password against the rules; `field` names it in the error.
pub fn check_new_password(password: &str, field: &str) -> Result<(), ApiError> {
    let chars = password.chars().count();
    if !(MIN_LENGTH..=MAX_LENGTH).contains(&chars) {
        return Err(ApiError::invalid(format!(
            "password must be {MIN_LENGTH} to {MAX_LENGTH} characters"
        ))
        .with_field(field));
    }
    Ok(())
}

/// Password hashes computed at once: argon2 is slow on purpose, so it runs on blocking threads,
/// a few at a time, and a burst of sign-ins queues here instead of stalling every request.
static HASHING_SLOTS: Semaphore = Semaphore::const_new(2);

/// Runs one argon2 computation on a blocking thread, in its turn.
async fn hashing<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    let _slot = HASHING_SLOTS
        .acquire()
        .await
        .map_err(|_| ApiError::internal())?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::internal())
}

/// The argon2id hash of a password, with a fresh salt.
pub async fn hash_password(password: String) -> Result<String, ApiError> {
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|_| ApiError::internal())
    })
    .await?
}

/// Whether `password` matches a stored hash.
pub async fn password_matches(hash: String, password: String) -> Result<bool, ApiError> {
    hashing(move || {
        PasswordHash::new(&hash).is_ok_and(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_their_password_and_rules_name_the_field() {
        let hash = hash_password("correct-horse".into()).await.unwrap();
        let matches = |hash: &str, password: &str| password_matches(hash.into(), password.into());
        assert!(matches(&hash, "correct-horse").await.unwrap());
        assert!(!matches(&hash, "correct-horsf").await.unwrap());
        assert!(!matches("not a hash", "correct-horse").await.unwrap());
        let short = check_new_password("short", "new_password").unwrap_err();
        assert_eq!(short.field.as_deref(), Some("new_password"));
        assert!(check_new_password("eight ch", "password").is_ok());
    }
}
