//! Unit tests of the services against in-process fake repositories: the shared fixture.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::auth::{HashCost, HashingSettings, PasswordHasher, SharedSecret, TokenCodec};
use crate::auth::{TokenSettings, TokenSigning};
use crate::domain::user::{Actor, NewUser, Role};
use crate::events::EventBus;
use crate::ratelimit::{InMemoryRateLimiter, LoginGuard, LoginLimits, RateLimit};
use crate::repositories::UserRepository as _;
use crate::repositories::fakes::{FakeRefreshTokens, FakeUsers};
use crate::repositories::storage::LocalStorage;
use crate::services::auth::{AuthService, LoginAttempt, Registration};
use crate::services::users::UserService;

pub(super) const PASSWORD: &str = "correct horse battery";

/// The template's default login limits (`config/login.rs`).
const LOGIN_LIMITS: LoginLimits = LoginLimits {
    rate: RateLimit { per_second: 10.0 / 60.0, burst: 5 },
    failures_before_delay: 5,
    ip_failures_before_delay: 20,
    account_failing_addresses: 100,
    max_delay: Duration::from_mins(15),
    max_entries: 100_000,
};

/// The template's default registration limit: 10 an hour, 3 at once.
const REGISTRATION_RATE: RateLimit = RateLimit { per_second: 10.0 / 3_600.0, burst: 3 };

pub(super) struct Fixture {
    pub(crate) auth: Arc<AuthService>,
    pub(crate) users: UserService,
    pub(crate) user_rows: Arc<FakeUsers>,
    pub(crate) tokens: Arc<FakeRefreshTokens>,
    pub(crate) codec: Arc<TokenCodec>,
}

pub(super) fn fixture() -> Fixture {
    let tokens = Arc::new(FakeRefreshTokens::default());
    let users = Arc::new(FakeUsers::linked(tokens.clone()));
    let hasher = PasswordHasher::new(HashCost::MINIMAL, HashingSettings::default()).unwrap();
    let signing = TokenSigning::SharedSecret(SharedSecret::generate().unwrap());
    let codec = Arc::new(TokenCodec::new(&TokenSettings::new(signing, "fixture", "fixture")));
    let uploads = std::env::temp_dir().join(format!("fixture-{}", Uuid::now_v7()));
    let guard = LoginGuard::in_memory(&LOGIN_LIMITS);
    let auth = AuthService::new(
        users.clone(),
        tokens.clone(),
        hasher.clone(),
        codec.clone(),
        guard.clone(),
        Arc::new(InMemoryRateLimiter::new(REGISTRATION_RATE)),
        EventBus::default(),
        Duration::from_hours(1),
    );
    let avatars = Arc::new(LocalStorage::new(uploads));
    Fixture {
        auth: Arc::new(auth),
        users: UserService::new(users.clone(), hasher, EventBus::default(), avatars, guard),
        user_rows: users,
        tokens,
        codec,
    }
}

/// A login attempt from localhost.
pub(super) fn attempt(email: &str, password: &str) -> LoginAttempt {
    LoginAttempt { email: email.to_owned(), password: password.to_owned(), client: LOCALHOST }
}

/// The address of every unit-test client.
pub(super) const LOCALHOST: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

pub(super) async fn register(fixture: &Fixture, email: &str) -> Actor {
    let registration = Registration {
        email: email.into(),
        password: PASSWORD.into(),
        name: " Name ".into(),
        client: LOCALHOST,
    };
    let user = fixture.auth.register(registration).await.unwrap();
    Actor { id: user.id, role: user.role }
}

/// A new administrator, stored in the fixture's users.
pub(super) async fn admin(fixture: &Fixture) -> Actor {
    let admin = NewUser {
        email: format!("admin-{}@example.com", Uuid::now_v7()),
        name: "Admin".into(),
        role: Role::Admin,
        password_hash: "not a hash".into(),
    };
    let admin = fixture.user_rows.create(admin).await.unwrap();
    Actor { id: admin.id, role: admin.role }
}

mod auth;
mod limits;
mod users;
