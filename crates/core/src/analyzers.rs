//! Text analyzers, one per supported language, and the choice of analyzer for a document.
//!
//! English and Spanish get stemming so that "shutoffs" finds "shutoff" and "viviendas"
//! finds "vivienda"; every other language gets a non-stemming analyzer, because a wrong
//! stemmer conflates unrelated words. All fold accents, so "politica" finds "política".

use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RemoveLongFilter, SimpleTokenizer, TextAnalyzer,
};
use tantivy::Index;

use crate::stemming::CachedStemmer;

/// The analyzer family a document's text is indexed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Analyzer {
    English,
    Spanish,
    Plain,
}

impl Analyzer {
    pub const ALL: [Analyzer; 3] = [Analyzer::English, Analyzer::Spanish, Analyzer::Plain];

    /// The analyzer for an ISO 639-1 language code; unknown languages are not stemmed.
    pub fn for_language(lang: &str) -> Analyzer {
        match lang {
            "en" => Analyzer::English,
            "es" => Analyzer::Spanish,
            _ => Analyzer::Plain,
        }
    }

    /// The name under which the analyzer is registered with tantivy.
    pub fn tokenizer_name(self) -> &'static str {
        match self {
            Analyzer::English => "ps_en",
            Analyzer::Spanish => "ps_es",
            Analyzer::Plain => "ps_plain",
        }
    }

    /// Suffix of the per-language field names (`body_en`, `body_es`, `body_xx`).
    pub fn field_suffix(self) -> &'static str {
        match self {
            Analyzer::English => "en",
            Analyzer::Spanish => "es",
            Analyzer::Plain => "xx",
        }
    }

    pub(crate) fn build(self) -> TextAnalyzer {
        let base = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(AsciiFoldingFilter);
        match self {
            Analyzer::English => base
                .filter(CachedStemmer::new(frostem::Algorithm::English))
                .build(),
            Analyzer::Spanish => base
                .filter(CachedStemmer::new(frostem::Algorithm::Spanish))
                .build(),
            Analyzer::Plain => base.build(),
        }
    }
}

/// Registers every analyzer with an index; must run before writing or parsing queries.
pub fn register(index: &Index) {
    for a in Analyzer::ALL {
        index.tokenizers().register(a.tokenizer_name(), a.build());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TokenStream;

    fn tokens(a: Analyzer, text: &str) -> Vec<String> {
        let mut analyzer = a.build();
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(t) = stream.next() {
            out.push(t.text.clone());
        }
        out
    }

    #[test]
    fn english_stems_and_folds() {
        assert_eq!(
            tokens(Analyzer::English, "Water Shutoffs, shutoff"),
            ["water", "shutoff", "shutoff"]
        );
    }

    #[test]
    fn spanish_stems_and_folds_accents() {
        let t = tokens(Analyzer::Spanish, "Viviendas asequibles política");
        assert_eq!(t, tokens(Analyzer::Spanish, "vivienda asequible politica"));
    }

    #[test]
    fn plain_does_not_stem() {
        assert_eq!(
            tokens(Analyzer::Plain, "Nước sạch cities"),
            ["nuoc", "sach", "cities"]
        );
    }
}
