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
    run_json(&[
        "index",
        "--corpus",
        path_str(&corpus),
        "--index",
        path_str(&idx),
        "--json",
    ]);
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
