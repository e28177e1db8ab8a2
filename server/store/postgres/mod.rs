//! The PostgreSQL backend (issue 14), under construction. What stands: its schema, the
//! migrations in `migrations/postgres/` (embedded in the binary and run when it connects, like
//! SQLite's), held to the SQLite schema table by table and column by column by a test against a
//! real PostgreSQL (`tests/api/postgres.rs`). What does not yet: the storage interfaces on it,
//! so [`crate::store::open`] still refuses a `postgres://` URL with that reason.

use std::time::Duration;

use sqlx::{PgPool, postgres::PgPoolOptions};

use super::StoreError;

/// Connects to the database `url` names and brings its schema up to date.
pub async fn connect(url: &str) -> Result<PgPool, StoreError> {
    let pool = PgPoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}
