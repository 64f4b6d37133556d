//! JSON Lines: one document per line, for bulk import and judged test collections.
//!
//! Each line is `{"id","title","text"}` with optional `url`, `date`, `type`, `topics`,
//! `language`. Instead of `text`, a record may give `pages`, a list of page texts (text
//! extracted elsewhere, OCR output): each becomes a numbered page, as a PDF's would. The
//! record's `id` becomes the document id. A bad line is reported with its
//! line number and the rest of the file is still read.

use serde::Deserialize;

use crate::model::{ExtractedDoc, Section};
use crate::normalize::normalize_text;
use crate::{ExtractError, Result};

#[derive(Deserialize)]
struct Record {
    id: serde_json::Value,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    pages: Vec<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    date: Option<serde_json::Value>,
    #[serde(default, rename = "type")]
    doc_type: Option<String>,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default)]
    language: Option<String>,
}

/// One JSONL record turned into a document, or why it could not be.
pub type JsonlItem = Result<(String, ExtractedDoc)>;

/// Parses every non-blank line; each yields `(id, document)` or an error naming the line.
pub fn extract_jsonl(bytes: &[u8]) -> Vec<JsonlItem> {
    let text = String::from_utf8_lossy(bytes);
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| parse_line(i + 1, line))
        .collect()
}

fn parse_line(line_no: usize, line: &str) -> JsonlItem {
    let err = |message: String| ExtractError::Jsonl {
        line: line_no,
        message,
    };
    let rec: Record = serde_json::from_str(line).map_err(|e| err(e.to_string()))?;
    let id = match rec.id {
        serde_json::Value::String(s) => s,
        serde_json::Value::Number(n) => n.to_string(),
        _ => return Err(err("`id` must be a string or number".into())),
    };
    let id = id.trim().to_string();
    if id.is_empty() {
        return Err(err("`id` is empty".into()));
    }
    if rec.text.is_some() && !rec.pages.is_empty() {
        return Err(err(format!(
            "record {id} has both `text` and `pages`; give one of them"
        )));
    }
    let sections: Vec<Section> = if rec.pages.is_empty() {
        vec![Section {
            text: normalize_text(rec.text.as_deref().unwrap_or("")),
            ..Section::default()
        }]
    } else {
        rec.pages
            .iter()
            .enumerate()
            .map(|(i, p)| Section {
                page: u32::try_from(i + 1).ok(),
                text: normalize_text(p),
                ..Section::default()
            })
            .collect()
    };
    let has_text = sections.iter().any(|s| !s.text.is_empty());
    let title = normalize_text(rec.title.as_deref().unwrap_or(""));
    if !has_text && title.is_empty() {
        return Err(err(format!("record {id} has neither title nor text")));
    }
    let date = match rec.date {
        Some(serde_json::Value::String(s)) => crate::frontmatter::normalize_date(&s),
        Some(serde_json::Value::Number(n)) => n.as_u64().map(|y| y.to_string()),
        _ => None,
    };
    let doc = ExtractedDoc {
        title,
        url: rec.url,
        date,
        doc_type: rec.doc_type,
        topics: rec.topics,
        language: rec.language,
        has_text,
        sections,
        ..ExtractedDoc::default()
    };
    Ok((id, doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_errors() {
        let input = b"{\"id\":\"d1\",\"title\":\"Water rates\",\"text\":\"Shutoff  moratorium.\",\"topics\":[\"water\"],\"date\":\"2020-05-01\"}\n\nnot json\n{\"id\": 7, \"text\": \"numeric id\"}\n{\"id\":\"\",\"text\":\"x\"}\n";
        let items = extract_jsonl(input);
        assert_eq!(items.len(), 4);
        let (id, d) = items[0].as_ref().expect("first record parses");
        assert_eq!(id, "d1");
        assert_eq!(d.sections[0].text, "Shutoff moratorium.");
        assert_eq!(d.topics, ["water"]);
        assert_eq!(d.date.as_deref(), Some("2020-05-01"));
        assert!(matches!(items[1], Err(ExtractError::Jsonl { line: 3, .. })));
        assert_eq!(items[2].as_ref().map(|(id, _)| id.as_str()).ok(), Some("7"));
        assert!(items[3].is_err());
    }

    #[test]
    fn pages_become_numbered_sections() {
        let input = br#"{"id":"p","title":"Plan","pages":["First  page.","","Third page."]}
{"id":"q","text":"x","pages":["y"]}
"#;
        let items = extract_jsonl(input);
        let (_, d) = items[0].as_ref().expect("a record with pages parses");
        let pages: Vec<(Option<u32>, &str)> = d
            .sections
            .iter()
            .map(|s| (s.page, s.text.as_str()))
            .collect();
        assert_eq!(
            pages,
            [
                (Some(1), "First page."),
                (Some(2), ""),
                (Some(3), "Third page.")
            ]
        );
        assert!(d.has_text);
        assert!(
            matches!(&items[1], Err(ExtractError::Jsonl { line: 2, message }) if message.contains("both")),
            "{:?}",
            items[1].as_ref().err()
        );
    }
}
