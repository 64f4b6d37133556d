//! Document search: ranked documents, each with its best passages and their snippets, and
//! disjunctive facet counts. The CLI and the HTTP API both call [`search`], so they rank
//! the same way.
//!
//! Results are documents, never pages: a 200-page briefing book is one hit that carries its
//! best pages. Facet counts count documents too, and each facet's counts reflect the query
//! and every *other* facet's selection, so choosing one topic does not zero the others.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use crate::highlight::Highlighter;
use serde::Serialize;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EnableScoring, Occur, Query, RangeQuery, TermQuery,
    Weight,
};
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::error::{CoreError, Result};
use crate::facet_count::{CountFacets, FacetMaps, FacetTally};
use crate::links;
use crate::query::{document_text_query, exclusions, passage_exclusions, passage_text_query};
use crate::schema::{
    facet_value, Fields, FACET_LANGUAGE, FACET_PLACE, FACET_TYPE, FACET_YEAR, KIND_DOC,
    KIND_PASSAGE,
};
use crate::sideways::Sideways;
use crate::snippet;
use crate::store::Store;
use crate::syntax::{self, ParsedQuery};

/// Upper bound on `limit`, so one request cannot ask for the whole library.
pub const MAX_LIMIT: usize = 100;
/// Upper bound on `offset`: deeper pages cost memory proportional to the offset and nobody
/// reads them.
pub const MAX_OFFSET: usize = 10_000;
/// Upper bound on passages per hit.
pub const MAX_PASSAGES: usize = 10;
pub(crate) const SNIPPET_CHARS: usize = 220;

/// A search as a user asked for it. Within one facet the values are alternatives (OR);
/// across facets all must hold (AND).
#[derive(Debug, Clone)]
pub struct SearchRequest {
    /// What the user typed (see [`crate::syntax`]); empty browses everything, newest first.
    pub query: String,
    /// Topic slugs or paths (`water`, `water/affordability`).
    pub topics: Vec<String>,
    pub types: Vec<String>,
    pub languages: Vec<String>,
    pub places: Vec<String>,
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
            places: Vec::new(),
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
    /// The query as received.
    pub query: String,
    /// Number of matching documents.
    pub total: usize,
    /// Time spent in the search, in milliseconds.
    pub took_ms: f64,
    pub hits: Vec<Hit>,
    pub facets: Facets,
}

/// Document counts per facet value.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Facets {
    /// Top-level topics, plus the subtopics of each selected topic (`water/affordability`).
    pub topic: Vec<FacetCount>,
    #[serde(rename = "type")]
    pub doc_type: Vec<FacetCount>,
    /// Newest first.
    pub year: Vec<FacetCount>,
    pub language: Vec<FacetCount>,
    pub place: Vec<FacetCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
    /// How people read the value (a topic's label); filled in by the caller that knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Hit {
    pub id: String,
    pub title: String,
    /// Corpus-relative path of the source file.
    pub path: String,
    /// The canonical web address, else where the server serves the file; `None` for JSONL
    /// records without an address.
    pub url: Option<String>,
    /// `pdf`, `html`, `markdown`, `text` or `jsonl`.
    pub source: String,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub year: Option<u64>,
    pub language: String,
    /// Top-level topic slugs.
    pub topics: Vec<String>,
    pub places: Vec<String>,
    pub pages: Option<u64>,
    pub score: f32,
    /// The best passage's snippet (or the description's opening when no passage matched).
    pub snippet: Option<String>,
    pub passages: Vec<PassageHit>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageHit {
    /// 1-based PDF page; `None` for sections.
    pub page: Option<u64>,
    pub anchor: Option<String>,
    pub heading: Option<String>,
    /// Escaped HTML with `<mark>` around matched terms.
    pub snippet: String,
    /// Deep link to the page or section.
    pub url: Option<String>,
    pub score: f32,
}

/// One facet dimension a request can select values of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Dim {
    Topic,
    Type,
    Language,
    Year,
    Place,
}

const DIMS: [Dim; 5] = [Dim::Topic, Dim::Type, Dim::Language, Dim::Year, Dim::Place];

impl Dim {
    fn facet_root(self) -> Option<&'static str> {
        match self {
            Dim::Topic => None,
            Dim::Type => Some(FACET_TYPE),
            Dim::Language => Some(FACET_LANGUAGE),
            Dim::Year => Some(FACET_YEAR),
            Dim::Place => Some(FACET_PLACE),
        }
    }

    fn selected(self, req: &SearchRequest) -> bool {
        match self {
            Dim::Topic => !req.topics.is_empty(),
            Dim::Type => !req.types.is_empty(),
            Dim::Language => !req.languages.is_empty(),
            Dim::Year => req.year_min.is_some() || req.year_max.is_some(),
            Dim::Place => !req.places.is_empty(),
        }
    }
}

pub(crate) fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// `water` or `/water/affordability` as a facet; `None` for an empty or unreadable value.
pub fn topic_facet(t: &str) -> Option<Facet> {
    let t = t.trim().trim_matches('/').to_lowercase();
    if t.is_empty() {
        return None;
    }
    Facet::from_text(&format!("/{t}")).ok()
}

fn topic_filter(f: &Fields, topics: &[String]) -> Box<dyn Query> {
    any_of(
        topics
            .iter()
            .filter_map(|t| topic_facet(t))
            .map(|facet| term_query(Term::from_facet(f.topics, &facet)))
            .collect(),
    )
}

fn value_filter(f: &Fields, dim: &str, values: &[String]) -> Box<dyn Query> {
    any_of(
        values
            .iter()
            .map(|v| term_query(Term::from_facet(f.facets, &facet_value(dim, v.trim()))))
            .collect(),
    )
}

fn year_filter(f: &Fields, lo: u64, hi: u64) -> Box<dyn Query> {
    Box::new(RangeQuery::new(
        std::ops::Bound::Included(Term::from_field_u64(f.year, lo)),
        std::ops::Bound::Included(Term::from_field_u64(f.year, hi)),
    ))
}

/// A filter clause: it selects and adds nothing to the score, so a document ranks the same
/// with or without a filter that keeps it (a scoring term query here gave documents with
/// two of the selected topics more than those with one, and the passage pool's scores
/// more weight in a filtered search than in an unfiltered one).
fn filtering(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(ConstScoreQuery::new(q, 0.0))
}

/// The filter of one facet selection of the request (`None` when it is not selected).
fn dim_filter(f: &Fields, req: &SearchRequest, dim: Dim) -> Option<Box<dyn Query>> {
    if !dim.selected(req) {
        return None;
    }
    Some(filtering(match dim {
        Dim::Topic => topic_filter(f, &req.topics),
        Dim::Type => value_filter(f, FACET_TYPE, &req.types),
        Dim::Language => value_filter(f, FACET_LANGUAGE, &req.languages),
        Dim::Place => value_filter(f, FACET_PLACE, &req.places),
        Dim::Year => year_filter(
            f,
            req.year_min.unwrap_or(0),
            req.year_max.unwrap_or(u64::MAX),
        ),
    }))
}

/// Filter clauses of the request's facet selections, leaving out `skip` (for counting that
/// facet disjunctively).
fn request_filters(f: &Fields, req: &SearchRequest, skip: Option<Dim>) -> Vec<Box<dyn Query>> {
    DIMS.into_iter()
        .filter(|d| Some(*d) != skip)
        .filter_map(|d| dim_filter(f, req, d))
        .collect()
}

/// Filters written in the query itself (`topic:water year:2020`): they always apply.
fn query_filters(f: &Fields, q: &ParsedQuery) -> Vec<Box<dyn Query>> {
    let mut out = Vec::new();
    for t in &q.topics {
        out.push(topic_filter(f, std::slice::from_ref(t)));
    }
    if !q.types.is_empty() {
        out.push(value_filter(f, FACET_TYPE, &q.types));
    }
    if !q.languages.is_empty() {
        out.push(value_filter(f, FACET_LANGUAGE, &q.languages));
    }
    for &(lo, hi) in &q.years {
        out.push(year_filter(f, lo, hi));
    }
    out.into_iter().map(filtering).collect()
}

/// The parts of a search that do not depend on which facet is being counted.
pub(crate) struct Prepared {
    pub(crate) parsed: ParsedQuery,
    text: Option<Box<dyn Query>>,
    excluded: Vec<(Occur, Box<dyn Query>)>,
    query_filters: Vec<Box<dyn Query>>,
}

impl Prepared {
    pub(crate) fn new(store: &Store, searcher: &Searcher, text: &str) -> Prepared {
        let mut parsed = syntax::parse(text);
        store.glossary.widen(&mut parsed);
        crate::typos::widen(&store.index, searcher, &store.fields, &mut parsed);
        let f = &store.fields;
        Prepared {
            text: document_text_query(&store.index, f, &parsed),
            excluded: exclusions(&store.index, f, &parsed),
            query_filters: query_filters(f, &parsed),
            parsed,
        }
    }

    fn doc_query(&self, f: &Fields, req: &SearchRequest, skip: Option<Dim>) -> Box<dyn Query> {
        // Only document records have title and whole-text fields, so a text clause alone
        // picks documents; `kind` as well made each search walk the postings of every
        // document, as it did passages' (BENCHMARKS.md, 1M passages). Its score was the
        // same for every document, so rankings do not change.
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = match &self.text {
            Some(t) => vec![(Occur::Must, t.box_clone())],
            None => vec![(
                Occur::Must,
                term_query(Term::from_field_text(f.kind, KIND_DOC)),
            )],
        };
        clauses.extend(self.excluded.iter().map(|(o, q)| (*o, q.box_clone())));
        clauses.extend(
            self.query_filters
                .iter()
                .map(|q| (Occur::Must, q.box_clone())),
        );
        clauses.extend(
            request_filters(f, req, skip)
                .into_iter()
                .map(|q| (Occur::Must, q)),
        );
        Box::new(BooleanQuery::new(clauses))
    }

    /// Passage records matching the query's text, filters and exclusions; `None` for a
    /// query with no text.
    pub(crate) fn passage_query(
        &self,
        store: &Store,
        req: &SearchRequest,
    ) -> Option<Box<dyn Query>> {
        let f = &store.fields;
        let text = passage_text_query(&store.index, f, &self.parsed)?;
        // Only passage records have body and heading text, so the text clause alone picks
        // passages; requiring `kind` as well made every search walk the postings of all
        // passages (BENCHMARKS.md, 1M passages).
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, text)];
        clauses.extend(passage_exclusions(&store.index, f, &self.parsed));
        clauses.extend(
            self.query_filters
                .iter()
                .map(|q| (Occur::Must, q.box_clone())),
        );
        clauses.extend(
            request_filters(f, req, None)
                .into_iter()
                .map(|q| (Occur::Must, q)),
        );
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

/// Checks a request's values; the error names the parameter at fault.
pub fn validate(req: &SearchRequest) -> Result<()> {
    if let (Some(lo), Some(hi)) = (req.year_min, req.year_max) {
        if lo > hi {
            return Err(CoreError::InvalidRequest(format!(
                "year_min ({lo}) is after year_max ({hi})"
            )));
        }
    }
    if req.offset > MAX_OFFSET {
        return Err(CoreError::InvalidRequest(format!(
            "offset must be at most {MAX_OFFSET}"
        )));
    }
    Ok(())
}

/// Runs a search. `limit` is capped at [`MAX_LIMIT`], passages at [`MAX_PASSAGES`].
pub fn search(store: &Store, searcher: &Searcher, req: &SearchRequest) -> Result<SearchResponse> {
    let started = std::time::Instant::now();
    validate(req)?;
    let f = &store.fields;
    let limit = req.limit.clamp(1, MAX_LIMIT);
    let prepared = Prepared::new(store, searcher, &req.query);
    let browse = prepared.text.is_none();
    // One selected dimension (a topic clicked, say) is counted in the ranking pass itself,
    // its filter tested per document (crate::sideways): the search runs without it.
    let (selected, unselected): (Vec<Dim>, Vec<Dim>) =
        DIMS.into_iter().partition(|d| d.selected(req));
    let sideways = match selected.as_slice() {
        [dim] if !browse => Some(*dim),
        _ => None,
    };
    let query = prepared.doc_query(f, req, sideways);

    // Facets of unselected dimensions are counted in the same pass over the matches as
    // the ranking: both visit every matching document anyway.
    let (addrs, total, counted, side, pool) = if browse {
        let window = TopDocs::with_limit(limit).and_offset(req.offset);
        let (top, total, counts) = searcher.search(
            &query,
            &(
                window.order_by_u64_field("year", Order::Desc),
                Count,
                facet_collectors(&store.facet_maps, &unselected, &[]),
            ),
        )?;
        let addrs = top.into_iter().map(|(_, a)| (0.0, a)).collect();
        (addrs, total, Collected::from(counts), None, None)
    } else {
        let sideways = match sideways.and_then(|d| Some((d, dim_filter(f, req, d)?))) {
            Some((dim, filter)) => Some((
                dim,
                filter.weight(EnableScoring::disabled_from_searcher(searcher))?,
            )),
            None => None,
        };
        let depth = RERANK_DEPTH.max(req.offset + limit);
        let pool = || {
            prepared
                .passage_query(store, req)
                .map(|q| PassagePool::search(searcher, q))
                .transpose()
        };
        let documents = || {
            let maps = &store.facet_maps;
            document_pass(
                searcher,
                maps,
                req,
                query.as_ref(),
                depth,
                &unselected,
                sideways,
            )
        };
        // The two passes are independent; on a large library each takes milliseconds, far
        // more than handing one to another core.
        let (pool, documents) = if searcher.num_docs() >= PARALLEL_RECORDS {
            rayon::join(pool, documents)
        } else {
            (pool(), documents())
        };
        let (pool, (top, total, counted, side)) = (pool?, documents?);
        let addrs = reranked(searcher, req, top, limit, pool.as_ref())?;
        (addrs, total, counted, side, pool)
    };

    let facets = count_facets(store, searcher, &prepared, req, &unselected, &counted, side)?;
    let pquery = passage_text_query(&store.index, f, &prepared.parsed);
    let generators = match &pquery {
        Some(q) => Some(snippet_generators(searcher, f, q.as_ref())?),
        None => None,
    };
    let n_passages = req.passages.min(MAX_PASSAGES);

    let mut hits = Vec::with_capacity(addrs.len());
    for (score, addr) in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let mut hit = hit_from_doc(f, &doc, score);
        if let (Some(pool), Some(g)) = (&pool, &generators) {
            hit.passages = best_passages(store, searcher, &hit, pool, g, n_passages)?;
        }
        if hit.passages.is_empty() && n_passages > 0 {
            if let Some(p) = first_passage(store, searcher, &hit)? {
                hit.passages.push(p);
            }
        }
        hit.snippet = hit.passages.first().map(|p| p.snippet.clone()).or_else(|| {
            doc.get_first(f.description)
                .and_then(|v| v.as_str())
                .map(|d| snippet::lead(d, SNIPPET_CHARS))
        });
        hits.push(hit);
    }
    Ok(SearchResponse {
        query: req.query.clone(),
        total,
        took_ms: (started.elapsed().as_secs_f64() * 1e5).round() / 100.0,
        hits,
        facets,
    })
}

/// Records above which a search runs its passage pool and its document pass on two threads:
/// there each takes milliseconds (at 1M passages, 20 ms each for a phrase), against tens of
/// microseconds to hand one over, which on a small library would be a few percent of a
/// search well under a millisecond.
const PARALLEL_RECORDS: u64 = 100_000;

/// How many of the best documents by document-level score are re-ranked by their
/// passages; deeper pages keep the document-level order.
const RERANK_DEPTH: usize = 100;
/// Passages read to find each document's best ones.
const PASSAGE_POOL: usize = 2_000;
/// Weight of a document's best passage score, added to its document-level score. Measured
/// (BENCHMARKS.md): best passage ×2 and second ×0.5 lift policy-dev nDCG@10 from 0.786 to
/// 0.816 with Cranfield unchanged; the document score alone lets long documents win.
const BEST_PASSAGE_WEIGHT: f32 = 2.0;
const SECOND_PASSAGE_WEIGHT: f32 = 0.5;

/// The best passages of the whole library for a query: what ranks documents by their best
/// passages and, for the documents shown, what their passages are drawn from.
struct PassagePool {
    query: Box<dyn Query>,
    /// Each document's passages in the pool, best first.
    by_doc: HashMap<RecordKey, Vec<(f32, DocAddress)>>,
    /// The pool holds every matching passage (fewer matched than it has room for).
    complete: bool,
}

impl PassagePool {
    fn search(searcher: &Searcher, query: Box<dyn Query>) -> Result<PassagePool> {
        let top = searcher.search(
            query.as_ref(),
            &TopDocs::with_limit(PASSAGE_POOL).order_by_score(),
        )?;
        let complete = top.len() < PASSAGE_POOL;
        let ids = record_keys(searcher, top.iter().map(|(_, a)| *a))?;
        let mut by_doc: HashMap<RecordKey, Vec<(f32, DocAddress)>> = HashMap::new();
        for (hit, id) in top.into_iter().zip(ids) {
            if id != 0 {
                by_doc.entry(id).or_default().push(hit);
            }
        }
        Ok(PassagePool {
            query,
            by_doc,
            complete,
        })
    }

    /// The best two passage scores of a document.
    fn best_two(&self, key: RecordKey) -> (f32, f32) {
        let scores = self.by_doc.get(&key).map(Vec::as_slice).unwrap_or_default();
        let at = |i: usize| scores.get(i).map_or(0.0, |(s, _)| *s);
        (at(0), at(1))
    }

    /// Up to `want` of a document's best passages, best first. The pool's own are exact
    /// (any passage outside the pool scores below all of them); only when it holds too few
    /// and may be missing some is the document searched on its own, with the same query so
    /// that scores compare.
    fn of_doc(
        &self,
        searcher: &Searcher,
        f: &Fields,
        id: &str,
        want: usize,
    ) -> Result<Vec<(f32, DocAddress)>> {
        let key = crate::schema::record_key(id);
        let pooled = self.by_doc.get(&key).cloned().unwrap_or_default();
        if pooled.len() >= want || self.complete {
            return Ok(pooled);
        }
        // The id clause only selects: boosted to zero it adds nothing to the scores.
        let only_this: Box<dyn Query> = Box::new(BoostQuery::new(
            term_query(Term::from_field_text(f.id, id)),
            0.0,
        ));
        let query = BooleanQuery::new(vec![
            (Occur::Must, self.query.box_clone()),
            (Occur::Must, only_this),
        ]);
        Ok(searcher.search(&query, &TopDocs::with_limit(want).order_by_score())?)
    }
}

/// The best documents by document-level score, how many matched in all, the facet counts
/// of the matches, and the counts of the dimension counted sideways.
type DocPass = (
    Vec<(f32, DocAddress)>,
    usize,
    Collected,
    Option<(Dim, Collected)>,
);

/// The document-level pass: the best `depth` documents by document-level score (title and
/// whole text), how many matched, and the facets of `unselected` over the same matches;
/// with `sideways`, also the dimension whose filter `query` leaves out, counted over every
/// match while only the matches that pass its filter are ranked and counted.
fn document_pass(
    searcher: &Searcher,
    maps: &Arc<FacetMaps>,
    req: &SearchRequest,
    query: &dyn Query,
    depth: usize,
    unselected: &[Dim],
    sideways: Option<(Dim, Box<dyn Weight>)>,
) -> Result<DocPass> {
    let main = (
        TopDocs::with_limit(depth).order_by_score(),
        Count,
        facet_collectors(maps, unselected, &[]),
    );
    let ((top, total, counts), side) = match sideways {
        Some((dim, filter)) => {
            let subtopics = sideways_subtopics(req, dim);
            let side = facet_collectors(maps, &[dim], &subtopics);
            let (main, side) = searcher.search(query, &Sideways::new(filter, main, side))?;
            (main, Some((dim, Collected::from(side))))
        }
        None => (searcher.search(query, &main)?, None),
    };
    Ok((top, total, Collected::from(counts), side))
}

/// The requested window of the document pass's best documents, ranked by their best
/// evidence: the document-level score plus the scores of its two best passages, so that a
/// long document ranks by what it says best rather than by how much it says. Documents
/// containing every word stay ahead of the others: passage scores never reach the tier
/// bonus.
fn reranked(
    searcher: &Searcher,
    req: &SearchRequest,
    top: Vec<(f32, DocAddress)>,
    limit: usize,
    pool: Option<&PassagePool>,
) -> Result<Vec<(f32, DocAddress)>> {
    let ids = record_keys(searcher, top.iter().map(|(_, a)| *a))?;
    let mut scored: Vec<(f32, DocAddress)> = top
        .into_iter()
        .zip(ids)
        .map(|((score, addr), id)| {
            let (p1, p2) = pool.map_or((0.0, 0.0), |p| p.best_two(id));
            (
                score + BEST_PASSAGE_WEIGHT * p1 + SECOND_PASSAGE_WEIGHT * p2,
                addr,
            )
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(scored.into_iter().skip(req.offset).take(limit).collect())
}

/// The selected topics whose children are listed, when `dim` is the topic.
fn sideways_subtopics(req: &SearchRequest, dim: Dim) -> Vec<Facet> {
    if dim == Dim::Topic {
        selected_topic_roots(&req.topics)
    } else {
        Vec::new()
    }
}

/// The document key of each record, from the `key` fast field: no strings and no term
/// dictionary, which turning `id` ordinals back into text needed (a tenth of a search).
pub(crate) fn record_keys(
    searcher: &Searcher,
    addrs: impl Iterator<Item = DocAddress>,
) -> Result<Vec<RecordKey>> {
    let mut columns: HashMap<u32, tantivy::columnar::Column<u64>> = HashMap::new();
    let mut out = Vec::new();
    for addr in addrs {
        let col = match columns.entry(addr.segment_ord) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => e.insert(
                searcher
                    .segment_reader(addr.segment_ord)
                    .fast_fields()
                    .u64("key")?,
            ),
        };
        out.push(col.first(addr.doc_id).unwrap_or(0));
    }
    Ok(out)
}

/// A record's document key ([`crate::schema::record_key`] of its id; 0 for none).
pub(crate) type RecordKey = u64;

/// Facet counts: `counted` holds every facet without a selection (counted with the
/// ranking), `sideways` a selected one counted there too; one search more per other
/// selected facet, with its own selection left out.
fn count_facets(
    store: &Store,
    searcher: &Searcher,
    prepared: &Prepared,
    req: &SearchRequest,
    unselected: &[Dim],
    counted: &Collected,
    sideways: Option<(Dim, Collected)>,
) -> Result<Facets> {
    let f = &store.fields;
    let mut out = Facets::default();
    for d in unselected {
        fill(&mut out, *d, counted, &[]);
    }
    for dim in DIMS.into_iter().filter(|d| d.selected(req)) {
        let subtopics = sideways_subtopics(req, dim);
        match &sideways {
            Some((counted_dim, counts)) if *counted_dim == dim => {
                fill(&mut out, dim, counts, &subtopics);
            }
            _ => {
                let query = prepared.doc_query(f, req, Some(dim));
                let counts = collect_facets(store, searcher, query.as_ref(), &[dim], &subtopics)?;
                fill(&mut out, dim, &counts, &subtopics);
            }
        }
    }
    Ok(out)
}

struct Collected {
    topics: Option<FacetTally>,
    subtopics: Option<FacetTally>,
    values: Option<FacetTally>,
}

/// Selected topics whose children are worth listing, none an ancestor of another (tantivy's
/// facet collector refuses nested facets).
fn selected_topic_roots(topics: &[String]) -> Vec<Facet> {
    let mut facets: Vec<Facet> = topics.iter().filter_map(|t| topic_facet(t)).collect();
    facets.sort();
    facets.dedup();
    let all = facets.clone();
    facets.retain(|f| !all.iter().any(|o| o != f && o.is_prefix_of(f)));
    facets
}

type FacetCollectors = (
    Option<CountFacets>,
    Option<CountFacets>,
    Option<CountFacets>,
);

/// What [`FacetCollectors`] give back.
type FacetCounted = (Option<FacetTally>, Option<FacetTally>, Option<FacetTally>);

impl From<FacetCounted> for Collected {
    fn from((topics, subtopics, values): FacetCounted) -> Collected {
        Collected {
            topics,
            subtopics,
            values,
        }
    }
}

/// Collectors for the facets of `dims` (none for an empty list) and for the children of
/// `subtopics`.
fn facet_collectors(maps: &Arc<FacetMaps>, dims: &[Dim], subtopics: &[Facet]) -> FacetCollectors {
    let topics = dims
        .contains(&Dim::Topic)
        .then(|| CountFacets::new("topics", vec![Facet::root()], Arc::clone(maps)));
    let sub = (!subtopics.is_empty())
        .then(|| CountFacets::new("topics", subtopics.to_vec(), Arc::clone(maps)));
    let roots: Vec<Facet> = dims
        .iter()
        .filter_map(|d| d.facet_root())
        .map(|r| Facet::from_path([r]))
        .collect();
    let values = (!roots.is_empty()).then(|| CountFacets::new("facets", roots, Arc::clone(maps)));
    (topics, sub, values)
}

fn collect_facets(
    store: &Store,
    searcher: &Searcher,
    query: &dyn Query,
    dims: &[Dim],
    subtopics: &[Facet],
) -> Result<Collected> {
    Ok(Collected::from(searcher.search(
        query,
        &facet_collectors(&store.facet_maps, dims, subtopics),
    )?))
}

fn fill(out: &mut Facets, dim: Dim, c: &Collected, subtopics: &[Facet]) {
    let last = |facet: &Facet| facet.to_path().last().map(|s| s.to_string());
    let children = |counts: &FacetTally, root: Facet| -> Vec<FacetCount> {
        counts
            .children(&root)
            .filter_map(|(facet, count)| {
                Some(FacetCount {
                    value: last(facet)?,
                    count,
                    label: None,
                })
            })
            .collect()
    };
    let by_count = |v: &mut Vec<FacetCount>| {
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)))
    };
    match dim {
        Dim::Topic => {
            let mut v = c
                .topics
                .as_ref()
                .map(|t| children(t, Facet::root()))
                .unwrap_or_default();
            by_count(&mut v);
            if let Some(sub) = &c.subtopics {
                let mut seen: BTreeSet<String> = v.iter().map(|x| x.value.clone()).collect();
                for s in subtopics {
                    let mut kids: Vec<FacetCount> = sub
                        .children(s)
                        .map(|(facet, count)| FacetCount {
                            value: facet.to_path().join("/"),
                            count,
                            label: None,
                        })
                        .filter(|x| seen.insert(x.value.clone()))
                        .collect();
                    by_count(&mut kids);
                    v.extend(kids);
                }
            }
            out.topic = v;
        }
        Dim::Year => {
            let mut v = c
                .values
                .as_ref()
                .map(|t| children(t, Facet::from_path([FACET_YEAR])))
                .unwrap_or_default();
            v.sort_by(|a, b| b.value.cmp(&a.value));
            out.year = v;
        }
        other => {
            let root = other.facet_root().unwrap_or_default();
            let mut v = c
                .values
                .as_ref()
                .map(|t| children(t, Facet::from_path([root])))
                .unwrap_or_default();
            by_count(&mut v);
            match other {
                Dim::Type => out.doc_type = v,
                Dim::Language => out.language = v,
                _ => out.place = v,
            }
        }
    }
}

pub(crate) fn snippet_generators(
    searcher: &Searcher,
    f: &Fields,
    q: &dyn Query,
) -> Result<HashMap<u32, Highlighter>> {
    let mut out = HashMap::new();
    for field in f.body.all() {
        let g = crate::highlight::highlighter(searcher, q, field, SNIPPET_CHARS)?;
        out.insert(field.field_id(), g);
    }
    Ok(out)
}

pub(crate) fn passage_hit(
    f: &Fields,
    hit: &Hit,
    doc: &TantivyDocument,
    snippet: String,
    score: f32,
) -> PassageHit {
    let s = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let page = doc.get_first(f.page).and_then(|v| v.as_u64());
    let anchor = s(f.anchor);
    let url = links::passage_url(
        &hit.id,
        hit.url.as_deref().filter(|u| !u.starts_with("/documents/")),
        &hit.source,
        page,
        anchor.as_deref(),
    );
    PassageHit {
        page,
        anchor,
        heading: s(f.heading),
        snippet,
        url,
        score,
    }
}

fn passages_of(f: &Fields, id: &str) -> [(Occur, Box<dyn Query>); 2] {
    [
        (
            Occur::Must,
            term_query(Term::from_field_text(f.kind, KIND_PASSAGE)),
        ),
        (Occur::Must, term_query(Term::from_field_text(f.id, id))),
    ]
}

fn best_passages(
    store: &Store,
    searcher: &Searcher,
    hit: &Hit,
    pool: &PassagePool,
    generators: &HashMap<u32, Highlighter>,
    n: usize,
) -> Result<Vec<PassageHit>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let f = &store.fields;
    // A long page is cut into several passages; a page is shown once, by its best one.
    let top = pool.of_doc(searcher, f, &hit.id, n * 3)?;
    let mut out: Vec<PassageHit> = Vec::with_capacity(n);
    for (score, addr) in top {
        if out.len() >= n {
            break;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let page = doc.get_first(f.page).and_then(|v| v.as_u64());
        if page.is_some() && out.iter().any(|p| p.page == page) {
            continue;
        }
        let (text, field) = passage_text(f, &doc);
        let snippet = generators
            .get(&field)
            .and_then(|g| g.snippet_html(&text))
            .unwrap_or_else(|| snippet::lead(&text, SNIPPET_CHARS));
        out.push(passage_hit(f, hit, &doc, snippet, score));
    }
    Ok(out)
}

/// The document's opening passage, for hits that matched on the title or metadata alone.
fn first_passage(store: &Store, searcher: &Searcher, hit: &Hit) -> Result<Option<PassageHit>> {
    let f = &store.fields;
    let query = BooleanQuery::new(passages_of(f, &hit.id).into_iter().collect());
    let top = searcher.search(
        &query,
        &TopDocs::with_limit(1).order_by_u64_field("ord", Order::Asc),
    )?;
    let Some((_, addr)) = top.into_iter().next() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let (text, _) = passage_text(f, &doc);
    let lead = snippet::lead(&text, SNIPPET_CHARS);
    Ok(Some(passage_hit(f, hit, &doc, lead, 0.0)))
}

/// A passage's stored text and the field (language) it sits in.
pub(crate) fn passage_text(f: &Fields, doc: &TantivyDocument) -> (String, u32) {
    for field in f.body.all() {
        if let Some(t) = doc.get_first(field).and_then(|v| v.as_str()) {
            return (t.to_string(), field.field_id());
        }
    }
    (String::new(), f.body.en.field_id())
}

/// Top-level topic slugs of a stored document.
pub(crate) fn top_topics(f: &Fields, doc: &TantivyDocument) -> Vec<String> {
    let mut topics: Vec<String> = Vec::new();
    for v in doc.get_all(f.topics) {
        if let Some(path) = v.as_facet().map(crate::schema::facet_path) {
            let top = path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("")
                .to_string();
            if !top.is_empty() && !topics.contains(&top) {
                topics.push(top);
            }
        }
    }
    topics
}

pub(crate) fn hit_from_doc(f: &Fields, doc: &TantivyDocument, score: f32) -> Hit {
    let s = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let id = s(f.id).unwrap_or_default();
    let source = s(f.source).unwrap_or_default();
    let url = links::document_url(&id, s(f.url).as_deref(), &source);
    Hit {
        title: s(f.title).unwrap_or_default(),
        path: s(f.path).unwrap_or_default(),
        url,
        source,
        doc_type: s(f.doc_type),
        year: doc.get_first(f.year).and_then(|v| v.as_u64()),
        language: s(f.language).unwrap_or_default(),
        topics: top_topics(f, doc),
        places: doc
            .get_all(f.place)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        pages: doc.get_first(f.pages).and_then(|v| v.as_u64()),
        score,
        snippet: None,
        passages: Vec::new(),
        id,
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
