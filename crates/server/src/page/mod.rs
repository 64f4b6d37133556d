//! `GET /`: the public search page, rendered on the server so it works without JavaScript.
//! Its URL holds its whole state (`/?q=...&topic=water&page=2`); `&fragment=1` returns only
//! the facets-and-results part, which `assets/page.js` swaps in for instant results.

pub mod labels;
pub mod query;
pub mod render;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::analytics::Event;
use crate::params::Params;
use crate::routes::blocking;
use crate::state::AppState;
use query::PageQuery;
use render::View;

/// Content-Security-Policy of the page: its own styles and script only, nothing inline.
pub const PAGE_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; \
     frame-ancestors 'self'";

pub async fn page(State(state): State<AppState>, RawQuery(raw): RawQuery) -> Response {
    let params = Params::parse(raw.as_deref());
    let fragment = params.flag("fragment");
    let typing = params.flag("typing");
    let query = PageQuery::parse(&params);
    let st = state.clone();
    let q = query.clone();
    let result = blocking(move || {
        let resp = polsearch_core::search(&st.store, &st.searcher(), &q.request())?;
        let did_you_mean = if typing {
            None
        } else {
            crate::routes::suggest::did_you_mean(&st, &q.q)
        };
        Ok((resp, did_you_mean))
    })
    .await;
    let (resp, did_you_mean) = match result {
        Ok(r) => r,
        Err(e) => return error_page(&state, e.status, &e.message),
    };
    if !typing {
        if let Some(a) = &state.analytics {
            let filters = crate::routes::search::filters_of(&query.request());
            a.record(Event::new(
                &query.q,
                filters,
                resp.total as u64,
                resp.took_ms,
            ));
        }
    }
    let view = View {
        query: &query,
        resp: &resp,
        labels: &state.config.labels,
        did_you_mean,
        site_name: &state.config.site_name,
    };
    let markup = if fragment {
        render::layout(&view)
    } else {
        render::page(&view)
    };
    html_response(StatusCode::OK, markup.into_string())
}

/// An HTML answer with the page's security headers.
pub fn html_response(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(PAGE_CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    r
}

/// A plain page for the rare request the page cannot answer (a broken index).
fn error_page(state: &AppState, status: StatusCode, message: &str) -> Response {
    let markup = maud::html! {
        (maud::DOCTYPE)
        html lang="en" {
            (render::head(&format!("Search unavailable — {}", state.config.site_name), false))
            body {
                (render::site_header(&state.config.site_name, ""))
                main id="main" class="wrap" {
                    h1 { "Search is unavailable" }
                    p { (message) }
                    p { a href="/" { "Back to search" } }
                }
            }
        }
    };
    html_response(status, markup.into_string())
}
