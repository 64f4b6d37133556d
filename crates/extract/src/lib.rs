//! Bytes to extracted documents: PDF pages, HTML main content, plain text, Markdown and
//! JSON Lines records, all normalized the same way.
//!
//! This crate knows nothing of the index: it returns [`ExtractedDoc`] values and the
//! indexer decides ids, enrichment and storage. It never reads the environment.
//!
//! ```
//! let doc = polsearch_extract::text::extract_markdown(b"# Parking\n\nCities cut minimums.");
//! assert_eq!(doc.title, "Parking");
//! ```

pub mod error;
pub mod format;
pub mod frontmatter;
pub mod html;
pub mod jsonl;
pub mod model;
pub mod normalize;
pub mod pdf;
pub mod text;

pub use error::{ExtractError, Result};
pub use format::Format;
pub use model::{ExtractedDoc, Section, SourceKind};
pub use pdf::PdfEngine;
