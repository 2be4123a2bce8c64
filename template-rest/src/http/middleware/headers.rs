//! Response headers after the OWASP Secure Headers project, and CORS for configured origins.

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method, header};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::config::HttpConfig;
use crate::state::AppState;

type HeaderLayer = SetResponseHeaderLayer<HeaderValue>;

/// Adds the security headers to every response of `router`, plus HSTS and CORS when
/// configured.
pub fn apply(router: Router<AppState>, config: &HttpConfig) -> Router<AppState> {
    let mut router = router
        .layer(fixed(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(fixed(header::X_FRAME_OPTIONS, "DENY"))
        .layer(fixed(header::CONTENT_SECURITY_POLICY, "frame-ancestors 'none'"))
        .layer(fixed(header::REFERRER_POLICY, "no-referrer"))
        .layer(fixed(header::CACHE_CONTROL, "no-store"));
    if let Some(max_age) = config.hsts_max_age {
        let value = format!("max-age={}; includeSubDomains", max_age.as_secs());
        if let Ok(value) = HeaderValue::from_str(&value) {
            router = router.layer(SetResponseHeaderLayer::overriding(
                header::STRICT_TRANSPORT_SECURITY,
                value,
            ));
        }
    }
    match cors(&config.cors_allowed_origins) {
        Some(cors) => router.layer(cors),
        None => router,
    }
}

/// Sets `name: value` unless the handler set it.
fn fixed(name: HeaderName, value: &'static str) -> HeaderLayer {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// CORS for exactly the configured origins; none configured means no CORS headers at all.
fn cors(origins: &[String]) -> Option<CorsLayer> {
    if origins.is_empty() {
        return None;
    }
    let origins: Vec<HeaderValue> =
        origins.iter().filter_map(|origin| HeaderValue::from_str(origin).ok()).collect();
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([HeaderName::from_static("x-request-id"), header::LOCATION])
            .max_age(std::time::Duration::from_hours(1)),
    )
}
