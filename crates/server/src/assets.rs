//! The page's stylesheet and script and the embeddable widget, compiled into the binary so
//! one file is the whole product.

use axum::extract::rejection::PathRejection;
use axum::extract::Path;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;

pub const WIDGET_JS: &[u8] = include_bytes!("../assets/widget.js");
pub const PAGE_CSS: &[u8] = include_bytes!("../assets/page.css");
pub const PAGE_JS: &[u8] = include_bytes!("../assets/page.js");

fn asset(body: &'static [u8], content_type: &'static str) -> Response {
    let mut r = (StatusCode::OK, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Short enough that a deployment's new widget reaches host pages within minutes.
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=300"),
    );
    r
}

/// `GET /widget.js`: loaded by `<script>` tags on other sites.
pub async fn widget() -> Response {
    let mut r = asset(WIDGET_JS, "text/javascript; charset=utf-8");
    // A classic script needs no CORS, but a host page that loads it with
    // `crossorigin` (for integrity checks) must be able to.
    r.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    r
}

/// `GET /assets/{name}`: the search page's own files, by exact name (never a path).
///
/// The name is taken as a `Result` so that a segment that does not decode (`%FF`, an
/// overlong `%C0%AF`) is a JSON 404 like any unknown name, not axum's plain-text 400.
pub async fn page_asset(name: Result<Path<String>, PathRejection>) -> Result<Response, ApiError> {
    let Ok(Path(name)) = name else {
        return Err(ApiError::not_found("no such asset"));
    };
    match name.as_str() {
        "page.css" => Ok(asset(PAGE_CSS, "text/css; charset=utf-8")),
        "page.js" => Ok(asset(PAGE_JS, "text/javascript; charset=utf-8")),
        "widget.js" => Ok(widget().await),
        _ => Err(ApiError::not_found("no such asset")),
    }
}
