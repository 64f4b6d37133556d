//! Finding the query's words in a passage and the fragment that shows them best, fast
//! enough to run for every passage shown.
//!
//! tantivy's snippet generator runs the field's whole analyzer over every passage and
//! looks every word up, and that was half the time of a search (BENCHMARKS.md). Stemming
//! only shortens or rewrites the end of a word, and folding and lower-casing leave an ASCII
//! start as it is (in lower case), so a word whose first two ASCII letters begin no query
//! term cannot stem to one (the third may change: "cry" stems to "cri"). Only the other
//! words go through the real analyzer. Fragments are chosen as tantivy chooses them (the
//! highest-scoring run of words within the length, the earliest of equals), and the tests
//! check that the result is the same as tantivy's own on the sample corpus.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use rustc_hash::FxHashMap;
use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::{TextAnalyzer, TokenStream};
use tantivy::{Searcher, Term};

use crate::snippet;

/// The analyzers drop tokens this long (bytes), before anything else.
const LONG_TOKEN: usize = 40;
/// How many leading characters of a term a word must share to be analyzed.
const PREFIX_CHARS: usize = 2;

/// Snippets of one field for one query.
pub struct Highlighter {
    /// Analyzed term → weight (rarer terms weigh more, as in tantivy).
    weights: HashMap<String, f32>,
    /// The first characters of every term (see the module docs).
    prefixes: Prefixes,
    analyzer: RefCell<TextAnalyzer>,
    /// Words already analyzed, as written, with their weight if they match: the same few
    /// words recur in every passage of a result page.
    /// Hashed with FxHash: SipHash of every word of every passage was a visible cost, and
    /// the words are the library's own, not an attacker's choice of keys.
    seen: RefCell<FxHashMap<String, Option<f32>>>,
    max_chars: usize,
}

/// The best fragment of a text: its byte range and the matched words in it, relative to
/// the fragment's start.
#[derive(Debug, Clone, PartialEq)]
pub struct Fragment {
    pub range: Range<usize>,
    pub marks: Vec<Range<usize>>,
}

/// A highlighter of `max_chars`-byte fragments of `field` for what `query` matches there.
pub fn highlighter(
    searcher: &Searcher,
    query: &dyn Query,
    field: Field,
    max_chars: usize,
) -> tantivy::Result<Highlighter> {
    let mut terms: BTreeSet<Term> = BTreeSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == field {
            terms.insert(term.clone());
        }
    });
    let mut weights: HashMap<String, f32> = HashMap::new();
    for term in &terms {
        let value = term.value();
        let Some(text) = value.as_str() else {
            continue;
        };
        let doc_freq = searcher.doc_freq(term)?;
        if doc_freq > 0 {
            weights.insert(text.to_string(), 1.0 / (1.0 + doc_freq as f32));
        }
    }
    let analyzer = searcher.index().tokenizer_for_field(field)?;
    Ok(Highlighter::new(weights, analyzer, max_chars))
}

impl Highlighter {
    pub fn new(weights: HashMap<String, f32>, analyzer: TextAnalyzer, max_chars: usize) -> Self {
        let prefixes = Prefixes::new(
            weights
                .keys()
                .map(|t| t.chars().take(PREFIX_CHARS).collect::<String>()),
        );
        Highlighter {
            weights,
            prefixes,
            analyzer: RefCell::new(analyzer),
            seen: RefCell::new(FxHashMap::default()),
            max_chars,
        }
    }

    /// The passage's best fragment as escaped HTML with `<mark>`s; `None` if no word matched.
    pub fn snippet_html(&self, text: &str) -> Option<String> {
        let f = self.best_fragment(text)?;
        Some(snippet::marked(
            &text[f.range.clone()],
            f.range.start > 0,
            &f.marks,
        ))
    }

    /// The highest-scoring fragment: words are added to a fragment until the next would
    /// end more than `max_chars` bytes after its start, which then opens a new one.
    pub fn best_fragment(&self, text: &str) -> Option<Fragment> {
        let mut best: Option<(f32, usize, usize, Vec<Range<usize>>)> = None;
        let mut cur = (0.0f32, 0usize, 0usize, Vec::new());
        let mut start: Option<usize> = None;
        let bytes = text.as_bytes();
        let mut next = 0;
        while next <= bytes.len() {
            let i = next;
            // Decoding chars only where the text is not ASCII: most of a passage is.
            let (alnum, width) = match bytes.get(i) {
                None => (false, 1),
                Some(&b) if b.is_ascii() => (b.is_ascii_alphanumeric(), 1),
                Some(_) => text[i..]
                    .chars()
                    .next()
                    .map_or((false, 1), |c| (c.is_alphanumeric(), c.len_utf8())),
            };
            next += width;
            if alnum {
                start.get_or_insert(i);
                continue;
            }
            let Some(from) = start.take() else {
                continue;
            };
            let word = &text[from..i];
            if word.len() >= LONG_TOKEN {
                continue;
            }
            if i - cur.1 > self.max_chars {
                let done = std::mem::replace(&mut cur, (0.0, from, from, Vec::new()));
                keep_best(&mut best, done);
            }
            cur.2 = i;
            if let Some(w) = self.weight(word) {
                cur.0 += w;
                cur.3.push(from..i);
            }
        }
        keep_best(&mut best, cur);
        let (_, from, to, marks) = best?;
        Some(Fragment {
            range: from..to,
            marks: marks
                .into_iter()
                .map(|r| r.start - from..r.end - from)
                .collect(),
        })
    }

    /// The weight of the term `word` analyzes to, if it is one of the query's.
    fn weight(&self, word: &str) -> Option<f32> {
        if !self.may_match(word) {
            return None;
        }
        if let Some(w) = self.seen.borrow().get(word) {
            return *w;
        }
        let w = {
            let mut analyzer = self.analyzer.borrow_mut();
            let mut stream = analyzer.token_stream(word);
            if stream.advance() {
                self.weights.get(stream.token().text.as_str()).copied()
            } else {
                None
            }
        };
        self.seen.borrow_mut().insert(word.to_string(), w);
        w
    }

    /// Whether `word` may analyze to a term: its first letters, lower-cased, begin one; a
    /// word starting with anything but ASCII is always analyzed (folding may rewrite it).
    fn may_match(&self, word: &str) -> bool {
        match *word.as_bytes() {
            [] => false,
            [a, ..] if !a.is_ascii() => true,
            [a] => self.prefixes.first[usize::from(a.to_ascii_lowercase())],
            [_, b, ..] if !b.is_ascii() => true,
            [a, b, ..] => {
                let a = a.to_ascii_lowercase();
                self.prefixes.lone[usize::from(a)] || self.prefixes.pair(a, b.to_ascii_lowercase())
            }
        }
    }
}

/// The terms' first characters as lookup tables: every word of every passage shown is
/// checked, and comparing it with each term's prefix in turn was a tenth of a search.
struct Prefixes {
    /// Bytes some prefix starts with: a one-letter word matches a longer prefix it begins
    /// (a word shorter than the prefix is its own stem).
    first: [bool; 256],
    /// Prefixes of one byte (one-letter terms): every word starting with it may match.
    lone: [bool; 256],
    /// Prefixes of two ASCII bytes, one bit per pair.
    pairs: [u64; 128 * 128 / 64],
}

impl Prefixes {
    fn new(prefixes: impl Iterator<Item = String>) -> Prefixes {
        let mut out = Prefixes {
            first: [false; 256],
            lone: [false; 256],
            pairs: [0; 128 * 128 / 64],
        };
        for p in prefixes {
            match *p.as_bytes() {
                [] => {}
                [a] => {
                    out.first[usize::from(a)] = true;
                    out.lone[usize::from(a)] = true;
                }
                [a, b] if a.is_ascii() && b.is_ascii() => {
                    out.first[usize::from(a)] = true;
                    let bit = Prefixes::bit(a, b);
                    out.pairs[bit / 64] |= 1 << (bit % 64);
                }
                // One multi-byte character, or an ASCII one and a multi-byte one: an ASCII
                // word can only be a prefix of it.
                [a, ..] => out.first[usize::from(a)] = true,
            }
        }
        out
    }

    /// Whether `a b` (two ASCII bytes) is a prefix.
    fn pair(&self, a: u8, b: u8) -> bool {
        let bit = Prefixes::bit(a, b);
        self.pairs[bit / 64] & (1 << (bit % 64)) != 0
    }

    fn bit(a: u8, b: u8) -> usize {
        usize::from(a & 0x7f) * 128 + usize::from(b & 0x7f)
    }
}

/// Keeps the higher-scoring fragment, the earlier of equals; unmatched ones never count.
fn keep_best(
    best: &mut Option<(f32, usize, usize, Vec<Range<usize>>)>,
    candidate: (f32, usize, usize, Vec<Range<usize>>),
) {
    if candidate.0 > 0.0 && best.as_ref().is_none_or(|b| candidate.0 > b.0) {
        *best = Some(candidate);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use tantivy::snippet::SnippetGenerator;

    use super::*;
    use crate::analyzers::Analyzer;

    fn stems(analyzer: &mut TextAnalyzer, words: &str) -> BTreeMap<String, f32> {
        let mut out = BTreeMap::new();
        let mut s = analyzer.token_stream(words);
        let mut i = 0;
        while s.advance() {
            i += 1;
            out.insert(s.token().text.clone(), 1.0 / (1.0 + i as f32));
        }
        out
    }

    /// The sample corpus's own text, cut into passage-sized pieces.
    fn passages() -> Vec<String> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
        let mut out = Vec::new();
        for dir in ["md", "html"] {
            let Ok(entries) = std::fs::read_dir(root.join(dir)) else {
                continue;
            };
            for e in entries.flatten() {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                let chars: Vec<char> = text.chars().collect();
                for piece in chars.chunks(1500) {
                    out.push(piece.iter().collect());
                }
            }
        }
        out.push("Happy happiness HAPPILY happier cry cries crying: ñandú, Æsop, político políticas ×2 ab a I".into());
        out.push(format!("{} water {}", "x".repeat(45), "ü".repeat(30)));
        out
    }

    #[test]
    fn fragments_are_the_same_as_tantivys_own() {
        let texts = passages();
        assert!(
            texts.len() > 50,
            "the sample corpus is missing: {}",
            texts.len()
        );
        let queries = [
            (Analyzer::English, "water shutoffs affordability"),
            (Analyzer::English, "parking minimums housing"),
            (Analyzer::English, "happiness city I a cry"),
            (Analyzer::English, "heat island mapping volunteers"),
            (Analyzer::English, "stormwater green infrastructure"),
            (Analyzer::Spanish, "políticas vivienda agua calor"),
            (Analyzer::Spanish, "ñandú inmigrantes ciudades acogedoras"),
            (Analyzer::Plain, "Æsop water 2019"),
        ];
        let field = Field::from_field_id(0);
        let mut compared = 0;
        for (lang, q) in queries {
            let mut real = lang.build();
            let terms = stems(&mut real, q);
            let theirs = SnippetGenerator::new(terms.clone(), real.clone(), field, 150);
            let ours = Highlighter::new(terms.into_iter().collect(), real.clone(), 150);
            for t in &texts {
                let a = theirs.snippet(t);
                match ours.best_fragment(t) {
                    Some(b) => {
                        assert_eq!(a.fragment_range(), b.range, "{q:?} in {t:?}");
                        assert_eq!(a.highlighted(), b.marks.as_slice(), "{q:?} in {t:?}");
                        compared += 1;
                    }
                    None => assert!(a.highlighted().is_empty(), "{q:?} in {t:?}"),
                }
            }
        }
        assert!(
            compared > 40,
            "too few texts matched to compare: {compared}"
        );
    }

    #[test]
    fn snippets_mark_matches_and_escape_the_rest() {
        let mut en = Analyzer::English.build();
        let h = Highlighter::new(stems(&mut en, "shutoffs").into_iter().collect(), en, 150);
        assert_eq!(
            h.snippet_html("Water <b>shutoff</b> rules & moratoriums.")
                .as_deref(),
            Some("Water &lt;b&gt;<mark>shutoff</mark>&lt;/b&gt; rules &amp; moratoriums…")
        );
        assert_eq!(h.snippet_html("Nothing here matches."), None);
    }

    /// The definition the tables implement, word by word against every prefix.
    fn may_match_naive(prefixes: &[String], word: &str) -> bool {
        let bytes = word.as_bytes();
        let n = bytes.len().min(PREFIX_CHARS);
        let mut head = bytes[..n].to_vec();
        if !head.is_ascii() {
            return true;
        }
        head.make_ascii_lowercase();
        prefixes.iter().any(|p| {
            let p = p.as_bytes();
            head.starts_with(p) || (head.len() < p.len() && p.starts_with(&head))
        })
    }

    proptest::proptest! {
        #[test]
        fn prefix_tables_agree_with_the_definition(
            terms in proptest::collection::vec("[a-zñé]{1,4}|[0-9]{1,3}|[a-z][é]", 0..8),
            words in proptest::collection::vec("[a-zA-ZñÑé0-9]{1,5}", 1..40),
        ) {
            let weights: HashMap<String, f32> = terms.iter().map(|t| (t.clone(), 1.0)).collect();
            let h = Highlighter::new(weights, Analyzer::English.build(), 150);
            let prefixes: Vec<String> =
                terms.iter().map(|t| t.chars().take(PREFIX_CHARS).collect()).collect();
            for w in &words {
                proptest::prop_assert_eq!(h.may_match(w), may_match_naive(&prefixes, w), "{:?}", w);
            }
        }
    }
}
