//! Reading and managing users, with the visibility rules: a user sees only themself, an
//! administrator sees everyone, and someone else's id looks exactly like a missing one.

use std::sync::Arc;

use uuid::Uuid;

use super::auth::email_taken;
use super::passwords::PasswordHasher;
use crate::domain::page::{Page, UserQuery};
use crate::domain::user::{Actor, User, UserChanges, normalize_email};
use crate::error::{AppError, AppResult};
use crate::events::{DomainEvent, EventBus};
use crate::repositories::UserRepository;

const NOT_FOUND: &str = "no user with this id";

/// A password change, as submitted.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    /// The password the user has now.
    pub current_password: String,
    /// The password they want.
    pub new_password: String,
}

/// User-management rules.
pub struct UserService {
    users: Arc<dyn UserRepository>,
    hasher: PasswordHasher,
    events: EventBus,
}

impl UserService {
    /// Wires the service.
    #[must_use]
    pub fn new(users: Arc<dyn UserRepository>, hasher: PasswordHasher, events: EventBus) -> Self {
        Self { users, hasher, events }
    }

    /// One user, if `actor` may see them.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the user is missing or hidden from `actor`.
    pub async fn get(&self, actor: Actor, id: Uuid) -> AppResult<User> {
        ensure_visible(actor, id)?;
        self.users.find_by_id(id).await?.ok_or(AppError::NotFound(NOT_FOUND))
    }

    /// One page of users. Administrators only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for non-administrators.
    pub async fn list(&self, actor: Actor, query: &UserQuery) -> AppResult<Page<User>> {
        ensure_admin(actor)?;
        Ok(self.users.list(query).await?)
    }

    /// Changes name and email (anyone, on themself) or role (administrators).
    ///
    /// # Errors
    /// [`AppError::NotFound`], [`AppError::Forbidden`] for a role change by a non-administrator,
    /// [`AppError::Conflict`] for an email in use.
    pub async fn update(&self, actor: Actor, id: Uuid, changes: UserChanges) -> AppResult<User> {
        ensure_visible(actor, id)?;
        if changes.role.is_some() {
            ensure_admin(actor)?;
        }
        let changes = UserChanges {
            name: changes.name.map(|name| name.trim().to_owned()),
            email: changes.email.as_deref().map(normalize_email),
            role: changes.role,
        };
        let updated = self.users.update(id, &changes).await.map_err(email_taken)?;
        updated.ok_or(AppError::NotFound(NOT_FOUND))
    }

    /// Changes a user's own password, after checking the current one, and ends all of their
    /// sessions.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another user's id (as for reads), [`AppError::Forbidden`]
    /// when an administrator targets someone else or the current password is wrong.
    pub async fn change_password(
        &self,
        actor: Actor,
        id: Uuid,
        change: PasswordChange,
    ) -> AppResult<()> {
        if actor.id != id {
            ensure_visible(actor, id)?;
            return Err(AppError::Forbidden("only the user themself can change a password"));
        }
        let user = self.users.find_by_id(id).await?.ok_or(AppError::NotFound(NOT_FOUND))?;
        if !self.hasher.verify(&change.current_password, &user.password_hash).await? {
            return Err(AppError::Forbidden("the current password is incorrect"));
        }
        let password_hash = self.hasher.hash(&change.new_password).await?;
        if !self.users.change_password(id, &password_hash).await? {
            return Err(AppError::NotFound(NOT_FOUND));
        }
        self.events.publish(&DomainEvent::PasswordChanged { user_id: id, email: user.email });
        Ok(())
    }

    /// Deletes a user and their sessions. Administrators only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for non-administrators, [`AppError::NotFound`].
    pub async fn delete(&self, actor: Actor, id: Uuid) -> AppResult<()> {
        ensure_admin(actor)?;
        if !self.users.delete(id).await? {
            return Err(AppError::NotFound(NOT_FOUND));
        }
        self.events.publish(&DomainEvent::UserDeleted { user_id: id });
        Ok(())
    }
}

fn ensure_visible(actor: Actor, id: Uuid) -> AppResult<()> {
    if actor.id == id || actor.is_admin() {
        return Ok(());
    }
    Err(AppError::NotFound(NOT_FOUND))
}

fn ensure_admin(actor: Actor) -> AppResult<()> {
    if actor.is_admin() {
        return Ok(());
    }
    Err(AppError::Forbidden("administrators only"))
}
