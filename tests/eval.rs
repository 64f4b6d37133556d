//! `polsearch eval` end to end: a JSONL collection written here, indexed, judged queries
//! run through the search, figures checked against a hand computation; then the shared
//! judged collections, whose nDCG@10 must stay above what other engines score on them
//! (../shared/relevance/BASELINES.md).

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

fn eval_json(index: &Path, dir: &Path, extra: &[&str]) -> Value {
    let queries = dir.join("queries.jsonl");
    let qrels = dir.join("qrels.tsv");
    let mut args = vec![
        "eval",
        "--index",
        path_str(index),
        "--queries",
        path_str(&queries),
        "--qrels",
        path_str(&qrels),
        "--json",
    ];
    args.extend_from_slice(extra);
    run_json(&args)
}

#[test]
fn figures_follow_trec_eval_on_a_small_collection() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path();
    let docs = [
        (
            "a",
            "Water shutoff moratorium",
            "The city paused water shutoffs for unpaid bills.",
        ),
        (
            "b",
            "Parking minimums",
            "Parking minimums were removed downtown.",
        ),
        (
            "c",
            "Heat plan",
            "Cooling centers open during extreme heat.",
        ),
        (
            "d",
            "Water rates",
            "Income-based water rates and shutoff protections.",
        ),
    ];
    let lines: Vec<String> = docs
        .iter()
        .map(|(id, title, text)| {
            serde_json::json!({"id": id, "title": title, "text": text}).to_string()
        })
        .collect();
    std::fs::write(dir.join("docs.jsonl"), lines.join("\n")).expect("write");
    std::fs::write(
        dir.join("queries.jsonl"),
        "{\"id\": \"q1\", \"text\": \"parking minimums\"}\n{\"id\": 2, \"text\": \"cooling centers\"}\n{\"id\": \"q3\", \"text\": \"zoning\"}\n",
    )
    .expect("write");
    // q1: b is the answer; q2: the heat plan, with the parking memo judged 0; q3 finds
    // nothing; q4 has no query and no relevant document, so it is left out.
    std::fs::write(
        dir.join("qrels.tsv"),
        "q1\tb\t2\nq1\ta\t0\n2\tc\t1\n2\tb\t0\nq3\ta\t1\nq4\td\t0\n",
    )
    .expect("write");
    let index = dir.join("index");
    let s = run_json(&[
        "index",
        "--corpus",
        path_str(&dir.join("docs.jsonl")),
        "--index",
        path_str(&index),
        "--json",
    ]);
    assert_eq!(s["indexed"], 4, "{s}");
    let run = dir.join("run.txt");
    let v = eval_json(&index, dir, &["--run", path_str(&run)]);
    assert_eq!(v["queries"], 3, "{v}");
    for q in ["q1", "2"] {
        assert_eq!(v["per_query"][q]["ndcg@10"], 1.0, "{v}");
        assert_eq!(v["per_query"][q]["mrr@10"], 1.0, "{v}");
        assert_eq!(v["per_query"][q]["p@10"], 0.1, "{v}");
    }
    assert_eq!(v["per_query"]["q3"]["ndcg@10"], 0.0, "{v}");
    let mean = v["ndcg@10"].as_f64().expect("number");
    assert!((mean - 2.0 / 3.0).abs() < 1e-9, "{v}");
    for key in ["map@100", "recall@100", "p@10", "mrr@10"] {
        assert!(v[key].is_number(), "{key}: {v}");
    }
    let lines: Vec<String> = std::fs::read_to_string(&run)
        .expect("run file")
        .lines()
        .map(str::to_string)
        .collect();
    assert!(
        lines.iter().any(|l| l.starts_with("q1 Q0 b 1 ")),
        "{lines:?}"
    );
    assert!(
        lines
            .iter()
            .all(|l| l.split(' ').count() == 6 && l.ends_with(" polsearch")),
        "{lines:?}"
    );
}

/// nDCG@10 of a shared collection, indexed into a temp folder.
fn shared_ndcg(corpus: &Path, rel: &Path) -> f64 {
    let tmp = tempfile::tempdir().expect("tempdir");
    let index = tmp.path().join("index");
    let s = run_json(&[
        "index",
        "--corpus",
        path_str(corpus),
        "--index",
        path_str(&index),
        "--json",
    ]);
    assert!(s["indexed"].as_u64().unwrap_or(0) > 0, "{s}");
    let v = eval_json(&index, rel, &[]);
    v["ndcg@10"].as_f64().expect("ndcg")
}

#[test]
fn cranfield_beats_lucene_bm25() {
    let Some(rel) = shared("relevance/cranfield") else {
        return;
    };
    let ndcg = shared_ndcg(&rel.join("docs.jsonl"), &rel);
    println!("cranfield nDCG@10 = {ndcg:.4}");
    // Lucene BM25 (Anserini), title and body fields, measured here: 0.3724.
    assert!(
        ndcg > 0.3724,
        "cranfield nDCG@10 {ndcg:.4} does not beat Lucene BM25 (0.3724)"
    );
}

#[test]
fn policy_dev_beats_fts5_passages() {
    let (Some(rel), Some(corpus)) = (shared("relevance/policy-dev"), shared("corpus")) else {
        return;
    };
    let ndcg = shared_ndcg(&corpus, &rel);
    println!("policy-dev nDCG@10 = {ndcg:.4}");
    // SQLite FTS5 bm25 over page/section passages, best passage per document: 0.7985.
    assert!(
        ndcg > 0.7985,
        "policy-dev nDCG@10 {ndcg:.4} does not beat FTS5 passages (0.7985)"
    );
}
