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
    audit::{Audit, Event},
    auth::{Viewer, links},
    config::AuthSettings,
    error::AppError,
    events::{AccessChange, Event as BusEvent, EventBus},
    http::middleware::csp::CspNonce,
    state::AppState,
    store::{
        AuditEntry, Directory, InvitationKind, InvitationRow, MemberChange, MemberRow, TeamRow,
        now_millis,
    },
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
            let role = viewer.policy.role_in(TeamId(team.id));
            workspace::may_see_team(&viewer.policy, TeamId(team.id)).then_some((team, role))
        })
        .collect();
    Ok(views::teams::list(&viewer, &teams, &nonce.0))
}

/// The team, if the viewer may see it (members and beheerders); otherwise 404.
async fn visible_team(
    directory: &dyn Directory,
    viewer: &Viewer,
    id: i64,
) -> Result<TeamRow, AppError> {
    let team = directory.team(id).await?.ok_or(AppError::NotFound)?;
    if !workspace::may_see_team(&viewer.policy, TeamId(id)) {
        return Err(AppError::NotFound);
    }
    Ok(team)
}

/// The team, if the viewer may manage it; 404 if they may not even see it, else 403.
async fn managed_team(
    directory: &dyn Directory,
    viewer: &Viewer,
    id: i64,
) -> Result<TeamRow, AppError> {
    let team = visible_team(directory, viewer, id).await?;
    if !policy::may_manage_team(&viewer.policy, TeamId(id)) {
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
    let manage = policy::may_manage_team(&viewer.policy, TeamId(team.id));
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
    Path(id): Path<i64>,
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
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: SignedIn,
    Path(id): Path<i64>,
    Form(form): Form<Invitation>,
) -> Result<Markup, AppError> {
    let team = managed_team(directory.as_ref(), &viewer, id).await?;
    let email = normalize_email(&form.email);
    if email
        .as_ref()
        .is_ok_and(|email| *email == viewer.account.email)
    {
        return Err(AppError::Forbidden(super::admin::SELF_GRANT.into()));
    }
    let (Ok(email), Some(role)) = (email, TeamRole::from_code(&form.role)) else {
        let error = "Vul een geldig e-mailadres in en kies een rol.".to_owned();
        return render(directory.as_ref(), &viewer, team, None, Some(error), &nonce).await;
    };
    let kind = InvitationKind::Team(TeamId(id), role);
    let valid = settings.invitation_validity();
    let token = links::create(directory.as_ref(), kind, &email, viewer.account.id, valid).await?;
    audit
        .record(
            Event::Invited,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(id),
                detail: format!("{email} als {}", role.code()),
                ..AuditEntry::default()
            },
        )
        .await;
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
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    viewer: Viewer,
    Path(id): Path<i64>,
    Form(form): Form<Withdrawal>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    let open = directory.open_invitations(Some(id), now_millis()).await?;
    let invitation = open
        .into_iter()
        .find(|i| i.token_hash == form.uitnodiging)
        .ok_or(AppError::NotFound)?;
    withdrawn(directory.as_ref(), &audit, &viewer, &invitation, Some(id)).await?;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}

/// Withdraws `invitation` and records who did; 404 when it was used in the meantime.
pub(super) async fn withdrawn(
    directory: &dyn Directory,
    audit: &Audit,
    viewer: &Viewer,
    invitation: &InvitationRow,
    team: Option<i64>,
) -> Result<(), AppError> {
    if !directory
        .withdraw_invitation(&invitation.token_hash)
        .await?
    {
        return Err(AppError::NotFound);
    }
    audit
        .record(
            Event::InvitationWithdrawn,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: team,
                detail: invitation.email.clone(),
                ..AuditEntry::default()
            },
        )
        .await;
    Ok(())
}

#[derive(Deserialize)]
struct RoleChange {
    #[serde(default)]
    role: String,
}

/// A member of the team; 404 for anyone else.
async fn member_of(
    directory: &dyn Directory,
    team: i64,
    account: i64,
) -> Result<MemberRow, AppError> {
    directory
        .members(team)
        .await?
        .into_iter()
        .find(|m| m.account_id == account)
        .ok_or(AppError::NotFound)
}

/// Changes or removes a membership, refusing to leave the team without an aanjager.
async fn change_member(
    directory: &dyn Directory,
    team: i64,
    account: i64,
    role: Option<TeamRole>,
) -> Result<(), AppError> {
    match directory.change_member(team, account, role).await? {
        MemberChange::Done => Ok(()),
        MemberChange::NotMember => Err(AppError::NotFound),
        MemberChange::LastAanjager => Err(AppError::Invalid(
            "Een team houdt minstens één aanjager. Maak eerst iemand anders aanjager.".into(),
        )),
    }
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn change_role(
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(events): State<Arc<dyn EventBus>>,
    viewer: Viewer,
    Path((id, account)): Path<(i64, i64)>,
    Form(form): Form<RoleChange>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    if !policy::may_change_role(&viewer.policy, TeamId(id), AccountId(account)) {
        return Err(AppError::Forbidden(
            "Je kunt je eigen rol niet wijzigen. Vraag een andere aanjager of een beheerder."
                .into(),
        ));
    }
    let role = TeamRole::from_code(&form.role)
        .ok_or_else(|| AppError::Invalid("Kies een bestaande rol.".into()))?;
    let member = member_of(directory.as_ref(), id, account).await?;
    change_member(directory.as_ref(), id, account, Some(role)).await?;
    events.publish(BusEvent::AccessChanged(AccessChange::Account(AccountId(
        account,
    ))));
    audit
        .record(
            Event::RoleChanged,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(id),
                detail: format!("{}: {} → {}", member.email, member.role.code(), role.code()),
                ..AuditEntry::default()
            },
        )
        .await;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}

async fn remove(
    State(directory): State<Arc<dyn Directory>>,
    State(audit): State<Arc<Audit>>,
    State(events): State<Arc<dyn EventBus>>,
    viewer: Viewer,
    Path((id, account)): Path<(i64, i64)>,
) -> Result<Response, AppError> {
    managed_team(directory.as_ref(), &viewer, id).await?;
    let member = member_of(directory.as_ref(), id, account).await?;
    change_member(directory.as_ref(), id, account, None).await?;
    events.publish(BusEvent::AccessChanged(AccessChange::Account(AccountId(
        account,
    ))));
    audit
        .record(
            Event::MemberRemoved,
            AuditEntry {
                account_id: Some(viewer.account.id),
                team_id: Some(id),
                detail: member.email,
                ..AuditEntry::default()
            },
        )
        .await;
    Ok(Redirect::to(&format!("/teams/{id}")).into_response())
}
