//! `/auth`: register, login, refresh and logout.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use validator::Validate;

use super::extract::ValidatedJson;
use super::users::UserResponse;
use crate::auth::CurrentUser;
use crate::domain::user::{
    EMAIL_MAX_CHARS, NAME_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS,
};
use crate::problem::Problem;
use crate::problem::openapi::{
    BadRequest, Conflict, TooManyRequests, Unauthorized, Unprocessable, UnsupportedMediaType,
};
use crate::ratelimit::ClientIp;
use crate::services::auth::{LoginAttempt, Registration, TokenPair};
use crate::state::AppState;

/// A new account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RegisterRequest {
    /// Login email; case does not matter.
    #[validate(email(message = "must be a valid email address"), length(max = EMAIL_MAX_CHARS, message = "must be at most 254 characters"))]
    #[schema(example = "ann@example.com", format = Email, max_length = 254)]
    pub(crate) email: String,
    /// At least 12 and at most 128 characters.
    #[validate(length(min = PASSWORD_MIN_CHARS, max = PASSWORD_MAX_CHARS, message = "must be 12 to 128 characters"))]
    #[schema(example = "correct horse battery staple", min_length = 12, max_length = 128)]
    pub(crate) password: String,
    /// Display name, 1 to 100 characters.
    #[validate(length(min = 1, max = NAME_MAX_CHARS, message = "must be 1 to 100 characters"), custom(function = "super::text::valid_name"))]
    #[schema(example = "Ann", min_length = 1, max_length = 100, pattern = r"^[^\u0000]*$")]
    pub(crate) name: String,
}

/// Credentials.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct LoginRequest {
    /// Login email.
    #[validate(length(min = 1, max = EMAIL_MAX_CHARS, message = "must be 1 to 254 characters"), custom(function = "super::text::no_nul"))]
    #[schema(
        example = "ann@example.com",
        min_length = 1,
        max_length = 254,
        pattern = r"^[^\u0000]*$"
    )]
    pub(crate) email: String,
    /// Password.
    #[validate(length(min = 1, max = PASSWORD_MAX_CHARS, message = "must be 1 to 128 characters"))]
    #[schema(example = "correct horse battery staple", min_length = 1, max_length = 128)]
    pub(crate) password: String,
}

/// A refresh token, to exchange or to revoke.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct RefreshRequest {
    /// The opaque refresh token from login or the last refresh.
    #[validate(length(min = 1, max = 256, message = "must be 1 to 256 characters"))]
    #[schema(min_length = 1, max_length = 256)]
    pub(crate) refresh_token: String,
}

/// Tokens for a session.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct TokenResponse {
    /// JWT for `Authorization: Bearer`.
    pub(crate) access_token: String,
    /// Single-use token for `/auth/refresh`.
    pub(crate) refresh_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub(crate) token_type: String,
    /// Seconds until the access token expires.
    #[schema(example = 900)]
    pub(crate) expires_in: u64,
}

impl From<TokenPair> for TokenResponse {
    fn from(pair: TokenPair) -> Self {
        Self {
            access_token: pair.access_token,
            refresh_token: pair.refresh_token,
            token_type: "Bearer".to_owned(),
            expires_in: pair.expires_in,
        }
    }
}

/// The `/auth` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
}

/// Register a new user.
#[utoipa::path(post, path = "/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered", body = UserResponse,
         headers(("location" = String, description = "URL of the new user"))),
        (status = 400, response = BadRequest),
        (status = 409, response = Conflict),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    ))]
async fn register(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ValidatedJson(request): ValidatedJson<RegisterRequest>,
) -> Result<impl IntoResponse, Problem> {
    let registration = Registration {
        email: request.email,
        password: request.password,
        name: request.name,
        client,
    };
    let user = state.auth.register(registration).await?;
    let location = format!("/api/v1/users/{}", user.id);
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], Json(UserResponse::from(user))))
}

/// Log in with email and password.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in", body = TokenResponse),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    ))]
async fn login(
    State(state): State<AppState>,
    ClientIp(client): ClientIp,
    ValidatedJson(request): ValidatedJson<LoginRequest>,
) -> Result<Json<TokenResponse>, Problem> {
    let attempt = LoginAttempt { email: request.email, password: request.password, client };
    let pair = state.auth.login(&attempt).await?;
    Ok(Json(pair.into()))
}

/// Exchange a refresh token for a new pair; the old one stops working.
#[utoipa::path(post, path = "/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses(
        (status = 200, description = "New token pair", body = TokenResponse),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    ))]
async fn refresh(
    State(state): State<AppState>,
    ValidatedJson(request): ValidatedJson<RefreshRequest>,
) -> Result<Json<TokenResponse>, Problem> {
    let pair = state.auth.refresh(&request.refresh_token).await?;
    Ok(Json(pair.into()))
}

/// Revoke a refresh token.
#[utoipa::path(post, path = "/auth/logout", tag = "auth", request_body = RefreshRequest,
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Logged out"),
        (status = 401, response = Unauthorized),
        (status = 422, response = Unprocessable),
    ))]
async fn logout(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    ValidatedJson(request): ValidatedJson<RefreshRequest>,
) -> Result<StatusCode, Problem> {
    state.auth.logout(actor, &request.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}
