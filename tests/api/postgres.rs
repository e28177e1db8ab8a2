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

/// Two stores on one database, as two server processes have, and a canvas of theirs.
async fn two_processes(
    database: &TestPostgres,
) -> (
    store::postgres::PostgresStore,
    store::postgres::PostgresStore,
    doorbraak::canvas::CanvasId,
) {
    let a = store::postgres::PostgresStore::open(&database.url)
        .await
        .expect("open");
    let b = store::postgres::PostgresStore::open(&database.url)
        .await
        .expect("open");
    let id = doorbraak::canvas::CanvasId::random();
    let owner = canvas_owner(&a).await;
    store::Canvases::create_canvas(
        &a,
        &id,
        "Casus P-1",
        owner,
        &doorbraak::canvas::schema::initialize(),
        &[],
    )
    .await
    .expect("create");
    (a, b, id)
}

fn batch(id: &doorbraak::canvas::CanvasId, updates: usize) -> store::AppendBatch {
    store::AppendBatch {
        canvas: id.clone(),
        updates: (0..updates)
            .map(|n| bytes::Bytes::from(vec![n as u8; 8]))
            .collect(),
        summary: None,
    }
}

#[tokio::test]
async fn processes_appending_to_one_canvas_at_once_give_its_log_one_order() {
    let database = TestPostgres::new().await;
    let (a, b, id) = two_processes(&database).await;
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    // Twenty commits of three updates at once, half through each process.
    let commits: Vec<_> = (0..20)
        .map(|n| {
            let store = if n % 2 == 0 { a.clone() } else { b.clone() };
            let batch = batch(&id, 3);
            tokio::spawn(async move { store::Canvases::append_updates(&*store, &[batch]).await })
        })
        .collect();
    let mut ranges = Vec::new();
    for commit in commits {
        let last = commit.await.expect("task").expect("commit")[0];
        ranges.push((last - 2)..=last);
    }
    ranges.sort_by_key(|r| *r.start());
    let positions: Vec<i64> = ranges.into_iter().flatten().collect();
    assert_eq!(
        positions,
        (2..=61).collect::<Vec<_>>(),
        "every commit took its own positions, none twice, no gap"
    );
    let stored = store::Canvases::load_canvas(&*b, &id)
        .await
        .expect("load")
        .expect("canvas");
    let seqs: Vec<i64> = stored.updates.iter().map(|(seq, _)| *seq).collect();
    assert_eq!(seqs, (1..=61).collect::<Vec<_>>());
    let last_seq: i64 = sqlx::query_scalar("SELECT last_seq FROM canvases WHERE id = $1")
        .bind(id.as_str())
        .fetch_one(a.pool())
        .await
        .expect("last_seq");
    assert_eq!(last_seq, 61);
}

#[tokio::test]
async fn a_commit_is_announced_with_its_positions_only_once_it_is_committed() {
    let database = TestPostgres::new().await;
    let (a, _b, id) = two_processes(&database).await;
    let mut listener = sqlx::postgres::PgListener::connect(&database.url)
        .await
        .expect("listen");
    listener
        .listen(store::postgres::COMMIT_CHANNEL)
        .await
        .expect("listen");
    store::Canvases::append_updates(&a, &[batch(&id, 2)])
        .await
        .expect("commit");
    let notice = within("the commit's notice", listener.recv())
        .await
        .expect("notice");
    assert_eq!(
        notice.payload(),
        format!("{id} 3"),
        "canvas and last position, no content"
    );
    assert_eq!(
        store::postgres::parse_commit_notice(notice.payload()),
        Some((id.clone(), 3))
    );
    // An append that fails (the canvas does not exist) rolls back, and announces nothing.
    let missing = doorbraak::canvas::CanvasId::random();
    assert!(
        store::Canvases::append_updates(&a, &[batch(&id, 1), batch(&missing, 1)])
            .await
            .is_err()
    );
    store::Canvases::append_updates(&a, &[batch(&id, 1)])
        .await
        .expect("commit");
    let next = within("the next notice", listener.recv())
        .await
        .expect("notice");
    assert_eq!(
        next.payload(),
        format!("{id} 4"),
        "the rolled-back commit took no position and sent no notice"
    );
}

#[tokio::test]
async fn one_compaction_of_a_canvas_at_a_time_across_processes_and_only_forward() {
    let database = TestPostgres::new().await;
    let (a, b, id) = two_processes(&database).await;
    store::Canvases::append_updates(&a, &[batch(&id, 4)])
        .await
        .expect("commit");
    // A compaction of the canvas is running on the other process: it holds the canvas's lock.
    let mut other = a.pool().begin().await.expect("begin");
    sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
        .bind(store::postgres::COMPACTION_LOCKS)
        .bind(id.as_str())
        .execute(&mut *other)
        .await
        .expect("lock");
    let snapshot = b"snapshot".to_vec();
    assert!(
        !store::Canvases::compact(&b, &id, &snapshot, 5)
            .await
            .expect("compact"),
        "skipped while the other runs"
    );
    let stored = store::Canvases::load_canvas(&b, &id)
        .await
        .expect("load")
        .expect("canvas");
    assert!(stored.snapshot.is_none(), "nothing written");
    assert_eq!(stored.updates.len(), 5, "nothing deleted");
    other.rollback().await.expect("release");
    assert!(
        store::Canvases::compact(&b, &id, &snapshot, 3)
            .await
            .expect("compact")
    );
    assert!(
        !store::Canvases::compact(&a, &id, b"older", 2)
            .await
            .expect("compact"),
        "a snapshot only moves forward"
    );
    // A process that holds entries up to 1 reads the snapshot and what follows it; one that
    // holds up to 4 only the entry after that.
    let behind = store::Canvases::load_canvas_after(&a, &id, 1)
        .await
        .expect("load")
        .expect("canvas");
    assert_eq!(behind.snapshot, Some((snapshot, 3)));
    assert_eq!(
        behind.updates.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [4, 5]
    );
    let ahead = store::Canvases::load_canvas_after(&a, &id, 4)
        .await
        .expect("load")
        .expect("canvas");
    assert!(ahead.snapshot.is_none());
    assert_eq!(
        ahead.updates.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
        [5]
    );
}

#[tokio::test]
async fn group_commits_of_the_same_canvases_in_opposite_orders_do_not_deadlock() {
    let database = TestPostgres::new().await;
    let (a, b, first) = two_processes(&database).await;
    let second = doorbraak::canvas::CanvasId::random();
    let owner = owner_of(&a, &first).await;
    store::Canvases::create_canvas(
        &a,
        &second,
        "Casus P-2",
        owner,
        &doorbraak::canvas::schema::initialize(),
        &[],
    )
    .await
    .expect("create");
    let (a, b) = (std::sync::Arc::new(a), std::sync::Arc::new(b));
    // Each process commits both canvases in one group, in the opposite order of the other: row
    // locks taken in the order of the batches would deadlock, and PostgreSQL would abort one.
    let rounds: Vec<_> = (0..20)
        .map(|n| {
            let (store, batches) = if n % 2 == 0 {
                (a.clone(), vec![batch(&first, 1), batch(&second, 1)])
            } else {
                (b.clone(), vec![batch(&second, 1), batch(&first, 1)])
            };
            tokio::spawn(async move { store::Canvases::append_updates(&*store, &batches).await })
        })
        .collect();
    for round in rounds {
        let last = round.await.expect("task").expect("no deadlock, no abort");
        assert_eq!(last.len(), 2, "a position for each batch, in their order");
    }
    for id in [&first, &second] {
        let stored = store::Canvases::load_canvas(&*a, id)
            .await
            .expect("load")
            .expect("canvas");
        let seqs: Vec<i64> = stored.updates.iter().map(|(seq, _)| *seq).collect();
        assert_eq!(seqs, (1..=21).collect::<Vec<_>>());
    }
}

/// The team of canvas `id` as its owner, for a second canvas of the same team.
async fn owner_of(
    store: &store::postgres::PostgresStore,
    id: &doorbraak::canvas::CanvasId,
) -> store::CanvasOwner {
    let facts = store::Canvases::canvas_facts(store, id)
        .await
        .expect("facts")
        .expect("canvas");
    store::CanvasOwner {
        team: facts.team,
        brought_in_by: facts.brought_in_by.expect("brought in"),
    }
}

/// A process stopped gracefully (SIGTERM, as systemd stops it) sends what it still holds for
/// the other processes before it exits: the presence of its clients goes on the other process
/// at once, not after the awareness timeout (here ten minutes).
#[tokio::test]
async fn a_process_that_stops_takes_its_clients_presence_along_on_the_other_process() {
    let database = TestPostgres::new().await;
    let people = seed_people(&database.url).await;
    let slow_fade = ["--awareness-timeout-secs", "600"];
    let (mut a, a_address) = start_binary(&database.url, &slow_fade).await;
    let (_b, b_address) = start_binary(&database.url, &slow_fade).await;
    let http = reqwest_lite::Client::new(a_address.parse().expect("address"))
        .with_token(&people.aanjager.token);
    let (status, created) = http
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "Casus stop" }),
        )
        .await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().expect("id");
    let token = &people.teamlid.token;
    let mut on_a = Client::connect(&ws_url(&a_address, token, id, "")).await;
    on_a.set_presence(4242, 1, Some(r#"{"cursor":1}"#)).await;
    let mut on_b = Client::connect(&ws_url(&b_address, token, id, "")).await;
    on_b.wait("A's client present on B", |client| {
        client
            .presence
            .get(&4242)
            .is_some_and(|(_, state)| state.is_some())
    })
    .await;

    terminate(&a);
    let status = within("A to stop", a.wait()).await.expect("exit status");
    assert!(status.success(), "{status:?}");
    on_b.wait("A's client gone on B", |client| {
        client
            .presence
            .get(&4242)
            .is_some_and(|(_, state)| state.is_none())
    })
    .await;
}
