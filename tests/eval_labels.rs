//! `polsearch eval-labels` and `polsearch inspect`: they agree with each other, and on the hand
//! labels in ../shared (skipped with a notice when absent) the figures stay above a floor a few
//! points under what BENCHMARKS.md records.

mod common;

use common::*;
use serde_json::Value;

fn eval(corpus: &std::path::Path, labels: &std::path::Path) -> Value {
    run_json(&[
        "eval-labels",
        "--corpus",
        path_str(corpus),
        "--labels",
        path_str(labels),
        "--json",
    ])
}

/// The predictions eval-labels reports for `path` equal what inspect reports for the file.
fn assert_agrees(corpus: &std::path::Path, report: &Value, path: &str) {
    let doc = report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .find(|d| d["path"] == path)
        .unwrap_or_else(|| panic!("{path} missing from the report"));
    let file = corpus.join(path);
    let inspected = run_json(&["inspect", "--json", path_str(&file)]);
    let mut topics: Vec<&str> = inspected["topics"]
        .as_array()
        .expect("topics")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    topics.sort_unstable();
    let predicted: Vec<&str> = doc["topics"]["predicted"]
        .as_array()
        .expect("predicted topics")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(predicted, topics, "{path}");
    assert_eq!(doc["type"]["predicted"], inspected["type"], "{path}");
    assert_eq!(doc["year"]["predicted"], inspected["year"], "{path}");
    let mut places: Vec<&str> = inspected["places"]
        .as_array()
        .expect("places")
        .iter()
        .filter_map(|p| p["place"].as_str())
        .collect();
    places.sort_unstable();
    let predicted: Vec<&str> = doc["places"]["predicted"]
        .as_array()
        .expect("predicted places")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(predicted, places, "{path}");
}

#[test]
fn eval_labels_scores_a_small_labeled_corpus_and_agrees_with_inspect() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let corpus = tmp.path().join("corpus");
    std::fs::create_dir_all(corpus.join("md")).expect("mkdir");
    std::fs::write(
        corpus.join("md/shutoffs.md"),
        "# Water shutoff moratorium\n\nPublished March 3, 2021.\n\nThe utility paused water shutoffs and \
         launched a water affordability program with income-based water rates for low-income \
         households, arrears forgiveness and lead service line replacement. Drinking water \
         quality, water bills and the water utility's budget are reviewed every year.\n",
    )
    .expect("write");
    std::fs::write(
        corpus.join("md/minutes.md"),
        "# City Council Meeting Minutes, May 4, 2020\n\nThe meeting was called to order at 7 pm. \
         Roll call: all councilors present. The council approved the minutes of the previous \
         meeting and adopted an ordinance on parking permits. The meeting adjourned at 9 pm.\n",
    )
    .expect("write");
    let labels = tmp.path().join("labels.jsonl");
    std::fs::write(
        &labels,
        concat!(
            r#"{"path":"md/shutoffs.md","topics":["water"],"type":"article","year":2021,"places":[]}"#,
            "\n",
            r#"{"path":"md/minutes.md","topics":["governance"],"type":"meeting-record","year":2020,"places":[],"notes":"x"}"#,
            "\n",
        ),
    )
    .expect("write");
    let report = eval(&corpus, &labels);
    assert_eq!(report["documents_labeled"], 2, "{report}");
    assert!(
        report["failed"].as_array().is_some_and(Vec::is_empty),
        "{report}"
    );
    for key in ["micro", "per_topic"] {
        assert!(report["topics"][key].is_object(), "{report}");
    }
    assert_eq!(report["type"]["labeled"], 2);
    assert_eq!(report["year"]["labeled"], 2);
    assert_eq!(report["year"]["correct"], 2, "{report}");
    assert_eq!(report["topics"]["per_topic"]["water"]["tp"], 1, "{report}");
    assert_agrees(&corpus, &report, "md/shutoffs.md");
    assert_agrees(&corpus, &report, "md/minutes.md");

    let human = run(&[
        "eval-labels",
        "--corpus",
        path_str(&corpus),
        "--labels",
        path_str(&labels),
    ]);
    assert!(human.status.success());
    let text = String::from_utf8_lossy(&human.stdout);
    assert!(
        text.contains("micro") && text.contains("type accuracy"),
        "{text}"
    );
}

#[test]
fn inspect_json_has_the_documented_keys() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("note.md");
    std::fs::write(
        &file,
        "# Bus lanes\n\nTransit riders, bus lanes and bus rapid transit.\n",
    )
    .expect("write");
    let v = run_json(&["inspect", "--json", path_str(&file)]);
    for key in [
        "title",
        "type",
        "year",
        "date",
        "language",
        "topics",
        "subtopics",
        "topic_scores",
        "places",
        "pages",
        "has_text",
        "warnings",
    ] {
        assert!(v.get(key).is_some(), "inspect --json lacks {key}: {v}");
    }
    assert!(v["year"].is_null() || v["year"].is_u64(), "{v}");
    let human = run(&["inspect", path_str(&file)]);
    assert!(human.status.success());
    assert!(String::from_utf8_lossy(&human.stdout).contains("title:"));
}

/// Floors a few points under the figures in BENCHMARKS.md ("Enrichment (issue 5)").
const FLOOR_TOPIC_MICRO_F1: f64 = 0.79;
const FLOOR_TYPE_ACCURACY: f64 = 0.86;
const FLOOR_YEAR_ACCURACY: f64 = 0.83;
const FLOOR_PLACE_F1: f64 = 0.73;

#[test]
fn eval_labels_on_the_shared_labels_stays_above_the_floor() {
    let (Some(corpus), Some(labels)) = (
        shared("corpus"),
        shared("corpus-meta/labels/labels-dev.jsonl"),
    ) else {
        return;
    };
    let report = eval(&corpus, &labels);
    let figure = |v: &Value| v.as_f64().unwrap_or(0.0);
    let topics = figure(&report["topics"]["micro"]["f1"]);
    let types = figure(&report["type"]["accuracy"]);
    let years = figure(&report["year"]["accuracy"]);
    let places = figure(&report["places"]["f1"]);
    println!(
        "topic micro-F1 {topics:.3}, type accuracy {types:.3}, year accuracy {years:.3}, place F1 {places:.3}"
    );
    assert!(topics >= FLOOR_TOPIC_MICRO_F1, "topic micro-F1 {topics}");
    assert!(types >= FLOOR_TYPE_ACCURACY, "type accuracy {types}");
    assert!(years >= FLOOR_YEAR_ACCURACY, "year accuracy {years}");
    assert!(places >= FLOOR_PLACE_F1, "place F1 {places}");
    assert!(
        report["failed"].as_array().is_some_and(|f| f.len() <= 2),
        "{}",
        report["failed"]
    );
    // eval-labels and inspect share one code path: spot-check a PDF and a web page.
    for d in report["documents"]
        .as_array()
        .expect("documents")
        .iter()
        .step_by(40)
    {
        if let Some(p) = d["path"].as_str() {
            assert_agrees(&corpus, &report, p);
        }
    }
}
