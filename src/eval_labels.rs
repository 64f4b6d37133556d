//! `polsearch eval-labels`: runs every hand-labeled file through the indexing pipeline
//! (extraction with PDF workers, then enrichment, the code `polsearch inspect` uses) and scores
//! topics, document type, year and places against the labels.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{Context, Result};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::cli::{index_options, EvalLabelsArgs};
use crate::inspect::analysis_json;

/// One line of a labels file (unknown keys, e.g. `notes`, are ignored).
#[derive(Debug, Deserialize)]
struct Label {
    path: String,
    #[serde(default)]
    topics: Vec<String>,
    #[serde(default, rename = "type")]
    doc_type: Option<String>,
    #[serde(default)]
    year: Option<u64>,
    #[serde(default)]
    places: Vec<String>,
}

/// True/false positives and false negatives of one set-valued label.
#[derive(Debug, Default, Clone, Copy)]
struct Counts {
    tp: u32,
    fp: u32,
    fn_: u32,
}

impl Counts {
    fn add(&mut self, predicted: &BTreeSet<String>, labeled: &BTreeSet<String>) {
        self.tp += predicted.intersection(labeled).count() as u32;
        self.fp += predicted.difference(labeled).count() as u32;
        self.fn_ += labeled.difference(predicted).count() as u32;
    }
    fn precision(&self) -> Option<f64> {
        let d = self.tp + self.fp;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    fn recall(&self) -> Option<f64> {
        let d = self.tp + self.fn_;
        (d > 0).then(|| self.tp as f64 / d as f64)
    }
    fn f1(&self) -> Option<f64> {
        let d = 2 * self.tp + self.fp + self.fn_;
        (d > 0).then(|| 2.0 * self.tp as f64 / d as f64)
    }
    fn json(&self) -> Value {
        json!({
            "precision": round(self.precision()), "recall": round(self.recall()), "f1": round(self.f1()),
            "tp": self.tp, "fp": self.fp, "fn": self.fn_,
        })
    }
}

fn round(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 1000.0).round() / 1000.0)
}

fn read_labels(path: &std::path::Path) -> Result<Vec<Label>> {
    let file = std::fs::File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let label: Label = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}", path.display(), i + 1))?;
        out.push(label);
    }
    Ok(out)
}

pub fn eval_labels(a: EvalLabelsArgs) -> Result<ExitCode> {
    let labels = read_labels(&a.labels)?;
    let opts = index_options(&a.corpus, &a.corpus, &a.pipeline)?;
    let files: Vec<(std::path::PathBuf, String)> = labels
        .iter()
        .map(|l| (a.corpus.join(&l.path), l.path.clone()))
        .collect();
    let results =
        polsearch_indexer::analyze_files(&opts.isolation, &opts.taxonomy, &files, opts.threads);
    let report = score(&labels, &results);
    if a.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn score(labels: &[Label], results: &[Result<polsearch_indexer::Analysis, String>]) -> Value {
    let mut per_topic: BTreeMap<String, Counts> = BTreeMap::new();
    let mut topics_all = Counts::default();
    let mut places_all = Counts::default();
    let (mut type_ok, mut type_n) = (0u32, 0u32);
    let (mut year_ok, mut year_n) = (0u32, 0u32);
    let mut confusion: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    let mut documents = Vec::new();
    let mut failures = Vec::new();
    for (label, result) in labels.iter().zip(results) {
        let predicted = match result {
            Ok(analysis) => analysis_json(analysis),
            Err(e) => {
                failures.push(json!({"path": label.path, "error": e}));
                json!({"topics": [], "type": null, "year": null, "places": []})
            }
        };
        let strings = |key: &str| -> Vec<String> {
            predicted[key]
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|v| v.as_str().or_else(|| v["place"].as_str()))
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default()
        };
        let p_topics: BTreeSet<String> = strings("topics").into_iter().collect();
        let l_topics: BTreeSet<String> = label.topics.iter().cloned().collect();
        topics_all.add(&p_topics, &l_topics);
        for t in p_topics.union(&l_topics) {
            let one = |s: &BTreeSet<String>| -> BTreeSet<String> {
                s.iter().filter(|x| *x == t).cloned().collect()
            };
            per_topic
                .entry(t.clone())
                .or_default()
                .add(&one(&p_topics), &one(&l_topics));
        }
        let p_type = predicted["type"].as_str().map(str::to_string);
        if let Some(lt) = &label.doc_type {
            type_n += 1;
            if p_type.as_deref() == Some(lt.as_str()) {
                type_ok += 1;
            }
            *confusion
                .entry(lt.clone())
                .or_default()
                .entry(p_type.clone().unwrap_or_else(|| "(none)".into()))
                .or_default() += 1;
        }
        let p_year = predicted["year"].as_u64();
        if let Some(ly) = label.year {
            year_n += 1;
            if p_year == Some(ly) {
                year_ok += 1;
            }
        }
        let p_places: BTreeSet<String> = strings("places").into_iter().collect();
        let l_places: BTreeSet<String> = label.places.iter().cloned().collect();
        places_all.add(&p_places, &l_places);
        documents.push(json!({
            "path": label.path,
            "topics": {"predicted": p_topics, "labeled": l_topics},
            "type": {"predicted": p_type, "labeled": label.doc_type},
            "year": {"predicted": p_year, "labeled": label.year},
            "places": {"predicted": p_places, "labeled": l_places},
        }));
    }
    let f1s: Vec<f64> = per_topic.values().filter_map(Counts::f1).collect();
    let macro_f1 = (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64);
    let ratio = |ok: u32, n: u32| round((n > 0).then(|| ok as f64 / n as f64));
    json!({
        "documents_labeled": labels.len(),
        "failed": failures,
        "topics": {
            "micro": topics_all.json(),
            "macro_f1": round(macro_f1),
            "per_topic": per_topic.iter().map(|(k, c)| (k.clone(), c.json())).collect::<serde_json::Map<_, _>>(),
        },
        "type": {"accuracy": ratio(type_ok, type_n), "correct": type_ok, "labeled": type_n, "confusion": confusion},
        "year": {"accuracy": ratio(year_ok, year_n), "correct": year_ok, "labeled": year_n},
        "places": places_all.json(),
        "documents": documents,
    })
}

fn print_report(r: &Value) {
    let f = |v: &Value| v.as_f64().map_or("-".to_string(), |x| format!("{x:.3}"));
    println!("{} labeled documents", r["documents_labeled"]);
    for fail in r["failed"].as_array().into_iter().flatten() {
        println!(
            "  failed: {}: {}",
            fail["path"].as_str().unwrap_or(""),
            fail["error"].as_str().unwrap_or("")
        );
    }
    println!("\ntopics            P      R      F1     tp  fp  fn");
    for (slug, c) in r["topics"]["per_topic"].as_object().into_iter().flatten() {
        println!(
            "  {slug:<22} {}  {}  {}  {:>3} {:>3} {:>3}",
            f(&c["precision"]),
            f(&c["recall"]),
            f(&c["f1"]),
            c["tp"],
            c["fp"],
            c["fn"]
        );
    }
    let m = &r["topics"]["micro"];
    println!(
        "  {:<22} {}  {}  {}  {:>3} {:>3} {:>3}",
        "micro",
        f(&m["precision"]),
        f(&m["recall"]),
        f(&m["f1"]),
        m["tp"],
        m["fp"],
        m["fn"]
    );
    println!("  {:<22} {:>19}", "macro F1", f(&r["topics"]["macro_f1"]));
    let t = &r["type"];
    println!(
        "\ntype accuracy  {} ({}/{})",
        f(&t["accuracy"]),
        t["correct"],
        t["labeled"]
    );
    for (labeled, row) in t["confusion"].as_object().into_iter().flatten() {
        let cells: Vec<String> = row
            .as_object()
            .into_iter()
            .flatten()
            .map(|(p, n)| format!("{p}:{n}"))
            .collect();
        println!("  {labeled:<15} → {}", cells.join(" "));
    }
    let y = &r["year"];
    println!(
        "year accuracy  {} ({}/{} with a labeled year)",
        f(&y["accuracy"]),
        y["correct"],
        y["labeled"]
    );
    let p = &r["places"];
    println!(
        "places         P {}  R {}  F1 {}  (tp {} fp {} fn {})",
        f(&p["precision"]),
        f(&p["recall"]),
        f(&p["f1"]),
        p["tp"],
        p["fp"],
        p["fn"]
    );
}
