//! A small writer of simple, valid text PDFs, used for the sample corpus
//! (`make-corpus`) and as a fixture builder in tests.
//!
//! This file owns the public model ([`PdfDoc`], [`PdfPage`], [`Block`]); `layout` places
//! blocks on pages, `encoding` and `glyphs` own the font encoding, and `writer` assembles
//! the file with lopdf.
//!
//! What the output looks like:
//! - US Letter pages (612 × 792 pt) with one-inch margins and a single text column.
//! - Text is set in the standard 14 fonts Helvetica and Helvetica-Bold (not embedded)
//!   with WinAnsiEncoding, so all of Latin-1 and the Windows-1252 extras (curly quotes,
//!   en and em dashes, €) round-trip. U+FB01 'ﬁ' and U+FB02 'ﬂ' are written as the
//!   real ligature glyphs /fi and /fl (codes 129 and 141 through /Differences), and a
//!   /ToUnicode CMap maps every code, ligatures included, to its Unicode value, so text
//!   extractors report the ligature code points as real PDFs do. Tabs and line breaks
//!   become spaces; any other character the fonts lack is written as `?`.
//! - Each line is one `Tj` with real space characters between words.
//! - **Overflow:** text never runs off the bottom of a page. When a [`PdfPage`]'s blocks do
//!   not fit, layout continues on as many further output pages as needed, so the output
//!   can have more pages than [`PdfDoc::pages`]; [`PdfDoc::page_count`] tells how many.
//!   Words are never split: a single word wider than the column runs into the right
//!   margin, and so does a [`Block::Line`] longer than the column.
//! - The Info dictionary is written only when at least one of `info_title`, `author`
//!   and `creation_date` is set, and holds only the fields that are set.
//! - Deterministic: the same [`PdfDoc`] always gives the same bytes (no IDs, no clock).

mod encoding;
mod glyphs;
mod layout;
mod writer;

use std::path::Path;

/// A document to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfDoc {
    /// Info dictionary /Title. Many real PDFs have none; then only the largest text on
    /// page 1 tells the title.
    pub info_title: Option<String>,
    /// Info dictionary /Author.
    pub author: Option<String>,
    /// Info dictionary /CreationDate, written as given: a PDF date string such as
    /// `"D:20210315120000Z"`.
    pub creation_date: Option<String>,
    /// The pages, in order. No pages gives a file with one blank page.
    pub pages: Vec<PdfPage>,
}

/// One page of input. A page with no blocks, or only [`Block::Shape`]s, has no text
/// layer. Blocks that do not fit continue on new output pages.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PdfPage {
    /// What the page shows, top to bottom.
    pub blocks: Vec<Block>,
}

/// A piece of page content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Block {
    /// 24 pt Helvetica-Bold, word-wrapped: the largest text there is, so the title on
    /// page 1 is what title detection finds.
    Title(String),
    /// 14 pt Helvetica-Bold, word-wrapped, kept on the same page as the two lines after it.
    Heading(String),
    /// 11 pt Helvetica, word-wrapped to the column, followed by paragraph spacing.
    Paragraph(String),
    /// 11 pt Helvetica, exactly one line, never wrapped and with no spacing after it, so
    /// consecutive `Line`s read as the lines of one paragraph (e.g. `"infra-"` then
    /// `"structure"` for a hyphenated line break).
    Line(String),
    /// A light gray filled rectangle, 468 × 216 pt, drawn with path operators: graphics
    /// and no text, like a scanned map.
    Shape,
}

impl PdfDoc {
    /// An empty document: no Info fields, no pages.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of pages the output file has: one per [`PdfPage`] plus any
    /// continuation pages for overflowing text, and at least one.
    pub fn page_count(&self) -> usize {
        layout::layout(&self.pages).len().max(1)
    }

    /// The PDF file.
    pub fn to_bytes(&self) -> Vec<u8> {
        writer::write(self, &layout::layout(&self.pages))
    }

    /// Writes the PDF file to `path`, replacing what is there.
    pub fn write_to(&self, path: &Path) -> std::io::Result<()> {
        std::fs::write(path, self.to_bytes())
    }
}
