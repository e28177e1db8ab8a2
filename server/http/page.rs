//! The reader of a page: the viewer with their unread notifications, which only pages count.

use axum::{extract::FromRequestParts, http::request::Parts};

use crate::{auth::Viewer, error::AppError, state::AppState, store::StoreError, views::SignedIn};

/// The viewer with their unread count.
pub async fn signed_in(state: &AppState, viewer: Viewer) -> Result<SignedIn, StoreError> {
    let unread = state
        .workflow
        .unread_notifications(viewer.account.id)
        .await?;
    Ok(SignedIn { viewer, unread })
}

/// Page handlers take a `SignedIn`; without an account the answer is 401.
impl FromRequestParts<AppState> for SignedIn {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let viewer = Viewer::from_request_parts(parts, state).await?;
        Ok(signed_in(state, viewer).await?)
    }
}
