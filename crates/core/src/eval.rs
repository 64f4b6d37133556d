//! Ranking quality as trec_eval measures it: judged queries (qrels), a ranked list per
//! query, and nDCG@10, MAP@100, Recall@100, P@10 and MRR@10.
//!
//! Definitions follow trec_eval: the gain of a document is its grade (unjudged counts as 0),
//! the discount is log2(rank + 1), the ideal ranking is every judged document by grade; a
//! document is relevant at grade ≥ 1; MAP@100 divides by all relevant documents, not just
//! those retrieved. Averages are over queries with at least one relevant document.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use crate::error::{CoreError, Result};

/// Query id → document id → grade.
pub type Qrels = BTreeMap<String, HashMap<String, i32>>;

/// Reads `query_id<TAB>doc_id<TAB>grade` lines (whitespace-separated also accepted; the
/// four-column TREC form `qid 0 doc grade` too). Blank lines and `#` comments are skipped.
pub fn parse_qrels(text: &str) -> Result<Qrels> {
    let mut out = Qrels::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        // Tabs when there are any, since corpus paths may hold spaces.
        let cols: Vec<&str> = if line.contains('\t') {
            line.split('\t').map(str::trim).collect()
        } else {
            line.split_whitespace().collect()
        };
        let (q, d, g) = match cols.as_slice() {
            [q, d, g] => (q, d, g),
            [q, _, d, g] => (q, d, g),
            _ => {
                return Err(CoreError::InvalidRequest(format!(
                    "qrels line {}: expected `query_id doc_id grade`, got {line:?}",
                    n + 1
                )))
            }
        };
        let grade: i32 = g.parse().map_err(|_| {
            CoreError::InvalidRequest(format!("qrels line {}: grade {g:?} is not a number", n + 1))
        })?;
        out.entry(q.to_string())
            .or_default()
            .insert(d.to_string(), grade);
    }
    Ok(out)
}

/// The figures of one query, or their means over queries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Metrics {
    #[serde(rename = "ndcg@10")]
    pub ndcg10: f64,
    #[serde(rename = "map@100")]
    pub map100: f64,
    #[serde(rename = "recall@100")]
    pub recall100: f64,
    #[serde(rename = "p@10")]
    pub p10: f64,
    #[serde(rename = "mrr@10")]
    pub mrr10: f64,
}

/// Scores one ranked list (best first) against one query's judgments; `None` when the
/// query has no relevant document (it is left out of averages, as trec_eval does).
pub fn score(ranked: &[String], judged: &HashMap<String, i32>) -> Option<Metrics> {
    let relevant = judged.values().filter(|g| **g >= 1).count();
    if relevant == 0 {
        return None;
    }
    let grade = |d: &String| judged.get(d).copied().unwrap_or(0).max(0);
    let discount = |i: usize| ((i + 2) as f64).log2();
    let dcg: f64 = ranked
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, d)| grade(d) as f64 / discount(i))
        .sum();
    let mut ideal: Vec<i32> = judged.values().map(|g| (*g).max(0)).collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let idcg: f64 = ideal
        .iter()
        .take(10)
        .enumerate()
        .map(|(i, g)| *g as f64 / discount(i))
        .sum();
    let mut hits = 0usize;
    let mut ap = 0.0;
    let mut mrr = 0.0;
    let mut p10 = 0usize;
    for (i, d) in ranked.iter().take(100).enumerate() {
        if grade(d) >= 1 {
            hits += 1;
            ap += hits as f64 / (i + 1) as f64;
            if i < 10 {
                p10 += 1;
                if mrr == 0.0 {
                    mrr = 1.0 / (i + 1) as f64;
                }
            }
        }
    }
    Some(Metrics {
        ndcg10: if idcg > 0.0 { dcg / idcg } else { 0.0 },
        map100: ap / relevant as f64,
        recall100: hits as f64 / relevant as f64,
        p10: p10 as f64 / 10.0,
        mrr10: mrr,
    })
}

/// The mean of each figure.
pub fn mean<'a>(all: impl IntoIterator<Item = &'a Metrics>) -> Metrics {
    let mut sum = Metrics::default();
    let mut n = 0usize;
    for m in all {
        n += 1;
        sum.ndcg10 += m.ndcg10;
        sum.map100 += m.map100;
        sum.recall100 += m.recall100;
        sum.p10 += m.p10;
        sum.mrr10 += m.mrr10;
    }
    if n == 0 {
        return sum;
    }
    let n = n as f64;
    Metrics {
        ndcg10: sum.ndcg10 / n,
        map100: sum.map100 / n,
        recall100: sum.recall100 / n,
        p10: sum.p10 / n,
        mrr10: sum.mrr10 / n,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn judged(pairs: &[(&str, i32)]) -> HashMap<String, i32> {
        pairs.iter().map(|(d, g)| (d.to_string(), *g)).collect()
    }

    fn list(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn figures_match_a_hand_computation() {
        // Relevant: a (3), b (1), c (2); d judged 0; x unjudged.
        let j = judged(&[("a", 3), ("b", 1), ("c", 2), ("d", 0)]);
        let m = score(&list(&["x", "a", "d", "c"]), &j).expect("has relevant");
        let dcg = 3.0 / 3f64.log2() + 2.0 / 5f64.log2();
        let idcg = 3.0 + 2.0 / 3f64.log2() + 1.0 / 2.0;
        assert!((m.ndcg10 - dcg / idcg).abs() < 1e-12, "{m:?}");
        // AP: relevant at ranks 2 and 4 → (1/2 + 2/4) / 3 relevant.
        assert!((m.map100 - (0.5 + 0.5) / 3.0).abs() < 1e-12);
        assert!((m.recall100 - 2.0 / 3.0).abs() < 1e-12);
        assert!((m.p10 - 0.2).abs() < 1e-12);
        assert!((m.mrr10 - 0.5).abs() < 1e-12);
    }

    #[test]
    fn perfect_and_empty_rankings() {
        let j = judged(&[("a", 2), ("b", 1)]);
        let m = score(&list(&["a", "b"]), &j).expect("has relevant");
        assert!((m.ndcg10 - 1.0).abs() < 1e-12);
        assert!((m.map100 - 1.0).abs() < 1e-12);
        let m = score(&[], &j).expect("has relevant");
        assert_eq!(m, Metrics::default());
        assert!(score(&list(&["a"]), &judged(&[("a", 0)])).is_none());
    }

    #[test]
    fn qrels_in_three_and_four_columns() {
        let q = parse_qrels("1\t184\t3\n# c\n\n1 0 29 2\n2\tpdf/a b.pdf\t1\n").expect("valid");
        assert_eq!(q["1"]["184"], 3);
        assert_eq!(q["1"]["29"], 2);
        assert_eq!(q["2"]["pdf/a b.pdf"], 1);
        assert!(parse_qrels("1\t2\n").is_err());
        assert!(parse_qrels("1\t2\tx\n").is_err());
    }
}
