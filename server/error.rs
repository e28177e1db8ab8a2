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
    #[error("not found")]
    NotFound,
    /// The request is invalid; the message is Dutch and shown to the user as is.
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("too many connections")]
    TooManyConnections,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Room(#[from] RoomError),
}

impl AppError {
    pub fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::TooManyConnections => StatusCode::TOO_MANY_REQUESTS,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::Room(RoomError::ShuttingDown) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Room(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn user_message(&self) -> String {
        match self {
            AppError::NotFound => "Niet gevonden.".into(),
            AppError::Invalid(message) => message.clone(),
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
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status.is_server_error() {
            tracing::error!(error = %self, "request failed");
        }
        (status, Json(json!({ "fout": self.user_message() }))).into_response()
    }
}
