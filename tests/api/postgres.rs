//! The PostgreSQL backend (issue 14) against the real PostgreSQL of the test command: its
//! migrations apply to an empty database, and give the same tables, columns (in order) and
//! indexes as SQLite's, so that every query can later be the same on both.

use std::collections::BTreeMap;

use doorbraak::store;
use sqlx::Row;

use crate::helpers::*;

type Schema = BTreeMap<String, Vec<String>>;

/// The SQLite schema the migrations make: tables with their columns, and the index names. The
/// learning archive's FTS5 table is one table (its shadow tables are SQLite's own), which on
/// PostgreSQL is a plain table with a GIN index on its stems.
async fn sqlite_schema() -> (Schema, Vec<String>) {
    let folder = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}/db.sqlite", folder.path().display());
    let db = store::SqliteStore::open(&url).await.expect("SQLite");
    let pool = db.pool();
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '_sqlx%' ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let virtual_tables: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'",
    )
    .fetch_all(pool)
    .await
    .expect("virtual tables");
    let mut schema = Schema::new();
    for table in tables {
        let shadow = virtual_tables
            .iter()
            .any(|v| table != *v && table.starts_with(&format!("{v}_")));
        if shadow {
            continue;
        }
        let mut columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(&table)
                .fetch_all(pool)
                .await
                .expect("columns");
        // An FTS5 table's hidden rowid (the archive entry's id, which the queries name) is a
        // real first column on PostgreSQL.
        if virtual_tables.contains(&table) {
            columns.insert(0, "rowid".to_owned());
        }
        schema.insert(table, columns);
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    (schema, indexes)
}

async fn postgres_schema(pool: &sqlx::PgPool) -> (Schema, Vec<String>) {
    let rows = sqlx::query(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND table_name NOT LIKE '\\_sqlx%' \
         ORDER BY table_name, ordinal_position",
    )
    .fetch_all(pool)
    .await
    .expect("columns");
    let mut schema = Schema::new();
    for row in rows {
        let table: String = row.get(0);
        schema.entry(table).or_default().push(row.get(1));
    }
    let indexes: Vec<String> = sqlx::query_scalar(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = 'public' ORDER BY indexname",
    )
    .fetch_all(pool)
    .await
    .expect("indexes");
    (schema, indexes)
}

#[tokio::test]
async fn the_postgres_schema_has_every_table_column_and_index_of_sqlite() {
    let database = TestPostgres::new().await;
    let pool = store::postgres::connect(&database.url)
        .await
        .expect("migrations apply to an empty PostgreSQL database");
    let (sqlite, sqlite_indexes) = sqlite_schema().await;
    let (postgres, postgres_indexes) = postgres_schema(&pool).await;
    assert!(sqlite.len() > 30, "the SQLite schema was read: {sqlite:?}");
    for (table, columns) in &sqlite {
        assert_eq!(
            postgres.get(table),
            Some(columns),
            "table {table}: SQLite has {columns:?}"
        );
    }
    let extra: Vec<&String> = postgres
        .keys()
        .filter(|t| !sqlite.contains_key(*t))
        .collect();
    assert!(extra.is_empty(), "tables only PostgreSQL has: {extra:?}");
    for index in &sqlite_indexes {
        assert!(
            postgres_indexes.contains(index),
            "index {index} is missing on PostgreSQL"
        );
    }
    // Connecting again finds the schema current and changes nothing.
    pool.close().await;
    let again = store::postgres::connect(&database.url)
        .await
        .expect("reconnect");
    assert_eq!(postgres_schema(&again).await.0, postgres);
    again.close().await;
}
