//! Provinces, gemeenten, teams and memberships on PostgreSQL.

use async_trait::async_trait;
use sqlx::{Connection, Row, postgres::PgRow};

use super::{
    Postgres, Source,
    query::{execute, role, unique},
};
use crate::ids::{AccountId, GemeenteId, ProvinceId, TeamId};
use crate::{
    access::policy::{self, TeamRole},
    store::{
        StoreError, now_millis,
        organisation::{GemeenteRow, MemberChange, MemberRow, Organisation, ProvinceRow, TeamRow},
    },
};

const TEAM_QUERY: &str = "SELECT t.id, t.name, g.name AS gemeente, p.id AS province_id, \
     p.name AS province FROM teams t JOIN gemeenten g ON g.id = t.gemeente_id \
     JOIN provinces p ON p.id = g.province_id";

fn team(row: &PgRow) -> Result<TeamRow, sqlx::Error> {
    Ok(TeamRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        gemeente: row.try_get("gemeente")?,
        province_id: row.try_get("province_id")?,
        province: row.try_get("province")?,
    })
}

#[async_trait]
impl<S: Source> Organisation for Postgres<S> {
    async fn guest_grants(
        &self,
        account: AccountId,
        now: i64,
    ) -> Result<policy::Guest, StoreError> {
        let mut conn = self.conn().await?;
        let meetings = sqlx::query_scalar(
            "SELECT g.meeting_id FROM meeting_guests g JOIN meetings m ON m.id = g.meeting_id \
             WHERE g.account_id = $1 AND m.status <> 'geannuleerd' ORDER BY g.meeting_id",
        )
        .bind(account)
        .fetch_all(&mut *conn)
        .await?;
        // The window is the meetings' own columns, set by the use cases from one rule.
        // MAX of the BIGINT flag is a BIGINT, not a bool, on PostgreSQL. SQLite's GROUP BY hands
        // the groups back in the canvas ids' byte order; PostgreSQL promises no order, so it is
        // asked for (COLLATE "C" for the bytes).
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT i.canvas_id, MAX(g.may_edit) FROM meeting_guests g \
             JOIN meetings m ON m.id = g.meeting_id \
             JOIN agenda_items i ON i.meeting_id = m.id AND i.canvas_id IS NOT NULL \
             WHERE g.account_id = $1 AND m.status <> 'geannuleerd' AND m.guests_from <= $2 \
             AND (m.guests_until IS NULL OR m.guests_until > $2) GROUP BY i.canvas_id \
             ORDER BY i.canvas_id COLLATE \"C\"",
        )
        .bind(account)
        .bind(now)
        .fetch_all(&mut *conn)
        .await?;
        let canvases = rows
            .into_iter()
            .map(|(id, edit)| {
                id.parse()
                    .map(|id| (id, edit != 0))
                    .map_err(|_| StoreError::Inconsistent("agenda canvas id"))
            })
            .collect::<Result<_, _>>()?;
        Ok(policy::Guest { meetings, canvases })
    }

    async fn memberships(
        &self,
        account_id: AccountId,
    ) -> Result<Vec<(TeamId, TeamRole)>, StoreError> {
        // SQLite reads its WITHOUT ROWID table in primary-key order, so by team; PostgreSQL's
        // heap has no such order, so it is asked for.
        let rows = sqlx::query(
            "SELECT team_id, role FROM memberships WHERE account_id = $1 ORDER BY team_id",
        )
        .bind(account_id)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("team_id")?, role(row.try_get("role")?)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn member_provinces(&self, account_id: AccountId) -> Result<Vec<ProvinceId>, StoreError> {
        Ok(sqlx::query_scalar(
            "SELECT DISTINCT g.province_id FROM memberships m JOIN teams t ON t.id = m.team_id \
             JOIN gemeenten g ON g.id = t.gemeente_id WHERE m.account_id = $1 ORDER BY 1",
        )
        .bind(account_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    async fn create_province(&self, name: &str) -> Result<ProvinceId, StoreError> {
        // No last_insert_rowid() on PostgreSQL: the id comes back through RETURNING.
        Ok(
            sqlx::query_scalar("INSERT INTO provinces (name) VALUES ($1) RETURNING id")
                .bind(name)
                .fetch_one(&mut *self.conn().await?)
                .await
                .map_err(unique)?,
        )
    }

    async fn provinces(&self) -> Result<Vec<ProvinceRow>, StoreError> {
        // COLLATE "C" here and below: SQLite's byte order, whatever the database's collation.
        let rows = sqlx::query("SELECT id, name FROM provinces ORDER BY name COLLATE \"C\"")
            .fetch_all(&mut *self.conn().await?)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(ProvinceRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn create_gemeente(
        &self,
        name: &str,
        province_id: ProvinceId,
    ) -> Result<GemeenteId, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO gemeenten (name, province_id) VALUES ($1, $2) RETURNING id",
        )
        .bind(name)
        .bind(province_id)
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?)
    }

    async fn gemeenten(&self) -> Result<Vec<GemeenteRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, p.id AS province_id, p.name AS province FROM gemeenten g \
             JOIN provinces p ON p.id = g.province_id ORDER BY g.name COLLATE \"C\"",
        )
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(GemeenteRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    province_id: row.try_get("province_id")?,
                    province: row.try_get("province")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn create_team(&self, name: &str, gemeente_id: GemeenteId) -> Result<TeamId, StoreError> {
        Ok(sqlx::query_scalar(
            "INSERT INTO teams (name, gemeente_id, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(name)
        .bind(gemeente_id)
        .bind(now_millis())
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?)
    }

    async fn teams(&self) -> Result<Vec<TeamRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "{TEAM_QUERY} ORDER BY g.name COLLATE \"C\", t.name COLLATE \"C\""
        ))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(team).collect::<Result<_, _>>()?)
    }

    async fn team(&self, id: TeamId) -> Result<Option<TeamRow>, StoreError> {
        let row = sqlx::query(&format!("{TEAM_QUERY} WHERE t.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|row| team(&row)).transpose()?)
    }

    async fn members(&self, team_id: TeamId) -> Result<Vec<MemberRow>, StoreError> {
        let mut conn = self.conn().await?;
        // In a transaction, what it read stays so until it commits (a change of roles reads the
        // old one for its audit line first): the team's lock, as `change_member` takes it.
        if self.source.in_transaction() {
            super::locks::team(&mut conn, team_id).await?;
        }
        let rows = sqlx::query(
            "SELECT a.id, a.email, a.name, m.role FROM memberships m \
             JOIN accounts a ON a.id = m.account_id WHERE m.team_id = $1 \
             ORDER BY a.name COLLATE \"C\", a.email COLLATE \"C\"",
        )
        .bind(team_id)
        .fetch_all(&mut *conn)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(MemberRow {
                    account_id: row.try_get("id")?,
                    email: row.try_get("email")?,
                    name: row.try_get("name")?,
                    role: role(row.try_get("role")?)?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn set_membership(
        &self,
        team_id: TeamId,
        account_id: AccountId,
        role: TeamRole,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "INSERT INTO memberships (team_id, account_id, role) VALUES ($1, $2, $3) \
             ON CONFLICT (team_id, account_id) DO UPDATE SET role = EXCLUDED.role",
            &[&team_id, &account_id, &role.code()],
        )
        .await
        .map(drop)
    }

    async fn change_member(
        &self,
        team_id: TeamId,
        account_id: AccountId,
        role: Option<TeamRole>,
    ) -> Result<MemberChange, StoreError> {
        // The member is not an aanjager, stays one, or is not the last one.
        const KEEPS_AN_AANJAGER: &str = "(role <> 'aanjager' OR $3 = 'aanjager' OR \
             (SELECT COUNT(*) FROM memberships WHERE team_id = $1 AND role = 'aanjager') > 1)";
        let sql = match role {
            Some(_) => format!(
                "UPDATE memberships SET role = $3 WHERE team_id = $1 AND account_id = $2 \
                 AND {KEEPS_AN_AANJAGER}"
            ),
            None => format!(
                "DELETE FROM memberships WHERE team_id = $1 AND account_id = $2 \
                 AND {KEEPS_AN_AANJAGER}"
            ),
        };
        let code = role.map_or("", TeamRole::code);
        // One statement is not enough on PostgreSQL: two aanjagers demoting each other at once
        // would each count the other in their own snapshot and change different rows, so both
        // would succeed. Under the team row's lock (taken before the statement, so its snapshot
        // sees the previous holder's commit) they run one after the other, as on SQLite. The
        // connection is given back before `memberships` below takes one.
        let changed = {
            let mut conn = self.conn().await?;
            let mut tx = conn.begin().await?;
            super::locks::team(&mut tx, team_id).await?;
            let changed = execute(&mut tx, &sql, &[&team_id, &account_id, &code]).await?;
            tx.commit().await?;
            changed
        };
        if changed == 1 {
            return Ok(MemberChange::Done);
        }
        let member = self.memberships(account_id).await?;
        Ok(if member.iter().any(|(team, _)| *team == team_id) {
            MemberChange::LastAanjager
        } else {
            MemberChange::NotMember
        })
    }
}
