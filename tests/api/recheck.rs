//! The periodic re-check of open connections (`services::recheck`): access that changed without
//! the server hearing of it (here: written straight into the database, as when the process that
//! made the change was killed before it told the others) closes the connections it concerns
//! within one round, and leaves the others open.

use doorbraak::config::AuthSettings;

use crate::helpers::*;

/// A server that re-checks every second.
async fn rechecking() -> TestApp {
    let auth = AuthSettings {
        recheck_secs: 1,
        ..AuthSettings::default()
    };
    TestApp::spawn_configured(test_limits(), auth).await
}

async fn execute(app: &TestApp, query: &str, id: i64) {
    sqlx::query(&sql(query))
        .bind(id)
        .execute(&app.db().await)
        .await
        .expect("change behind the server's back");
}

#[tokio::test]
async fn a_member_removed_behind_the_servers_back_is_disconnected_and_the_others_stay() {
    let app = rechecking().await;
    let id = app.create_canvas("Casus R-1").await;
    let mut removed = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    let mut staying = Client::connect(&app.ws_url_as(&app.people.aanjager, &id, "")).await;
    execute(
        &app,
        "DELETE FROM memberships WHERE account_id = ?",
        app.people.teamlid.id,
    )
    .await;
    let (code, reason) = removed.closed_with().await;
    assert_eq!(
        (code, reason.as_str()),
        (1008, "Je toegang is gewijzigd of ingetrokken.")
    );
    // The round that closed the one checked the other too, and left it open.
    staying.round_trip().await;
    staying.type_text("nog steeds verbonden").await;
    assert_eq!(
        upgrade_status(&app.ws_url_as(&app.people.teamlid, &id, "")).await,
        404
    );
}

#[tokio::test]
async fn a_role_changed_behind_the_servers_back_reconnects_with_the_role_it_has_now() {
    let app = rechecking().await;
    let id = app.create_canvas("Casus R-2").await;
    let mut socket = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    // Edit before and after: only the role others see in presence changes.
    execute(
        &app,
        "UPDATE memberships SET role = 'projectleider' WHERE account_id = ?",
        app.people.teamlid.id,
    )
    .await;
    assert_eq!(socket.closed_with().await.0, 1008);
    let mut again = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    again.type_text("als projectleider").await;
}

#[tokio::test]
async fn a_canvas_archived_behind_the_servers_back_makes_its_editors_reconnect_read_only() {
    let app = rechecking().await;
    let id = app.create_canvas("Casus R-3").await;
    let mut editor = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    sqlx::query(&sql(
        "UPDATE canvases SET status = 'gearchiveerd' WHERE id = ?",
    ))
    .bind(&id)
    .execute(&app.db().await)
    .await
    .expect("archive behind the server's back");
    assert_eq!(editor.closed_with().await.0, 1008);
    let mut reader = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    reader
        .wait("the read-only notice", |client| {
            client.read_only_notices > 0
        })
        .await;
}

#[tokio::test]
async fn a_token_revoked_behind_the_servers_back_closes_its_socket() {
    let app = rechecking().await;
    let id = app.create_canvas("Casus R-4").await;
    let mut socket = Client::connect(&app.ws_url_as(&app.people.teamlid, &id, "")).await;
    execute(
        &app,
        "UPDATE api_tokens SET revoked_at = 1 WHERE account_id = ?",
        app.people.teamlid.id,
    )
    .await;
    assert_eq!(socket.closed_with().await.0, 1008);
    assert_eq!(
        upgrade_status(&app.ws_url_as(&app.people.teamlid, &id, "")).await,
        401
    );
}

#[tokio::test]
async fn a_session_ended_behind_the_servers_back_closes_its_socket() {
    let app = rechecking().await;
    let id = app.create_canvas("Casus R-5").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let mut socket = app.connect_as_browser(&session, &id).await;
    execute(
        &app,
        "UPDATE sessions SET ended_at = 1 WHERE account_id = ?",
        app.people.teamlid.id,
    )
    .await;
    assert_eq!(socket.closed_with().await.0, 1008);
}

#[tokio::test]
async fn a_coach_dashboard_stream_ends_when_the_coach_role_is_taken_away_behind_the_servers_back() {
    let app = rechecking().await;
    let coach = &app.people.coach;
    let mut stream = EventStream::open(&app, coach, "/coach/gebeurtenissen").await;
    execute(
        &app,
        "UPDATE accounts SET coach_province_id = NULL WHERE id = ?",
        coach.id,
    )
    .await;
    // It filtered its events by the province it coached: it ends, and the page reopens it with
    // the access the account has now (here: none, 403).
    stream.ended().await;
}
