//! Every kind of bad input closes only the offending connection, with a close code and a reason;
//! the canvas and its other clients carry on.

use doorbraak::{config::Limits, sync::protocol};
use tokio_tungstenite::tungstenite::Message;
use yrs::{Doc, ReadTxn, StateVector, Text, Transact};

use crate::helpers::*;

/// Connects a well-behaved pair, lets `attack` misbehave on a third connection, and checks the
/// close code, that the pair still works and that the canvas is intact.
async fn refused(app: &TestApp, bad: Message, expected_code: u16) -> String {
    let id = app.create_canvas("Casus robuust").await;
    let mut a = app.connect(&id).await;
    let mut b = app.connect(&id).await;
    a.type_text("voor ").await;
    b.wait("the first edit", |c| c.text() == "voor ").await;

    let mut attacker = app.connect(&id).await;
    attacker.send(bad).await;
    let (code, reason) = attacker.closed_with().await;
    assert_eq!(code, expected_code, "reason: {reason}");
    assert!(!reason.is_empty(), "a close reason is given");

    a.type_text("na").await;
    b.wait("edits after the attack", |c| c.text() == "voor na")
        .await;
    assert_eq!(app.stored(&id).await["steps"]["situation"], "voor na");
    reason
}

#[tokio::test]
async fn truncated_messages_are_a_protocol_error() {
    let app = TestApp::spawn().await;
    let update = protocol::encode_update(b"\x01\x02\x03\x04");
    refused(
        &app,
        Message::Binary(update.slice(..update.len() - 2)),
        1002,
    )
    .await;
}

#[tokio::test]
async fn trailing_bytes_are_a_protocol_error() {
    let app = TestApp::spawn().await;
    refused(&app, Message::Binary(vec![3, 0, 0].into()), 1002).await;
}

#[tokio::test]
async fn unknown_message_types_are_unsupported() {
    let app = TestApp::spawn().await;
    refused(&app, Message::Binary(vec![2, 0].into()), 1003).await;
    refused(&app, Message::Binary(vec![0, 9, 0].into()), 1003).await;
}

#[tokio::test]
async fn text_frames_are_unsupported() {
    let app = TestApp::spawn().await;
    let reason = refused(&app, Message::Text("hallo".into()), 1003).await;
    assert!(reason.contains("binaire"), "{reason}");
}

#[tokio::test]
async fn messages_over_the_size_limit_are_refused() {
    let app = TestApp::spawn_with(Limits {
        max_message_bytes: 4096,
        max_update_bytes: 8192,
        ..test_limits()
    })
    .await;
    // Presence is never large: over --max-message-bytes.
    let entry = protocol::AwarenessEntry {
        client_id: 5,
        clock: 1,
        state: Some(format!("{{\"x\":\"{}\"}}", "a".repeat(5000)).into()),
    };
    let big = protocol::encode_awareness([entry].iter());
    let reason = refused(&app, Message::Binary(big), 1009).await;
    assert_eq!(reason, "Bericht is te groot.");
    // A document update may be larger, up to --max-update-bytes; past it the reason says the
    // work is kept in the browser.
    let writer = Doc::new();
    let text = writer.get_or_insert_text("situation");
    text.push(&mut writer.transact_mut(), &"b".repeat(10_000));
    let update = writer
        .transact()
        .encode_state_as_update_v1(&StateVector::default());
    let reason = refused(
        &app,
        Message::Binary(protocol::encode_update(&update)),
        1009,
    )
    .await;
    assert!(reason.contains("te groot om op te slaan"), "{reason}");
}

#[tokio::test]
async fn updates_yrs_cannot_decode_are_refused() {
    let app = TestApp::spawn().await;
    // Well framed, but the update inside is garbage.
    refused(
        &app,
        Message::Binary(protocol::encode_update(&[0xff, 0xff, 0xff, 0x01, 0x02])),
        1007,
    )
    .await;
}

#[tokio::test]
async fn invalid_awareness_json_is_refused() {
    let app = TestApp::spawn().await;
    let entry = protocol::AwarenessEntry {
        client_id: 5,
        clock: 1,
        state: Some("{kapot".into()),
    };
    refused(
        &app,
        Message::Binary(protocol::encode_awareness([entry].iter())),
        1002,
    )
    .await;
}

/// yrs would cut a client id beyond 53 bits to its low bits in release builds (and trip an
/// assertion in debug builds), so JavaScript clients and the server would disagree about the
/// document. Such an update is refused at decode, before yrs sees it, whether it names the id in
/// a block, an origin or the delete set. (A panic inside yrs itself is covered by the room's unit
/// tests, which inject one into each kind of call.)
#[tokio::test]
async fn updates_with_client_ids_beyond_53_bits_are_refused_at_decode() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus paniek").await;
    let mut a = app.connect(&id).await;
    a.type_text("bewaard").await;
    a.round_trip().await;

    // One client, one block, a string item in the root `text`.
    let mut update = vec![1, 1];
    protocol::write_var_uint(&mut update, u64::MAX >> 1);
    update.extend_from_slice(&[0, 4, 1, 4, b't', b'e', b'x', b't', 1, b'x', 0]);
    let mut attacker = app.connect(&id).await;
    attacker.send_raw(protocol::encode_update(&update)).await;
    assert_eq!(attacker.closed_with().await.0, 1007);
    // The others stay connected: nothing reached the document.
    a.round_trip().await;

    let fresh = app.connect(&id).await;
    assert_eq!(fresh.text(), "bewaard");
    assert_eq!(app.stored(&id).await["steps"]["situation"], "bewaard");
}
