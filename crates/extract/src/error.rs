//! The extraction error type: why a file yielded no document.

use thiserror::Error;

/// Why extraction of one file failed. Messages are shown to the operator next to the path.
#[derive(Debug, Error)]
pub enum ExtractError {
    #[error("cannot read file: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a PDF this reader can open: {0}")]
    PdfOpen(String),
    #[error("PDF is encrypted with a user password")]
    PdfPassword,
    #[error("PDF text extraction failed: {0}")]
    PdfText(String),
    #[error("extractor panicked: {0}")]
    Panic(String),
    #[error("HTML could not be read: {0}")]
    Html(String),
    #[error("JSON Lines record {line}: {message}")]
    Jsonl { line: usize, message: String },
    #[error("unsupported file type: {0}")]
    Unsupported(String),
}

pub type Result<T, E = ExtractError> = std::result::Result<T, E>;
