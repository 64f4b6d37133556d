//! Who may call the API from a browser page on another site.
//!
//! The public read routes answer CORS for the origins listed with `--cors-origin`, and
//! refuse outright (403) a request whose `Origin` is neither listed nor the server itself,
//! so an unlisted site's page gets nothing — not even a recorded search. Admin routes never
//! answer cross-origin: a request carrying a foreign `Origin` is refused before it is read.

use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::cors::{AllowOrigin, CorsLayer};

use crate::error::ApiError;
use crate::state::AppState;

/// `https://Example.org:443/` → `https://example.org` (how browsers send `Origin`).
pub fn normalize_origin(o: &str) -> String {
    let o = o.trim().trim_end_matches('/').to_ascii_lowercase();
    for (scheme, port) in [("https://", ":443"), ("http://", ":80")] {
        if let Some(rest) = o.strip_prefix(scheme) {
            if let Some(host) = rest.strip_suffix(port) {
                return format!("{scheme}{host}");
            }
        }
    }
    o
}

/// The CORS layer of the public read routes.
pub fn layer(origins: &[String]) -> CorsLayer {
    let list: Vec<HeaderValue> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(&normalize_origin(o)).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(list))
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::CONTENT_TYPE])
        .max_age(Duration::from_secs(600))
}

/// True when `Origin` names this server itself (same scheme-less host and port as `Host`).
fn same_origin(headers: &HeaderMap, origin: &str) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|h| h.to_str().ok()) else {
        return false;
    };
    let host = host.to_ascii_lowercase();
    let o = normalize_origin(origin);
    let o_host = o
        .strip_prefix("http://")
        .or_else(|| o.strip_prefix("https://"))
        .unwrap_or(&o);
    o_host == host
        || normalize_origin(&format!("http://{host}")) == o
        || normalize_origin(&format!("https://{host}")) == o
}

fn origin_of(headers: &HeaderMap) -> Option<String> {
    headers
        .get(header::ORIGIN)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

fn refused(message: &str) -> Response {
    ApiError::new(StatusCode::FORBIDDEN, "origin_not_allowed", message).into_response()
}

/// Public routes: a foreign origin must be on the list.
pub async fn public_guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    if let Some(origin) = origin_of(req.headers()) {
        let listed = state
            .config
            .cors_origins
            .iter()
            .any(|o| normalize_origin(o) == normalize_origin(&origin));
        if !listed && !same_origin(req.headers(), &origin) {
            return refused("this site is not allowed to call the search API (see --cors-origin)");
        }
    }
    next.run(req).await
}

/// Admin routes: same origin or no browser at all.
pub async fn admin_guard(req: Request, next: Next) -> Response {
    if let Some(origin) = origin_of(req.headers()) {
        if !same_origin(req.headers(), &origin) {
            return refused("admin endpoints do not answer cross-origin requests");
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_compare_as_browsers_send_them() {
        assert_eq!(
            normalize_origin("https://Example.org:443/"),
            "https://example.org"
        );
        assert_eq!(
            normalize_origin("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        let mut h = HeaderMap::new();
        h.insert(header::HOST, HeaderValue::from_static("127.0.0.1:8080"));
        assert!(same_origin(&h, "http://127.0.0.1:8080"));
        assert!(!same_origin(&h, "http://127.0.0.1:9090"));
        assert!(!same_origin(&h, "null"));
        h.insert(header::HOST, HeaderValue::from_static("search.example.org"));
        assert!(same_origin(&h, "https://search.example.org"));
        assert!(!same_origin(&h, "https://evil.example.org"));
    }
}
