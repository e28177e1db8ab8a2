//! `GET`/`POST /inloggen` signs in, `POST /uitloggen` signs out; `/uitnodiging/{token}` and
//! `/wachtwoord/{token}` use a one-time link (an invitation or a password reset), after which
//! the person is signed in.

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::get,
};
use serde::Deserialize;

use crate::{
    accounts::normalize_email,
    audit::{Audit, Event},
    auth::{
        Via, Viewer,
        links::{self, LinkError},
        origin::local_path,
        session,
        sign_in::{Attempts, SignInError, sign_in},
    },
    config::AuthSettings,
    error::AppError,
    events::{AccessChange, Event as BusEvent, EventBus},
    http::client_address::ClientAddress,
    http::middleware::csp::CspNonce,
    services::invitations,
    state::AppState,
    store::{AccountRow, AuditEntry, Database, Directory, InvitationKind},
    views::sign_in as views,
};

/// Signing in and the one-time links, which answer without an account.
pub fn public_router() -> Router<AppState> {
    Router::new()
        .route("/inloggen", get(form).post(submit))
        .route("/uitnodiging/{token}", get(link_form).post(link_submit))
        .route("/wachtwoord/{token}", get(link_form).post(link_submit))
}

/// Signing out.
pub fn router() -> Router<AppState> {
    Router::new().route("/uitloggen", axum::routing::post(sign_out))
}

#[derive(Deserialize, Default)]
struct SignInQuery {
    terug: Option<String>,
    verlopen: Option<String>,
    uitgelogd: Option<String>,
}

async fn form(
    Extension(nonce): Extension<CspNonce>,
    viewer: Option<Viewer>,
    Query(query): Query<SignInQuery>,
) -> Response {
    let back = local_path(query.terug.as_deref());
    if viewer.is_some() {
        return Redirect::to(&back).into_response();
    }
    let message = if query.verlopen.is_some() {
        Some("Je sessie is verlopen. Log opnieuw in.")
    } else if query.uitgelogd.is_some() {
        Some("Je bent uitgelogd.")
    } else {
        None
    };
    views::page("", &back, None, message, &nonce.0).into_response()
}

#[derive(Deserialize)]
struct SignInFields {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    terug: Option<String>,
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn submit(
    State(attempts): State<Arc<Attempts>>,
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    ClientAddress(client): ClientAddress,
    headers: HeaderMap,
    Form(fields): Form<SignInFields>,
) -> Result<Response, AppError> {
    let back = local_path(fields.terug.as_deref());
    match sign_in(
        &attempts,
        directory.as_ref(),
        &fields.email,
        &fields.password,
        Some(client),
    )
    .await
    {
        Ok(account) => {
            start_session(
                directory.as_ref(),
                &audit,
                &settings,
                &headers,
                &account,
                &back,
            )
            .await
        }
        Err(SignInError::Store(error)) => Err(error.into()),
        Err(error) => {
            let known = directory
                .account_by_email(&fields.email.trim().to_lowercase())
                .await?;
            audit
                .record(
                    Event::SignInFailed,
                    AuditEntry {
                        account_id: known.map(|account| account.id),
                        // Only what is an address: a password typed into the wrong field must
                        // not end up in the log.
                        detail: format!(
                            "{} vanaf {client}",
                            normalize_email(&fields.email)
                                .unwrap_or_else(|_| "(geen geldig e-mailadres)".to_owned())
                        ),
                        ..AuditEntry::default()
                    },
                )
                .await;
            let page = views::page(
                &fields.email,
                &back,
                Some(&error.to_string()),
                None,
                &nonce.0,
            );
            Ok((StatusCode::UNAUTHORIZED, page).into_response())
        }
    }
}

/// Starts a session, records it and sends the browser on with the cookie.
async fn start_session(
    directory: &dyn Directory,
    audit: &Audit,
    settings: &AuthSettings,
    headers: &HeaderMap,
    account: &AccountRow,
    back: &str,
) -> Result<Response, AppError> {
    let cookie = session::start(directory, account.id).await?;
    audit
        .record(
            Event::SignIn,
            AuditEntry {
                account_id: Some(account.id),
                ..AuditEntry::default()
            },
        )
        .await;
    let mut response = Redirect::to(back).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::set_cookie(&cookie, secure(settings, headers)),
    );
    Ok(response)
}

/// Whether the cookie must be `Secure`: configured, or the proxy says the request came in over
/// HTTPS.
fn secure(settings: &AuthSettings, headers: &HeaderMap) -> bool {
    settings.secure_cookies || super::behind_https(headers)
}

async fn sign_out(
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(events): State<Arc<dyn EventBus>>,
    State(settings): State<Arc<AuthSettings>>,
    headers: HeaderMap,
    viewer: Viewer,
) -> Result<Response, AppError> {
    if let Via::Session { id_hash, .. } = &viewer.via {
        directory.end_session(id_hash).await?;
        events.publish(BusEvent::AccessChanged(AccessChange::Credential(
            viewer.credential(),
        )));
    }
    audit
        .record(
            Event::SignOut,
            AuditEntry {
                account_id: Some(viewer.account.id),
                ..AuditEntry::default()
            },
        )
        .await;
    let mut response = Redirect::to("/inloggen?uitgelogd=1").into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session::clear_cookie(secure(&settings, &headers)),
    );
    // Offline copies of canvases in IndexedDB go with the session (the page also deletes them).
    response
        .headers_mut()
        .insert("clear-site-data", session::CLEAR_STORAGE);
    Ok(response)
}

/// The page of a one-time link: who it is for and what it asks.
async fn link_form(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: Option<Viewer>,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    render_link(directory.as_ref(), viewer.as_ref(), &token, None, &nonce).await
}

async fn render_link(
    directory: &dyn Directory,
    viewer: Option<&Viewer>,
    token: &str,
    error: Option<&str>,
    nonce: &CspNonce,
) -> Result<Response, AppError> {
    let (invitation, account) = match links::open(directory, token).await {
        Ok(found) => found,
        Err(LinkError::Store(error)) => return Err(error.into()),
        Err(error) => {
            let page = views::invalid_link(&error.to_string(), &nonce.0);
            return Ok((StatusCode::NOT_FOUND, page).into_response());
        }
    };
    let has_password = account.as_ref().is_some_and(|a| a.password_hash.is_some());
    let (title, intro) = match invitation.kind {
        InvitationKind::Team(team, role) => {
            let team = directory.team(team).await?;
            let team = team.map_or_else(String::new, |t| format!("{} ({})", t.name, t.gemeente));
            (
                "Uitnodiging",
                format!(
                    "Je bent uitgenodigd als {} in {team}.",
                    role.dutch().to_lowercase()
                ),
            )
        }
        InvitationKind::Coach(province) => {
            let name = directory
                .provinces()
                .await?
                .into_iter()
                .find(|p| p.id == province)
                .map_or_else(String::new, |p| p.name);
            (
                "Uitnodiging",
                format!("Je bent uitgenodigd als doorbraakcoach van de provincie {name}."),
            )
        }
        InvitationKind::Pmm => (
            "Uitnodiging",
            "Je bent uitgenodigd voor het Programma Maatwerk Multiprobleemhuishoudens (PMM)."
                .to_owned(),
        ),
        InvitationKind::Reset => (
            "Nieuw wachtwoord",
            "Kies een nieuw wachtwoord. Daarna ben je overal uitgelogd en log je hier weer in."
                .to_owned(),
        ),
    };
    let is_reset = invitation.kind == InvitationKind::Reset;
    let form = views::LinkForm {
        title,
        intro,
        email: &invitation.email,
        ask_name: account.is_none(),
        existing_password: has_password && !is_reset,
        csrf: viewer.map(Viewer::csrf),
        error,
    };
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, views::link_page(&form, &nonce.0)).into_response())
}

#[derive(Deserialize)]
struct LinkFields {
    #[serde(default)]
    name: String,
    #[serde(default)]
    password: String,
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn link_submit(
    State(attempts): State<Arc<Attempts>>,
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(events): State<Arc<dyn EventBus>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: Option<Viewer>,
    Path(token): Path<String>,
    Form(fields): Form<LinkFields>,
) -> Result<Response, AppError> {
    let (account, _) = match invitations::accept(
        database.as_ref(),
        events.as_ref(),
        &attempts,
        &token,
        &fields.name,
        &fields.password,
    )
    .await
    {
        Ok(accepted) => accepted,
        Err(LinkError::Store(error)) => return Err(error.into()),
        Err(error) => {
            let message = error.to_string();
            return render_link(
                directory.as_ref(),
                viewer.as_ref(),
                &token,
                Some(&message),
                &nonce,
            )
            .await;
        }
    };
    start_session(
        directory.as_ref(),
        &audit,
        &settings,
        &headers,
        &account,
        "/",
    )
    .await
}
