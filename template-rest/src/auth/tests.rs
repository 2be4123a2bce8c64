//! The module's tests: tokens signed and refused, the extractors in a state of their own, the
//! JWK Set, and the bounded hashing pool.

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::FromRef;
use axum::http::{Request, StatusCode, header};
use axum::response::IntoResponse as _;
use axum::routing::get;
use tower::ServiceExt as _;
use uuid::Uuid;

use super::*;

/// RFC 8037, appendix A.1: an Ed25519 private key, as PEM.
const PRIVATE_PEM: &str = "-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g
-----END PRIVATE KEY-----";

fn hmac() -> TokenCodec {
    let secret = SharedSecret::new(*b"0123456789abcdefghijklmnopqrstuvwxyz").unwrap();
    TokenCodec::new(&TokenSettings::new(TokenSigning::SharedSecret(secret), "issuer", "api"))
}

fn eddsa() -> TokenCodec {
    let signing = SigningKey::from_pem(PRIVATE_PEM).unwrap();
    let accepted = vec![signing.public_key().clone()];
    let signing = TokenSigning::Ed25519 { signing, accepted };
    TokenCodec::new(&TokenSettings::new(signing, "issuer", "api"))
}

fn actor(role: Role) -> Actor {
    Actor { id: Uuid::now_v7(), role }
}

#[test]
fn eddsa_tokens_verify_and_cannot_be_confused_with_hmac() {
    let (eddsa, hmac) = (eddsa(), hmac());
    let actor = actor(Role::Admin);
    let token = eddsa.issue(actor).unwrap();
    assert_eq!(eddsa.verify(&token.token).unwrap(), actor);
    assert_eq!(eddsa.public_keys().len(), 1, "its own key, once");
    assert!(hmac.public_keys().is_empty());
    assert!(eddsa.verify(&hmac.issue(actor).unwrap().token).is_err());
    assert!(hmac.verify(&token.token).is_err());
    assert!(format!("{eddsa:?}").contains("EdDSA"));
}

#[test]
fn tokens_for_another_issuer_or_audience_are_refused() {
    let secret = || TokenSigning::SharedSecret(SharedSecret::new([7_u8; 32]).unwrap());
    let ours = TokenCodec::new(&TokenSettings::new(secret(), "issuer", "api"));
    let theirs = TokenCodec::new(&TokenSettings::new(secret(), "issuer", "other"));
    let token = theirs.issue(actor(Role::User)).unwrap().token;
    let refused = ours.verify(&token).unwrap_err();
    assert_eq!(refused.status(), StatusCode::UNAUTHORIZED);
    let mut shared = TokenSettings::new(secret(), "issuer", "other");
    shared.extra_audiences = vec!["api".to_owned()];
    let token = TokenCodec::new(&shared).issue(actor(Role::User)).unwrap().token;
    assert!(ours.verify(&token).is_ok(), "an extra audience is accepted by that service");
}

#[test]
fn short_secrets_cannot_be_built_and_stay_out_of_debug_output() {
    assert!(matches!(SharedSecret::new([1_u8; 31]), Err(SecretError::TooShort(31))));
    let generated = SharedSecret::generate().unwrap();
    assert!(generated.is_generated() && generated.bytes().len() >= MIN_SECRET_BYTES);
    assert_eq!(format!("{generated:?}"), "SharedSecret(redacted)");
}

#[test]
fn one_audience_is_a_string_and_several_an_array() {
    let one = serde_json::to_value(Audience::One("a".into())).unwrap();
    assert_eq!(one, serde_json::json!("a"));
    let many = serde_json::to_value(Audience::Many(vec!["a".into(), "b".into()])).unwrap();
    assert_eq!(many, serde_json::json!(["a", "b"]));
}

#[test]
fn refresh_tokens_are_random_and_stored_hashed() {
    let (first, second) = (new_refresh_token().unwrap(), new_refresh_token().unwrap());
    assert_ne!(first, second);
    assert_eq!(first.len(), 43, "256 bits in unpadded base64url");
    assert_eq!(hash_refresh_token(&first).len(), 32);
    assert_ne!(hash_refresh_token(&first), first.as_bytes());
}

#[test]
fn role_names_round_trip() {
    for role in [Role::User, Role::Admin] {
        assert_eq!(Role::from_name(role.as_str()), Some(role));
    }
    assert_eq!(Role::from_name("root"), None);
}

/// A state of another app: the extractors find the codec through `FromRef`.
#[derive(Clone)]
struct OtherState {
    codec: Arc<TokenCodec>,
}

impl FromRef<OtherState> for Arc<TokenCodec> {
    fn from_ref(state: &OtherState) -> Self {
        state.codec.clone()
    }
}

/// A requirement of the app's own: the module's [`Admin`] turned around.
struct UsersOnly;

impl RoleRequirement for UsersOnly {
    const DENIED: &'static str = "users only";

    fn admits(role: Role) -> bool {
        role == Role::User
    }
}

fn app(codec: Arc<TokenCodec>) -> Router {
    let users_only =
        |RequireRole { actor, .. }: RequireRole<UsersOnly>| async move { actor.id.to_string() };
    Router::new()
        .route("/me", get(|CurrentUser(actor): CurrentUser| async move { actor.id.to_string() }))
        .route("/admin", get(|_: RequireRole<Admin>| async { "ok" }))
        .route("/users-only", get(users_only))
        .route("/.well-known/jwks.json", get(jwks))
        .with_state(OtherState { codec })
}

async fn call(app: Router, path: &str, token: Option<&str>) -> (StatusCode, String, String) {
    let mut request = Request::get(path);
    if let Some(token) = token {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let response = app.oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let challenge = response.headers().get(header::WWW_AUTHENTICATE).map(|value| value.to_str());
    let challenge = challenge.and_then(Result::ok).unwrap_or_default().to_owned();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
    (status, challenge, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn a_missing_or_bad_token_is_a_401_problem_with_a_bearer_challenge() {
    let app = app(Arc::new(hmac()));
    let (status, challenge, body) = call(app.clone(), "/me", None).await;
    assert_eq!((status, challenge.as_str()), (StatusCode::UNAUTHORIZED, "Bearer"));
    let expected = r#"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"missing Authorization: Bearer token"}"#;
    assert_eq!(body, expected);
    let (status, _, body) = call(app, "/me", Some("not.a.jwt")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert!(body.contains("the access token is invalid or expired"), "{body}");
    let response = AuthRejection::unauthorized("x").into_response();
    assert_eq!(response.headers()[header::CONTENT_TYPE], "application/problem+json");
}

#[tokio::test]
async fn a_valid_token_names_its_user_and_only_admins_pass_require_role_admin() {
    let codec = Arc::new(hmac());
    let user = actor(Role::User);
    let token = codec.issue(user).unwrap().token;
    let (status, _, body) = call(app(codec.clone()), "/me", Some(&token)).await;
    assert_eq!((status, body), (StatusCode::OK, user.id.to_string()));
    let (status, challenge, _) = call(app(codec.clone()), "/admin", Some(&token)).await;
    assert_eq!((status, challenge.as_str()), (StatusCode::FORBIDDEN, ""));
    let admin = codec.issue(actor(Role::Admin)).unwrap().token;
    assert_eq!(call(app(codec), "/admin", Some(&admin)).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_refused_role_is_a_403_problem_with_the_requirement_s_detail() {
    let codec = Arc::new(hmac());
    let user = codec.issue(actor(Role::User)).unwrap().token;
    let admin = codec.issue(actor(Role::Admin)).unwrap().token;
    let (status, _, body) = call(app(codec.clone()), "/admin", Some(&user)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let expected =
        r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"administrators only"}"#;
    assert_eq!(body, expected);
    let (status, challenge, body) = call(app(codec.clone()), "/users-only", Some(&admin)).await;
    assert_eq!((status, challenge.as_str()), (StatusCode::FORBIDDEN, ""));
    let expected =
        r#"{"type":"about:blank","title":"Forbidden","status":403,"detail":"users only"}"#;
    assert_eq!(body, expected);
    let (status, _, body) = call(app(codec), "/users-only", Some(&user)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
}

#[tokio::test]
async fn a_role_requirement_without_a_valid_token_is_the_same_401() {
    let app = app(Arc::new(hmac()));
    for path in ["/admin", "/users-only"] {
        let (status, challenge, body) = call(app.clone(), path, None).await;
        assert_eq!((status, challenge.as_str()), (StatusCode::UNAUTHORIZED, "Bearer"), "{path}");
        let expected = r#"{"type":"about:blank","title":"Unauthorized","status":401,"detail":"missing Authorization: Bearer token"}"#;
        assert_eq!(body, expected, "{path}");
        let (status, challenge, body) = call(app.clone(), path, Some("not.a.jwt")).await;
        assert_eq!((status, challenge.as_str()), (StatusCode::UNAUTHORIZED, "Bearer"), "{path}");
        assert!(body.contains("the access token is invalid or expired"), "{path}: {body}");
    }
}

#[tokio::test]
async fn the_jwk_set_lists_the_public_keys_and_never_a_secret() {
    let (status, _, body) = call(app(Arc::new(eddsa())), "/.well-known/jwks.json", None).await;
    assert_eq!(status, StatusCode::OK);
    let set: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(set["keys"][0]["kid"], "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k");
    assert_eq!(set["keys"][0]["use"], "sig");
    let (_, _, body) = call(app(Arc::new(hmac())), "/.well-known/jwks.json", None).await;
    assert_eq!(body, r#"{"keys":[]}"#);
}

fn capacity(concurrency: usize, queue: usize) -> HashingSettings {
    HashingSettings { concurrency, queue }
}

#[tokio::test]
async fn hashes_verify_only_their_password() {
    let hasher = PasswordHasher::new(HashCost::MINIMAL, capacity(2, 4)).unwrap();
    let hash = hasher.hash("correct horse battery").await.unwrap();
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(hasher.verify("correct horse battery", &hash).await.unwrap());
    assert!(!hasher.verify("wrong horse battery", &hash).await.unwrap());
    assert!(!hasher.verify("anything", "not a phc string").await.unwrap());
}

#[tokio::test]
async fn unknown_accounts_never_verify() {
    let hasher = PasswordHasher::new(HashCost::MINIMAL, capacity(1, 4)).unwrap();
    assert!(!hasher.verify_unknown_account("not a real password").await.unwrap());
}

#[test]
fn owasp_cost_is_accepted() {
    assert!(PasswordHasher::new(HashCost::OWASP, capacity(1, 1)).is_ok());
    assert!(HashingSettings::default().concurrency >= 1);
}

#[tokio::test]
async fn a_full_queue_is_busy_with_a_retry_delay() {
    let hasher = PasswordHasher::new(HashCost::MINIMAL, capacity(1, 4)).unwrap();
    let (release, gate) = std::sync::mpsc::channel::<()>();
    let (started, running) = tokio::sync::oneshot::channel::<()>();
    let busy = hasher.clone();
    let busy = tokio::spawn(async move {
        busy.run_blocking(move || {
            let _ = started.send(());
            let _ = gate.recv();
        })
        .await
    });
    running.await.unwrap();
    let mut refused = None;
    for _ in 0..1_000 {
        tokio::select! {
            biased;
            result = hasher.hash("correct horse battery") => {
                refused = result.err();
                break;
            }
            () = std::future::ready(()) => {}
        }
    }
    release.send(()).unwrap();
    busy.await.unwrap().unwrap();
    let refused = refused.expect("refused");
    assert!(
        matches!(refused, PasswordError::Busy { retry_after } if retry_after > Duration::ZERO),
        "{refused:?}"
    );
}
