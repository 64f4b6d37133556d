//! `polsearch serve`: index the corpus incrementally, then answer HTTP until SIGINT/SIGTERM.

use std::process::ExitCode;

use anyhow::{Context, Result};
use polsearch_server::page::labels::Labels;
use polsearch_server::{AppState, ServerConfig};

use crate::cli::{index_options, ServeArgs};
use crate::{output, progress};

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    crate::alloc::purge_freed_memory_at_once();
    let have_corpus = a.corpus.exists();
    let opts = index_options(&a.corpus, &a.index, &a.pipeline)?;
    let mut failures = Vec::new();
    if !a.no_index {
        anyhow::ensure!(
            have_corpus,
            "corpus {} does not exist (use --corpus DIR, or --no-index to serve an existing index)",
            a.corpus.display()
        );
        let summary =
            polsearch_indexer::run(&opts, &progress::Bar::new(false)).with_context(|| {
                format!("indexing {} into {}", a.corpus.display(), a.index.display())
            })?;
        tracing::info!("{}", output::summary_line(&summary));
        for f in &summary.failed {
            tracing::warn!("not indexed: {}: {}", f.path, f.error);
        }
        eprintln!("{}", output::summary_line(&summary));
        failures = summary.failed;
    }
    let store = crate::cli::open_store(&a.index, &a.glossary)?;
    let cors_origins = a
        .cors_origins
        .iter()
        .map(|o| check_origin(o))
        .collect::<Result<Vec<_>>>()?;
    let mut labels = Labels::default();
    for (slug, label) in opts
        .taxonomy
        .top_level()
        .into_iter()
        .chain(opts.taxonomy.subtopics())
    {
        labels.topics.insert(slug, label);
    }
    let analytics = (!a.no_analytics).then(|| {
        a.analytics
            .clone()
            .unwrap_or_else(|| a.index.join("analytics").join("searches.redb"))
    });
    let config = ServerConfig {
        corpus: have_corpus.then(|| a.corpus.clone()),
        admin_token: std::env::var("POLSEARCH_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
        max_upload_bytes: a.max_upload_mb.max(1).saturating_mul(1024 * 1024),
        reindex: have_corpus.then_some(opts),
        labels,
        site_name: a.site_name.trim().to_string(),
        cors_origins,
        analytics,
        rate_limit: (a.rate_limit > 0).then_some(a.rate_limit),
        request_timeout: std::time::Duration::from_secs(a.request_timeout.max(1)),
        header_timeout: std::time::Duration::from_secs(a.header_timeout.max(1)),
        workers: a
            .workers
            .unwrap_or_else(polsearch_server::state::default_workers),
        max_waiting: a.max_waiting,
        result_cache: a.result_cache,
    };
    let admin = config.admin_token.is_some();
    let state = AppState::new(store, config)?;
    state.set_failures(failures);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&a.addr)
            .await
            .with_context(|| format!("cannot listen on {}", a.addr))?;
        let addr = listener.local_addr()?;
        // One line on stdout that scripts (and the tests) read to find the port.
        println!("polsearch listening on http://{addr}");
        if !admin {
            tracing::info!(
                "admin endpoints disabled (set POLSEARCH_ADMIN_TOKEN to enable uploads)"
            );
        }
        polsearch_server::serve(listener, state, polsearch_server::shutdown_signal()).await;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// An origin as browsers send it: `scheme://host[:port]`, nothing after. `*` is refused: the
/// sites that may embed search are listed one by one.
fn check_origin(o: &str) -> Result<String> {
    let o = o.trim().trim_end_matches('/');
    let rest = o
        .strip_prefix("https://")
        .or_else(|| o.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '*', ' ']) => {
            Ok(o.to_string())
        }
        _ => anyhow::bail!(
            "--cors-origin {o:?} is not an origin: write it as https://www.example.org (scheme, host, optional port)"
        ),
    }
}
