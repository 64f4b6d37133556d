//! What every handler shares: the index and its reader, the corpus folder, the admin
//! token, the re-indexing job, the suggestion cache, the metrics and the analytics store.

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use polsearch_core::tantivy::{IndexReader, Searcher};
use polsearch_core::{Store, Suggester};
use polsearch_indexer::IndexOptions;
use tokio::sync::Mutex;

use crate::analytics::Analytics;
use crate::error::ApiError;
use crate::metrics::Metrics;
use crate::page::labels::Labels;

/// How the server is configured.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// The corpus folder: where files are served from and uploads are stored. `None` when
    /// serving an index whose files are not at hand.
    pub corpus: Option<PathBuf>,
    /// `Authorization: Bearer` token of the admin endpoints; `None` disables them.
    pub admin_token: Option<String>,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// How uploads and deletions re-index the corpus; `None` disables them.
    pub reindex: Option<IndexOptions>,
    /// Display names of facet values (topic labels from the taxonomy).
    pub labels: Labels,
    /// Shown in the page's header and title.
    pub site_name: String,
    /// Origins (`https://www.example.org`) whose pages may call the public API.
    pub cors_origins: Vec<String>,
    /// Where search analytics are stored; `None` records nothing.
    pub analytics: Option<PathBuf>,
    /// Requests a second each client address may send to the public API (twice that in a
    /// burst); `None` for no limit. Needs the peer address, so it applies only when served
    /// on a socket by [`crate::serve`].
    pub rate_limit: Option<u32>,
    /// How long a request may take before it is answered 503 (uploads get longer).
    pub request_timeout: std::time::Duration,
    /// How long a client may take to send a request's headers, and how long an idle
    /// keep-alive connection stays open.
    pub header_timeout: std::time::Duration,
    /// Public requests (searches, suggestions, the page) run at once; the others wait.
    pub workers: usize,
    /// Public requests that may wait for a worker; beyond that they are answered 503.
    pub max_waiting: usize,
    /// Recent search answers kept for repeated searches (0: none).
    pub result_cache: usize,
}

/// Two requests per core: one computing while the other reads or writes its socket.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get() * 2)
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            corpus: None,
            admin_token: None,
            max_upload_bytes: 64 * 1024 * 1024,
            reindex: None,
            labels: Labels::default(),
            site_name: "Policy Library".to_string(),
            cors_origins: Vec::new(),
            analytics: None,
            rate_limit: None,
            request_timeout: std::time::Duration::from_secs(30),
            header_timeout: std::time::Duration::from_secs(10),
            workers: default_workers(),
            max_waiting: 256,
            result_cache: 1024,
        }
    }
}

pub struct Inner {
    pub store: Store,
    pub reader: IndexReader,
    pub config: ServerConfig,
    /// The corpus folder, resolved, for containment checks.
    pub corpus_root: Option<PathBuf>,
    /// One re-indexing at a time: tantivy allows one writer per index.
    pub ingest: Mutex<()>,
    /// The files the latest indexing run could not index, and why.
    failures: std::sync::RwLock<Vec<polsearch_indexer::Failure>>,
    pub suggester: RwLock<Option<Arc<Suggester>>>,
    pub suggester_building: std::sync::atomic::AtomicBool,
    pub metrics: Metrics,
    pub analytics: Option<Analytics>,
    pub gate: Arc<crate::limits::Gate>,
    pub results: crate::results::ResultCache,
}

/// Shared, cheaply cloned state.
#[derive(Clone)]
pub struct AppState(pub Arc<Inner>);

impl std::ops::Deref for AppState {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.0
    }
}

impl AppState {
    pub fn new(store: Store, config: ServerConfig) -> Result<AppState, crate::ServerError> {
        let reader = store.reader()?;
        let gate = Arc::new(crate::limits::Gate::new(config.workers, config.max_waiting));
        let results = crate::results::ResultCache::new(config.result_cache);
        let corpus_root = config.corpus.as_deref().and_then(|c| c.canonicalize().ok());
        let analytics = match &config.analytics {
            Some(path) => Some(Analytics::open(path)?),
            None => None,
        };
        Ok(AppState(Arc::new(Inner {
            store,
            reader,
            corpus_root,
            config,
            ingest: Mutex::new(()),
            failures: std::sync::RwLock::new(Vec::new()),
            suggester: RwLock::new(None),
            suggester_building: std::sync::atomic::AtomicBool::new(false),
            metrics: Metrics::new()?,
            analytics,
            gate,
            results,
        })))
    }

    pub fn searcher(&self) -> Searcher {
        self.reader.searcher()
    }

    /// Records what the latest indexing run could not index.
    pub fn set_failures(&self, failures: Vec<polsearch_indexer::Failure>) {
        *self.failures.write().unwrap_or_else(|e| e.into_inner()) = failures;
    }

    /// What the latest indexing run could not index.
    pub fn failures(&self) -> Vec<polsearch_indexer::Failure> {
        self.failures
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Whether the corpus file `path` failed to index in the latest run.
    pub fn has_failure(&self, path: &str) -> bool {
        let failures = self.failures.read().unwrap_or_else(|e| e.into_inner());
        failures.iter().any(|f| f.path == path)
    }

    /// Forgets the failures of `path` (its file was removed).
    pub fn forget_failure(&self, path: &str) {
        let mut failures = self.failures.write().unwrap_or_else(|e| e.into_inner());
        failures.retain(|f| f.path != path);
    }

    /// The file behind a stored corpus-relative path, only if it lies inside the corpus
    /// after resolving every symlink.
    pub fn corpus_file(&self, rel: &str) -> Result<PathBuf, ApiError> {
        let root = self.corpus_root.as_ref().ok_or_else(|| {
            ApiError::not_found("this server has no corpus folder to serve files from")
        })?;
        let base = if root.is_file() {
            root.parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            root.clone()
        };
        let candidate = if root.is_file() {
            root.clone()
        } else {
            base.join(rel)
        };
        let resolved = candidate
            .canonicalize()
            .map_err(|_| ApiError::not_found("the document's file is no longer in the corpus"))?;
        if !resolved.starts_with(&base) || !resolved.is_file() {
            return Err(ApiError::not_found(
                "the document's file is not in the corpus",
            ));
        }
        Ok(resolved)
    }
}
