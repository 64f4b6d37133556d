//! A stemming token filter that remembers the words it has stemmed.
//!
//! tantivy's `Stemmer` runs the Snowball algorithm on every token. Indexing writes each word
//! of a document twice (the document's whole text and its passage) and a library repeats
//! the same few thousand words endlessly, so most of that work is done again on a word
//! already seen: on ../shared/corpus stemming was a third of the index writer's CPU. This
//! filter gives exactly the same stems (the same frostem algorithms) and keeps what it
//! computed, per analyzer instance (tantivy hands each segment writer and each query its own
//! copy), up to [`MAX_REMEMBERED`] words.

use std::borrow::Cow;

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered before the memo starts over: a library's vocabulary is tens of
/// thousands of words; this bounds a pathological one (a few MB).
const MAX_REMEMBERED: usize = 100_000;
/// Tokens an analyzer instance stems before it starts remembering: a query's analyzer sees
/// a few words and is dropped, and filling a memo for it cost more than stemming them
/// (real corpus, keyword searches 0.83 -> 0.9 ms); an indexing one sees millions.
const REMEMBER_AFTER: usize = 256;

/// The Snowball stemmer of `algorithm`, memoized.
#[derive(Clone)]
pub struct CachedStemmer {
    algorithm: frostem::Algorithm,
}

impl CachedStemmer {
    pub fn new(algorithm: frostem::Algorithm) -> CachedStemmer {
        CachedStemmer { algorithm }
    }
}

impl TokenFilter for CachedStemmer {
    type Tokenizer<T: Tokenizer> = CachedStemmerFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> CachedStemmerFilter<T> {
        CachedStemmerFilter {
            algorithm: self.algorithm,
            memo: FxHashMap::default(),
            seen: 0,
            inner,
        }
    }
}

#[derive(Clone)]
pub struct CachedStemmerFilter<T> {
    algorithm: frostem::Algorithm,
    /// Word → stem.
    memo: FxHashMap<Box<str>, Box<str>>,
    /// Tokens stemmed so far, up to [`REMEMBER_AFTER`].
    seen: usize,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for CachedStemmerFilter<T> {
    type TokenStream<'a> = CachedStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CachedStemmerStream {
            tail: self.inner.token_stream(text),
            stemmer: frostem::Stemmer::new(self.algorithm),
            memo: &mut self.memo,
            seen: &mut self.seen,
        }
    }
}

pub struct CachedStemmerStream<'a, T> {
    tail: T,
    stemmer: frostem::Stemmer,
    memo: &'a mut FxHashMap<Box<str>, Box<str>>,
    seen: &'a mut usize,
}

impl<T: TokenStream> TokenStream for CachedStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        if *self.seen < REMEMBER_AFTER {
            *self.seen += 1;
            // A borrowed stem is a slice of the word (often all of it).
            let stem = match self.stemmer.stem(&token.text) {
                Cow::Owned(stem) => Some(stem),
                Cow::Borrowed(stem) if stem.len() != token.text.len() => Some(stem.to_string()),
                Cow::Borrowed(_) => None,
            };
            if let Some(stem) = stem {
                token.text = stem;
            }
            return true;
        }
        if let Some(stem) = self.memo.get(token.text.as_str()) {
            if **stem != *token.text {
                token.text.clear();
                token.text.push_str(stem);
            }
            return true;
        }
        let stem: Box<str> = match self.stemmer.stem(&token.text) {
            Cow::Borrowed(s) => s.into(),
            Cow::Owned(s) => s.into(),
        };
        if self.memo.len() >= MAX_REMEMBERED {
            self.memo.clear();
        }
        let word = std::mem::replace(&mut token.text, stem.to_string());
        self.memo.insert(word.into_boxed_str(), stem);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::strategy::Strategy;
    use tantivy::tokenizer::{Language, LowerCaser, SimpleTokenizer, Stemmer, TextAnalyzer};

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.position, t.offset_from, t.offset_to));
        }
        out
    }

    fn pair(language: Language, algorithm: frostem::Algorithm) -> (TextAnalyzer, TextAnalyzer) {
        let theirs = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(Stemmer::new(language))
            .build();
        let ours = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .filter(CachedStemmer::new(algorithm))
            .build();
        (theirs, ours)
    }

    proptest::proptest! {
        /// The same tokens as tantivy's stemmer (text, position, offsets), on the first
        /// pass and again from the memo, in English and Spanish.
        #[test]
        fn the_same_tokens_as_tantivys_stemmer(
            words in proptest::collection::vec(
                proptest::prop_oneof![
                    "[a-zA-Z]{1,12}",
                    proptest::sample::select(vec![
                        "shutoffs", "running", "viviendas", "políticas", "agua", "cities",
                        "generously", "communities", "asequibles", "the", "a", "ñandú",
                    ]).prop_map(String::from),
                ],
                0..40),
        ) {
            // Long enough that the memo is used (after REMEMBER_AFTER tokens) on the
            // second pass at least.
            let text = words.join(" ").repeat(8);
            for (language, algorithm) in [
                (Language::English, frostem::Algorithm::English),
                (Language::Spanish, frostem::Algorithm::Spanish),
            ] {
                let (mut theirs, mut ours) = pair(language, algorithm);
                let expected = tokens(&mut theirs, &text);
                proptest::prop_assert_eq!(&tokens(&mut ours, &text), &expected);
                proptest::prop_assert_eq!(&tokens(&mut ours, &text), &expected);
            }
        }
    }
}
