//! Unit tests of the services against in-process fake repositories: the shared fixture.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::auth::{HashCost, PasswordHasher, TokenCodec};
use crate::config::Config;
use crate::domain::user::{Actor, NewUser, Role};
use crate::events::EventBus;
use crate::repositories::UserRepository as _;
use crate::repositories::fakes::{FakeRefreshTokens, FakeUsers};
use crate::repositories::storage::LocalStorage;
use crate::services::auth::{AuthService, LoginAttempt, Registration};
use crate::services::login_guard::LoginGuard;
use crate::services::rate_limit::InMemoryRateLimiter;
use crate::services::users::UserService;

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub auth: Arc<AuthService>,
    pub users: UserService,
    pub user_rows: Arc<FakeUsers>,
    pub tokens: Arc<FakeRefreshTokens>,
    pub codec: Arc<TokenCodec>,
}

pub fn fixture() -> Fixture {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    let tokens = Arc::new(FakeRefreshTokens::default());
    let users = Arc::new(FakeUsers::linked(tokens.clone()));
    let hasher = PasswordHasher::new(HashCost::MINIMAL, config.hashing).unwrap();
    let codec = Arc::new(TokenCodec::new(&config.jwt.tokens));
    let uploads = std::env::temp_dir().join(format!("fixture-{}", Uuid::now_v7()));
    let guard = LoginGuard::in_memory(&config.http.login);
    let auth = AuthService::new(
        users.clone(),
        tokens.clone(),
        hasher.clone(),
        codec.clone(),
        guard.clone(),
        Arc::new(InMemoryRateLimiter::new(config.http.registration.rate)),
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
pub fn attempt(email: &str, password: &str) -> LoginAttempt {
    LoginAttempt { email: email.to_owned(), password: password.to_owned(), client: LOCALHOST }
}

/// The address of every unit-test client.
pub const LOCALHOST: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

pub async fn register(fixture: &Fixture, email: &str) -> Actor {
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
pub async fn admin(fixture: &Fixture) -> Actor {
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
mod users;
