//! What the indexer writes: a document record with its passages, turned into tantivy
//! documents here so that only this crate knows field names.

use std::collections::HashMap;

use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{Facet, IndexRecordOption, Value};
use tantivy::{IndexWriter, Searcher, TantivyDocument, Term};

use crate::analyzers::Analyzer;
use crate::error::Result;
use crate::schema::{
    facet_value, Fields, FACET_LANGUAGE, FACET_PLACE, FACET_TYPE, FACET_YEAR, KIND_DOC,
    KIND_PASSAGE,
};

/// A document ready to index.
#[derive(Debug, Clone, Default)]
pub struct DocRecord {
    /// Stable id: the corpus-relative path, or a JSONL record's id.
    pub id: String,
    /// Corpus-relative path of the file it came from (shared by all records of a JSONL file).
    pub path: String,
    pub url: Option<String>,
    /// `pdf`, `html`, `markdown`, `text` or `jsonl`.
    pub source: String,
    pub title: String,
    pub description: Option<String>,
    pub doc_type: Option<String>,
    pub year: Option<u64>,
    pub date: Option<String>,
    /// ISO 639-1 code, or `und` when unknown.
    pub language: String,
    /// Facet paths such as `/water` or `/water/affordability`.
    pub topics: Vec<String>,
    /// Places the document is about, as `City, ST` or `ST`.
    pub places: Vec<String>,
    pub has_text: bool,
    pub pages: Option<u64>,
    /// Content hash plus pipeline fingerprint: equal means nothing to redo.
    pub hash: String,
    pub passages: Vec<PassageRecord>,
}

/// One searchable unit of a document.
#[derive(Debug, Clone, Default)]
pub struct PassageRecord {
    /// 1-based PDF page.
    pub page: Option<u64>,
    pub anchor: Option<String>,
    pub heading: Option<String>,
    pub text: String,
}

/// What the index holds about a file, read back to decide what needs re-indexing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexedFile {
    pub ids: Vec<String>,
    pub hash: String,
}

/// Room in a record for what is not its text: ids, path, facets, numbers.
const RECORD_EXTRA: usize = 1024;

/// Adds a document and its passages. The caller deletes the path first when replacing.
pub fn add_document(writer: &IndexWriter, f: &Fields, rec: &DocRecord) -> Result<()> {
    let analyzer = Analyzer::for_language(&rec.language);
    // Sized up front: a long plan's record holds megabytes of text, and growing the buffer
    // by doubling copied it over and over into freshly zeroed memory.
    let text: usize = rec.passages.iter().map(|p| p.text.len()).sum();
    let description = rec.description.as_ref().map_or(0, String::len);
    let mut doc =
        TantivyDocument::with_capacity(text + 2 * (rec.title.len() + description) + RECORD_EXTRA);
    doc.add_text(f.kind, KIND_DOC);
    common_fields(&mut doc, f, rec);
    doc.add_text(f.title, &rec.title);
    doc.add_text(f.title_text.for_analyzer(analyzer), &rec.title);
    if let Some(d) = &rec.description {
        doc.add_text(f.description, d);
        doc.add_text(f.all_text.for_analyzer(analyzer), d);
    }
    if let Some(u) = &rec.url {
        doc.add_text(f.url, u);
    }
    if let Some(d) = &rec.date {
        doc.add_text(f.date, d);
    }
    doc.add_text(f.source, &rec.source);
    if let Some(p) = rec.pages {
        doc.add_u64(f.pages, p);
    }
    doc.add_text(f.hash, &rec.hash);
    let all = f.all_text.for_analyzer(analyzer);
    for p in &rec.passages {
        doc.add_text(all, &p.text);
    }
    writer.add_document(doc)?;

    for (ord, p) in rec.passages.iter().enumerate() {
        let heading = p.heading.as_ref().map_or(0, String::len);
        let mut pd = TantivyDocument::with_capacity(p.text.len() + 2 * heading + RECORD_EXTRA);
        pd.add_text(f.kind, KIND_PASSAGE);
        common_fields(&mut pd, f, rec);
        pd.add_text(f.body.for_analyzer(analyzer), &p.text);
        pd.add_u64(f.ord, ord as u64);
        if let Some(page) = p.page {
            pd.add_u64(f.page, page);
        }
        if let Some(a) = &p.anchor {
            pd.add_text(f.anchor, a);
        }
        if let Some(h) = &p.heading {
            pd.add_text(f.heading, h);
            pd.add_text(f.heading_text.for_analyzer(analyzer), h);
        }
        writer.add_document(pd)?;
    }
    Ok(())
}

fn common_fields(doc: &mut TantivyDocument, f: &Fields, rec: &DocRecord) {
    doc.add_text(f.id, &rec.id);
    doc.add_u64(f.key, crate::schema::record_key(&rec.id));
    doc.add_text(f.path, &rec.path);
    doc.add_text(f.language, &rec.language);
    doc.add_facet(f.facets, facet_value(FACET_LANGUAGE, &rec.language));
    if let Some(t) = &rec.doc_type {
        doc.add_text(f.doc_type, t);
        doc.add_facet(f.facets, facet_value(FACET_TYPE, t));
    }
    if let Some(y) = rec.year {
        doc.add_u64(f.year, y);
        doc.add_facet(f.facets, facet_value(FACET_YEAR, &y.to_string()));
    }
    for p in &rec.places {
        doc.add_text(f.place, p);
        doc.add_facet(f.facets, facet_value(FACET_PLACE, p));
    }
    for t in &rec.topics {
        if let Ok(facet) = Facet::from_text(t) {
            doc.add_facet(f.topics, facet);
        }
    }
    doc.add_bool(f.has_text, rec.has_text);
}

/// Deletes every record (document and passages) that came from `path`.
pub fn delete_path(writer: &IndexWriter, f: &Fields, path: &str) {
    writer.delete_term(Term::from_field_text(f.path, path));
}

/// Every indexed file: corpus-relative path to its document ids and stored hash. A path
/// whose documents disagree on the hash is reported with an empty hash, so it is redone.
pub fn indexed_files(searcher: &Searcher, f: &Fields) -> Result<HashMap<String, IndexedFile>> {
    let q = TermQuery::new(
        Term::from_field_text(f.kind, KIND_DOC),
        IndexRecordOption::Basic,
    );
    let addrs = searcher.search(&q, &DocSetCollector)?;
    let mut out: HashMap<String, IndexedFile> = HashMap::new();
    for addr in addrs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let get = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let (id, path, hash) = (get(f.id), get(f.path), get(f.hash));
        match out.get_mut(&path) {
            Some(entry) => {
                if entry.hash != hash || entry.ids.contains(&id) {
                    entry.hash.clear();
                }
                entry.ids.push(id);
            }
            None => {
                out.insert(
                    path,
                    IndexedFile {
                        ids: vec![id],
                        hash,
                    },
                );
            }
        }
    }
    Ok(out)
}

/// A document as stored, for listings, checks and `inspect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDoc {
    pub id: String,
    pub path: String,
    pub title: String,
    pub has_text: bool,
    pub pages: Option<u64>,
    pub language: String,
    pub topics: Vec<String>,
}

/// Every document record in the index (not passages), sorted by id.
pub fn stored_documents(searcher: &Searcher, f: &Fields) -> Result<Vec<StoredDoc>> {
    let q = TermQuery::new(
        Term::from_field_text(f.kind, KIND_DOC),
        IndexRecordOption::Basic,
    );
    let mut out = Vec::new();
    for addr in searcher.search(&q, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let s = |field| {
            doc.get_first(field)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        out.push(StoredDoc {
            id: s(f.id),
            path: s(f.path),
            title: s(f.title),
            has_text: doc
                .get_first(f.has_text)
                .and_then(|v| v.as_bool())
                .unwrap_or(false),
            pages: doc.get_first(f.pages).and_then(|v| v.as_u64()),
            language: s(f.language),
            topics: doc
                .get_all(f.topics)
                .filter_map(|v| v.as_facet().map(crate::schema::facet_path))
                .collect(),
        });
    }
    out.sort_by(|a, b| a.id.cmp(&b.id));
    Ok(out)
}

/// Number of passage records per document id.
pub fn passage_counts(searcher: &Searcher, f: &Fields) -> Result<HashMap<String, usize>> {
    let q = TermQuery::new(
        Term::from_field_text(f.kind, crate::schema::KIND_PASSAGE),
        IndexRecordOption::Basic,
    );
    let mut out: HashMap<String, usize> = HashMap::new();
    for addr in searcher.search(&q, &DocSetCollector)? {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let id = doc
            .get_first(f.id)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string();
        *out.entry(id).or_default() += 1;
    }
    Ok(out)
}
