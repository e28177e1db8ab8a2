//! The workflow of one canvas over HTTP: status changes (`status`), escalations (`escalations`),
//! budget entries (`bookings`), and the panel that shows it all, live.
//!
//! Forms post here and are sent back to the canvas page; a refusal shows the canvas page again
//! with the Dutch reason in the panel (403 for a role that may not, 409 when someone else changed
//! the same fact first, 422 for bad input). Every change is published, so open pages refresh
//! their panel through `GET /canvases/{id}/gebeurtenissen` (server-sent events).

mod bookings;
mod comments;
mod escalations;
mod status;

use std::{collections::HashMap, convert::Infallible};

use axum::{
    Router,
    extract::{FromRequestParts, Path},
    http::{StatusCode, request::Parts},
    response::{
        IntoResponse, Redirect, Response,
        sse::{Event as SseEvent, KeepAlive, Sse},
    },
    routing::{get, post},
};
use futures_util::Stream;
use maud::Markup;
use tokio::sync::broadcast::error::RecvError;

use crate::{
    auth::Viewer,
    canvas::CanvasId,
    error::AppError,
    events::{Event as BusEvent, Topic, WorkflowChange},
    http::{
        canvas_page,
        middleware::csp::CspNonce,
        permitted::{self, Permitted},
        refusal,
    },
    services::{Refusal, ServiceError, canvas_workflow::OnCanvas},
    state::AppState,
    sync::participants::{Holder, Registration},
    views::{self, SignedIn},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/canvases/{id}/werkwijze", get(fragment))
        .route("/canvases/{id}/gebeurtenissen", get(events))
        .route("/canvases/{id}/status", post(status::change))
        .route("/canvases/{id}/opschalen", post(escalations::escalate))
        .route(
            "/canvases/{id}/opschalingen/{escalation}",
            get(escalations::frozen),
        )
        .route(
            "/canvases/{id}/opschalingen/{escalation}/samenvatting",
            get(escalations::summary),
        )
        .route(
            "/canvases/{id}/opschalingen/{escalation}/oppakken",
            post(escalations::pick_up),
        )
        .route(
            "/canvases/{id}/opschalingen/{escalation}/antwoord",
            post(escalations::answer),
        )
        .route("/canvases/{id}/opmerkingen", post(comments::add))
        .route(
            "/canvases/{id}/opmerkingen/{thread}/afhandelen",
            post(comments::resolve),
        )
        .route(
            "/canvases/{id}/opmerkingen/{thread}/heropenen",
            post(comments::reopen),
        )
        .route("/api/canvases/{id}/opmerkingen", get(comments::list))
        .route("/canvases/{id}/budget", post(bookings::book))
        .route(
            "/canvases/{id}/budget/{entry}/correctie",
            post(bookings::correct),
        )
}

/// One request about a canvas's workflow: who asks, about which canvas (which they may read;
/// otherwise the extractor answers 404), with what the handler needs to answer.
pub struct Action {
    state: AppState,
    viewer: SignedIn,
    canvas: Permitted,
    nonce: CspNonce,
}

impl FromRequestParts<AppState> for Action {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let viewer = SignedIn::from_request_parts(parts, state).await?;
        let nonce = parts
            .extensions
            .get::<CspNonce>()
            .cloned()
            .ok_or(AppError::NotFound)?;
        let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|_| AppError::NotFound)?;
        let id = params.get("id").ok_or(AppError::NotFound)?;
        let canvas = permitted::readable(state.canvases.as_ref(), &viewer, id).await?;
        Ok(Self {
            state: state.clone(),
            viewer,
            canvas,
            nonce,
        })
    }
}

impl Action {
    fn id(&self) -> &str {
        self.canvas.id.as_str()
    }

    /// The use cases on this canvas, acted on by the viewer.
    fn on(&self) -> OnCanvas<'_> {
        OnCanvas {
            state: &self.state,
            actor: &self.viewer,
            canvas: &self.canvas,
        }
    }

    /// The answer to a use case: back to the panel once done, the canvas page with the reason
    /// when refused (404 stays a plain 404).
    async fn respond<T>(&self, result: Result<T, ServiceError>) -> Result<Response, AppError> {
        self.respond_at(result, "workflow").await
    }

    /// As [`Self::respond`], back at the panel's part `anchor`.
    async fn respond_at<T>(
        &self,
        result: Result<T, ServiceError>,
        anchor: &str,
    ) -> Result<Response, AppError> {
        match result {
            Ok(_) => {
                let panel = format!("/canvases/{}#{anchor}", self.id());
                Ok(Redirect::to(&panel).into_response())
            }
            Err(ServiceError::Refused { refusal, message }) if refusal != Refusal::NotFound => {
                self.refuse(refusal::status(refusal), message).await
            }
            Err(error) => Err(error.into()),
        }
    }

    /// The canvas page again, with the reason for a refusal in its panel.
    async fn refuse(&self, code: StatusCode, message: impl ToString) -> Result<Response, AppError> {
        let page = canvas_page::canvas_page(
            &self.state,
            &self.viewer,
            &self.canvas,
            Some(message.to_string()),
            &self.nonce,
        )
        .await?;
        Ok((code, page).into_response())
    }
}

/// The panel alone, for the live refresh.
async fn fragment(action: Action) -> Result<Markup, AppError> {
    let panel = canvas_page::panel(&action.state, &action.viewer, &action.canvas, None).await?;
    Ok(views::workflow::panel(&panel))
}

/// Server-sent events: `werkwijze` whenever this canvas's workflow changes.
async fn events(action: Action) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let id = action.canvas.id.clone();
    let registration = register_stream(&action.state, &action.viewer, Some(id.clone()));
    changes(&action.state, registration, move |change| {
        change.canvas == id
    })
}

/// Registers an event stream like a WebSocket, so that it ends with the viewer's access: on
/// removal, a role change, sign-out, revocation, session expiry and (for a canvas's stream) a
/// ladder move, exactly like the canvas's sockets.
pub fn register_stream(
    state: &AppState,
    viewer: &Viewer,
    canvas: Option<CanvasId>,
) -> Registration {
    let over_many = canvas.is_none();
    let registration = state.sync.participants.register(
        state.sync.next_conn_id(),
        Holder {
            account_id: viewer.account.id,
            credential: viewer.credential(),
            canvas,
        },
    );
    if over_many {
        // It filters its events by the access it opened with: the periodic re-check closes it
        // once that access is not the account's any more.
        registration.admit_stream(viewer.policy.digest());
    }
    registration
}

/// A stream of `werkwijze` events for the changes `wanted` picks; ends when the registration is
/// closed (the viewer's access changed) and when the server stops, so that a graceful shutdown
/// does not wait for open pages.
pub fn changes<F>(
    state: &AppState,
    registration: Registration,
    wanted: F,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<F>>
where
    F: Fn(&WorkflowChange) -> bool + Send + 'static,
{
    let receiver = state.events.subscribe(Topic::Workflow);
    let stopping = state.tasks.stopping.clone();
    let stream = futures_util::stream::unfold(
        (receiver, stopping, wanted, registration),
        |(mut receiver, stopping, wanted, registration)| async move {
            loop {
                let received = tokio::select! {
                    _ = stopping.cancelled() => return None,
                    _ = registration.closer.closed() => return None,
                    received = receiver.recv() => received,
                };
                let relevant = match &received {
                    Ok(BusEvent::WorkflowChanged(change)) => wanted(change),
                    Ok(_) => false,
                    // Missed some: refresh to be safe.
                    Err(RecvError::Lagged(_)) => true,
                    Err(RecvError::Closed) => return None,
                };
                if relevant {
                    let event = SseEvent::default().event("werkwijze").data("gewijzigd");
                    return Some((Ok(event), (receiver, stopping, wanted, registration)));
                }
            }
        },
    );
    Sse::new(stream).keep_alive(KeepAlive::default())
}
