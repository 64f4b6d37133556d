//! Typo tolerance: a query word the library does not contain ("stormwatter", "floding") is
//! searched together with the closest word it does contain, found in the index's own term
//! dictionary with a Levenshtein automaton.
//!
//! Deliberately narrow, so it never changes a query that was typed right: only words of at
//! least [`MIN_CHARS`] letters, never acronyms (all capitals), numbers, quoted phrases or
//! `title:` clauses, and only words with no match at all in any language field. Edits are
//! counted on the analyzed (stemmed) term: one for words under six letters or stems under
//! five, two otherwise; a candidate with one edit more must be used by ten times as many
//! documents.

use levenshtein_automata::{Distance, LevenshteinAutomatonBuilder, DFA, SINK_STATE};
use tantivy::schema::Field;
use tantivy::tokenizer::TokenStream;
use tantivy::{Index, Searcher, Term};
use tantivy_fst::Automaton;

use crate::schema::Fields;
use crate::syntax::{ParsedQuery, TextClause};

/// Shorter words are left alone: too many neighbours, too little evidence.
pub const MIN_CHARS: usize = 5;
/// Corrections looked up per query at most (a pasted paragraph is not spell-checked word
/// by word).
const MAX_WORDS: usize = 6;

struct Dfa(DFA);

impl Automaton for Dfa {
    type State = u32;

    fn start(&self) -> u32 {
        self.0.initial_state()
    }

    fn is_match(&self, state: &u32) -> bool {
        matches!(self.0.distance(*state), Distance::Exact(_))
    }

    fn can_match(&self, state: &u32) -> bool {
        *state != SINK_STATE
    }

    fn accept(&self, state: &u32, byte: u8) -> u32 {
        self.0.transition(*state, byte)
    }
}

fn analyze_one(index: &Index, field: Field, text: &str) -> Option<String> {
    let mut analyzer = index.tokenizer_for_field(field).ok()?;
    let mut stream = analyzer.token_stream(text);
    let first = stream.next()?.text.clone();
    // A word the analyzer splits in two is not a single word to correct.
    stream.next().is_none().then_some(first)
}

fn doc_freq(searcher: &Searcher, field: Field, term: &str) -> u64 {
    searcher
        .doc_freq(&Term::from_field_text(field, term))
        .unwrap_or(0)
}

/// True when some document holds `word` in any language field, as that field's analyzer
/// indexes it.
pub(crate) fn is_indexed(index: &Index, searcher: &Searcher, f: &Fields, word: &str) -> bool {
    f.all_text.all().into_iter().any(|field| {
        analyze_one(index, field, word).is_some_and(|t| doc_freq(searcher, field, &t) > 0)
    })
}

/// True when the word may be corrected at all.
fn correctable(c: &TextClause) -> bool {
    let n = c.text.chars().count();
    !c.phrase
        && !c.title_only
        && n >= MIN_CHARS
        && c.text.chars().all(char::is_alphabetic)
        && !c.text.chars().all(char::is_uppercase)
}

/// The closest indexed term to `term` in `field` with its document frequency.
fn closest(searcher: &Searcher, field: Field, term: &str, edits: u8) -> Option<(u8, f64, String)> {
    let builder = LevenshteinAutomatonBuilder::new(edits, true);
    let mut best: Option<(u8, f64, String)> = None;
    for reader in searcher.segment_readers() {
        let Ok(inverted) = reader.inverted_index(field) else {
            continue;
        };
        let mut stream = match inverted
            .terms()
            .search(Dfa(builder.build_dfa(term)))
            .into_stream()
        {
            Ok(s) => s,
            Err(_) => continue,
        };
        while stream.advance() {
            let Ok(candidate) = std::str::from_utf8(stream.key()) else {
                continue;
            };
            if candidate == term {
                continue;
            }
            let d = match builder.build_dfa(term).eval(candidate) {
                Distance::Exact(d) => d,
                Distance::AtLeast(_) => continue,
            };
            let df = doc_freq(searcher, field, candidate);
            // Each extra edit must be paid for with ten times the documents: "flode"
            // (floding) goes to "flood" (2 edits, common) rather than "lode" (1, rare).
            let weight = df as f64 / 10f64.powi(i32::from(d) - 1);
            let better = match &best {
                None => true,
                Some((_, bw, bt)) => weight > *bw || (weight == *bw && candidate < bt.as_str()),
            };
            if better {
                best = Some((d, weight, candidate.to_string()));
            }
        }
    }
    best
}

/// The query with each unknown word's group widened by its correction. Returns the
/// corrections made, as (typed, corrected) pairs of analyzed terms.
pub fn widen(
    index: &Index,
    searcher: &Searcher,
    f: &Fields,
    q: &mut ParsedQuery,
) -> Vec<(String, String)> {
    let mut made = Vec::new();
    let mut looked = 0;
    for group in q.groups.iter_mut() {
        let mut added: Vec<TextClause> = Vec::new();
        for c in group.iter().filter(|c| correctable(c)) {
            if looked >= MAX_WORDS {
                break;
            }
            if is_indexed(index, searcher, f, &c.text) {
                continue;
            }
            looked += 1;
            let long_word = c.text.chars().count() >= 6;
            for field in f.all_text.all() {
                let Some(term) = analyze_one(index, field, &c.text) else {
                    continue;
                };
                // Budgets are for the typed word, since a typo often changes the stem by one
                // more letter ("floding" → "flode", "flooding" → "flood"); but two edits of
                // a stem of four letters rewrite half of it ("parking" → "park" → "page").
                let edits = if long_word && term.chars().count() >= 5 {
                    2
                } else {
                    1
                };
                let Some((_, _, fix)) = closest(searcher, field, &term, edits) else {
                    continue;
                };
                // The correction goes back through the analyzers as text, so it must come
                // out as itself (a stem that re-stems differently would miss).
                if analyze_one(index, field, &fix).as_deref() != Some(fix.as_str()) {
                    continue;
                }
                if !added.iter().any(|a| a.text == fix) {
                    made.push((term.clone(), fix.clone()));
                    added.push(TextClause {
                        text: fix,
                        phrase: false,
                        title_only: false,
                    });
                }
            }
        }
        group.extend(added);
    }
    made
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{add_document, DocRecord, PassageRecord};
    use crate::syntax::parse;
    use crate::Store;

    fn store(texts: &[&str]) -> (Store, Searcher) {
        let store = Store::in_memory();
        let mut w = store.index.writer(20_000_000).expect("writer");
        for (i, t) in texts.iter().enumerate() {
            let rec = DocRecord {
                id: format!("d{i}"),
                path: format!("d{i}.md"),
                source: "markdown".into(),
                title: format!("Doc {i}"),
                language: "en".into(),
                has_text: true,
                passages: vec![PassageRecord {
                    text: t.to_string(),
                    ..Default::default()
                }],
                ..Default::default()
            };
            add_document(&w, &store.fields, &rec).expect("add");
        }
        w.commit().expect("commit");
        let searcher = store.index.reader().expect("reader").searcher();
        (store, searcher)
    }

    fn widened(store: &Store, searcher: &Searcher, q: &str) -> Vec<Vec<String>> {
        let mut p = parse(q);
        widen(&store.index, searcher, &store.fields, &mut p);
        p.groups
            .iter()
            .map(|g| g.iter().map(|c| c.text.clone()).collect())
            .collect()
    }

    #[test]
    fn unknown_words_gain_their_nearest_indexed_word() {
        let (s, r) = store(&[
            "Stormwater fees fund green infrastructure.",
            "Stormwater runoff and flooding in neighborhoods.",
            "Affordable housing and flooding.",
        ]);
        let g = widened(&s, &r, "stormwatter afordable floding");
        assert_eq!(g[0][1], "stormwat", "{g:?}");
        assert_eq!(g[2][1], "flood", "{g:?}");
        assert_eq!(g[0].len(), 2, "{g:?}");
        assert_eq!(g[1].len(), 2, "{g:?}");
        assert_eq!(g[2].len(), 2, "{g:?}");
    }

    #[test]
    fn known_short_capital_and_quoted_words_are_left_alone() {
        let (s, r) = store(&["Water rates and the LIHTC credit.", "Parks and trails."]);
        for q in [
            "water rates",
            "LIHTCX",
            "wter",
            "\"watter rates\"",
            "title:watter",
        ] {
            let g = widened(&s, &r, q);
            assert!(g.iter().all(|x| x.len() == 1), "{q}: {g:?}");
        }
        // Nothing near enough: no correction at all.
        let g = widened(&s, &r, "zoning");
        assert_eq!(g, vec![vec!["zoning".to_string()]]);
    }

    #[test]
    fn a_short_stem_gets_one_edit_however_long_the_word() {
        // "parking" stems to "park": two edits would reach "page", a different word.
        let (s, r) = store(&[
            "Cover page of the stormwater brief.",
            "Sidewalk dark sky rules.",
        ]);
        let g = widened(&s, &r, "parking");
        assert_eq!(
            g,
            vec![vec!["parking".to_string(), "dark".to_string()]],
            "{g:?}"
        );
    }
}
