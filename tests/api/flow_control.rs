//! Slow readers, dead connections and greedy addresses cannot hurt the others.

use doorbraak::config::Limits;

use crate::helpers::*;

#[tokio::test]
async fn a_client_that_does_not_read_is_disconnected() {
    let app = TestApp::spawn_with(Limits {
        send_queue: 4,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus traag").await;
    let mut slow = app.connect(&id).await; // Does not read until it is disconnected.
    let mut writer = app.connect(&id).await;
    let mut reader = app.connect(&id).await;
    let chunk = "x".repeat(64 * 1024);
    let mut sent = 0;
    while app
        .metric("doorbraak_clients_disconnected_slow_total")
        .await
        < 1.0
    {
        assert!(sent < 2_000, "the slow client was never disconnected");
        writer.type_text(&chunk).await;
        sent += 1;
        // Keep the healthy reader drained so that only the slow one falls behind.
        reader
            .wait("the writer's update", |c| c.updates_received >= sent)
            .await;
    }
    writer.type_text("klaar").await;
    reader
        .wait("edits after the disconnect", |c| {
            c.text().ends_with("klaar")
        })
        .await;
    // What it finally reads ends with the close frame the server sent: 1013, try again later.
    assert_eq!(slow.closed_with().await.0, 1013);
    eventually("the slow connection to be gone", || async {
        app.metric("doorbraak_open_connections").await == 2.0
    })
    .await;
}

#[tokio::test]
async fn dead_connections_are_reaped() {
    let app = TestApp::spawn_with(Limits {
        ping_interval_secs: 1,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus stil").await;
    // Connects, then never reads: it answers no ping.
    let _silent = app.connect(&id).await;
    assert_eq!(app.metric("doorbraak_open_connections").await, 1.0);
    eventually("the silent connection to be reaped", || async {
        app.metric("doorbraak_open_connections").await == 0.0
    })
    .await;
}

#[tokio::test]
async fn connections_per_address_are_capped() {
    let app = TestApp::spawn_with(Limits {
        max_connections_per_ip: 2,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus druk").await;
    let first = app.connect(&id).await;
    let _second = app.connect(&id).await;
    assert_eq!(open_with(&app.ws_url(&id, ""), &[]).await.err(), Some(429));
    first.close().await;
    eventually("a slot to free up", || async {
        app.metric("doorbraak_open_connections").await == 1.0
    })
    .await;
    app.connect(&id).await;
}

#[tokio::test]
async fn a_flooding_client_is_slowed_down_not_dropped() {
    let app = TestApp::spawn_with(Limits {
        client_messages_per_sec: 10,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus vloed").await;
    let mut flooder = app.connect(&id).await; // The handshake took one message of the budget.
    let started = std::time::Instant::now();
    for n in 0..30 {
        flooder.type_text(&format!("{n} ")).await;
    }
    flooder.round_trip().await;
    // Burst of 10, then 10 per second: the last of 31 messages cannot pass before 2 s.
    assert!(
        started.elapsed() >= std::time::Duration::from_millis(1900),
        "read at {:?}",
        started.elapsed()
    );
    assert!(flooder.closed.is_none());
    assert_eq!(app.stored(&id).await["steps"]["situation"], flooder.text());
}

/// Behind a trusted reverse proxy the per-address cap counts the client address the proxy names
/// in `X-Forwarded-For`; from a peer that is not trusted the header counts for nothing.
#[tokio::test]
async fn the_cap_counts_the_real_client_behind_a_trusted_proxy() {
    let limits = Limits {
        max_connections_per_ip: 1,
        ..test_limits()
    };
    let behind_proxy = doorbraak::config::AuthSettings {
        trusted_proxies: vec!["127.0.0.0/8".parse().expect("net")],
        ..Default::default()
    };
    let app = TestApp::spawn_configured(limits.clone(), behind_proxy).await;
    let id = app.create_canvas("Casus proxy").await;
    let url = app.ws_url(&id, "");
    let from = |client: &'static str| [("X-Forwarded-For", client)];
    let _anne = open_with(&url, &from("198.51.100.1"))
        .await
        .expect("first client");
    assert_eq!(
        open_with(&url, &from("198.51.100.1")).await.err(),
        Some(429)
    );
    let _bert = open_with(&url, &from("198.51.100.2"))
        .await
        .expect("another client");
    // The client's own forged entry on the left does not make it someone else.
    let forged = [("X-Forwarded-For", "198.51.100.9, 198.51.100.1")];
    assert_eq!(open_with(&url, &forged).await.err(), Some(429));

    // Without trusted proxies, every connection from this machine is one address.
    let app = TestApp::spawn_with(limits).await;
    let id = app.create_canvas("Casus direct").await;
    let url = app.ws_url(&id, "");
    let _first = open_with(&url, &from("198.51.100.1")).await.expect("first");
    assert_eq!(
        open_with(&url, &from("198.51.100.2")).await.err(),
        Some(429)
    );
}

/// A connection that trickles its request head, sends nothing at all, or stops halfway through
/// a WebSocket upgrade is closed after the header-read timeout, instead of holding a connection
/// open for as long as it likes.
#[tokio::test]
async fn slow_clients_cannot_hold_connections_open() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let app = TestApp::spawn_with(Limits {
        header_read_timeout_secs: 1,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus traag").await;
    let started = std::time::Instant::now();
    let trickle = async {
        let mut stream = tokio::net::TcpStream::connect(app.address)
            .await
            .expect("connect");
        for byte in b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Traag: "
            .iter()
            .cycle()
        {
            if stream.write_all(&[*byte]).await.is_err() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    };
    let silent = async {
        let mut stream = tokio::net::TcpStream::connect(app.address)
            .await
            .expect("connect");
        let mut buffer = [0u8; 64];
        // Ends with the server closing: EOF (0) or a reset.
        let _ = stream.read(&mut buffer).await;
    };
    let half_upgrade = async {
        let mut stream = tokio::net::TcpStream::connect(app.address)
            .await
            .expect("connect");
        let head = format!(
            "GET /sync/{id} HTTP/1.1\r\nHost: {}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n",
            app.address
        );
        stream.write_all(head.as_bytes()).await.expect("write");
        let mut buffer = [0u8; 64];
        let _ = stream.read(&mut buffer).await;
    };
    within("the server to close all three", async {
        tokio::join!(trickle, silent, half_upgrade)
    })
    .await;
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    // Ordinary requests still work.
    let (status, _) = app.http.get(&format!("/api/canvases/{id}")).await;
    assert_eq!(status, 200);
}

/// A graceful shutdown closes every socket with 1001, going away.
#[tokio::test]
async fn shutdown_closes_sockets_with_1001() {
    let mut app = TestApp::spawn().await;
    let id = app.create_canvas("Casus stop").await;
    let mut client = app.connect(&id).await;
    client.round_trip().await;
    app.stop().await;
    assert_eq!(client.closed_with().await.0, 1001);
}
