//! `/users`: read, list, update, change password, delete.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;
use validator::{Validate, ValidationError};

use super::extract::{UserId, ValidatedJson, ValidatedQuery};
use crate::auth::{Admin, CurrentUser, RequireRole};
use crate::domain::page::{DEFAULT_PER_PAGE, MAX_PAGE, MAX_PER_PAGE, UserQuery, UserSort};
use crate::domain::user::{
    EMAIL_MAX_CHARS, NAME_MAX_CHARS, PASSWORD_MAX_CHARS, PASSWORD_MIN_CHARS, Role, User,
    UserChanges,
};
use crate::problem::Problem;
use crate::problem::openapi::{
    Conflict, Forbidden, NotFound, TooManyRequests, Unauthorized, Unprocessable,
};
use crate::ratelimit::ClientIp;
use crate::services::users::PasswordChange;
use crate::state::AppState;

/// A user as clients see it: never the password hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct UserResponse {
    /// Identifier.
    pub(crate) id: Uuid,
    /// Login email, lower-case.
    #[schema(example = "ann@example.com")]
    pub(crate) email: String,
    /// Display name.
    #[schema(example = "Ann")]
    pub(crate) name: String,
    /// `user` or `admin`.
    pub(crate) role: Role,
    /// Registration time (RFC 3339).
    pub(crate) created_at: DateTime<Utc>,
    /// Last change (RFC 3339).
    pub(crate) updated_at: DateTime<Utc>,
}

impl From<User> for UserResponse {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email,
            name: user.name,
            role: user.role,
            created_at: user.created_at,
            updated_at: user.updated_at,
        }
    }
}

/// Position in a paginated list.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct PageMeta {
    /// Page number, from 1.
    pub(crate) page: u32,
    /// Page size.
    pub(crate) per_page: u32,
    /// Matching users across all pages.
    pub(crate) total: u64,
}

/// One page of users.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(crate) struct UserList {
    /// The users on this page.
    pub(crate) data: Vec<UserResponse>,
    /// Where this page is.
    pub(crate) meta: PageMeta,
}

/// Query parameters of `GET /users`.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListUsersParams {
    /// Page number, from 1 (default 1).
    #[validate(range(min = 1, max = MAX_PAGE, message = "must be between 1 and 1000000"))]
    #[param(minimum = 1, maximum = 1_000_000)]
    pub(crate) page: Option<u32>,
    /// Page size, 1 to 100 (default 20).
    #[validate(range(min = 1, max = MAX_PER_PAGE, message = "must be between 1 and 100"))]
    #[param(minimum = 1, maximum = 100)]
    pub(crate) per_page: Option<u32>,
    /// Sort order: a field, `-` first for descending (default `-created_at`).
    #[validate(custom(function = "valid_sort"))]
    #[param(example = "-created_at", pattern = r"^-?(created_at|updated_at|email|name)$")]
    pub(crate) sort: Option<String>,
    /// Case-insensitive search in email and name.
    #[validate(
        length(min = 1, max = 100, message = "must be 1 to 100 characters"),
        custom(function = "super::text::no_nul")
    )]
    #[param(min_length = 1, max_length = 100, pattern = r"^[^\u0000]*$")]
    pub(crate) q: Option<String>,
}

impl ListUsersParams {
    fn into_query(self) -> UserQuery {
        UserQuery {
            page: self.page.unwrap_or(1),
            per_page: self.per_page.unwrap_or(DEFAULT_PER_PAGE),
            sort: self.sort.as_deref().and_then(UserSort::parse).unwrap_or_default(),
            search: self.q,
        }
    }
}

fn valid_sort(sort: &str) -> Result<(), ValidationError> {
    if UserSort::parse(sort).is_some() {
        return Ok(());
    }
    Err(ValidationError::new("sort")
        .with_message(format!("must be one of {}", UserSort::ACCEPTED).into()))
}

/// Changes to a user; absent fields stay as they are.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct UpdateUserRequest {
    /// New display name, 1 to 100 characters.
    #[validate(length(min = 1, max = NAME_MAX_CHARS, message = "must be 1 to 100 characters"), custom(function = "super::text::valid_name"))]
    #[schema(min_length = 1, max_length = 100, pattern = r"^[^\u0000]*$")]
    pub(crate) name: Option<String>,
    /// New login email.
    #[validate(email(message = "must be a valid email address"), length(max = EMAIL_MAX_CHARS, message = "must be at most 254 characters"))]
    #[schema(format = Email, max_length = 254)]
    pub(crate) email: Option<String>,
    /// New role (administrators only).
    pub(crate) role: Option<Role>,
}

/// A password change.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct ChangePasswordRequest {
    /// The password the user has now.
    #[validate(length(min = 1, max = PASSWORD_MAX_CHARS, message = "must be 1 to 128 characters"))]
    #[schema(min_length = 1, max_length = 128)]
    pub(crate) current_password: String,
    /// The new password, 12 to 128 characters.
    #[validate(length(min = PASSWORD_MIN_CHARS, max = PASSWORD_MAX_CHARS, message = "must be 12 to 128 characters"))]
    #[schema(min_length = 12, max_length = 128)]
    pub(crate) new_password: String,
}

/// The `/users` routes.
pub(crate) fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(list))
        .routes(routes!(get_one, update, delete))
        .routes(routes!(change_password))
}

/// The authenticated user.
#[utoipa::path(get, path = "/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller", body = UserResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
    ))]
async fn me(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
) -> Result<Json<UserResponse>, Problem> {
    Ok(Json(state.users.get(actor, actor.id).await?.into()))
}

/// List users (administrators).
#[utoipa::path(get, path = "/users", tag = "users", params(ListUsersParams), security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of users", body = UserList),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 422, response = Unprocessable),
    ))]
async fn list(
    State(state): State<AppState>,
    RequireRole { actor, .. }: RequireRole<Admin>,
    ValidatedQuery(params): ValidatedQuery<ListUsersParams>,
) -> Result<Json<UserList>, Problem> {
    let query = params.into_query();
    let page = state.users.list(actor, &query).await?;
    let meta = PageMeta { page: query.page, per_page: query.per_page, total: page.total };
    Ok(Json(UserList { data: page.items.into_iter().map(Into::into).collect(), meta }))
}

/// One user (themself, or anyone for administrators).
#[utoipa::path(get, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The user", body = UserResponse),
        (status = 401, response = Unauthorized),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
    ))]
async fn get_one(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    UserId(id): UserId,
) -> Result<Json<UserResponse>, Problem> {
    Ok(Json(state.users.get(actor, id).await?.into()))
}

/// Change name or email (themself or administrators); role (administrators). Demoting the
/// last administrator is a 409.
#[utoipa::path(patch, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "User id")),
    request_body = UpdateUserRequest, security(("bearer" = [])),
    responses(
        (status = 200, description = "The updated user", body = UserResponse),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ))]
async fn update(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    UserId(id): UserId,
    ValidatedJson(request): ValidatedJson<UpdateUserRequest>,
) -> Result<Json<UserResponse>, Problem> {
    let changes = UserChanges { name: request.name, email: request.email, role: request.role };
    Ok(Json(state.users.update(actor, id, changes).await?.into()))
}

/// Change one's own password; ends every session of the user.
#[utoipa::path(put, path = "/users/{id}/password", tag = "users", params(("id" = Uuid, Path, description = "User id")),
    request_body = ChangePasswordRequest, security(("bearer" = [])),
    responses(
        (status = 204, description = "Password changed"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 422, response = Unprocessable),
        (status = 429, response = TooManyRequests),
    ))]
#[expect(clippy::too_many_arguments, reason = "an axum handler takes one argument per extractor")]
async fn change_password(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    UserId(id): UserId,
    ClientIp(client): ClientIp,
    ValidatedJson(request): ValidatedJson<ChangePasswordRequest>,
) -> Result<StatusCode, Problem> {
    let change = PasswordChange {
        current_password: request.current_password,
        new_password: request.new_password,
        client,
    };
    state.users.change_password(actor, id, change).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Delete a user (administrators), with their sessions and avatar. The last administrator
/// cannot be deleted (409).
#[utoipa::path(delete, path = "/users/{id}", tag = "users", params(("id" = Uuid, Path, description = "User id")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 409, response = Conflict),
        (status = 422, response = Unprocessable),
    ))]
async fn delete(
    State(state): State<AppState>,
    CurrentUser(actor): CurrentUser,
    UserId(id): UserId,
) -> Result<StatusCode, Problem> {
    state.users.delete(actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
