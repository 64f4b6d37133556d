//! `polsearch serve`: index the corpus incrementally, then answer HTTP until SIGINT/SIGTERM.

use std::process::ExitCode;

use anyhow::{Context, Result};
use polsearch_core::Store;
use polsearch_server::{AppState, ServerConfig};

use crate::cli::{index_options, ServeArgs};
use crate::{output, progress};

pub fn serve(a: ServeArgs) -> Result<ExitCode> {
    let have_corpus = a.corpus.exists();
    let opts = index_options(&a.corpus, &a.index, &a.pipeline)?;
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
    }
    let store = Store::open(&a.index)?;
    let config = ServerConfig {
        corpus: have_corpus.then(|| a.corpus.clone()),
        admin_token: std::env::var("POLSEARCH_ADMIN_TOKEN")
            .ok()
            .filter(|t| !t.trim().is_empty()),
        max_upload_bytes: a.max_upload_mb.max(1).saturating_mul(1024 * 1024),
        reindex: have_corpus.then_some(opts),
    };
    let admin = config.admin_token.is_some();
    let state = AppState::new(store, config)?;
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
        polsearch_server::serve(listener, state, polsearch_server::shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
