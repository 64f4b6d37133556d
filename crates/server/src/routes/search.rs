//! `GET /api/search`: ranked documents with their best passages and facet counts.

use axum::extract::{RawQuery, State};
use axum::Json;
use polsearch_core::SearchResponse;

use crate::error::ApiError;
use crate::params::{search_request, Params};
use crate::routes::blocking;
use crate::state::AppState;

pub async fn search(
    State(state): State<AppState>,
    RawQuery(raw): RawQuery,
) -> Result<Json<SearchResponse>, ApiError> {
    let req = search_request(&Params::parse(raw.as_deref()))?;
    let resp = blocking(move || {
        Ok(polsearch_core::search(
            &state.store,
            &state.searcher(),
            &req,
        )?)
    })
    .await?;
    Ok(Json(resp))
}
