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

/// The server's log lines in `format` (`None`: the default), written to a file (not a terminal)
/// while it starts, serves a request and stops.
async fn log_lines(format: Option<&str>) -> String {
    let database = TestDatabase::new().await;
    let (folder, database_url) = (&database.folder, database.url.clone());
    let log = folder.path().join("stderr.log");
    let extra: Vec<&str> = format.map(|f| vec!["--log-format", f]).unwrap_or_default();
    let (mut server, address) =
        start_binary_logging(&database_url, &extra, Some(("info", log.as_path()))).await;
    let http = reqwest_lite::Client::new(address.parse().expect("address"));
    assert_eq!(http.get_text("/healthz").await, "ok");
    server.kill().await.expect("kill");
    std::fs::read_to_string(&log).expect("log")
}

#[tokio::test]
async fn logs_to_a_file_carry_no_colour_codes_and_json_is_one_object_per_line() {
    let text = log_lines(None).await;
    assert!(text.contains("listening"), "{text}");
    assert!(!text.contains('\u{1b}'), "escape codes in a file: {text:?}");

    let json = log_lines(Some("json")).await;
    let lines: Vec<&str> = json.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(!lines.is_empty());
    for line in &lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(
            value["level"].is_string() && value["timestamp"].is_string(),
            "{line}"
        );
        assert!(value["fields"].is_object(), "{line}");
    }
    assert!(
        lines
            .iter()
            .any(|l| l.contains("\"message\":\"listening\"")),
        "{json}"
    );
    assert!(!json.contains('\u{1b}'));
}
