//! Security headers every response carries unless its handler chose its own: `nosniff`
//! (so a JSON error or a corpus file is never sniffed into HTML or script), a referrer
//! policy, and a frame policy (nothing of this server is framed by another site).
//!
//! No `Cross-Origin-Resource-Policy` here: `widget.js` is loaded by `<script>` tags on
//! other sites and must stay loadable there. The page's own Content-Security-Policy is set
//! with the page (`page::html_response`), where it is known what the page needs.

use axum::http::{header, HeaderValue};
use axum::response::Response;

/// Adds each header the response does not already have.
pub async fn defaults(mut resp: Response) -> Response {
    let h = resp.headers_mut();
    for (name, value) in [
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "same-origin"),
        (header::X_FRAME_OPTIONS, "SAMEORIGIN"),
    ] {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    }
    resp
}
