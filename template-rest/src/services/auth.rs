//! Registration, login, refresh-token rotation and logout.

use std::net::IpAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::{AdminSeed, email_taken};
use crate::auth::{PasswordHasher, TokenCodec, hash_refresh_token, new_refresh_token};
use crate::domain::refresh_token::{NewRefreshToken, RefreshToken};
use crate::domain::user::{Actor, NewUser, Role, User, normalize_email};
use crate::events::{DomainEvent, EventBus};
use crate::problem::{AppError, AppResult};
use crate::ratelimit::{LoginGuard, RateLimit, RateLimiter, client_network};
use crate::repositories::{RefreshTokenRepository, RepositoryError, UserRepository};

/// The one answer to every failed login, whatever the reason.
const BAD_CREDENTIALS: &str = "invalid email or password";
/// The one answer to every refused refresh token.
const BAD_REFRESH: &str = "the refresh token is invalid, expired or revoked";

/// A new account, as submitted.
#[derive(Debug, Clone)]
pub struct Registration {
    /// Email, in any case.
    pub email: String,
    /// Plain-text password; hashed before it is stored.
    pub password: String,
    /// Display name.
    pub name: String,
    /// The client's address, for the registration limit.
    pub client: IpAddr,
}

/// Tokens handed to a client after login or refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenPair {
    /// Short-lived JWT.
    pub(crate) access_token: String,
    /// Opaque, single-use refresh token.
    pub(crate) refresh_token: String,
    /// Seconds until the access token expires.
    pub(crate) expires_in: u64,
}

/// A login attempt, as submitted.
#[derive(Debug, Clone)]
pub struct LoginAttempt {
    /// Email, in any case.
    pub email: String,
    /// Plain-text password.
    pub password: String,
    /// The client's address, for rate limiting.
    pub client: IpAddr,
}

/// Registration's own, stricter limit per client address.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct RegistrationLimits {
    /// `REGISTER_RATE_LIMIT_PER_HOUR` 10, `REGISTER_RATE_LIMIT_BURST` 3.
    pub(crate) rate: RateLimit,
}

/// Authentication rules.
pub struct AuthService {
    users: Arc<dyn UserRepository>,
    refresh_tokens: Arc<dyn RefreshTokenRepository>,
    hasher: PasswordHasher,
    codec: Arc<TokenCodec>,
    guard: LoginGuard,
    registrations: Arc<dyn RateLimiter>,
    events: EventBus,
    refresh_ttl: Duration,
}

impl AuthService {
    /// Wires the service over its storage, hashing, token signing, login limits, the
    /// registration limit and the event bus; refresh tokens live for `refresh_ttl`.
    #[must_use]
    #[expect(
        clippy::too_many_arguments,
        reason = "a service takes its collaborators; a struct to carry them would be unpacked at once"
    )]
    pub(crate) fn new(
        users: Arc<dyn UserRepository>,
        refresh_tokens: Arc<dyn RefreshTokenRepository>,
        hasher: PasswordHasher,
        codec: Arc<TokenCodec>,
        guard: LoginGuard,
        registrations: Arc<dyn RateLimiter>,
        events: EventBus,
        refresh_ttl: Duration,
    ) -> Self {
        Self { users, refresh_tokens, hasher, codec, guard, registrations, events, refresh_ttl }
    }

    /// Creates a user with the `user` role. Registrations are limited per client address, and
    /// an email that is taken is said so (409), after the same hashing work as a success: the
    /// limit is what keeps this from being a fast way to list accounts.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] past the limit, [`AppError::Conflict`] when the email is
    /// registered already.
    pub async fn register(&self, registration: Registration) -> AppResult<User> {
        let key = format!("register-ip:{}", client_network(registration.client));
        if let Err(retry_after) = self.registrations.check(&key).await {
            metrics::counter!("rate_limited_total", "scope" => "register").increment(1);
            return Err(AppError::TooManyRequests { retry_after });
        }
        let password_hash = self.hasher.hash(&registration.password).await?;
        let new_user = NewUser {
            email: normalize_email(&registration.email),
            name: registration.name.trim().to_owned(),
            role: Role::User,
            password_hash,
        };
        let user = self.users.create(new_user).await.map_err(email_taken)?;
        self.events.publish(&DomainEvent::UserRegistered {
            user_id: user.id,
            email: user.email.clone(),
            name: user.name.clone(),
        });
        Ok(user)
    }

    /// Checks credentials and starts a session. Unknown emails and wrong passwords fail the
    /// same way, after the same amount of work. Attempts go through the [`LoginGuard`]:
    /// repeated failures make the address that makes them wait, not the account's owner.
    ///
    /// # Errors
    /// [`AppError::TooManyRequests`] when limited, [`AppError::Unauthorized`] for bad
    /// credentials.
    pub async fn login(&self, attempt: &LoginAttempt) -> AppResult<TokenPair> {
        let account = normalize_email(&attempt.email);
        self.guard.admit(attempt.client, &account).await?;
        let Some(user) = self.verified_user(&account, &attempt.password).await? else {
            self.guard.failed(attempt.client, &account).await;
            return Err(AppError::Unauthorized(BAD_CREDENTIALS));
        };
        self.guard.succeeded(attempt.client, &account).await;
        let refresh_token = self.new_refresh_token(user.id, Uuid::now_v7())?;
        self.refresh_tokens.insert(refresh_token.record).await?;
        self.token_pair(Actor { id: user.id, role: user.role }, refresh_token.value)
    }

    /// The user with this email, if the password matches.
    async fn verified_user(&self, email: &str, password: &str) -> AppResult<Option<User>> {
        let Some(user) = self.users.find_by_email(email).await? else {
            self.hasher.verify_unknown_account(password).await?;
            return Ok(None);
        };
        let matches = self.hasher.verify(password, &user.password_hash).await?;
        Ok(matches.then_some(user))
    }

    /// Exchanges a refresh token for a new pair, rotating it. A token that was already used
    /// revokes its whole family: whoever holds it, thief or owner, must log in again.
    ///
    /// # Errors
    /// [`AppError::Unauthorized`] for unknown, expired, revoked or reused tokens.
    pub(crate) async fn refresh(&self, refresh_token: &str) -> AppResult<TokenPair> {
        let now = Utc::now();
        let stored = self.usable_refresh_token(refresh_token, now).await?;
        let Some(user) = self.users.find_by_id(stored.user_id).await? else {
            return Err(AppError::Unauthorized(BAD_REFRESH));
        };
        let replacement = self.new_refresh_token(user.id, stored.family_id)?;
        if !self.refresh_tokens.rotate(stored.id, replacement.record, now).await? {
            self.refresh_tokens.revoke_family(stored.family_id, now).await?;
            return Err(AppError::Unauthorized(BAD_REFRESH));
        }
        self.token_pair(Actor { id: user.id, role: user.role }, replacement.value)
    }

    /// The stored token, if it is known, unused and unexpired. A reused token revokes its
    /// family before failing.
    async fn usable_refresh_token(
        &self,
        refresh_token: &str,
        now: DateTime<Utc>,
    ) -> AppResult<RefreshToken> {
        let token_hash = hash_refresh_token(refresh_token);
        let Some(stored) = self.refresh_tokens.find_by_hash(&token_hash).await? else {
            return Err(AppError::Unauthorized(BAD_REFRESH));
        };
        if stored.revoked_at.is_some() {
            tracing::warn!(family = %stored.family_id, "refresh token reused: revoking family");
            self.refresh_tokens.revoke_family(stored.family_id, now).await?;
            return Err(AppError::Unauthorized(BAD_REFRESH));
        }
        if stored.expires_at <= now {
            return Err(AppError::Unauthorized(BAD_REFRESH));
        }
        Ok(stored)
    }

    /// Revokes `refresh_token` if it belongs to `actor`. Unknown tokens are ignored, so logout
    /// is idempotent.
    ///
    /// # Errors
    /// Only storage failures.
    pub(crate) async fn logout(&self, actor: Actor, refresh_token: &str) -> AppResult<()> {
        let token_hash = hash_refresh_token(refresh_token);
        self.refresh_tokens.revoke(actor.id, &token_hash, Utc::now()).await?;
        Ok(())
    }

    /// Creates the configured administrator, unless that administrator exists already. An
    /// existing account with that email that is not an administrator is refused, never
    /// promoted: whoever registered the address first would otherwise become administrator.
    ///
    /// # Errors
    /// [`AppError::Conflict`] for such an account; storage failures.
    pub async fn ensure_admin(&self, seed: &AdminSeed) -> AppResult<()> {
        let email = normalize_email(&seed.email);
        if self.users.find_by_email(&email).await?.is_some() {
            return self.check_seeded_admin(&email).await;
        }
        let password_hash = self.hasher.hash(&seed.password).await?;
        let admin = NewUser {
            email: email.clone(),
            name: "Administrator".to_owned(),
            role: Role::Admin,
            password_hash,
        };
        match self.users.create(admin).await {
            Ok(_) => Ok(()),
            // Another instance, or a registration, took the email between our read and our write.
            Err(RepositoryError::Conflict) => self.check_seeded_admin(&email).await,
            Err(error) => Err(error.into()),
        }
    }

    /// Succeeds when the account with `email` is an administrator.
    async fn check_seeded_admin(&self, email: &str) -> AppResult<()> {
        let existing = self.users.find_by_email(email).await?;
        if existing.is_some_and(|user| user.role == Role::Admin) {
            return Ok(());
        }
        Err(AppError::Conflict(
            "ADMIN_EMAIL belongs to an existing account that is not an administrator: \
             promote it yourself, or choose another ADMIN_EMAIL",
        ))
    }

    /// Deletes the refresh tokens that expired, or were revoked, longer than `retention` ago,
    /// and returns how many. Run periodically by `services::purge::spawn`.
    ///
    /// # Errors
    /// Storage failures.
    pub async fn purge_refresh_tokens(&self, retention: Duration) -> AppResult<u64> {
        let retention = chrono::Duration::from_std(retention).unwrap_or(chrono::Duration::MAX);
        let Some(ended_before) = Utc::now().checked_sub_signed(retention) else {
            return Ok(0);
        };
        Ok(self.refresh_tokens.purge(ended_before).await?)
    }

    /// Drops login- and registration-limit state that no longer limits anyone.
    pub(crate) fn purge_limits(&self) {
        self.guard.purge();
        self.registrations.purge();
    }

    fn new_refresh_token(&self, user_id: Uuid, family_id: Uuid) -> AppResult<IssuedRefreshToken> {
        let value = new_refresh_token().map_err(|error| AppError::internal(error.to_string()))?;
        let now = Utc::now();
        let ttl = chrono::Duration::from_std(self.refresh_ttl).map_err(AppError::internal)?;
        let record = NewRefreshToken {
            id: Uuid::now_v7(),
            user_id,
            family_id,
            token_hash: hash_refresh_token(&value),
            expires_at: now + ttl,
            created_at: now,
        };
        Ok(IssuedRefreshToken { value, record })
    }

    fn token_pair(&self, actor: Actor, refresh_token: String) -> AppResult<TokenPair> {
        let access = self.codec.issue(actor)?;
        Ok(TokenPair { access_token: access.token, refresh_token, expires_in: access.expires_in })
    }
}

/// A refresh token as given to the client, and as stored.
struct IssuedRefreshToken {
    value: String,
    record: NewRefreshToken,
}
