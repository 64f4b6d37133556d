//! The index schema: the only place field names are spelled.
//!
//! One tantivy index holds two kinds of records, told apart by `kind`:
//! - a **document** record per file (or JSONL line): metadata, facets, and its whole text
//!   in the `all_*` fields, indexed but not stored. Document search and facet counts run
//!   over these, so counts count documents, not pages.
//! - a **passage** record per PDF page or section (split when over-long): its text stored
//!   for snippets, with page and anchor, and the document's id, path and filter fields
//!   repeated so passages can be searched and filtered on their own.
//!
//! Every record carries `id` and `path`: deleting by `path` removes a file's document and
//! passages in one step, which is what makes re-indexing a changed file exactly-once.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST,
    INDEXED, STORED, STRING,
};

use crate::analyzers::Analyzer;

/// Bumped whenever fields change meaning; an index built by another version is refused.
pub const SCHEMA_VERSION: &str = "polsearch-schema-3";

pub const KIND_DOC: &str = "doc";
pub const KIND_PASSAGE: &str = "passage";

/// Per-language text fields: one field per analyzer, since tantivy picks the analyzer by field.
#[derive(Debug, Clone, Copy)]
pub struct LangFields {
    pub en: Field,
    pub es: Field,
    pub xx: Field,
}

impl LangFields {
    pub fn for_analyzer(&self, a: Analyzer) -> Field {
        match a {
            Analyzer::English => self.en,
            Analyzer::Spanish => self.es,
            Analyzer::Plain => self.xx,
        }
    }

    pub fn all(&self) -> [Field; 3] {
        [self.en, self.es, self.xx]
    }

    pub fn analyzer_of(&self, f: Field) -> Option<Analyzer> {
        Analyzer::ALL
            .into_iter()
            .find(|a| self.for_analyzer(*a) == f)
    }
}

/// Handles to every field of the schema.
#[derive(Debug, Clone)]
pub struct Fields {
    pub kind: Field,
    pub id: Field,
    /// [`record_key`] of `id`, as a fast field: what joins passages to their document at
    /// query time, without turning term ordinals back into strings.
    pub key: Field,
    pub path: Field,
    pub url: Field,
    pub source: Field,
    /// Display title (stored, not indexed).
    pub title: Field,
    /// Title, indexed per language (not stored).
    pub title_text: LangFields,
    /// Document records: the whole text, indexed per language (not stored).
    pub all_text: LangFields,
    /// Passage records: the passage text, indexed per language and stored for snippets.
    pub body: LangFields,
    pub heading: Field,
    /// Passage records: the heading that opens the passage, indexed per language, so that a
    /// section whose heading matches outranks one that merely mentions the words.
    pub heading_text: LangFields,
    pub description: Field,
    pub doc_type: Field,
    pub year: Field,
    pub date: Field,
    pub language: Field,
    pub topics: Field,
    /// Places a document is about (`Austin, TX`, `TX`), stored for display.
    pub place: Field,
    /// Every filter value as a facet (`/type/report`, `/language/es`, `/year/2021`,
    /// `/place/Austin, TX`), so one facet collector counts them all.
    pub facets: Field,
    pub has_text: Field,
    pub pages: Field,
    pub page: Field,
    pub anchor: Field,
    pub ord: Field,
    pub hash: Field,
    pub schema: Schema,
}

fn text_opts(a: Analyzer, stored: bool) -> TextOptions {
    let indexing = TextFieldIndexing::default()
        .set_tokenizer(a.tokenizer_name())
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let opts = TextOptions::default().set_indexing_options(indexing);
    if stored {
        opts.set_stored()
    } else {
        opts
    }
}

fn lang_fields(b: &mut tantivy::schema::SchemaBuilder, prefix: &str, stored: bool) -> LangFields {
    let mut add = |a: Analyzer| {
        b.add_text_field(
            &format!("{prefix}_{}", a.field_suffix()),
            text_opts(a, stored),
        )
    };
    LangFields {
        en: add(Analyzer::English),
        es: add(Analyzer::Spanish),
        xx: add(Analyzer::Plain),
    }
}

impl Fields {
    pub fn build() -> Fields {
        let mut b = Schema::builder();
        let kind = b.add_text_field("kind", STRING | FAST);
        let id = b.add_text_field("id", STRING | STORED);
        let key = b.add_u64_field("key", FAST);
        let path = b.add_text_field("path", STRING | STORED);
        let url = b.add_text_field("url", STORED);
        let source = b.add_text_field("source", STRING | STORED | FAST);
        let title = b.add_text_field("title", STORED);
        let title_text = lang_fields(&mut b, "title", false);
        let all_text = lang_fields(&mut b, "all", false);
        let body = lang_fields(&mut b, "body", true);
        let heading = b.add_text_field("heading", STORED);
        let heading_text = lang_fields(&mut b, "heading", false);
        let description = b.add_text_field("description", STORED);
        let doc_type = b.add_text_field("type", STRING | STORED | FAST);
        let u64_opts = NumericOptions::default()
            .set_indexed()
            .set_stored()
            .set_fast();
        let year = b.add_u64_field("year", u64_opts.clone());
        let date = b.add_text_field("date", STORED);
        let language = b.add_text_field("language", STRING | STORED | FAST);
        let topics = b.add_facet_field(
            "topics",
            tantivy::schema::FacetOptions::default().set_stored(),
        );
        let place = b.add_text_field("place", STRING | STORED);
        let facets = b.add_facet_field("facets", tantivy::schema::FacetOptions::default());
        let has_text = b.add_bool_field("has_text", INDEXED | STORED | FAST);
        let pages = b.add_u64_field("pages", STORED);
        let page = b.add_u64_field("page", STORED | FAST);
        let anchor = b.add_text_field("anchor", STORED);
        let ord = b.add_u64_field("ord", STORED | FAST);
        let hash = b.add_text_field("hash", STORED);
        let schema = b.build();
        Fields {
            kind,
            id,
            key,
            path,
            url,
            source,
            title,
            title_text,
            all_text,
            body,
            heading,
            heading_text,
            description,
            doc_type,
            year,
            date,
            language,
            topics,
            place,
            facets,
            has_text,
            pages,
            page,
            anchor,
            ord,
            hash,
            schema,
        }
    }

    /// Field handles for an existing index's schema (which must be this schema).
    pub fn from_schema(schema: &Schema) -> Option<Fields> {
        let expected = Fields::build();
        // Same field names in the same order is what makes the handles valid.
        let same = expected
            .schema
            .fields()
            .map(|(_, e)| e.name().to_string())
            .collect::<Vec<_>>()
            == schema
                .fields()
                .map(|(_, e)| e.name().to_string())
                .collect::<Vec<_>>();
        same.then_some(expected)
    }
}

/// The 64-bit key of a document id: the first eight bytes of its BLAKE3 digest, so that it
/// is the same in every build and on every machine. Two ids of one library sharing a key is
/// under a one in ten million chance at a million documents, and would only mix their
/// passages.
/// Never 0, which stands for a record without an id.
pub fn record_key(id: &str) -> u64 {
    let digest = blake3::hash(id.as_bytes());
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest.as_bytes()[..8]);
    u64::from_le_bytes(head).max(1)
}

/// Facet dimensions in the `facets` field, as the API names them.
pub const FACET_TYPE: &str = "type";
pub const FACET_LANGUAGE: &str = "language";
pub const FACET_YEAR: &str = "year";
pub const FACET_PLACE: &str = "place";

/// The facet for one value of a dimension; values may contain `/` or `,`.
pub fn facet_value(dimension: &str, value: &str) -> tantivy::schema::Facet {
    tantivy::schema::Facet::from_path([dimension, value])
}

/// A stored facet as a readable path (`/water/affordability`); tantivy stores facets with
/// an internal separator.
pub fn facet_path(encoded: &str) -> String {
    match tantivy::schema::Facet::from_encoded(encoded.as_bytes().to_vec()) {
        Ok(f) => f.to_path_string(),
        Err(_) => format!("/{}", encoded.replace(char::from(0), "/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Keys are stored in every index: a change of digest would silently part every
    /// existing index's passages from their documents, so it must come with a new
    /// [`SCHEMA_VERSION`].
    #[test]
    fn record_keys_are_fixed_and_distinct() {
        assert_eq!(
            record_key("pdf/water-affordability.pdf"),
            17930379611322284798
        );
        assert_eq!(record_key(""), 12007152915317330863);
        let keys: std::collections::HashSet<u64> = (0..10_000)
            .map(|i| record_key(&format!("html/page-{i}.html")))
            .collect();
        assert_eq!(keys.len(), 10_000);
        assert!(!keys.contains(&0));
    }
}
