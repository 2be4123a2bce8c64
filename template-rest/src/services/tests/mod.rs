//! Unit tests of the services against in-process fake repositories: the shared fixture.

use std::sync::Arc;
use std::time::Duration;

use uuid::Uuid;

use crate::config::Config;
use crate::domain::user::{Actor, Role};
use crate::events::EventBus;
use crate::repositories::fakes::{FakeRefreshTokens, FakeUsers};
use crate::services::auth::{AuthDependencies, AuthService, LoginAttempt, Registration};
use crate::services::login_throttle::{InMemoryLoginThrottle, LoginGuard};
use crate::services::passwords::{HashCost, PasswordHasher};
use crate::services::rate_limit::InMemoryRateLimiter;
use crate::services::tokens::TokenCodec;
use crate::services::users::UserService;

pub const PASSWORD: &str = "correct horse battery";

pub struct Fixture {
    pub auth: AuthService,
    pub users: UserService,
    pub tokens: Arc<FakeRefreshTokens>,
    pub codec: Arc<TokenCodec>,
}

pub fn fixture() -> Fixture {
    let config = Config::from_vars(&[("DATABASE_URL", "sqlite::memory:")]).unwrap();
    let tokens = Arc::new(FakeRefreshTokens::default());
    let users = Arc::new(FakeUsers::linked(tokens.clone()));
    let hasher = PasswordHasher::new(HashCost::MINIMAL, 2).unwrap();
    let codec = Arc::new(TokenCodec::new(&config.jwt).unwrap());
    let guard = LoginGuard {
        per_ip: Arc::new(InMemoryRateLimiter::new(config.http.login.rate)),
        per_account: Arc::new(InMemoryRateLimiter::new(config.http.login.rate)),
        throttle: Arc::new(InMemoryLoginThrottle::new(config.http.login)),
    };
    let dependencies = AuthDependencies {
        users: users.clone(),
        refresh_tokens: tokens.clone(),
        hasher: hasher.clone(),
        codec: codec.clone(),
        guard,
        events: EventBus::default(),
    };
    Fixture {
        auth: AuthService::new(dependencies, Duration::from_hours(1)),
        users: UserService::new(users, hasher, EventBus::default()),
        tokens,
        codec,
    }
}

/// A login attempt from localhost.
pub fn attempt(email: &str, password: &str) -> LoginAttempt {
    LoginAttempt {
        email: email.to_owned(),
        password: password.to_owned(),
        client: std::net::IpAddr::from([127, 0, 0, 1]),
    }
}

pub async fn register(fixture: &Fixture, email: &str) -> Actor {
    let registration =
        Registration { email: email.into(), password: PASSWORD.into(), name: " Name ".into() };
    let user = fixture.auth.register(registration).await.unwrap();
    Actor { id: user.id, role: user.role }
}

pub fn admin() -> Actor {
    Actor { id: Uuid::now_v7(), role: Role::Admin }
}

mod auth;
mod users;
