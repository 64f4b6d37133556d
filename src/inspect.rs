//! `polsearch inspect FILE`: what the indexer extracts from one file and infers about it, with
//! the evidence (topic scores and the phrases that fired, the rules behind the type, where the
//! date came from), so staff can see why a document is or is not under a facet.

use std::path::Path;
use std::process::ExitCode;

use anyhow::{anyhow, Result};
use polsearch_indexer::Analysis;
use serde_json::{json, Map, Value};

use crate::cli::{index_options, InspectArgs};

pub fn inspect(a: InspectArgs) -> Result<ExitCode> {
    let opts = index_options(Path::new("."), Path::new("."), &a.pipeline)?;
    let rel = a.file.to_string_lossy().replace('\\', "/");
    let analysis = polsearch_indexer::analyze_file(
        &polsearch_indexer::WorkerPool::new(&opts.isolation),
        &opts.taxonomy,
        &a.file,
        &rel,
    )
    .map_err(|e| anyhow!("{}: {e}", a.file.display()))?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&analysis_json(&analysis))?
        );
    } else {
        print_analysis(&analysis);
    }
    Ok(ExitCode::SUCCESS)
}

/// The `--json` object; `eval-labels --json` reports each document's predictions from it too.
pub fn analysis_json(a: &Analysis) -> Value {
    let e = &a.enrichment;
    let (subtopics, scores, fired) = match &e.tags {
        Some(t) => {
            let scores: Map<String, Value> = t
                .scores
                .iter()
                .map(|(k, v)| (k.clone(), json!((*v * 100.0).round() / 100.0)))
                .collect();
            let fired: Map<String, Value> = t
                .fired
                .iter()
                .map(|(k, hits)| {
                    let list: Vec<Value> = hits
                        .iter()
                        .map(|(p, n)| json!({"phrase": p, "count": n}))
                        .collect();
                    (k.clone(), Value::Array(list))
                })
                .collect();
            (t.subtopics.clone(), scores, fired)
        }
        None => (Vec::new(), Map::new(), Map::new()),
    };
    let pages: Vec<Value> = a
        .sections
        .iter()
        .map(
            |s| json!({"page": s.page, "anchor": s.anchor, "heading": s.heading, "chars": s.chars}),
        )
        .collect();
    json!({
        "title": e.title,
        "source": a.source.as_str(),
        "type": e.doc_type,
        "type_evidence": e.type_evidence,
        "year": e.year,
        "date": e.date,
        "date_source": e.date_source,
        "language": e.language,
        "topics": e.top_topics(),
        "subtopics": subtopics,
        "facets": e.topics,
        "topic_scores": scores,
        "fired": fired,
        "places": e.places.iter().map(|p| json!({"place": p.place, "mentions": p.mentions})).collect::<Vec<_>>(),
        "page_count": a.page_count,
        "pages": pages,
        "has_text": a.has_text,
        "warnings": a.warnings,
    })
}

fn print_analysis(a: &Analysis) {
    let e = &a.enrichment;
    let or_none = |v: Option<&str>| v.unwrap_or("(none)").to_string();
    println!("title:    {}", e.title);
    println!("source:   {}", a.source.as_str());
    println!(
        "type:     {}{}",
        or_none(e.doc_type.as_deref()),
        if e.type_evidence.is_empty() {
            String::new()
        } else {
            format!("  ({})", e.type_evidence.join("; "))
        }
    );
    println!(
        "date:     {}{}",
        or_none(e.date.as_deref()),
        e.date_source
            .as_deref()
            .map(|s| format!("  ({s})"))
            .unwrap_or_default()
    );
    println!("language: {}", e.language);
    println!("has text: {}", a.has_text);
    println!("topics:   {}", e.topics.join(" "));
    if let Some(t) = &e.tags {
        let mut ranked: Vec<(&String, &f32)> = t.scores.iter().collect();
        ranked.sort_by(|x, y| y.1.total_cmp(x.1));
        for (slug, score) in ranked {
            let mark = if t.topics.contains(slug) { "*" } else { " " };
            println!("  {mark} {slug:<22} {score:>7.1}");
            for (key, hits) in t
                .fired
                .iter()
                .filter(|(k, _)| *k == slug || k.starts_with(&format!("{slug}/")))
            {
                let list: Vec<String> = hits
                    .iter()
                    .take(8)
                    .map(|(p, n)| format!("{p} ×{n}"))
                    .collect();
                println!("        {key}: {}", list.join(", "));
            }
        }
    }
    if e.places.is_empty() {
        println!("places:   (none)");
    } else {
        println!("places:");
        for p in &e.places {
            println!("    {} ({} mentions)", p.place, p.mentions);
        }
    }
    match a.page_count {
        Some(n) => println!("pages:    {n}"),
        None => println!("sections: {}", a.sections.len()),
    }
    for s in &a.sections {
        let at = match (s.page, &s.anchor) {
            (Some(p), _) => format!("page {p}"),
            (None, Some(anchor)) => format!("#{anchor}"),
            (None, None) => "(section)".to_string(),
        };
        let heading = s
            .heading
            .as_deref()
            .map(|h| format!("  {h}"))
            .unwrap_or_default();
        println!("    {at:<12} {:>7} chars{heading}", s.chars);
    }
    for w in &a.warnings {
        println!("warning:  {w}");
    }
}
