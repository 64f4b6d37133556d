//! `polsearch bench` runs its whole query mix against a real (small) index and reports
//! every kind, so the figures in BENCHMARKS.md come from a command that works.

mod common;

use common::*;

#[test]
fn bench_reports_every_kind_of_query() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    write_small_corpus(&corpus);
    let idx = tmp.path().join("index");
    index_json(&corpus, &idx, &[]);
    let v = run_json(&[
        "bench",
        "--index",
        path_str(&idx),
        "--rounds",
        "1",
        "--json",
    ]);
    let figures = v["figures"].as_array().expect("figures");
    let kinds: Vec<&str> = figures.iter().filter_map(|f| f["kind"].as_str()).collect();
    for k in [
        "keyword",
        "keyword + topic facet",
        "question",
        "memo paragraph",
        "suggest (per keystroke)",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    for f in figures {
        assert!(f["calls"].as_u64().unwrap_or(0) > 0, "{f}");
        let (p50, p99) = (
            f["p50_ms"].as_f64().unwrap_or(-1.0),
            f["p99_ms"].as_f64().unwrap_or(-1.0),
        );
        assert!(p50 >= 0.0 && p99 >= p50, "{f}");
    }
    assert_eq!(v["documents"], 4, "{v}");
}

/// The scale benchmark's corpus: exactly the passages asked for, every page one passage
/// once indexed, and the same bytes for the same seed.
#[test]
fn bench_corpus_writes_the_passages_asked_for() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let make = |name: &str, seed: &str| {
        let out = tmp.path().join(name);
        let v = run_json(&[
            "bench-corpus",
            "--from",
            path_str(&sample),
            "--passages",
            "450",
            "--shard-docs",
            "20",
            "--seed",
            seed,
            "--out",
            path_str(&out),
        ]);
        assert_eq!(v["passages"], 450, "{v}");
        assert!(v["shards"].as_u64().unwrap_or(0) >= 2, "{v}");
        out
    };
    let a = make("a", "7");
    let read_all = |dir: &std::path::Path| {
        let mut files: Vec<_> = std::fs::read_dir(dir)
            .expect("shards")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| std::fs::read_to_string(f).expect("shard"))
            .collect::<String>()
    };
    assert_eq!(
        read_all(&a),
        read_all(&make("b", "7")),
        "same seed, same corpus"
    );
    assert_ne!(
        read_all(&a),
        read_all(&make("c", "8")),
        "another seed, another corpus"
    );

    // Indexed, each page is one passage, and the recombined text still finds its topics.
    let idx = tmp.path().join("index");
    let s = run_json(&[
        "index",
        "--corpus",
        path_str(&a),
        "--index",
        path_str(&idx),
        "--json",
    ]);
    assert_eq!(s["passages"], 450, "{s}");
    assert_eq!(s["failed"].as_array().map(Vec::len), Some(0), "{s}");
    let r = run_json(&[
        "search",
        "--index",
        path_str(&idx),
        "parking minimums",
        "--json",
    ]);
    assert!(r["total"].as_u64().unwrap_or(0) > 0, "{r}");

    // Out of the run again: an existing, non-empty folder is refused, nothing overwritten.
    let again = run(&[
        "bench-corpus",
        "--from",
        path_str(&sample),
        "--passages",
        "10",
        "--out",
        path_str(&a),
    ]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}
