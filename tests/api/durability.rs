//! Nothing seen is lost: restarts, kill -9, compaction, unloading, and damaged stored state.

use doorbraak::config::Limits;

use crate::helpers::*;

#[tokio::test]
async fn state_survives_a_restart() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus herstart").await;
    let mut a = app.connect(&id).await;
    a.type_text("blijft bewaard").await;
    a.round_trip().await;
    let app = app.restart(test_limits()).await;
    assert_eq!(app.connect(&id).await.text(), "blijft bewaard");
}

#[tokio::test]
async fn kill_9_loses_nothing_any_client_has_seen() {
    let BinaryCanvas {
        database_url,
        people,
        mut server,
        address,
        id,
        folder: _folder,
        ..
    } = binary_with_canvas("Casus kill", None).await;
    let url = ws_url(&address, &people.teamlid.token, &id, "");

    let mut observer = Client::connect(&url).await;
    let mut writer = Client::connect(&url).await;
    let writing = tokio::spawn(async move {
        // Writes until the server dies under it.
        for n in 0.. {
            let update = {
                let before = yrs::ReadTxn::state_vector(&yrs::Transact::transact(&writer.doc));
                let mut txn = yrs::Transact::transact_mut(&writer.doc);
                let len = yrs::Text::len(&writer.situation, &txn);
                yrs::Text::insert(&writer.situation, &mut txn, len, &format!("{n};"));
                drop(txn);
                yrs::ReadTxn::encode_state_as_update_v1(
                    &yrs::Transact::transact(&writer.doc),
                    &before,
                )
            };
            let sent = futures_util::SinkExt::send(
                writer.ws_mut(),
                tokio_tungstenite::tungstenite::Message::Binary(
                    doorbraak::sync::protocol::encode_update(&update),
                ),
            )
            .await;
            if sent.is_err() {
                return n;
            }
            tokio::task::yield_now().await;
        }
        unreachable!()
    });

    observer
        .wait("a stream of updates", |c| c.updates_received >= 200)
        .await;
    server.kill().await.expect("SIGKILL");
    // Everything the observer's socket still delivers was received too.
    while observer.pump().await {}
    let observed = observer.text();
    let written = within("the writer to notice", writing)
        .await
        .expect("writer");
    assert!(written >= 200);

    let (_server, address) = start_binary(&database_url, &[]).await;
    let fresh = Client::connect(&ws_url(&address, &people.teamlid.token, &id, "")).await;
    let recovered = fresh.text();
    assert!(
        recovered.starts_with(&observed),
        "lost updates: observer saw {} bytes, the restarted server has {}",
        observed.len(),
        recovered.len()
    );
}

/// "Saved" means on disk: a client sends a burst of edits with `?saved=1`; the server is killed
/// while the saved count is still below what was sent; after a restart every edit the count
/// covered is there, and the count never ran ahead of what was sent.
#[tokio::test]
async fn kill_9_keeps_everything_counted_as_saved() {
    let BinaryCanvas {
        database_url,
        people,
        mut server,
        address,
        id,
        folder: _folder,
        ..
    } = binary_with_canvas("Casus opgeslagen", None).await;
    let mut writer =
        Client::connect(&ws_url(&address, &people.teamlid.token, &id, "?saved=1")).await;

    // Edit n appends "n;" as its own update message.
    const SENT: u64 = 3_000;
    for n in 0..SENT {
        let update = writer.append_update(&format!("{n};"));
        writer
            .send_raw(doorbraak::sync::protocol::encode_update(&update))
            .await;
    }
    writer
        .wait("a first saved count", |c| c.saved.is_some_and(|s| s > 0))
        .await;
    server.kill().await.expect("SIGKILL");
    while writer.pump().await {}
    // The count covers every update-carrying message of the connection: the handshake's sync
    // step 2 (sent before the first edit), then the edits.
    let saved = writer.saved.expect("a saved count");
    assert!(
        saved <= SENT + 1,
        "the count ran ahead: {saved} > {}",
        SENT + 1
    );
    let saved = saved - 1;
    assert!(
        saved < SENT,
        "killed while edits were still unsaved (saved {saved} of {SENT})"
    );

    let (_server, address) = start_binary(&database_url, &[]).await;
    let fresh = Client::connect(&ws_url(&address, &people.teamlid.token, &id, "")).await;
    let stored = fresh.text();
    for n in 0..saved {
        assert!(
            stored.contains(&format!(";{n};")) || stored.starts_with(&format!("{n};")),
            "edit {n} was counted as saved ({saved}) but is not stored"
        );
    }
}

/// The stored update log of a canvas.
async fn log_rows(db: &sqlx::AnyPool, id: &str) -> Vec<(i64, Vec<u8>)> {
    sqlx::query_as(&sql(
        "SELECT seq, data FROM canvas_updates WHERE canvas_id = ? ORDER BY seq",
    ))
    .bind(id)
    .fetch_all(db)
    .await
    .expect("rows")
}

#[tokio::test]
async fn a_damaged_canvas_is_reported_and_never_overwritten() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus beschadigd").await;
    let mut a = app.connect(&id).await;
    a.type_text("waardevol").await;
    a.round_trip().await;
    a.close().await;
    let mut app = app;
    app.stop().await;

    let db = app.db().await;
    // A log entry that is no Yjs update, bound as bytes (SQLite's X'…' is no BYTEA literal).
    sqlx::query(&sql(
        "INSERT INTO canvas_updates (canvas_id, seq, data) VALUES (?, 1000, ?)",
    ))
    .bind(&id)
    .bind(&[0xFF_u8, 0xFF, 0xFF, 0x01, 0x02][..])
    .execute(&db)
    .await
    .expect("insert damage");
    let rows_before = log_rows(&db, &id).await;

    let app = app.restart(test_limits()).await;
    let mut client = Client::connect_raw(&app.ws_url(&id, "")).await;
    let (code, reason) = client.closed_with().await;
    assert_eq!(code, 1011, "{reason}");
    let (status, body) = app.http.get(&format!("/api/canvases/{id}")).await;
    assert_eq!(status, 500);
    assert!(
        body["fout"]
            .as_str()
            .is_some_and(|m| m.contains("kan nu niet worden geladen")),
        "{body}"
    );

    let rows_after = log_rows(&db, &id).await;
    assert_eq!(rows_before, rows_after, "stored rows stay untouched");
    let snapshots: i64 = sqlx::query_scalar(&sql("SELECT COUNT(*) FROM canvas_snapshots"))
        .fetch_one(&db)
        .await
        .expect("count");
    assert_eq!(snapshots, 0);
}

#[tokio::test]
async fn a_long_log_is_compacted_into_a_snapshot() {
    let limits = Limits {
        compact_after: 10,
        ..test_limits()
    };
    let app = TestApp::spawn_with(limits.clone()).await;
    let id = app.create_canvas("Casus compact").await;
    let mut a = app.connect(&id).await;
    for n in 0..25 {
        a.type_text(&format!("{n} ")).await;
        a.round_trip().await;
    }
    let db = app.db().await;
    // The snapshot is written off the room's loop; wait for it.
    eventually("a snapshot covering the log", || async {
        let upto: Option<i64> = sqlx::query_scalar(&sql(
            "SELECT upto_seq FROM canvas_snapshots WHERE canvas_id = ?",
        ))
        .bind(&id)
        .fetch_optional(&db)
        .await
        .expect("query");
        upto.is_some_and(|upto| upto >= 20)
    })
    .await;
    let tail: i64 = sqlx::query_scalar(&sql(
        "SELECT COUNT(*) FROM canvas_updates WHERE canvas_id = ?",
    ))
    .bind(&id)
    .fetch_one(&db)
    .await
    .expect("count");
    assert!(tail < 10, "the log was truncated, {tail} rows left");

    let expected = a.text();
    a.close().await;
    let app = app.restart(limits).await;
    assert_eq!(app.connect(&id).await.text(), expected);
}

#[tokio::test]
async fn an_idle_canvas_is_unloaded_and_reloaded_on_demand() {
    let app = TestApp::spawn_with(Limits {
        idle_unload_secs: 0,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus slaap").await;
    let mut a = app.connect(&id).await;
    a.type_text("wakker").await;
    a.round_trip().await;
    assert_eq!(app.metric("doorbraak_loaded_canvases").await, 1.0);
    a.close().await;
    eventually("the canvas to unload", || async {
        app.metric("doorbraak_loaded_canvases").await == 0.0
    })
    .await;
    assert_eq!(app.connect(&id).await.text(), "wakker");
}
