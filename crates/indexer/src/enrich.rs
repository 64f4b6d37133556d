//! From an extracted document to an index record: language, topics, type, date, passages.
//!
//! [`enrich`] infers everything the indexer adds to what the extractor read, with the
//! evidence; [`to_record`] turns that into the [`DocRecord`] the index stores. `polsearch
//! inspect` and `polsearch eval-labels` call [`enrich`] too, so what they report is what the
//! index holds.

use polsearch_core::DocRecord;
use polsearch_extract::{ExtractedDoc, SourceKind};

use crate::dates::{self, DateInput};
use crate::doctype::{self, TypeInput};
use crate::language;
use crate::passages::passages_from_sections;
use crate::places;
use crate::topics::{Taxonomy, TopicTags};

/// What enrichment inferred for one document, and why.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Enrichment {
    pub title: String,
    /// ISO 639-1.
    pub language: String,
    /// Document type slug (the source's own, else inferred), if any.
    pub doc_type: Option<String>,
    /// Why that type: the source, or the rules that fired.
    pub type_evidence: Vec<String>,
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Where the date came from ("printed on page 1: ...", "PDF metadata", ...).
    pub date_source: Option<String>,
    pub year: Option<u64>,
    /// Topic facet paths as stored (`/water/affordability`; leaf facets only).
    pub topics: Vec<String>,
    /// The tagger's output with scores and phrases; `None` when the source stated topics.
    pub tags: Option<TopicTags>,
    /// Places the document is substantively about, most mentioned first.
    pub places: Vec<PlaceCount>,
}

/// A place facet value (`City, ST` or `ST`) and how often the document names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlaceCount {
    pub place: String,
    pub mentions: u32,
}

impl Enrichment {
    /// Assigned top-level topic slugs, strongest first (the source's order when it gave them).
    pub fn top_topics(&self) -> Vec<String> {
        match &self.tags {
            Some(t) => t.topics.clone(),
            None => {
                let mut out: Vec<String> = Vec::new();
                for t in &self.topics {
                    let top = t.trim_matches('/').split('/').next().unwrap_or("");
                    if !top.is_empty() && !out.iter().any(|o| o == top) {
                        out.push(top.to_string());
                    }
                }
                out
            }
        }
    }
}

/// Infers language, title, topics, type and date for one document.
pub fn enrich(path: &str, kind: SourceKind, doc: &ExtractedDoc, taxonomy: &Taxonomy) -> Enrichment {
    let language = language::detect(
        doc.sections.iter().map(|s| s.text.as_str()),
        doc.language.as_deref(),
    );
    let title = if doc.title.is_empty() {
        fallback_title(path)
    } else {
        doc.title.clone()
    };
    let (doc_type, type_evidence) = match &doc.doc_type {
        Some(t) => (Some(t.clone()), vec!["stated by the source".to_string()]),
        None => {
            let guess = doctype::infer(&TypeInput {
                kind,
                title: &title,
                path,
                page_count: doc.page_count,
                has_text: doc.has_text,
                sections: &doc.sections,
            });
            (Some(guess.doc_type), guess.evidence)
        }
    };
    let mut topics: Vec<String> = doc
        .topics
        .iter()
        .map(|t| format!("/{}", t.trim_matches('/')))
        .collect();
    let mut tags = None;
    if topics.is_empty() {
        let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
        let mut t = taxonomy.tag(&title, &texts);
        if let Some(ty) = &doc_type {
            taxonomy.apply_type(&mut t, ty);
        }
        // Leaf facets only: a subtopic facet counts for its parent too.
        for top in &t.topics {
            let subs: Vec<&String> = t
                .subtopics
                .iter()
                .filter(|s| s.starts_with(&format!("{top}/")))
                .collect();
            if subs.is_empty() {
                topics.push(format!("/{top}"));
            } else {
                topics.extend(subs.into_iter().map(|s| format!("/{s}")));
            }
        }
        tags = Some(t);
    }
    let (date, date_source) = match dates::infer(&DateInput {
        kind,
        path,
        extracted: doc.date.as_deref(),
        linked: doc.linked_date.as_deref(),
        sections: &doc.sections,
    }) {
        Some(g) => (Some(g.date), Some(g.source)),
        None => (None, None),
    };
    let year = date.as_deref().and_then(year_of);
    let places = {
        let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
        places::find(&title, path, &texts)
    };
    Enrichment {
        title,
        language,
        doc_type,
        type_evidence,
        date,
        date_source,
        year,
        topics,
        tags,
        places,
    }
}

/// Builds the record for one document.
pub fn to_record(
    id: String,
    path: &str,
    kind: SourceKind,
    doc: ExtractedDoc,
    taxonomy: &Taxonomy,
    hash: &str,
) -> DocRecord {
    let e = enrich(path, kind, &doc, taxonomy);
    DocRecord {
        id,
        path: path.to_string(),
        url: doc.url.clone(),
        source: kind.as_str().to_string(),
        title: e.title,
        description: doc.description.clone(),
        doc_type: e.doc_type,
        year: e.year,
        date: e.date,
        language: e.language,
        topics: e.topics,
        places: e.places.into_iter().map(|p| p.place).collect(),
        has_text: doc.has_text,
        pages: doc.page_count.map(u64::from),
        hash: hash.to_string(),
        passages: passages_from_sections(&doc.sections),
    }
}

/// The file name without extension, dashes and underscores as spaces: better than nothing.
fn fallback_title(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    stem.replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn year_of(date: &str) -> Option<u64> {
    date.get(..4)?
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
}
#[cfg(test)]
mod tests {
    use super::*;
    use polsearch_extract::Section;

    #[test]
    fn record_from_markdown_like_doc() {
        let doc = ExtractedDoc {
            title: String::new(),
            date: Some("2021-09-14".into()),
            has_text: true,
            sections: vec![Section {
                text: "Utilities paused water shutoffs and launched a water affordability program with income-based rates for low-income households. Water shutoff moratorium, water bills, arrears forgiveness and water affordability are the subject.".into(),
                ..Section::default()
            }],
            ..ExtractedDoc::default()
        };
        let rec = to_record(
            "md/water_shutoffs.md".into(),
            "md/water_shutoffs.md",
            SourceKind::Markdown,
            doc,
            &Taxonomy::builtin(),
            "h",
        );
        assert_eq!(rec.title, "water shutoffs");
        assert_eq!(rec.year, Some(2021));
        assert_eq!(rec.language, "en");
        assert!(
            rec.topics.iter().any(|t| t.starts_with("/water")),
            "{:?}",
            rec.topics
        );
        assert_eq!(rec.passages.len(), 1);
    }
}
