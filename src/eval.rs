//! `polsearch eval`: runs judged queries through the search the API uses and prints
//! trec_eval's figures, optionally writing a TREC run file for other tools.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use polsearch_core::eval::{mean, parse_qrels, score, Metrics};
use polsearch_core::SearchRequest;
use serde::{Deserialize, Serialize};

/// Documents ranked per query (and written to the run file).
const DEPTH: usize = 100;

#[derive(Debug, Args)]
pub struct EvalArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Queries: JSON lines `{"id","text"}`.
    #[arg(long)]
    pub queries: PathBuf,
    /// Judgments: `query_id<TAB>doc_id<TAB>grade`.
    #[arg(long)]
    pub qrels: PathBuf,
    /// Write a TREC run file (`qid Q0 doc_id rank score polsearch`, top 100).
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// Print one JSON object with the means and `per_query`.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub glossary: crate::cli::GlossaryArg,
}

#[derive(Deserialize)]
struct QueryLine {
    id: serde_json::Value,
    text: String,
}

#[derive(Serialize)]
struct Report {
    queries: usize,
    #[serde(flatten)]
    mean: Metrics,
    per_query: BTreeMap<String, Metrics>,
}

fn id_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

pub fn eval(a: EvalArgs) -> Result<ExitCode> {
    let store = crate::cli::open_store(&a.index, &a.glossary)?;
    let searcher = store.index.reader()?.searcher();
    let qrels_text = std::fs::read_to_string(&a.qrels)
        .with_context(|| format!("reading {}", a.qrels.display()))?;
    let qrels = parse_qrels(&qrels_text).with_context(|| a.qrels.display().to_string())?;
    let queries_text = std::fs::read_to_string(&a.queries)
        .with_context(|| format!("reading {}", a.queries.display()))?;
    let mut run = match &a.run {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let mut per_query = BTreeMap::new();
    for (n, line) in queries_text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let q: QueryLine = serde_json::from_str(line)
            .with_context(|| format!("{} line {}", a.queries.display(), n + 1))?;
        let qid = id_string(&q.id);
        let req = SearchRequest {
            query: q.text,
            limit: DEPTH,
            passages: 0,
            ..SearchRequest::default()
        };
        let resp = polsearch_core::search(&store, &searcher, &req)
            .with_context(|| format!("query {qid}"))?;
        let ranked: Vec<String> = resp.hits.iter().map(|h| h.id.clone()).collect();
        if let Some(w) = run.as_mut() {
            for (i, h) in resp.hits.iter().enumerate() {
                writeln!(w, "{qid} Q0 {} {} {:.6} polsearch", h.id, i + 1, h.score)?;
            }
        }
        if let Some(m) = qrels.get(&qid).and_then(|j| score(&ranked, j)) {
            per_query.insert(qid, m);
        }
    }
    if let Some(mut w) = run {
        w.flush()?;
    }
    let report = Report {
        queries: per_query.len(),
        mean: mean(per_query.values()),
        per_query,
    };
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        let m = &report.mean;
        println!(
            "{} queries  nDCG@10 {:.4}  MAP@100 {:.4}  Recall@100 {:.4}  P@10 {:.4}  MRR@10 {:.4}",
            report.queries, m.ndcg10, m.map100, m.recall100, m.p10, m.mrr10
        );
    }
    Ok(ExitCode::SUCCESS)
}
