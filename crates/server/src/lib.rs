//! The polsearch HTTP API (axum on tokio): search, documents and their files, suggest,
//! related, admin ingest, health and metrics.
//!
//! Handlers parse and check parameters, then run index work on tokio's blocking pool
//! through `polsearch-core`, the same code the CLI calls. Nothing here knows field names
//! or ranking.

pub mod error;
pub mod metrics;
pub mod params;
pub mod routes;
pub mod state;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;

pub use error::{ApiError, ServerError};
pub use state::{AppState, ServerConfig};

/// Every route, with metrics recorded for each.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.config.max_upload_bytes.saturating_add(1024 * 1024);
    Router::new()
        .route("/api/search", get(routes::search::search))
        .route("/api/suggest", get(routes::suggest::suggest))
        .route(
            "/api/documents",
            axum::routing::post(routes::admin::upload).layer(DefaultBodyLimit::max(upload_limit)),
        )
        .route(
            "/api/documents/{id}",
            get(routes::documents::document).delete(routes::admin::delete),
        )
        .route("/api/related/{id}", get(routes::documents::related))
        .route("/documents/{id}/file", get(routes::documents::file))
        .route("/healthz", get(routes::meta::healthz))
        .route("/metrics", get(routes::meta::metrics))
        .route("/api/openapi.json", get(routes::meta::openapi))
        .fallback(routes::meta::not_found)
        .method_not_allowed_fallback(routes::meta::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve<F>(
    listener: TcpListener,
    state: AppState,
    shutdown: F,
) -> Result<(), ServerError>
where
    F: Future<Output = ()> + Send + 'static,
{
    routes::suggest::refresh(&state);
    axum::serve(listener, router(state))
        .with_graceful_shutdown(shutdown)
        .await
        .map_err(|e| ServerError::Serve(e.to_string()))
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}
