//! The user-management rules.

use super::{LOCALHOST, PASSWORD, admin, attempt, fixture, register};
use crate::domain::page::{UserQuery, UserSort};
use crate::domain::user::{Actor, Role, UserChanges};
use crate::problem::AppError;
use crate::services::users::PasswordChange;

#[tokio::test]
async fn users_see_only_themselves() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    let bob = register(&fixture, "bob@example.com").await;
    assert!(matches!(fixture.users.get(ann, bob.id).await, Err(AppError::NotFound(_))));
    assert!(fixture.users.get(admin(&fixture).await, bob.id).await.is_ok());
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
    let promoted = fixture.users.update(admin(&fixture).await, ann.id, promote).await.unwrap();
    assert_eq!(promoted.role, Role::Admin);
}

#[tokio::test]
async fn password_changes_check_the_current_one_and_end_sessions() {
    let fixture = fixture();
    let ann = register(&fixture, "ann@example.com").await;
    fixture.auth.login(&attempt("ann@example.com", PASSWORD)).await.unwrap();
    let wrong = PasswordChange {
        current_password: "nope".into(),
        new_password: "new password 123".into(),
        client: LOCALHOST,
    };
    assert!(matches!(
        fixture.users.change_password(ann, ann.id, wrong).await,
        Err(AppError::Forbidden(_))
    ));
    let right = PasswordChange {
        current_password: PASSWORD.into(),
        new_password: "new password 123".into(),
        client: LOCALHOST,
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
    let admin = admin(&fixture).await;
    fixture.users.delete(admin, ann.id).await.unwrap();
    assert!(matches!(fixture.users.delete(admin, ann.id).await, Err(AppError::NotFound(_))));
}

#[tokio::test]
async fn admin_powers_follow_the_stored_role_not_the_token() {
    let fixture = fixture();
    let root = admin(&fixture).await;
    let ann = register(&fixture, "ann@example.com").await;
    let claims_admin = Actor { id: ann.id, role: Role::Admin };
    assert!(matches!(fixture.users.get(claims_admin, root.id).await, Err(AppError::NotFound(_))));
    let demote = UserChanges { role: Some(Role::User), ..UserChanges::default() };
    let last = fixture.users.update(root, root.id, demote.clone()).await;
    assert!(matches!(last, Err(AppError::Conflict(_))), "{last:?}");
    assert!(matches!(fixture.users.delete(root, root.id).await, Err(AppError::Conflict(_))));
    let promote = UserChanges { role: Some(Role::Admin), ..UserChanges::default() };
    fixture.users.update(root, ann.id, promote).await.unwrap();
    fixture.users.update(root, root.id, demote).await.unwrap();
    assert!(matches!(fixture.users.delete(root, ann.id).await, Err(AppError::Forbidden(_))));
}
