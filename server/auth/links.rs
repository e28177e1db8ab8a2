//! One-time links: invitations to a team or as doorbraakcoach or PMM, and password resets.
//!
//! The link carries a random secret; the database keeps its hash, what it grants, for whom and
//! until when. Using it is atomic, so a link works exactly once even when opened twice at the
//! same moment.

use std::time::Duration;

use super::secret;
use crate::{
    access::{password::PasswordError, policy},
    ids::AccountId,
    store::{AccountRow, Directory, InvitationKind, InvitationRow, StoreError, now_millis},
};

/// How long a password reset link works.
pub const RESET_VALID: Duration = Duration::from_secs(24 * 3600);

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("Deze link is ongeldig, al gebruikt of verlopen. Vraag om een nieuwe.")]
    Invalid,
    #[error("Dit wachtwoord hoort niet bij het account van deze uitnodiging.")]
    WrongPassword,
    #[error("Te veel mislukte pogingen. Probeer het over een kwartier opnieuw.")]
    Locked,
    #[error("Je naam staat op één regel, zonder onzichtbare tekens die de leesrichting omdraaien.")]
    Name,
    #[error(
        "Met deze uitnodiging zou het team geen aanjager meer hebben. Vraag eerst iemand anders \
         aanjager te maken; de link blijft tot die tijd geldig."
    )]
    LastAanjager,
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh link for `email` granting `kind`: the secret for the link's path, and the row to
/// store (which keeps only the secret's hash).
pub fn new_link(
    kind: InvitationKind,
    email: &str,
    created_by: AccountId,
    valid: Duration,
) -> (String, InvitationRow) {
    let token = secret::fresh();
    let now = now_millis();
    let invitation = InvitationRow {
        token_hash: secret::hash(&token),
        kind,
        email: email.to_owned(),
        created_by,
        created_at: now,
        expires_at: now.saturating_add(valid.as_millis() as i64),
        used_at: None,
    };
    (token, invitation)
}

/// What an invitation hands out, as the policy names it.
pub fn grant_of(kind: InvitationKind) -> policy::Grant {
    match kind {
        InvitationKind::Team(team, _) => policy::Grant::Team(team),
        InvitationKind::Coach(_) | InvitationKind::Pmm => policy::Grant::National,
        InvitationKind::Reset => policy::Grant::Reset,
    }
}

/// Whether whoever made the link may still hand out what it grants: a link made by an aanjager
/// who has since been demoted, or a beheerder who no longer is one, is void.
pub async fn inviter_may_still_grant(
    directory: &dyn Directory,
    invitation: &InvitationRow,
) -> Result<bool, StoreError> {
    let Some(inviter) = directory.account_by_id(invitation.created_by).await? else {
        return Ok(false);
    };
    let inviter = directory.policy_account(&inviter).await?;
    Ok(policy::may_grant(&inviter, grant_of(invitation.kind)))
}

/// The path a link opens.
pub fn path(kind: InvitationKind, token: &str) -> String {
    match kind {
        InvitationKind::Reset => format!("/wachtwoord/{token}"),
        _ => format!("/uitnodiging/{token}"),
    }
}

/// A link that can still be used, with the account it is for if that exists. A link whose
/// maker may no longer hand out what it grants counts as invalid, on the page and when used.
pub async fn open(
    directory: &dyn Directory,
    token: &str,
) -> Result<(InvitationRow, Option<AccountRow>), LinkError> {
    let invitation = directory
        .invitation(&secret::hash(token))
        .await?
        .filter(|i| i.used_at.is_none() && i.expires_at > now_millis())
        .ok_or(LinkError::Invalid)?;
    if !inviter_may_still_grant(directory, &invitation).await? {
        return Err(LinkError::Invalid);
    }
    let account = directory.account_by_email(&invitation.email).await?;
    Ok((invitation, account))
}
