//! File formats the extractors understand, recognised by name and, for PDFs, by content.

use std::path::Path;

use crate::model::SourceKind;

/// A format with an extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Pdf,
    Html,
    Markdown,
    Text,
    Jsonl,
}

impl Format {
    /// The format of a file by its extension; `None` for files the indexer skips.
    pub fn from_path(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "pdf" => Format::Pdf,
            "html" | "htm" | "xhtml" => Format::Html,
            "md" | "markdown" | "mdown" => Format::Markdown,
            "txt" | "text" => Format::Text,
            "jsonl" | "ndjson" => Format::Jsonl,
            _ => return None,
        })
    }

    /// The format an uploaded or renamed file really is: content wins over the name for
    /// PDFs, which are the format that can hurt an extractor.
    pub fn sniff(path: &Path, head: &[u8]) -> Option<Format> {
        if crate::pdf::looks_like_pdf(head) {
            return Some(Format::Pdf);
        }
        match Format::from_path(path) {
            Some(Format::Pdf) => None,
            other => other,
        }
    }

    pub fn kind(self) -> SourceKind {
        match self {
            Format::Pdf => SourceKind::Pdf,
            Format::Html => SourceKind::Html,
            Format::Markdown => SourceKind::Markdown,
            Format::Text => SourceKind::Text,
            Format::Jsonl => SourceKind::Jsonl,
        }
    }
}
