//! Admin ingest: `POST /api/documents` stores an uploaded file in the corpus and indexes
//! it; `DELETE /api/documents/{id}` removes a document's file and its records (or a file
//! that could not be indexed); `GET /api/failures` lists those files. All need
//! `Authorization: Bearer <POLSEARCH_ADMIN_TOKEN>` and are disabled without a token.
//!
//! The corpus folder stays the source of truth: both changes write or remove files and then
//! run the same incremental indexing as `polsearch index`, one at a time, to the end even
//! when the client hangs up.

use std::path::{Path as FsPath, PathBuf};

use axum::extract::rejection::PathRejection;
use axum::extract::{FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use polsearch_core::documents;
use polsearch_extract::Format;
use polsearch_indexer::{Failure, NoProgress, Summary};
use serde::Serialize;
use subtle::ConstantTimeEq;

use crate::error::ApiError;
use crate::params::Params;
use crate::routes::{blocking, id_param};
use crate::state::AppState;

/// Folder of the corpus that uploads go to.
pub const UPLOAD_DIR: &str = "uploads";

/// Checks the bearer token in constant time.
pub fn authorize(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    check_token(state, given)
}

/// Checks a token however it came (header, or the stats page's form) in constant time.
pub fn check_token(state: &AppState, given: Option<&str>) -> Result<(), ApiError> {
    let Some(expected) = state
        .config
        .admin_token
        .as_deref()
        .filter(|t| !t.is_empty())
    else {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "admin_disabled",
            "admin endpoints are disabled: start the server with POLSEARCH_ADMIN_TOKEN set",
        ));
    };
    match given {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this endpoint needs an Authorization: Bearer <token> header",
        )),
        Some(t) if bool::from(t.as_bytes().ct_eq(expected.as_bytes())) => Ok(()),
        Some(_) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "the admin token is wrong",
        )),
    }
}

/// The file name an upload is stored under: its last path component, with a supported
/// extension, no hidden or control characters.
pub fn safe_name(raw: &str) -> Result<String, ApiError> {
    let name = raw.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let bad = name.is_empty()
        || name.starts_with('.')
        || name.chars().count() > 200
        || name
            .chars()
            .any(|c| c.is_control() || matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'));
    if bad {
        return Err(ApiError::bad_param(
            "filename",
            "the file name is empty, hidden, too long or has characters a file name cannot have",
        ));
    }
    if Format::from_path(FsPath::new(name)).is_none() {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_type",
            "only .pdf, .html, .htm, .md, .txt and .jsonl files can be indexed",
        ));
    }
    Ok(name.to_string())
}

/// The content must be what the name says: a PDF by its header, anything else UTF-8 text.
pub fn check_content(name: &str, bytes: &[u8]) -> Result<(), ApiError> {
    let by_name = Format::from_path(FsPath::new(name));
    let head = &bytes[..bytes.len().min(1024)];
    let by_content = Format::sniff(FsPath::new(name), head);
    let mismatch = |what: &str| {
        Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "content_mismatch",
            format!("the file's content does not match its name: {what}"),
        ))
    };
    if bytes.is_empty() {
        return Err(ApiError::bad_param("file", "the upload is empty"));
    }
    match (by_name, by_content) {
        (Some(Format::Pdf), Some(Format::Pdf)) => Ok(()),
        (Some(Format::Pdf), _) => mismatch("named .pdf but not a PDF"),
        (_, Some(Format::Pdf)) => mismatch("a PDF under another extension"),
        _ if std::str::from_utf8(bytes).is_err() => {
            mismatch("a text format that is not UTF-8 text")
        }
        // NUL is valid UTF-8 but no text file has one: it marks a binary file, or UTF-16
        // text without its byte-order mark, which would be indexed as garbage.
        _ if bytes.contains(&0) => mismatch("a text format with NUL bytes (binary or UTF-16)"),
        _ => Ok(()),
    }
}

struct Upload {
    name: String,
    bytes: Vec<u8>,
}

async fn read_upload(
    headers: &HeaderMap,
    params: &Params,
    req: Request,
    limit: usize,
) -> Result<Upload, ApiError> {
    let too_large = || {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("uploads are limited to {} MB", limit / (1024 * 1024)),
        )
    };
    let is_multipart = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if is_multipart {
        let mut mp = Multipart::from_request(req, &())
            .await
            .map_err(|e| ApiError::bad_param("file", format!("unreadable multipart body: {e}")))?;
        while let Some(field) = mp
            .next_field()
            .await
            .map_err(|e| upload_error(e.status(), e.body_text(), too_large()))?
        {
            let Some(name) = field.file_name().map(str::to_string) else {
                continue;
            };
            let bytes = field
                .bytes()
                .await
                .map_err(|e| upload_error(e.status(), e.body_text(), too_large()))?;
            return Ok(Upload {
                name,
                bytes: bytes.to_vec(),
            });
        }
        return Err(ApiError::bad_param(
            "file",
            "the multipart body has no file field with a filename",
        ));
    }
    let name = params
        .get("filename")
        .map(str::to_string)
        .or_else(|| {
            headers
                .get("x-filename")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .ok_or_else(|| {
            ApiError::bad_param(
                "filename",
                "a raw upload needs ?filename=NAME (or an X-Filename header)",
            )
        })?;
    let bytes = axum::body::to_bytes(req.into_body(), limit)
        .await
        .map_err(|_| too_large())?;
    Ok(Upload {
        name,
        bytes: bytes.to_vec(),
    })
}

fn upload_error(status: StatusCode, text: String, too_large: ApiError) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        too_large
    } else {
        ApiError::bad_param("file", format!("unreadable upload: {text}"))
    }
}

/// Runs incremental indexing of the corpus and makes the result visible to searches.
async fn reindex_now(state: &AppState) -> Result<Summary, ApiError> {
    let _one_at_a_time = state.ingest.lock().await;
    index_and_reload(state).await
}

/// One indexing run and a reader reload; the caller holds the ingest lock.
async fn index_and_reload(state: &AppState) -> Result<Summary, ApiError> {
    let Some(opts) = state.config.reindex.clone() else {
        return Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "indexing_disabled",
            "this server has no corpus folder to index into",
        ));
    };
    let st = state.clone();
    blocking(move || {
        let summary = polsearch_indexer::run(&opts, &NoProgress).map_err(ApiError::internal)?;
        st.reader.reload().map_err(ApiError::internal)?;
        st.set_failures(summary.failed.clone());
        Ok(summary)
    })
    .await
}

/// Runs `work` to its end even if the request that started it is dropped (its client hung
/// up): a change to the corpus is finished and cleaned up, never left half-done. And the
/// ingest lock stays held until indexing is over: had it gone with the dropped request,
/// the next upload would start a second index writer beside the first (a 500).
async fn detached<T, F>(work: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, ApiError>> + Send + 'static,
{
    tokio::spawn(work).await.map_err(ApiError::internal)?
}

#[derive(Serialize)]
pub struct Uploaded {
    pub id: String,
    pub path: String,
    pub title: String,
    pub url: Option<String>,
    pub summary: Summary,
}

pub async fn upload(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    req: Request,
) -> Result<(StatusCode, Json<Uploaded>), ApiError> {
    authorize(&state, &headers)?;
    let root = state
        .corpus_root
        .clone()
        .filter(|r| r.is_dir())
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "indexing_disabled",
                "this server has no corpus folder to store uploads in",
            )
        })?;
    let params = Params::parse(raw.as_deref());
    let upload = read_upload(&headers, &params, req, state.config.max_upload_bytes).await?;
    let name = safe_name(&upload.name)?;
    check_content(&name, &upload.bytes)?;
    let rel = format!("{UPLOAD_DIR}/{name}");
    let target = upload_dir(&root).await?.join(&name);
    let uploaded = detached(ingest(state, target, rel, name, upload.bytes)).await?;
    Ok((StatusCode::CREATED, Json(uploaded)))
}

/// Stores an upload, indexes it and looks it up; a file that cannot be indexed is removed
/// again. Runs detached (see [`detached`]), and under the ingest lock from storing to
/// removing, so two uploads of one name cannot both pass the check for an existing file,
/// and no other run sees a failed upload.
async fn ingest(
    state: AppState,
    target: PathBuf,
    rel: String,
    name: String,
    bytes: Vec<u8>,
) -> Result<Uploaded, ApiError> {
    let one_at_a_time = state.ingest.lock().await;
    store_new_file(&target, &bytes).await?;
    drop(bytes);
    let summary = match index_and_reload(&state).await {
        Ok(s) => s,
        Err(e) => {
            let _ = tokio::fs::remove_file(&target).await;
            return Err(e);
        }
    };
    if let Some(f) = summary.failed.iter().find(|f| f.path == rel) {
        // Nothing half-done: a file that cannot be indexed does not stay in the corpus.
        let error = f.error.clone();
        if tokio::fs::remove_file(&target).await.is_ok() {
            state.forget_failure(&rel);
        }
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "extraction_failed",
            format!("{name} could not be indexed: {error}"),
        ));
    }
    drop(one_at_a_time);
    let st = state.clone();
    let id = rel.clone();
    let hit = blocking(move || {
        let searcher = st.searcher();
        let addr = documents::find(&st.store, &searcher, &id)?;
        Ok(match addr {
            Some(_) => {
                documents::document(&st.store, &searcher, &id, false)?.map(|d| (d.title, d.url))
            }
            None => None,
        })
    })
    .await?;
    let (title, url) = hit.unwrap_or_default();
    Ok(Uploaded {
        id: rel.clone(),
        path: rel,
        title,
        url,
        summary,
    })
}

/// The corpus's upload folder, created if need be, only if it resolves inside the corpus:
/// `uploads` may be a symlink (a deployment's doing), and a file written through one that
/// leads elsewhere would land outside the corpus (and never be indexed, since indexing does
/// not follow symlinks).
async fn upload_dir(root: &FsPath) -> Result<PathBuf, ApiError> {
    let dir = root.join(UPLOAD_DIR);
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(ApiError::internal)?;
    let resolved = tokio::fs::canonicalize(&dir)
        .await
        .map_err(ApiError::internal)?;
    if !resolved.starts_with(root) {
        tracing::warn!(
            "refusing an upload: {} leads outside the corpus, to {}",
            dir.display(),
            resolved.display()
        );
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "outside_corpus",
            "the corpus's uploads folder leads outside the corpus; uploads are refused",
        ));
    }
    Ok(resolved)
}

/// Writes `bytes` to `target` through a hidden temporary file (which indexing skips), so a
/// half-written upload is never indexed; an existing file is a conflict, not overwritten.
async fn store_new_file(target: &PathBuf, bytes: &[u8]) -> Result<(), ApiError> {
    let dir = target.parent().map(FsPath::to_path_buf).unwrap_or_default();
    tokio::fs::create_dir_all(&dir)
        .await
        .map_err(ApiError::internal)?;
    if tokio::fs::try_exists(target).await.unwrap_or(false) {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "exists",
            "a file with this name is already in the corpus; delete its document first",
        ));
    }
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.part", std::process::id()));
    tokio::fs::write(&tmp, bytes)
        .await
        .map_err(ApiError::internal)?;
    tokio::fs::rename(&tmp, target)
        .await
        .map_err(ApiError::internal)
}

#[derive(Serialize)]
pub struct Deleted {
    pub deleted: String,
    pub path: String,
    pub summary: Summary,
}

/// `DELETE /api/documents/{id}`: removes an indexed document's file, or a corpus file that
/// could not be indexed (`id` is then its path, as `GET /api/failures` lists it), and
/// re-indexes.
pub async fn delete(
    State(state): State<AppState>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Deleted>, ApiError> {
    authorize(&state, &headers)?;
    let id = id_param(id)?;
    let st = state.clone();
    let lookup = id.clone();
    let hit = blocking(move || {
        Ok(
            documents::document(&st.store, &st.searcher(), &lookup, false)?
                .map(|d| (d.path, d.source == "jsonl")),
        )
    })
    .await?;
    let (path, jsonl) = match hit {
        Some(found) => found,
        // A file that failed to index has no document, but it is in the corpus and an
        // upload of the same name would be refused as a conflict: it must be removable.
        // (A JSON Lines file's failures are single lines; the file holds other records.)
        None if state.has_failure(&id) => {
            let jsonl = Format::from_path(FsPath::new(&id)) == Some(Format::Jsonl);
            (id.clone(), jsonl)
        }
        None => return Err(ApiError::not_found(format!("no document with id {id:?}"))),
    };
    if jsonl {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_a_file",
            "this document is one record of a JSON Lines file; edit that file instead",
        ));
    }
    let file = state.corpus_file(&path)?;
    let st = state.clone();
    let summary = detached(async move {
        tokio::fs::remove_file(&file)
            .await
            .map_err(ApiError::internal)?;
        reindex_now(&st).await
    })
    .await?;
    Ok(Json(Deleted {
        deleted: id,
        path,
        summary,
    }))
}

/// The corpus's files that could not be indexed in the latest run, and why.
#[derive(Serialize)]
pub struct Failures {
    pub failures: Vec<Failure>,
}

/// `GET /api/failures`: what the latest indexing run could not index.
pub async fn failures(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<Failures>, ApiError> {
    authorize(&state, &headers)?;
    Ok(Json(Failures {
        failures: state.failures(),
    }))
}
