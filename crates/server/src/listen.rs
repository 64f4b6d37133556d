//! Accepting connections and handing them to hyper, with the limits a public server needs
//! before any request exists: how long a client may take to send its request headers.
//!
//! `axum::serve` gives hyper no timer, and without one hyper waits for request headers
//! forever: a client that opens connections and sends a header byte now and then
//! (slowloris) holds a socket and a task for each, and nothing in the router ever runs to
//! time it out. Here hyper gets tokio's timer and a header deadline, which also bounds how
//! long an idle keep-alive connection stays open (hyper starts the clock when it begins
//! reading the next request). Request bodies and handlers have their own limits
//! (`limits.rs`).

use std::future::Future;
use std::time::Duration;

use axum::extract::ConnectInfo;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `app` on `listener` until `shutdown` resolves; then stops accepting, lets the
/// requests in flight finish, and closes idle connections.
pub async fn accept_loop<F>(
    listener: TcpListener,
    app: Router,
    header_timeout: Duration,
    shutdown: F,
) where
    F: Future<Output = ()> + Send + 'static,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(conn) => conn,
                Err(e) => {
                    accept_failed(&e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Answers are written in one go; Nagle's delay would only hold back the last bytes.
        let _ = stream.set_nodelay(true);
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
            // The peer address is what the rate limiter keys clients by.
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move { app.oneshot(req).await }
        });
        let conn = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(e) = conn.await {
                // A client that hung up or timed out: theirs to know, not an error here.
                tracing::debug!(%peer, "connection ended: {e}");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
}

/// Errors from `accept` are about one connection (it was reset before we took it) or about
/// this process (out of file descriptors). The second kind would fail again at once, so
/// wait a little for connections to close instead of spinning.
async fn accept_failed(e: &std::io::Error) {
    use std::io::ErrorKind::{ConnectionAborted, ConnectionRefused, ConnectionReset};
    if matches!(
        e.kind(),
        ConnectionAborted | ConnectionRefused | ConnectionReset
    ) {
        return;
    }
    tracing::warn!("accepting a connection failed: {e}");
    tokio::time::sleep(Duration::from_millis(50)).await;
}
