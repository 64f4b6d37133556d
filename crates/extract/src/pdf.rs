//! PDF extraction: the text of each page, the title, author, date and page count.
//!
//! Two engines, chosen from measurements on real and hostile files (see ARCHITECTURE.md):
//! pdf_oxide gives the best text of the pure-Rust readers, lopdf never panicked or hung on
//! any test file but glues words and drops ligatures. So pdf_oxide reads page text, lopdf
//! reads the Info dictionary and page count, and lopdf's text is the fallback engine the
//! caller asks for when pdf_oxide fails on a file.
//!
//! Both engines can still misbehave on damaged input in ways a thread cannot survive
//! (stack overflow, runaway allocation, endless loops), so callers run this in a child
//! process with time and memory limits; panics are caught here per document and per page.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::OnceLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::model::{ExtractedDoc, Section};
use crate::normalize::{collapse_whitespace, normalize_keep_lines, normalize_text};
use crate::{ExtractError, Result};

/// Which library reads the page text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PdfEngine {
    /// pdf_oxide: the primary engine.
    Oxide,
    /// lopdf: the fallback, for files pdf_oxide cannot open or crashes on.
    Lopdf,
}

impl PdfEngine {
    pub fn as_str(self) -> &'static str {
        match self {
            PdfEngine::Oxide => "oxide",
            PdfEngine::Lopdf => "lopdf",
        }
    }

    pub fn parse(s: &str) -> Option<PdfEngine> {
        match s {
            "oxide" => Some(PdfEngine::Oxide),
            "lopdf" => Some(PdfEngine::Lopdf),
            _ => None,
        }
    }
}

/// A document needs at least this many letters in all to count as having a text layer;
/// scans often carry a stray page number or stamp.
const MIN_LETTERS_FOR_TEXT: usize = 40;
/// Decompressed stream cap for lopdf text extraction: bombs stop here, not at the OS limit.
const LOPDF_MAX_DECOMPRESSED: usize = 256 * 1024 * 1024;

/// Extracts a PDF held in memory with the given engine.
///
/// pdf_oxide keeps process-wide caches of parsed fonts and CMaps, shared across the
/// documents a process reads and keyed by a hash of what it parsed; they are emptied first,
/// so that what one document yields never depends on (or is poisoned by) another one read
/// before it in the same worker.
pub fn extract_pdf(bytes: &[u8], engine: PdfEngine) -> Result<ExtractedDoc> {
    if !looks_like_pdf(bytes) {
        return Err(ExtractError::PdfOpen("no %PDF header".into()));
    }
    pdf_oxide::fonts::global_cache::clear_global_font_cache();
    pdf_oxide::fonts::cmap::clear_cmap_cache();
    let meta = read_metadata(bytes);
    let mut doc = ExtractedDoc::default();
    if let Some(w) = &meta.warning {
        doc.warnings.push(w.clone());
    }
    let pages = match engine {
        PdfEngine::Oxide => oxide_pages(bytes, &mut doc.warnings)?,
        PdfEngine::Lopdf => lopdf_pages(bytes, &mut doc.warnings)?,
    };
    doc.page_count = Some(pages.texts.len() as u32);
    if let Some(n) = meta.page_count {
        if n as usize != pages.texts.len() {
            doc.warnings.push(format!(
                "page count differs: catalog says {n}, text engine read {}",
                pages.texts.len()
            ));
        }
    }
    doc.sections = pages
        .texts
        .iter()
        .enumerate()
        .map(|(i, raw)| Section {
            page: Some(i as u32 + 1),
            anchor: None,
            heading: None,
            text: normalize_text(raw),
        })
        .collect();
    let letters: usize = doc
        .sections
        .iter()
        .map(|s| s.text.chars().filter(|c| c.is_alphabetic()).count())
        .sum();
    doc.has_text = letters >= MIN_LETTERS_FOR_TEXT;

    let author = meta.author.clone().unwrap_or_default();
    let candidates: Vec<String> = [
        meta.title.clone(),
        xmp_title(bytes),
        pages.cover_title.clone(),
    ]
    .into_iter()
    .flatten()
    .chain(first_lines(pages.texts.first().map(String::as_str)))
    .map(|t| cut_at_rule(&t))
    .collect();
    // The first candidate that reads as a title; else the first that is at least not junk.
    doc.title = candidates
        .iter()
        .find(|t| reads_as_title(t, &author))
        .or_else(|| candidates.iter().find(|t| is_meaningful_title(t)))
        .cloned()
        .unwrap_or_default();
    doc.author = meta.author.filter(|a| !a.is_empty());
    doc.date = meta.date;
    if !doc.has_text {
        doc.warnings
            .push("no text layer (scanned or image-only PDF)".into());
    }
    Ok(doc)
}

/// True when the bytes start (within the first KiB, as readers allow) with `%PDF-`.
pub fn looks_like_pdf(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(1024)];
    head.windows(5).any(|w| w == b"%PDF-")
}

#[derive(Default)]
struct PdfMeta {
    title: Option<String>,
    author: Option<String>,
    date: Option<String>,
    page_count: Option<u32>,
    warning: Option<String>,
}

fn read_metadata(bytes: &[u8]) -> PdfMeta {
    let loaded = catch_unwind(AssertUnwindSafe(|| {
        lopdf::Document::load_metadata_mem(bytes)
    }));
    match loaded {
        Ok(Ok(m)) => PdfMeta {
            title: m.title.map(|t| normalize_text(&t)),
            author: m.author.map(|a| normalize_text(&a)),
            date: m
                .creation_date
                .as_deref()
                .and_then(parse_pdf_date)
                .or_else(|| m.modification_date.as_deref().and_then(parse_pdf_date)),
            page_count: Some(m.page_count),
            warning: None,
        },
        Ok(Err(e)) => PdfMeta {
            warning: Some(format!("metadata unreadable: {e}")),
            ..PdfMeta::default()
        },
        Err(p) => PdfMeta {
            warning: Some(format!("metadata reader panicked: {}", panic_message(&p))),
            ..PdfMeta::default()
        },
    }
}

struct PageTexts {
    texts: Vec<String>,
    cover_title: Option<String>,
}

fn oxide_pages(bytes: &[u8], warnings: &mut Vec<String>) -> Result<PageTexts> {
    let opened = catch_unwind(AssertUnwindSafe(|| {
        pdf_oxide::PdfDocument::from_bytes(bytes.to_vec())
    }));
    let doc = match opened {
        Ok(Ok(d)) => d,
        Ok(Err(e)) => return Err(ExtractError::PdfOpen(e.to_string())),
        Err(p) => return Err(ExtractError::Panic(panic_message(&p))),
    };
    let count = match catch_unwind(AssertUnwindSafe(|| doc.page_count())) {
        Ok(Ok(n)) => n,
        Ok(Err(e)) => return Err(ExtractError::PdfOpen(format!("page tree: {e}"))),
        Err(p) => return Err(ExtractError::Panic(panic_message(&p))),
    };
    let mut texts = Vec::with_capacity(count);
    let mut failed = 0usize;
    // `extract_text` turns on table detection, which writes a table's cells out a second
    // time as aligned rows: on the real corpus it cost a sixth of extraction CPU and made the
    // text less like pdftotext's (word F1 0.978 against 0.997 on a table-heavy report).
    let opts = pdf_oxide::converters::ConversionOptions {
        extract_tables: false,
        ..Default::default()
    };
    for i in 0..count {
        match catch_unwind(AssertUnwindSafe(|| doc.extract_text_with_options(i, &opts))) {
            Ok(Ok(t)) => texts.push(t),
            Ok(Err(e)) => {
                failed += 1;
                warnings.push(format!("page {}: {e}", i + 1));
                texts.push(String::new());
            }
            Err(p) => {
                failed += 1;
                warnings.push(format!(
                    "page {}: extractor panicked: {}",
                    i + 1,
                    panic_message(&p)
                ));
                texts.push(String::new());
            }
        }
    }
    if count > 0 && failed == count {
        return Err(ExtractError::PdfText(format!("all {count} pages failed")));
    }
    let cover_title = if count > 0 {
        catch_unwind(AssertUnwindSafe(|| doc.extract_spans(0)))
            .ok()
            .and_then(|r| r.ok())
            .and_then(|spans| largest_text(&spans))
    } else {
        None
    };
    Ok(PageTexts { texts, cover_title })
}

/// The largest-type text on the cover page, top to bottom, when it stands out from body text.
fn largest_text(spans: &[pdf_oxide::layout::TextSpan]) -> Option<String> {
    let sized: Vec<&pdf_oxide::layout::TextSpan> = spans
        .iter()
        .filter(|s| s.font_size.is_finite() && s.text.chars().any(char::is_alphabetic))
        .collect();
    let max = sized.iter().map(|s| s.font_size).fold(0.0f32, f32::max);
    if max <= 0.0 {
        return None;
    }
    // Body text has the most characters; a title must be visibly bigger than it.
    let mut by_size: Vec<(i32, usize)> = Vec::new();
    for s in &sized {
        let key = (s.font_size * 2.0).round() as i32;
        match by_size.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => *n += s.text.len(),
            None => by_size.push((key, s.text.len())),
        }
    }
    let body = by_size
        .iter()
        .max_by_key(|(_, n)| *n)
        .map(|(k, _)| *k as f32 / 2.0)?;
    if max < body * 1.25 {
        return None;
    }
    let mut big: Vec<&&pdf_oxide::layout::TextSpan> =
        sized.iter().filter(|s| s.font_size >= max * 0.85).collect();
    // PDF y grows upward: higher on the page first, then left to right.
    big.sort_by(|a, b| {
        b.bbox
            .y
            .partial_cmp(&a.bbox.y)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(
                a.bbox
                    .x
                    .partial_cmp(&b.bbox.x)
                    .unwrap_or(std::cmp::Ordering::Equal),
            )
    });
    let joined = big
        .iter()
        .map(|s| s.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let title = normalize_text(&joined);
    let title = truncate_chars(&title, 200);
    (!title.is_empty()).then_some(title)
}

fn lopdf_pages(bytes: &[u8], warnings: &mut Vec<String>) -> Result<PageTexts> {
    let loaded = catch_unwind(AssertUnwindSafe(|| lopdf::Document::load_mem(bytes)));
    let doc = match loaded {
        Ok(Ok(d)) => d,
        Ok(Err(lopdf::Error::InvalidPassword)) => return Err(ExtractError::PdfPassword),
        Ok(Err(e)) => return Err(ExtractError::PdfOpen(e.to_string())),
        Err(p) => return Err(ExtractError::Panic(panic_message(&p))),
    };
    if doc.is_encrypted() && doc.encryption_state.is_none() {
        return Err(ExtractError::PdfPassword);
    }
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let mut texts = Vec::with_capacity(pages.len());
    let mut failed = 0usize;
    for n in &pages {
        let r = catch_unwind(AssertUnwindSafe(|| {
            doc.extract_text_with_limit(&[*n], LOPDF_MAX_DECOMPRESSED)
        }));
        match r {
            Ok(Ok(t)) => texts.push(t),
            Ok(Err(e)) => {
                failed += 1;
                warnings.push(format!("page {n}: {e}"));
                texts.push(String::new());
            }
            Err(p) => {
                failed += 1;
                warnings.push(format!(
                    "page {n}: extractor panicked: {}",
                    panic_message(&p)
                ));
                texts.push(String::new());
            }
        }
    }
    if !pages.is_empty() && failed == pages.len() {
        return Err(ExtractError::PdfText(format!(
            "all {} pages failed",
            pages.len()
        )));
    }
    Ok(PageTexts {
        texts,
        cover_title: None,
    })
}

/// Info titles are often file names or tool boilerplate; those are worse than no title.
fn is_meaningful_title(t: &str) -> bool {
    static JUNK: OnceLock<Regex> = OnceLock::new();
    let re = JUNK.get_or_init(|| {
        Regex::new(
            r"(?i)^(untitled|title|document\d*|microsoft word|slide \d+|page \d+|none|unknown|default)\b|\.(docx?|xlsx?|pptx?|indd|pdf|qxd|rtf|txt|tmp)$|^microsoft (word|powerpoint|excel) - |^[\d\W_]+$",
        )
        .expect("static regex")
    });
    let t = t.trim();
    t.chars().filter(|c| c.is_alphabetic()).count() >= 4 && !re.is_match(t)
}

/// The first lines of page 1 that have letters, as title candidates.
fn first_lines(page1: Option<&str>) -> Vec<String> {
    let Some(text) = page1 else {
        return Vec::new();
    };
    normalize_keep_lines(text)
        .lines()
        .map(str::trim)
        .filter(|l| l.chars().filter(|c| c.is_alphabetic()).count() >= 4)
        .take(6)
        .map(|l| truncate_chars(l, 200))
        .collect()
}

/// A candidate up to the first rule of underscores, dashes or dots: text glued on after a
/// separator line is the page, not the title.
fn cut_at_rule(t: &str) -> String {
    static RULE: OnceLock<Regex> = OnceLock::new();
    let re = RULE.get_or_init(|| Regex::new(r"_{3,}|-{4,}|\.{4,}|…{2,}").expect("static regex"));
    match re.find(t) {
        Some(m) => t[..m.start()].trim().to_string(),
        None => t.trim().to_string(),
    }
}

/// Words a cover says that are not the document's title.
const GENERIC_TITLES: &[&str] = &[
    "introduction",
    "contents",
    "table of contents",
    "print",
    "memo",
    "memorandum",
    "technical memo",
    "report",
    "report template",
    "template",
    "draft",
    "cover",
    "executive summary",
    "foreword",
    "preface",
    "acknowledgments",
    "acknowledgements",
];

/// A word as titles are written: capitalized, lower or upper case letters, or a number.
fn clean_word(w: &str) -> bool {
    let w = w.trim_matches(|c: char| {
        matches!(
            c,
            ',' | '.' | ':' | ';' | '!' | '?' | '"' | '\'' | '(' | ')' | '“' | '”' | '‘' | '’'
        )
    });
    let w = w
        .strip_suffix("'s")
        .or_else(|| w.strip_suffix("’s"))
        .unwrap_or(w);
    if w.is_empty() {
        return false;
    }
    if w.chars().all(|c| c.is_ascii_digit()) {
        return w.len() <= 4;
    }
    let parts: Vec<&str> = w.split(['-', '–', '/', '&']).collect();
    parts.iter().all(|p| {
        let mut cs = p.chars();
        match cs.next() {
            None => true,
            Some(first) if first.is_alphabetic() => {
                let rest: Vec<char> = cs.collect();
                rest.iter().all(|c| c.is_lowercase())
                    || rest.iter().all(|c| c.is_uppercase() || c.is_ascii_digit())
            }
            Some(first) => first.is_ascii_digit() && p.chars().all(|c| c.is_ascii_alphanumeric()),
        }
    })
}

/// True when `t` reads as a document's title: mostly real words, at least two of them,
/// neither a generic cover word ("Introduction", "Memo") nor tool residue ("icic-CMYK",
/// "Logo KO_stacked") nor the author's name, which some tools write as the title.
fn reads_as_title(t: &str, author: &str) -> bool {
    let t = t.trim();
    if !is_meaningful_title(t) {
        return false;
    }
    let lower = t.to_lowercase();
    if GENERIC_TITLES.contains(&lower.trim_end_matches(['.', ':'])) {
        return false;
    }
    if t.contains('_')
        || lower.contains("cmyk")
        || lower.contains("logo")
        || lower.ends_with(" document")
    {
        return false;
    }
    // Memo headers and list items open a page without naming it.
    static HEADER: OnceLock<Regex> = OnceLock::new();
    let header = HEADER.get_or_init(|| {
        Regex::new(r"(?i)^(date|to|from|re|subject|cc|attn|page)\s*:|^[•·▪●◦*-]")
            .expect("static regex")
    });
    if header.is_match(t) {
        return false;
    }
    if !author.trim().is_empty() && lower == author.trim().to_lowercase() {
        return false;
    }
    // "Drake, Juwon (Volpe)": a person written last name first.
    static PERSON: OnceLock<Regex> = OnceLock::new();
    let person = PERSON.get_or_init(|| {
        Regex::new(r"^\p{Lu}[\p{L}'-]+, \p{Lu}[\p{L}.'-]+( \p{Lu}\.?)?( \([^)]*\))?$")
            .expect("static regex")
    });
    if person.is_match(t) {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let clean = words.iter().filter(|w| clean_word(w)).count();
    let letters = words
        .iter()
        .filter(|w| clean_word(w) && w.chars().filter(|c| c.is_alphabetic()).count() >= 3)
        .count();
    letters >= 2 && clean * 10 >= words.len() * 7
}

/// `dc:title` from an XMP packet; XMP is stored uncompressed so that tools can find it by
/// scanning, which is what this does (no object parsing needed).
fn xmp_title(bytes: &[u8]) -> Option<String> {
    static TITLE: OnceLock<regex::bytes::Regex> = OnceLock::new();
    let re = TITLE.get_or_init(|| {
        regex::bytes::Regex::new(r"(?s)<dc:title>.{0,400}?<rdf:li[^>]*>([^<]{1,500})</rdf:li>")
            .expect("static regex")
    });
    let caps = re.captures(bytes)?;
    let raw = String::from_utf8_lossy(caps.get(1)?.as_bytes());
    let text = collapse_whitespace(&decode_xml_entities(&raw));
    (!text.is_empty()).then(|| normalize_text(&text))
}

fn decode_xml_entities(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Parses a PDF date (`D:YYYYMMDDHHmmSS+HH'mm'`, every part after the year optional) to
/// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`. The time zone doesn't change the calendar date a
/// reader sees printed, so it is dropped rather than converted.
pub fn parse_pdf_date(s: &str) -> Option<String> {
    let s = s.trim().trim_start_matches("D:");
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .take(8)
        .collect();
    if digits.len() < 4 {
        return None;
    }
    let year: u32 = digits[..4].parse().ok()?;
    if !(1900..=2100).contains(&year) {
        return None;
    }
    let month: Option<u32> = digits
        .get(4..6)
        .and_then(|m| m.parse().ok())
        .filter(|m| (1..=12).contains(m));
    let day: Option<u32> = digits
        .get(6..8)
        .and_then(|d| d.parse().ok())
        .filter(|d| (1..=31).contains(d));
    Some(match (month, day) {
        (Some(m), Some(d)) => format!("{year:04}-{m:02}-{d:02}"),
        (Some(m), None) => format!("{year:04}-{m:02}"),
        _ => format!("{year:04}"),
    })
}

fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => s[..i].trim_end().to_string(),
        None => s.to_string(),
    }
}

/// The message of a caught panic, for the failure report.
pub fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = p.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = p.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pdf_dates_parse() {
        assert_eq!(
            parse_pdf_date("D:20190215093000-05'00'").as_deref(),
            Some("2019-02-15")
        );
        assert_eq!(parse_pdf_date("D:2019").as_deref(), Some("2019"));
        assert_eq!(parse_pdf_date("201903").as_deref(), Some("2019-03"));
        assert_eq!(parse_pdf_date("D:0000"), None);
        assert_eq!(parse_pdf_date("garbage"), None);
    }

    #[test]
    fn titles_must_read_as_titles() {
        for good in [
            "Community Land = Community Resilience: How Community Land Trusts Help",
            "Summary Budget (City of Boston FY18 Operating Budget)",
            "NEW JERSEY'S RISING COASTAL RISK",
            "Ordinance No. 28: An Ordinance Amending the Code",
            "Climate Action Plan 2019-2024",
            "State Preemption of Local Laws",
        ] {
            assert!(reads_as_title(good, ""), "{good}");
        }
        for bad in [
            "/ay'o/aaaa",
            "t*.l\"dffi:rd# #s*",
            "INTRODUCTION",
            "Technical Memo",
            "Print",
            "icic-CMYK",
            "EPIC Logo KO_stacked",
            "Drake, Juwon (Volpe)",
            "RIVERGROVE",
            "Date: August 9, 2024",
            "To: SHRP2 - C10 Tri-Agency Project Implementation Team",
            "• Goal #5: Natural resources",
            "CPY Document",
        ] {
            assert!(!reads_as_title(bad, ""), "{bad}");
        }
        assert!(!reads_as_title("Sara Kelemen", "Sara Kelemen"));
        assert_eq!(
            cut_at_rule("City Council Meeting Minutes August 13, 2018 ______ CALL TO ORDER"),
            "City Council Meeting Minutes August 13, 2018"
        );
        assert!(reads_as_title("Sara Kelemen Reports", "Sara Kelemen"));
    }

    #[test]
    fn junk_titles_rejected() {
        assert!(!is_meaningful_title("Microsoft Word - memo.docx"));
        assert!(!is_meaningful_title("Copy of Plan 2009 SPELLCKD-1.xls"));
        assert!(!is_meaningful_title("untitled"));
        assert!(!is_meaningful_title("12-345"));
        assert!(is_meaningful_title(
            "Water Affordability and Shutoff Protections"
        ));
    }

    #[test]
    fn xmp_title_found() {
        let pdf = b"%PDF-1.7 <x:xmpmeta><dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">Climate &amp; Water Plan</rdf:li></rdf:Alt></dc:title>";
        assert_eq!(xmp_title(pdf).as_deref(), Some("Climate & Water Plan"));
    }

    #[test]
    fn not_a_pdf_is_an_error() {
        assert!(matches!(
            extract_pdf(b"hello", PdfEngine::Oxide),
            Err(ExtractError::PdfOpen(_))
        ));
        assert!(extract_pdf(b"%PDF-1.4 garbage", PdfEngine::Lopdf).is_err());
        assert!(extract_pdf(b"%PDF-1.4 garbage", PdfEngine::Oxide).is_err());
    }
}
