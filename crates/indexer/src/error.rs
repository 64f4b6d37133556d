//! The indexer's error type: failures that stop a run (as opposed to a file that fails,
//! which is recorded in the summary and skipped).

use thiserror::Error;

#[derive(Debug, Error)]
pub enum IndexerError {
    #[error("corpus not found: {0}")]
    CorpusMissing(String),
    #[error("cannot read corpus: {0}")]
    Walk(String),
    #[error(transparent)]
    Core(#[from] polsearch_core::CoreError),
    #[error("index write failed: {0}")]
    Tantivy(#[from] polsearch_core::tantivy::TantivyError),
    #[error(transparent)]
    Topics(#[from] crate::topics::TopicsError),
    #[error("io error: {0}")]
    Io(#[from] std::io::Error),
}

pub type Result<T, E = IndexerError> = std::result::Result<T, E>;
