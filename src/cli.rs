//! Command-line arguments (clap, with `POLSEARCH_*` environment fallbacks) and dispatch.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};
use clap::{Args, Parser, Subcommand};
use polsearch_core::glossary::Glossary;
use polsearch_core::{SearchRequest, Store};
use polsearch_extract::PdfEngine;
use polsearch_indexer::isolate::WorkerLimits;
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
    /// Index the corpus incrementally, then serve the search API over HTTP.
    Serve(ServeArgs),
    /// Memo mode: the best passages across the library for a question or paragraph, with
    /// citations.
    Passages(PassagesArgs),
    /// Time searches and suggestions in process over a fixed query mix (for BENCHMARKS.md).
    Bench(crate::bench::BenchArgs),
    /// Write a synthetic corpus of N passages recombined from the sample corpus (scale benchmarks).
    BenchCorpus(crate::synth::BenchCorpusArgs),
    /// Write a consistent copy of an index to one file, even while it is served or written.
    Snapshot(SnapshotArgs),
    /// Unpack a snapshot into a new, empty index folder.
    Restore(RestoreArgs),
    /// Measure ranking quality on judged queries (nDCG@10, MAP@100, Recall@100, P@10, MRR@10).
    Eval(crate::eval::EvalArgs),
    /// Show what the indexer extracts from one file and infers about it (and why).
    Inspect(InspectArgs),
    /// Score the indexer's topics, types, years and places against hand labels.
    EvalLabels(EvalLabelsArgs),
    /// Internal: extract one PDF in an isolated worker process.
    #[command(hide = true)]
    ExtractWorker(WorkerArgs),
}

/// How files are turned into index records; shared by `index` and `serve`.
#[derive(Debug, Args)]
pub struct PipelineArgs {
    /// Topic taxonomy (TOML); default: config/topics.toml if present, else the built-in copy.
    #[arg(long, env = "POLSEARCH_TOPICS")]
    pub topics: Option<PathBuf>,
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
    /// Try again PDFs that failed before (same bytes, same limits); normally their failure
    /// is remembered and reported without running a worker.
    #[arg(long)]
    pub retry_failed: bool,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Folder (or single file, e.g. docs.jsonl) to index.
    #[arg(long, env = "POLSEARCH_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Where the index lives.
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Folder (or single file) to index and serve files from; uploads are stored here.
    #[arg(long, env = "POLSEARCH_CORPUS", default_value = "corpus")]
    pub corpus: PathBuf,
    /// Where the index lives.
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, env = "POLSEARCH_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Serve the index as it is, without indexing the corpus first.
    #[arg(long)]
    pub no_index: bool,
    /// Largest upload accepted by `POST /api/documents`, in MiB.
    #[arg(long, env = "POLSEARCH_MAX_UPLOAD_MB", default_value_t = 64)]
    pub max_upload_mb: usize,
    /// A site whose pages may call the public API from a browser, e.g.
    /// https://www.example.org (repeatable; the env variable takes a comma-separated list).
    #[arg(
        long = "cors-origin",
        env = "POLSEARCH_CORS_ORIGINS",
        value_delimiter = ','
    )]
    pub cors_origins: Vec<String>,
    /// Where search analytics are kept [default: INDEX/analytics/searches.redb].
    #[arg(long, env = "POLSEARCH_ANALYTICS")]
    pub analytics: Option<PathBuf>,
    /// Record no search analytics.
    #[arg(long)]
    pub no_analytics: bool,
    /// The name shown in the search page's header and title.
    #[arg(long, env = "POLSEARCH_SITE_NAME", default_value = "Policy Library")]
    pub site_name: String,
    /// Requests a second each client address may send to the public API, twice that in a
    /// burst; 0 for no limit.
    #[arg(long, env = "POLSEARCH_RATE_LIMIT", default_value_t = 30)]
    pub rate_limit: u32,
    /// Seconds a request may take before it is answered 503 (uploads: at least 10 minutes).
    #[arg(long, env = "POLSEARCH_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds a client may take to send a request's headers; also how long an idle
    /// keep-alive connection is kept. Slow senders are disconnected.
    #[arg(long, env = "POLSEARCH_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout: u64,
    /// Public requests (searches, suggestions, the page) answered at once [default: two per
    /// core]; the others wait their turn.
    #[arg(long, env = "POLSEARCH_WORKERS")]
    pub workers: Option<usize>,
    /// Public requests that may wait for a worker; past that, new ones get 503 at once.
    #[arg(long, env = "POLSEARCH_MAX_WAITING", default_value_t = 256)]
    pub max_waiting: usize,
    /// Recent search answers kept for repeated searches (0 keeps none); any commit to the
    /// index makes the kept ones unreachable.
    #[arg(long, env = "POLSEARCH_RESULT_CACHE", default_value_t = 1024)]
    pub result_cache: usize,
    #[command(flatten)]
    pub glossary: GlossaryArg,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// How many documents to show.
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// Skip this many documents.
    #[arg(long, default_value_t = 0)]
    pub offset: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub glossary: GlossaryArg,
    /// Print results as JSON (the same shape as `GET /api/search`).
    #[arg(long)]
    pub json: bool,
    /// The query: words, "quoted phrases", -exclusions, OR, title:/topic:/type:/year:/lang:.
    #[arg(num_args = 0..)]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PassagesArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// How many passages to show (at most 50).
    #[arg(long, default_value_t = 10)]
    pub limit: usize,
    /// At most this many passages from one document.
    #[arg(long, default_value_t = 2)]
    pub per_document: usize,
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub glossary: GlossaryArg,
    /// Print the same JSON as `GET /api/passages`.
    #[arg(long)]
    pub json: bool,
    /// The question or paragraph.
    #[arg(num_args = 1..)]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[arg(long, env = "POLSEARCH_INDEX", default_value = "index")]
    pub index: PathBuf,
    /// The archive to write (a tar file); it must not exist yet.
    #[arg(long)]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// A file written by `polsearch snapshot`.
    #[arg(long)]
    pub snapshot: PathBuf,
    /// The folder to restore into; it must be missing or empty.
    #[arg(long)]
    pub index: PathBuf,
}

/// Where the acronym and synonym glossary comes from; shared by every command that searches.
#[derive(Debug, Args)]
pub struct GlossaryArg {
    /// Acronyms and synonyms (TOML); default: config/glossary.toml if present, else built in.
    #[arg(long, env = "POLSEARCH_GLOSSARY")]
    pub glossary: Option<PathBuf>,
}

/// Filters shared by `search` and `passages`.
#[derive(Debug, Args)]
pub struct FilterArgs {
    /// Only documents under this topic (repeatable: any of them).
    #[arg(long = "topic")]
    pub topics: Vec<String>,
    /// Only documents of this type (repeatable).
    #[arg(long = "type")]
    pub types: Vec<String>,
    /// Only documents in this language, e.g. `es` (repeatable).
    #[arg(long = "lang")]
    pub languages: Vec<String>,
    /// Only documents about this place, e.g. `Austin, TX` (repeatable).
    #[arg(long = "place")]
    pub places: Vec<String>,
    #[arg(long)]
    pub year_min: Option<u64>,
    #[arg(long)]
    pub year_max: Option<u64>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// The file to inspect (PDF, HTML, Markdown or text).
    pub file: PathBuf,
    /// Print one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

#[derive(Debug, Args)]
pub struct EvalLabelsArgs {
    /// The folder the labels' paths are relative to.
    #[arg(long)]
    pub corpus: PathBuf,
    /// Hand labels: JSON Lines with path, topics, type, year, places.
    #[arg(long)]
    pub labels: PathBuf,
    /// Print the figures (and each document's predictions) as one JSON object.
    #[arg(long)]
    pub json: bool,
    #[command(flatten)]
    pub pipeline: PipelineArgs,
}

#[derive(Debug, Args)]
pub struct WorkerArgs {
    /// Read requests from stdin and answer each with a line of JSON, until stdin closes.
    #[arg(long, conflicts_with_all = ["engine", "path"])]
    pub serve: bool,
    #[arg(long, value_parser = ["oxide", "lopdf"], required_unless_present = "serve")]
    pub engine: Option<String>,
    /// Address-space cap the worker puts on itself, in bytes (0: none).
    #[arg(long, requires_all = ["cpu_limit", "parent"])]
    pub memory_limit: Option<u64>,
    /// CPU-time cap the worker puts on itself, in seconds.
    #[arg(long, requires_all = ["memory_limit", "parent"])]
    pub cpu_limit: Option<u64>,
    /// The process that started the worker; the worker dies with it.
    #[arg(long, requires_all = ["memory_limit", "cpu_limit"])]
    pub parent: Option<u32>,
    #[arg(required_unless_present = "serve")]
    pub path: Option<PathBuf>,
}

pub fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Index(a) => index(a),
        Command::Search(a) => search(a),
        Command::Serve(a) => crate::serve::serve(a),
        Command::Eval(a) => crate::eval::eval(a),
        Command::Passages(a) => passages(a),
        Command::Snapshot(a) => snapshot(a),
        Command::Bench(a) => crate::bench::bench(a),
        Command::BenchCorpus(a) => crate::synth::bench_corpus(a),
        Command::Restore(a) => restore(a),
        Command::Inspect(a) => crate::inspect::inspect(a),
        Command::EvalLabels(a) => crate::eval_labels::eval_labels(a),
        Command::ExtractWorker(a) => {
            let limits = match (a.memory_limit, a.cpu_limit, a.parent) {
                (Some(memory), Some(cpu_seconds), Some(parent)) => Some(WorkerLimits {
                    memory,
                    cpu_seconds,
                    parent,
                }),
                _ => None,
            };
            let code = match (a.serve, &a.path) {
                (false, Some(path)) => {
                    let engine = a.engine.as_deref().and_then(PdfEngine::parse);
                    let engine = engine.unwrap_or(PdfEngine::Oxide);
                    polsearch_indexer::isolate::worker_main(path, engine, limits)
                }
                _ => polsearch_indexer::isolate::worker_serve(limits),
            };
            Ok(ExitCode::from(code as u8))
        }
    }
}

/// The taxonomy named on the command line, else `config/topics.toml`, else the built-in one.
/// Acronyms and synonyms queries are widened with; default config/glossary.toml if present,
/// else the built-in copy.
pub fn load_glossary(path: Option<&PathBuf>) -> Result<Glossary> {
    let read = |p: &PathBuf| -> Result<Glossary> {
        let text = std::fs::read_to_string(p)
            .with_context(|| format!("reading the glossary {}", p.display()))?;
        Glossary::from_toml_str(&text).with_context(|| p.display().to_string())
    };
    match path {
        Some(p) => read(p),
        None => {
            let default = PathBuf::from("config/glossary.toml");
            if default.is_file() {
                read(&default)
            } else {
                Ok(Glossary::builtin())
            }
        }
    }
}

/// Opens the index at `index` with the glossary its queries use.
pub fn open_store(index: &std::path::Path, glossary: &GlossaryArg) -> Result<Store> {
    let mut store = Store::open(index)?;
    store.glossary = std::sync::Arc::new(load_glossary(glossary.glossary.as_ref())?);
    Ok(store)
}

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

/// PDF extraction in worker processes of this very binary, with the flags' limits.
pub fn pdf_isolation(p: &PipelineArgs) -> Result<Isolation> {
    let exe = std::env::current_exe().context("locating the polsearch binary for PDF workers")?;
    Ok(Isolation::Subprocess {
        worker: WorkerCommand {
            program: exe,
            args: vec!["extract-worker".into()],
        },
        timeout: Duration::from_secs(p.pdf_timeout.max(1)),
        memory_limit: p.pdf_memory_mb.saturating_mul(1024 * 1024),
    })
}

/// Indexing options for `corpus` into `index`, PDFs extracted by worker processes of this
/// very binary.
pub fn index_options(
    corpus: &std::path::Path,
    index: &std::path::Path,
    p: &PipelineArgs,
) -> Result<IndexOptions> {
    let isolation = pdf_isolation(p)?;
    let mut opts = IndexOptions::new(corpus.to_path_buf(), index.to_path_buf(), isolation);
    opts.taxonomy = load_taxonomy(p.topics.as_ref())?;
    opts.commit_every = p.commit_every.max(1);
    opts.retry_failed = p.retry_failed;
    if let Some(t) = p.threads {
        opts.threads = t.max(1);
    }
    Ok(opts)
}

fn index(a: IndexArgs) -> Result<ExitCode> {
    let opts = index_options(&a.corpus, &a.index, &a.pipeline)?;
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
    let store = open_store(&a.index, &a.glossary)?;
    let reader = store.index.reader()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        limit: a.limit,
        offset: a.offset,
        ..a.filters.request()
    };
    let resp = polsearch_core::search(&store, &reader.searcher(), &req)?;
    if a.json {
        println!("{}", serde_json::to_string(&output::search_json(&resp)?)?);
    } else {
        output::print_results(&resp);
    }
    Ok(ExitCode::SUCCESS)
}

impl FilterArgs {
    /// A request with these filters and defaults for the rest.
    pub fn request(&self) -> SearchRequest {
        SearchRequest {
            topics: self.topics.clone(),
            types: self.types.clone(),
            languages: self.languages.clone(),
            places: self.places.clone(),
            year_min: self.year_min,
            year_max: self.year_max,
            ..SearchRequest::default()
        }
    }
}

fn passages(a: PassagesArgs) -> Result<ExitCode> {
    let store = open_store(&a.index, &a.glossary)?;
    let reader = store.index.reader()?;
    let req = SearchRequest {
        query: a.query.join(" "),
        limit: a.limit,
        ..a.filters.request()
    };
    let resp =
        polsearch_core::memo::search_passages(&store, &reader.searcher(), &req, a.per_document)?;
    if a.json {
        println!("{}", serde_json::to_string(&resp)?);
    } else {
        output::print_passages(&resp);
    }
    Ok(ExitCode::SUCCESS)
}

fn snapshot(a: SnapshotArgs) -> Result<ExitCode> {
    let store = Store::open(&a.index)?;
    anyhow::ensure!(!a.out.exists(), "{} exists already", a.out.display());
    // Written beside the target and renamed at the end: a failed run leaves no half file.
    let tmp = a.out.with_extension("partial");
    let file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .with_context(|| format!("creating {}", tmp.display()))?;
    let mut w = std::io::BufWriter::new(file);
    let result = polsearch_core::snapshot::snapshot(&store, &a.index, &mut w).and_then(|s| {
        use std::io::Write;
        w.flush()?;
        w.get_ref().sync_all()?;
        Ok(s)
    });
    let summary = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            return Err(e).context("writing the snapshot");
        }
    };
    std::fs::rename(&tmp, &a.out).with_context(|| format!("renaming to {}", a.out.display()))?;
    eprintln!(
        "snapshot of {}: {} segments, {} files, {:.1} MB in {}",
        a.index.display(),
        summary.segments,
        summary.files,
        summary.bytes as f64 / 1e6,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn restore(a: RestoreArgs) -> Result<ExitCode> {
    let file = std::fs::File::open(&a.snapshot)
        .with_context(|| format!("opening {}", a.snapshot.display()))?;
    let store = polsearch_core::snapshot::restore(std::io::BufReader::new(file), &a.index)
        .with_context(|| {
            format!(
                "restoring {} into {}",
                a.snapshot.display(),
                a.index.display()
            )
        })?;
    let searcher = store.index.reader()?.searcher();
    let docs = polsearch_core::search::document_count(&store, &searcher)?;
    eprintln!("restored {docs} documents into {}", a.index.display());
    Ok(ExitCode::SUCCESS)
}
