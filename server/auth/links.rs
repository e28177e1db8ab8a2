//! One-time links: invitations to a team or as doorbraakcoach or PMM, and password resets.
//!
//! The link carries a random secret; the database keeps its hash, what it grants, for whom and
//! until when. Using it is atomic, so a link works exactly once even when opened twice at the
//! same moment.

use std::time::Duration;

use super::{
    secret,
    sign_in::{Attempts, SignInError, sign_in},
};
use crate::{
    access::{password::PasswordError, policy},
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
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Creates a link for `email` granting `kind`; returns the secret for the link's path.
pub async fn create(
    directory: &dyn Directory,
    kind: InvitationKind,
    email: &str,
    created_by: i64,
    valid: Duration,
) -> Result<String, StoreError> {
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
    directory.create_invitation(&invitation).await?;
    Ok(token)
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
async fn inviter_may_still_grant(
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

/// Uses a link. A new account is created with `name` and `password`; an existing account
/// accepting an invitation proves itself with its password; a reset sets a new password and
/// ends every session of the account. Returns the account and what the link granted.
pub async fn accept(
    attempts: &Attempts,
    directory: &dyn Directory,
    token: &str,
    name: &str,
    password: &str,
) -> Result<(AccountRow, InvitationKind), LinkError> {
    // Checked before anything is spent or hashed.
    let name = crate::text::single_line(name).map_err(|_| LinkError::Name)?;
    let (invitation, account) = open(directory, token).await?;
    let has_password = account.as_ref().is_some_and(|a| a.password_hash.is_some());
    // Check or hash the password before the link is spent, so a typo does not waste it. An
    // existing account proves itself exactly as at sign-in, with the same counting and lock:
    // whoever holds an invitation must not get unlimited guesses at someone's password.
    let new_hash = if invitation.kind == InvitationKind::Reset || !has_password {
        Some(
            attempts
                .passwords
                .hash_off_thread(password.to_owned())
                .await?,
        )
    } else {
        match sign_in(attempts, directory, &invitation.email, password, None).await {
            Ok(_) => None,
            Err(SignInError::Refused) => return Err(LinkError::WrongPassword),
            Err(SignInError::Locked) => return Err(LinkError::Locked),
            Err(SignInError::Store(error)) => return Err(error.into()),
        }
    };
    if invitation.kind == InvitationKind::Reset && account.is_none() {
        return Err(LinkError::Invalid);
    }
    if !directory
        .use_invitation(&secret::hash(token), now_millis())
        .await?
    {
        return Err(LinkError::Invalid);
    }
    let account = match account {
        Some(account) => {
            if let Some(hash) = &new_hash {
                directory.set_password(account.id, hash).await?;
            }
            if !name.is_empty() {
                directory.set_name(account.id, name).await?;
            }
            account
        }
        None => {
            directory
                .create_account(&invitation.email, name, new_hash.as_deref(), false)
                .await?
        }
    };
    match invitation.kind {
        InvitationKind::Team(team, role) => {
            directory.set_membership(team.0, account.id, role).await?
        }
        InvitationKind::Coach(province) => {
            directory.set_coach(account.id, Some(province.0)).await?
        }
        InvitationKind::Pmm => directory.set_pmm(account.id, true).await?,
        InvitationKind::Reset => {
            // Someone who lost control of their account also loses what it handed out.
            directory.end_sessions_of(account.id).await?;
            directory.revoke_tokens_of(account.id).await?;
        }
    }
    let account = directory
        .account_by_id(account.id)
        .await?
        .ok_or(LinkError::Invalid)?;
    Ok((account, invitation.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::prelude::*;
    use crate::{
        access::{
            password,
            policy::{TeamId, TeamRole},
        },
        store::testing::TestStore,
    };

    const DAY: Duration = Duration::from_secs(86_400);

    #[tokio::test]
    async fn an_invitation_works_once_and_makes_a_member() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let kind = InvitationKind::Team(TeamId(owner.team), TeamRole::Teamlid);
        let token = create(
            directory,
            kind,
            "nieuw@gemeente.nl",
            owner.brought_in_by,
            DAY,
        )
        .await
        .unwrap();
        assert!(matches!(
            accept(&Attempts::default(), directory, &token, "Nieuw", "kort").await,
            Err(LinkError::Password(_))
        ));
        let (account, granted) = accept(
            &Attempts::default(),
            directory,
            &token,
            "Nieuw",
            "een goed wachtwoord",
        )
        .await
        .unwrap();
        assert_eq!(granted, kind);
        assert_eq!(account.name, "Nieuw");
        assert_eq!(
            directory.memberships(account.id).await.unwrap(),
            [(owner.team, TeamRole::Teamlid)]
        );
        assert!(matches!(
            accept(
                &Attempts::default(),
                directory,
                &token,
                "Nieuw",
                "een goed wachtwoord"
            )
            .await,
            Err(LinkError::Invalid)
        ));
    }

    #[tokio::test]
    async fn an_expired_link_does_nothing() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let token = create(
            directory,
            InvitationKind::Pmm,
            "pmm@rijk.nl",
            owner.brought_in_by,
            Duration::ZERO,
        )
        .await
        .unwrap();
        assert!(matches!(
            accept(
                &Attempts::default(),
                directory,
                &token,
                "",
                "een goed wachtwoord"
            )
            .await,
            Err(LinkError::Invalid)
        ));
        assert!(
            directory
                .account_by_email("pmm@rijk.nl")
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn an_existing_account_proves_itself_and_a_reset_ends_its_sessions() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let hash = password::hash("het oude wachtwoord").unwrap();
        let account = directory
            .create_account("piet@gemeente.nl", "Piet", Some(&hash), false)
            .await
            .unwrap();
        let kind = InvitationKind::Team(TeamId(owner.team), TeamRole::Projectleider);
        let token = create(
            directory,
            kind,
            "piet@gemeente.nl",
            owner.brought_in_by,
            DAY,
        )
        .await
        .unwrap();
        assert!(matches!(
            accept(
                &Attempts::default(),
                directory,
                &token,
                "",
                "een ander wachtwoord"
            )
            .await,
            Err(LinkError::WrongPassword)
        ));
        accept(
            &Attempts::default(),
            directory,
            &token,
            "",
            "het oude wachtwoord",
        )
        .await
        .unwrap();

        directory
            .create_session("s", account.id, "c")
            .await
            .unwrap();
        // Reset links are a beheerder's to make (and are void otherwise).
        let beheerder = directory
            .create_account("beheer@gemeente.nl", "Beheer", None, true)
            .await
            .unwrap();
        let reset = create(
            directory,
            InvitationKind::Reset,
            "piet@gemeente.nl",
            beheerder.id,
            RESET_VALID,
        )
        .await
        .unwrap();
        accept(
            &Attempts::default(),
            directory,
            &reset,
            "",
            "het nieuwe wachtwoord",
        )
        .await
        .unwrap();
        let stored = directory.account_by_id(account.id).await.unwrap().unwrap();
        assert!(password::verify(
            "het nieuwe wachtwoord",
            stored.password_hash.as_deref().unwrap()
        ));
        assert!(
            directory.session("s").await.unwrap().is_none(),
            "sessions ended"
        );
    }
}
