//! What keeps one client or one request from taking the server: a per-client rate limit on
//! the public API (tower_governor, keyed by peer address), a gate that runs a bounded number
//! of searches at once and turns new ones away when too many are waiting, and a time limit
//! on every request. All answer in the API's JSON error shape: 429 with `Retry-After` for a
//! client over its rate, 503 with `Retry-After` when the server is full, 503 on a timeout.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, Response, StatusCode};
use axum::middleware::Next;
use axum::response::IntoResponse;
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::PeerIpKeyExtractor;
use tower_governor::{GovernorError, GovernorLayer};

use crate::error::ApiError;
use crate::state::AppState;

/// Admin uploads and deletions re-index the corpus, which may take minutes.
const ADMIN_TIMEOUT: Duration = Duration::from_secs(600);

/// The rate limiter of the public routes: `per_second` requests a second for each client
/// address, with bursts of twice that (a page load plus results as you type).
pub fn rate_limit(
    per_second: u32,
) -> Option<GovernorLayer<PeerIpKeyExtractor, governor::middleware::NoOpMiddleware, Body>> {
    let per_second = per_second.max(1);
    let config = GovernorConfigBuilder::default()
        .per_millisecond((1000 / u64::from(per_second)).max(1))
        .burst_size(per_second.saturating_mul(2))
        .finish()?;
    Some(GovernorLayer::new(config).error_handler(too_many))
}

fn too_many(e: GovernorError) -> Response<Body> {
    match e {
        GovernorError::TooManyRequests { wait_time, headers } => {
            let mut r = ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this address; try again in {wait_time} s"),
            )
            .into_response();
            if let Some(h) = headers {
                r.headers_mut().extend(h);
            }
            if let Ok(v) = HeaderValue::from_str(&wait_time.max(1).to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
            r
        }
        // Only a router served without its peer addresses (a setup mistake, never a
        // client's doing) has none; it is logged as the server's fault.
        GovernorError::UnableToExtractKey => {
            ApiError::internal("rate limiter: no peer address").into_response()
        }
        GovernorError::Other { code, msg, .. } => ApiError::new(
            code,
            "rate_limited",
            msg.unwrap_or_else(|| "request refused by the rate limiter".into()),
        )
        .into_response(),
    }
}

/// A request body that notes when it has been read to its end, so that a timeout can tell
/// a client still sending its body (its fault: 408) from a slow answer (ours: 503).
struct Watched {
    inner: Body,
    done: Arc<AtomicBool>,
}

impl http_body::Body for Watched {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, axum::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) {
            self.done.store(true, Ordering::Relaxed);
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}

/// Answers in the JSON shape when a request runs past the configured time: 408 when its
/// body had not all arrived (a stalled or trickling client), else 503. The work on the
/// blocking pool finishes on its own, but the client is not kept waiting.
pub async fn timeout(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> axum::response::Response {
    let admin = req.uri().path().starts_with("/api/documents")
        && matches!(*req.method(), Method::POST | Method::DELETE);
    let limit = if admin {
        ADMIN_TIMEOUT.max(state.config.request_timeout)
    } else {
        state.config.request_timeout
    };
    let received = Arc::new(AtomicBool::new(req.body().is_end_stream()));
    let req = req.map(|inner| {
        Body::new(Watched {
            inner,
            done: received.clone(),
        })
    });
    match tokio::time::timeout(limit, next.run(req)).await {
        Ok(r) => r,
        Err(_) if !received.load(Ordering::Relaxed) => ApiError::new(
            StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            format!(
                "the request body did not arrive within {} s",
                limit.as_secs()
            ),
        )
        .into_response(),
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!("the request took longer than {} s", limit.as_secs()),
        )
        .into_response(),
    }
}

/// How many searches run at once, and how many may wait for their turn.
pub struct Gate {
    /// Held while a request runs; more running requests than cores only share the cores.
    running: Arc<tokio::sync::Semaphore>,
    /// Held from arrival to answer; when none is left the request is turned away at once,
    /// so a flood costs a 503 each instead of a queue that grows past every timeout.
    admitted: Arc<tokio::sync::Semaphore>,
}

impl Gate {
    pub fn new(running: usize, waiting: usize) -> Gate {
        let running = running.max(1);
        Gate {
            running: Arc::new(tokio::sync::Semaphore::new(running)),
            admitted: Arc::new(tokio::sync::Semaphore::new(running.saturating_add(waiting))),
        }
    }
}

/// Runs a public request through the gate: 503 `overloaded` at once when the server is
/// full, else it waits for a free worker.
pub async fn admission(
    State(gate): State<Arc<Gate>>,
    req: Request,
    next: Next,
) -> axum::response::Response {
    let Ok(_admitted) = gate.admitted.clone().try_acquire_owned() else {
        let mut r = ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "the server is answering as many searches as it can; try again in a second",
        )
        .into_response();
        r.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        return r;
    };
    // The semaphores are never closed, so acquiring only fails if that changes.
    let Ok(_running) = gate.running.clone().acquire_owned().await else {
        return ApiError::internal("admission gate closed").into_response();
    };
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::routing::get;
    use axum::Router;
    use tower::ServiceExt;

    async fn status_and_body(app: Router) -> (StatusCode, Option<String>, String) {
        let req = axum::http::Request::get("/")
            .body(Body::empty())
            .expect("request");
        let resp = app.oneshot(req).await.expect("infallible");
        let status = resp.status();
        let retry = resp
            .headers()
            .get(header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = axum::body::to_bytes(resp.into_body(), 1 << 20)
            .await
            .expect("body");
        (status, retry, String::from_utf8_lossy(&body).into_owned())
    }

    /// One worker and one waiting place: a third request while both are taken is turned
    /// away at once with 503 in the JSON shape; the first two are answered when they can.
    #[tokio::test]
    async fn a_full_gate_turns_requests_away_and_the_admitted_finish() {
        let release = Arc::new(tokio::sync::Notify::new());
        let started = Arc::new(tokio::sync::Semaphore::new(0));
        let (r, s) = (release.clone(), started.clone());
        let app = Router::new()
            .route(
                "/",
                get(move || {
                    let (r, s) = (r.clone(), s.clone());
                    async move {
                        s.add_permits(1);
                        r.notified().await;
                        "done"
                    }
                }),
            )
            .layer(axum::middleware::from_fn_with_state(
                Arc::new(Gate::new(1, 1)),
                admission,
            ));
        let first = tokio::spawn(status_and_body(app.clone()));
        // The first is running once the handler has started.
        started.acquire().await.expect("started").forget();
        let second = tokio::spawn(status_and_body(app.clone()));
        // Let the second reach the gate and wait there.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let (status, retry, body) = status_and_body(app.clone()).await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{body}");
        assert_eq!(retry.as_deref(), Some("1"));
        let v: serde_json::Value = serde_json::from_str(&body).expect("JSON error");
        assert_eq!(
            (v["type"].as_str(), v["code"].as_u64()),
            (Some("overloaded"), Some(503)),
            "{v}"
        );

        release.notify_one();
        assert_eq!(first.await.expect("first").0, StatusCode::OK);
        started.acquire().await.expect("second started").forget();
        release.notify_one();
        assert_eq!(second.await.expect("second").0, StatusCode::OK);
        // Both places are free again.
        let again = tokio::spawn(status_and_body(app.clone()));
        started.acquire().await.expect("third started").forget();
        release.notify_one();
        assert_eq!(again.await.expect("again").0, StatusCode::OK);
    }
}
