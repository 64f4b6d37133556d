//! Memo mode: the best passages across the whole library for a question or a pasted
//! paragraph, not grouped by document, each with what a staffer needs to cite it
//! (`Title (Year), p. N`).
//!
//! Passages are ranked by their own score; at most `per_document` come from one document,
//! so one long report cannot fill the list.

use std::collections::hash_map::Entry;
use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur};
use tantivy::schema::Value;
use tantivy::{Searcher, TantivyDocument, Term};

use crate::error::{CoreError, Result};
use crate::schema::KIND_DOC;
use crate::search::{
    hit_from_doc, passage_hit, passage_text, record_keys, snippet_generators, term_query, validate,
    Hit, Prepared, RecordKey, SearchRequest, SNIPPET_CHARS,
};
use crate::snippet;
use crate::store::Store;

/// Upper bound on passages per request.
pub const MAX_MEMO_PASSAGES: usize = 50;
/// Upper bound on passages from one document.
pub const MAX_PER_DOCUMENT: usize = 10;

/// One passage ready to cite.
#[derive(Debug, Clone, Serialize)]
pub struct MemoPassage {
    /// The document's id.
    pub id: String,
    pub title: String,
    pub year: Option<u64>,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub language: String,
    /// 1-based PDF page; `None` for sections.
    pub page: Option<u64>,
    pub anchor: Option<String>,
    pub heading: Option<String>,
    /// Escaped HTML with `<mark>` around matched terms.
    pub snippet: String,
    /// Deep link to the page or section.
    pub url: Option<String>,
    pub score: f32,
    /// `Title (Year), p. N`, ready to paste.
    pub citation: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct MemoResponse {
    pub query: String,
    /// Passages matching the query (before the per-document cap).
    pub total: usize,
    pub took_ms: f64,
    pub passages: Vec<MemoPassage>,
}

/// `Title (Year), p. N`; `Title (n.d.), “Heading”` for a dated-less web section.
pub fn citation(
    title: &str,
    year: Option<u64>,
    page: Option<u64>,
    heading: Option<&str>,
) -> String {
    let title = title.trim().trim_end_matches(['.', ':', ';', ',']);
    let title = if title.is_empty() { "Untitled" } else { title };
    let year = year.map_or_else(|| "n.d.".to_string(), |y| y.to_string());
    match (page, heading.map(str::trim).filter(|h| !h.is_empty())) {
        (Some(p), _) => format!("{title} ({year}), p. {p}"),
        (None, Some(h)) if h != title => format!("{title} ({year}), “{h}”"),
        _ => format!("{title} ({year})"),
    }
}

/// The best passages for `req.query` under `req`'s filters; `req.limit` passages at most
/// (capped at [`MAX_MEMO_PASSAGES`]), `per_document` from any one document.
pub fn search_passages(
    store: &Store,
    searcher: &Searcher,
    req: &SearchRequest,
    per_document: usize,
) -> Result<MemoResponse> {
    let started = std::time::Instant::now();
    validate(req)?;
    let limit = req.limit.clamp(1, MAX_MEMO_PASSAGES);
    let per_document = per_document.clamp(1, MAX_PER_DOCUMENT);
    let prepared = Prepared::new(store, searcher, &req.query);
    let Some(query) = prepared.passage_query(store, req) else {
        return Err(CoreError::InvalidRequest(
            "q: memo mode needs a question or a paragraph to search for".into(),
        ));
    };
    // Enough candidates that the per-document cap still leaves `limit` passages.
    let pool = (limit * per_document * 4).max(200);
    let (top, total) = searcher.search(
        query.as_ref(),
        &(TopDocs::with_limit(pool).order_by_score(), Count),
    )?;
    let keys = record_keys(searcher, top.iter().map(|(_, a)| *a))?;
    let generators = snippet_generators(searcher, &store.fields, query.as_ref())?;
    let f = &store.fields;
    let mut per_doc: HashMap<RecordKey, usize> = HashMap::new();
    let mut docs: HashMap<RecordKey, Option<Hit>> = HashMap::new();
    let mut out = Vec::with_capacity(limit);
    for ((score, addr), key) in top.into_iter().zip(keys) {
        if out.len() >= limit {
            break;
        }
        if key == 0 || per_doc.get(&key).copied().unwrap_or(0) >= per_document {
            continue;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        if let Entry::Vacant(e) = docs.entry(key) {
            let id = doc.get_first(f.id).and_then(|v| v.as_str()).unwrap_or("");
            e.insert(document(store, searcher, id)?);
        }
        let Some(Some(hit)) = docs.get(&key) else {
            continue;
        };
        *per_doc.entry(key).or_default() += 1;
        let (text, field) = passage_text(f, &doc);
        let snip = generators
            .get(&field)
            .and_then(|g| g.snippet_html(&text))
            .unwrap_or_else(|| snippet::lead(&text, SNIPPET_CHARS));
        let p = passage_hit(f, hit, &doc, snip, score);
        out.push(MemoPassage {
            citation: citation(&hit.title, hit.year, p.page, p.heading.as_deref()),
            id: hit.id.clone(),
            title: hit.title.clone(),
            year: hit.year,
            doc_type: hit.doc_type.clone(),
            language: hit.language.clone(),
            page: p.page,
            anchor: p.anchor,
            heading: p.heading,
            snippet: p.snippet,
            url: p.url,
            score,
        });
    }
    Ok(MemoResponse {
        query: req.query.clone(),
        total,
        took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        passages: out,
    })
}

/// The document record of `id`, as a hit (metadata only).
fn document(store: &Store, searcher: &Searcher, id: &str) -> Result<Option<Hit>> {
    let f = &store.fields;
    let q = BooleanQuery::new(vec![
        (
            Occur::Must,
            term_query(Term::from_field_text(f.kind, KIND_DOC)),
        ),
        (Occur::Must, term_query(Term::from_field_text(f.id, id))),
    ]);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, addr)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    Ok(Some(hit_from_doc(f, &doc, 0.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn citations_name_title_year_and_page() {
        assert_eq!(
            citation("Water Affordability Brief", Some(2021), Some(3), None),
            "Water Affordability Brief (2021), p. 3"
        );
        assert_eq!(
            citation("Heat Plan:", None, None, Some("Cooling centers")),
            "Heat Plan (n.d.), “Cooling centers”"
        );
        assert_eq!(
            citation("Heat Plan", Some(2020), None, Some("Heat Plan")),
            "Heat Plan (2020)"
        );
        assert_eq!(citation("  ", None, Some(1), None), "Untitled (n.d.), p. 1");
    }
}
