//! Token verification: template-rest's tokens pass, everything else is refused.

use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::*;

const SECRET: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
const ED_PRIVATE: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIETr1uvpAuXOj3Kih8rE/AWNswsJ1AF2sUYc5Z9xeDfg
-----END PRIVATE KEY-----
";
const ED_PUBLIC: &str = "-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAGMWvk+8xc+9zppV7lovqMMJEeXJXmUT3TVfuz7Mo1Wg=
-----END PUBLIC KEY-----
";

fn config(key: JwtKey) -> JwtConfig {
    JwtConfig { key, issuer: "issuer".into(), audience: "audience".into() }
}

async fn hs256() -> TokenVerifier {
    TokenVerifier::new(&config(JwtKey::Secret(SECRET.to_vec()))).await.unwrap()
}

fn now() -> i64 {
    i64::try_from(jsonwebtoken::get_current_timestamp()).unwrap()
}

/// Claims as template-rest writes them: a UUID subject, a role and a token id.
fn rest_claims() -> Value {
    json!({
        "sub": "0190f3a4-7b1c-7d2e-9f00-1234567890ab", "role": "user", "jti": "x",
        "iss": "issuer", "aud": "audience", "iat": now(), "exp": now() + 900
    })
}

fn sign(claims: &Value, algorithm: Algorithm) -> String {
    jsonwebtoken::encode(&Header::new(algorithm), claims, &EncodingKey::from_secret(SECRET))
        .unwrap()
}

#[tokio::test]
async fn template_rest_tokens_verify() {
    let identity = hs256().await.verify(&sign(&rest_claims(), Algorithm::HS256)).await.unwrap();
    assert_eq!(&*identity.user, "0190f3a4-7b1c-7d2e-9f00-1234567890ab");
    assert_eq!(identity.expires_at, rest_claims()["exp"].as_u64().unwrap());
    assert!(identity.lifetime() > std::time::Duration::from_secs(800));
}

#[tokio::test]
async fn an_audience_list_naming_this_service_verifies() {
    // template-rest writes `aud` as a list when JWT_EXTRA_AUDIENCES names other services.
    let verifier = hs256().await;
    let mut claims = rest_claims();
    claims["aud"] = json!(["the-issuer-itself", "audience"]);
    let identity = verifier.verify(&sign(&claims, Algorithm::HS256)).await.unwrap();
    assert_eq!(&*identity.user, "0190f3a4-7b1c-7d2e-9f00-1234567890ab");
    claims["aud"] = json!(["the-issuer-itself", "another-service"]);
    let foreign = verifier.verify(&sign(&claims, Algorithm::HS256)).await;
    assert_eq!(foreign, Err(InvalidToken));
}

#[tokio::test]
async fn every_broken_claim_is_refused() {
    let verifier = hs256().await;
    let changes = [
        ("exp", json!(now() - 60)),
        ("iat", json!(now() + 600)),
        ("iss", json!("someone-else")),
        ("aud", json!("another-service")),
        ("sub", json!("")),
        ("sub", json!("x".repeat(129))),
    ];
    for (claim, value) in changes {
        let mut claims = rest_claims();
        claims[claim] = value;
        assert_eq!(
            verifier.verify(&sign(&claims, Algorithm::HS256)).await,
            Err(InvalidToken),
            "{claim}"
        );
    }
    for required in ["exp", "iat", "sub", "iss", "aud"] {
        let mut claims = rest_claims();
        claims.as_object_mut().unwrap().remove(required);
        assert_eq!(
            verifier.verify(&sign(&claims, Algorithm::HS256)).await,
            Err(InvalidToken),
            "{required}"
        );
    }
}

#[tokio::test]
async fn other_algorithms_and_garbage_are_refused() {
    let verifier = hs256().await;
    assert_eq!(verifier.verify(&sign(&rest_claims(), Algorithm::HS384)).await, Err(InvalidToken));
    assert_eq!(verifier.verify("not.a.token").await, Err(InvalidToken));
    let payload = base64_url(&rest_claims().to_string());
    let unsigned = format!("{}.{payload}.", base64_url(r#"{"alg":"none","typ":"JWT"}"#));
    assert_eq!(verifier.verify(&unsigned).await, Err(InvalidToken));
}

#[tokio::test]
async fn public_keys_verify_eddsa_tokens_only() {
    let pem = ED_PUBLIC.as_bytes().to_vec();
    let key = JwtKey::PublicPem { algorithm: PublicKeyAlgorithm::EdDsa, pem };
    let verifier = TokenVerifier::new(&config(key)).await.unwrap();
    let private = EncodingKey::from_ed_pem(ED_PRIVATE.as_bytes()).unwrap();
    let token =
        jsonwebtoken::encode(&Header::new(Algorithm::EdDSA), &rest_claims(), &private).unwrap();
    assert!(verifier.verify(&token).await.is_ok());
    assert_eq!(verifier.verify(&sign(&rest_claims(), Algorithm::HS256)).await, Err(InvalidToken));
    let bad_key =
        JwtKey::PublicPem { algorithm: PublicKeyAlgorithm::Rs256, pem: b"not a pem".to_vec() };
    assert!(TokenVerifier::new(&config(bad_key)).await.is_err());
}

#[tokio::test]
async fn demo_tokens_exist_only_with_a_random_secret() {
    assert!(hs256().await.demo_token("alice").is_none());
    let ephemeral = config(JwtKey::EphemeralSecret(SECRET.to_vec()));
    let verifier = TokenVerifier::new(&ephemeral).await.unwrap();
    let token = verifier.demo_token("alice").unwrap();
    assert_eq!(&*verifier.verify(&token).await.unwrap().user, "alice");
    assert!(format!("{verifier:?}").contains("HS256"));
}

#[test]
fn only_signature_keys_of_the_pinned_type_come_from_a_key_set() {
    let set: jsonwebtoken::jwk::JwkSet = serde_json::from_value(json!({"keys": [
        {"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "ed", "alg": "EdDSA", "use": "sig"},
        {"kty": "OKP", "crv": "Ed25519", "x": ED_X},
        {"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "enc", "use": "enc"},
        {"kty": "OKP", "crv": "Ed25519", "x": ED_X, "kid": "hs", "alg": "HS256"},
        {"kty": "oct", "k": base64_url("0123456789abcdefghijklmnopqrstuvwxyz"), "kid": "secret"},
    ]}))
    .unwrap();
    let eddsa = jwks::usable_keys(&set, Algorithm::EdDSA);
    assert_eq!(eddsa.keys().collect::<Vec<_>>(), ["ed"]);
    assert!(jwks::usable_keys(&set, Algorithm::RS256).is_empty());
    assert!(jwks::usable_keys(&set, Algorithm::HS256).is_empty(), "never an HMAC key");
}

/// The `x` of [`ED_PUBLIC`]: its last 32 bytes, in base64url.
const ED_X: &str = "GMWvk-8xc-9zppV7lovqMMJEeXJXmUT3TVfuz7Mo1Wg";

fn base64_url(text: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let bytes = text.as_bytes();
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0_u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}
