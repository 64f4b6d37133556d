//! `GET /api/search`: ranked documents with their best passages and facet counts.
//!
//! Each search is recorded for the analytics unless it is marked `typing=1`: the widget and
//! the page's instant results mark the requests they send per keystroke, and send the query
//! once more, unmarked, when the typing settles, so a query is counted once, not per letter.
//! Answers are kept in the cache of recent answers (`results.rs`); a repeated search is
//! answered from it, and still counted.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use polsearch_core::{SearchRequest, SearchResponse};
use serde::Serialize;

use crate::analytics::Event;
use crate::error::ApiError;
use crate::params::{search_request, Params};
use crate::results::Answer;
use crate::routes::blocking;
use crate::state::AppState;

/// The search response plus a spelling correction when some query words are unknown.
#[derive(Serialize)]
pub struct ApiSearch {
    #[serde(flatten)]
    pub resp: SearchResponse,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub did_you_mean: Option<String>,
}

/// Tells whether an answer came from the cache of recent answers (`hit`) or was computed.
pub const CACHE_HEADER: &str = "x-polsearch-cache";

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(raw.as_deref());
    let req = search_request(&params)?;
    let typing = params.flag("typing");
    let searcher = state.searcher();
    // The index's segments with their deletions, and the request as parsed (so the same
    // search written two ways is one entry).
    let key = format!(
        "{:?} {req:?} typing={typing}",
        searcher.generation().segments()
    );
    if let Some(hit) = state.results.get(&key) {
        record(&state, &req, typing, hit.total, hit.took_ms);
        return Ok(json_bytes(hit.body.clone(), "hit"));
    }
    let st = state.clone();
    let (mut resp, did_you_mean, req) = blocking(move || {
        let resp = polsearch_core::search(&st.store, &searcher, &req)?;
        // Corrections are for people reading results, not for each keystroke.
        let fix = if typing {
            None
        } else {
            crate::routes::suggest::did_you_mean(&st, &req.query)
        };
        Ok((resp, fix, req))
    })
    .await?;
    label_facets(&state, &mut resp);
    record(&state, &req, typing, resp.total as u64, resp.took_ms);
    let (total, took_ms) = (resp.total as u64, resp.took_ms);
    let body = Bytes::from(
        serde_json::to_vec(&ApiSearch { resp, did_you_mean }).map_err(ApiError::internal)?,
    );
    state.results.put(
        key,
        Arc::new(Answer {
            body: body.clone(),
            total,
            took_ms,
        }),
    );
    Ok(json_bytes(body, "miss"))
}

/// Records a search for the analytics, unless it was sent per keystroke.
fn record(state: &AppState, req: &SearchRequest, typing: bool, total: u64, took_ms: f64) {
    if typing {
        return;
    }
    if let Some(a) = &state.analytics {
        a.record(Event::new(&req.query, filters_of(req), total, took_ms));
    }
}

fn json_bytes(body: Bytes, cache: &'static str) -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                HeaderName::from_static(CACHE_HEADER),
                HeaderValue::from_static(cache),
            ),
        ],
        body,
    )
        .into_response()
}

/// `dimension:value` of each filter of a request, as the analytics count them.
pub fn filters_of(req: &polsearch_core::SearchRequest) -> Vec<String> {
    let mut out = Vec::new();
    out.extend(req.topics.iter().map(|v| format!("topic:{v}")));
    out.extend(req.types.iter().map(|v| format!("type:{v}")));
    out.extend(req.languages.iter().map(|v| format!("lang:{v}")));
    out.extend(req.places.iter().map(|v| format!("place:{v}")));
    if let Some(y) = req.year_min {
        out.push(format!("year_min:{y}"));
    }
    if let Some(y) = req.year_max {
        out.push(format!("year_max:{y}"));
    }
    out
}

/// Adds the display label to each facet value that has one (topics and types, languages).
fn label_facets(state: &AppState, resp: &mut SearchResponse) {
    let labels = &state.config.labels;
    let f = &mut resp.facets;
    for (dim, list) in [
        ("topic", &mut f.topic),
        ("type", &mut f.doc_type),
        ("language", &mut f.language),
    ] {
        for c in list.iter_mut() {
            c.label = Some(labels.value(dim, &c.value));
        }
    }
}
