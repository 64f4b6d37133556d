//! From a [`ParsedQuery`] to tantivy queries: one over document records (title and whole
//! text), one over passage records (body and heading).
//!
//! Each word or phrase is analyzed with every language's analyzer, so an English query
//! finds Spanish documents through shared words and each language's stemming applies to its
//! own documents. Documents matching every (non-filler) word get a constant bonus far above
//! any BM25 score, which ranks them first while partial matches still follow.

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, EnableScoring, Explanation, Occur,
    PhraseQuery, Query, Scorer, TermQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::tokenizer::TokenStream;
use tantivy::{DocId, DocSet, Index, Score, SeekDangerResult, SegmentReader, Term};

use crate::schema::Fields;
use crate::syntax::{ParsedQuery, TextClause};

/// How much a title match counts against a body match.
const TITLE_BOOST: f32 = 3.0;
/// How much a heading match counts against a passage body match.
const HEADING_BOOST: f32 = 2.0;
/// Added to documents that contain every required word; larger than any BM25 sum.
pub const ALL_TERMS_BONUS: f32 = 1000.0;
/// Above this many required words the all-words tier is skipped: a pasted paragraph is
/// never matched in full, and requiring it only costs time.
const MAX_TIERED_GROUPS: usize = 8;

/// Words a document need not contain to count as matching "all the words": function
/// words, and words every document of this library uses.
fn is_filler_word(w: &str) -> bool {
    crate::stopwords::is_stopword(w) || matches!(w, "city" | "cities" | "ciudad" | "ciudades")
}

fn is_filler(group: &[TextClause]) -> bool {
    group
        .iter()
        .all(|c| !c.phrase && is_filler_word(&c.text.to_lowercase()))
}

/// Terms of `text` as the analyzer of `field` produces them.
fn analyze(index: &Index, field: Field, text: &str) -> Vec<Term> {
    let Ok(mut analyzer) = index.tokenizer_for_field(field) else {
        return Vec::new();
    };
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while let Some(tok) = stream.next() {
        out.push(Term::from_field_text(field, &tok.text));
    }
    out
}

/// A clause over several weighted fields; `None` when the analyzers leave no term.
fn clause_query(index: &Index, fields: &[(Field, f32)], c: &TextClause) -> Option<Box<dyn Query>> {
    let mut per_field: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for &(field, boost) in fields {
        let terms = analyze(index, field, &c.text);
        let q: Box<dyn Query> = match terms.len() {
            0 => continue,
            1 => Box::new(TermQuery::new(
                terms.into_iter().next()?,
                IndexRecordOption::WithFreqs,
            )),
            // A word the analyzer splits ("covid-19") is matched as a phrase, like a quote.
            _ => Box::new(PhraseQuery::new(terms)),
        };
        let q: Box<dyn Query> = if (boost - 1.0).abs() > f32::EPSILON {
            Box::new(BoostQuery::new(q, boost))
        } else {
            q
        };
        per_field.push((Occur::Should, q));
    }
    (!per_field.is_empty()).then(|| Box::new(BooleanQuery::new(per_field)) as Box<dyn Query>)
}

fn group_query(
    index: &Index,
    fields: &[(Field, f32)],
    group: &[TextClause],
) -> Option<Box<dyn Query>> {
    let qs: Vec<(Occur, Box<dyn Query>)> = group
        .iter()
        .filter_map(|c| clause_query(index, fields, c))
        .map(|q| (Occur::Should, q))
        .collect();
    (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
}

fn doc_fields(f: &Fields, title_only: bool) -> Vec<(Field, f32)> {
    let mut out: Vec<(Field, f32)> = f
        .title_text
        .all()
        .iter()
        .map(|&t| (t, TITLE_BOOST))
        .collect();
    if !title_only {
        out.extend(f.all_text.all().iter().map(|&t| (t, 1.0)));
    }
    out
}

fn passage_fields(f: &Fields) -> Vec<(Field, f32)> {
    let mut out: Vec<(Field, f32)> = f.body.all().iter().map(|&t| (t, 1.0)).collect();
    out.extend(f.heading_text.all().iter().map(|&t| (t, HEADING_BOOST)));
    out
}

/// A clause over document records, honouring `title:`.
fn doc_clause(index: &Index, f: &Fields, c: &TextClause) -> Option<Box<dyn Query>> {
    clause_query(index, &doc_fields(f, c.title_only), c)
}

fn doc_group(index: &Index, f: &Fields, group: &[TextClause]) -> Option<Box<dyn Query>> {
    let qs: Vec<(Occur, Box<dyn Query>)> = group
        .iter()
        .filter_map(|c| doc_clause(index, f, c))
        .map(|q| (Occur::Should, q))
        .collect();
    (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
}

/// The text part of a document search, to be combined with filters; `None` for a query
/// with no positive text (browse). A query whose words all vanish in analysis (e.g. only
/// punctuation) matches nothing rather than everything.
pub fn document_text_query(index: &Index, f: &Fields, q: &ParsedQuery) -> Option<Box<dyn Query>> {
    if q.is_browse() {
        return None;
    }
    let mut groups: Vec<(bool, Box<dyn Query>)> = Vec::new();
    for g in &q.groups {
        if let Some(gq) = doc_group(index, f, g) {
            groups.push((is_filler(g), gq));
        }
    }
    if groups.is_empty() {
        return Some(Box::new(EmptyQuery));
    }
    let required: Vec<Box<dyn Query>> = groups
        .iter()
        .filter(|(filler, _)| !filler)
        .map(|(_, q)| q.box_clone())
        .collect();
    // Function words score only when the query has nothing else ("to be or not to be"):
    // otherwise "what", "the" and "how" of a question would rank documents too.
    let drop_filler = !required.is_empty();
    let any: Box<dyn Query> = Box::new(BooleanQuery::new(
        groups
            .into_iter()
            .filter(|(filler, _)| !(drop_filler && *filler))
            .map(|(_, q)| (Occur::Should, q))
            .collect(),
    ));
    if required.len() < 2 || required.len() > MAX_TIERED_GROUPS {
        return Some(any);
    }
    let all = BooleanQuery::new(required.into_iter().map(|q| (Occur::Must, q)).collect());
    Some(Box::new(BooleanQuery::new(vec![
        (Occur::Must, any),
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(Box::new(all), ALL_TERMS_BONUS)),
        ),
    ])))
}

/// Clauses that exclude documents containing any `-excluded` text.
pub fn exclusions(index: &Index, f: &Fields, q: &ParsedQuery) -> Vec<(Occur, Box<dyn Query>)> {
    q.excluded
        .iter()
        .filter_map(|c| doc_clause(index, f, c))
        .map(|q| (Occur::MustNot, ExclusionGuard::wrap(q)))
        .collect()
}

/// Clauses that exclude passages containing any `-excluded` text.
pub fn passage_exclusions(
    index: &Index,
    f: &Fields,
    q: &ParsedQuery,
) -> Vec<(Occur, Box<dyn Query>)> {
    let fields = passage_fields(f);
    q.excluded
        .iter()
        .filter_map(|c| clause_query(index, &fields, c))
        .map(|q| (Occur::MustNot, ExclusionGuard::wrap(q)))
        .collect()
}

/// Wraps an exclusion (`MustNot`) clause so that tantivy 0.27 can use a phrase in it.
///
/// Found by `tests/fuzz_query.rs` (`water NOT covid-19`: the excluded word splits into a
/// phrase): tantivy's exclusion set asks its docset whether it holds the include side's
/// first document with `seek_danger(target)`, but a fresh `PhraseScorer` already sits on
/// its first match, which may lie past `target`. Its `seek_danger` requires `target >=
/// doc()` (a `debug_assert!`, so a panic — an HTTP 500 — in debug builds, an undefined
/// answer in release ones), whereas the `DocSet` default handles the case. This scorer
/// answers a target behind the inner docset itself: a docset positioned past `target` has
/// already ruled it out, so `target` is not excluded.
struct ExclusionGuard(Box<dyn Query>);

impl ExclusionGuard {
    fn wrap(q: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(ExclusionGuard(q))
    }
}

impl Clone for ExclusionGuard {
    fn clone(&self) -> Self {
        ExclusionGuard(self.0.box_clone())
    }
}

impl std::fmt::Debug for ExclusionGuard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("ExclusionGuard").field(&self.0).finish()
    }
}

impl Query for ExclusionGuard {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(GuardWeight(self.0.weight(enable_scoring)?)))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.0.query_terms(visitor)
    }
}

struct GuardWeight(Box<dyn Weight>);

impl Weight for GuardWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(Box::new(GuardScorer(self.0.scorer(reader, boost)?)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        self.0.explain(reader, doc)
    }

    fn count(&self, reader: &SegmentReader) -> tantivy::Result<u32> {
        self.0.count(reader)
    }
}

struct GuardScorer(Box<dyn Scorer>);

impl DocSet for GuardScorer {
    fn advance(&mut self) -> DocId {
        self.0.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        // Seeking backwards is a no-op by `DocSet`'s contract; never pass it on.
        if target <= self.0.doc() {
            return self.0.doc();
        }
        self.0.seek(target)
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        let doc = self.0.doc();
        if target < doc {
            return SeekDangerResult::SeekLowerBound(doc);
        }
        self.0.seek_danger(target)
    }

    fn doc(&self) -> DocId {
        self.0.doc()
    }

    fn size_hint(&self) -> u32 {
        self.0.size_hint()
    }

    fn cost(&self) -> u64 {
        self.0.cost()
    }
}

impl Scorer for GuardScorer {
    fn score(&mut self) -> Score {
        self.0.score()
    }
}

/// Passage records that match any positive word or phrase, body and heading weighted;
/// `None` for a browse query.
pub fn passage_text_query(index: &Index, f: &Fields, q: &ParsedQuery) -> Option<Box<dyn Query>> {
    let fields = passage_fields(f);
    let drop_filler = q.groups.iter().any(|g| !is_filler(g));
    let qs: Vec<(Occur, Box<dyn Query>)> = q
        .groups
        .iter()
        .filter(|g| !(drop_filler && is_filler(g)))
        .filter_map(|g| group_query(index, &fields, g))
        .map(|q| (Occur::Should, q))
        .collect();
    (!qs.is_empty()).then(|| Box::new(BooleanQuery::new(qs)) as Box<dyn Query>)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;
    use crate::Store;

    #[test]
    fn punctuation_only_queries_match_nothing_rather_than_everything() {
        let store = Store::in_memory();
        let q = document_text_query(&store.index, &store.fields, &parse("?!"));
        assert!(q.is_some());
        assert!(document_text_query(&store.index, &store.fields, &parse("")).is_none());
    }

    #[test]
    fn filler_words_are_not_required() {
        assert!(is_filler(&parse("the").groups[0]));
        assert!(!is_filler(&parse("\"the\"").groups[0]));
        assert!(!is_filler(&parse("water").groups[0]));
    }
}
