//! The locks that take the place of SQLite's single writer, one per guarantee that needs more
//! than one statement (see the module docs of [`super`] for which statement takes which).
//!
//! Each is taken in a statement of its own, before the reads it protects: under READ COMMITTED
//! every later statement of the transaction takes a fresh snapshot, so once the lock is granted
//! those reads see whatever the previous holder committed. Each is transaction-scoped and held
//! until the transaction (or the use case's transaction around it) commits or rolls back; taken
//! in a store method's savepoint that then rolls back (a refusal), it is released with it.
//! Where a transaction takes two (archiving: [`closing_canvas`], then the canvas row by its
//! status change; a booking: [`adding_to_canvas`], then [`budget`] or [`ledger_entry`]), every
//! transaction that takes both takes them in that order, so none waits for another in a circle.
//!
//! `FOR NO KEY UPDATE` rather than `FOR UPDATE`: it conflicts with the other writers of the
//! row, not with the key-share locks that inserting a row which refers to it takes (a
//! membership, an audit line, an agenda item), which would otherwise queue behind it for no
//! reason.

use sqlx::PgConnection;

use super::query::{ToBind, execute};

use crate::{
    canvas::CanvasId,
    ids::{EntryId, MeetingId, TeamId},
    store::StoreError,
};

/// The first key of the canvases' content locks (the second is the canvas id's hash), apart
/// from the compaction locks ("cntn" in ASCII).
const CONTENT_LOCKS: i32 = 0x636e_746e;

/// The first key of the sign-in turns (the second is the address's hash): "sgni" in ASCII.
const SIGN_IN_TURNS: i32 = 0x7367_6e69;

/// The advisory lock of the invitations that name no team (coach, PMM): they have no row of
/// their own to lock ("door-inv" in ASCII).
const NATIONAL_INVITATIONS: i64 = 0x646f_6f72_2d69_6e76;

/// The team's row: what is decided from its memberships or its open invitations (keeping a
/// last aanjager, one open invitation per person, a link whose maker is still an aanjager) is
/// decided by one transaction at a time.
pub(super) async fn team(conn: &mut PgConnection, team: TeamId) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT 1 FROM teams WHERE id = $1 FOR NO KEY UPDATE",
        &[&team],
    )
    .await
}

/// The team row of an invitation, by the hash of its token (none for a link without a team).
pub(super) async fn team_of_invitation(
    conn: &mut PgConnection,
    token_hash: &str,
) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT 1 FROM teams WHERE id = (SELECT team_id FROM invitations WHERE token_hash = $1) \
         FOR NO KEY UPDATE",
        &[&token_hash],
    )
    .await
}

/// The invitations without a team, as [`team`] is for a team's.
pub(super) async fn national_invitations(conn: &mut PgConnection) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT pg_advisory_xact_lock($1)",
        &[&NATIONAL_INVITATIONS],
    )
    .await
}

/// The meeting's row: its agenda's positions are read and written by one transaction at a time.
pub(super) async fn meeting(conn: &mut PgConnection, meeting: MeetingId) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT 1 FROM meetings WHERE id = $1 FOR NO KEY UPDATE",
        &[&meeting],
    )
    .await
}

/// The canvas's row, for a transaction that replaces what belongs to the canvas by deleting and
/// inserting it (its leeropbrengst, its archive entry). The archiving transaction holds it from
/// its status change on; the log's group commit waits for it on this canvas.
pub(super) async fn canvas(conn: &mut PgConnection, canvas: &CanvasId) -> Result<(), StoreError> {
    let canvas = canvas.as_str();
    lock(
        conn,
        "SELECT 1 FROM canvases WHERE id = $1 FOR NO KEY UPDATE",
        &[&canvas],
    )
    .await
}

/// The team's budget of a year: what is left of it is read and booked by one booking at a
/// time. (A year without a budget has no row, and nothing is booked on it.)
pub(super) async fn budget(
    conn: &mut PgConnection,
    team: TeamId,
    year: i64,
) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT 1 FROM team_budgets WHERE team_id = $1 AND year = $2 FOR NO KEY UPDATE",
        &[&team, &year],
    )
    .await
}

/// A ledger entry that a correction corrects: what is left of it is read and corrected by one
/// correction at a time.
pub(super) async fn ledger_entry(
    conn: &mut PgConnection,
    entry: EntryId,
) -> Result<(), StoreError> {
    lock(
        conn,
        "SELECT 1 FROM budget_entries WHERE id = $1 FOR NO KEY UPDATE",
        &[&entry],
    )
    .await
}

/// Adding to a canvas (a comment, a booking): shared with every other addition, exclusive of
/// [`closing_canvas`]. An addition that checked "not archived" commits before an archiving (or,
/// for a comment, a purge) that removes what it finds may begin, and one that starts after it
/// waits and then finds the canvas closed. (A purge keeps the ledger: a booking is refused on
/// an archived canvas only.) An advisory lock rather than the canvas row's: the log's group
/// commit locks that row, and a comment should not hold up everyone's live edits.
pub(super) async fn adding_to_canvas(
    conn: &mut PgConnection,
    canvas: &CanvasId,
) -> Result<(), StoreError> {
    let sql = "SELECT pg_advisory_xact_lock_shared($1, hashtext($2))";
    lock(conn, sql, &[&CONTENT_LOCKS, &canvas.as_str()]).await
}

/// Archiving or purging a canvas: waits for the additions in progress, and keeps new ones out
/// until it commits (see [`adding_to_canvas`]).
pub(super) async fn closing_canvas(
    conn: &mut PgConnection,
    canvas: &CanvasId,
) -> Result<(), StoreError> {
    let sql = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
    lock(conn, sql, &[&CONTENT_LOCKS, &canvas.as_str()]).await
}

/// The canvas's compaction lock, waited for (a compaction only tries it, and skips the canvas
/// when it is held): a purge must not run beside a compaction, whose snapshot it would miss and
/// whose deletes it would meet in the other order.
pub(super) async fn compaction(
    conn: &mut PgConnection,
    canvas: &CanvasId,
) -> Result<(), StoreError> {
    let sql = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
    lock(conn, sql, &[&super::COMPACTION_LOCKS, &canvas.as_str()]).await
}

/// Holds the sign-in turn of `key` (an e-mail address, or a client's) across the processes on
/// the database, on a connection of its own that is closed when the turn is dropped: a session
/// lock must never go back to the pool, and closing the connection ends it whatever happened
/// (the attempt answered, or its request dropped while it waited).
pub(super) async fn sign_in_turn(
    pool: &sqlx::PgPool,
    key: &str,
) -> Result<sqlx::pool::PoolConnection<sqlx::Postgres>, StoreError> {
    let mut conn = pool.acquire().await?;
    conn.close_on_drop();
    let sql = "SELECT pg_advisory_lock($1, hashtext($2))";
    lock(&mut conn, sql, &[&SIGN_IN_TURNS, &key]).await?;
    Ok(conn)
}

/// Runs one locking statement; what it returns does not matter, that it was granted does.
async fn lock(conn: &mut PgConnection, sql: &str, binds: &[&dyn ToBind]) -> Result<(), StoreError> {
    execute(conn, sql, binds).await.map(drop)
}
