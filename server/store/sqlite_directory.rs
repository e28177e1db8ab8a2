//! The directory on SQLite.

use async_trait::async_trait;
use sqlx::{Row, sqlite::SqliteRow};

use super::{
    SqliteStore, StoreError,
    directory::{
        AccountRow, AuditEntry, AuditRow, Directory, GemeenteRow, InvitationKind, InvitationRow,
        MemberChange, MemberRow, NamedRow, SessionRow, TeamRow, TokenRow, TokenUse,
    },
    now_millis,
};
use crate::access::policy::{ProvinceId, TeamId, TeamRole};

const ACCOUNT_COLUMNS: &str =
    "a.id, a.email, a.name, a.password_hash, a.is_beheerder, a.is_pmm, a.coach_province_id";

const TEAM_QUERY: &str = "SELECT t.id, t.name, g.name AS gemeente, p.id AS province_id, \
     p.name AS province FROM teams t JOIN gemeenten g ON g.id = t.gemeente_id \
     JOIN provinces p ON p.id = g.province_id";

/// Maps a unique violation to [`StoreError::Duplicate`].
fn unique(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
        other => other.into(),
    }
}

fn account(row: &SqliteRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        is_beheerder: row.try_get("is_beheerder")?,
        is_pmm: row.try_get("is_pmm")?,
        coach_province: row.try_get("coach_province_id")?,
    })
}

fn team(row: &SqliteRow) -> Result<TeamRow, sqlx::Error> {
    Ok(TeamRow {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        gemeente: row.try_get("gemeente")?,
        province_id: row.try_get("province_id")?,
        province: row.try_get("province")?,
    })
}

fn role(code: &str) -> Result<TeamRole, sqlx::Error> {
    TeamRole::from_code(code).ok_or_else(|| sqlx::Error::Decode(format!("role {code}").into()))
}

fn token_use(row: &SqliteRow) -> Result<TokenUse, sqlx::Error> {
    Ok(TokenUse {
        id: row.try_get("token_id")?,
        last_used_at: row.try_get("token_used")?,
        account: account(row)?,
    })
}

fn invitation(row: &SqliteRow) -> Result<InvitationRow, sqlx::Error> {
    let kind: String = row.try_get("kind")?;
    let kind = match kind.as_str() {
        "team" => {
            let team: i64 = row.try_get("team_id")?;
            let code: String = row.try_get("role")?;
            InvitationKind::Team(TeamId(team), role(&code)?)
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

impl SqliteStore {
    /// The token that `condition` (on `t`, with one `?` for `key`) names, if it still works. An id
    /// bound as text compares as the number it is: the column's INTEGER affinity applies.
    async fn working_token(
        &self,
        condition: &str,
        key: String,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT t.id AS token_id, t.last_used_at AS token_used, {ACCOUNT_COLUMNS} \
             FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
             WHERE {condition} AND t.revoked_at IS NULL AND t.expires_at > ?"
        ))
        .bind(key)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| token_use(&row)).transpose()?)
    }

    async fn one_account(
        &self,
        condition: &str,
        bind: impl ToString,
    ) -> Result<Option<AccountRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE {condition}"
        ))
        .bind(bind.to_string())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|row| account(&row)).transpose()?)
    }

    async fn execute(&self, sql: &str, binds: &[&dyn ToBind]) -> Result<u64, StoreError> {
        let mut query = sqlx::query(sql);
        for bind in binds {
            query = bind.bind_to(query);
        }
        Ok(query
            .execute(&self.pool)
            .await
            .map_err(unique)?
            .rows_affected())
    }
}

/// A value that can be bound to a query, so that simple statements take a slice of binds.
trait ToBind: Sync {
    fn bind_to<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;
}

impl ToBind for i64 {
    fn bind_to<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        query.bind(*self)
    }
}

impl ToBind for Option<i64> {
    fn bind_to<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        query.bind(*self)
    }
}

impl ToBind for &str {
    fn bind_to<'q>(
        &'q self,
        query: sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>,
    ) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
        query.bind(*self)
    }
}

#[async_trait]
impl Directory for SqliteStore {
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError> {
        let done = sqlx::query(
            "INSERT INTO accounts (email, name, password_hash, is_beheerder, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(beheerder)
        .bind(now_millis())
        .execute(&self.pool)
        .await
        .map_err(unique)?;
        Ok(AccountRow {
            id: done.last_insert_rowid(),
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: password_hash.map(str::to_owned),
            is_beheerder: beheerder,
            is_pmm: false,
            coach_province: None,
        })
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        self.one_account("a.email = ?", email).await
    }

    async fn account_by_id(&self, id: i64) -> Result<Option<AccountRow>, StoreError> {
        self.one_account("a.id = ?", id).await
    }

    async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.email"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(account).collect::<Result<_, _>>()?)
    }

    async fn set_password(&self, account_id: i64, password_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE accounts SET password_hash = ? WHERE id = ?",
            &[&password_hash, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_name(&self, account_id: i64, name: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE accounts SET name = ? WHERE id = ?",
            &[&name, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_pmm(&self, account_id: i64, pmm: bool) -> Result<(), StoreError> {
        self.execute(
            "UPDATE accounts SET is_pmm = ? WHERE id = ?",
            &[&i64::from(pmm), &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_coach(&self, account_id: i64, province: Option<i64>) -> Result<(), StoreError> {
        self.execute(
            "UPDATE accounts SET coach_province_id = ? WHERE id = ?",
            &[&province, &account_id],
        )
        .await
        .map(drop)
    }

    async fn memberships(&self, account_id: i64) -> Result<Vec<(i64, TeamRole)>, StoreError> {
        let rows = sqlx::query("SELECT team_id, role FROM memberships WHERE account_id = ?")
            .bind(account_id)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| Ok((row.try_get("team_id")?, role(row.try_get("role")?)?)))
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
        expires_at: i64,
    ) -> Result<i64, StoreError> {
        let done = sqlx::query(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(now_millis())
        .bind(expires_at)
        .execute(&self.pool)
        .await
        .map_err(unique)?;
        Ok(done.last_insert_rowid())
    }

    async fn token_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError> {
        self.working_token("t.token_hash = ?", token_hash.to_owned(), now)
            .await
    }

    async fn touch_token(&self, token_id: i64, now: i64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
            &[&now, &token_id],
        )
        .await
        .map(drop)
    }

    async fn create_ticket(
        &self,
        ticket_hash: &str,
        token_id: i64,
        canvas_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        // Tickets live a minute; whoever makes one clears the expired ones.
        sqlx::query("DELETE FROM sync_tickets WHERE expires_at <= ?")
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sync_tickets (ticket_hash, token_id, canvas_id, expires_at) \
             VALUES (?, ?, ?, ?)",
        )
        .bind(ticket_hash)
        .bind(token_id)
        .bind(canvas_id)
        .bind(expires_at)
        .execute(&mut *tx)
        .await
        .map_err(unique)?;
        tx.commit().await?;
        Ok(())
    }

    async fn redeem_ticket(
        &self,
        ticket_hash: &str,
        canvas_id: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError> {
        // The DELETE is the use: one statement, so of two uses at once exactly one gets the row.
        let token: Option<i64> = sqlx::query_scalar(
            "DELETE FROM sync_tickets WHERE ticket_hash = ? AND canvas_id = ? AND expires_at > ? \
             RETURNING token_id",
        )
        .bind(ticket_hash)
        .bind(canvas_id)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(token) = token else {
            return Ok(None);
        };
        self.working_token("t.id = ?", token.to_string(), now).await
    }

    async fn list_tokens(&self, account_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked_at, expires_at, last_used_at FROM api_tokens \
             WHERE account_id = ? ORDER BY id DESC",
        )
        .bind(account_id)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(TokenRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    created_at: row.try_get("created_at")?,
                    revoked_at: row.try_get("revoked_at")?,
                    expires_at: row.try_get("expires_at")?,
                    last_used_at: row.try_get("last_used_at")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn revoke_token(&self, account_id: i64, token_id: i64) -> Result<bool, StoreError> {
        let changed = self
            .execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? \
                 AND revoked_at IS NULL",
                &[&now_millis(), &token_id, &account_id],
            )
            .await?;
        Ok(changed == 1)
    }

    async fn revoke_tokens_of(&self, account_id: i64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
            &[&now_millis(), &account_id],
        )
        .await
        .map(drop)
    }

    async fn create_session(
        &self,
        id_hash: &str,
        account_id: i64,
        csrf_token: &str,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        self.execute(
            "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) \
             VALUES (?, ?, ?, ?, ?)",
            &[&id_hash, &account_id, &csrf_token, &now, &now],
        )
        .await
        .map(drop)
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT s.csrf_token, s.created_at AS session_created, s.last_seen_at, \
             {ACCOUNT_COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.id_hash = ? AND s.ended_at IS NULL"
        ))
        .bind(id_hash)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row
            .map(|row| {
                Ok::<_, sqlx::Error>(SessionRow {
                    account: account(&row)?,
                    csrf_token: row.try_get("csrf_token")?,
                    created_at: row.try_get("session_created")?,
                    last_seen_at: row.try_get("last_seen_at")?,
                })
            })
            .transpose()?)
    }

    async fn touch_session(&self, id_hash: &str, now: i64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
            &[&now, &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
            &[&now_millis(), &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_sessions_of(&self, account_id: i64) -> Result<(), StoreError> {
        self.execute(
            "UPDATE sessions SET ended_at = ? WHERE account_id = ? AND ended_at IS NULL",
            &[&now_millis(), &account_id],
        )
        .await
        .map(drop)
    }

    async fn sign_in_failures(&self, email: &str) -> Result<(u32, i64), StoreError> {
        let row =
            sqlx::query("SELECT failures, last_failure_at FROM sign_in_failures WHERE email = ?")
                .bind(email)
                .fetch_optional(&self.pool)
                .await?;
        Ok(row
            .map(|row| {
                Ok::<_, sqlx::Error>((
                    row.try_get::<i64, _>("failures")?.clamp(0, u32::MAX as i64) as u32,
                    row.try_get("last_failure_at")?,
                ))
            })
            .transpose()?
            .unwrap_or((0, 0)))
    }

    async fn record_sign_in_failure(&self, email: &str, now: i64) -> Result<u32, StoreError> {
        let row = sqlx::query(
            "INSERT INTO sign_in_failures (email, failures, last_failure_at) VALUES (?, 1, ?) \
             ON CONFLICT (email) DO UPDATE SET failures = failures + 1, \
             last_failure_at = excluded.last_failure_at RETURNING failures",
        )
        .bind(email)
        .bind(now)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<i64, _>("failures")?.clamp(0, u32::MAX as i64) as u32)
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        self.execute("DELETE FROM sign_in_failures WHERE email = ?", &[&email])
            .await
            .map(drop)
    }

    async fn create_province(&self, name: &str) -> Result<i64, StoreError> {
        let done = sqlx::query("INSERT INTO provinces (name) VALUES (?)")
            .bind(name)
            .execute(&self.pool)
            .await
            .map_err(unique)?;
        Ok(done.last_insert_rowid())
    }

    async fn provinces(&self) -> Result<Vec<NamedRow>, StoreError> {
        let rows = sqlx::query("SELECT id, name FROM provinces ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(NamedRow {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }

    async fn create_gemeente(&self, name: &str, province_id: i64) -> Result<i64, StoreError> {
        let done = sqlx::query("INSERT INTO gemeenten (name, province_id) VALUES (?, ?)")
            .bind(name)
            .bind(province_id)
            .execute(&self.pool)
            .await
            .map_err(unique)?;
        Ok(done.last_insert_rowid())
    }

    async fn gemeenten(&self) -> Result<Vec<GemeenteRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT g.id, g.name, p.id AS province_id, p.name AS province FROM gemeenten g \
             JOIN provinces p ON p.id = g.province_id ORDER BY g.name",
        )
        .fetch_all(&self.pool)
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

    async fn create_team(&self, name: &str, gemeente_id: i64) -> Result<i64, StoreError> {
        let done =
            sqlx::query("INSERT INTO teams (name, gemeente_id, created_at) VALUES (?, ?, ?)")
                .bind(name)
                .bind(gemeente_id)
                .bind(now_millis())
                .execute(&self.pool)
                .await
                .map_err(unique)?;
        Ok(done.last_insert_rowid())
    }

    async fn teams(&self) -> Result<Vec<TeamRow>, StoreError> {
        let rows = sqlx::query(&format!("{TEAM_QUERY} ORDER BY g.name, t.name"))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(team).collect::<Result<_, _>>()?)
    }

    async fn team(&self, id: i64) -> Result<Option<TeamRow>, StoreError> {
        let row = sqlx::query(&format!("{TEAM_QUERY} WHERE t.id = ?"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| team(&row)).transpose()?)
    }

    async fn members(&self, team_id: i64) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT a.id, a.email, a.name, m.role FROM memberships m \
             JOIN accounts a ON a.id = m.account_id WHERE m.team_id = ? ORDER BY a.name, a.email",
        )
        .bind(team_id)
        .fetch_all(&self.pool)
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
        team_id: i64,
        account_id: i64,
        role: TeamRole,
    ) -> Result<(), StoreError> {
        self.execute(
            "INSERT INTO memberships (team_id, account_id, role) VALUES (?, ?, ?) \
             ON CONFLICT (team_id, account_id) DO UPDATE SET role = excluded.role",
            &[&team_id, &account_id, &role.code()],
        )
        .await
        .map(drop)
    }

    async fn change_member(
        &self,
        team_id: i64,
        account_id: i64,
        role: Option<TeamRole>,
    ) -> Result<MemberChange, StoreError> {
        // The member is not an aanjager, stays one, or is not the last one.
        const KEEPS_AN_AANJAGER: &str = "(role != 'aanjager' OR ?3 = 'aanjager' OR \
             (SELECT COUNT(*) FROM memberships WHERE team_id = ?1 AND role = 'aanjager') > 1)";
        let sql = match role {
            Some(_) => format!(
                "UPDATE memberships SET role = ?3 WHERE team_id = ?1 AND account_id = ?2 \
                 AND {KEEPS_AN_AANJAGER}"
            ),
            None => format!(
                "DELETE FROM memberships WHERE team_id = ?1 AND account_id = ?2 \
                 AND {KEEPS_AN_AANJAGER}"
            ),
        };
        let code = role.map_or("", TeamRole::code);
        if self.execute(&sql, &[&team_id, &account_id, &code]).await? == 1 {
            return Ok(MemberChange::Done);
        }
        let member = self.memberships(account_id).await?;
        Ok(if member.iter().any(|(team, _)| *team == team_id) {
            MemberChange::LastAanjager
        } else {
            MemberChange::NotMember
        })
    }

    async fn create_invitation(&self, invitation: &InvitationRow) -> Result<(), StoreError> {
        let (kind, team, role, province) = match invitation.kind {
            InvitationKind::Team(team, role) => ("team", Some(team.0), Some(role.code()), None),
            InvitationKind::Coach(province) => ("coach", None, None, Some(province.0)),
            InvitationKind::Pmm => ("pmm", None, None, None),
            InvitationKind::Reset => ("reset", None, None, None),
        };
        sqlx::query(
            "INSERT INTO invitations (token_hash, kind, email, team_id, role, province_id, \
             created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
        .execute(&self.pool)
        .await
        .map_err(unique)?;
        Ok(())
    }

    async fn invitation(&self, token_hash: &str) -> Result<Option<InvitationRow>, StoreError> {
        let row = sqlx::query("SELECT * FROM invitations WHERE token_hash = ?")
            .bind(token_hash)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|row| invitation(&row)).transpose()?)
    }

    async fn use_invitation(&self, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let used = self
            .execute(
                "UPDATE invitations SET used_at = ? WHERE token_hash = ? AND used_at IS NULL \
                 AND expires_at > ?",
                &[&now, &token_hash, &now],
            )
            .await?;
        Ok(used == 1)
    }

    async fn open_invitations(
        &self,
        team_id: Option<i64>,
        now: i64,
    ) -> Result<Vec<InvitationRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT * FROM invitations WHERE (?1 IS NULL OR (team_id = ?1 AND kind = 'team')) \
             AND used_at IS NULL AND expires_at > ?2 ORDER BY created_at DESC",
        )
        .bind(team_id)
        .bind(now)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(invitation).collect::<Result<_, _>>()?)
    }

    async fn withdraw_invitation(&self, token_hash: &str) -> Result<bool, StoreError> {
        let deleted = self
            .execute(
                "DELETE FROM invitations WHERE token_hash = ? AND used_at IS NULL",
                &[&token_hash],
            )
            .await?;
        Ok(deleted == 1)
    }

    async fn append_audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO audit_log (at, account_id, team_id, canvas_id, event, detail) \
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(now_millis())
        .bind(entry.account_id)
        .bind(entry.team_id)
        .bind(entry.canvas_id.as_deref())
        .bind(entry.event)
        .bind(&entry.detail)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn audit_entries(
        &self,
        teams: Option<&[i64]>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, StoreError> {
        let filter = match teams {
            None => String::new(),
            Some([]) => "WHERE 0".to_owned(),
            // Team ids are integers from our own database, so they are safe to inline.
            Some(teams) => format!(
                "WHERE l.team_id IN ({})",
                teams
                    .iter()
                    .map(i64::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            ),
        };
        let rows = sqlx::query(&format!(
            "SELECT l.id, l.at, a.email AS account, t.name AS team, l.canvas_id, l.event, \
             l.detail FROM audit_log l LEFT JOIN accounts a ON a.id = l.account_id \
             LEFT JOIN teams t ON t.id = l.team_id {filter} ORDER BY l.id DESC LIMIT ?"
        ))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(AuditRow {
                    id: row.try_get("id")?,
                    at: row.try_get("at")?,
                    account: row.try_get("account")?,
                    team: row.try_get("team")?,
                    canvas_id: row.try_get("canvas_id")?,
                    event: row.try_get("event")?,
                    detail: row.try_get("detail")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()?)
    }
}
