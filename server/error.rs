//! The error type of the HTTP layer.
//!
//! Handlers return [`AppError`]; its `IntoResponse` answers with a clear Dutch message as JSON
//! (`{"fout": "..."}`) and logs the cause of every 5xx without showing internals to the user.

use axum::{
    Json,
    http::StatusCode,
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::{store::StoreError, sync::RoomError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No account, or a credential that does not work: 401.
    #[error("not signed in")]
    Unauthenticated,
    /// A token in a sync URL (`?token=`), where access logs would keep it: 401.
    #[error("token in a URL")]
    TokenInUrl,
    /// A sync ticket that is unknown, used, expired, for another canvas, or whose token stopped
    /// working: 401.
    #[error("invalid sync ticket")]
    InvalidTicket,
    /// Signed in, but not allowed; the message is Dutch and says why: 403. Never used for a
    /// canvas the account may not see at all (that is a 404, which reveals nothing).
    #[error("forbidden: {0}")]
    Forbidden(String),
    #[error("not found")]
    NotFound,
    /// The request is invalid; the message is Dutch and shown to the user as is.
    #[error("invalid request: {0}")]
    Invalid(String),
    /// The request does not fit the state things are in (an archived canvas); Dutch: 409.
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("too many connections")]
    TooManyConnections,
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A canvas that could not be served; an unknown one becomes [`AppError::NotFound`] on the
    /// way in (see the `From` below), so every handler answers 404 for it alike.
    #[error(transparent)]
    Room(RoomError),
    /// An export that could not be written out.
    #[error("export failed: {0}")]
    Export(String),
    /// An export whose audit entry could not be written: refused, never served unrecorded.
    #[error(transparent)]
    Unrecorded(#[from] crate::audit::Unrecorded),
}

/// The Dutch message of an error response, carried beside its JSON body so that the HTML
/// error page can show it.
#[derive(Debug, Clone)]
pub struct UserMessage(pub String);

impl From<RoomError> for AppError {
    fn from(error: RoomError) -> Self {
        match error {
            RoomError::NotFound => AppError::NotFound,
            other => AppError::Room(other),
        }
    }
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::Unauthenticated | AppError::TokenInUrl | AppError::InvalidTicket => {
                StatusCode::UNAUTHORIZED
            }
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Room(RoomError::ShuttingDown) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Room(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Unrecorded(_) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Export(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn user_message(&self) -> String {
        match self {
            AppError::Unauthenticated => {
                "Log eerst in, of stuur een geldig toegangstoken mee.".into()
            }
            AppError::TokenInUrl => "Een toegangstoken hoort niet in een URL. Vraag met het token \
                 (Authorization: Bearer) een ticket aan met POST /api/canvases/{id}/ticket en \
                 verbind met ?ticket=…, of stuur bij de WebSocket zelf Authorization: Bearer mee."
                .into(),
            AppError::InvalidTicket => {
                "Dit ticket is ongeldig, al gebruikt of verlopen. Vraag een \
                 nieuw ticket aan met POST /api/canvases/{id}/ticket."
                    .into()
            }
            AppError::Forbidden(message) => message.clone(),
            AppError::NotFound => "Niet gevonden.".into(),
            AppError::Invalid(message) | AppError::Conflict(message) => message.clone(),
            AppError::TooManyConnections => {
                "Te veel gelijktijdige verbindingen vanaf dit adres. Probeer het later opnieuw."
                    .into()
            }
            AppError::Store(_) => {
                "Er ging iets mis bij het opslaan of ophalen. Probeer het later opnieuw.".into()
            }
            AppError::Room(RoomError::ShuttingDown) => {
                "De server wordt herstart. Probeer het zo opnieuw.".into()
            }
            AppError::Room(_) => {
                "Dit canvas kan nu niet worden geladen. Neem contact op met de beheerder.".into()
            }
            AppError::Export(_) => {
                "Deze export kon niet worden gemaakt. Probeer het later opnieuw.".into()
            }
            AppError::Unrecorded(_) => "Deze export kan nu niet in het auditlog worden vastgelegd \
                                        en wordt daarom niet gegeven. Probeer het later opnieuw."
                .into(),
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        let message = self.user_message();
        let mut response = (status, Json(json!({ "fout": &message }))).into_response();
        // For the HTML error page, which thus never has to read the body back.
        response.extensions_mut().insert(UserMessage(message));
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                axum::http::header::WWW_AUTHENTICATE,
                axum::http::HeaderValue::from_static("Bearer"),
            );
        }
        response
    }
}
