//! Token settings, read from the environment: the `auth` module's [`TokenSettings`], and the
//! refresh-token lifetime and [`RefreshTokenPurge`] of this service's auth service.
//!
//! Which variables choose which signing is decided here; what a signing choice may hold is
//! decided by [`TokenSigning`], whose variants carry their own keys.

use std::time::Duration;

use super::{ConfigError, Environment, RawConfig};
use crate::auth::{
    PublicKey, SharedSecret, SigningKey, TokenSettings, TokenSigning, public_keys_from_pem,
};
use crate::services::purge::RefreshTokenPurge;

/// Reads the access-token settings: the secret or key pair (`JWT_SECRET`, or `JWT_PRIVATE_KEY`
/// and `JWT_ACCEPTED_PUBLIC_KEYS`), `JWT_ISSUER`, `JWT_AUDIENCE`, `JWT_EXTRA_AUDIENCES`
/// (comma-separated) and `ACCESS_TOKEN_TTL_SECS` (default 15 minutes).
pub(super) fn tokens(
    raw: &RawConfig,
    environment: Environment,
) -> Result<TokenSettings, ConfigError> {
    let audience = non_empty("JWT_AUDIENCE", raw.jwt_audience.as_deref(), env!("CARGO_PKG_NAME"))?;
    Ok(TokenSettings {
        signing: signing(raw, environment)?,
        issuer: non_empty("JWT_ISSUER", raw.jwt_issuer.as_deref(), env!("CARGO_PKG_NAME"))?,
        extra_audiences: extra_audiences(raw.jwt_extra_audiences.as_deref(), &audience)?,
        audience,
        access_ttl: ttl("ACCESS_TOKEN_TTL_SECS", raw.access_token_ttl_secs, 15 * 60)?,
    })
}

/// Reads the refresh-token lifetime (`REFRESH_TOKEN_TTL_SECS`, default 30 days).
pub(super) fn refresh_token_ttl(raw: &RawConfig) -> Result<Duration, ConfigError> {
    ttl("REFRESH_TOKEN_TTL_SECS", raw.refresh_token_ttl_secs, 30 * 86_400)
}

/// Reads when refresh tokens that can no longer be used are deleted
/// (`REFRESH_TOKEN_PURGE_INTERVAL_SECS`, default an hour; `REFRESH_TOKEN_RETENTION_SECS`,
/// default 7 days).
pub(super) fn refresh_token_purge(raw: &RawConfig) -> Result<RefreshTokenPurge, ConfigError> {
    Ok(RefreshTokenPurge {
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
    })
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
    let accepted = accepted_keys(raw.jwt_accepted_public_keys.as_deref())?;
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

/// The public keys accepted besides the signing key's own (duplicates are harmless:
/// [`TokenSigning::public_keys`] lists each key once).
fn accepted_keys(pem: Option<&str>) -> Result<Vec<PublicKey>, ConfigError> {
    public_keys_from_pem(&unescape_newlines(pem.unwrap_or_default())).map_err(|error| {
        ConfigError::new(
            "JWT_ACCEPTED_PUBLIC_KEYS",
            format!("expected Ed25519 public keys in PEM (`openssl pkey -pubout`): {error}"),
        )
    })
}

/// The HS256 secret: given, at least 32 bytes (`SharedSecret` refuses fewer) and no placeholder
/// or low-entropy text; or, outside production, generated.
fn secret(value: Option<&str>, environment: Environment) -> Result<SharedSecret, ConfigError> {
    let Some(value) = value else {
        if environment == Environment::Production {
            return Err(ConfigError::new(
                "JWT_SECRET",
                "is required when APP_ENV=production (or JWT_PRIVATE_KEY, for EdDSA)",
            ));
        }
        return SharedSecret::generate()
            .map_err(|error| ConfigError::new("JWT_SECRET", error.to_string()));
    };
    let secret = SharedSecret::new(value.as_bytes())
        .map_err(|error| ConfigError::new("JWT_SECRET", error.to_string()))?;
    super::secrets::check("JWT_SECRET", value, super::secrets::SIGNING_SECRET)?;
    Ok(secret)
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
