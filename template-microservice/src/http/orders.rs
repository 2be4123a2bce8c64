//! `/api/v1/orders`: place an order, read one, list the caller's.

use axum::Router;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Deserialize;
use uuid::Uuid;

use super::extract::{CurrentUser, JsonBody, OrderId, QueryParams, Trace};
use super::problem::Problem;
use crate::domain::order::OrderItem;
use crate::domain::page::{MAX_PER_PAGE, PageRequest};
use crate::error::{AppError, AppResult};
use crate::state::AppState;

/// The body of `POST /api/v1/orders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NewOrder {
    /// What to order.
    pub(crate) items: Vec<OrderItem>,
}

/// The query of `GET /api/v1/orders`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ListQuery {
    /// The page, from 1 (default 1).
    pub(crate) page: Option<u32>,
    /// Orders per page, 1 to 100 (default 20).
    pub(crate) per_page: Option<u32>,
}

impl ListQuery {
    fn validate(&self) -> AppResult<PageRequest> {
        let page = self.page.unwrap_or(1);
        let per_page = self.per_page.unwrap_or(20);
        if page == 0 {
            return Err(AppError::invalid("page", "must be at least 1"));
        }
        if per_page == 0 || per_page > MAX_PER_PAGE {
            return Err(AppError::invalid(
                "per_page",
                format!("must be between 1 and {MAX_PER_PAGE}"),
            ));
        }
        Ok(PageRequest { page, per_page })
    }
}

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/api/v1/orders", get(list).post(create))
        .route("/api/v1/orders/{id}", get(show))
}

/// The user of a valid bearer token, within their limit of orders: checked before the body
/// is read, so a refused request costs no parsing, no reservation and no write.
struct OrderPlacer(Uuid);

impl FromRequestParts<AppState> for OrderPlacer {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let CurrentUser(user) = CurrentUser::from_request_parts(parts, state).await?;
        state.order_limit.check(user).map_err(|retry_after| {
            metrics::counter!("orders_rate_limited_total").increment(1);
            AppError::TooManyRequests { detail: "too many orders: slow down", retry_after }
        })?;
        Ok(Self(user))
    }
}

async fn create(
    axum::extract::State(state): axum::extract::State<AppState>,
    OrderPlacer(user): OrderPlacer,
    Trace(trace): Trace,
    JsonBody(body): JsonBody<NewOrder>,
) -> AppResult<Response> {
    let order = state.orders.place(user, body.items, trace).await?;
    let location = HeaderValue::try_from(format!("/api/v1/orders/{}", order.id))
        .map_err(|error| AppError::Internal(error.into()))?;
    Ok((StatusCode::CREATED, [(header::LOCATION, location)], axum::Json(order)).into_response())
}

async fn show(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentUser(user): CurrentUser,
    OrderId(id): OrderId,
) -> AppResult<Response> {
    Ok(axum::Json(state.orders.get(user, id).await?).into_response())
}

async fn list(
    axum::extract::State(state): axum::extract::State<AppState>,
    CurrentUser(user): CurrentUser,
    QueryParams(query): QueryParams<ListQuery>,
) -> AppResult<Response> {
    let page = query.validate()?;
    Ok(axum::Json(state.orders.list(user, page).await?).into_response())
}
