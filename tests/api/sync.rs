//! Live co-editing between clients.

use crate::helpers::*;

#[tokio::test]
async fn two_clients_converge_and_the_api_reads_the_result() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus T-17").await;
    let mut a = app.connect(&id).await;
    let mut b = app.connect(&id).await;

    a.type_text("Moeder met zoon. ").await;
    b.type_text("Schooltaxi duurt lang.").await;
    a.wait("b's edit at a", |c| c.text().contains("Schooltaxi"))
        .await;
    b.wait("a's edit at b", |c| c.text().contains("Moeder"))
        .await;
    assert_eq!(a.text(), b.text());

    let canvas = app.canvas(&id).await;
    assert_eq!(canvas["steps"]["situation"], a.text());
    assert_eq!(canvas["label"], "Casus T-17");
    // And on disk: what both clients were relayed is in the database, not only in memory.
    assert_eq!(app.stored(&id).await["steps"]["situation"], a.text());
}

#[tokio::test]
async fn a_late_joiner_gets_the_full_state() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus late").await;
    let mut a = app.connect(&id).await;
    for word in ["een ", "twee ", "drie"] {
        a.type_text(word).await;
    }
    a.round_trip().await;
    a.close().await;

    let late = app.connect(&id).await;
    assert_eq!(late.text(), "een twee drie");
}

#[tokio::test]
async fn unknown_canvases_are_not_found_and_not_created() {
    let app = TestApp::spawn().await;
    let unknown = "6f1d8e53-1c1b-4d7e-9a55-2f1f0a4b7c11";
    for path in [
        format!("/api/canvases/{unknown}"),
        "/api/canvases/casus-17".into(),
    ] {
        let (status, body) = app.http.get(&path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["fout"], "Niet gevonden.");
    }
    assert_eq!(upgrade_status(&app.ws_url(unknown, "")).await, 404);
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list, serde_json::json!([]), "nothing was created");
}

#[tokio::test]
async fn the_saved_signal_goes_only_to_clients_that_ask() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus opgeslagen").await;
    let mut asking = Client::connect(&app.ws_url(&id, "?saved=1")).await;
    let mut plain = app.connect(&id).await;

    asking.type_text("a").await;
    asking.type_text("b").await;
    asking
        .wait("every update saved", |c| c.saved == Some(c.updates_sent))
        .await;
    let saved = asking.saved;

    plain.type_text("c").await;
    plain
        .wait("the other client's edits", |c| c.text().len() == 3)
        .await;
    plain.round_trip().await;
    assert_eq!(
        plain.saved_messages, 0,
        "the stock y-websocket client must not get unknown messages"
    );
    asking
        .wait("the plain client's edit", |c| c.text().len() == 3)
        .await;
    asking.round_trip().await;
    assert_eq!(asking.saved, saved, "only the client's own updates count");
}

#[tokio::test]
async fn metrics_count_connections_and_updates() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus metriek").await;
    let mut a = app.connect(&id).await;
    let mut b = app.connect(&id).await;
    assert_eq!(app.metric("doorbraak_open_connections").await, 2.0);
    assert_eq!(app.metric("doorbraak_loaded_canvases").await, 1.0);
    a.type_text("x").await;
    b.wait("the update", |c| c.updates_received == 1).await;
    assert!(app.metric("doorbraak_updates_received_total").await >= 1.0);
    assert_eq!(app.metric("doorbraak_updates_broadcast_total").await, 1.0);
    assert!(app.metric("doorbraak_persist_seconds_count").await >= 1.0);
    let (status, _) = app.http.request("GET", "/healthz", None).await;
    assert_eq!(status, 200);
    a.close().await;
    eventually("the connection gauge to drop", || async {
        app.metric("doorbraak_open_connections").await == 1.0
    })
    .await;
}
