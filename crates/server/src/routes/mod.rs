//! The HTTP routes, one module per resource.

pub mod admin;
pub mod documents;
pub mod meta;
pub mod passages;
pub mod search;
pub mod stats;
pub mod suggest;

use axum::extract::rejection::PathRejection;
use axum::extract::Path;

use crate::error::ApiError;

/// Runs index work on the blocking pool, so a slow query never holds an async thread.
pub async fn blocking<T, F>(f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// A document id from the path (percent-decoded), or a 400 when it cannot be decoded.
pub fn id_param(p: Result<Path<String>, PathRejection>) -> Result<String, ApiError> {
    match p {
        Ok(Path(id)) if !id.is_empty() && id.len() <= 4096 => Ok(id),
        Ok(_) => Err(ApiError::bad_param(
            "id",
            "the document id is empty or too long",
        )),
        Err(e) => Err(ApiError::bad_param(
            "id",
            format!("unreadable document id: {e}"),
        )),
    }
}
