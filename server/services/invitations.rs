//! Invitations and password resets: making a one-time link, and using one. Using a link is one
//! transaction: the link is spent, the account made or updated, what the link grants handed out
//! and the audit line written together, or none of it.

use std::time::Duration;

use super::{Refusal, ServiceError};
use crate::{
    access::policy::{self},
    audit::Event,
    auth::{
        Viewer,
        links::{self, LinkError},
        secret,
        sign_in::{Attempts, SignInError, sign_in},
    },
    events::{AccessChange, Event as BusEvent, EventBus},
    store::{
        AccountRow, AuditEntry, Database, InvitationKind, InvitationRow, MemberChange, now_millis,
    },
};

/// Nobody hands themselves a role: a second person grants it.
pub const SELF_GRANT: &str = "Je kunt jezelf geen rol of uitnodiging geven; vraag een andere \
                              beheerder of de aanjager.";

/// Makes a link for `email` (already normalised) granting `kind`, valid for `valid`, if
/// `inviter` may hand that out; returns the secret for the link's path.
pub async fn invite(
    database: &dyn Database,
    inviter: &Viewer,
    kind: InvitationKind,
    email: &str,
    valid: Duration,
) -> Result<String, ServiceError> {
    if kind != InvitationKind::Reset && email == inviter.account.email {
        return Err(ServiceError::refused(Refusal::Forbidden, SELF_GRANT));
    }
    if !policy::may_grant(&inviter.policy, links::grant_of(kind)) {
        let message = "Je mag deze uitnodiging niet maken.";
        return Err(ServiceError::refused(Refusal::Forbidden, message));
    }
    let (token, invitation) = links::new_link(kind, email, inviter.account.id, valid);
    let (event, team, detail) = match kind {
        InvitationKind::Team(team, role) => (
            Event::Invited,
            Some(team),
            format!("{email} als {}", role.code()),
        ),
        InvitationKind::Coach(_) => (Event::Invited, None, format!("{email} als coach")),
        InvitationKind::Pmm => (Event::Invited, None, format!("{email} als pmm")),
        InvitationKind::Reset => (Event::PasswordResetLink, None, email.to_owned()),
    };
    let tx = database.begin().await?;
    // One open invitation per person and grant: a second link would leave two that work.
    // A reset may be made again (the first link may be lost); the old one keeps its expiry.
    if kind != InvitationKind::Reset {
        let team = match kind {
            InvitationKind::Team(team, _) => Some(team),
            _ => None,
        };
        let open = tx.open_invitations(team, now_millis()).await?;
        let same = |other: &InvitationKind| match (kind, *other) {
            (InvitationKind::Team(a, _), InvitationKind::Team(b, _)) => a == b,
            (a, b) => a == b,
        };
        if let Some(existing) = open.iter().find(|i| i.email == email && same(&i.kind)) {
            let until = crate::format::dutch_time(existing.expires_at).0;
            let message = format!(
                "Voor {email} staat al een uitnodiging open, tot {until}. Trek die eerst in als \
                 je een nieuwe link wilt maken."
            );
            return Err(ServiceError::refused(Refusal::Conflict, message));
        }
    }
    tx.create_invitation(&invitation).await?;
    let entry = AuditEntry {
        account_id: Some(inviter.account.id),
        team_id: team,
        detail,
        ..AuditEntry::default()
    };
    tx.append_audit(&event.entry(entry)).await?;
    tx.commit().await?;
    Ok(token)
}

/// Withdraws an unused invitation, so that its link stops working at once; refused as not
/// found when it was used in the meantime.
pub async fn withdraw(
    database: &dyn Database,
    by: &Viewer,
    invitation: &InvitationRow,
) -> Result<(), ServiceError> {
    let tx = database.begin().await?;
    if !tx.withdraw_invitation(&invitation.token_hash).await? {
        return Err(ServiceError::refused(Refusal::NotFound, ""));
    }
    let team = match invitation.kind {
        InvitationKind::Team(team, _) => Some(team),
        _ => None,
    };
    let entry = AuditEntry {
        account_id: Some(by.account.id),
        team_id: team,
        detail: invitation.email.clone(),
        ..AuditEntry::default()
    };
    tx.append_audit(&Event::InvitationWithdrawn.entry(entry))
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Uses a link. A new account is created with `name` and `password`; an existing account
/// accepting an invitation proves itself with its password; a reset sets a new password and
/// ends every session and token of the account. Returns the account and what the link granted;
/// the account's open connections reconnect under its new rights.
pub async fn accept(
    database: &dyn Database,
    events: &dyn EventBus,
    attempts: &Attempts,
    token: &str,
    name: &str,
    password: &str,
) -> Result<(AccountRow, InvitationKind), LinkError> {
    // Checked before anything is spent or hashed.
    let name = crate::text::single_line(name).map_err(|_| LinkError::Name)?;
    let (invitation, account) = links::open(database, token).await?;
    let has_password = account.as_ref().is_some_and(|a| a.password_hash.is_some());
    // Check or hash the password before the link is spent, so a typo does not waste it, and
    // before the transaction, which holds the write lock. An existing account proves itself
    // exactly as at sign-in, with the same counting and lock: whoever holds an invitation must
    // not get unlimited guesses at someone's password.
    let new_hash = if invitation.kind == InvitationKind::Reset || !has_password {
        Some(
            attempts
                .passwords
                .hash_off_thread(password.to_owned())
                .await?,
        )
    } else {
        match sign_in(attempts, database, &invitation.email, password, None).await {
            Ok(_) => None,
            Err(SignInError::Refused) => return Err(LinkError::WrongPassword),
            Err(SignInError::Locked) => return Err(LinkError::Locked),
            Err(SignInError::Store(error)) => return Err(error.into()),
        }
    };
    if invitation.kind == InvitationKind::Reset && account.is_none() {
        return Err(LinkError::Invalid);
    }
    let tx = database.begin().await?;
    if !tx
        .use_invitation(&secret::hash(token), now_millis())
        .await?
    {
        return Err(LinkError::Invalid);
    }
    // Asked again inside the transaction: the maker may have lost the right since the page
    // was opened. Returning drops the transaction, which rolls the spending back.
    if !links::inviter_may_still_grant(tx.as_ref(), &invitation).await? {
        return Err(LinkError::Invalid);
    }
    let account = match account {
        Some(account) => {
            if let Some(hash) = &new_hash {
                tx.set_password(account.id, hash).await?;
            }
            if !name.is_empty() {
                tx.set_name(account.id, name).await?;
            }
            account
        }
        None => {
            tx.create_account(&invitation.email, name, new_hash.as_deref(), false)
                .await?
        }
    };
    let (event, team, detail) = match invitation.kind {
        InvitationKind::Team(team, role) => {
            // Someone in the team already gets the role as a role change gives it: never one
            // that leaves the team without an aanjager (the rule of `change_member`).
            match tx.change_member(team, account.id, Some(role)).await? {
                MemberChange::Done => {}
                MemberChange::NotMember => tx.set_membership(team, account.id, role).await?,
                MemberChange::LastAanjager => return Err(LinkError::LastAanjager),
            }
            (Event::InvitationAccepted, Some(team), String::new())
        }
        InvitationKind::Coach(province) => {
            tx.set_coach(account.id, Some(province)).await?;
            (Event::InvitationAccepted, None, String::new())
        }
        InvitationKind::Pmm => {
            tx.set_pmm(account.id, true).await?;
            (Event::InvitationAccepted, None, String::new())
        }
        InvitationKind::Reset => {
            // Someone who lost control of their account also loses what it handed out.
            tx.end_sessions_of(account.id).await?;
            tx.revoke_tokens_of(account.id).await?;
            let detail = "nieuw wachtwoord ingesteld".to_owned();
            (Event::PasswordResetLink, None, detail)
        }
    };
    let entry = AuditEntry {
        account_id: Some(account.id),
        team_id: team,
        detail,
        ..AuditEntry::default()
    };
    tx.append_audit(&event.entry(entry)).await?;
    let account = tx
        .account_by_id(account.id)
        .await?
        .ok_or(LinkError::Invalid)?;
    tx.commit().await?;
    // What the account may do has changed: open connections reconnect under the new rules.
    events.publish(BusEvent::AccessChanged(AccessChange::Account(account.id)));
    Ok((account, invitation.kind))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        access::{
            password,
            policy::{AccountId, TeamRole},
        },
        auth::links::RESET_VALID,
        events::LocalBus,
        store::testing::TestStore,
        store::{InvitationKind, prelude::*},
    };

    const DAY: Duration = Duration::from_secs(86_400);

    /// Uses a link as its holder does, with a fresh bus and fresh sign-in attempts.
    async fn use_link(
        directory: &dyn Database,
        token: &str,
        name: &str,
        password: &str,
    ) -> Result<(AccountRow, InvitationKind), LinkError> {
        let attempts = Attempts::default();
        accept(
            directory,
            &LocalBus::default(),
            &attempts,
            token,
            name,
            password,
        )
        .await
    }

    /// Stores a link as the pages make it; returns its secret.
    async fn link(
        directory: &dyn Database,
        kind: InvitationKind,
        email: &str,
        by: AccountId,
        valid: Duration,
    ) -> Result<String, crate::store::StoreError> {
        let (token, invitation) = links::new_link(kind, email, by, valid);
        directory.create_invitation(&invitation).await?;
        Ok(token)
    }

    #[tokio::test]
    async fn an_invitation_works_once_and_makes_a_member() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let kind = InvitationKind::Team(owner.team, TeamRole::Teamlid);
        let token = link(
            directory,
            kind,
            "nieuw@gemeente.nl",
            owner.brought_in_by,
            DAY,
        )
        .await
        .unwrap();
        assert!(matches!(
            use_link(directory, &token, "Nieuw", "kort").await,
            Err(LinkError::Password(_))
        ));
        let (account, granted) = use_link(directory, &token, "Nieuw", "een goed wachtwoord")
            .await
            .unwrap();
        assert_eq!(granted, kind);
        assert_eq!(account.name, "Nieuw");
        assert_eq!(
            directory.memberships(account.id).await.unwrap(),
            [(owner.team, TeamRole::Teamlid)]
        );
        assert!(matches!(
            use_link(directory, &token, "Nieuw", "een goed wachtwoord").await,
            Err(LinkError::Invalid)
        ));
    }

    #[tokio::test]
    async fn an_expired_link_does_nothing() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let token = link(
            directory,
            InvitationKind::Pmm,
            "pmm@rijk.nl",
            owner.brought_in_by,
            Duration::ZERO,
        )
        .await
        .unwrap();
        assert!(matches!(
            use_link(directory, &token, "", "een goed wachtwoord").await,
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
        let kind = InvitationKind::Team(owner.team, TeamRole::Projectleider);
        let token = link(
            directory,
            kind,
            "piet@gemeente.nl",
            owner.brought_in_by,
            DAY,
        )
        .await
        .unwrap();
        assert!(matches!(
            use_link(directory, &token, "", "een ander wachtwoord").await,
            Err(LinkError::WrongPassword)
        ));
        use_link(directory, &token, "", "het oude wachtwoord")
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
        let reset = link(
            directory,
            InvitationKind::Reset,
            "piet@gemeente.nl",
            beheerder.id,
            RESET_VALID,
        )
        .await
        .unwrap();
        use_link(directory, &reset, "", "het nieuwe wachtwoord")
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

    #[tokio::test]
    async fn a_link_whose_grant_fails_is_not_spent_and_makes_no_account() {
        let store = TestStore::new(false).await;
        let owner = store.owner().await;
        let directory = &store.inner;
        let kind = InvitationKind::Team(owner.team, TeamRole::Teamlid);
        let token = link(directory, kind, "los@gemeente.nl", owner.brought_in_by, DAY)
            .await
            .unwrap();
        // The last write of the use case fails, as a full disk would make it.
        sqlx::query(
            "CREATE TRIGGER no_members BEFORE INSERT ON memberships \
             BEGIN SELECT RAISE(ABORT, 'disk full'); END",
        )
        .execute(store.inner.pool())
        .await
        .unwrap();
        let accepted = use_link(directory, &token, "Los", "een goed wachtwoord").await;
        assert!(matches!(accepted, Err(LinkError::Store(_))), "{accepted:?}");
        let stored = directory
            .invitation(&secret::hash(&token))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(stored.used_at, None, "the link still works");
        let account = directory.account_by_email("los@gemeente.nl").await.unwrap();
        assert!(account.is_none(), "no account without its membership");

        sqlx::query("DROP TRIGGER no_members")
            .execute(store.inner.pool())
            .await
            .unwrap();
        let (account, _) = use_link(directory, &token, "Los", "een goed wachtwoord")
            .await
            .unwrap();
        assert_eq!(
            directory.memberships(account.id).await.unwrap(),
            [(owner.team, TeamRole::Teamlid)]
        );
    }
}
