//! Completions as the user types: document titles, section headings and phrases frequent
//! in the library, matched on the beginning of what was typed.
//!
//! A [`Suggester`] is built once per index generation (seconds on the real corpus, off the
//! request path) and answers each keystroke with a binary search over sorted keys.

use std::collections::HashMap;

use serde::Serialize;
use tantivy::collector::DocSetCollector;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::analyzers::Analyzer;
use crate::error::Result;
use crate::schema::{Fields, KIND_DOC, KIND_PASSAGE};
use crate::search::passage_text;
use crate::spelling::Vocabulary;
use crate::stopwords::is_stopword;
use crate::store::Store;

/// At most this much passage text is read for phrases, so building stays bounded on a
/// million-passage index.
const PHRASE_SAMPLE_BYTES: usize = 16 << 20;
/// Distinct phrases held while counting before the one-document ones are dropped.
const MAX_DISTINCT_PHRASES: usize = 1_500_000;
/// A phrase must occur in at least this many documents to be suggested.
const MIN_PHRASE_DOCS: u32 = 3;
/// Longest heading offered as a completion; longer ones are sentences, not topics.
const MAX_HEADING_CHARS: usize = 80;
/// Weight of a title relative to a phrase found in one document.
const TITLE_WEIGHT: u32 = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SuggestionKind {
    Title,
    Phrase,
}

#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub text: String,
    pub kind: SuggestionKind,
    /// The document, for title suggestions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// Folded, lower-case words joined by single spaces.
    key: String,
    text: String,
    kind: SuggestionKind,
    id: Option<String>,
    weight: u32,
}

/// Completions for one index generation.
pub struct Suggester {
    entries: Vec<Entry>,
    /// Every word of a title after its first, as (title entry, byte offset in its key),
    /// sorted by the key from that word on: matches inside a title ("water" → "Lead in
    /// Drinking Water") are then a binary search, where a scan of every title cost 2 ms a
    /// keystroke at 1M passages.
    title_words: Vec<(u32, u32)>,
    folder: TextAnalyzer,
    generation: u64,
    /// Single words and their document counts, for "did you mean".
    vocabulary: Vocabulary,
}

impl Suggester {
    /// Reads titles, headings and passage text from `searcher`'s snapshot.
    pub fn build(store: &Store, searcher: &Searcher) -> Result<Suggester> {
        let f = &store.fields;
        let mut folder = Analyzer::Plain.build();
        let mut entries: Vec<Entry> = Vec::new();

        for addr in records(searcher, f, KIND_DOC)? {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let get = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("");
            let title = get(f.title).trim();
            if title.is_empty() {
                continue;
            }
            entries.push(Entry {
                key: fold(&mut folder, title),
                text: title.to_string(),
                kind: SuggestionKind::Title,
                id: Some(get(f.id).to_string()),
                weight: TITLE_WEIGHT,
            });
        }

        // Headings and frequent 1–3 word phrases, counted once per document. Passages of a
        // document are adjacent in address order, so remembering the last document that
        // counted a phrase is enough to count each document once.
        let mut phrase_docs: HashMap<String, (u32, u32)> = HashMap::new();
        let mut bytes = 0usize;
        let mut doc_no = 0u32;
        let mut last_id = String::new();
        for addr in records(searcher, f, KIND_PASSAGE)? {
            if bytes > PHRASE_SAMPLE_BYTES {
                break;
            }
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc.get_first(f.id).and_then(|v| v.as_str()).unwrap_or("");
            if id != last_id {
                doc_no += 1;
                last_id = id.to_string();
            }
            let (text, _) = passage_text(f, &doc);
            bytes += text.len();
            let mut found: Vec<String> = phrases(&text);
            if let Some(h) = doc.get_first(f.heading).and_then(|v| v.as_str()) {
                let h = h.trim();
                if h.chars().count() <= MAX_HEADING_CHARS && h.chars().any(char::is_alphabetic) {
                    found.push(h.to_lowercase());
                }
            }
            for p in found {
                let e = phrase_docs.entry(p).or_insert((0, 0));
                if e.1 != doc_no {
                    e.0 += 1;
                    e.1 = doc_no;
                }
            }
            if phrase_docs.len() > MAX_DISTINCT_PHRASES {
                // Bounded memory: phrases seen in one document so far rarely reach the bar.
                phrase_docs.retain(|_, (n, _)| *n >= 2);
            }
        }
        let mut words: HashMap<String, u32> = HashMap::new();
        for (phrase, (docs, _)) in phrase_docs {
            if !phrase.contains(' ') {
                words.insert(phrase.clone(), docs);
            }
            if docs < MIN_PHRASE_DOCS {
                continue;
            }
            entries.push(Entry {
                key: fold(&mut folder, &phrase),
                text: phrase,
                kind: SuggestionKind::Phrase,
                id: None,
                weight: docs,
            });
        }
        Ok(Suggester::assemble(
            entries,
            folder,
            searcher.generation().generation_id(),
            Vocabulary::new(words),
        ))
    }

    fn assemble(
        mut entries: Vec<Entry>,
        folder: TextAnalyzer,
        generation: u64,
        vocabulary: Vocabulary,
    ) -> Suggester {
        entries.retain(|e| !e.key.is_empty());
        entries.sort_by(|a, b| a.key.cmp(&b.key).then(b.weight.cmp(&a.weight)));
        let titles: Vec<usize> = entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.kind == SuggestionKind::Title)
            .map(|(i, _)| i)
            .collect();
        let mut title_words: Vec<(u32, u32)> = titles
            .iter()
            .flat_map(|&i| {
                let key = &entries[i].key;
                key.match_indices(' ')
                    .map(move |(at, _)| (i as u32, (at + 1) as u32))
            })
            .collect();
        title_words.sort_unstable_by(|a, b| {
            word_suffix(&entries, *a)
                .cmp(word_suffix(&entries, *b))
                .then(a.cmp(b))
        });
        Suggester {
            entries,
            title_words,
            folder,
            generation,
            vocabulary,
        }
    }

    /// A correction of `query` from the library's vocabulary ("did you mean").
    pub fn correct(&self, store: &Store, searcher: &Searcher, query: &str) -> Option<String> {
        crate::spelling::correct(&self.vocabulary, store, searcher, query)
    }

    /// The index generation this suggester was built from.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of completions it knows.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// What `typed` is matched as: folded, with a trailing space kept; `None` when nothing
    /// is left.
    fn prefix(&self, typed: &str) -> Option<String> {
        let mut folder = self.folder.clone();
        let mut prefix = fold(&mut folder, typed);
        if prefix.is_empty() {
            return None;
        }
        // "water " asks for words after "water", not for "waterfront".
        if typed.ends_with(char::is_whitespace) {
            prefix.push(' ');
        }
        Some(prefix)
    }

    /// Up to `n` completions of `typed`: entries that start with it first (titles and the
    /// most widespread phrases ahead), then titles with a later word starting with it.
    pub fn suggest(&self, typed: &str, n: usize) -> Vec<Suggestion> {
        let Some(prefix) = self.prefix(typed).filter(|_| n > 0) else {
            return Vec::new();
        };
        let start = self
            .entries
            .partition_point(|e| e.key.as_str() < prefix.as_str());
        let mut found: Vec<&Entry> = self.entries[start..]
            .iter()
            .take_while(|e| e.key.starts_with(&prefix))
            .filter(|e| e.key.len() > prefix.trim_end().len() || e.kind == SuggestionKind::Title)
            .collect();
        // Most widespread first, shorter first, then in key order; only as much of the list
        // is sorted as the answer needs (a one-letter prefix matches thousands at 1M).
        let by_rank = |a: &&Entry, b: &&Entry| {
            b.weight
                .cmp(&a.weight)
                .then(a.key.len().cmp(&b.key.len()))
                .then_with(|| std::ptr::from_ref(*a).cmp(&std::ptr::from_ref(*b)))
        };
        let mut out: Vec<Suggestion> = Vec::with_capacity(n);
        let mut seen: Vec<String> = Vec::new();
        let mut push = |e: &Entry, out: &mut Vec<Suggestion>| {
            let k = e.text.to_lowercase();
            if !seen.contains(&k) {
                seen.push(k);
                out.push(Suggestion {
                    text: e.text.clone(),
                    kind: e.kind,
                    id: e.id.clone(),
                });
            }
        };
        for e in in_order(&mut found, n * 4, by_rank) {
            if out.len() >= n {
                return out;
            }
            push(e, &mut out);
        }
        let lo = self
            .title_words
            .partition_point(|w| word_suffix(&self.entries, *w) < prefix.as_str());
        let mut inner: Vec<u32> = self.title_words[lo..]
            .iter()
            .take_while(|w| word_suffix(&self.entries, **w).starts_with(prefix.as_str()))
            .map(|w| w.0)
            .collect();
        // Titles in key order, as they would be met in a scan of all of them.
        for i in in_order(&mut inner, n * 4, u32::cmp) {
            if out.len() >= n {
                break;
            }
            push(&self.entries[i as usize], &mut out);
        }
        out
    }
}

/// The key of a title from one of its words on.
fn word_suffix(entries: &[Entry], (entry, at): (u32, u32)) -> &str {
    entries[entry as usize]
        .key
        .get(at as usize..)
        .unwrap_or_default()
}

/// The items of `v` in the order of `cmp`, sorting only the first `head` until more are
/// asked for, then the rest.
fn in_order<'a, T: Copy + 'a>(
    v: &'a mut [T],
    head: usize,
    mut cmp: impl FnMut(&T, &T) -> std::cmp::Ordering + 'a,
) -> impl Iterator<Item = T> + 'a {
    let head = head.max(1);
    if v.len() > head {
        v.select_nth_unstable_by(head, &mut cmp);
        v[..head].sort_unstable_by(&mut cmp);
    } else {
        v.sort_unstable_by(&mut cmp);
    }
    let mut rest_sorted = v.len() <= head;
    let mut i = 0;
    std::iter::from_fn(move || {
        if i == head && !rest_sorted {
            v[head..].sort_unstable_by(&mut cmp);
            rest_sorted = true;
        }
        let item = v.get(i).copied();
        i += 1;
        item
    })
}

fn records(searcher: &Searcher, f: &Fields, kind: &str) -> Result<Vec<tantivy::DocAddress>> {
    let q = TermQuery::new(
        Term::from_field_text(f.kind, kind),
        IndexRecordOption::Basic,
    );
    let mut v: Vec<_> = searcher.search(&q, &DocSetCollector)?.into_iter().collect();
    v.sort();
    Ok(v)
}

/// Words folded as the plain analyzer folds them, joined by single spaces.
fn fold(folder: &mut TextAnalyzer, text: &str) -> String {
    let mut stream = folder.token_stream(text);
    let mut out = String::new();
    while let Some(t) = stream.next() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&t.text);
    }
    out
}

/// Candidate phrases of one passage: runs of 1–3 lower-case words that neither start nor
/// end with a function word, made of letters only.
fn phrases(text: &str) -> Vec<String> {
    let words: Vec<String> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let good = |w: &str| w.chars().count() >= 3 && w.chars().all(char::is_alphabetic);
    let mut out = Vec::new();
    for i in 0..words.len() {
        for len in 1..=3 {
            let Some(run) = words.get(i..i + len) else {
                break;
            };
            if !run.iter().all(|w| good(w) || is_stopword(w)) {
                break;
            }
            let (first, last) = (&run[0], &run[len - 1]);
            if is_stopword(first) || is_stopword(last) {
                continue;
            }
            // Single words only when long enough to be worth completing.
            if len == 1 && first.chars().count() < 5 {
                continue;
            }
            out.push(run.join(" "));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_skip_function_word_edges() {
        let p = phrases("The cost of water shutoffs in Detroit");
        assert!(p.contains(&"water shutoffs".to_string()));
        assert!(p.contains(&"cost of water".to_string()));
        assert!(!p.iter().any(|x| x.starts_with("the ")));
        assert!(!p.iter().any(|x| x.ends_with(" in")));
    }

    /// The completions by the definition: every entry starting with the prefix, ranked in
    /// full, then a scan of every title for a later word starting with it.
    fn naive(s: &Suggester, typed: &str, n: usize) -> Vec<(String, SuggestionKind)> {
        let Some(prefix) = s.prefix(typed).filter(|_| n > 0) else {
            return Vec::new();
        };
        let mut found: Vec<&Entry> = s
            .entries
            .iter()
            .filter(|e| e.key.starts_with(&prefix))
            .filter(|e| e.key.len() > prefix.trim_end().len() || e.kind == SuggestionKind::Title)
            .collect();
        found.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.key.len().cmp(&b.key.len())));
        let inner = format!(" {prefix}");
        let titles = s
            .entries
            .iter()
            .filter(|e| e.kind == SuggestionKind::Title && e.key.contains(&inner));
        let mut seen = Vec::new();
        let mut out = Vec::new();
        for e in found.into_iter().chain(titles) {
            if out.len() >= n {
                break;
            }
            let k = e.text.to_lowercase();
            if !seen.contains(&k) {
                seen.push(k);
                out.push((e.text.clone(), e.kind));
            }
        }
        out
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        /// The binary searches and partial sorts give what the definition gives, duplicates
        /// and ties included.
        #[test]
        fn suggest_matches_its_definition(
            items in proptest::collection::vec(
                ("[ab]{1,3}( [ab]{1,3}){0,3}", proptest::bool::ANY, 1u32..4), 0..60),
            typed in "[ab]{1,2} ?",
            n in 0usize..12,
        ) {
            let mut folder = Analyzer::Plain.build();
            let entries = items
                .iter()
                .map(|(text, title, weight)| Entry {
                    key: fold(&mut folder, text),
                    text: text.clone(),
                    kind: if *title { SuggestionKind::Title } else { SuggestionKind::Phrase },
                    id: None,
                    weight: *weight,
                })
                .collect();
            let s = Suggester::assemble(entries, folder, 0, Vocabulary::new(HashMap::new()));
            let got: Vec<(String, SuggestionKind)> =
                s.suggest(&typed, n).into_iter().map(|x| (x.text, x.kind)).collect();
            proptest::prop_assert_eq!(got, naive(&s, &typed, n));
        }
    }
}
