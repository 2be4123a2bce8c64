//! `GET /`: a tiny demo page (plain HTML and JavaScript, no build step) to join a room and
//! chat. It takes a token from its form, or from the page's fragment (`/#token=…`).

use axum::http::header;
use axum::response::IntoResponse;

/// The page, compiled into the binary.
const PAGE: &str = include_str!("demo.html");

pub(crate) async fn page() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
            ),
        ],
        PAGE,
    )
}
