//! One-time links on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::{
    Postgres, Source,
    query::{execute, role, unique},
};
use crate::ids::{ProvinceId, TeamId};
use crate::store::{
    StoreError,
    invitations::{InvitationKind, InvitationRow, Invitations},
};

fn invitation(row: &PgRow) -> Result<InvitationRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let kind = match kind.as_str() {
        "team" => {
            let team: TeamId = row.try_get("team_id")?;
            let code: String = row.try_get("role")?;
            InvitationKind::Team(team, role(&code)?)
        }
        "coach" => InvitationKind::Coach(ProvinceId(row.try_get("province_id")?)),
        "pmm" => InvitationKind::Pmm,
        "reset" => InvitationKind::Reset,
        other => {
            return Err(sqlx::Error::Decode(
                format!("invitation kind {other}").into(),
            ));
        }
    };
    Ok(InvitationRow {
        token_hash: row.try_get("token_hash")?,
        kind,
        email: row.try_get("email")?,
        created_by: row.try_get("created_by")?,
        created_at: row.try_get("created_at")?,
        expires_at: row.try_get("expires_at")?,
        used_at: row.try_get("used_at")?,
    })
}

#[async_trait]
impl<S: Source> Invitations for Postgres<S> {
    async fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError> {
        let (kind, team, role, province) = match invitation.kind {
            InvitationKind::Team(team, role) => ("team", Some(team.0), Some(role.code()), None),
            InvitationKind::Coach(province) => ("coach", None, None, Some(province.0)),
            InvitationKind::Pmm => ("pmm", None, None, None),
            InvitationKind::Reset => ("reset", None, None, None),
        };
        sqlx::query(
            "INSERT INTO invitations (token_hash, kind, email, team_id, role, province_id, \
             created_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(&invitation.token_hash)
        .bind(kind)
        .bind(&invitation.email)
        .bind(team)
        .bind(role)
        .bind(province)
        .bind(invitation.created_by)
        .bind(invitation.created_at)
        .bind(invitation.expires_at)
        .execute(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(())
    }

    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRow>, StoreError> {
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = $1")
            .bind(token_hash)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|row| invitation(&row)).transpose()?)
    }

    async fn use_invitation(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        // One UPDATE that checks and marks. Of two concurrent uses the second waits for the
        // first's row lock, then re-checks `used_at IS NULL` on the row as the first left it
        // and changes nothing: exactly one succeeds, as on SQLite. Before it, the team's lock:
        // the use case asks next whether the link's maker is still an aanjager, and a demotion
        // of the maker (which takes the same lock) is then either committed and seen, or waits.
        let mut conn = self.conn().await?;
        super::locks::team_of_invitation(&mut conn, token_hash).await?;
        let used = execute(
            &mut conn,
            "UPDATE invitations SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL \
                 AND expires_at > $1",
            &[&now, &token_hash],
        )
        .await?;
        Ok(used == 1)
    }

    async fn open_invitations(
        &self,
        team_id: Option<TeamId>,
        now: i64,
    ) -> Result<Vec<InvitationRow>, StoreError> {
        // "One open invitation per person and grant" is asked of this list in a transaction and
        // then kept by the insert after it: the team's lock (the national invitations' for
        // `None`) holds the next inviter until this transaction commits, and their list then
        // has this one's invitation.
        let mut conn = self.conn().await?;
        if self.source.in_transaction() {
            match team_id {
                Some(team) => super::locks::team(&mut conn, team).await?,
                None => super::locks::national_invitations(&mut conn).await?,
            }
        }
        let rows = sqlx::query(
            "SELECT * FROM invitations WHERE ($1 IS NULL OR (team_id = $1 AND kind = 'team')) \
             AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC",
        )
        .bind(team_id)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows.iter().map(invitation).collect::<Result<_, _>>()?)
    }

    async fn withdraw_invitation(&self, token_hash: &str) -> Result<bool, StoreError> {
        // One DELETE that checks and deletes: no write lock.
        let deleted = execute(
            &mut *self.conn().await?,
            "DELETE FROM invitations WHERE token_hash = $1 AND used_at IS NULL",
            &[&token_hash],
        )
        .await?;
        Ok(deleted == 1)
    }
}
