//! One document: `GET /api/documents/{id}` (metadata and passages), `GET
//! /documents/{id}/file` (the original file) and `GET /api/related/{id}`.
//!
//! Files are found through the index, never through the path a client sends: the id is
//! looked up, and the stored corpus-relative path must resolve inside the corpus folder.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use polsearch_core::documents::{self, DocumentDetail};
use polsearch_core::Hit;
use serde::Serialize;

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::{blocking, id_param};
use crate::state::AppState;

fn unknown(id: &str) -> ApiError {
    ApiError::not_found(format!(
        "no document with id {:?}",
        id.chars().take(200).collect::<String>()
    ))
}

pub async fn document(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<DocumentDetail>, ApiError> {
    let id = id_param(id)?;
    let full = Params::parse(raw.as_deref()).get("text") == Some("full");
    let detail = blocking(move || {
        documents::document(&state.store, &state.searcher(), &id, full)?.ok_or_else(|| unknown(&id))
    })
    .await?;
    Ok(Json(detail))
}

/// The content type a file is served with, from its extension.
fn content_type(path: &std::path::Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        Some("pdf") => "application/pdf",
        Some("html" | "htm" | "xhtml") => "text/html; charset=utf-8",
        Some("md" | "markdown" | "mdown") => "text/markdown; charset=utf-8",
        Some("jsonl" | "ndjson") => "application/x-ndjson",
        _ => "text/plain; charset=utf-8",
    }
}

pub async fn file(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let id = id_param(id)?;
    let st = state.clone();
    let lookup = id.clone();
    let (path, source) = blocking(move || {
        let detail = documents::document(&st.store, &st.searcher(), &lookup, false)?
            .ok_or_else(|| unknown(&lookup))?;
        Ok((detail.path, detail.source))
    })
    .await?;
    if source == "jsonl" {
        return Err(ApiError::not_found(
            "this document is a record of a JSON Lines file and has no file of its own",
        ));
    }
    let file = state.corpus_file(&path)?;
    let bytes = tokio::fs::read(&file)
        .await
        .map_err(|_| ApiError::not_found("the document's file cannot be read"))?;
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().replace(['"', '\\'], "_"))
        .unwrap_or_default();
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&file)),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // Corpus HTML comes from anywhere: shown in a sandbox, its scripts never run as us.
    // (Not for PDFs: browsers refuse to open their PDF viewer in a sandboxed document.)
    if source != "pdf" {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "sandbox; default-src 'none'; img-src * data:; style-src 'unsafe-inline' *",
            ),
        );
    }
    if let Ok(v) = HeaderValue::from_str(&format!(
        "inline; filename=\"{}\"",
        name.replace(|c: char| !c.is_ascii() || c.is_ascii_control(), "_")
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(resp)
}

#[derive(Serialize)]
pub struct Related {
    pub id: String,
    pub hits: Vec<Hit>,
}

pub async fn related(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Related>, ApiError> {
    let id = id_param(id)?;
    let limit = Params::parse(raw.as_deref())
        .number("limit", 1, 50)?
        .unwrap_or(5) as usize;
    let hits = {
        let id = id.clone();
        blocking(move || {
            documents::related(&state.store, &state.searcher(), &id, limit)?
                .ok_or_else(|| unknown(&id))
        })
        .await?
    };
    Ok(Json(Related { id, hits }))
}
