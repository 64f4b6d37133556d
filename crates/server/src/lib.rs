//! The polsearch HTTP server (axum on tokio): the JSON API (search, documents and their
//! files, suggest, related, admin ingest, analytics, health and metrics), the public search
//! page and the embeddable widget.
//!
//! Handlers parse and check parameters, then run index work on tokio's blocking pool
//! through `polsearch-core`, the same code the CLI calls. Nothing here knows field names
//! or ranking.

pub mod analytics;
pub mod assets;
pub mod cors;
pub mod error;
pub mod headers;
pub mod limits;
pub mod listen;
pub mod metrics;
pub mod page;
pub mod params;
pub mod results;
pub mod routes;
pub mod state;

use std::future::Future;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::routing::{get, post, MethodRouter};
use axum::Router;
use tokio::net::TcpListener;

pub use error::{ApiError, ServerError};
pub use state::{AppState, ServerConfig};

/// Every route, with metrics recorded for each.
///
/// Three groups: the public read API (CORS for the listed origins, foreign origins otherwise
/// refused), the admin routes (never cross-origin), and the page with its assets.
pub fn router(state: AppState) -> Router {
    let upload_limit = state.config.max_upload_bytes.saturating_add(1024 * 1024);
    let cors = cors::layer(&state.config.cors_origins);
    let guard = axum::middleware::from_fn_with_state(state.clone(), cors::public_guard);
    let admin_guard = axum::middleware::from_fn(cors::admin_guard);
    // The explicit OPTIONS route lets preflights reach the CORS layer: the router-wide
    // method-not-allowed fallback would otherwise answer them first.
    let limiter = state.config.rate_limit.and_then(limits::rate_limit);
    let gate = axum::middleware::from_fn_with_state(state.gate.clone(), limits::admission);
    let public = |m: MethodRouter<AppState>| {
        let m = m
            .options(|| async { axum::http::StatusCode::NO_CONTENT })
            .layer::<_, std::convert::Infallible>(gate.clone())
            .layer(cors.clone())
            .layer(guard.clone());
        match &limiter {
            Some(l) => m.layer(l.clone()),
            None => m,
        }
    };
    let admin = |m: MethodRouter<AppState>| m.layer(admin_guard.clone());
    Router::new()
        .route("/api/search", public(get(routes::search::search)))
        .route("/api/suggest", public(get(routes::suggest::suggest)))
        .route("/api/passages", public(get(routes::passages::passages)))
        .route("/api/related/{id}", public(get(routes::documents::related)))
        .route(
            "/api/documents/{id}",
            public(get(routes::documents::document))
                .delete(routes::admin::delete.layer(admin_guard.clone())),
        )
        .route(
            "/api/documents",
            admin(post(routes::admin::upload).layer(DefaultBodyLimit::max(upload_limit))),
        )
        .route("/api/failures", admin(get(routes::admin::failures)))
        .route("/api/stats", admin(get(routes::stats::api_stats)))
        .route(
            "/admin/stats",
            admin(
                get(routes::stats::page)
                    .post(routes::stats::page_post)
                    .layer(DefaultBodyLimit::max(16 * 1024)),
            ),
        )
        .route("/", get(page::page).layer(gate.clone()))
        .route("/widget.js", get(assets::widget))
        .route("/assets/{name}", get(assets::page_asset))
        .route("/documents/{id}/file", get(routes::documents::file))
        .route("/healthz", get(routes::meta::healthz))
        .route("/metrics", get(routes::meta::metrics))
        .route("/api/openapi.json", get(routes::meta::openapi))
        .fallback(routes::meta::not_found)
        .method_not_allowed_fallback(routes::meta::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            limits::timeout,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .layer(axum::middleware::map_response(headers::defaults))
        .with_state(state)
}

/// Serves on `listener` until `shutdown` resolves, then finishes the requests in flight.
pub async fn serve<F>(listener: TcpListener, state: AppState, shutdown: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    routes::suggest::refresh(&state);
    let header_timeout = state.config.header_timeout;
    listen::accept_loop(listener, router(state), header_timeout, shutdown).await;
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
