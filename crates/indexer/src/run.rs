//! One indexing run: walk the corpus, skip what is unchanged, extract the rest in
//! parallel (PDFs in isolated workers), and write the index in atomic commits.
//!
//! Crash safety comes from two rules. A file's old records are deleted and its new ones
//! added in the same commit, so any committed state holds each document exactly once.
//! Each record stores the hash of its file's bytes and of the pipeline, so a run that was
//! killed simply finds the files it had not committed still "changed" and redoes them.
//!
//! A PDF whose bytes are unchanged but whose pipeline fingerprint is not (a new taxonomy, a
//! new enrichment) is re-tagged from the text [`ExtractCache`] kept, not extracted again.

use std::collections::{HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use polsearch_core::record::{add_document, delete_path, indexed_files};
use polsearch_core::tantivy::IndexWriter;
use polsearch_core::{DocRecord, Store};
use polsearch_extract::{html, jsonl, text, ExtractedDoc, Format, PdfEngine};
use serde::Serialize;

use crate::cache::{ExtractCache, EXTRACT_VERSION};
use crate::enrich::to_record;
use crate::error::Result;
use crate::isolate::{Isolation, PdfFailure, WorkerPool};
use crate::topics::Taxonomy;
use crate::walk::{corpus_files, CorpusFile};

/// Changes whenever enrichment (or anything after extraction) changes what a file turns
/// into, so that upgrading polsearch re-indexes what it would now index differently. PDF
/// extraction has its own [`EXTRACT_VERSION`]: a change here re-tags PDFs from the
/// extraction cache instead of extracting them again.
pub const PIPELINE_VERSION: &str = "pipeline-16";

/// What one run needs to know.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// A folder, or a single file (e.g. `docs.jsonl`).
    pub corpus: PathBuf,
    pub index_dir: PathBuf,
    pub taxonomy: Taxonomy,
    pub isolation: Isolation,
    /// Extraction threads (and so concurrent PDF workers).
    pub threads: usize,
    /// Commit after this many changed files, so a long run keeps its progress if killed.
    pub commit_every: usize,
    /// Memory budget of the index writer, in bytes.
    pub writer_memory: usize,
    /// Extract again PDFs whose same bytes failed before under the same limits (normally
    /// the failure is remembered, so a hostile file costs one worker once, not every run).
    pub retry_failed: bool,
}

impl IndexOptions {
    pub fn new(corpus: PathBuf, index_dir: PathBuf, isolation: Isolation) -> IndexOptions {
        IndexOptions {
            corpus,
            index_dir,
            taxonomy: Taxonomy::builtin(),
            isolation,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(2),
            commit_every: 64,
            writer_memory: 128 * 1024 * 1024,
            retry_failed: false,
        }
    }
}

/// A file (or JSONL line) that yielded no document, and why.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Failure {
    pub path: String,
    pub error: String,
    /// The same bytes failed in an earlier run under the same limits, and were not tried
    /// again (`IndexOptions::retry_failed` tries them).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub remembered: bool,
}

impl Failure {
    pub fn new(path: &str, error: impl Into<String>) -> Failure {
        Failure {
            path: path.to_string(),
            error: error.into(),
            remembered: false,
        }
    }
}

/// What a run did. Counts are documents (a JSONL file holds many), except `files_seen`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Summary {
    pub files_seen: usize,
    pub indexed: usize,
    pub unchanged: usize,
    pub removed: usize,
    pub failed: Vec<Failure>,
    /// PDF pages extracted in this run.
    pub pages: u64,
    /// Passages written in this run.
    pub passages: u64,
    /// Of `indexed`, PDFs whose text came from the extraction cache (same bytes, new
    /// taxonomy or enrichment): re-tagged without being extracted again.
    pub retagged: usize,
    pub seconds: f64,
}

/// Receives progress as files are finished; the CLI draws a bar from it.
pub trait Progress: Sync {
    fn begin(&self, _files: usize) {}
    fn file_done(&self, _path: &str) {}
    fn end(&self) {}
}

/// Progress that goes nowhere.
pub struct NoProgress;
impl Progress for NoProgress {}

enum Outcome {
    Unchanged {
        docs: usize,
    },
    Changed {
        rel: String,
        records: Vec<DocRecord>,
        failures: Vec<Failure>,
        pages: u64,
        retagged: bool,
    },
    Failed(Failure),
}

/// Runs the indexer once over `opts.corpus`.
pub fn run(opts: &IndexOptions, progress: &dyn Progress) -> Result<Summary> {
    let started = Instant::now();
    let files = corpus_files(&opts.corpus, Some(&opts.index_dir))?;
    let store = Store::open_or_create(&opts.index_dir)?;
    let existing = {
        let reader = store.index.reader()?;
        indexed_files(&reader.searcher(), &store.fields)?
    };
    // One indexing thread: extraction and enrichment already keep every core busy, and a
    // second thread doubled the segments to write and merge (0.35 CPU-s more per index of
    // ../shared/corpus, BENCHMARKS.md).
    let mut writer: IndexWriter = store.index.writer_with_num_threads(1, opts.writer_memory)?;
    let fingerprint = format!(
        "{EXTRACT_VERSION}+{PIPELINE_VERSION}+{}",
        short(&opts.taxonomy.fingerprint())
    );
    let cache = ExtractCache::new(&opts.index_dir);
    // Contents of every file in the corpus now: the cache entries worth keeping.
    let mut contents: HashSet<String> = HashSet::new();

    let mut summary = Summary {
        files_seen: files.len(),
        ..Summary::default()
    };
    let seen: HashSet<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    for (path, file) in &existing {
        if !seen.contains(path.as_str()) {
            delete_path(&writer, &store.fields, path);
            summary.removed += file.ids.len();
        }
    }

    progress.begin(files.len());
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads.max(1))
        .build()
        .map_err(|e| std::io::Error::other(e.to_string()))?;
    let (tx, rx) = mpsc::sync_channel::<(String, Option<String>, Outcome)>(opts.threads.max(1) * 4);
    let mut uncommitted = 0usize;
    let mut last_commit = Instant::now();
    let workers = WorkerPool::new(&opts.isolation);
    let result: Result<()> = std::thread::scope(|scope| {
        let ctx = RunContext {
            opts,
            cache: &cache,
            existing: &existing,
            fingerprint: fingerprint.as_str(),
            workers: &workers,
        };
        scope.spawn(move || {
            let order = largest_first(&files);
            let next = AtomicUsize::new(0);
            pool.scope(|workers| {
                for _ in 0..pool.current_num_threads() {
                    let tx = tx.clone();
                    let (order, next, files, ctx) = (&order, &next, &files, &ctx);
                    workers.spawn(move |_| {
                        while let Some(&i) = order.get(next.fetch_add(1, Ordering::Relaxed)) {
                            let file = &files[i];
                            // A bug in enrichment must cost one file, not the run.
                            let (content, outcome) =
                                catch_unwind(AssertUnwindSafe(|| process_file(ctx, file)))
                                    .unwrap_or_else(|p| {
                                        let failed = Outcome::Failed(Failure::new(
                                            &file.rel,
                                            format!(
                                                "indexer panicked: {}",
                                                polsearch_extract::pdf::panic_message(&p)
                                            ),
                                        ));
                                        (None, failed)
                                    });
                            // The receiver only goes away if writing failed; nothing left
                            // to do then.
                            if tx.send((file.rel.clone(), content, outcome)).is_err() {
                                return;
                            }
                        }
                    });
                }
                drop(tx);
            });
        });
        for (rel, content, outcome) in rx {
            contents.extend(content);
            match outcome {
                Outcome::Unchanged { docs } => summary.unchanged += docs,
                Outcome::Failed(f) => summary.failed.push(f),
                Outcome::Changed {
                    rel,
                    records,
                    failures,
                    pages,
                    retagged,
                } => {
                    delete_path(&writer, &store.fields, &rel);
                    for r in &records {
                        add_document(&writer, &store.fields, r)?;
                        summary.passages += r.passages.len() as u64;
                    }
                    summary.indexed += records.len();
                    summary.retagged += usize::from(retagged) * records.len();
                    summary.pages += pages;
                    summary.failed.extend(failures);
                    uncommitted += 1;
                }
            }
            progress.file_done(&rel);
            if uncommitted >= opts.commit_every
                || (uncommitted > 0 && last_commit.elapsed() > Duration::from_secs(30))
            {
                writer.commit()?;
                uncommitted = 0;
                last_commit = Instant::now();
            }
        }
        Ok(())
    });
    result?;
    writer.commit()?;
    writer.wait_merging_threads()?;
    cache.retain(&contents);
    progress.end();
    summary.failed.sort_by(|a, b| a.path.cmp(&b.path));
    summary.seconds = (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0;
    Ok(summary)
}

/// The order files are taken in: largest first, so the run does not end with one core
/// still extracting a 260-page plan while the other waits (each worker takes the next file
/// when it finishes one). Unreadable sizes go last; their failure is reported as usual.
fn largest_first(files: &[CorpusFile]) -> Vec<usize> {
    let size = |f: &CorpusFile| std::fs::metadata(&f.abs).map_or(0, |m| m.len());
    let mut order: Vec<(u64, usize)> = files.iter().map(size).zip(0..).collect();
    order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    order.into_iter().map(|(_, i)| i).collect()
}

fn short(s: &str) -> &str {
    &s[..s.len().min(16)]
}

/// What every file of a run is processed against.
struct RunContext<'a> {
    opts: &'a IndexOptions,
    cache: &'a ExtractCache,
    /// What the index held when the run began, by corpus-relative path.
    existing: &'a HashMap<String, polsearch_core::record::IndexedFile>,
    /// Extraction and pipeline versions and the taxonomy: a file is re-done when they change.
    fingerprint: &'a str,
    workers: &'a WorkerPool,
}

/// What became of one file, with the hash of its bytes (when they could be read).
fn process_file(ctx: &RunContext, file: &CorpusFile) -> (Option<String>, Outcome) {
    match read_file(file) {
        Ok(read) => {
            let content = short(&read.hash.to_hex()).to_string();
            let outcome = process_bytes(ctx, file, read.format, read.bytes, &content);
            (Some(content), outcome)
        }
        Err(e) => {
            let failed = Outcome::Failed(Failure::new(&file.rel, format!("cannot read file: {e}")));
            (None, failed)
        }
    }
}

/// A file as the run needs it: its format, the hash of its bytes, and the bytes themselves
/// unless it is a PDF (a worker reads those).
struct ReadFile {
    format: Format,
    hash: blake3::Hash,
    bytes: Vec<u8>,
}

/// Reads the head of `file` to tell its format; a PDF is then only hashed, through a small
/// buffer, rather than read whole into fresh memory that is dropped at once (110 MB on
/// ../shared/corpus, all of it faulted in and zeroed by the kernel).
fn read_file(file: &CorpusFile) -> std::io::Result<ReadFile> {
    use std::io::Read;
    let mut f = std::fs::File::open(&file.abs)?;
    let mut bytes = Vec::with_capacity(SNIFF_BYTES);
    (&mut f).take(SNIFF_BYTES as u64).read_to_end(&mut bytes)?;
    // Content decides whether a file is handled as a PDF: a renamed PDF is still isolated.
    let format = Format::sniff(&file.abs, &bytes).unwrap_or(file.format);
    let mut hasher = blake3::Hasher::new();
    hasher.update(&bytes);
    if format == Format::Pdf {
        hasher.update_reader(f)?;
        bytes = Vec::new();
    } else {
        let head = bytes.len();
        // Sized from the file's length, as fs::read does, rather than grown by doubling.
        let len = f.metadata().map_or(0, |m| m.len() as usize);
        bytes.reserve_exact(len.saturating_sub(head));
        f.read_to_end(&mut bytes)?;
        hasher.update(&bytes[head..]);
    }
    Ok(ReadFile {
        format,
        hash: hasher.finalize(),
        bytes,
    })
}

/// How much of a file tells its format.
const SNIFF_BYTES: usize = 1024;

fn process_bytes(
    ctx: &RunContext,
    file: &CorpusFile,
    format: Format,
    bytes: Vec<u8>,
    content: &str,
) -> Outcome {
    let RunContext {
        opts,
        cache,
        existing,
        fingerprint,
        workers,
    } = ctx;
    let fail = |error: String| Outcome::Failed(Failure::new(&file.rel, error));
    let hash = format!("{content}:{fingerprint}");
    if let Some(prev) = existing.get(&file.rel) {
        if prev.hash == hash {
            return Outcome::Unchanged {
                docs: prev.ids.len(),
            };
        }
    }
    let kind = format.kind();
    let rel = file.rel.clone();
    match format {
        Format::Pdf => {
            let limits = opts.isolation.limits();
            let (doc, retagged) = match cache.load(content) {
                Some(doc) => (doc, true),
                None => {
                    if !opts.retry_failed {
                        if let Some(error) = cache.load_failure(content, &limits) {
                            return Outcome::Failed(Failure {
                                remembered: true,
                                ..Failure::new(&file.rel, error)
                            });
                        }
                    }
                    match extract_pdf_with_fallback(workers, &file.abs) {
                        Ok(doc) => {
                            cache.store(content, &doc);
                            (doc, false)
                        }
                        Err(PdfFailure::File(e)) => {
                            cache.store_failure(content, &limits, &e);
                            return fail(e);
                        }
                        Err(PdfFailure::Machine(e)) => return fail(e),
                    }
                }
            };
            let pages = if retagged {
                0
            } else {
                doc.page_count.unwrap_or(0) as u64
            };
            let rec = to_record(rel.clone(), &rel, kind, doc, &opts.taxonomy, &hash);
            Outcome::Changed {
                rel,
                records: vec![rec],
                failures: Vec::new(),
                pages,
                retagged,
            }
        }
        Format::Jsonl => {
            let items = match catch_unwind(AssertUnwindSafe(|| jsonl::extract_jsonl(&bytes))) {
                Ok(items) => items,
                Err(_) => return fail("JSON Lines reader panicked".into()),
            };
            let mut records = Vec::new();
            let mut failures = Vec::new();
            let mut ids = HashSet::new();
            for item in items {
                match item {
                    Ok((id, doc)) => {
                        if !ids.insert(id.clone()) {
                            failures.push(Failure::new(
                                &rel,
                                format!("duplicate id {id}; later record skipped"),
                            ));
                            continue;
                        }
                        records.push(to_record(id, &rel, kind, doc, &opts.taxonomy, &hash));
                    }
                    Err(e) => failures.push(Failure::new(&rel, e.to_string())),
                }
            }
            Outcome::Changed {
                rel,
                records,
                failures,
                pages: 0,
                retagged: false,
            }
        }
        Format::Html | Format::Markdown | Format::Text => {
            match extract_in_process(format, &bytes) {
                Ok(doc) => {
                    let rec = to_record(rel.clone(), &rel, kind, doc, &opts.taxonomy, &hash);
                    Outcome::Changed {
                        rel,
                        records: vec![rec],
                        failures: Vec::new(),
                        pages: 0,
                        retagged: false,
                    }
                }
                Err(e) => fail(e),
            }
        }
    }
}

/// HTML, Markdown and text, extracted in this process (panics caught).
pub(crate) fn extract_in_process(
    format: Format,
    bytes: &[u8],
) -> std::result::Result<ExtractedDoc, String> {
    let extracted: std::thread::Result<std::result::Result<ExtractedDoc, String>> =
        catch_unwind(AssertUnwindSafe(|| match format {
            Format::Html => html::extract_html(bytes).map_err(|e| e.to_string()),
            Format::Markdown => Ok(text::extract_markdown(bytes)),
            _ => Ok(text::extract_text(bytes)),
        }));
    extracted.unwrap_or_else(|_| Err("extractor panicked".into()))
}

/// pdf_oxide first; on any failure (error, crash, timeout) lopdf; both reasons if both fail.
/// The file is to blame only if both engines blame it.
pub(crate) fn extract_pdf_with_fallback(
    workers: &WorkerPool,
    path: &std::path::Path,
) -> std::result::Result<ExtractedDoc, PdfFailure> {
    match workers.extract(path, PdfEngine::Oxide) {
        Ok(doc) => Ok(doc),
        Err(first) => match workers.extract(path, PdfEngine::Lopdf) {
            Ok(mut doc) => {
                doc.warnings
                    .push(format!("pdf_oxide failed ({first}); text from lopdf"));
                Ok(doc)
            }
            Err(second) if second == first => Err(first),
            Err(second) => {
                let both = format!("{first}; fallback: {second}");
                match (first, second) {
                    (PdfFailure::File(_), PdfFailure::File(_)) => Err(PdfFailure::File(both)),
                    _ => Err(PdfFailure::Machine(both)),
                }
            }
        },
    }
}
