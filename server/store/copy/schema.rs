//! What `doorbraak copy` copies: the tables of the PostgreSQL schema with their columns and
//! types, read from PostgreSQL's catalog and held against the SQLite schema (the same tables
//! with the same columns, or nothing is copied), in an order that inserts every row after the
//! rows it refers to.
//!
//! Nothing here names a table: both schemas are read as they are, so a migration that adds a
//! table or a column on both backends is copied without a change here.

use std::collections::{BTreeMap, BTreeSet};

use sqlx::{PgConnection, SqlitePool};

use crate::store::StoreError;

/// How a column's values are read from SQLite and bound for PostgreSQL, from the PostgreSQL
/// column's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    BigInt,
    Integer,
    SmallInt,
    Boolean,
    Double,
    Real,
    Text,
    Bytes,
}

impl Kind {
    /// The kind of a type as `information_schema.columns.data_type` names it; `None` for a type
    /// the copy does not know (the schema has BIGINT, TEXT and BYTEA only).
    fn of(data_type: &str) -> Option<Kind> {
        Some(match data_type {
            "bigint" => Kind::BigInt,
            "integer" => Kind::Integer,
            "smallint" => Kind::SmallInt,
            "boolean" => Kind::Boolean,
            "double precision" => Kind::Double,
            "real" => Kind::Real,
            "text" | "character varying" | "character" => Kind::Text,
            "bytea" => Kind::Bytes,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone)]
pub(super) struct Column {
    pub name: String,
    pub kind: Kind,
}

/// One table to copy.
#[derive(Debug, Clone)]
pub(super) struct Table {
    pub name: String,
    /// In the order of the PostgreSQL table.
    pub columns: Vec<Column>,
    /// The primary key's columns (empty when the table has none).
    pub primary_key: Vec<String>,
    /// Columns inserted as NULL and set once every table is in: foreign keys that close a
    /// circle (a table referring to itself, or two tables referring to each other).
    pub deferred: BTreeSet<String>,
    /// Whether the table has triggers of its own (not those of its constraints).
    pub has_triggers: bool,
}

/// A column whose values come from a sequence (an identity or serial column).
#[derive(Debug, Clone)]
pub(super) struct Sequence {
    pub table: String,
    pub column: String,
    pub sequence: String,
}

/// The tables of the PostgreSQL schema in the order to insert them, and their sequences.
#[derive(Debug, Clone)]
pub(super) struct Plan {
    pub tables: Vec<Table>,
    pub sequences: Vec<Sequence>,
}

/// A foreign key: `table (columns)` refers to `references`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct ForeignKey {
    table: String,
    columns: Vec<String>,
    references: String,
}

/// `name` as a quoted SQL identifier (for both databases).
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// The application's tables in PostgreSQL's `public` schema (all but sqlx's own).
pub(super) async fn postgres_table_names(
    conn: &mut PgConnection,
) -> Result<Vec<String>, StoreError> {
    Ok(sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public' \
         AND tablename <> '_sqlx_migrations' ORDER BY tablename",
    )
    .fetch_all(conn)
    .await?)
}

/// The tables of the SQLite database with their columns: every table but SQLite's and sqlx's
/// own and the shadow tables of its full-text (FTS5) tables; a full-text table's hidden rowid,
/// which the queries name and PostgreSQL has as a real column, comes first.
pub(super) async fn sqlite_tables(
    pool: &SqlitePool,
) -> Result<BTreeMap<String, Vec<String>>, StoreError> {
    let tables: Vec<(String, Option<String>)> = sqlx::query_as(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' \
         ESCAPE '\\' AND name <> '_sqlx_migrations' ORDER BY name",
    )
    .fetch_all(pool)
    .await?;
    let virtual_tables: Vec<&str> = tables
        .iter()
        .filter(|(_, sql)| {
            sql.as_deref()
                .is_some_and(|s| s.to_ascii_uppercase().starts_with("CREATE VIRTUAL TABLE"))
        })
        .map(|(name, _)| name.as_str())
        .collect();
    // FTS5 keeps its index in these tables of its own; they are rebuilt from the rows.
    const SHADOW: [&str; 5] = ["_data", "_idx", "_content", "_docsize", "_config"];
    let shadow = |name: &str| {
        virtual_tables.iter().any(|v| {
            name.strip_prefix(v)
                .is_some_and(|rest| SHADOW.contains(&rest))
        })
    };
    let mut out = BTreeMap::new();
    for (name, _) in tables.iter().filter(|(name, _)| !shadow(name)) {
        let mut columns: Vec<String> =
            sqlx::query_scalar("SELECT name FROM pragma_table_info(?) ORDER BY cid")
                .bind(name)
                .fetch_all(pool)
                .await?;
        if virtual_tables.contains(&name.as_str()) {
            columns.insert(0, "rowid".to_owned());
        }
        out.insert(name.clone(), columns);
    }
    Ok(out)
}

/// Reads the PostgreSQL schema, holds it against SQLite's and orders it for inserting.
pub(super) async fn plan(
    conn: &mut PgConnection,
    sqlite: &BTreeMap<String, Vec<String>>,
) -> Result<Plan, StoreError> {
    let columns: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT c.table_name::text, c.column_name::text, c.data_type::text \
         FROM information_schema.columns c JOIN pg_tables t \
         ON t.schemaname = c.table_schema AND t.tablename = c.table_name \
         WHERE c.table_schema = 'public' AND c.table_name <> '_sqlx_migrations' \
         ORDER BY c.table_name, c.ordinal_position",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut tables: BTreeMap<String, Table> = BTreeMap::new();
    let mut unknown = Vec::new();
    for (table, column, data_type) in columns {
        let entry = tables.entry(table.clone()).or_insert_with(|| Table {
            name: table.clone(),
            columns: Vec::new(),
            primary_key: Vec::new(),
            deferred: BTreeSet::new(),
            has_triggers: false,
        });
        match Kind::of(&data_type) {
            Some(kind) => entry.columns.push(Column { name: column, kind }),
            None => unknown.push(format!("{table}.{column} ({data_type})")),
        }
    }
    differences(sqlite, &tables)?;
    if !unknown.is_empty() {
        return Err(StoreError::CopyUnsupported(format!(
            "kolommen van een type dat doorbraak copy niet kent: {}",
            unknown.join(", ")
        )));
    }

    let keys: Vec<(String, Vec<String>)> = sqlx::query_as(
        "SELECT t.relname::text, array_agg(a.attname::text ORDER BY k.ord) \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
         WHERE c.contype = 'p' AND t.relnamespace = 'public'::regnamespace \
         GROUP BY c.oid, t.relname",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (table, columns) in keys {
        if let Some(t) = tables.get_mut(&table) {
            t.primary_key = columns;
        }
    }
    let foreign: Vec<(String, Vec<String>, String)> = sqlx::query_as(
        "SELECT t.relname::text, array_agg(a.attname::text ORDER BY k.ord), r.relname::text \
         FROM pg_constraint c JOIN pg_class t ON t.oid = c.conrelid \
         JOIN pg_class r ON r.oid = c.confrelid \
         CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum \
         WHERE c.contype = 'f' AND t.relnamespace = 'public'::regnamespace \
         GROUP BY c.oid, t.relname, r.relname",
    )
    .fetch_all(&mut *conn)
    .await?;
    let foreign: Vec<ForeignKey> = foreign
        .into_iter()
        .map(|(table, columns, references)| ForeignKey {
            table,
            columns,
            references,
        })
        .collect();
    let nullable: BTreeSet<(String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = 'public' AND is_nullable = 'YES'",
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .collect();
    let triggered: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT c.relname::text FROM pg_trigger g JOIN pg_class c ON c.oid = g.tgrelid \
         WHERE NOT g.tgisinternal AND c.relnamespace = 'public'::regnamespace",
    )
    .fetch_all(&mut *conn)
    .await?;
    for table in triggered {
        if let Some(t) = tables.get_mut(&table) {
            t.has_triggers = true;
        }
    }
    let sequences: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT table_name::text, column_name::text, s::text FROM ( \
         SELECT table_name, column_name, \
         pg_get_serial_sequence(quote_ident(table_name), column_name) AS s \
         FROM information_schema.columns WHERE table_schema = 'public' \
         AND table_name <> '_sqlx_migrations') c WHERE s IS NOT NULL ORDER BY 1, 2",
    )
    .fetch_all(&mut *conn)
    .await?;
    let sequences = sequences
        .into_iter()
        .map(|(table, column, sequence)| Sequence {
            table,
            column,
            sequence,
        })
        .collect();

    let order = insert_order(&tables, &foreign, &nullable)?;
    let mut ordered = Vec::with_capacity(order.len());
    for (name, deferred) in order {
        if let Some(mut table) = tables.remove(&name) {
            if !deferred.is_empty() && table.primary_key.is_empty() {
                return Err(StoreError::CopyUnsupported(format!(
                    "tabel {name} verwijst in een kring naar andere rijen en heeft geen \
                     primaire sleutel"
                )));
            }
            table.deferred = deferred;
            ordered.push(table);
        }
    }
    Ok(Plan {
        tables: ordered,
        sequences,
    })
}

/// Refuses two schemas that differ in a table or a column (a name is enough: the values are
/// read by name and bound by PostgreSQL's type).
fn differences(
    sqlite: &BTreeMap<String, Vec<String>>,
    postgres: &BTreeMap<String, Table>,
) -> Result<(), StoreError> {
    let mut found = Vec::new();
    for (table, columns) in sqlite {
        let Some(twin) = postgres.get(table) else {
            found.push(format!("tabel {table} alleen in SQLite"));
            continue;
        };
        let theirs: BTreeSet<&str> = twin.columns.iter().map(|c| c.name.as_str()).collect();
        let ours: BTreeSet<&str> = columns.iter().map(String::as_str).collect();
        for column in ours.difference(&theirs) {
            found.push(format!("kolom {table}.{column} alleen in SQLite"));
        }
        for column in theirs.difference(&ours) {
            found.push(format!("kolom {table}.{column} alleen in PostgreSQL"));
        }
    }
    for table in postgres.keys().filter(|t| !sqlite.contains_key(*t)) {
        found.push(format!("tabel {table} alleen in PostgreSQL"));
    }
    if found.is_empty() {
        Ok(())
    } else {
        Err(StoreError::CopySchemaMismatch(found.join("; ")))
    }
}

/// The tables in an order in which each comes after the tables it refers to, with per table the
/// columns to set afterwards. A circle of foreign keys (a table referring to itself, or
/// meetings and their agenda items referring to each other) has no such order: it is broken at
/// a foreign key whose columns may be NULL, which is then inserted as NULL and set once every
/// row is in. Among the tables that may go next, the first by name goes, so the order is the
/// same on every run.
fn insert_order(
    tables: &BTreeMap<String, Table>,
    foreign: &[ForeignKey],
    nullable: &BTreeSet<(String, String)>,
) -> Result<Vec<(String, BTreeSet<String>)>, StoreError> {
    let may_be_null = |key: &ForeignKey| {
        key.columns
            .iter()
            .all(|c| nullable.contains(&(key.table.clone(), c.clone())))
    };
    let mut deferred: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut edges: BTreeSet<ForeignKey> = BTreeSet::new();
    for key in foreign {
        if !tables.contains_key(&key.table) || !tables.contains_key(&key.references) {
            continue;
        }
        if key.table == key.references {
            if !may_be_null(key) {
                return Err(StoreError::CopyUnsupported(format!(
                    "tabel {} verwijst naar zichzelf met een verplichte kolom",
                    key.table
                )));
            }
            deferred
                .entry(key.table.clone())
                .or_default()
                .extend(key.columns.iter().cloned());
        } else {
            edges.insert(key.clone());
        }
    }
    let mut remaining: BTreeSet<String> = tables.keys().cloned().collect();
    let mut order = Vec::with_capacity(remaining.len());
    while !remaining.is_empty() {
        let blocked = |table: &String, edges: &BTreeSet<ForeignKey>| {
            edges
                .iter()
                .any(|e| e.table == *table && remaining.contains(&e.references))
        };
        if let Some(next) = remaining.iter().find(|t| !blocked(t, &edges)).cloned() {
            remaining.remove(&next);
            let columns = deferred.remove(&next).unwrap_or_default();
            order.push((next, columns));
            continue;
        }
        // Every remaining table waits for another: break a circle at a key that may be NULL.
        let on_circle = |key: &ForeignKey| reaches(&edges, &remaining, &key.references, &key.table);
        let Some(key) = edges
            .iter()
            .find(|k| remaining.contains(&k.table) && may_be_null(k) && on_circle(k))
            .cloned()
        else {
            return Err(StoreError::CopyUnsupported(format!(
                "de tabellen {} verwijzen in een kring naar elkaar met verplichte kolommen",
                remaining.iter().cloned().collect::<Vec<_>>().join(", ")
            )));
        };
        edges.remove(&key);
        deferred
            .entry(key.table.clone())
            .or_default()
            .extend(key.columns);
    }
    Ok(order)
}

/// Whether `to` can be reached from `from` along `edges` among the `remaining` tables.
fn reaches(
    edges: &BTreeSet<ForeignKey>,
    remaining: &BTreeSet<String>,
    from: &str,
    to: &str,
) -> bool {
    let mut seen = BTreeSet::new();
    let mut stack = vec![from.to_owned()];
    while let Some(table) = stack.pop() {
        if table == to {
            return true;
        }
        if !seen.insert(table.clone()) {
            continue;
        }
        stack.extend(
            edges
                .iter()
                .filter(|e| e.table == table && remaining.contains(&e.references))
                .map(|e| e.references.clone()),
        );
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> (String, Table) {
        (
            name.to_owned(),
            Table {
                name: name.to_owned(),
                columns: Vec::new(),
                primary_key: vec!["id".to_owned()],
                deferred: BTreeSet::new(),
                has_triggers: false,
            },
        )
    }

    fn key(table: &str, column: &str, references: &str) -> ForeignKey {
        ForeignKey {
            table: table.to_owned(),
            columns: vec![column.to_owned()],
            references: references.to_owned(),
        }
    }

    #[test]
    fn referred_tables_come_first_and_circles_break_at_a_nullable_key() {
        let tables: BTreeMap<String, Table> =
            ["agenda_items", "comments", "meetings", "teams", "versions"]
                .into_iter()
                .map(table)
                .collect();
        let foreign = [
            key("agenda_items", "meeting_id", "meetings"),
            key("meetings", "current_item", "agenda_items"),
            key("meetings", "team_id", "teams"),
            key("comments", "thread_id", "comments"),
            // Not on the circle: must not be deferred, only wait.
            key("versions", "meeting_id", "meetings"),
        ];
        let nullable: BTreeSet<(String, String)> = [
            ("meetings", "current_item"),
            ("comments", "thread_id"),
            ("versions", "meeting_id"),
        ]
        .into_iter()
        .map(|(t, c)| (t.to_owned(), c.to_owned()))
        .collect();
        let order = insert_order(&tables, &foreign, &nullable).expect("an order");
        let names: Vec<&str> = order.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(
            names,
            ["comments", "teams", "meetings", "agenda_items", "versions"]
        );
        let deferred: BTreeMap<&str, Vec<&str>> = order
            .iter()
            .filter(|(_, d)| !d.is_empty())
            .map(|(t, d)| (t.as_str(), d.iter().map(String::as_str).collect()))
            .collect();
        assert_eq!(
            deferred,
            BTreeMap::from([
                ("comments", vec!["thread_id"]),
                ("meetings", vec!["current_item"])
            ])
        );
    }

    #[test]
    fn a_circle_of_required_keys_is_refused() {
        let tables: BTreeMap<String, Table> = ["a", "b"].into_iter().map(table).collect();
        let foreign = [key("a", "b_id", "b"), key("b", "a_id", "a")];
        let refused = insert_order(&tables, &foreign, &BTreeSet::new());
        assert!(
            matches!(refused, Err(StoreError::CopyUnsupported(ref m)) if m.contains("a, b")),
            "{refused:?}"
        );
    }

    #[test]
    fn schemas_that_differ_are_named() {
        let sqlite = BTreeMap::from([
            (
                "canvases".to_owned(),
                vec!["id".to_owned(), "last_seq".to_owned()],
            ),
            ("old".to_owned(), vec!["id".to_owned()]),
        ]);
        let mut postgres: BTreeMap<String, Table> =
            ["canvases", "new"].into_iter().map(table).collect();
        if let Some(t) = postgres.get_mut("canvases") {
            t.columns.push(Column {
                name: "id".to_owned(),
                kind: Kind::Text,
            });
        }
        let Err(StoreError::CopySchemaMismatch(found)) = differences(&sqlite, &postgres) else {
            panic!("the schemas differ");
        };
        assert_eq!(
            found,
            "kolom canvases.last_seq alleen in SQLite; tabel old alleen in SQLite; \
             tabel new alleen in PostgreSQL"
        );
    }
}
