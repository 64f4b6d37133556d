//! One document by id: its metadata and passages, and the documents most like it.

use serde::Serialize;
use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, MoreLikeThisQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, OwnedValue, Value};
use tantivy::{DocAddress, Order, Searcher, TantivyDocument, Term};

use crate::analyzers::Analyzer;
use crate::error::Result;
use crate::links;
use crate::schema::{KIND_DOC, KIND_PASSAGE};
use crate::search::{hit_from_doc, passage_text, Hit};
use crate::snippet;
use crate::store::Store;

/// Longest passage preview in a document listing.
const PREVIEW_CHARS: usize = 240;
/// Upper bound on passages listed for one document (a 260-page plan has a few hundred).
pub const MAX_LISTED_PASSAGES: usize = 5_000;

#[derive(Debug, Clone, Serialize)]
pub struct DocumentDetail {
    pub id: String,
    pub title: String,
    pub path: String,
    pub url: Option<String>,
    pub source: String,
    #[serde(rename = "type")]
    pub doc_type: Option<String>,
    pub year: Option<u64>,
    pub language: String,
    pub topics: Vec<String>,
    pub places: Vec<String>,
    pub pages: Option<u64>,
    pub description: Option<String>,
    pub date: Option<String>,
    pub has_text: bool,
    /// Subtopic paths as indexed (`/water/affordability`).
    pub topic_paths: Vec<String>,
    /// Where the original file is served (`None` for JSON Lines records).
    pub file_url: Option<String>,
    pub passages_total: usize,
    /// In document order; at most [`MAX_LISTED_PASSAGES`].
    pub passages: Vec<PassageInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PassageInfo {
    pub ord: u64,
    pub page: Option<u64>,
    pub anchor: Option<String>,
    pub heading: Option<String>,
    pub chars: usize,
    /// The opening of the passage (escaped HTML), or the whole text when asked for.
    pub text: String,
    pub url: Option<String>,
}

fn term(field: tantivy::schema::Field, v: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, v),
        IndexRecordOption::Basic,
    ))
}

/// The address of the document record with this id.
pub fn find(store: &Store, searcher: &Searcher, id: &str) -> Result<Option<DocAddress>> {
    let f = &store.fields;
    let q = BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, KIND_DOC)),
        (Occur::Must, term(f.id, id)),
    ]);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    Ok(top.into_iter().next().map(|(_, a)| a))
}

/// A document's metadata and passage list; `full_text` returns each passage whole, as
/// escaped HTML.
pub fn document(
    store: &Store,
    searcher: &Searcher,
    id: &str,
    full_text: bool,
) -> Result<Option<DocumentDetail>> {
    let f = &store.fields;
    let Some(addr) = find(store, searcher, id)? else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let hit = hit_from_doc(f, &doc, 0.0);
    let s = |field| {
        doc.get_first(field)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    };
    let q = BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, KIND_PASSAGE)),
        (Occur::Must, term(f.id, id)),
    ]);
    let top = searcher.search(
        &q,
        &(
            TopDocs::with_limit(MAX_LISTED_PASSAGES).order_by_u64_field("ord", Order::Asc),
            tantivy::collector::Count,
        ),
    )?;
    let (rows, total) = top;
    let mut list = Vec::with_capacity(rows.len());
    for (_, a) in rows {
        let p: TantivyDocument = searcher.doc(a)?;
        let (text, _) = passage_text(f, &p);
        let page = p.get_first(f.page).and_then(|v| v.as_u64());
        let anchor = p
            .get_first(f.anchor)
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let own_url = s(f.url);
        list.push(PassageInfo {
            ord: p.get_first(f.ord).and_then(|v| v.as_u64()).unwrap_or(0),
            page,
            url: links::passage_url(id, own_url.as_deref(), &hit.source, page, anchor.as_deref()),
            anchor,
            heading: p
                .get_first(f.heading)
                .and_then(|v| v.as_str())
                .map(str::to_string),
            chars: text.chars().count(),
            text: if full_text {
                snippet::escape_html(&text)
            } else {
                snippet::lead(&text, PREVIEW_CHARS)
            },
        });
    }
    Ok(Some(DocumentDetail {
        description: s(f.description),
        date: s(f.date),
        has_text: doc
            .get_first(f.has_text)
            .and_then(|v| v.as_bool())
            .unwrap_or(false),
        topic_paths: doc
            .get_all(f.topics)
            .filter_map(|v| v.as_facet().map(crate::schema::facet_path))
            .collect(),
        file_url: (hit.source != "jsonl").then(|| links::file_url(id)),
        passages_total: total,
        passages: list,
        id: hit.id,
        title: hit.title,
        path: hit.path,
        url: hit.url,
        source: hit.source,
        doc_type: hit.doc_type,
        year: hit.year,
        language: hit.language,
        topics: hit.topics,
        places: hit.places,
        pages: hit.pages,
    }))
}

/// Characters of a document's text given to the similarity query: enough to find its
/// distinctive terms, bounded so a 260-page plan costs no more than a brief.
const RELATED_SAMPLE_CHARS: usize = 60_000;

/// Documents most like `id`, by the distinctive words of its title and text; `None` when
/// the id is unknown.
pub fn related(
    store: &Store,
    searcher: &Searcher,
    id: &str,
    limit: usize,
) -> Result<Option<Vec<Hit>>> {
    let f = &store.fields;
    let Some(addr) = find(store, searcher, id)? else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let language = doc
        .get_first(f.language)
        .and_then(|v| v.as_str())
        .unwrap_or("und")
        .to_string();
    let analyzer = Analyzer::for_language(&language);
    let title = doc
        .get_first(f.title)
        .and_then(|v| v.as_str())
        .unwrap_or("")
        .to_string();

    // The text sample: the document's passages in order, up to the budget.
    let q = BooleanQuery::new(vec![
        (Occur::Must, term(f.kind, KIND_PASSAGE)),
        (Occur::Must, term(f.id, id)),
    ]);
    let rows = searcher.search(
        &q,
        &TopDocs::with_limit(400).order_by_u64_field("ord", Order::Asc),
    )?;
    let mut sample = String::new();
    for (_, a) in rows {
        if sample.len() >= RELATED_SAMPLE_CHARS {
            break;
        }
        let p: TantivyDocument = searcher.doc(a)?;
        sample.push_str(&passage_text(f, &p).0);
        sample.push('\n');
    }
    let mut fields: Vec<(tantivy::schema::Field, Vec<OwnedValue>)> = vec![(
        f.all_text.for_analyzer(analyzer),
        vec![OwnedValue::Str(sample)],
    )];
    if !title.is_empty() {
        // The title's words count as much as a few mentions in the text.
        fields.push((
            f.all_text.for_analyzer(analyzer),
            vec![OwnedValue::Str(format!("{title} {title} {title}"))],
        ));
    }
    let mlt = MoreLikeThisQuery::builder()
        .with_min_doc_frequency(2)
        .with_max_doc_frequency((searcher.num_docs() / 4).max(2))
        .with_min_term_frequency(2)
        .with_max_query_terms(30)
        .with_min_word_length(3)
        .with_document_fields(fields);
    let query = BooleanQuery::new(vec![
        (Occur::Must, Box::new(mlt)),
        (Occur::Must, term(f.kind, KIND_DOC)),
        (Occur::MustNot, term(f.id, id)),
    ]);
    let top = searcher.search(
        &query,
        &TopDocs::with_limit(limit.clamp(1, 50)).order_by_score(),
    )?;
    let mut out = Vec::with_capacity(top.len());
    for (score, a) in top {
        let d: TantivyDocument = searcher.doc(a)?;
        let mut hit = hit_from_doc(f, &d, score);
        hit.snippet = d
            .get_first(f.description)
            .and_then(|v| v.as_str())
            .map(|t| snippet::lead(t, PREVIEW_CHARS));
        out.push(hit);
    }
    Ok(Some(out))
}
