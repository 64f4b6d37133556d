//! Service routes: `GET /healthz`, `GET /metrics`, `GET /api/openapi.json`, and the JSON
//! answers for unknown routes and wrong methods.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::Serialize;

use crate::error::ApiError;
use crate::routes::blocking;
use crate::state::AppState;

/// The API description, written by hand next to the routes it describes.
pub const OPENAPI: &str = include_str!("../openapi.json");

#[derive(Serialize)]
pub struct Health {
    pub status: &'static str,
    pub documents: usize,
}

pub async fn healthz(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    let documents = blocking(move || {
        Ok(polsearch_core::search::document_count(
            &state.store,
            &state.searcher(),
        )?)
    })
    .await?;
    Ok(Json(Health {
        status: "ok",
        documents,
    }))
}

pub async fn metrics(State(state): State<AppState>) -> Result<impl IntoResponse, ApiError> {
    let st = state.clone();
    let (docs, records) = blocking(move || {
        let searcher = st.searcher();
        let docs = polsearch_core::search::document_count(&st.store, &searcher)?;
        Ok((docs, searcher.num_docs()))
    })
    .await?;
    state.metrics.documents.set(docs as i64);
    state.metrics.passages.set(records as i64);
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(),
    ))
}

pub async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

pub async fn not_found() -> ApiError {
    ApiError::not_found("no such route; see /api/openapi.json")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not answer this method; see /api/openapi.json",
    )
}
