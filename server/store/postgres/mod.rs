//! The PostgreSQL backend (issue 14): its schema, the migrations in `migrations/postgres/`
//! (embedded in the binary and run when it connects, like SQLite's), held to the SQLite schema
//! table by table and column by column by a test against a real PostgreSQL
//! (`tests/api/postgres.rs`), and every storage interface, one module per aggregate as for
//! SQLite. Several server processes may share one database: each commit to a canvas's log
//! takes its positions from the canvas row and announces them (`NOTIFY`), and the event bus of
//! the processes runs over it ([`crate::events::postgres`]).
//!
//! Every query is written once, against a [`Source`] of connections: [`Pooled`] takes one from
//! the pool per call, [`Held`] is the one transaction a use case holds (`Database::begin`).
//!
//! **No single writer.** SQLite runs one writing transaction at a time, and some guarantees
//! lean on that. On PostgreSQL use cases run side by side, on any process, at READ COMMITTED,
//! and each guarantee is kept where it is decided, per statement:
//! - *One statement that checks and writes* (a compare-and-set `UPDATE … WHERE` on the state
//!   the user saw, `INSERT … ON CONFLICT`, a unique index): a second writer of the row waits
//!   for the first's row lock and then evaluates its `WHERE` again on the row as the first left
//!   it. Status changes, escalations and their answers, setting a budget, redeeming a link,
//!   fixing minutes, counting failed sign-ins, telling due actiepunten.
//! - *A row lock first, then the check and the write* ([`locks`]), where the check reads rows
//!   another writer adds or changes: the team's row for keeping its last aanjager, for one open
//!   invitation per person and for a link whose maker must still be an aanjager; the budget's
//!   (or the corrected entry's) row for a booking; the meeting's row for its agenda positions;
//!   the canvas's row for replacing its leeropbrengst or archive entry; and two advisory
//!   locks: the canvas's addition lock between comments and bookings on one side and archiving
//!   (and, for comments, purging) on the other, and one for the invitations that name no team.
//! - *The canvases' log*: a commit takes its positions from the canvas row, locked until it
//!   commits, so two processes appending to one canvas at the same moment are put in one order.
//!
//! Row locks rather than SERIALIZABLE: each guarantee names the one row its writers meet on,
//! so a conflict waits instead of failing, and no use case needs to be written to be re-run.

mod accounts;
mod archive_index;
mod audit_log;
mod canvases;
mod comments;
mod evaluation;
mod invitations;
mod learning_agenda;
mod locks;
mod meeting_records;
mod meetings;
mod organisation;
mod query;
mod retention;
mod versions;
mod workflow;

pub use canvases::{COMMIT_CHANNEL, COMPACTION_LOCKS, parse_commit_notice};

use std::{
    future::Future,
    ops::{Deref, DerefMut},
    time::Duration,
};

use async_trait::async_trait;
use sqlx::{PgConnection, PgPool, pool::PoolConnection, postgres::PgPoolOptions};

use super::{Database, StoreError, Transaction};

/// The PostgreSQL implementation of the storage interfaces, over a source of connections.
pub struct Postgres<S> {
    source: S,
}

/// The store as the server opens it: each query takes a connection of the pool.
pub type PostgresStore = Postgres<Pooled>;

/// A transaction in progress.
pub type PostgresTransaction = Postgres<Held>;

/// Where the queries of a [`Postgres`] run.
pub trait Source: Send + Sync + 'static {
    fn conn(&self) -> impl Future<Output = Result<Conn<'_>, StoreError>> + Send;

    /// The connections that hold sign-in turns ([`locks::sign_in_turn`]); none in a use case's
    /// transaction, where nobody signs in.
    fn turns(&self) -> Option<&PgPool>;

    /// Whether the queries run in a use case's transaction: a read that such a transaction
    /// decides a write on takes its lock first ([`locks`]); a page's read does not wait for it.
    fn in_transaction(&self) -> bool {
        self.turns().is_none()
    }
}

/// A connection borrowed from a [`Source`] for one query or one nested transaction.
pub enum Conn<'a> {
    Pooled(PoolConnection<sqlx::Postgres>),
    Held(tokio::sync::MutexGuard<'a, sqlx::Transaction<'static, sqlx::Postgres>>),
}

impl Deref for Conn<'_> {
    type Target = PgConnection;

    fn deref(&self) -> &PgConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Held(tx) => tx,
        }
    }
}

impl DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut PgConnection {
        match self {
            Conn::Pooled(conn) => conn,
            Conn::Held(tx) => tx,
        }
    }
}

/// Two pools on the one database: `pool` for every query outside a use case's transaction (the
/// requests' reads, the group commit of live edits, compaction), `transactions` for the use
/// cases' transactions, which may wait for a lock holding their connection. Apart, the waiting
/// transactions can never take every connection from a lock holder that reads through the
/// store while it holds the lock, or from the live edits. (Some statements on `pool` wait for a
/// row lock too, briefly: a group commit for a canvas whose status is changing, a meeting
/// room's timer for a meeting whose agenda is changing.)
pub struct Pooled {
    pool: PgPool,
    transactions: PgPool,
    /// A few connections for sign-in turns, each closed when its turn ends: attempts for
    /// different addresses run side by side up to their number, and wait beyond it.
    turns: PgPool,
}

impl Source for Pooled {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        Ok(Conn::Pooled(self.pool.acquire().await?))
    }

    fn turns(&self) -> Option<&PgPool> {
        Some(&self.turns)
    }
}

/// One use case's transaction.
pub struct Held {
    tx: tokio::sync::Mutex<sqlx::Transaction<'static, sqlx::Postgres>>,
}

impl Source for Held {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        Ok(Conn::Held(self.tx.lock().await))
    }

    fn turns(&self) -> Option<&PgPool> {
        None
    }
}

impl<S: Source> Postgres<S> {
    async fn conn(&self) -> Result<Conn<'_>, StoreError> {
        self.source.conn().await
    }
}

/// Connects to the database `url` names and brings its schema up to date.
pub async fn connect(url: &str) -> Result<PgPool, StoreError> {
    // One connection of it listens to the other processes for as long as the server runs.
    let pool = PgPoolOptions::new()
        .max_connections(10)
        .acquire_timeout(Duration::from_secs(10))
        .connect(url)
        .await?;
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(pool)
}

impl PostgresStore {
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let pool = connect(url).await?;
        let transactions = PgPoolOptions::new()
            .max_connections(8)
            .acquire_timeout(Duration::from_secs(10))
            .connect(url)
            .await?;
        // Lazily: most processes see few sign-ins. A turn may wait for another process's
        // attempt at the same address, which takes up to the longest failure delay and more.
        let turns = PgPoolOptions::new()
            .max_connections(4)
            .min_connections(0)
            .acquire_timeout(Duration::from_secs(60))
            .connect_lazy(url)?;
        Ok(Self {
            source: Pooled {
                pool,
                transactions,
                turns,
            },
        })
    }

    /// The pool (tests read through it).
    pub fn pool(&self) -> &PgPool {
        &self.source.pool
    }
}

#[async_trait]
impl Database for PostgresStore {
    async fn begin(&self) -> Result<Box<dyn Transaction>, StoreError> {
        Ok(Box::new(
            PostgresTransaction::begin_on(&self.source.transactions).await?,
        ))
    }

    fn postgres(&self) -> Option<PgPool> {
        Some(self.source.pool.clone())
    }
}

impl PostgresTransaction {
    /// Begins a transaction on a connection of `pool` (READ COMMITTED: what a use case's checks
    /// need held until it commits, the statements that check lock; see the module's docs).
    pub(crate) async fn begin_on(pool: &PgPool) -> Result<Self, StoreError> {
        let tx = pool.begin().await?;
        Ok(Postgres {
            source: Held {
                tx: tokio::sync::Mutex::new(tx),
            },
        })
    }

    /// The transaction's connection, for statements of the caller's own (`store::copy` writes
    /// rows with its own statements and reads them back through the storage interfaces before
    /// it commits).
    pub(crate) async fn connection(&self) -> Result<Conn<'_>, StoreError> {
        self.source.conn().await
    }
}

/// The advisory lock of serving ("doorbraak-serve"): every server process holds it shared for
/// its lifetime ([`serving`]), so any number of them may run, while `doorbraak copy` needs it
/// alone ([`claim_for_transaction`]).
const SERVE_LOCK: i64 = 0x646f_6f72_2d73_7276;

/// Marks the database at `url` as served by this process for as long as the returned
/// connection stays open (it holds [`SERVE_LOCK`] shared). Should the connection drop, the mark
/// is gone until the process restarts; it only keeps `doorbraak copy` from writing into a
/// database that is being served.
pub async fn serving(url: &str) -> Result<PgConnection, StoreError> {
    use sqlx::Connection;
    let mut conn = PgConnection::connect(url).await?;
    let marked: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock_shared($1)")
        .bind(SERVE_LOCK)
        .fetch_one(&mut conn)
        .await?;
    if !marked {
        tracing::warn!(
            "the database is held alone (doorbraak copy, or an older Doorbraak that serves it \
             alone); waiting for it before serving"
        );
        sqlx::query("SELECT pg_advisory_lock_shared($1)")
            .bind(SERVE_LOCK)
            .execute(&mut conn)
            .await?;
    }
    Ok(conn)
}

/// The advisory lock of seeding the demo ("doorbraak-demo"): the demo's seed finds what is
/// missing and creates it in several transactions, so two processes started at the same moment
/// with `--demo` would both find a row missing and both insert it. Held around the seed, they
/// seed one after the other, and the later finds everything in place.
const DEMO_LOCK: i64 = 0x646f_6f72_2d64_656d;

/// Waits until this process alone may seed the demo, holding [`DEMO_LOCK`] on `conn` (the
/// [`serving`] connection) until [`demo_seeded`] or until the connection closes.
pub async fn seeding_demo(conn: &mut PgConnection) -> Result<(), StoreError> {
    let alone: bool = sqlx::query_scalar("SELECT pg_try_advisory_lock($1)")
        .bind(DEMO_LOCK)
        .fetch_one(&mut *conn)
        .await?;
    if !alone {
        tracing::info!("another process is seeding the demo; waiting for it");
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(DEMO_LOCK)
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Lets the next process seed (it then finds the demo in place).
pub async fn demo_seeded(conn: &mut PgConnection) -> Result<(), StoreError> {
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(DEMO_LOCK)
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `url` names a PostgreSQL database.
pub fn is_url(url: &str) -> bool {
    url.starts_with("postgres:") || url.starts_with("postgresql:")
}

/// Claims the database for the transaction running on `conn`: `false` while a server process
/// serves it ([`serving`]). Held until the transaction ends, so that no server starts on the
/// database meanwhile.
pub(crate) async fn claim_for_transaction(conn: &mut PgConnection) -> Result<bool, StoreError> {
    Ok(sqlx::query_scalar("SELECT pg_try_advisory_xact_lock($1)")
        .bind(SERVE_LOCK)
        .fetch_one(conn)
        .await?)
}

#[async_trait]
impl Transaction for PostgresTransaction {
    async fn commit(self: Box<Self>) -> Result<(), StoreError> {
        Ok(self.source.tx.into_inner().commit().await?)
    }
}
