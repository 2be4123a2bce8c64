//! Reading and managing users, with the visibility rules: a user sees only themself, an
//! administrator sees everyone, and someone else's id looks exactly like a missing one.
//!
//! An access token states the role its user had when it was issued. Whenever a request needs
//! an administrator's powers, the role is read again from the database, so that a demoted or
//! deleted administrator loses them at once; requests by regular users cost no extra read.

use std::net::IpAddr;
use std::sync::Arc;

use uuid::Uuid;

use super::email_taken;
use crate::auth::PasswordHasher;
use crate::domain::page::{Page, UserQuery};
use crate::domain::user::{Actor, Role, User, UserChanges, normalize_email};
use crate::events::{DomainEvent, EventBus};
use crate::problem::{AppError, AppResult};
use crate::ratelimit::LoginGuard;
use crate::repositories::UserRepository;
use crate::repositories::storage::Storage;

const NOT_FOUND: &str = "no user with this id";
const ADMINS_ONLY: &str = "administrators only";

/// A password change, as submitted.
#[derive(Debug, Clone)]
pub(crate) struct PasswordChange {
    /// The password the user has now.
    pub(crate) current_password: String,
    /// The password they want.
    pub(crate) new_password: String,
    /// The client's address: the check of the current password is throttled as a login.
    pub(crate) client: IpAddr,
}

pub(crate) struct UserService {
    users: Arc<dyn UserRepository>,
    hasher: PasswordHasher,
    events: EventBus,
    avatars: Arc<dyn Storage>,
    guard: LoginGuard,
}

impl UserService {
    /// Wires the service; deleting a user deletes their avatar from `avatars`, and a password
    /// change checks the current password through `guard`, the login's throttle, shared.
    #[must_use]
    #[expect(
        clippy::too_many_arguments,
        reason = "a service takes its collaborators; a struct to carry them would be unpacked at once"
    )]
    pub(crate) fn new(
        users: Arc<dyn UserRepository>,
        hasher: PasswordHasher,
        events: EventBus,
        avatars: Arc<dyn Storage>,
        guard: LoginGuard,
    ) -> Self {
        Self { users, hasher, events, avatars, guard }
    }

    /// Whether `actor` is an administrator now: their token says so, and the database agrees.
    async fn is_admin_now(&self, actor: Actor) -> AppResult<bool> {
        if !actor.is_admin() {
            return Ok(false);
        }
        let user = self.users.find_by_id(actor.id).await?;
        Ok(user.is_some_and(|user| user.role == Role::Admin))
    }

    /// Fails unless `actor` is `id` or an administrator now; another user's id is a 404.
    async fn ensure_visible(&self, actor: Actor, id: Uuid) -> AppResult<()> {
        if actor.id == id || self.is_admin_now(actor).await? {
            return Ok(());
        }
        Err(AppError::NotFound(NOT_FOUND))
    }

    /// Fails unless `actor` is an administrator now.
    async fn ensure_admin(&self, actor: Actor) -> AppResult<()> {
        if self.is_admin_now(actor).await? {
            return Ok(());
        }
        Err(AppError::Forbidden(ADMINS_ONLY))
    }

    /// One user, if `actor` may see them.
    ///
    /// # Errors
    /// [`AppError::NotFound`] when the user is missing or hidden from `actor`.
    pub(crate) async fn get(&self, actor: Actor, id: Uuid) -> AppResult<User> {
        self.ensure_visible(actor, id).await?;
        self.users.find_by_id(id).await?.ok_or(AppError::NotFound(NOT_FOUND))
    }

    /// One page of users. Administrators only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for non-administrators.
    pub(crate) async fn list(&self, actor: Actor, query: &UserQuery) -> AppResult<Page<User>> {
        self.ensure_admin(actor).await?;
        Ok(self.users.list(query).await?)
    }

    /// Changes name and email (anyone, on themself) or role (administrators).
    ///
    /// # Errors
    /// [`AppError::NotFound`], [`AppError::Forbidden`] for a role change by a non-administrator,
    /// [`AppError::Conflict`] for an email in use or the demotion of the last administrator.
    pub(crate) async fn update(
        &self,
        actor: Actor,
        id: Uuid,
        changes: UserChanges,
    ) -> AppResult<User> {
        let admin_now =
            (actor.id != id || changes.role.is_some()) && self.is_admin_now(actor).await?;
        if actor.id != id && !admin_now {
            return Err(AppError::NotFound(NOT_FOUND));
        }
        if changes.role.is_some() && !admin_now {
            return Err(AppError::Forbidden(ADMINS_ONLY));
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
    /// sessions. The check goes through the login's throttle, so a stolen access token is no
    /// faster a way to guess the password than the login form.
    ///
    /// # Errors
    /// [`AppError::NotFound`] for another user's id (as for reads), [`AppError::Forbidden`]
    /// when an administrator targets someone else or the current password is wrong,
    /// [`AppError::TooManyRequests`] while the throttle makes this address wait.
    pub(crate) async fn change_password(
        &self,
        actor: Actor,
        id: Uuid,
        change: PasswordChange,
    ) -> AppResult<()> {
        if actor.id != id {
            self.ensure_visible(actor, id).await?;
            return Err(AppError::Forbidden("only the user themself can change a password"));
        }
        let user = self.users.find_by_id(id).await?.ok_or(AppError::NotFound(NOT_FOUND))?;
        self.guard.admit(change.client, &user.email).await?;
        if !self.hasher.verify(&change.current_password, &user.password_hash).await? {
            self.guard.failed(change.client, &user.email).await;
            return Err(AppError::Forbidden("the current password is incorrect"));
        }
        self.guard.succeeded(change.client, &user.email).await;
        let password_hash = self.hasher.hash(&change.new_password).await?;
        if !self.users.change_password(id, &password_hash).await? {
            return Err(AppError::NotFound(NOT_FOUND));
        }
        self.events.publish(&DomainEvent::PasswordChanged { user_id: id, email: user.email });
        Ok(())
    }

    /// Deletes a user, their sessions and their avatar. Administrators only.
    ///
    /// # Errors
    /// [`AppError::Forbidden`] for non-administrators, [`AppError::NotFound`],
    /// [`AppError::Conflict`] for the last administrator.
    pub(crate) async fn delete(&self, actor: Actor, id: Uuid) -> AppResult<()> {
        self.ensure_admin(actor).await?;
        let deleted = self.users.delete(id).await?.ok_or(AppError::NotFound(NOT_FOUND))?;
        if let Some(avatar) = deleted.avatar
            && let Err(error) = self.avatars.delete(&avatar.key).await
        {
            // The user is gone either way; the file is left behind, and said so.
            tracing::warn!(%error, key = %avatar.key, "cannot delete the avatar of a deleted user");
        }
        self.events.publish(&DomainEvent::UserDeleted { user_id: id });
        Ok(())
    }
}
