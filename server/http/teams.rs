//! Teams: `GET /teams` lists the viewer's teams; `GET /teams/{id}` shows a team's members to its
//! members. Its aanjager (and a beheerder) invites people with a one-time link, changes roles and
//! removes members; every change closes the person's open connections, so it applies at once.

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    http::HeaderMap,
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use maud::Markup;
use serde::Deserialize;

use super::link_url;
use crate::{
    access::policy::{self, AccountId, TeamId, TeamRole},
    access::workspace,
    accounts::normalize_email,
    auth::Viewer,
    config::AuthSettings,
    error::AppError,
    events::EventBus,
    http::middleware::csp::CspNonce,
    services::{Refusal, ServiceError, invitations, members},
    state::AppState,
    store::{Database, Directory, InvitationKind, TeamRow, now_millis},
    views::SignedIn,
    views::{self, teams::TeamPage},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/teams", get(list))
        .route("/teams/{id}", get(show))
        .route("/teams/{id}/uitnodigingen", post(invite))
        .route("/teams/{id}/uitnodigingen/intrekken", post(withdraw))
        .route("/teams/{id}/leden/{account}/rol", post(change_role))
        .route("/teams/{id}/leden/{account}/verwijderen", post(remove))
}

async fn list(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<Markup, AppError> {
    let teams: Vec<(TeamRow, Option<TeamRole>)> = directory
        .teams()
        .await?
        .into_iter()
        .filter_map(|team| {
            let role = viewer.policy.role_in(team.id);
            workspace::may_see_team(&viewer.policy, team.id).then_some((team, role))
        })
        .collect();
    Ok(views::teams::list(&viewer, &teams, &nonce.0))
}

/// The team, if the viewer may see it (members and beheerders); otherwise 404.
async fn visible_team(
    directory: &dyn Directory,
    viewer: &Viewer,
    id: TeamId,
) -> Result<TeamRow, AppError> {
    let team = directory.team(id).await?.ok_or(AppError::NotFound)?;
    if !workspace::may_see_team(&viewer.policy, id) {
        return Err(AppError::NotFound);
    }
    Ok(team)
}

/// The team, if the viewer may manage it; 404 if they may not even see it, else 403.
async fn managed_team(
    directory: &dyn Directory,
    viewer: &Viewer,
    id: TeamId,
) -> Result<TeamRow, AppError> {
    let team = visible_team(directory, viewer, id).await?;
    if !policy::may_manage_team(&viewer.policy, id) {
        return Err(AppError::Forbidden(
            "Alleen de aanjager van het team kan leden uitnodigen en rollen wijzigen.".into(),
        ));
    }
    Ok(team)
}

async fn render(
    directory: &dyn Directory,
    viewer: &SignedIn,
    team: TeamRow,
    new_link: Option<String>,
    error: Option<String>,
    nonce: &CspNonce,
) -> Result<Markup, AppError> {
    let manage = policy::may_manage_team(&viewer.policy, team.id);
    let members = directory.members(team.id).await?;
    let invitations = if manage {
        directory
            .open_invitations(Some(team.id), now_millis())
            .await?
    } else {
        Vec::new()
    };
    let page = TeamPage {
        team,
        members,
        invitations,
        manage,
        new_link,
        error,
    };
    Ok(views::teams::page(viewer, &page, &nonce.0))
}

async fn show(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
) -> Result<Markup, AppError> {
    let team = visible_team(directory.as_ref(), &viewer, id).await?;
    render(directory.as_ref(), &viewer, team, None, None, &nonce).await
}

#[derive(Deserialize)]
struct Invitation {
    #[serde(default)]
    email: String,
    #[serde(default)]
    role: String,
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn invite(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: SignedIn,
    Path(id): Path<TeamId>,
    Form(form): Form<Invitation>,
) -> Result<Markup, AppError> {
    let team = managed_team(directory.as_ref(), &viewer, id).await?;
    let email = normalize_email(&form.email);
    let (Ok(email), Some(role)) = (email, TeamRole::from_code(&form.role)) else {
        let error = "Vul een geldig e-mailadres in en kies een rol.".to_owned();
        return render(directory.as_ref(), &viewer, team, None, Some(error), &nonce).await;
    };
    let kind = InvitationKind::Team(id, role);
    let valid = settings.invitation_validity();
    let token = match invitations::invite(database.as_ref(), &viewer, kind, &email, valid).await {
        Ok(token) => token,
        Err(ServiceError::Refused {
            refusal: Refusal::Conflict,
            message,
        }) => {
            return render(
                directory.as_ref(),
                &viewer,
                team,
                None,
                Some(message),
                &nonce,
            )
            .await;
        }
        Err(other) => return Err(other.into()),
    };
    let link = link_url(&settings, &headers, kind, &token);
    render(directory.as_ref(), &viewer, team, Some(link), None, &nonce).await
}

#[derive(Deserialize)]
pub(super) struct Withdrawal {
    /// The invitation's token hash, as listed on the page.
    #[serde(default)]
    pub(super) uitnodiging: String,
}

/// Withdraws an open invitation to the team; its link stops working at once.
async fn withdraw(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    viewer: Viewer,
    Path(id): Path<TeamId>,
    Form(form): Form<Withdrawal>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    let open = directory.open_invitations(Some(id), now_millis()).await?;
    let invitation = open
        .into_iter()
        .find(|i| i.token_hash == form.uitnodiging)
        .ok_or(AppError::NotFound)?;
    invitations::withdraw(database.as_ref(), &viewer, &invitation).await?;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}

#[derive(Deserialize)]
struct RoleChange {
    #[serde(default)]
    role: String,
}

async fn change_role(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(events): State<Arc<dyn EventBus>>,
    viewer: Viewer,
    Path((id, account)): Path<(TeamId, AccountId)>,
    Form(form): Form<RoleChange>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    let role = Some(form.role.as_str());
    members::change_member(
        database.as_ref(),
        events.as_ref(),
        &viewer,
        id,
        account,
        role,
    )
    .await?;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}

async fn remove(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(events): State<Arc<dyn EventBus>>,
    viewer: Viewer,
    Path((id, account)): Path<(TeamId, AccountId)>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    members::change_member(
        database.as_ref(),
        events.as_ref(),
        &viewer,
        id,
        account,
        None,
    )
    .await?;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}
