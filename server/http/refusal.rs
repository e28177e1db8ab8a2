//! How a use case's refusal answers over HTTP: the status that names it, the Dutch reason as
//! the message. Here rather than beside either type, so that the use cases know nothing of HTTP
//! and the HTTP error knows nothing of the use cases.

use axum::http::StatusCode;

use crate::{
    error::AppError,
    services::{Refusal, ServiceError},
};

/// The status of a refusal shown on a page again with its reason.
pub fn status(refusal: Refusal) -> StatusCode {
    match refusal {
        Refusal::Forbidden => StatusCode::FORBIDDEN,
        Refusal::NotFound => StatusCode::NOT_FOUND,
        Refusal::Conflict => StatusCode::CONFLICT,
        Refusal::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

impl From<ServiceError> for AppError {
    fn from(error: ServiceError) -> Self {
        match error {
            ServiceError::Refused { refusal, message } => match refusal {
                Refusal::Forbidden => AppError::Forbidden(message),
                Refusal::NotFound => AppError::NotFound,
                Refusal::Conflict => AppError::Conflict(message),
                Refusal::Invalid => AppError::Invalid(message),
            },
            ServiceError::Store(error) => error.into(),
            ServiceError::Room(error) => error.into(),
        }
    }
}
