//! `GET /tokens`: the viewer's personal access tokens; `POST /tokens` creates one (shown once),
//! `POST /tokens/{id}/intrekken` revokes one and closes the connections it opened.

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::Markup;
use serde::Deserialize;

use crate::{
    accounts,
    auth::Viewer,
    config::AuthSettings,
    error::AppError,
    events::EventBus,
    http::middleware::csp::CspNonce,
    ids::TokenId,
    services::tokens,
    state::AppState,
    store::{Database, Directory},
    views,
    views::SignedIn,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/tokens", get(list).post(create))
        .route("/tokens/{id}/intrekken", post(revoke))
}

async fn page(
    directory: &dyn Directory,
    viewer: &SignedIn,
    new_token: Option<&str>,
    nonce: &CspNonce,
) -> Result<Markup, AppError> {
    let tokens = directory.list_tokens(viewer.account.id).await?;
    let now = crate::store::now_millis();
    Ok(views::tokens::page(
        viewer, &tokens, new_token, now, &nonce.0,
    ))
}

async fn list(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<Markup, AppError> {
    page(directory.as_ref(), &viewer, None, &nonce).await
}

#[derive(Deserialize)]
struct NewToken {
    #[serde(default)]
    name: String,
    /// Days the token works; the configured default when left out.
    dagen: Option<String>,
}

async fn create(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Form(form): Form<NewToken>,
) -> Result<Markup, AppError> {
    let name =
        crate::text::single_line(&form.name).map_err(|e| AppError::Invalid(e.to_string()))?;
    if name.is_empty() || name.chars().count() > 100 {
        return Err(AppError::Invalid(
            "Geef het token een naam van hoogstens 100 tekens, bijvoorbeeld waar je het voor gebruikt."
                .into(),
        ));
    }
    let days = match form.dagen.as_deref().map(str::trim) {
        None | Some("") => settings.token_days,
        Some(raw) => raw
            .parse::<u64>()
            .ok()
            .filter(|days| (1..=accounts::MAX_TOKEN_DAYS).contains(days))
            .ok_or_else(|| {
                AppError::Invalid(format!(
                    "Kies hoe lang het token werkt: 1 tot {} dagen.",
                    accounts::MAX_TOKEN_DAYS
                ))
            })?,
    };
    let token = tokens::create(database.as_ref(), &viewer, name, days).await?;
    page(directory.as_ref(), &viewer, Some(&token), &nonce).await
}

async fn revoke(
    State(database): State<Arc<dyn Database>>,
    State(events): State<Arc<dyn EventBus>>,
    viewer: Viewer,
    Path(id): Path<TokenId>,
) -> Result<Response, AppError> {
    tokens::revoke(database.as_ref(), events.as_ref(), &viewer, id).await?;
    Ok(Redirect::to("/tokens").into_response())
}
