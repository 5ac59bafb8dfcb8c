//! Passwords: argon2id hashes, the rules a new password must meet, random ones for scripts.

use app::model::ApiError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distributions::{Alphanumeric, DistString};
use rand::rngs::OsRng;

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

/// The argon2id hash of a password, with a fresh salt.
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| ApiError::internal())
}

/// Whether `password` matches a stored hash.
pub fn password_matches(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_verify_only_their_password_and_rules_name_the_field() {
        let hash = hash_password("correct-horse").unwrap();
        assert!(password_matches(&hash, "correct-horse"));
        assert!(!password_matches(&hash, "correct-horsf"));
        assert!(!password_matches("not a hash", "correct-horse"));
        let short = check_new_password("short", "new_password").unwrap_err();
        assert_eq!(short.field.as_deref(), Some("new_password"));
        assert!(check_new_password("eight ch", "password").is_ok());
    }
}
