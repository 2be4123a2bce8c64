//! Argon2id with work areas that are allocated once and kept.
//!
//! `Argon2::hash_password` allocates its 19 MiB work area on every call. Freed blocks of that
//! size stay in the allocator's per-thread arenas, so a login flood grew the process to a few
//! hundred MiB. Here a hash borrows a work area from a shared stack and gives it back, and a
//! new area is allocated only when every one is in use: resident memory stays at one work area
//! per hash that ever ran at the same time as others (one, when logins come one at a time),
//! never one per thread that ever hashed. The PHC strings are the same as
//! the crate's own (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), so either side can verify the other.

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::phc::{Output, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// Work areas not in use.
static WORK_AREAS: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Why hashing failed.
pub(super) type HashError = Box<dyn std::error::Error + Send + Sync>;

/// Hashes `password` with a fresh random salt, as a PHC string.
///
/// # Errors
/// Only when the operating system has no randomness, or on invalid parameters.
pub(super) fn hash(argon2: &Argon2<'_>, password: &[u8]) -> Result<String, HashError> {
    let salt = argon2::password_hash::try_generate_salt()?;
    let mut output = [0_u8; Params::DEFAULT_OUTPUT_LEN];
    compute(argon2, password, &salt, &mut output)?;
    let phc = PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: argon2.params().try_into()?,
        salt: Some(Salt::new(&salt)?),
        hash: Some(Output::new(&output)?),
    };
    Ok(phc.to_string())
}

/// Whether `password` matches the PHC string `hash`, using the parameters stored in it. The
/// final comparison takes the same time whatever the bytes.
///
/// # Errors
/// When `hash` is not a valid Argon2 PHC string.
pub(super) fn verify(password: &[u8], hash: &str) -> Result<bool, HashError> {
    let parsed = PasswordHash::new(hash)?;
    let algorithm = Algorithm::try_from(parsed.algorithm.as_str())?;
    let version = parsed.version.map(Version::try_from).transpose()?.unwrap_or_default();
    let params = Params::try_from(&parsed)?;
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Err("the hash has no salt or no output".into());
    };
    let mut output = vec![0_u8; expected.len()];
    compute(&Argon2::new(algorithm, version, params), password, &salt, &mut output)?;
    Ok(Output::new(&output)? == expected)
}

/// Runs Argon2 in a borrowed work area, growing it when the parameters need more.
fn compute(
    argon2: &Argon2<'_>,
    password: &[u8],
    salt: &[u8],
    output: &mut [u8],
) -> Result<(), argon2::Error> {
    let blocks = argon2.params().block_count();
    let mut area =
        WORK_AREAS.lock().unwrap_or_else(PoisonError::into_inner).pop().unwrap_or_default();
    if area.len() < blocks {
        area.resize(blocks, Block::default());
    }
    let result = argon2.hash_password_into_with_memory(password, salt, output, &mut area[..blocks]);
    WORK_AREAS.lock().unwrap_or_else(PoisonError::into_inner).push(area);
    result
}

#[cfg(test)]
mod tests {
    use argon2::password_hash::{PasswordHasher as _, PasswordVerifier as _};

    use super::*;

    fn argon2() -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(64, 2, 1, None).unwrap())
    }

    #[test]
    fn hashes_interoperate_with_the_crates_own_api() {
        let ours = hash(&argon2(), b"correct horse").unwrap();
        assert!(ours.starts_with("$argon2id$v=19$m=64,t=2,p=1$"), "{ours}");
        assert!(argon2().verify_password(b"correct horse", ours.as_str()).is_ok());
        let theirs = argon2().hash_password(b"correct horse").unwrap().to_string();
        assert!(verify(b"correct horse", &theirs).unwrap());
        assert!(!verify(b"wrong horse", &theirs).unwrap());
    }

    #[test]
    fn malformed_hashes_are_errors() {
        assert!(verify(b"x", "not a phc string").is_err());
        assert!(verify(b"x", "$argon2id$v=19$m=64,t=2,p=1").is_err());
        assert!(verify(b"x", "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo").is_err());
    }
}
