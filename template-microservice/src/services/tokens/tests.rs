//! Token verification against a key set from a fake fetcher: rotation, the refresh interval,
//! and keys that must never verify.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

use super::JwksConfig;
use super::*;

const KEY_A: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIETr1uvpAuXOj3Kih8rE/AWNswsJ1AF2sUYc5Z9xeDfg
-----END PRIVATE KEY-----
";
const KEY_B: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIDkDSR381x3RMmponTGKLkGjlbhjdhgD2pO5wzmoweWK
-----END PRIVATE KEY-----
";

/// A key set in memory, counting the fetches.
#[derive(Default)]
struct FakeIssuer {
    keys: Mutex<Vec<Value>>,
    fetches: AtomicUsize,
}

#[async_trait]
impl KeySetFetcher for FakeIssuer {
    async fn fetch(&self, _url: &str) -> Result<Vec<u8>, String> {
        self.fetches.fetch_add(1, Ordering::SeqCst);
        Ok(json!({ "keys": *self.keys.lock().unwrap() }).to_string().into_bytes())
    }
}

impl FakeIssuer {
    fn publish(&self, jwk: Value) {
        self.keys.lock().unwrap().push(jwk);
    }
}

fn jwk(private_pem: &str, kid: &str) -> Value {
    let key = EncodingKey::from_ed_pem(private_pem.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&key, Algorithm::EdDSA).unwrap();
    jwk.common.key_id = Some(kid.to_owned());
    serde_json::to_value(jwk).unwrap()
}

fn token(key: &EncodingKey, header: &Header) -> String {
    let now = jsonwebtoken::get_current_timestamp();
    let claims = json!({
        "sub": Uuid::now_v7(), "iss": "issuer", "aud": "audience", "iat": now, "exp": now + 60,
    });
    jsonwebtoken::encode(header, &claims, key).unwrap()
}

fn ed25519(private_pem: &str, kid: &str) -> String {
    let header = Header { kid: Some(kid.to_owned()), ..Header::new(Algorithm::EdDSA) };
    token(&EncodingKey::from_ed_pem(private_pem.as_bytes()).unwrap(), &header)
}

async fn verifier(issuer: &Arc<FakeIssuer>, min_refresh: Duration) -> TokenVerifier {
    let jwks = JwksConfig { url: "http://issuer/jwks".into(), min_refresh, max_age: min_refresh };
    let config =
        JwtConfig { key: JwtKey::Jwks(jwks), issuer: "issuer".into(), audience: "audience".into() };
    TokenVerifier::new(&config, issuer.clone()).await.unwrap()
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_made_up_kids_wait_for_the_interval() {
    let issuer = Arc::new(FakeIssuer::default());
    issuer.publish(jwk(KEY_A, "a"));
    let verifier = verifier(&issuer, Duration::from_mins(1)).await;
    assert!(verifier.verify(&ed25519(KEY_A, "a")).await.is_ok());
    issuer.publish(jwk(KEY_B, "b"));
    assert!(verifier.verify(&ed25519(KEY_B, "b")).await.is_ok(), "the new key is fetched");
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), 2);
    for n in 0..10 {
        assert!(verifier.verify(&ed25519(KEY_B, &format!("x{n}"))).await.is_err());
    }
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), 2, "no fetch within the interval");
    assert!(verifier.verify(&ed25519(KEY_A, "b")).await.is_err(), "another key under b");
}

#[tokio::test]
async fn a_withdrawn_key_stops_working_once_the_set_is_old() {
    let issuer = Arc::new(FakeIssuer::default());
    issuer.publish(jwk(KEY_A, "a"));
    issuer.publish(jwk(KEY_B, "b"));
    let verifier = verifier(&issuer, Duration::from_millis(50)).await;
    assert!(verifier.verify(&ed25519(KEY_A, "a")).await.is_ok());
    issuer.keys.lock().unwrap().remove(0);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(verifier.verify(&ed25519(KEY_A, "a")).await.is_err(), "withdrawn");
    assert!(verifier.verify(&ed25519(KEY_B, "b")).await.is_ok());
}

#[tokio::test]
async fn symmetric_keys_and_hs256_tokens_never_verify_against_a_key_set() {
    let issuer = Arc::new(FakeIssuer::default());
    issuer.publish(jwk(KEY_A, "a"));
    issuer
        .publish(json!({ "kty": "oct", "k": "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0", "kid": "s" }));
    let verifier = verifier(&issuer, Duration::from_mins(1)).await;
    let secret = EncodingKey::from_secret(b"secret-secret-secret-secret");
    let hs256 = |kid: &str| Header { kid: Some(kid.to_owned()), ..Header::new(Algorithm::HS256) };
    assert!(verifier.verify(&token(&secret, &hs256("s"))).await.is_err(), "oct key ignored");
    assert!(verifier.verify(&token(&secret, &hs256("a"))).await.is_err(), "HS256 refused");
    assert!(verifier.verify(&ed25519(KEY_A, &"k".repeat(200))).await.is_err(), "long kid");
}

#[tokio::test]
async fn a_set_without_an_ed25519_key_is_refused_at_startup() {
    let issuer = Arc::new(FakeIssuer::default());
    let jwks = JwksConfig {
        url: "http://issuer/jwks".into(),
        min_refresh: Duration::from_secs(1),
        max_age: Duration::from_secs(1),
    };
    let config = JwtConfig { key: JwtKey::Jwks(jwks), issuer: "i".into(), audience: "a".into() };
    let error = TokenVerifier::new(&config, issuer).await.unwrap_err();
    assert!(error.to_string().contains("no usable Ed25519 key"), "{error}");
}
