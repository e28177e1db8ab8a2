//! Presence: relayed, owned, removed on disconnect and after the timeout.

use doorbraak::config::Limits;

use crate::helpers::*;

const ANNE: &str = r##"{"user":{"name":"Aanjager","color":"#30bced"}}"##;

/// `state` as the server relays it from the test aanjager: name and role from the account.
fn as_aanjager(state: &str) -> String {
    let mut value: serde_json::Value = serde_json::from_str(state).expect("json");
    value["user"]["name"] = "aanjager".into();
    value["user"]["role"] = "Aanjager".into();
    value.to_string()
}

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
        state_of(c, 1001) == Some(as_aanjager(ANNE))
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
    assert_eq!(
        watcher.presence.get(&42),
        Some(&(1, Some(as_aanjager(ANNE))))
    );
    owner.round_trip().await;
}

/// The name and role in presence are the account's, whatever the client says, in what others
/// see and in the overview's "who is here"; and a presence id stays with its account after a
/// disconnect, so nobody else can take it over.
#[tokio::test]
async fn presence_says_who_someone_is_from_the_account() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus wie").await;
    let people = app.people.clone();
    let mut teamlid = Client::connect(&app.ws_url_as(&people.teamlid, &id, "")).await;
    let mut watcher = app.connect(&id).await;
    teamlid
        .set_presence(42, 1, Some(r##"{"user":{"name":"Coach Gelderland","role":"doorbraakcoach","color":"#30bced"}}"##))
        .await;
    watcher
        .wait("the presence", |c| state_of(c, 42).is_some())
        .await;
    let state: serde_json::Value =
        serde_json::from_str(&state_of(&watcher, 42).expect("state")).expect("json");
    assert_eq!(state["user"]["name"], "teamlid");
    assert_eq!(state["user"]["role"], "Teamlid");
    assert_eq!(state["user"]["color"], "#30bced");
    let overview = app.as_person(&people.aanjager).get_text("/").await;
    assert!(!overview.contains("Coach Gelderland"), "{overview}");
    eventually("the overview to show the account's name", || async {
        app.as_person(&people.aanjager)
            .get_text("/")
            .await
            .contains(">teamlid<")
    })
    .await;

    teamlid.close().await;
    watcher
        .wait("the removal", |c| {
            c.presence.get(&42).is_some_and(|(_, s)| s.is_none())
        })
        .await;
    let mut other = Client::connect(&app.ws_url_as(&people.projectleider, &id, "")).await;
    other
        .set_presence(42, 5, Some(r#"{"user":{"name":"Overgenomen"}}"#))
        .await;
    other.round_trip().await;
    watcher.round_trip().await;
    assert!(
        watcher.presence.get(&42).is_some_and(|(_, s)| s.is_none()),
        "another account cannot take the id over"
    );
}
