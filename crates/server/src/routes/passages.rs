//! `GET /api/passages`: memo mode, the best passages across the library for a question or a
//! pasted paragraph, each with a citation line.

use axum::extract::{RawQuery, State};
use axum::Json;
use polsearch_core::memo::{search_passages, MemoResponse, MAX_PER_DOCUMENT};

use crate::analytics::Event;
use crate::error::ApiError;
use crate::params::{search_request, Params};
use crate::routes::blocking;
use crate::routes::search::filters_of;
use crate::state::AppState;

pub async fn passages(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<MemoResponse>, ApiError> {
    let params = Params::parse(raw.as_deref());
    let req = search_request(&params)?;
    if req.query.trim().is_empty() {
        return Err(ApiError::bad_param(
            "q",
            "q is required: the question or paragraph to find passages for",
        ));
    }
    let per_document = params
        .number("per_document", 1, MAX_PER_DOCUMENT as u64)?
        .unwrap_or(2) as usize;
    let st = state.clone();
    let (resp, req) = blocking(move || {
        let resp = search_passages(&st.store, &st.searcher(), &req, per_document)?;
        Ok((resp, req))
    })
    .await?;
    if let Some(a) = &state.analytics {
        let mut filters = filters_of(&req);
        filters.push("mode:passages".into());
        a.record(Event::new(
            &req.query,
            filters,
            resp.total as u64,
            resp.took_ms,
        ));
    }
    Ok(Json(resp))
}
