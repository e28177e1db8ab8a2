//! Presence: relayed, owned, removed on disconnect and after the timeout.

use doorbraak::config::Limits;

use crate::helpers::*;

const ANNE: &str = r##"{"user":{"name":"Aanjager","color":"#30bced"}}"##;

fn state_of(client: &Client, id: u64) -> Option<String> {
    client
        .presence
        .get(&id)
        .and_then(|(_, state)| state.clone())
}

#[tokio::test]
async fn presence_is_relayed_and_removed_as_soon_as_the_connection_closes() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus aanwezig").await;
    let mut a = app.connect(&id).await;
    let mut b = app.connect(&id).await;

    a.set_presence(1001, 1, Some(ANNE)).await;
    b.wait("a's presence", |c| {
        state_of(c, 1001).as_deref() == Some(ANNE)
    })
    .await;
    let late = app.connect(&id).await;
    // A joiner gets the current presence with the server's first messages.
    let mut late = late;
    late.wait("presence for the joiner", |c| state_of(c, 1001).is_some())
        .await;

    a.close().await;
    // Well inside the 30 s timeout: the removal comes from the closed connection itself.
    b.wait("a's presence to be removed", |c| {
        c.presence.get(&1001).is_some_and(|(_, s)| s.is_none())
    })
    .await;
}

#[tokio::test]
async fn presence_that_is_not_renewed_times_out() {
    let app = TestApp::spawn_with(Limits {
        awareness_timeout_secs: 1,
        ..test_limits()
    })
    .await;
    let id = app.create_canvas("Casus verlopen").await;
    let mut a = app.connect(&id).await;
    let mut b = app.connect(&id).await;
    a.set_presence(7, 1, Some(ANNE)).await;
    b.wait("the presence", |c| state_of(c, 7).is_some()).await;
    b.wait("the presence to time out", |c| {
        c.presence.get(&7).is_some_and(|(_, s)| s.is_none())
    })
    .await;
    // The connection itself is still open: only the stale entry went.
    a.round_trip().await;
}

#[tokio::test]
async fn a_connection_cannot_set_or_remove_presence_it_does_not_own() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus eigenaar").await;
    let mut owner = app.connect(&id).await;
    let mut intruder = app.connect(&id).await;
    let mut watcher = app.connect(&id).await;

    owner.set_presence(42, 1, Some(ANNE)).await;
    watcher
        .wait("the owner's presence", |c| state_of(c, 42).is_some())
        .await;
    intruder
        .set_presence(42, 9, Some(r#"{"user":{"name":"Nep"}}"#))
        .await;
    intruder.set_presence(42, 10, None).await;
    intruder.round_trip().await;

    watcher.presence.clear();
    watcher.round_trip().await;
    assert_eq!(watcher.presence.get(&42), Some(&(1, Some(ANNE.to_owned()))));
    owner.round_trip().await;
}
