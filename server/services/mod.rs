//! The use cases. Every action that changes what the server holds is one function here: it takes
//! its inputs and the parts of the state it needs, decides through the policy, makes its writes
//! (its audit line included) in one transaction, and publishes its events once that committed.
//! Handlers parse the request, call one of these and render the outcome.
//!
//! A use case does its slow work (hashing a password, encoding a frozen copy) before it begins
//! the transaction, which holds the database's write lock, and reads through the transaction,
//! not the pool, so that it never waits for a second connection while holding one.

pub mod archive_export;
pub mod archive_search;
pub mod archiving;
pub mod budget;
pub mod canvas_workflow;
pub mod canvases;
pub mod comments;
pub mod evaluation;
pub mod guests;
pub mod invitations;
pub mod learning_agenda;
pub mod meeting_room;
pub mod meetings;
pub mod members;
pub mod minutes;
pub mod organisation;
pub mod outcomes;
pub mod recheck;
pub mod redaction;
pub mod retention;
pub mod tokens;
pub mod versions;

use crate::{store::StoreError, sync::RoomError};

/// Why a use case refused, for the status the caller answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The role does not allow it: 403.
    Forbidden,
    /// Nothing of that name that the person may see: 404.
    NotFound,
    /// Someone else changed the same thing first, or the state does not allow it: 409.
    Conflict,
    /// The input does not hold: 422.
    Invalid,
}

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// Refused, with the Dutch reason to show.
    #[error("{message}")]
    Refused { refusal: Refusal, message: String },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Room(#[from] RoomError),
}

impl ServiceError {
    pub fn refused(refusal: Refusal, message: impl ToString) -> Self {
        ServiceError::Refused {
            refusal,
            message: message.to_string(),
        }
    }
}
