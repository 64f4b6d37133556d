//! Document search: ranked documents, each with its best passages and their snippets, plus
//! topic facet counts. The CLI and (later) the HTTP API both call [`search`], so they rank
//! the same way.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::{Count, FacetCollector, TopDocs};
use tantivy::query::{BooleanQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::error::{CoreError, Result};
use crate::query::{document_query, passage_query};
use crate::schema::{Fields, KIND_DOC, KIND_PASSAGE};
use crate::snippet;
use crate::store::Store;

/// Upper bound on `limit`, so one request cannot ask for the whole library.
pub const MAX_LIMIT: usize = 100;
const SNIPPET_CHARS: usize = 220;

/// A search as a user asked for it.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What the user typed; empty browses everything, newest first.
    pub query: String,
    /// Topic slugs or paths (`water`, `water/affordability`); any of them matches.
    pub topics: Vec<String>,
    pub types: Vec<String>,
    pub languages: Vec<String>,
    pub year_min: Option<u64>,
    pub year_max: Option<u64>,
    pub limit: usize,
    pub offset: usize,
    /// How many passages to return per document.
    pub passages: usize,
}

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            topics: Vec::new(),
            types: Vec::new(),
            languages: Vec::new(),
            year_min: None,
            year_max: None,
            limit: 10,
            offset: 0,
            passages: 3,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SearchResponse {
    /// Number of matching documents.
    pub total: usize,
    pub hits: Vec<Hit>,
    /// Document counts per top-level topic for this query and the other filters.
    pub topic_counts: Vec<(String, u64)>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    pub path: String,
    pub url: Option<String>,
    pub doc_type: Option<String>,
    pub year: Option<u64>,
    pub language: String,
    /// Top-level topic slugs.
    pub topics: Vec<String>,
    pub score: f32,
    pub passages: Vec<PassageHit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageHit {
    /// 1-based PDF page; `None` for sections.
    pub page: Option<u64>,
    pub anchor: Option<String>,
    /// Escaped HTML with `<mark>` around matched terms.
    pub snippet: String,
    pub score: f32,
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn topic_facet(t: &str) -> Option<Facet> {
    let t = t.trim().trim_matches('/');
    if t.is_empty() {
        return None;
    }
    Facet::from_text(&format!("/{t}")).ok()
}

/// Filter clauses for the request's facets; `skip_topics` leaves the topic filter out, for
/// counting topics disjunctively (choosing one topic must not hide the others' counts).
fn filters(f: &Fields, req: &SearchRequest, skip_topics: bool) -> Vec<(Occur, Box<dyn Query>)> {
    let mut out: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if !skip_topics && !req.topics.is_empty() {
        let qs = req
            .topics
            .iter()
            .filter_map(|t| topic_facet(t))
            .map(|facet| term_query(Term::from_facet(f.topics, &facet)))
            .collect();
        out.push((Occur::Must, any_of(qs)));
    }
    if !req.types.is_empty() {
        let qs = req
            .types
            .iter()
            .map(|t| term_query(Term::from_field_text(f.doc_type, t)))
            .collect();
        out.push((Occur::Must, any_of(qs)));
    }
    if !req.languages.is_empty() {
        let qs = req
            .languages
            .iter()
            .map(|t| term_query(Term::from_field_text(f.language, t)))
            .collect();
        out.push((Occur::Must, any_of(qs)));
    }
    if req.year_min.is_some() || req.year_max.is_some() {
        let lo = req.year_min.unwrap_or(0);
        let hi = req.year_max.unwrap_or(u64::MAX);
        out.push((
            Occur::Must,
            Box::new(RangeQuery::new(
                std::ops::Bound::Included(Term::from_field_u64(f.year, lo)),
                std::ops::Bound::Included(Term::from_field_u64(f.year, hi)),
            )),
        ));
    }
    out
}

fn doc_query(store: &Store, req: &SearchRequest, skip_topics: bool) -> Box<dyn Query> {
    let f = &store.fields;
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(
        Occur::Must,
        term_query(Term::from_field_text(f.kind, KIND_DOC)),
    )];
    if !req.query.trim().is_empty() {
        clauses.push((Occur::Must, document_query(&store.index, f, &req.query)));
    }
    clauses.extend(filters(f, req, skip_topics));
    Box::new(BooleanQuery::new(clauses))
}

/// Runs a search. The limit is capped at [`MAX_LIMIT`].
pub fn search(store: &Store, searcher: &Searcher, req: &SearchRequest) -> Result<SearchResponse> {
    let f = &store.fields;
    if req
        .year_min
        .zip(req.year_max)
        .is_some_and(|(lo, hi)| lo > hi)
    {
        return Err(CoreError::InvalidRequest(
            "year_min is after year_max".into(),
        ));
    }
    let limit = req.limit.clamp(1, MAX_LIMIT);
    let browse = req.query.trim().is_empty();
    let query = doc_query(store, req, false);
    let window = TopDocs::with_limit(limit).and_offset(req.offset);

    let (addrs, total): (Vec<(f32, DocAddress)>, usize) = if browse {
        let (top, total) = searcher.search(
            &query,
            &(window.order_by_u64_field("year", Order::Desc), Count),
        )?;
        (
            top.into_iter()
                .map(|(y, a)| (y.unwrap_or(0) as f32, a))
                .collect(),
            total,
        )
    } else {
        searcher.search(&query, &(window.order_by_score(), Count))?
    };

    let topic_counts = count_topics(store, searcher, req)?;
    let pquery = (!browse).then(|| passage_query(&store.index, f, &req.query));
    let generators = match &pquery {
        Some(q) => Some(snippet_generators(searcher, f, q.as_ref())?),
        None => None,
    };

    let mut hits = Vec::with_capacity(addrs.len());
    for (score, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let mut hit = hit_from_doc(f, &doc, if browse { 0.0 } else { score });
        hit.passages = match (&pquery, &generators) {
            (Some(q), Some(g)) => {
                best_passages(store, searcher, &hit.id, q.as_ref(), g, req.passages)?
            }
            _ => Vec::new(),
        };
        if hit.passages.is_empty() && req.passages > 0 {
            if let Some(p) = first_passage(store, searcher, &hit.id)? {
                hit.passages.push(p);
            }
        }
        hits.push(hit);
    }
    Ok(SearchResponse {
        total,
        hits,
        topic_counts,
    })
}

fn count_topics(
    store: &Store,
    searcher: &Searcher,
    req: &SearchRequest,
) -> Result<Vec<(String, u64)>> {
    let query = doc_query(store, req, true);
    let mut fc = FacetCollector::for_field("topics");
    fc.add_facet(Facet::root());
    let counts = searcher.search(&query, &fc)?;
    let mut out: Vec<(String, u64)> = counts
        .get(Facet::root())
        .map(|(facet, n)| (facet.to_path().join("/"), n))
        .collect();
    out.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    Ok(out)
}

fn snippet_generators(
    searcher: &Searcher,
    f: &Fields,
    q: &dyn Query,
) -> Result<HashMap<u32, SnippetGenerator>> {
    let mut out = HashMap::new();
    for field in f.body.all() {
        let mut g = SnippetGenerator::create(searcher, q, field)?;
        g.set_max_num_chars(SNIPPET_CHARS);
        out.insert(field.field_id(), g);
    }
    Ok(out)
}

fn best_passages(
    store: &Store,
    searcher: &Searcher,
    id: &str,
    q: &dyn Query,
    generators: &HashMap<u32, SnippetGenerator>,
    n: usize,
) -> Result<Vec<PassageHit>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let f = &store.fields;
    let query = BooleanQuery::new(vec![
        (Occur::Must, q.box_clone()),
        (
            Occur::Must,
            term_query(Term::from_field_text(f.kind, KIND_PASSAGE)),
        ),
        (Occur::Must, term_query(Term::from_field_text(f.id, id))),
    ]);
    let top = searcher.search(&query, &TopDocs::with_limit(n).order_by_score())?;
    let mut out = Vec::with_capacity(top.len());
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let (text, field) = passage_text(f, &doc);
        let snippet = generators
            .get(&field)
            .and_then(|g| snippet::render(&g.snippet(&text)))
            .unwrap_or_else(|| snippet::lead(&text, SNIPPET_CHARS));
        out.push(PassageHit {
            page: doc.get_first(f.page).and_then(|v| v.as_u64()),
            anchor: doc
                .get_first(f.anchor)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            snippet,
            score,
        });
    }
    Ok(out)
}

/// The document's opening passage, for hits that matched on the title or metadata alone.
fn first_passage(store: &Store, searcher: &Searcher, id: &str) -> Result<Option<PassageHit>> {
    let f = &store.fields;
    let query = BooleanQuery::new(vec![
        (
            Occur::Must,
            term_query(Term::from_field_text(f.kind, KIND_PASSAGE)),
        ),
        (Occur::Must, term_query(Term::from_field_text(f.id, id))),
    ]);
    let top = searcher.search(
        &query,
        &TopDocs::with_limit(1).order_by_u64_field("ord", Order::Asc),
    )?;
    let Some((_, addr)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let (text, _) = passage_text(f, &doc);
    Ok(Some(PassageHit {
        page: doc.get_first(f.page).and_then(|v| v.as_u64()),
        anchor: doc
            .get_first(f.anchor)
            .and_then(|v| v.as_str())
            .map(str::to_string),
        snippet: snippet::lead(&text, SNIPPET_CHARS),
        score: 0.0,
    }))
}

fn passage_text(f: &Fields, doc: &TantivyDocument) -> (String, u32) {
    for field in f.body.all() {
        if let Some(t) = doc.get_first(field).and_then(|v| v.as_str()) {
            return (t.to_string(), field.field_id());
        }
    }
    (String::new(), f.body.en.field_id())
}

fn hit_from_doc(f: &Fields, doc: &TantivyDocument, score: f32) -> Hit {
    let s = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let mut topics: Vec<String> = Vec::new();
    for v in doc.get_all(f.topics) {
        if let Some(path) = v.as_facet().map(crate::schema::facet_path) {
            let top = path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_string();
            if !topics.contains(&top) {
                topics.push(top);
            }
        }
    }
    Hit {
        id: s(f.id).unwrap_or_default(),
        title: s(f.title).unwrap_or_default(),
        path: s(f.path).unwrap_or_default(),
        url: s(f.url),
        doc_type: s(f.doc_type),
        year: doc.get_first(f.year).and_then(|v| v.as_u64()),
        language: s(f.language).unwrap_or_default(),
        topics,
        score,
        passages: Vec::new(),
    }
}

/// Counts documents in the index (not passages).
pub fn document_count(store: &Store, searcher: &Searcher) -> Result<usize> {
    let q = TermQuery::new(
        Term::from_field_text(store.fields.kind, KIND_DOC),
        IndexRecordOption::Basic,
    );
    Ok(searcher.search(&q, &Count)?)
}
