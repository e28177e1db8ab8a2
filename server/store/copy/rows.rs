//! The rows of one table, read from the SQLite snapshot and inserted into PostgreSQL: each value
//! read as the PostgreSQL column's type asks (a value SQLite stored as something else is
//! refused, naming its table and column, rather than changed) and inserted many rows to a
//! statement.

use futures_util::TryStreamExt;
use sqlx::{
    PgConnection, Postgres, QueryBuilder, Row, SqlitePool, query_builder::Separated,
    sqlite::SqliteRow,
};

use super::schema::{Kind, Table, quoted};
use crate::store::StoreError;

/// PostgreSQL takes at most this many parameters in one statement.
const MAX_BINDS: usize = 65_535;
/// Rows in one INSERT, at most.
const BATCH_ROWS: usize = 500;
/// Bytes of values gathered before they are sent: canvas updates can be megabytes each.
const BATCH_BYTES: usize = 8 << 20;

/// One value, typed for PostgreSQL (a NULL too: PostgreSQL wants the column's type for it).
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Value {
    BigInt(Option<i64>),
    Integer(Option<i32>),
    SmallInt(Option<i16>),
    Boolean(Option<bool>),
    Double(Option<f64>),
    Real(Option<f32>),
    Text(Option<String>),
    Bytes(Option<Vec<u8>>),
}

impl Value {
    fn null(kind: Kind) -> Value {
        match kind {
            Kind::BigInt => Value::BigInt(None),
            Kind::Integer => Value::Integer(None),
            Kind::SmallInt => Value::SmallInt(None),
            Kind::Boolean => Value::Boolean(None),
            Kind::Double => Value::Double(None),
            Kind::Real => Value::Real(None),
            Kind::Text => Value::Text(None),
            Kind::Bytes => Value::Bytes(None),
        }
    }

    fn is_null(&self) -> bool {
        *self == Value::null(self.kind())
    }

    fn kind(&self) -> Kind {
        match self {
            Value::BigInt(_) => Kind::BigInt,
            Value::Integer(_) => Kind::Integer,
            Value::SmallInt(_) => Kind::SmallInt,
            Value::Boolean(_) => Kind::Boolean,
            Value::Double(_) => Kind::Double,
            Value::Real(_) => Kind::Real,
            Value::Text(_) => Kind::Text,
            Value::Bytes(_) => Kind::Bytes,
        }
    }

    /// About how many bytes the value takes on the wire.
    fn size(&self) -> usize {
        match self {
            Value::Text(Some(t)) => t.len(),
            Value::Bytes(Some(b)) => b.len(),
            _ => 8,
        }
    }

    fn bind(self, into: &mut Separated<'_, '_, Postgres, &'static str>) {
        match self {
            Value::BigInt(v) => into.push_bind(v),
            Value::Integer(v) => into.push_bind(v),
            Value::SmallInt(v) => into.push_bind(v),
            Value::Boolean(v) => into.push_bind(v),
            Value::Double(v) => into.push_bind(v),
            Value::Real(v) => into.push_bind(v),
            Value::Text(v) => into.push_bind(v),
            Value::Bytes(v) => into.push_bind(v),
        };
    }

    fn bind_to<'q>(
        self,
        query: sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments>,
    ) -> sqlx::query::Query<'q, Postgres, sqlx::postgres::PgArguments> {
        match self {
            Value::BigInt(v) => query.bind(v),
            Value::Integer(v) => query.bind(v),
            Value::SmallInt(v) => query.bind(v),
            Value::Boolean(v) => query.bind(v),
            Value::Double(v) => query.bind(v),
            Value::Real(v) => query.bind(v),
            Value::Text(v) => query.bind(v),
            Value::Bytes(v) => query.bind(v),
        }
    }
}

/// Reads column `index` of a SQLite row as `kind`.
fn read(row: &SqliteRow, index: usize, kind: Kind) -> Result<Value, String> {
    let refused = |e: sqlx::Error| format!("de waarde past niet bij het PostgreSQL-type ({e})");
    let out_of_range = |n: i64| format!("{n} past niet in de PostgreSQL-kolom");
    Ok(match kind {
        Kind::BigInt => Value::BigInt(row.try_get(index).map_err(refused)?),
        Kind::Integer => {
            let n: Option<i64> = row.try_get(index).map_err(refused)?;
            Value::Integer(
                n.map(|n| i32::try_from(n).map_err(|_| out_of_range(n)))
                    .transpose()?,
            )
        }
        Kind::SmallInt => {
            let n: Option<i64> = row.try_get(index).map_err(refused)?;
            Value::SmallInt(
                n.map(|n| i16::try_from(n).map_err(|_| out_of_range(n)))
                    .transpose()?,
            )
        }
        Kind::Boolean => {
            let n: Option<i64> = row.try_get(index).map_err(refused)?;
            Value::Boolean(
                n.map(|n| match n {
                    0 => Ok(false),
                    1 => Ok(true),
                    n => Err(format!("{n} is geen 0 of 1")),
                })
                .transpose()?,
            )
        }
        Kind::Double => Value::Double(row.try_get(index).map_err(refused)?),
        Kind::Real => Value::Real(
            row.try_get::<Option<f64>, _>(index)
                .map_err(refused)?
                .map(|f| f as f32),
        ),
        Kind::Text => {
            let text: Option<String> = row.try_get(index).map_err(refused)?;
            if text.as_deref().is_some_and(|t| t.contains('\0')) {
                return Err("de tekst bevat een NUL-teken, dat PostgreSQL niet opslaat".into());
            }
            Value::Text(text)
        }
        Kind::Bytes => Value::Bytes(row.try_get(index).map_err(refused)?),
    })
}

/// A row whose deferred columns are set once every row is in: its primary key and those values.
pub(super) struct Pending {
    pub key: Vec<Value>,
    pub values: Vec<Value>,
}

/// Copies every row of `table` from the SQLite snapshot into PostgreSQL; returns how many, and
/// the rows whose deferred columns are still to set.
pub(super) async fn copy_table(
    source: &SqlitePool,
    target: &mut PgConnection,
    table: &Table,
) -> Result<(u64, Vec<Pending>), StoreError> {
    let names: Vec<String> = table.columns.iter().map(|c| quoted(&c.name)).collect();
    let select = format!("SELECT {} FROM {}", names.join(", "), quoted(&table.name));
    // Identity columns take the ids as they are ("GENERATED ALWAYS" ones too).
    let insert = format!(
        "INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE ",
        quoted(&table.name),
        names.join(", ")
    );
    let key_at: Vec<usize> = table
        .primary_key
        .iter()
        .filter_map(|k| table.columns.iter().position(|c| c.name == *k))
        .collect();
    let deferred_at: Vec<usize> = (0..table.columns.len())
        .filter(|i| table.deferred.contains(&table.columns[*i].name))
        .collect();
    let per_batch = BATCH_ROWS
        .min(MAX_BINDS / table.columns.len().max(1))
        .max(1);

    let mut rows = sqlx::query(&select).fetch(source);
    let mut batch: Vec<Vec<Value>> = Vec::with_capacity(per_batch);
    let mut bytes = 0;
    let mut copied = 0;
    let mut pending = Vec::new();
    while let Some(row) = rows.try_next().await? {
        let mut values = Vec::with_capacity(table.columns.len());
        for (index, column) in table.columns.iter().enumerate() {
            let value =
                read(&row, index, column.kind).map_err(|problem| StoreError::CopyValue {
                    table: table.name.clone(),
                    column: column.name.clone(),
                    problem,
                })?;
            bytes += value.size();
            values.push(value);
        }
        if !deferred_at.is_empty() {
            let later: Vec<Value> = deferred_at
                .iter()
                .map(|i| std::mem::replace(&mut values[*i], Value::null(table.columns[*i].kind)))
                .collect();
            if later.iter().any(|v| !v.is_null()) {
                pending.push(Pending {
                    key: key_at.iter().map(|i| values[*i].clone()).collect(),
                    values: later,
                });
            }
        }
        batch.push(values);
        if batch.len() >= per_batch || bytes >= BATCH_BYTES {
            copied += insert_batch(target, &insert, &mut batch).await?;
            bytes = 0;
        }
    }
    copied += insert_batch(target, &insert, &mut batch).await?;
    Ok((copied, pending))
}

async fn insert_batch(
    target: &mut PgConnection,
    insert: &str,
    batch: &mut Vec<Vec<Value>>,
) -> Result<u64, StoreError> {
    if batch.is_empty() {
        return Ok(0);
    }
    let mut query: QueryBuilder<'_, Postgres> = QueryBuilder::new(insert);
    query.push_values(batch.drain(..), |mut row, values| {
        for value in values {
            value.bind(&mut row);
        }
    });
    Ok(query.build().execute(target).await?.rows_affected())
}

/// Sets the deferred columns of the rows that hold a value there, by primary key.
pub(super) async fn set_deferred(
    target: &mut PgConnection,
    table: &Table,
    pending: Vec<Pending>,
) -> Result<(), StoreError> {
    let deferred: Vec<&String> = table
        .columns
        .iter()
        .map(|c| &c.name)
        .filter(|name| table.deferred.contains(*name))
        .collect();
    let mut n = 0;
    let mut placeholder = || {
        n += 1;
        format!("${n}")
    };
    let set: Vec<String> = deferred
        .iter()
        .map(|c| format!("{} = {}", quoted(c), placeholder()))
        .collect();
    let filter: Vec<String> = table
        .primary_key
        .iter()
        .map(|k| format!("{} = {}", quoted(k), placeholder()))
        .collect();
    let update = format!(
        "UPDATE {} SET {} WHERE {}",
        quoted(&table.name),
        set.join(", "),
        filter.join(" AND ")
    );
    for row in pending {
        let mut query = sqlx::query(&update);
        for value in row.values.into_iter().chain(row.key) {
            query = value.bind_to(query);
        }
        if query.execute(&mut *target).await?.rows_affected() != 1 {
            return Err(StoreError::Inconsistent(
                "a deferred foreign key found no row to set",
            ));
        }
    }
    Ok(())
}
