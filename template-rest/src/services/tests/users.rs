//! The user-management rules.

use super::{PASSWORD, admin, attempt, fixture, register};
use crate::domain::page::{UserQuery, UserSort};
use crate::domain::user::{Role, UserChanges};
use crate::error::AppError;
use crate::services::users::PasswordChange;

#[tokio::test]
async fn users_see_only_themselves() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    let bob = register(&fixture, "bob@example.com").await;
    assert!(matches!(fixture.users.get(ann, bob.id).await, Err(AppError::NotFound(_))));
    assert!(fixture.users.get(admin(), bob.id).await.is_ok());
    let query = UserQuery { page: 1, per_page: 10, sort: UserSort::default(), search: None };
    assert!(matches!(fixture.users.list(ann, &query).await, Err(AppError::Forbidden(_))));
}

#[tokio::test]
async fn only_admins_change_roles() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    let promote = UserChanges { role: Some(Role::Admin), ..UserChanges::default() };
    let refused = fixture.users.update(ann, ann.id, promote.clone()).await;
    assert!(matches!(refused, Err(AppError::Forbidden(_))));
    let promoted = fixture.users.update(admin(), ann.id, promote).await.unwrap();
    assert_eq!(promoted.role, Role::Admin);
}

#[tokio::test]
async fn password_changes_check_the_current_one_and_end_sessions() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    fixture.auth.login(&attempt("ann@example.com", PASSWORD)).await.unwrap();
    let wrong =
        PasswordChange { current_password: "nope".into(), new_password: "new password 123".into() };
    assert!(matches!(
        fixture.users.change_password(ann, ann.id, wrong).await,
        Err(AppError::Forbidden(_))
    ));
    let right = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "new password 123".into(),
    };
    fixture.users.change_password(ann, ann.id, right).await.unwrap();
    assert!(fixture.tokens.all().iter().all(|token| token.revoked_at.is_some()));
    assert!(fixture.auth.login(&attempt("ann@example.com", "new password 123")).await.is_ok());
}

#[tokio::test]
async fn deleting_needs_an_admin_and_an_existing_user() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    assert!(matches!(fixture.users.delete(ann, ann.id).await, Err(AppError::Forbidden(_))));
    fixture.users.delete(admin(), ann.id).await.unwrap();
    assert!(matches!(fixture.users.delete(admin(), ann.id).await, Err(AppError::NotFound(_))));
}
