//! The application: shared state, the router with its middleware, and `serve`.

use std::{future::Future, sync::Arc, time::Duration};

use axum::{
    Router,
    extract::FromRef,
    http::{HeaderName, HeaderValue, header},
};
use tokio::net::TcpListener;
use tower_http::{
    catch_panic::CatchPanicLayer, set_header::SetResponseHeaderLayer, timeout::TimeoutLayer,
    trace::TraceLayer,
};

use crate::{
    audit::Audit,
    auth,
    config::{AuthSettings, Limits, WorkflowSettings},
    http,
    metrics::Metrics,
    store::{Database, Directory, Store, Workflow},
    sync::SyncService,
    workflow::events::WorkflowEvents,
};

/// The state every handler can draw from; handlers ask only for the part they use.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub directory: Arc<dyn Directory>,
    pub workflow: Arc<dyn Workflow>,
    pub events: Arc<WorkflowEvents>,
    pub sync: Arc<SyncService>,
    pub metrics: Arc<Metrics>,
    pub audit: Arc<Audit>,
    pub auth: Arc<AuthSettings>,
    pub settings: Arc<WorkflowSettings>,
}

impl AppState {
    /// Builds the state and starts the background tasks (the persister); needs a Tokio runtime.
    pub fn new(
        database: Arc<dyn Database>,
        limits: Limits,
        auth: AuthSettings,
        settings: WorkflowSettings,
    ) -> Self {
        let store: Arc<dyn Store> = database.clone();
        let workflow: Arc<dyn Workflow> = database.clone();
        let directory: Arc<dyn Directory> = database;
        let metrics = Arc::new(Metrics::default());
        let sync = Arc::new(SyncService::new(store.clone(), metrics.clone(), limits));
        Self {
            store,
            audit: Arc::new(Audit::new(directory.clone())),
            directory,
            workflow,
            events: Arc::new(WorkflowEvents::default()),
            sync,
            metrics,
            auth: Arc::new(auth),
            settings: Arc::new(settings),
        }
    }
}

/// The router with its middleware.
pub fn app(state: AppState) -> Router {
    http::router()
        // Strangers get 401 and cross-site requests 403 before any handler runs.
        .layer(axum::middleware::from_fn(auth::guard::guard))
        // Inside `authenticate`, so the error page knows who is signed in.
        .layer(axum::middleware::from_fn(http::error_pages::html_errors))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            auth::viewer::authenticate,
        ))
        // Security headers on every response: no inline script, no framing, no sniffing.
        .layer(axum::middleware::from_fn(
            http::csp::content_security_policy,
        ))
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

/// How often open connections are checked against their sessions.
const SESSION_SWEEP: Duration = Duration::from_secs(60);

/// Closes connections whose session has ended or expired, so that a socket left open on an
/// unattended laptop does not outlive the session that opened it. Ends when the server stops.
async fn sweep_expired_sessions(state: AppState) {
    let idle = state.auth.session_idle();
    let stopping = state.sync.context().shutdown.clone();
    let mut tick = tokio::time::interval(SESSION_SWEEP);
    loop {
        tokio::select! {
            _ = stopping.cancelled() => return,
            _ = tick.tick() => {}
        }
        for credential in state.sync.participants.credentials() {
            let Some(id_hash) = credential.strip_prefix("session:") else {
                continue;
            };
            match auth::viewer::session_over(state.directory.as_ref(), id_hash, idle).await {
                Ok(true) => {
                    state.sync.participants.close_credential(&credential);
                }
                Ok(false) => {}
                Err(error) => tracing::warn!(%error, "could not check a session"),
            }
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
    let sync = state.sync.clone();
    let stopping = sync.clone();
    tokio::spawn(sweep_expired_sessions(state.clone()));
    let header_timeout = sync.context().limits.header_read_timeout();
    crate::listener::run(listener, app(state), header_timeout, async move {
        shutdown.await;
        // Sockets and event streams end with the rooms, so the drain does not wait for them.
        stopping.shutdown();
    })
    .await?;
    sync.shutdown();
    sync.wait_stopped().await;
    Ok(())
}

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
