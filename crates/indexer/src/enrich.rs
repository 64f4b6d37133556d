//! From an extracted document to an index record: language, topics, year, passages.

use polsearch_core::DocRecord;
use polsearch_extract::{ExtractedDoc, SourceKind};

use crate::language;
use crate::passages::passages_from_sections;
use crate::topics::Taxonomy;

/// Builds the record for one document.
pub fn to_record(
    id: String,
    path: &str,
    kind: SourceKind,
    doc: ExtractedDoc,
    taxonomy: &Taxonomy,
    hash: &str,
) -> DocRecord {
    let language = language::detect(
        doc.sections.iter().map(|s| s.text.as_str()),
        doc.language.as_deref(),
    );
    let title = if doc.title.is_empty() {
        fallback_title(path)
    } else {
        doc.title.clone()
    };
    let mut topics: Vec<String> = doc
        .topics
        .iter()
        .map(|t| format!("/{}", t.trim_matches('/')))
        .collect();
    if topics.is_empty() {
        let texts: Vec<&str> = doc.sections.iter().map(|s| s.text.as_str()).collect();
        let tags = taxonomy.tag(&title, &texts);
        // Leaf facets only: a subtopic facet counts for its parent too.
        for t in &tags.topics {
            let subs: Vec<&String> = tags
                .subtopics
                .iter()
                .filter(|s| s.starts_with(&format!("{t}/")))
                .collect();
            if subs.is_empty() {
                topics.push(format!("/{t}"));
            } else {
                topics.extend(subs.into_iter().map(|s| format!("/{s}")));
            }
        }
    }
    let year = doc.date.as_deref().and_then(year_of);
    DocRecord {
        id,
        path: path.to_string(),
        url: doc.url.clone(),
        source: kind.as_str().to_string(),
        title,
        description: doc.description.clone(),
        doc_type: doc.doc_type.clone(),
        year,
        date: doc.date.clone(),
        language,
        topics,
        // Filled by place recognition (issue 5); JSONL and front matter give none yet.
        places: Vec::new(),
        has_text: doc.has_text,
        pages: doc.page_count.map(u64::from),
        hash: hash.to_string(),
        passages: passages_from_sections(&doc.sections),
    }
}

/// The file name without extension, dashes and underscores as spaces: better than nothing.
fn fallback_title(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    let stem = name.rsplit_once('.').map(|(s, _)| s).unwrap_or(name);
    stem.replace(['_', '-'], " ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn year_of(date: &str) -> Option<u64> {
    date.get(..4)?
        .parse()
        .ok()
        .filter(|y| (1900..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;
    use polsearch_extract::Section;

    #[test]
    fn record_from_markdown_like_doc() {
        let doc = ExtractedDoc {
            title: String::new(),
            date: Some("2021-09-14".into()),
            has_text: true,
            sections: vec![Section {
                text: "Utilities paused water shutoffs and launched a water affordability program with income-based rates for low-income households. Water shutoff moratorium, water bills, arrears forgiveness and water affordability are the subject.".into(),
                ..Section::default()
            }],
            ..ExtractedDoc::default()
        };
        let rec = to_record(
            "md/water_shutoffs.md".into(),
            "md/water_shutoffs.md",
            SourceKind::Markdown,
            doc,
            &Taxonomy::builtin(),
            "h",
        );
        assert_eq!(rec.title, "water shutoffs");
        assert_eq!(rec.year, Some(2021));
        assert_eq!(rec.language, "en");
        assert!(
            rec.topics.iter().any(|t| t.starts_with("/water")),
            "{:?}",
            rec.topics
        );
        assert_eq!(rec.passages.len(), 1);
    }
}
