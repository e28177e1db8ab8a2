//! Accounts, their tokens and WebSocket tickets, sessions and failed sign-ins on PostgreSQL.
//!
//! E-mail addresses are compared with a plain `=`, as on SQLite: the callers trim and lowercase
//! them in Rust (`crate::text::email`, `normalize_email`) and the column holds them so, so the
//! comparison is byte for byte on both backends (no `COLLATE NOCASE`, no `lower()` here).

use async_trait::async_trait;
use sqlx::{Connection, PgConnection, Row, postgres::PgRow};

use super::{
    Postgres, Source,
    query::{ToBind, execute, flag, unique},
};
use crate::ids::{AccountId, ProvinceId, TokenId};
use crate::store::{
    StoreError,
    accounts::{AccountRow, Accounts, SessionRow, SignInTurn, TokenRow, TokenUse},
    now_millis,
};

const ACCOUNT_COLUMNS: &str =
    "a.id, a.email, a.name, a.password_hash, a.is_beheerder, a.is_pmm, a.coach_province_id";

fn account(row: &PgRow) -> Result<AccountRow, sqlx::Error> {
    Ok(AccountRow {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        password_hash: row.try_get("password_hash")?,
        // BIGINT 0/1 flags: PostgreSQL does not decode them as bool.
        is_beheerder: flag(row, "is_beheerder")?,
        is_pmm: flag(row, "is_pmm")?,
        coach_province: row.try_get("coach_province_id")?,
    })
}

fn token_use(row: &PgRow) -> Result<TokenUse, sqlx::Error> {
    Ok(TokenUse {
        id: row.try_get("token_id")?,
        last_used_at: row.try_get("token_used")?,
        account: account(row)?,
    })
}

/// The token that `condition` (on `t`, with one `$1` for `key`) names, if it still works. `key`
/// is bound as TEXT: PostgreSQL has no column affinity to turn it into a number, so a condition
/// on the id casts it (`t.id = $1::bigint`).
pub(super) async fn working_token(
    conn: &mut PgConnection,
    condition: &str,
    key: String,
    now: i64,
) -> Result<Option<TokenUse>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT t.id AS token_id, t.last_used_at AS token_used, {ACCOUNT_COLUMNS} \
         FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
         WHERE {condition} AND t.revoked_at IS NULL AND t.expires_at > $2"
    ))
    .bind(key)
    .bind(now)
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| token_use(&row)).transpose()?)
}

/// The account that `condition` (on `a`, with one `$1`) names. The key is bound with its own
/// type (TEXT for the e-mail address, BIGINT for the id) rather than as text as on SQLite:
/// PostgreSQL does not compare a BIGINT column with a TEXT parameter.
async fn one_account(
    conn: &mut PgConnection,
    condition: &str,
    key: &dyn ToBind,
) -> Result<Option<AccountRow>, StoreError> {
    let sql = format!("SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE {condition}");
    let row = key.bind_to(sqlx::query(&sql)).fetch_optional(conn).await?;
    Ok(row.map(|row| account(&row)).transpose()?)
}

#[async_trait]
impl<S: Source> Accounts for Postgres<S> {
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError> {
        // No last_insert_rowid() on PostgreSQL: the id comes back through RETURNING.
        let id: AccountId = sqlx::query_scalar(
            "INSERT INTO accounts (email, name, password_hash, is_beheerder, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(email)
        .bind(name)
        .bind(password_hash)
        .bind(i64::from(beheerder))
        .bind(now_millis())
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(AccountRow {
            id,
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: password_hash.map(str::to_owned),
            is_beheerder: beheerder,
            is_pmm: false,
            coach_province: None,
        })
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        one_account(&mut *self.conn().await?, "a.email = $1", &email).await
    }

    async fn account_by_id(&self, id: AccountId) -> Result<Option<AccountRow>, StoreError> {
        one_account(&mut *self.conn().await?, "a.id = $1", &id).await
    }

    async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        // COLLATE "C": SQLite's byte order, whatever the database's collation.
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.email COLLATE \"C\""
        ))
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.iter().map(account).collect::<Result<_, _>>()?)
    }

    async fn set_password(
        &self,
        account_id: AccountId,
        password_hash: &str,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET password_hash = $1 WHERE id = $2",
            &[&password_hash, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_name(&self, account_id: AccountId, name: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET name = $1 WHERE id = $2",
            &[&name, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_pmm(&self, account_id: AccountId, pmm: bool) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET is_pmm = $1 WHERE id = $2",
            &[&i64::from(pmm), &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_coach(
        &self,
        account_id: AccountId,
        province: Option<ProvinceId>,
    ) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET coach_province_id = $1 WHERE id = $2",
            &[&province, &account_id],
        )
        .await
        .map(drop)
    }

    async fn create_token(
        &self,
        account_id: AccountId,
        name: &str,
        token_hash: &str,
        lifetime_ms: i64,
    ) -> Result<TokenId, StoreError> {
        let now = now_millis();
        let id: TokenId = sqlx::query_scalar(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(now.saturating_add(lifetime_ms))
        .fetch_one(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(id)
    }

    async fn token_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError> {
        working_token(
            &mut *self.conn().await?,
            "t.token_hash = $1",
            token_hash.to_owned(),
            now,
        )
        .await
    }

    async fn touch_token(&self, token_id: TokenId, now: i64) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            &[&now, &token_id],
        )
        .await
        .map(drop)
    }

    async fn create_ticket(
        &self,
        ticket_hash: &str,
        token_id: TokenId,
        canvas_id: &str,
        expires_at: i64,
    ) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // Tickets live a minute; whoever makes one clears the expired ones.
        sqlx::query("DELETE FROM sync_tickets WHERE expires_at <= $1")
            .bind(now_millis())
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "INSERT INTO sync_tickets (ticket_hash, token_id, canvas_id, expires_at) \
             VALUES ($1, $2, $3, $4)",
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
        // On PostgreSQL too: the second DELETE waits for the first's row lock, then finds the row
        // gone and returns nothing.
        let token: Option<i64> = sqlx::query_scalar(
            "DELETE FROM sync_tickets WHERE ticket_hash = $1 AND canvas_id = $2 \
             AND expires_at > $3 RETURNING token_id",
        )
        .bind(ticket_hash)
        .bind(canvas_id)
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(token) = token else {
            return Ok(None);
        };
        working_token(
            &mut *self.conn().await?,
            "t.id = $1::bigint",
            token.to_string(),
            now,
        )
        .await
    }

    async fn list_tokens(&self, account_id: AccountId) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked_at, expires_at, last_used_at FROM api_tokens \
             WHERE account_id = $1 ORDER BY id DESC",
        )
        .bind(account_id)
        .fetch_all(&mut *self.conn().await?)
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

    async fn revoke_token(
        &self,
        account_id: AccountId,
        token_id: TokenId,
    ) -> Result<bool, StoreError> {
        let changed = execute(
            &mut *self.conn().await?,
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND account_id = $3 \
                 AND revoked_at IS NULL",
            &[&now_millis(), &token_id, &account_id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn revoke_tokens_of(&self, account_id: AccountId) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE api_tokens SET revoked_at = $1 WHERE account_id = $2 AND revoked_at IS NULL",
            &[&now_millis(), &account_id],
        )
        .await
        .map(drop)
    }

    async fn create_session(
        &self,
        id_hash: &str,
        account_id: AccountId,
        csrf_token: &str,
    ) -> Result<(), StoreError> {
        let now = now_millis();
        execute(
            &mut *self.conn().await?,
            "INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) \
             VALUES ($1, $2, $3, $4, $5)",
            &[&id_hash, &account_id, &csrf_token, &now, &now],
        )
        .await
        .map(drop)
    }

    async fn session(&self, id_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT s.csrf_token, s.created_at AS session_created, s.last_seen_at, \
             {ACCOUNT_COLUMNS} FROM sessions s JOIN accounts a ON a.id = s.account_id \
             WHERE s.id_hash = $1 AND s.ended_at IS NULL"
        ))
        .bind(id_hash)
        .fetch_optional(&mut *self.conn().await?)
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
        execute(
            &mut *self.conn().await?,
            "UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2",
            &[&now, &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE sessions SET ended_at = $1 WHERE id_hash = $2 AND ended_at IS NULL",
            &[&now_millis(), &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_sessions_of(&self, account_id: AccountId) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE sessions SET ended_at = $1 WHERE account_id = $2 AND ended_at IS NULL",
            &[&now_millis(), &account_id],
        )
        .await
        .map(drop)
    }

    async fn sign_in_failures(&self, email: &str) -> Result<(u32, i64), StoreError> {
        let row =
            sqlx::query("SELECT failures, last_failure_at FROM sign_in_failures WHERE email = $1")
                .bind(email)
                .fetch_optional(&mut *self.conn().await?)
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
        // One upsert that increments: atomic on PostgreSQL too. Of parallel failures for one
        // address, one inserts and the others, blocked on the unique index until it commits, take
        // the conflict branch on the row as it then is (and lock it), so twenty at once count
        // twenty.
        let row = sqlx::query(
            "INSERT INTO sign_in_failures (email, failures, last_failure_at) VALUES ($1, 1, $2) \
             ON CONFLICT (email) DO UPDATE SET failures = sign_in_failures.failures + 1, \
             last_failure_at = EXCLUDED.last_failure_at RETURNING failures",
        )
        .bind(email)
        .bind(now)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(row.try_get::<i64, _>("failures")?.clamp(0, u32::MAX as i64) as u32)
    }

    async fn sign_in_turn(&self, key: &str) -> Result<SignInTurn, StoreError> {
        let pool = self
            .source
            .turns()
            .ok_or(StoreError::Inconsistent("a sign-in inside a transaction"))?;
        let held = super::locks::sign_in_turn(pool, key).await?;
        Ok(SignInTurn::holding(held))
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "DELETE FROM sign_in_failures WHERE email = $1",
            &[&email],
        )
        .await
        .map(drop)
    }
}
