//! Indexing the real policy corpus and the hostile PDFs from ../shared (skipped with a
//! notice when absent): no panic, no hang, every failure with a reason, and text from at
//! least 95% of the PDFs that have a text layer.

mod common;

use std::collections::HashMap;

use common::*;
use polsearch_core::record::stored_documents;
use polsearch_core::Store;

#[test]
fn real_corpus_indexes_with_text_from_the_pdfs_that_have_it() {
    let (Some(corpus), Some(meta)) = (shared("corpus"), shared("corpus-meta/MANIFEST.tsv")) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = tmp.path().join("index");
    let s = index_json(&corpus, &idx, &[]);
    println!("summary: {}", serde_json::to_string(&s).unwrap_or_default());
    for f in s["failed"].as_array().expect("failed") {
        assert!(
            !f["error"].as_str().unwrap_or("").is_empty(),
            "failure without reason: {f}"
        );
    }

    let manifest = std::fs::read_to_string(meta).expect("manifest");
    let mut header: Vec<&str> = Vec::new();
    let mut text_layer: HashMap<String, bool> = HashMap::new();
    for (i, line) in manifest.lines().enumerate() {
        let cols: Vec<&str> = line.split('\t').collect();
        if i == 0 {
            header = cols;
            continue;
        }
        let col = |name: &str| {
            header
                .iter()
                .position(|h| *h == name)
                .and_then(|i| cols.get(i))
                .copied()
                .unwrap_or("")
        };
        if col("path").ends_with(".pdf") {
            text_layer.insert(col("path").to_string(), col("text_layer") == "yes");
        }
    }
    let store = Store::open(&idx).expect("open");
    let searcher = store.index.reader().expect("reader").searcher();
    let docs: HashMap<String, bool> = stored_documents(&searcher, &store.fields)
        .expect("docs")
        .into_iter()
        .map(|d| (d.path, d.has_text))
        .collect();
    let with_layer: Vec<&String> = text_layer
        .iter()
        .filter(|(_, y)| **y)
        .map(|(p, _)| p)
        .collect();
    let got = with_layer
        .iter()
        .filter(|p| docs.get(p.as_str()).copied().unwrap_or(false))
        .count();
    let missing: Vec<&&String> = with_layer
        .iter()
        .filter(|p| !docs.get(p.as_str()).copied().unwrap_or(false))
        .collect();
    println!(
        "text from {got} of {} PDFs with a text layer; missing: {missing:?}",
        with_layer.len()
    );
    assert!(
        got * 100 >= with_layer.len() * 95,
        "only {got} of {}",
        with_layer.len()
    );

    // A policy query finds a stormwater document with a page number.
    let r = run_json(&[
        "search",
        "--index",
        path_str(&idx),
        "--json",
        "stormwater green infrastructure",
    ]);
    assert!(r["total"].as_u64().unwrap_or(0) > 0, "{r}");
    let first = &r["hits"][0];
    assert!(
        first["passages"][0]["page"].as_u64().is_some()
            || first["passages"][0]["anchor"].is_string(),
        "{first}"
    );
}

#[test]
fn hostile_pdfs_never_crash_or_hang_the_indexer() {
    let Some(hostile) = shared("hostile-pdf") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = tmp.path().join("index");
    let files = std::fs::read_dir(&hostile).expect("dir").count();
    let s = run_json(&[
        "index",
        "--corpus",
        path_str(&hostile),
        "--index",
        path_str(&idx),
        "--json",
        "--pdf-timeout",
        "15",
    ]);
    let failed = s["failed"].as_array().expect("failed");
    println!(
        "hostile: {} files, {} indexed, {} failed",
        files,
        s["indexed"],
        failed.len()
    );
    for f in failed {
        println!("  {}: {}", f["path"], f["error"]);
        assert!(
            !f["error"].as_str().unwrap_or("").is_empty(),
            "failure without reason: {f}"
        );
    }
    assert_eq!(s["files_seen"].as_u64(), Some(files as u64));
    assert_eq!(
        s["indexed"].as_u64().unwrap_or(0) + failed.len() as u64,
        files as u64,
        "every file accounted for: {s}"
    );
}
