//! `polsearch bench`: in-process latency of the search the API runs, over a fixed mix of
//! the queries this library gets — keywords, keywords with facets, phrases, questions,
//! memo paragraphs, filtered browsing — and of suggestions per keystroke. Reports
//! percentiles per kind; the figures go to BENCHMARKS.md by hand, never into tests.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Result;
use clap::Args;
use polsearch_core::{SearchRequest, Suggester};
use serde::Serialize;

#[derive(Debug, Args)]
pub struct BenchArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Timed rounds over the whole mix (one untimed warm-up round comes first).
    #[arg(long, default_value_t = 5)]
    pub rounds: usize,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Time only the kinds whose name contains this (e.g. `keyword`, `suggest`): what a
    /// profiler run wants, so that its samples are of one kind of query.
    #[arg(long)]
    pub only: Option<String>,
    /// Time this one query (with `--topic`s) instead of the mix: what a profiler run of a
    /// slow request wants.
    #[arg(long)]
    pub query: Option<String>,
    /// Topic filters for `--query`.
    #[arg(long, requires = "query")]
    pub topic: Vec<String>,
    /// Also list the N requests of the mix with the highest median time, to see which
    /// queries make a kind's tail.
    #[arg(long, default_value_t = 0)]
    pub slowest: usize,
    #[command(flatten)]
    pub glossary: crate::cli::GlossaryArg,
}

const KEYWORDS: &[&str] = &[
    "water shutoffs",
    "stormwater green infrastructure",
    "lead service lines",
    "accessory dwelling units",
    "parking minimums",
    "living wage",
    "state preemption",
    "climate resilience",
    "extreme heat",
    "tree canopy",
    "flood insurance",
    "bus rapid transit",
    "affordable housing trust fund",
    "eviction prevention",
    "immigrant legal services",
    "participatory budgeting",
    "open data",
    "police accountability",
    "capital budget",
    "sea level rise",
    "community land trust",
    "energy efficiency buildings",
    "public health data",
    "school segregation",
];

const PHRASES: &[&str] = &[
    "\"climate action plan\"",
    "\"green infrastructure\"",
    "\"affordable housing\"",
    "\"open data\" -boston",
    "\"sea level rise\" flooding",
    "\"capital improvement\" OR \"capital budget\"",
];

const QUESTIONS: &[&str] = &[
    "what have cities done about water shutoffs?",
    "how can owners of commercial buildings prepare for flooding and power outages?",
    "why are people serving longer prison terms, and what reforms could shorten them?",
    "how has data sharing helped governments respond to disease outbreaks?",
    "which cities removed parking minimums and what happened to housing construction?",
    "how do cities pay for replacing lead pipes?",
    "what does a welcoming city policy include?",
    "how can a city protect renters from heat in summer?",
];

const MEMOS: &[&str] = &[
    "The mayor has been asked whether people leaving disaster-prone regions might relocate here. Please find research on climate-driven migration and what it could mean for receiving communities' housing, services and natural resources, with any examples of cities that planned for it.",
    "Staff are preparing the mayor for a roundtable on racial equity in neighborhood investment. Please find analyses showing how lending and investment differ between neighborhoods by race, and examples of indicators a city can use to track progress over time.",
    "A council member wants to know what the city can do on its own when the state limits local minimum wage and housing rules. Find material on state preemption of local laws, its history, and the strategies cities have used in response, including litigation and voluntary programs.",
    "We need a short memo on green stormwater infrastructure: what it costs compared with pipes and tunnels, how cities finance it through stormwater fees or credits, and what maintenance it needs to keep working after the first few years.",
];

const TOPICS: &[&str] = &[
    "water",
    "housing",
    "climate-energy",
    "governance",
    "environment",
];

#[derive(Serialize)]
struct Figures {
    kind: &'static str,
    calls: usize,
    p50_ms: f64,
    p95_ms: f64,
    p99_ms: f64,
    max_ms: f64,
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1;
    sorted[i].as_secs_f64() * 1e3
}

fn figures(kind: &'static str, mut d: Vec<Duration>) -> Figures {
    d.sort();
    Figures {
        kind,
        calls: d.len(),
        p50_ms: percentile(&d, 0.50),
        p95_ms: percentile(&d, 0.95),
        p99_ms: percentile(&d, 0.99),
        max_ms: d.last().map_or(0.0, |x| x.as_secs_f64() * 1e3),
    }
}

const SUGGEST: &str = "suggest (per keystroke)";
/// The kind of the request `--query` names.
const ONE_QUERY: &str = "the --query request";

pub fn bench(a: BenchArgs) -> Result<ExitCode> {
    let store = crate::cli::open_store(&a.index, &a.glossary)?;
    let searcher = store.index.reader()?.searcher();
    let docs = polsearch_core::search::document_count(&store, &searcher)?;
    let req = |q: &str, topics: &[&str]| SearchRequest {
        query: q.to_string(),
        topics: topics.iter().map(|t| t.to_string()).collect(),
        ..SearchRequest::default()
    };
    let mut mix: Vec<(&'static str, SearchRequest)> = Vec::new();
    for q in KEYWORDS {
        mix.push(("keyword", req(q, &[])));
    }
    for (i, q) in KEYWORDS.iter().enumerate() {
        mix.push(("keyword + topic facet", req(q, &[TOPICS[i % TOPICS.len()]])));
    }
    for q in PHRASES {
        mix.push(("phrase and syntax", req(q, &[])));
    }
    for q in QUESTIONS {
        mix.push(("question", req(q, &[])));
    }
    for q in MEMOS {
        mix.push(("memo paragraph", req(q, &[])));
    }
    for t in TOPICS {
        let mut r = req("", &[t]);
        r.year_min = Some(2015);
        mix.push(("browse + filters", r));
    }
    let kinds = [
        "keyword",
        "keyword + topic facet",
        "phrase and syntax",
        "question",
        "memo paragraph",
        "browse + filters",
    ];
    if let Some(q) = &a.query {
        mix.clear();
        mix.push((
            ONE_QUERY,
            SearchRequest {
                query: q.clone(),
                topics: a.topic.clone(),
                ..SearchRequest::default()
            },
        ));
    }
    let kinds = if a.query.is_some() {
        &[ONE_QUERY][..]
    } else {
        &kinds[..]
    };
    let wanted = |kind: &str| a.only.as_deref().is_none_or(|o| kind.contains(o));
    mix.retain(|(kind, _)| wanted(kind));
    let mut times: Vec<Vec<Duration>> = vec![Vec::new(); kinds.len()];
    let mut by_request: Vec<Vec<Duration>> = vec![Vec::new(); mix.len()];
    for round in 0..=a.rounds {
        for (n, (kind, r)) in mix.iter().enumerate() {
            let t = Instant::now();
            let resp = polsearch_core::search(&store, &searcher, r)?;
            let took = t.elapsed();
            std::hint::black_box(resp);
            if round > 0 {
                if let Some(i) = kinds.iter().position(|k| k == kind) {
                    times[i].push(took);
                }
                by_request[n].push(took);
            }
        }
    }
    let mut slowest: Vec<(f64, &str, &SearchRequest)> = mix
        .iter()
        .zip(by_request)
        .map(|((kind, r), mut d)| {
            d.sort();
            (percentile(&d, 0.5), *kind, r)
        })
        .collect();
    slowest.sort_by(|a, b| b.0.total_cmp(&a.0));
    slowest.truncate(a.slowest);
    let mut out: Vec<Figures> = kinds
        .iter()
        .zip(times)
        .filter(|(k, _)| wanted(k))
        .map(|(k, d)| figures(k, d))
        .collect();

    let mut build_ms = None;
    if wanted(SUGGEST) && a.query.is_none() {
        let built = Instant::now();
        let suggester = Suggester::build(&store, &searcher)?;
        build_ms = Some(built.elapsed().as_secs_f64() * 1e3);
        let mut sugg = Vec::new();
        for round in 0..=a.rounds {
            for q in KEYWORDS {
                for end in (1..=q.len()).filter(|e| q.is_char_boundary(*e)) {
                    let t = Instant::now();
                    std::hint::black_box(suggester.suggest(&q[..end], 8));
                    if round > 0 {
                        sugg.push(t.elapsed());
                    }
                }
            }
        }
        out.push(figures(SUGGEST, sugg));
    }

    if a.json {
        println!(
            "{}",
            serde_json::json!({"documents": docs, "records": searcher.num_docs(),
                "suggester_build_ms": build_ms, "figures": out,
                "slowest": slowest.iter().map(|(ms, kind, r)| serde_json::json!({
                    "query": r.query, "kind": kind, "topics": r.topics, "median_ms": ms,
                })).collect::<Vec<_>>()})
        );
    } else {
        let built = build_ms.map_or(String::new(), |ms| {
            format!("; suggester built in {ms:.0} ms")
        });
        println!(
            "{docs} documents, {} records; {} timed rounds{built}",
            searcher.num_docs(),
            a.rounds
        );
        println!("| kind | calls | p50 ms | p95 ms | p99 ms | max ms |");
        println!("|---|---|---|---|---|---|");
        for f in &out {
            println!(
                "| {} | {} | {:.2} | {:.2} | {:.2} | {:.2} |",
                f.kind, f.calls, f.p50_ms, f.p95_ms, f.p99_ms, f.max_ms
            );
        }
        if !slowest.is_empty() {
            println!();
            println!("| slowest requests | kind | topics | median ms |");
            println!("|---|---|---|---|");
            for (ms, kind, r) in &slowest {
                let query: String = r.query.chars().take(60).collect();
                println!("| {query} | {kind} | {} | {ms:.2} |", r.topics.join(", "));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
