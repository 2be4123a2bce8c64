//! Access-token settings: how tokens are signed, who they are for, and how long sessions last.
//!
//! The signing choice is one enum whose variant carries its own keys, so an algorithm without
//! its key, or a key for another algorithm, cannot be configured at all.

use std::time::Duration;

use super::{ConfigError, Environment, RawConfig};
use crate::services::purge::RefreshTokenPurge;
use crate::services::tokens::keys::{PublicKey, SigningKey, public_keys_from_pem};

/// The shortest HMAC secret accepted, in bytes (the output size of SHA-256).
pub const MIN_SECRET_BYTES: usize = 32;

/// How access tokens are signed; the variant decides the algorithm.
#[derive(Debug, Clone)]
pub enum TokenSigning {
    /// HS256 with a shared secret (`JWT_SECRET`): the same service signs and verifies.
    SharedSecret(SharedSecret),
    /// `EdDSA` with an Ed25519 key (`JWT_PRIVATE_KEY`): other services verify with the public
    /// keys published at `/.well-known/jwks.json`, and never hold a key that signs.
    ///
    /// RSA is not offered: the pure-Rust `rsa` crate has a timing side channel on private-key
    /// operations (RUSTSEC-2023-0071, the Marvin attack) and no fixed release.
    Ed25519 {
        /// Signs every new token; its public half is published and accepted.
        signing: SigningKey,
        /// Other public keys, also published and accepted (`JWT_ACCEPTED_PUBLIC_KEYS`): the
        /// previous key during a rotation, or the next one before it starts signing.
        accepted: Vec<PublicKey>,
    },
}

impl TokenSigning {
    /// The public keys that verify tokens, the signing key's first; none for a shared secret.
    #[must_use]
    pub fn public_keys(&self) -> Vec<PublicKey> {
        match self {
            Self::SharedSecret(_) => Vec::new(),
            Self::Ed25519 { signing, accepted } => {
                std::iter::once(signing.public_key()).chain(accepted).cloned().collect()
            }
        }
    }
}

/// An HMAC secret of at least `MIN_SECRET_BYTES` (32) bytes.
#[derive(Clone)]
pub struct SharedSecret {
    bytes: Vec<u8>,
    generated: bool,
}

impl SharedSecret {
    /// The secret.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// Whether it was generated at random because none was given (development only).
    #[must_use]
    pub fn is_generated(&self) -> bool {
        self.generated
    }
}

impl std::fmt::Debug for SharedSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("SharedSecret(redacted)")
    }
}

/// Everything needed to issue and verify tokens.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    /// Secret or key pair (`JWT_SECRET`, or `JWT_PRIVATE_KEY` and `JWT_ACCEPTED_PUBLIC_KEYS`).
    pub signing: TokenSigning,
    /// The `iss` claim written and required (`JWT_ISSUER`).
    pub issuer: String,
    /// This service's audience, written into tokens and required on every token received
    /// (`JWT_AUDIENCE`).
    pub audience: String,
    /// The other services that accept this service's tokens, written into `aud` after this
    /// service's own (`JWT_EXTRA_AUDIENCES`, comma-separated; default none).
    pub extra_audiences: Vec<String>,
    /// Access-token lifetime (`ACCESS_TOKEN_TTL_SECS`, default 15 minutes).
    pub access_ttl: Duration,
    /// Refresh-token lifetime (`REFRESH_TOKEN_TTL_SECS`, default 30 days).
    pub refresh_ttl: Duration,
    /// When refresh tokens that can no longer be used are deleted
    /// (`REFRESH_TOKEN_PURGE_INTERVAL_SECS`, `REFRESH_TOKEN_RETENTION_SECS`).
    pub refresh_token_purge: RefreshTokenPurge,
}

impl JwtConfig {
    pub(super) fn from_raw(raw: &RawConfig, environment: Environment) -> Result<Self, ConfigError> {
        let audience =
            non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref(), env!("CARGO_PKG_NAME"))?;
        Ok(Self {
            signing: signing(raw, environment)?,
            issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref(), env!("CARGO_PKG_NAME"))?,
            extra_audiences: extra_audiences(raw.jwt_extra_audiences.as_deref(), &audience)?,
            audience,
            access_ttl: ttl("ACCESS_TOKEN_TTL_SECS", raw.access_token_ttl_secs, 15 * 60)?,
            refresh_ttl: ttl("REFRESH_TOKEN_TTL_SECS", raw.refresh_token_ttl_secs, 30 * 86_400)?,
            refresh_token_purge: RefreshTokenPurge {
                interval: ttl(
                    "REFRESH_TOKEN_PURGE_INTERVAL_SECS",
                    raw.refresh_token_purge_interval_secs,
                    3_600,
                )?,
                retention: ttl(
                    "REFRESH_TOKEN_RETENTION_SECS",
                    raw.refresh_token_retention_secs,
                    7 * 86_400,
                )?,
            },
        })
    }

    /// Whether the HS256 secret was generated at random because none was given.
    #[must_use]
    pub fn has_generated_secret(&self) -> bool {
        matches!(&self.signing, TokenSigning::SharedSecret(secret) if secret.is_generated())
    }
}

/// An Ed25519 key when one is given, the HS256 secret otherwise; never both.
fn signing(raw: &RawConfig, environment: Environment) -> Result<TokenSigning, ConfigError> {
    let Some((variable, pem)) = private_key(raw)? else {
        if raw.jwt_accepted_public_keys.is_some() {
            return Err(ConfigError::new(
                "JWT_ACCEPTED_PUBLIC_KEYS",
                "needs JWT_PRIVATE_KEY: an HS256 secret has no public keys",
            ));
        }
        return Ok(TokenSigning::SharedSecret(secret(raw.jwt_secret.as_deref(), environment)?));
    };
    if raw.jwt_secret.is_some() {
        return Err(ConfigError::new(
            "JWT_SECRET",
            format!("set either JWT_SECRET (HS256) or {variable} (EdDSA), not both"),
        ));
    }
    let signing = SigningKey::from_pem(&pem).map_err(|error| {
        ConfigError::new(
            variable,
            format!(
                "is not an Ed25519 private key in PEM (`openssl genpkey -algorithm ed25519`): \
                 {error}"
            ),
        )
    })?;
    let accepted = accepted_keys(raw.jwt_accepted_public_keys.as_deref(), &signing)?;
    Ok(TokenSigning::Ed25519 { signing, accepted })
}

/// The PEM text of the private key and the variable it came from, if one is given.
fn private_key(raw: &RawConfig) -> Result<Option<(&'static str, String)>, ConfigError> {
    match (raw.jwt_private_key.as_deref(), raw.jwt_private_key_file.as_deref()) {
        (None, None) => Ok(None),
        (Some(_), Some(_)) => Err(ConfigError::new(
            "JWT_PRIVATE_KEY_FILE",
            "set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE, not both",
        )),
        (Some(pem), None) => Ok(Some(("JWT_PRIVATE_KEY", unescape_newlines(pem)))),
        (None, Some(path)) => {
            let pem = std::fs::read_to_string(path).map_err(|error| {
                ConfigError::new("JWT_PRIVATE_KEY_FILE", format!("`{path}`: {error}"))
            })?;
            Ok(Some(("JWT_PRIVATE_KEY_FILE", pem)))
        }
    }
}

/// PEM given on one line, with `\n` written out (as some platforms require), made whole again.
fn unescape_newlines(pem: &str) -> String {
    pem.replace("\\n", "\n")
}

/// The public keys accepted besides the signing key's own, without duplicates.
fn accepted_keys(pem: Option<&str>, signing: &SigningKey) -> Result<Vec<PublicKey>, ConfigError> {
    let keys =
        public_keys_from_pem(&unescape_newlines(pem.unwrap_or_default())).map_err(|error| {
            ConfigError::new(
                "JWT_ACCEPTED_PUBLIC_KEYS",
                format!("expected Ed25519 public keys in PEM (`openssl pkey -pubout`): {error}"),
            )
        })?;
    let mut accepted: Vec<PublicKey> = Vec::new();
    for key in keys {
        let own = key.kid() == signing.public_key().kid();
        if !own && !accepted.iter().any(|other| other.kid() == key.kid()) {
            accepted.push(key);
        }
    }
    Ok(accepted)
}

fn secret(value: Option<&str>, environment: Environment) -> Result<SharedSecret, ConfigError> {
    let Some(value) = value else {
        if environment == Environment::Production {
            return Err(ConfigError::new(
                "JWT_SECRET",
                "is required when APP_ENV=production (or JWT_PRIVATE_KEY, for EdDSA)",
            ));
        }
        return Ok(SharedSecret { bytes: random_secret()?, generated: true });
    };
    check_secret_strength(value.as_bytes())?;
    Ok(SharedSecret { bytes: value.as_bytes().to_vec(), generated: false })
}

/// Rejects secrets that are short, placeholders, or obviously low in entropy (`aaaa…`, `abab…`).
fn check_secret_strength(secret: &[u8]) -> Result<(), ConfigError> {
    if secret.len() < MIN_SECRET_BYTES {
        return Err(ConfigError::new(
            "JWT_SECRET",
            format!("is {} bytes; use at least {MIN_SECRET_BYTES} random bytes", secret.len()),
        ));
    }
    let text = String::from_utf8_lossy(secret);
    super::secrets::check("JWT_SECRET", &text, super::secrets::SIGNING_SECRET)
}

fn random_secret() -> Result<Vec<u8>, ConfigError> {
    let mut bytes = vec![0_u8; 64];
    getrandom::fill(&mut bytes)
        .map_err(|error| ConfigError::new("JWT_SECRET", format!("cannot generate: {error}")))?;
    Ok(bytes)
}

/// Parses `realtime, orders`: the audiences of other services, each distinct from this one's.
fn extra_audiences(list: Option<&str>, own: &str) -> Result<Vec<String>, ConfigError> {
    let mut audiences: Vec<String> = Vec::new();
    for audience in list.unwrap_or_default().split(',').map(str::trim) {
        if audience == own {
            return Err(ConfigError::new(
                "JWT_EXTRA_AUDIENCES",
                format!("`{audience}` is JWT_AUDIENCE already"),
            ));
        }
        if !audience.is_empty() && !audiences.iter().any(|known| known == audience) {
            audiences.push(audience.to_owned());
        }
    }
    Ok(audiences)
}

fn non_empty(variable: &str, value: Option<&str>, default: &str) -> Result<String, ConfigError> {
    let value = value.unwrap_or(default).trim();
    if value.is_empty() {
        return Err(ConfigError::new(variable, "must not be empty"));
    }
    Ok(value.to_owned())
}

fn ttl(variable: &str, value: Option<u64>, default: u64) -> Result<Duration, ConfigError> {
    match value.unwrap_or(default) {
        0 => Err(ConfigError::new(variable, "must be greater than 0")),
        seconds => Ok(Duration::from_secs(seconds)),
    }
}
