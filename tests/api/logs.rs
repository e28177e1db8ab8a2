//! Canvas content is casework: it never reaches the logs, not even at `RUST_LOG=trace`.

use crate::helpers::*;

#[tokio::test]
async fn no_canvas_content_or_credential_in_the_logs_at_trace() {
    let BinaryCanvas {
        people,
        mut server,
        address,
        id,
        log,
        folder: _folder,
        ..
    } = binary_with_canvas("Casus L-7", Some("trace")).await;
    let http = reqwest_lite::Client::new(address.parse().expect("address"))
        .with_token(&people.aanjager.token);
    let mut client = Client::connect_with_bearer(&address, &people.teamlid.token, &id).await;
    // A second client, so that the server also writes the content out (relay, sync step 2).
    let mut observer = Client::connect_with_bearer(&address, &people.aanjager.token, &id).await;
    client.type_text("GEHEIM-inhoud-van-de-casus").await;
    observer
        .wait("the relayed edit", |c| c.text().contains("GEHEIM"))
        .await;
    let late = Client::connect_with_bearer(&address, &people.aanjager.token, &id).await;
    assert!(late.text().contains("GEHEIM"));
    let (status, content) = http.get(&format!("/api/canvases/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(content["steps"]["situation"], "GEHEIM-inhoud-van-de-casus");
    client.close().await;
    server.kill().await.expect("kill");

    let logged = std::fs::read_to_string(&log).expect("log");
    // Our own debug output is there: the filter was as verbose as asked for our code.
    assert!(
        logged.contains("DEBUG"),
        "verbose logging was on: {} bytes",
        logged.len()
    );
    assert!(!logged.contains("GEHEIM"), "canvas content in the log");
    for token in [&people.aanjager.token, &people.teamlid.token] {
        let secret = token.trim_start_matches("dbk_");
        assert!(!logged.contains(secret), "a token in the log");
    }
}
