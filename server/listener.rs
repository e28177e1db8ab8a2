//! The accept loop: one HTTP connection per task, with the timeouts that keep slow clients from
//! holding the door open.
//!
//! axum's own `serve` sets no timeout on reading a request, so a client that trickles its header
//! bytes (or opens a connection and sends nothing) holds a connection and a task for as long as
//! it likes. Here hyper's header-read timeout covers both: it runs from the moment a connection
//! waits for a request head, the first one or the next on a kept-alive connection, until the head
//! is complete. A WebSocket upgrade is an ordinary request until its `101`, so a half-sent
//! upgrade is cut off the same way; after the upgrade the sync connection's own ping timeout
//! applies. Reading a body and answering are bounded by the router's request timeout.

use std::{future::Future, net::SocketAddr, time::Duration};

use axum::{Router, extract::ConnectInfo};
use hyper::{body::Incoming, server::conn::http1};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tokio_util::{sync::CancellationToken, task::TaskTracker};
use tower::ServiceExt;

/// How long a shutdown waits for requests in flight before it stops waiting.
const DRAIN: Duration = Duration::from_secs(10);

/// Serves `router` on `listener` until `shutdown` resolves; then stops accepting, lets requests
/// in flight finish (for at most [`DRAIN`]) and returns. `header_timeout` is how long a
/// connection may take to send a complete request head, and may stay idle between requests.
///
/// HTTP/1.1 only: browsers speak HTTP/2 only over TLS, which a reverse proxy in front ends, and
/// hyper's automatic version detection would wait for a silent client before any timeout runs.
pub async fn run(
    listener: TcpListener,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let mut builder = http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_timeout);
    let draining = CancellationToken::new();
    let connections = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors and the like: wait a moment rather than spin.
                    tracing::warn!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        // Without TCP_NODELAY a small relayed update can wait ~40 ms for the peer's delayed ACK.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::warn!(%error, "could not set TCP_NODELAY");
        }
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request
                        .extensions_mut()
                        .insert(ConnectInfo::<SocketAddr>(peer));
                    request
                });
        let connection = builder
            .serve_connection(TokioIo::new(stream), TowerToHyperService::new(service))
            .with_upgrades();
        let draining = draining.clone();
        connections.spawn(async move {
            tokio::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                _ = draining.cancelled() => {
                    // Finish the request in flight, take no new one on this connection.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            // A client that goes away or times out is no error of ours.
            if let Err(error) = ended {
                tracing::debug!(%error, "connection ended");
            }
        });
    }
    drop(listener);
    draining.cancel();
    connections.close();
    if tokio::time::timeout(DRAIN, connections.wait())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after the shutdown grace period");
    }
    Ok(())
}
