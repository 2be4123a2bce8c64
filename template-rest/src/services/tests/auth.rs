//! The authentication rules.

use std::time::Duration;

use super::{LOCALHOST, PASSWORD, attempt, fixture, register};
use crate::domain::page::{UserQuery, UserSort};
use crate::domain::user::{Actor, Role};
use crate::problem::AppError;
use crate::repositories::UserRepository as _;
use crate::services::AdminSeed;
use crate::services::auth::Registration;
use crate::services::purge::{self, RefreshTokenPurge};

#[tokio::test]
async fn registration_normalises_and_hashes() {
    let fixture = fixture();
    let actor = register(&fixture, " Ann@Example.COM ").await;
    let user = fixture.users.get(actor, actor.id).await.unwrap();
    assert_eq!((user.email.as_str(), user.name.as_str()), ("ann@example.com", "Name"));
    assert_ne!(user.password_hash, PASSWORD);
    let duplicate = Registration {
        email: "ANN@example.com".into(),
        password: PASSWORD.into(),
        name: "A".into(),
        client: LOCALHOST,
    };
    assert!(matches!(fixture.auth.register(duplicate).await, Err(AppError::Conflict(_))));
}

#[tokio::test]
async fn login_issues_tokens_that_verify() {
    let fixture = fixture();
    let actor = register(&fixture, "bob@example.com").await;
    let pair = fixture.auth.login(&attempt("BOB@example.com", PASSWORD)).await.unwrap();
    assert_eq!(fixture.codec.verify(&pair.access_token).unwrap(), actor);
    assert_eq!(fixture.tokens.all().len(), 1);
    assert_ne!(fixture.tokens.all()[0].token_hash, pair.refresh_token.as_bytes());
}

#[tokio::test]
async fn bad_credentials_fail_alike() {
    let fixture = fixture();
    register(&fixture, "cid@example.com").await;
    let wrong = fixture.auth.login(&attempt("cid@example.com", "wrong")).await.unwrap_err();
    let unknown = fixture.auth.login(&attempt("nobody@example.com", PASSWORD)).await.unwrap_err();
    assert_eq!(wrong.to_string(), unknown.to_string());
    assert!(matches!(wrong, AppError::Unauthorized(_)));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let fixture = fixture();
    register(&fixture, "dee@example.com").await;
    let first = fixture.auth.login(&attempt("dee@example.com", PASSWORD)).await.unwrap();
    let second = fixture.auth.refresh(&first.refresh_token).await.unwrap();
    assert!(fixture.auth.refresh(&first.refresh_token).await.is_err(), "reuse");
    assert!(fixture.auth.refresh(&second.refresh_token).await.is_err(), "family revoked");
    assert!(fixture.tokens.all().iter().all(|token| token.revoked_at.is_some()));
}

#[tokio::test]
async fn expired_refresh_tokens_are_refused() {
    let fixture = fixture();
    register(&fixture, "eli@example.com").await;
    let pair = fixture.auth.login(&attempt("eli@example.com", PASSWORD)).await.unwrap();
    fixture.tokens.expire_all();
    assert!(matches!(
        fixture.auth.refresh(&pair.refresh_token).await,
        Err(AppError::Unauthorized(_))
    ));
}

#[tokio::test]
async fn logout_revokes_only_the_callers_token() {
    let fixture = fixture();
    let owner = register(&fixture, "fay@example.com").await;
    let stranger = register(&fixture, "gus@example.com").await;
    let pair = fixture.auth.login(&attempt("fay@example.com", PASSWORD)).await.unwrap();
    fixture.auth.logout(stranger, &pair.refresh_token).await.unwrap();
    assert!(fixture.tokens.all()[0].revoked_at.is_none());
    fixture.auth.logout(owner, &pair.refresh_token).await.unwrap();
    assert!(fixture.tokens.all()[0].revoked_at.is_some());
}

#[tokio::test]
async fn the_admin_seed_is_idempotent() {
    let fixture = fixture();
    let seed =
        AdminSeed { email: "Root@Example.com".into(), password: "a long admin password".into() };
    fixture.auth.ensure_admin(&seed).await.unwrap();
    fixture.auth.ensure_admin(&seed).await.unwrap();
    let query = UserQuery { page: 1, per_page: 10, sort: UserSort::default(), search: None };
    let root = fixture.user_rows.find_by_email("root@example.com").await.unwrap().unwrap();
    assert_eq!(root.role, Role::Admin);
    let page = fixture.users.list(Actor { id: root.id, role: root.role }, &query).await.unwrap();
    assert_eq!(page.total, 1);
}

#[tokio::test]
async fn the_admin_seed_refuses_an_account_it_did_not_create() {
    let fixture = fixture();
    register(&fixture, "boss@example.com").await;
    let seed =
        AdminSeed { email: "Boss@Example.com".into(), password: "a long admin password".into() };
    let refused = fixture.auth.ensure_admin(&seed).await;
    assert!(matches!(refused, Err(AppError::Conflict(_))), "{refused:?}");
    let boss = fixture.user_rows.find_by_email("boss@example.com").await.unwrap().unwrap();
    assert_eq!(boss.role, Role::User, "not promoted");
}

#[tokio::test]
async fn the_purge_task_deletes_ended_tokens_as_it_starts() {
    let fixture = fixture();
    register(&fixture, "ann@example.com").await;
    fixture.auth.login(&attempt("ann@example.com", PASSWORD)).await.unwrap();
    fixture.tokens.expire_all();
    let settings =
        RefreshTokenPurge { interval: Duration::from_hours(1), retention: Duration::ZERO };
    let task = purge::spawn(fixture.auth.clone(), settings);
    for _ in 0..500 {
        if fixture.tokens.all().is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    task.abort();
    assert!(fixture.tokens.all().is_empty(), "the first run is immediate");
}

#[test]
fn a_busy_hashing_pool_is_a_503_with_its_retry_delay_and_a_failed_hash_a_500() {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse as _;

    use crate::auth::PasswordError;

    let retry_after = Duration::from_secs(1);
    let busy = AppError::from(PasswordError::Busy { retry_after }).into_response();
    assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(busy.headers()[header::RETRY_AFTER], "1");
    let failed = AppError::from(PasswordError::Failed("no randomness".into())).into_response();
    assert_eq!(failed.status(), StatusCode::INTERNAL_SERVER_ERROR);
}
