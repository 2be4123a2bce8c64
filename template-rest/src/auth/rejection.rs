//! [`AuthRejection`]: why a request was refused, answered as an RFC 9457
//! `application/problem+json` document (`type`, `title`, `status`, `detail`), with
//! `WWW-Authenticate: Bearer` on a 401.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

const PROBLEM_JSON: &str = "application/problem+json";

/// Why a request was not authenticated (401) or not allowed (403), answered as problem+json.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{detail}")]
pub struct AuthRejection {
    status: StatusCode,
    detail: &'static str,
}

impl AuthRejection {
    /// 401: no token, or a token that does not verify.
    #[must_use]
    pub fn unauthorized(detail: &'static str) -> Self {
        Self { status: StatusCode::UNAUTHORIZED, detail }
    }

    /// 403: a valid token whose role is not enough.
    #[must_use]
    pub fn forbidden(detail: &'static str) -> Self {
        Self { status: StatusCode::FORBIDDEN, detail }
    }

    /// 401 or 403.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// What went wrong, for a human.
    #[must_use]
    pub fn detail(&self) -> &'static str {
        self.detail
    }
}

/// The RFC 9457 document of a rejection.
#[derive(Serialize)]
struct ProblemBody<'a> {
    #[serde(rename = "type")]
    problem_type: &'a str,
    title: &'a str,
    status: u16,
    detail: &'a str,
}

impl IntoResponse for AuthRejection {
    fn into_response(self) -> Response {
        let body = ProblemBody {
            problem_type: "about:blank",
            title: self.status.canonical_reason().unwrap_or("Error"),
            status: self.status.as_u16(),
            detail: self.detail,
        };
        let mut response = (self.status, axum::Json(body)).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}
