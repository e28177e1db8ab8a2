//! What the PostgreSQL queries of several aggregates share: simple statements with a slice of
//! binds, and the mapping of errors and codes (as `sqlite/query.rs`).

use sqlx::PgConnection;

use crate::{
    access::policy::TeamRole,
    ids::{
        AccountId, ActionItemId, AgendaItemId, CommentId, EntryId, EscalationId, MeetingId,
        ProvinceId, TeamId, TokenId, VersionId,
    },
    store::StoreError,
};

/// Maps a unique violation to [`StoreError::Duplicate`].
pub(super) fn unique(error: sqlx::Error) -> StoreError {
    match error {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Duplicate,
        other => other.into(),
    }
}

pub(super) fn role(code: &str) -> Result<TeamRole, sqlx::Error> {
    TeamRole::from_code(code).ok_or_else(|| sqlx::Error::Decode(format!("role {code}").into()))
}

/// A column of comma-separated codes (the leefgebieden of a canvas) as a list.
pub(super) fn codes(row: &sqlx::postgres::PgRow, column: &str) -> Result<Vec<String>, sqlx::Error> {
    use sqlx::Row;
    Ok(row
        .try_get::<String, _>(column)?
        .split(',')
        .filter(|code| !code.is_empty())
        .map(str::to_owned)
        .collect())
}

/// A 0/1 flag column (BIGINT, as on SQLite) as a bool.
pub(super) fn flag(row: &sqlx::postgres::PgRow, column: &str) -> Result<bool, sqlx::Error> {
    use sqlx::Row;
    Ok(row.try_get::<i64, _>(column)? != 0)
}

/// Runs one statement (with `$1`, `$2`, … placeholders); returns the rows it changed.
pub(super) async fn execute(
    conn: &mut PgConnection,
    sql: &str,
    binds: &[&dyn ToBind],
) -> Result<u64, StoreError> {
    let mut query = sqlx::query(sql);
    for bind in binds {
        query = bind.bind_to(query);
    }
    Ok(query.execute(conn).await.map_err(unique)?.rows_affected())
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

/// A value that can be bound to a query, so that simple statements take a slice of binds.
pub(super) trait ToBind: Sync {
    fn bind_to<'q>(&'q self, query: Query<'q>) -> Query<'q>;
}

/// Values that are bound by copy: integers and the typed ids, with or without a value.
macro_rules! bind_by_copy {
    ($($ty:ty),*) => {$(
        impl ToBind for $ty {
            fn bind_to<'q>(&'q self, query: Query<'q>) -> Query<'q> {
                query.bind(*self)
            }
        }

        impl ToBind for Option<$ty> {
            fn bind_to<'q>(&'q self, query: Query<'q>) -> Query<'q> {
                query.bind(*self)
            }
        }
    )*};
}

bind_by_copy!(
    i32,
    i64,
    VersionId,
    AccountId,
    TeamId,
    ProvinceId,
    TokenId,
    EscalationId,
    MeetingId,
    AgendaItemId,
    ActionItemId,
    CommentId,
    EntryId
);

impl ToBind for &str {
    fn bind_to<'q>(&'q self, query: Query<'q>) -> Query<'q> {
        query.bind(*self)
    }
}

impl ToBind for Option<&str> {
    fn bind_to<'q>(&'q self, query: Query<'q>) -> Query<'q> {
        query.bind(*self)
    }
}
