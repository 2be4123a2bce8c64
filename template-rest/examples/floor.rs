//! The floor of `cargo xtask bench rest`: the same route as the service, with nothing else.
//!
//! `GET /api/v1/users/{id}` verifies the same HS256 access token (the same algorithm, issuer,
//! audience and required claims) and runs the same query through the same driver, connection
//! options and pool settings, then answers the row as JSON. There is no middleware at all: no request
//! id, tracing, metrics, rate limit, timeout or concurrency limit. What the service does per
//! request beyond this is its features; the benchmark prints both, side by side, and their
//! ratio.
//!
//! ```sh
//! DATABASE_URL=… JWT_SECRET=… JWT_ISSUER=… JWT_AUDIENCE=… PORT=8081 \
//!     cargo run --release --example floor
//! ```

// The service's own connection options and driver, so that the floor speaks to the database
// exactly as the service does (this file differs between the SQLite and PostgreSQL forms).
#[path = "../src/repositories/database.rs"]
#[expect(dead_code, reason = "the floor needs only the driver and its connection options")]
mod database;

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::{Deserialize, Serialize};
use sqlx::Connection as _;
use uuid::Uuid;

/// The service's query for one user, columns as the handler answers them.
const USER_BY_ID: &str =
    "SELECT id, email, name, role, created_at, updated_at FROM users WHERE id = $1";

/// What every request needs.
#[derive(Clone)]
struct Floor {
    pool: sqlx::Pool<database::Db>,
    key: DecodingKey,
    validation: Validation,
}

/// The claims the service requires.
#[derive(Deserialize)]
struct Claims {
    #[serde(rename = "sub")]
    _subject: Uuid,
}

/// One user, as the service answers it.
#[derive(Serialize, sqlx::FromRow)]
struct UserBody {
    id: Uuid,
    email: String,
    name: String,
    role: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let variable = |name: &str| std::env::var(name).map_err(|_| format!("{name} is required"));
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let options =
            database::connect_options(&variable("DATABASE_URL")?, Duration::from_secs(5))?;
        let connections =
            std::env::var("DATABASE_MAX_CONNECTIONS").map_or(Ok(10), |n| n.parse())?;
        // The service's pool settings (`src/repositories/pool.rs`): a connection is pinged
        // before use only when it has been idle for a second, not on every acquire.
        let pool = sqlx::pool::PoolOptions::<database::Db>::new()
            .max_connections(connections)
            .test_before_acquire(false)
            .before_acquire(|connection, meta| {
                Box::pin(async move {
                    Ok(meta.idle_for < Duration::from_secs(1) || connection.ping().await.is_ok())
                })
            })
            .connect_with(options)
            .await?;
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[variable("JWT_ISSUER")?]);
        validation.set_audience(&[variable("JWT_AUDIENCE")?]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        let key = DecodingKey::from_secret(variable("JWT_SECRET")?.as_bytes());
        let router = axum::Router::new()
            .route("/api/v1/users/{id}", axum::routing::get(user))
            .with_state(Floor { pool, key, validation });
        let port = std::env::var("PORT").unwrap_or_else(|_| "8081".to_owned());
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port.parse()?)).await?;
        axum::serve(listener, router).await?;
        Ok(())
    })
}

async fn user(State(floor): State<Floor>, Path(id): Path<Uuid>, headers: HeaderMap) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "));
    let verified =
        token.map(|token| jsonwebtoken::decode::<Claims>(token, &floor.key, &floor.validation));
    if !matches!(verified, Some(Ok(_))) {
        return StatusCode::UNAUTHORIZED.into_response();
    }
    let row = sqlx::query_as::<_, UserBody>(USER_BY_ID).bind(id).fetch_optional(&floor.pool).await;
    match row {
        Ok(Some(user)) => Json(user).into_response(),
        Ok(None) => StatusCode::NOT_FOUND.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}
