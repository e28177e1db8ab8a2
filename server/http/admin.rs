//! `GET /beheer`: the beheerder's page. Provinces, gemeenten and teams; invitations for a team's
//! first aanjager, for doorbraakcoaches and for PMM; one-time links to reset a password. A
//! beheerder administers and sees no canvas content; everyone else gets 403 here.

use std::sync::Arc;

use axum::{
    Extension, Form, Router,
    extract::{Path, State},
    http::HeaderMap,
    routing::{get, post},
};
use maud::Markup;
use serde::Deserialize;

use super::link_url;
use crate::{
    access::policy::TeamRole,
    access::workspace,
    accounts::normalize_email,
    auth::{Viewer, links},
    config::AuthSettings,
    error::AppError,
    events::EventBus,
    http::middleware::csp::CspNonce,
    ids::{AccountId, GemeenteId, ProvinceId, TeamId},
    services::{
        Refusal, ServiceError, invitations, members,
        organisation::{self, NewUnit},
    },
    state::AppState,
    store::{Database, Directory, InvitationKind, now_millis},
    views::SignedIn,
    views::{self, admin::AdminPage},
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/beheer", get(show))
        .route("/beheer/uitnodigingen", post(invite))
        .route("/beheer/uitnodigingen/intrekken", post(withdraw))
        .route("/beheer/{kind}", post(add))
        .route("/beheer/accounts/{id}/herstellink", post(reset_link))
        .route("/beheer/accounts/{id}/rollen", post(national_roles))
}

fn require_beheerder(viewer: &Viewer) -> Result<(), AppError> {
    if workspace::may_administer(&viewer.policy) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "Deze pagina is alleen voor beheerders.".into(),
        ))
    }
}

/// What happened on the last form, to show above the page.
#[derive(Default)]
struct Outcome {
    message: Option<String>,
    link: Option<String>,
    error: Option<String>,
}

async fn render(
    directory: &dyn Directory,
    viewer: &SignedIn,
    outcome: Outcome,
    nonce: &CspNonce,
) -> Result<Markup, AppError> {
    let teams = directory.teams().await?;
    let mut without_aanjager = Vec::new();
    for team in &teams {
        let members = directory.members(team.id).await?;
        if workspace::needs_aanjager(members.iter().map(|m| m.role)) {
            without_aanjager.push(team.name.clone());
        }
    }
    let page = AdminPage {
        provinces: directory.provinces().await?,
        gemeenten: directory.gemeenten().await?,
        teams,
        without_aanjager,
        accounts: directory.list_accounts().await?,
        invitations: directory.open_invitations(None, now_millis()).await?,
        message: outcome.message,
        link: outcome.link,
        error: outcome.error,
    };
    Ok(views::admin::page(viewer, &page, &nonce.0))
}

async fn show(
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    render(directory.as_ref(), &viewer, Outcome::default(), &nonce).await
}

/// Withdraws any open link (invitation or password reset); it stops working at once.
async fn withdraw(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Form(form): Form<super::teams::Withdrawal>,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    let open = directory.open_invitations(None, now_millis()).await?;
    let invitation = open
        .into_iter()
        .find(|i| i.token_hash == form.uitnodiging)
        .ok_or(AppError::NotFound)?;
    invitations::withdraw(database.as_ref(), &viewer, &invitation).await?;
    let outcome = Outcome {
        message: Some(format!(
            "De uitnodiging voor {} is ingetrokken.",
            invitation.email
        )),
        ..Outcome::default()
    };
    render(directory.as_ref(), &viewer, outcome, &nonce).await
}

/// A name from a form: trimmed, 1 to 120 characters on one line.
fn name(raw: &str) -> Option<&str> {
    let name = crate::text::single_line(raw).ok()?;
    (!name.is_empty() && name.chars().count() <= 120).then_some(name)
}

/// Adds `unit` and says on the page what became of it.
async fn added(
    database: &dyn Database,
    viewer: &Viewer,
    unit: NewUnit<'_>,
    detail: String,
) -> Result<Outcome, AppError> {
    match organisation::add(database, viewer, unit, detail).await {
        Ok(()) => Ok(Outcome {
            message: Some(format!("{} toegevoegd.", unit.dutch())),
            ..Outcome::default()
        }),
        Err(ServiceError::Refused {
            refusal: Refusal::Conflict,
            message,
        }) => Ok(invalid(&message)),
        Err(other) => Err(other.into()),
    }
}

fn invalid(message: &str) -> Outcome {
    Outcome {
        error: Some(message.to_owned()),
        ..Outcome::default()
    }
}

#[derive(Deserialize)]
struct NameFields {
    #[serde(default)]
    name: String,
    province: Option<ProvinceId>,
    gemeente: Option<GemeenteId>,
}

/// `POST /beheer/provincies`, `/beheer/gemeenten` or `/beheer/teams`: adds one.
async fn add(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(kind): Path<String>,
    Form(form): Form<NameFields>,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    if let Err(not_one_line) = crate::text::single_line(&form.name) {
        let outcome = invalid(&not_one_line.to_string());
        return render(directory.as_ref(), &viewer, outcome, &nonce).await;
    }
    let name = name(&form.name);
    let unit = match kind.as_str() {
        "provincies" => name
            .map(NewUnit::Province)
            .ok_or("Geef de provincie een naam."),
        "gemeenten" => {
            let provinces = directory.provinces().await?;
            match (name, form.province) {
                (Some(name), Some(province)) if provinces.iter().any(|p| p.id == province) => {
                    Ok(NewUnit::Gemeente(name, province))
                }
                _ => Err("Geef de gemeente een naam en kies haar provincie."),
            }
        }
        "teams" => {
            let gemeenten = directory.gemeenten().await?;
            match (name, form.gemeente) {
                (Some(name), Some(gemeente)) if gemeenten.iter().any(|g| g.id == gemeente) => {
                    Ok(NewUnit::Team(name, gemeente))
                }
                _ => Err("Geef het team een naam en kies de gemeente."),
            }
        }
        _ => return Err(AppError::NotFound),
    };
    let outcome = match unit {
        Ok(unit) => {
            let detail = format!("{kind}: {}", form.name.trim());
            added(database.as_ref(), &viewer, unit, detail).await?
        }
        Err(message) => invalid(message),
    };
    render(directory.as_ref(), &viewer, outcome, &nonce).await
}

#[derive(Deserialize)]
struct InviteFields {
    #[serde(default)]
    email: String,
    /// `aanjager`, `coach` or `pmm`.
    #[serde(default)]
    kind: String,
    team: Option<TeamId>,
    province: Option<ProvinceId>,
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn invite(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: SignedIn,
    Form(form): Form<InviteFields>,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    let teams = directory.teams().await?;
    let provinces = directory.provinces().await?;
    let kind = match (form.kind.as_str(), form.team, form.province) {
        ("aanjager", Some(team), _) if teams.iter().any(|t| t.id == team) => {
            Some(InvitationKind::Team(team, TeamRole::Aanjager))
        }
        ("coach", _, Some(province)) if provinces.iter().any(|p| p.id == province) => {
            Some(InvitationKind::Coach(province))
        }
        ("pmm", _, _) => Some(InvitationKind::Pmm),
        _ => None,
    };
    let email = normalize_email(&form.email);
    let (Ok(email), Some(kind)) = (email, kind) else {
        let outcome = invalid(
            "Vul een geldig e-mailadres in en kies waarvoor: aanjager van een team, coach van \
             een provincie, of PMM.",
        );
        return render(directory.as_ref(), &viewer, outcome, &nonce).await;
    };
    let valid = settings.invitation_validity();
    let token = match invitations::invite(database.as_ref(), &viewer, kind, &email, valid).await {
        Ok(token) => token,
        Err(ServiceError::Refused {
            refusal: Refusal::Conflict,
            message,
        }) => return render(directory.as_ref(), &viewer, invalid(&message), &nonce).await,
        Err(other) => return Err(other.into()),
    };
    let outcome = Outcome {
        message: Some(format!("Uitnodiging voor {email} gemaakt.")),
        link: Some(link_url(&settings, &headers, kind, &token)),
        error: None,
    };
    render(directory.as_ref(), &viewer, outcome, &nonce).await
}

#[allow(clippy::too_many_arguments)] // An axum handler takes one argument per extractor.
async fn reset_link(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(settings): State<Arc<AuthSettings>>,
    Extension(nonce): Extension<CspNonce>,
    headers: HeaderMap,
    viewer: SignedIn,
    Path(id): Path<AccountId>,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    let account = directory
        .account_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let (kind, valid) = (InvitationKind::Reset, links::RESET_VALID);
    let token =
        invitations::invite(database.as_ref(), &viewer, kind, &account.email, valid).await?;
    let outcome = Outcome {
        message: Some(format!(
            "Herstellink voor {} gemaakt; hij werkt één keer, 24 uur lang.",
            account.email
        )),
        link: Some(link_url(&settings, &headers, InvitationKind::Reset, &token)),
        error: None,
    };
    render(directory.as_ref(), &viewer, outcome, &nonce).await
}

#[derive(Deserialize)]
struct NationalRoles {
    /// A province's id, or empty for no coach role.
    #[serde(default)]
    coach: String,
    /// Present (checked) when the account is PMM.
    pmm: Option<String>,
}

/// Sets or takes away the coach and PMM roles of an account; its open connections close, so the
/// change applies at once.
async fn national_roles(
    State(database): State<Arc<dyn Database>>,
    State(directory): State<Arc<dyn Directory>>,
    State(events): State<Arc<dyn EventBus>>,
    Extension(nonce): Extension<CspNonce>,
    viewer: SignedIn,
    Path(id): Path<AccountId>,
    Form(form): Form<NationalRoles>,
) -> Result<Markup, AppError> {
    require_beheerder(&viewer)?;
    let account = directory
        .account_by_id(id)
        .await?
        .ok_or(AppError::NotFound)?;
    let provinces = directory.provinces().await?;
    let coach = match form.coach.trim() {
        "" => None,
        raw => match raw.parse::<i64>().map(ProvinceId) {
            Ok(province) if provinces.iter().any(|p| p.id == province) => Some(province),
            _ => {
                let outcome = invalid("Kies een bestaande provincie, of geen.");
                return render(directory.as_ref(), &viewer, outcome, &nonce).await;
            }
        },
    };
    let coach = coach.and_then(|c| provinces.iter().find(|p| p.id == c));
    let pmm = form.pmm.is_some();
    members::set_national_roles(database.as_ref(), events.as_ref(), &viewer, id, coach, pmm)
        .await?;
    let outcome = Outcome {
        message: Some(format!("Rollen van {} bijgewerkt.", account.email)),
        ..Outcome::default()
    };
    render(directory.as_ref(), &viewer, outcome, &nonce).await
}
