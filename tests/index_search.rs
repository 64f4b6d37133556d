//! End to end: `polsearch index` then `polsearch search` on small corpora made here,
//! incremental re-indexing, and recovery from a run killed with SIGKILL.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use common::*;
use polsearch_core::record::{passage_counts, stored_documents};
use polsearch_core::Store;
use serde_json::Value;

fn index(corpus: &std::path::Path, idx: &std::path::Path) -> Value {
    index_json(corpus, idx, &[])
}

fn search(idx: &std::path::Path, q: &str) -> Value {
    run_json(&["search", "--index", path_str(idx), "--json", q])
}

fn ids(v: &Value) -> Vec<String> {
    v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn index_search_edit_delete_reindex() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    write_small_corpus(&corpus);

    let s = index(&corpus, &idx);
    let keys: Vec<&str> = s
        .as_object()
        .expect("object")
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys.len(), 9, "summary keys: {keys:?}");
    for k in [
        "files_seen",
        "indexed",
        "unchanged",
        "removed",
        "failed",
        "pages",
        "passages",
        "retagged",
        "seconds",
    ] {
        assert!(s.get(k).is_some(), "missing {k} in {s}");
    }
    assert_eq!(s["files_seen"], 4);
    assert_eq!(s["indexed"], 4);
    assert_eq!(s["failed"].as_array().map(Vec::len), Some(0), "{s}");
    assert_eq!(s["pages"], 5);

    // The right document first, with the page that says it.
    let r = search(&idx, "stormwater green infrastructure");
    assert_eq!(ids(&r)[0], "pdf/stormwater.pdf", "{r}");
    let p = &r["hits"][0]["passages"][0];
    assert_eq!(p["page"], 3, "{r}");
    assert!(
        p["snippet"].as_str().unwrap_or("").contains("<mark>"),
        "{r}"
    );

    let r = search(&idx, "water shutoffs");
    assert_eq!(ids(&r)[0], "water-shutoffs.md", "{r}");
    assert!(r["hits"][0]["passages"][0]["page"].is_null());
    let topics: Vec<&str> = r["hits"][0]["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        topics.contains(&"water"),
        "top-level topic slugs: {topics:?}"
    );

    let r = search(&idx, "language access");
    assert_eq!(ids(&r)[0], "web/welcoming.html", "{r}");
    assert_eq!(r["hits"][0]["title"], "Welcoming Cities");
    assert_eq!(r["hits"][0]["passages"][0]["anchor"], "lang", "{r}");

    // Second run: nothing to do.
    let s = index(&corpus, &idx);
    assert_eq!(
        (
            s["indexed"].as_u64(),
            s["unchanged"].as_u64(),
            s["removed"].as_u64()
        ),
        (Some(0), Some(4), Some(0))
    );

    // Edit one file, delete another.
    std::fs::write(
        corpus.join("water-shutoffs.md"),
        "# Water Shutoff Protections\n\nThe moratorium now also covers lead service line replacement grants.\n",
    )
    .expect("edit");
    std::fs::remove_file(corpus.join("pdf/parking.pdf")).expect("delete");
    let s = index(&corpus, &idx);
    assert_eq!(s["files_seen"], 3);
    assert_eq!(
        (
            s["indexed"].as_u64(),
            s["unchanged"].as_u64(),
            s["removed"].as_u64()
        ),
        (Some(1), Some(2), Some(1))
    );

    // The deleted file's document is gone. (Not "nothing matches": once its words leave the
    // index, typo widening may find a near word elsewhere, and whether they have left
    // depends on how tantivy split the documents into segments.)
    let r = search(&idx, "parking minimums");
    assert!(!ids(&r).contains(&"pdf/parking.pdf".to_string()), "{r}");
    let r = search(&idx, "lead service line");
    assert_eq!(ids(&r)[0], "water-shutoffs.md", "{r}");
    assert_eq!(
        search(&idx, "\"income-based water rates\"")["total"],
        0,
        "old text of the edited file is gone"
    );
}

#[test]
fn topic_filter_and_bad_query_syntax() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    write_small_corpus(&corpus);
    index(&corpus, &idx);
    let r = run_json(&[
        "search",
        "--index",
        path_str(&idx),
        "--json",
        "--topic",
        "water",
        "water",
    ]);
    assert!(ids(&r).contains(&"water-shutoffs.md".to_string()), "{r}");
    assert!(!ids(&r).contains(&"web/welcoming.html".to_string()), "{r}");
    // Unbalanced syntax falls back to words instead of failing.
    let r = search(&idx, "\"stormwater AND (green OR");
    assert_eq!(ids(&r)[0], "pdf/stormwater.pdf", "{r}");
}

#[test]
fn search_without_index_is_a_clear_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = run(&[
        "search",
        "--index",
        path_str(&tmp.path().join("none")),
        "water",
    ]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no index here"), "{err}");
}

#[test]
fn broken_pdf_is_reported_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    write_small_corpus(&corpus);
    std::fs::write(
        corpus.join("pdf/broken.pdf"),
        b"%PDF-1.7\n1 0 obj << /Type /Catalog >> garbage",
    )
    .expect("write");
    let s = index(&corpus, &idx);
    assert_eq!(s["indexed"], 4, "{s}");
    let failed = s["failed"].as_array().expect("failed list");
    assert_eq!(failed.len(), 1, "{s}");
    assert_eq!(failed[0]["path"], "pdf/broken.pdf");
    assert!(!failed[0]["error"].as_str().unwrap_or("").is_empty());
}

/// Kills the indexer at several moments and checks the index afterwards: it opens, and a
/// re-run leaves every document exactly once with its passages exactly once.
#[test]
fn killed_run_recovers_with_each_document_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    for i in 0..60 {
        let body =
            format!("Brief {i} on stormwater utilities and parking policy in city number {i}.");
        std::fs::write(
            corpus.join(format!("brief-{i:03}.pdf")),
            pdf(Some(&format!("Brief {i}")), &[&[&body], &[&body]]),
        )
        .expect("write");
        std::fs::write(
            corpus.join(format!("note-{i:03}.md")),
            format!("# Note {i}\n\n{body}\n"),
        )
        .expect("write");
    }
    for delay_ms in [300u64, 900, 1800] {
        let mut child = bin()
            .args([
                "index",
                "--corpus",
                path_str(&corpus),
                "--index",
                path_str(&idx),
                "--json",
                "--commit-every",
                "7",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        if idx.join("meta.json").exists() {
            let store = Store::open(&idx).expect("index opens after a kill");
            let searcher = store.index.reader().expect("reader").searcher();
            assert_exactly_once(&stored_documents(&searcher, &store.fields).expect("docs"));
        }
    }
    let s = index(&corpus, &idx);
    assert_eq!(s["failed"].as_array().map(Vec::len), Some(0), "{s}");
    let total = s["indexed"].as_u64().unwrap_or(0) + s["unchanged"].as_u64().unwrap_or(0);
    assert_eq!(total, 120, "{s}");
    let store = Store::open(&idx).expect("open");
    let searcher = store.index.reader().expect("reader").searcher();
    let docs = stored_documents(&searcher, &store.fields).expect("docs");
    assert_eq!(docs.len(), 120);
    assert_exactly_once(&docs);
    let passages = passage_counts(&searcher, &store.fields).expect("passages");
    for d in &docs {
        let want = if d.id.ends_with(".pdf") { 2 } else { 1 };
        assert_eq!(
            passages.get(&d.id).copied(),
            Some(want),
            "passages of {}",
            d.id
        );
    }
    let again = index(&corpus, &idx);
    assert_eq!(again["unchanged"], 120, "{again}");
}

fn assert_exactly_once(docs: &[polsearch_core::record::StoredDoc]) {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for d in docs {
        *seen.entry(d.id.as_str()).or_default() += 1;
    }
    let dups: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(dups.is_empty(), "duplicated documents: {dups:?}");
}

#[test]
fn glossary_finds_acronyms_both_ways_and_can_be_replaced() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    std::fs::write(
        corpus.join("spelled-out.md"),
        "# Backyard homes\n\nThe council legalized accessory dwelling units on every residential lot.\n",
    )
    .expect("write");
    std::fs::write(
        corpus.join("acronym.md"),
        "# Permits\n\nOwners filed forty ADU permits this year; the wombat survey is separate.\n",
    )
    .expect("write");
    index(&corpus, &idx);
    let both = ["acronym.md", "spelled-out.md"];
    for q in ["ADU", "accessory dwelling unit", "accessory dwelling units"] {
        let mut got = ids(&search(&idx, q));
        got.sort();
        assert_eq!(got, both, "{q}");
    }
    // Quoted phrases are never widened.
    assert_eq!(ids(&search(&idx, "\"ADU\"")), ["acronym.md"]);
    // Another glossary, given by flag, replaces the built-in one.
    let glossary = tmp.path().join("glossary.toml");
    std::fs::write(&glossary, "[[term]]\nforms = [\"marsupial\", \"wombat\"]\n").expect("write");
    let run_with = |q: &str| {
        run_json(&[
            "search",
            "--index",
            path_str(&idx),
            "--glossary",
            path_str(&glossary),
            "--json",
            q,
        ])
    };
    assert_eq!(ids(&run_with("marsupial")), ["acronym.md"]);
    assert_eq!(
        ids(&run_with("ADU")),
        ["acronym.md"],
        "the built-in entry is gone"
    );
    std::fs::write(&glossary, "[[term]]\nforms = [\"lonely\"]\n").expect("write");
    let out = run(&[
        "search",
        "--index",
        path_str(&idx),
        "--glossary",
        path_str(&glossary),
        "x",
    ]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("glossary"),
        "{out:?}"
    );
}

#[test]
fn snapshots_taken_while_indexing_restore_to_a_committed_state() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    std::fs::create_dir_all(&corpus).expect("mkdir");
    for i in 0..80 {
        let body = format!("Memo {i} about heat pumps, bus lanes and tenant counsel in ward {i}.");
        std::fs::write(
            corpus.join(format!("memo-{i:03}.pdf")),
            pdf(Some(&format!("Memo {i}")), &[&[&body], &[&body]]),
        )
        .expect("write");
    }
    // A first commit, so that there is an index to copy from the start.
    std::fs::write(corpus.join("first.md"), "# First\n\nThe first note.\n").expect("write");
    let first_only = tmp.path().join("first");
    std::fs::create_dir_all(&first_only).expect("mkdir");
    std::fs::copy(corpus.join("first.md"), first_only.join("first.md")).expect("copy");
    index(&first_only, &idx);

    let mut child = bin()
        .args([
            "index",
            "--corpus",
            path_str(&corpus),
            "--index",
            path_str(&idx),
            "--json",
        ])
        .args(["--commit-every", "5"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let mut counts = Vec::new();
    for n in 0..6 {
        let out = tmp.path().join(format!("snap-{n}.tar"));
        let r = run(&[
            "snapshot",
            "--index",
            path_str(&idx),
            "--out",
            path_str(&out),
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let restored = tmp.path().join(format!("restored-{n}"));
        let r = run(&[
            "restore",
            "--snapshot",
            path_str(&out),
            "--index",
            path_str(&restored),
        ]);
        assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
        let store = Store::open(&restored).expect("restored index opens");
        let searcher = store.index.reader().expect("reader").searcher();
        let docs = stored_documents(&searcher, &store.fields).expect("docs");
        assert_exactly_once(&docs);
        counts.push(docs.len());
        std::thread::sleep(Duration::from_millis(150));
    }
    assert!(child.wait().expect("indexer").success());
    println!("documents in each snapshot taken while indexing: {counts:?}");
    // Each snapshot is some committed state: counts only grow, from 1 to at most 81.
    assert!(counts.windows(2).all(|w| w[0] <= w[1]), "{counts:?}");
    assert!(counts.iter().all(|c| (1..=81).contains(c)), "{counts:?}");

    // The last state, restored, searches like the original.
    let out = tmp.path().join("final.tar");
    assert!(run(&[
        "snapshot",
        "--index",
        path_str(&idx),
        "--out",
        path_str(&out)
    ])
    .status
    .success());
    let restored = tmp.path().join("restored-final");
    assert!(run(&[
        "restore",
        "--snapshot",
        path_str(&out),
        "--index",
        path_str(&restored)
    ])
    .status
    .success());
    assert_eq!(
        search(&restored, "heat pumps")["total"],
        search(&idx, "heat pumps")["total"]
    );
    // Refusals: an existing archive is not overwritten; a non-empty folder is not restored into.
    assert!(!run(&[
        "snapshot",
        "--index",
        path_str(&idx),
        "--out",
        path_str(&out)
    ])
    .status
    .success());
    let r = run(&[
        "restore",
        "--snapshot",
        path_str(&out),
        "--index",
        path_str(&restored),
    ]);
    assert!(!r.status.success());
    assert!(
        String::from_utf8_lossy(&r.stderr).contains("not empty"),
        "{r:?}"
    );
    let junk = tmp.path().join("junk.tar");
    std::fs::write(&junk, b"not a tar file at all").expect("write");
    let r = run(&[
        "restore",
        "--snapshot",
        path_str(&junk),
        "--index",
        path_str(&tmp.path().join("x")),
    ]);
    assert!(!r.status.success());
}

#[test]
fn a_new_taxonomy_retags_pdfs_without_extracting_them() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    write_small_corpus(&corpus);
    let taxonomy = tmp.path().join("topics.toml");
    std::fs::write(
        &taxonomy,
        "[[topic]]\nslug = \"curbs\"\nlabel = \"Curbs\"\n[topic.phrases]\n\"parking\" = 4\n",
    )
    .expect("write taxonomy");
    // A PDF worker capped at 1 MiB cannot even start: any extraction under this flag fails.
    let starved = |extra: &[&str]| {
        let mut args = vec!["--pdf-memory-mb", "1"];
        args.extend_from_slice(extra);
        index_json(&corpus, &idx, &args)
    };
    let other = tmp.path().join("other-index");
    let fresh = index_json(&corpus, &other, &["--pdf-memory-mb", "1"]);
    assert_eq!(fresh["failed"].as_array().map(Vec::len), Some(2), "{fresh}");

    let first = index(&corpus, &idx);
    assert_eq!(first["retagged"], 0, "{first}");
    assert!(first["pages"].as_u64() > Some(0), "{first}");
    let retagged = starved(&["--topics", path_str(&taxonomy)]);
    assert_eq!(
        retagged["failed"].as_array().map(Vec::len),
        Some(0),
        "{retagged}"
    );
    assert_eq!(retagged["retagged"], 2, "both PDFs: {retagged}");
    assert_eq!(
        retagged["indexed"], 4,
        "every document re-tagged: {retagged}"
    );
    assert_eq!(retagged["pages"], 0, "no page extracted: {retagged}");
    let hits = run_json(&[
        "search",
        "--index",
        path_str(&idx),
        "--topic",
        "curbs",
        "--json",
        "parking",
    ]);
    assert_eq!(ids(&hits), ["pdf/parking.pdf"], "{hits}");
    let again = starved(&["--topics", path_str(&taxonomy)]);
    assert_eq!(again["unchanged"], 4, "{again}");

    // A PDF whose bytes change is extracted again; the entry of its old bytes is dropped.
    let entries = || std::fs::read_dir(idx.join("extracted")).map_or(0, |d| d.count());
    assert_eq!(entries(), 2);
    std::fs::write(
        corpus.join("pdf/parking.pdf"),
        pdf(
            Some("Parking Reform"),
            &[&["Curb parking meters fund sidewalks."]],
        ),
    )
    .expect("rewrite pdf");
    let changed = index(&corpus, &idx);
    assert_eq!(changed["retagged"], 1, "the unchanged PDF: {changed}");
    assert_eq!(changed["failed"].as_array().map(Vec::len), Some(0));
    assert_eq!(entries(), 2, "old bytes' entry removed");
    std::fs::remove_file(corpus.join("pdf/parking.pdf")).expect("rm");
    index(&corpus, &idx);
    assert_eq!(entries(), 1);
}

#[test]
fn a_pdf_that_failed_is_remembered_until_its_bytes_or_the_limits_change() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    let idx = tmp.path().join("index");
    write_small_corpus(&corpus);
    std::fs::write(
        corpus.join("broken.pdf"),
        b"%PDF-1.4\ngarbage without objects\n",
    )
    .expect("write broken pdf");
    let failed = |v: &Value| -> Vec<(String, bool)> {
        v["failed"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|f| {
                        let path = f["path"].as_str().unwrap_or("").to_string();
                        (path, f["remembered"] == true)
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let with = |extra: &[&str]| index_json(&corpus, &idx, extra);
    let first = with(&[]);
    assert_eq!(
        failed(&first),
        [("broken.pdf".to_string(), false)],
        "{first}"
    );
    let reason = first["failed"][0]["error"].clone();
    assert!(!reason.as_str().unwrap_or("").is_empty(), "{first}");

    // Nothing changed: the failure is reported again, with its reason, without a worker.
    let second = with(&[]);
    assert_eq!(
        failed(&second),
        [("broken.pdf".to_string(), true)],
        "{second}"
    );
    assert_eq!(second["failed"][0]["error"], reason);
    assert_eq!(second["unchanged"], 4, "{second}");

    // Asked to, or under other limits, it is tried again.
    let retried = with(&["--retry-failed"]);
    assert_eq!(
        failed(&retried),
        [("broken.pdf".to_string(), false)],
        "{retried}"
    );
    let longer = with(&["--pdf-timeout", "45"]);
    assert_eq!(
        failed(&longer),
        [("broken.pdf".to_string(), false)],
        "{longer}"
    );

    // Its bytes fixed, it is indexed; the remembered failure is dropped.
    std::fs::write(
        corpus.join("broken.pdf"),
        pdf(
            Some("Mended Report"),
            &[&["The mended report counts tapir crossings."]],
        ),
    )
    .expect("mend pdf");
    let mended = index(&corpus, &idx);
    assert_eq!(failed(&mended), [], "{mended}");
    assert_eq!(ids(&search(&idx, "tapir crossings")), ["broken.pdf"]);
    let failure_entries = std::fs::read_dir(idx.join("extracted"))
        .expect("extracted")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().ends_with(".failed.json"))
        .count();
    assert_eq!(failure_entries, 0);
}

/// A facet selection only filters: the documents it keeps rank and score as they do
/// without it, and the selected dimension is counted as if nothing were selected in it (so
/// the page can offer the other topics with their counts). On the shipped sample corpus,
/// where every passage and document fits the ranking's pools, both hold exactly.
#[test]
fn facet_selections_filter_without_changing_scores_or_counts() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let idx = tmp.path().join("index");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    index(&sample, &idx);
    let search_with = |q: &str, topics: &[&str]| {
        let mut args = vec![
            "search",
            "--index",
            path_str(&idx),
            "--json",
            "--limit",
            "100",
        ];
        for t in topics {
            args.extend(["--topic", t]);
        }
        args.push(q);
        run_json(&args)
    };
    // Top-level topics (a selected topic's subtopics are listed after them).
    let topic_counts = |v: &Value| -> Vec<(String, u64)> {
        v["facets"]["topic"]
            .as_array()
            .expect("topic facets")
            .iter()
            .map(|f| {
                (
                    f["value"].as_str().unwrap_or("").to_string(),
                    f["count"].as_u64().unwrap_or(0),
                )
            })
            .filter(|(t, _)| !t.contains('/'))
            .collect()
    };
    let mut checked = 0;
    for q in [
        "water",
        "housing affordability",
        "extreme heat",
        "city budget",
    ] {
        let all = search_with(q, &[]);
        let counts = topic_counts(&all);
        let top: Vec<&str> = counts.iter().take(3).map(|(t, _)| t.as_str()).collect();
        let selections: Vec<Vec<&str>> = top
            .iter()
            .map(|t| vec![*t])
            .chain((top.len() >= 2).then(|| vec![top[0], top[1]]))
            .collect();
        for selected in selections {
            let some = search_with(q, &selected);
            assert_eq!(topic_counts(&some), counts, "{q} {selected:?}: {some}");
            let kept: Vec<&Value> = all["hits"]
                .as_array()
                .expect("hits")
                .iter()
                .filter(|h| {
                    h["topics"]
                        .as_array()
                        .is_some_and(|ts| ts.iter().any(|t| selected.iter().any(|s| t == s)))
                })
                .collect();
            let got = some["hits"].as_array().expect("hits");
            assert_eq!(
                some["total"].as_u64(),
                Some(kept.len() as u64),
                "{q} {selected:?}"
            );
            assert_eq!(got.len(), kept.len(), "{q} {selected:?}: {some}");
            for (g, k) in got.iter().zip(&kept) {
                assert_eq!(g["id"], k["id"], "{q} {selected:?}: order");
                let (gs, ks) = (g["score"].as_f64(), k["score"].as_f64());
                assert!(
                    matches!((gs, ks), (Some(a), Some(b)) if (a - b).abs() < 1e-4),
                    "{q} {selected:?}: {} scores {gs:?} filtered, {ks:?} not",
                    g["id"]
                );
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "too few selections checked: {checked}");
}
