//! The core error type: failures of the index itself, never of user input.
//!
//! Malformed queries are not errors here: query parsing falls back to plain words.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("index error: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error("cannot open index directory {path}: {reason}")]
    OpenDir { path: String, reason: String },
    #[error("index at {path} was built with schema version {found}, this build needs {expected}; re-index into an empty directory")]
    SchemaMismatch {
        path: String,
        found: String,
        expected: String,
    },
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    #[error("snapshot: {0}")]
    Snapshot(String),
}

pub type Result<T, E = CoreError> = std::result::Result<T, E>;
