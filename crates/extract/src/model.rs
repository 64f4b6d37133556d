//! The extracted document: what every extractor returns and the indexer consumes.
//!
//! Extractors fill in what the file itself says; enrichment (language, topics, places)
//! happens later in the indexer, so these types carry no inferred labels beyond what a
//! source format states explicitly (a JSONL `topics` list, a front-matter `date`).

use serde::{Deserialize, Serialize};

/// Which extractor produced a document, so a reader can tell a PDF page from a section.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Pdf,
    Html,
    Markdown,
    Text,
    Jsonl,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Pdf => "pdf",
            SourceKind::Html => "html",
            SourceKind::Markdown => "markdown",
            SourceKind::Text => "text",
            SourceKind::Jsonl => "jsonl",
        }
    }
}

/// One unit a search result can point at: a PDF page or a document section.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// 1-based PDF page number; `None` for HTML/Markdown/text sections.
    pub page: Option<u32>,
    /// Fragment id (without `#`) of the heading that opens the section, when it has one.
    pub anchor: Option<String>,
    /// The heading text that opens the section, if any.
    pub heading: Option<String>,
    /// Normalized text of the section (see [`crate::normalize`]).
    pub text: String,
}

/// Everything an extractor could read from one file (or one JSONL record).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExtractedDoc {
    /// Best available title; empty if the file has none we could find.
    pub title: String,
    pub author: Option<String>,
    /// Short description (HTML meta description, front matter `description`).
    pub description: Option<String>,
    /// Canonical URL for web pages or an explicit `url` from JSONL.
    pub url: Option<String>,
    /// Publication or creation date as `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Web pages: the latest year and month in the paths of the page's links (`/2018/01/`).
    /// A page is written after what it links to, so this bounds the date of a page that
    /// prints none; only an estimate.
    #[serde(default)]
    pub linked_date: Option<String>,
    /// Document type stated by the source (JSONL `type`); otherwise inferred later.
    pub doc_type: Option<String>,
    /// Topic slugs stated by the source (JSONL `topics`).
    pub topics: Vec<String>,
    /// ISO 639-1 language stated by the source (`<html lang>`, JSONL `language`).
    pub language: Option<String>,
    /// Number of pages for PDFs; `None` for other formats.
    pub page_count: Option<u32>,
    /// False when the file has no text layer (a scanned PDF): indexed by metadata only.
    pub has_text: bool,
    /// Pages or sections in reading order.
    pub sections: Vec<Section>,
    /// Non-fatal problems met while extracting (a page that failed, a fallback used).
    pub warnings: Vec<String>,
}

impl ExtractedDoc {
    /// Total characters of section text.
    pub fn text_len(&self) -> usize {
        self.sections.iter().map(|s| s.text.len()).sum()
    }
}
