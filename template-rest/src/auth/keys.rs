//! Ed25519 keys for access tokens: the private key that signs, and the public keys that
//! verify, each named by its RFC 7638 JWK thumbprint. The thumbprint is the `kid` written in
//! token headers and published in the JWK Set, so any verifier can pick the right key.

use jsonwebtoken::jwk::{AlgorithmParameters, Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey};

/// Why a PEM key was refused.
pub type KeyError = jsonwebtoken::errors::Error;

/// An Ed25519 public key: what is published, and what verifies.
#[derive(Clone)]
pub struct PublicKey {
    x: String,
    kid: String,
    decoding: DecodingKey,
}

impl PublicKey {
    /// Parses one PEM `PUBLIC KEY` block (`openssl pkey -pubout`).
    ///
    /// # Errors
    /// Fails on anything but an Ed25519 public key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let decoding = DecodingKey::from_ed_pem(pem.as_bytes())?;
        Self::from_jwk(&Jwk::from_decoding_key(&decoding, Some(Algorithm::EdDSA))?)
    }

    fn from_jwk(jwk: &Jwk) -> Result<Self, KeyError> {
        let AlgorithmParameters::OctetKeyPair(parameters) = &jwk.algorithm else {
            return Err(jsonwebtoken::errors::ErrorKind::InvalidEddsaKey.into());
        };
        Ok(Self {
            x: parameters.x.clone(),
            kid: jwk.thumbprint(ThumbprintHash::SHA256)?,
            decoding: DecodingKey::from_ed_components(&parameters.x)?,
        })
    }

    /// The key id: the RFC 7638 thumbprint (SHA-256, base64url without padding).
    #[must_use]
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key itself, base64url without padding (the JWK `x` member).
    #[must_use]
    pub fn x(&self) -> &str {
        &self.x
    }

    pub(super) fn decoding_key(&self) -> &DecodingKey {
        &self.decoding
    }
}

impl std::fmt::Debug for PublicKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("PublicKey").field("kid", &self.kid).finish_non_exhaustive()
    }
}

/// Parses any number of PEM `PUBLIC KEY` blocks written one after another.
///
/// # Errors
/// Fails on the first block that is not an Ed25519 public key.
pub fn public_keys_from_pem(text: &str) -> Result<Vec<PublicKey>, KeyError> {
    text.split_inclusive("-----END PUBLIC KEY-----")
        .map(str::trim)
        .filter(|block| !block.is_empty())
        .map(PublicKey::from_pem)
        .collect()
}

/// An Ed25519 private key and its public half.
#[derive(Clone)]
pub struct SigningKey {
    encoding: EncodingKey,
    public: PublicKey,
}

impl SigningKey {
    /// Parses a PEM `PRIVATE KEY` (PKCS#8, as written by `openssl genpkey -algorithm ed25519`)
    /// and derives its public key.
    ///
    /// # Errors
    /// Fails on anything but an Ed25519 private key.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let encoding = EncodingKey::from_ed_pem(pem.as_bytes())?;
        let public = PublicKey::from_jwk(&Jwk::from_encoding_key(&encoding, Algorithm::EdDSA)?)?;
        Ok(Self { encoding, public })
    }

    /// The public half, published and accepted.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public
    }

    pub(super) fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.debug_struct("SigningKey").field("kid", &self.public.kid).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8037, appendix A.1 and A.2: an Ed25519 key pair, as PEM.
    const RFC_8037_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----";
    const RFC_8037_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=
-----END PUBLIC KEY-----";

    #[test]
    fn key_ids_are_the_rfc_7638_thumbprints_of_rfc_8037() {
        let public = PublicKey::from_pem(RFC_8037_PUBLIC).unwrap();
        assert_eq!(public.x(), "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
        assert_eq!(public.kid(), "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
        let signing = SigningKey::from_pem(RFC_8037_PRIVATE).unwrap();
        assert_eq!(signing.public_key().kid(), public.kid(), "derived from the private key");
    }

    #[test]
    fn several_public_keys_parse_and_garbage_does_not() {
        let twice = format!("{RFC_8037_PUBLIC}\n{RFC_8037_PUBLIC}\n");
        assert_eq!(public_keys_from_pem(&twice).unwrap().len(), 2);
        assert!(public_keys_from_pem("").unwrap().is_empty());
        assert!(
            public_keys_from_pem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")
                .is_err()
        );
        assert!(SigningKey::from_pem(RFC_8037_PUBLIC).is_err(), "a public key cannot sign");
        assert!(format!("{:?}", SigningKey::from_pem(RFC_8037_PRIVATE).unwrap()).contains("kid"));
    }
}
