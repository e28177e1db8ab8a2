//! Accounts, their tokens and WebSocket tickets, sessions and failed sign-ins on SQLite.

use async_trait::async_trait;
use sqlx::{Connection, Row, SqliteConnection, sqlite::SqliteRow};

use super::{
    Source, Sqlite,
    query::{execute, unique},
};
use crate::ids::{AccountId, ProvinceId, TokenId};
use crate::store::{
    StoreError,
    accounts::{AccountRow, Accounts, SessionRow, TokenRow, TokenUse},
    now_millis,
};

const ACCOUNT_COLUMNS: &str =
    "a.id, a.email, a.name, a.password_hash, a.is_beheerder, a.is_pmm, a.coach_province_id";

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

fn token_use(row: &SqliteRow) -> Result<TokenUse, sqlx::Error> {
    Ok(TokenUse {
        id: row.try_get("token_id")?,
        last_used_at: row.try_get("token_used")?,
        account: account(row)?,
    })
}

/// The token that `condition` (on `t`, with one `?` for `key`) names, if it still works. An id
/// bound as text compares as the number it is: the column's INTEGER affinity applies.
pub(super) async fn working_token(
    conn: &mut SqliteConnection,
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
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| token_use(&row)).transpose()?)
}

async fn one_account(
    conn: &mut SqliteConnection,
    condition: &str,
    bind: impl ToString,
) -> Result<Option<AccountRow>, StoreError> {
    let row = sqlx::query(&format!(
        "SELECT {ACCOUNT_COLUMNS} FROM accounts a WHERE {condition}"
    ))
    .bind(bind.to_string())
    .fetch_optional(conn)
    .await?;
    Ok(row.map(|row| account(&row)).transpose()?)
}

#[async_trait]
impl<S: Source> Accounts for Sqlite<S> {
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
        .execute(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(AccountRow {
            id: AccountId(done.last_insert_rowid()),
            email: email.to_owned(),
            name: name.to_owned(),
            password_hash: password_hash.map(str::to_owned),
            is_beheerder: beheerder,
            is_pmm: false,
            coach_province: None,
        })
    }

    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        one_account(&mut *self.conn().await?, "a.email = ?", email).await
    }

    async fn account_by_id(&self, id: AccountId) -> Result<Option<AccountRow>, StoreError> {
        one_account(&mut *self.conn().await?, "a.id = ?", id).await
    }

    async fn list_accounts(&self) -> Result<Vec<AccountRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts a ORDER BY a.email"
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
            "UPDATE accounts SET password_hash = ? WHERE id = ?",
            &[&password_hash, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_name(&self, account_id: AccountId, name: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET name = ? WHERE id = ?",
            &[&name, &account_id],
        )
        .await
        .map(drop)
    }

    async fn set_pmm(&self, account_id: AccountId, pmm: bool) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE accounts SET is_pmm = ? WHERE id = ?",
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
            "UPDATE accounts SET coach_province_id = ? WHERE id = ?",
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
        let done = sqlx::query(
            "INSERT INTO api_tokens (account_id, name, token_hash, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(account_id)
        .bind(name)
        .bind(token_hash)
        .bind(now)
        .bind(now.saturating_add(lifetime_ms))
        .execute(&mut *self.conn().await?)
        .await
        .map_err(unique)?;
        Ok(TokenId(done.last_insert_rowid()))
    }

    async fn token_account(
        &self,
        token_hash: &str,
        now: i64,
    ) -> Result<Option<TokenUse>, StoreError> {
        working_token(
            &mut *self.conn().await?,
            "t.token_hash = ?",
            token_hash.to_owned(),
            now,
        )
        .await
    }

    async fn touch_token(&self, token_id: TokenId, now: i64) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
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
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(token) = token else {
            return Ok(None);
        };
        working_token(&mut *self.conn().await?, "t.id = ?", token.to_string(), now).await
    }

    async fn list_tokens(&self, account_id: AccountId) -> Result<Vec<TokenRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, name, created_at, revoked_at, expires_at, last_used_at FROM api_tokens \
             WHERE account_id = ? ORDER BY id DESC",
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
            "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND account_id = ? \
                 AND revoked_at IS NULL",
            &[&now_millis(), &token_id, &account_id],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn revoke_tokens_of(&self, account_id: AccountId) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE api_tokens SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL",
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
            "UPDATE sessions SET last_seen_at = ? WHERE id_hash = ?",
            &[&now, &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_session(&self, id_hash: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "UPDATE sessions SET ended_at = ? WHERE id_hash = ? AND ended_at IS NULL",
            &[&now_millis(), &id_hash],
        )
        .await
        .map(drop)
    }

    async fn end_sessions_of(&self, account_id: AccountId) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
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
        let row = sqlx::query(
            "INSERT INTO sign_in_failures (email, failures, last_failure_at) VALUES (?, 1, ?) \
             ON CONFLICT (email) DO UPDATE SET failures = failures + 1, \
             last_failure_at = excluded.last_failure_at RETURNING failures",
        )
        .bind(email)
        .bind(now)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(row.try_get::<i64, _>("failures")?.clamp(0, u32::MAX as i64) as u32)
    }

    async fn clear_sign_in_failures(&self, email: &str) -> Result<(), StoreError> {
        execute(
            &mut *self.conn().await?,
            "DELETE FROM sign_in_failures WHERE email = ?",
            &[&email],
        )
        .await
        .map(drop)
    }
}
