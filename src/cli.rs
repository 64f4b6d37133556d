//! Command-line arguments (clap, with `POLSEARCH_*` environment fallbacks) and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use polsearch_core::{SearchRequest, Store};
use polsearch_extract::PdfEngine;
use polsearch_indexer::{IndexOptions, Isolation, Taxonomy, WorkerCommand};

use crate::{output, progress};

/// Full-text search for a library of city policy documents.
#[derive(Debug, Parser)]
#[command(name = "polsearch", version, about)]
pub struct Cli {
    /// Log what happens (also: POLSEARCH_LOG=info).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index a folder of PDF, HTML, Markdown, text and JSON Lines files (incrementally).
    Index(IndexArgs),
    /// Search an index from the command line.
    Search(SearchArgs),
    /// Internal: extract one PDF in an isolated worker process.
    #[command(hide = true)]
    ExtractWorker(WorkerArgs),
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folder (or single file, e.g. docs.jsonl) to index.
    #[arg(long, env = "POLSEARCH_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Where the index lives.
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Topic taxonomy (TOML); default: config/topics.toml if present, else the built-in copy.
    #[arg(long, env = "POLSEARCH_TOPICS")]
    pub topics: Option<PathBuf>,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    /// Seconds one PDF may take before its worker is killed.
    #[arg(long, env = "POLSEARCH_PDF_TIMEOUT", default_value_t = 30)]
    pub pdf_timeout: u64,
    /// Address-space cap of a PDF worker, in MiB.
    #[arg(long, env = "POLSEARCH_PDF_MEMORY_MB", default_value_t = 2048)]
    pub pdf_memory_mb: u64,
    /// Extraction threads (default: all cores).
    #[arg(long, env = "POLSEARCH_THREADS")]
    pub threads: Option<usize>,
    /// Commit after this many changed files (progress survives a kill).
    #[arg(long, env = "POLSEARCH_COMMIT_EVERY", default_value_t = 64)]
    pub commit_every: usize,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// How many documents to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Only documents under this topic (repeatable: any of them).
    #[arg(long = "topic")]
    pub topics: Vec<String>,
    /// Print results as JSON.
    #[arg(long)]
    pub json: bool,
    /// The query: words, "quoted phrases", -exclusions, OR.
    #[arg(required = true, num_args = 1..)]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    #[arg(long, value_parser = ["oxide", "lopdf"])]
    pub engine: String,
    pub path: PathBuf,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index(a) => index(a),
        Command::Search(a) => search(a),
        Command::ExtractWorker(a) => {
            let engine = PdfEngine::parse(&a.engine).unwrap_or(PdfEngine::Oxide);
            let code = polsearch_indexer::isolate::worker_main(&a.path, engine);
            Ok(ExitCode::from(code as u8))
        }
    }
}

/// The taxonomy named on the command line, else `config/topics.toml`, else the built-in one.
pub fn load_taxonomy(path: Option<&PathBuf>) -> Result<Taxonomy> {
    match path {
        Some(p) => {
            Taxonomy::load(p).with_context(|| format!("loading topics from {}", p.display()))
        }
        None => {
            let default = PathBuf::from("config/topics.toml");
            if default.is_file() {
                Taxonomy::load(&default)
                    .with_context(|| format!("loading topics from {}", default.display()))
            } else {
                Ok(Taxonomy::builtin())
            }
        }
    }
}

fn index(a: IndexArgs) -> Result<ExitCode> {
    let exe = std::env::current_exe().context("locating the polsearch binary for PDF workers")?;
    let isolation = Isolation::Subprocess {
        worker: WorkerCommand {
            program: exe,
            args: vec!["extract-worker".into()],
        },
        timeout: Duration::from_secs(a.pdf_timeout.max(1)),
        memory_limit: a.pdf_memory_mb.saturating_mul(1024 * 1024),
    };
    let mut opts = IndexOptions::new(a.corpus.clone(), a.index.clone(), isolation);
    opts.taxonomy = load_taxonomy(a.topics.as_ref())?;
    opts.commit_every = a.commit_every.max(1);
    if let Some(t) = a.threads {
        opts.threads = t.max(1);
    }
    let bar = progress::Bar::new(!a.json);
    let summary = polsearch_indexer::run(&opts, &bar)
        .with_context(|| format!("indexing {} into {}", a.corpus.display(), a.index.display()))?;
    if a.json {
        println!("{}", serde_json::to_string(&summary)?);
    } else {
        output::print_summary(&summary);
    }
    Ok(ExitCode::SUCCESS)
}

fn search(a: SearchArgs) -> Result<ExitCode> {
    let store = Store::open(&a.index)?;
    let reader = store.index.reader()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        topics: a.topics.clone(),
        limit: a.limit,
        ..SearchRequest::default()
    };
    let resp = polsearch_core::search(&store, &reader.searcher(), &req)?;
    if a.json {
        println!("{}", serde_json::to_string(&output::search_json(&resp))?);
    } else {
        output::print_results(&resp);
    }
    Ok(ExitCode::SUCCESS)
}
