//! "Did you mean": a correction for a query whose words the library does not contain.
//!
//! Candidates come from the library's own vocabulary (words found in at least two documents,
//! counted while the suggester is built), so a correction is always a word that would find
//! something. A word is left alone when the index knows it in any language field, when it is
//! short, an acronym (all capitals), a number, or part of the query syntax (quotes, fields,
//! `-exclusions`, `OR`).

use std::collections::HashMap;

use tantivy::Searcher;

use crate::store::Store;

/// Words shorter than this are never corrected: too many neighbours, too little signal.
const MIN_WORD_CHARS: usize = 4;
/// A vocabulary word must appear in this many documents to be offered.
pub const MIN_WORD_DOCS: u32 = 2;

/// Corrections allowed for a word of `n` characters.
fn max_edits(n: usize) -> usize {
    if n >= 8 {
        2
    } else {
        1
    }
}

/// Lower-case words of the library with their document counts.
#[derive(Debug, Default, Clone)]
pub struct Vocabulary {
    words: Vec<(String, u32)>,
}

impl Vocabulary {
    pub fn new(words: HashMap<String, u32>) -> Vocabulary {
        let mut words: Vec<(String, u32)> = words
            .into_iter()
            .filter(|(w, n)| *n >= MIN_WORD_DOCS && w.chars().count() >= MIN_WORD_CHARS)
            .collect();
        words.sort();
        Vocabulary { words }
    }

    pub fn len(&self) -> usize {
        self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    fn contains(&self, w: &str) -> bool {
        self.words
            .binary_search_by(|(x, _)| x.as_str().cmp(w))
            .is_ok()
    }

    /// The most frequent vocabulary word within the allowed edits of `w`.
    fn nearest(&self, w: &str) -> Option<&str> {
        let n = w.chars().count();
        let edits = max_edits(n);
        self.words
            .iter()
            .filter(|(x, _)| x.chars().count().abs_diff(n) <= edits)
            .filter_map(|(x, docs)| {
                let d = strsim::damerau_levenshtein(w, x);
                (d <= edits).then_some((d, *docs, x.as_str()))
            })
            // Fewest edits first, then the word more documents use.
            .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)))
            .map(|(_, _, x)| x)
    }
}

/// A word of the query that may be corrected, or `None` for syntax, acronyms and numbers.
fn correctable(token: &str) -> Option<String> {
    if token.chars().count() < MIN_WORD_CHARS
        || !token.chars().all(char::is_alphabetic)
        || token.chars().all(char::is_uppercase)
    {
        return None;
    }
    Some(token.to_lowercase())
}

/// The query with its unknown words corrected, or `None` when nothing needed (or found) a
/// correction.
pub fn correct(
    vocab: &Vocabulary,
    store: &Store,
    searcher: &Searcher,
    query: &str,
) -> Option<String> {
    if vocab.is_empty() || query.contains('"') {
        return None;
    }
    let mut changed = false;
    let mut out: Vec<String> = Vec::new();
    for token in query.split_whitespace() {
        let fixed = correctable(token).and_then(|w| {
            if vocab.contains(&w)
                || crate::typos::is_indexed(&store.index, searcher, &store.fields, &w)
            {
                None
            } else {
                vocab.nearest(&w).map(str::to_string)
            }
        });
        match fixed {
            Some(w) => {
                changed = true;
                out.push(w);
            }
            None => out.push(token.to_string()),
        }
    }
    changed.then(|| out.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vocab() -> Vocabulary {
        Vocabulary::new(
            [
                ("stormwater", 12),
                ("affordable", 30),
                ("shutoffs", 5),
                ("water", 80),
                ("waiter", 2),
                ("housing", 40),
                ("rare", 1),
            ]
            .into_iter()
            .map(|(w, n)| (w.to_string(), n))
            .collect(),
        )
    }

    #[test]
    fn nearest_prefers_fewer_edits_then_more_documents() {
        let v = vocab();
        assert_eq!(v.nearest("stormwatter"), Some("stormwater"));
        assert_eq!(v.nearest("afordable"), Some("affordable"));
        assert_eq!(v.nearest("shutofs"), Some("shutoffs"));
        // "watr" is one edit from "water" (80 documents) and two from "waiter".
        assert_eq!(v.nearest("watr"), Some("water"));
        assert_eq!(v.nearest("zoning"), None);
        // Words in a single document are not offered.
        assert!(!v.contains("rare"));
    }

    #[test]
    fn syntax_acronyms_and_short_words_are_left_alone() {
        assert_eq!(correctable("LIHTC"), None);
        assert_eq!(correctable("ADU"), None);
        assert_eq!(correctable("tif"), None);
        assert_eq!(correctable("2021"), None);
        assert_eq!(correctable("title:water"), None);
        assert_eq!(correctable("-water"), None);
        assert_eq!(correctable("Stormwatter"), Some("stormwatter".into()));
    }
}
