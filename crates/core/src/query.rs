//! From what a user typed to tantivy queries: one over documents (title and whole text),
//! one over passages. Malformed syntax never fails: the parser is lenient, and whatever it
//! cannot read is taken as plain words.

use tantivy::query::{Query, QueryParser};
use tantivy::Index;

use crate::schema::Fields;

/// How much a title match counts against a body match.
const TITLE_BOOST: f32 = 3.0;

/// Parses `text` for document records: title fields boosted over the whole text.
pub fn document_query(index: &Index, f: &Fields, text: &str) -> Box<dyn Query> {
    let mut fields: Vec<_> = f.title_text.all().to_vec();
    fields.extend(f.all_text.all());
    let mut parser = QueryParser::for_index(index, fields);
    for t in f.title_text.all() {
        parser.set_field_boost(t, TITLE_BOOST);
    }
    parse(&parser, text)
}

/// How much a heading match counts against a passage body match.
const HEADING_BOOST: f32 = 2.0;

/// Parses `text` for passage records: body text, and the passage's heading boosted.
pub fn passage_query(index: &Index, f: &Fields, text: &str) -> Box<dyn Query> {
    let mut fields: Vec<_> = f.body.all().to_vec();
    fields.extend(f.heading_text.all());
    let mut parser = QueryParser::for_index(index, fields);
    for h in f.heading_text.all() {
        parser.set_field_boost(h, HEADING_BOOST);
    }
    parse(&parser, text)
}

fn parse(parser: &QueryParser, text: &str) -> Box<dyn Query> {
    let (q, errors) = parser.parse_query_lenient(text);
    if errors.is_empty() {
        return q;
    }
    // Lenient parsing still drops pieces it cannot read (e.g. unknown fields); fall back to
    // the words alone so that nothing the user typed is silently ignored.
    let words: String = text
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    parser.parse_query_lenient(&words).0
}
