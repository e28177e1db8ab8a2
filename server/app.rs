//! The application: the router with its middleware, and `serve`.

use std::{future::Future, time::Duration};

use axum::{
    Router,
    http::{HeaderName, HeaderValue, header},
};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    auth,
    http::{
        self,
        middleware::{authenticate, csp, error_pages, guard},
    },
    services,
    state::AppState,
};

/// The router with its middleware.
pub fn app(state: AppState) -> Router {
    http::router()
        // Cross-site requests get 403 before any handler runs (strangers get 401 from the
        // protected router's own gate).
        .layer(axum::middleware::from_fn(guard::cross_site))
        // Inside `authenticate`, so the error page knows who is signed in.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            error_pages::html_errors,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            authenticate::authenticate,
        ))
        // Security headers on every response: no inline script, no framing, no sniffing.
        .layer(axum::middleware::from_fn(csp::content_security_policy))
        .layer(set_header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // `same-origin`, not `no-referrer`: with no-referrer Chromium sends `Origin: null` on our
        // own form posts, which the cross-site check must refuse. Other sites still get nothing.
        .layer(set_header(header::REFERRER_POLICY, "same-origin"))
        .layer(set_header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(30),
        ))
        .layer(CatchPanicLayer::new())
        // Spans name the method and path only, never the query (it may carry a token), and
        // one-time links without their secret.
        .layer(
            TraceLayer::new_for_http().make_span_with(|request: &axum::http::Request<_>| {
                let path = loggable_path(request.uri().path());
                tracing::info_span!("http", method = %request.method(), path = %path)
            }),
        )
        .with_state(state)
}

/// Re-checks the open connections and streams (`services::recheck`): a socket left open on an
/// unattended laptop does not outlive its session, and one whose access changed without this
/// process hearing of it does not outlive the next round. Ends when the server stops.
async fn recheck_open_connections(state: AppState) {
    let stopping = state.tasks.stopping.clone();
    // At the interval asked for, and at least as often as sessions are marked active, so that a
    // connection outlives its session by at most a quarter of the idle time (and a minute).
    let touch = auth::session::touch_every_ms(state.auth.session_idle()).unsigned_abs();
    let every =
        Duration::from_secs(state.auth.recheck_secs.max(1)).min(Duration::from_millis(touch));
    let mut tick = tokio::time::interval(every);
    // A slow round (a database that struggles) is not followed by a burst of the missed ones.
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tick.tick() => {}
        }
        // Only reads: a stop does not wait for a database that is slow to answer them.
        let closed = tokio::select! {
            closed = services::recheck::recheck_open(&state) => closed,
            _ = stopping.cancelled() => return,
        };
        if closed > 0 {
            tracing::info!(closed, "closed connections whose access changed");
        }
    }
}

/// How often the overleggen are checked for guest windows that closed and actiepunten that are
/// due. A guest's connections outlive the window by at most this (a window closed by a use case,
/// such as ending an overleg without grace period, closes them at once).
const MEETING_SWEEP: Duration = Duration::from_secs(10);

/// Closes the connections of guests whose window closed, and tells owners of actiepunten that
/// are due. Ends when the server stops.
async fn sweep_meetings(state: AppState) {
    let stopping = state.tasks.stopping.clone();
    let mut tick = tokio::time::interval(MEETING_SWEEP);
    let mut last = crate::store::now_millis();
    loop {
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tick.tick() => {}
        }
        let now = crate::store::now_millis();
        if let Err(error) = services::guests::close_ended_windows(&state, last, now).await {
            tracing::warn!(%error, "could not close ended guest windows");
        } else {
            last = now;
        }
        if let Err(error) = services::outcomes::tell_due(&state).await {
            tracing::warn!(%error, "could not tell owners of due actiepunten");
        }
    }
}

/// How often closed canvases past their retention are looked for.
const RETENTION_SWEEP: std::time::Duration = std::time::Duration::from_secs(3600);

/// Warns about and purges the closed canvases that were not archived in time, at start and then
/// every hour. Ends when the server stops.
async fn sweep_retention(state: AppState) {
    let stopping = state.tasks.stopping.clone();
    let mut tick = tokio::time::interval(RETENTION_SWEEP);
    loop {
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tick.tick() => {}
        }
        match services::retention::sweep(&state, crate::store::now_millis()).await {
            Ok(swept) if swept.purged > 0 || swept.warned > 0 => {
                tracing::info!(
                    purged = swept.purged,
                    warned = swept.warned,
                    "retention sweep"
                );
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "the retention sweep failed"),
        }
    }
}

/// Gives every archived canvas without one its entry in the archive's search index (archived
/// before the index existed, or seeded by the demo).
/// One that fails (the database busy at start, say) is tried again a few times, unless the
/// server is stopping (then the next start indexes what is left).
async fn index_unindexed_archives(state: AppState) {
    let stopping = state.tasks.stopping.clone();
    for attempt in 1..=5 {
        if stopping.is_cancelled() {
            return;
        }
        match services::archive_search::index_missing(&state).await {
            Ok(n) if n > 0 => tracing::info!(canvases = n, "archived canvases indexed for search"),
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, attempt, "could not index the archived canvases"),
        }
        match state.database.unindexed_archives().await {
            Ok(left) if left.is_empty() => return,
            _ => tokio::select! {
                _ = stopping.cancelled() => return,
                _ = tokio::time::sleep(std::time::Duration::from_secs(2)) => {}
            },
        }
    }
}

/// A path as it may be logged: the secret of a one-time link is left out.
fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    for prefix in ["/uitnodiging/", "/wachtwoord/"] {
        if path.starts_with(prefix) {
            return format!("{prefix}…").into();
        }
    }
    path.into()
}

/// Sets a response header unless the handler did.
fn set_header(name: HeaderName, value: &'static str) -> SetResponseHeaderLayer<HeaderValue> {
    SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
}

/// Serves on an already bound listener until `shutdown` resolves, then closes every WebSocket,
/// waits for the rooms to finish and the last updates to be committed.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let (sync, tasks, events) = (
        state.sync.clone(),
        state.tasks.clone(),
        state.events.clone(),
    );
    // Tracked with the rooms, so shutdown waits for it too.
    tasks.tracker.spawn(recheck_open_connections(state.clone()));
    tasks.tracker.spawn(sweep_meetings(state.clone()));
    tasks.tracker.spawn(index_unindexed_archives(state.clone()));
    tasks.tracker.spawn(sweep_retention(state.clone()));
    let header_timeout = sync.context().limits.header_read_timeout();
    let stopping = tasks.clone();
    crate::listener::run(listener, app(state), header_timeout, async move {
        shutdown.await;
        // Sockets and event streams end with the rooms, so the drain does not wait for them.
        stopping.stop();
    })
    .await?;
    tasks.stop();
    sync.wait_stopped().await;
    // The rooms' last presence removals were published as they stopped.
    events.flush(FLUSH_AT_STOP).await;
    Ok(())
}

/// How long a stopping server waits at most for the database to take the events it still holds
/// for the other processes.
const FLUSH_AT_STOP: Duration = Duration::from_secs(5);

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn one_time_links_are_logged_without_their_secret() {
        assert_eq!(loggable_path("/wachtwoord/abc123"), "/wachtwoord/…");
        assert_eq!(loggable_path("/uitnodiging/abc123"), "/uitnodiging/…");
        assert_eq!(loggable_path("/canvases/x"), "/canvases/x");
    }
}
