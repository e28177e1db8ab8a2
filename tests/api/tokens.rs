//! Personal access tokens expire and show their last use; WebSocket clients that cannot set
//! headers use a short-lived, single-use ticket instead of putting a token in the URL.

use crate::helpers::*;

async fn ticket_for(app: &TestApp, person: &Person, id: &str) -> (u16, serde_json::Value) {
    app.as_person(person)
        .post_json(
            &format!("/api/canvases/{id}/ticket"),
            &serde_json::json!({}),
        )
        .await
}

fn with_ticket(app: &TestApp, id: &str, ticket: &str) -> SyncUrl {
    SyncUrl::bare(format!("ws://{}/sync/{id}?ticket={ticket}", app.address))
}

#[tokio::test]
async fn a_token_in_the_url_is_refused_with_directions_to_the_ticket_route() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus K-1").await;
    let url = format!(
        "ws://{}/sync/{id}?token={}",
        app.address, app.people.aanjager.token
    );
    let refused = open_with(&SyncUrl::bare(url), &[]).await;
    assert_eq!(refused.err(), Some(401));
    let path = format!("/sync/{id}?token={}", app.people.aanjager.token);
    let (status, body) = app.anonymous().get(&path).await;
    assert_eq!(status, 401);
    let message = body["fout"].as_str().unwrap_or_default();
    assert!(message.contains("/api/canvases/{id}/ticket"), "{message}");
    assert!(message.contains("?ticket="), "{message}");
}

#[tokio::test]
async fn a_ticket_opens_one_socket_to_its_canvas_once() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let id = app.create_canvas("Casus K-2").await;
    let other = app.create_canvas("Casus K-3").await;
    let (status, body) = ticket_for(&app, &people.teamlid, &id).await;
    assert_eq!(status, 200, "{body}");
    let ticket = body["ticket"].as_str().expect("ticket").to_owned();
    assert!(!ticket.contains(&people.teamlid.token));

    let mut client = Client::connect(&with_ticket(&app, &id, &ticket)).await;
    client.type_text("via een ticket").await;
    client.round_trip().await;
    assert_eq!(
        upgrade_status(&with_ticket(&app, &id, &ticket)).await,
        401,
        "used up"
    );
    let (_, body) = ticket_for(&app, &people.teamlid, &id).await;
    let for_id = body["ticket"].as_str().expect("ticket");
    assert_eq!(
        upgrade_status(&with_ticket(&app, &other, for_id)).await,
        401,
        "bound to its canvas"
    );

    // Expired: a minute is all it gets.
    let (_, body) = ticket_for(&app, &people.teamlid, &id).await;
    let late = body["ticket"].as_str().expect("ticket");
    sqlx::query(&sql("UPDATE sync_tickets SET expires_at = 0"))
        .execute(&app.db().await)
        .await
        .expect("expire");
    assert_eq!(upgrade_status(&with_ticket(&app, &id, late)).await, 401);

    // Only for a canvas the token's account may see, and only with a token.
    let (status, _) = ticket_for(&app, &people.other_member, &id).await;
    assert_eq!(status, 404);
    let session = app.sign_in(&people.teamlid.email, PASSWORD).await;
    let (status, _, _) = session
        .http
        .post_form(
            &format!("/api/canvases/{id}/ticket"),
            &form(&[("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 403);

    // The socket a ticket opened belongs to its token: revoking the token ends it.
    let (token_id,): (i64,) = sqlx::query_as(&sql(
        "SELECT id FROM api_tokens WHERE account_id = ? ORDER BY id LIMIT 1",
    ))
    .bind(people.teamlid.id)
    .fetch_one(&app.db().await)
    .await
    .expect("token");
    let (status, _, _) = session
        .http
        .post_form(
            &format!("/tokens/{token_id}/intrekken"),
            &form(&[("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    assert_eq!(client.closed_with().await.0, 1008);
}

#[tokio::test]
async fn tokens_expire_and_show_when_they_were_last_used() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let (status, _, page) = session
        .http
        .post_form(
            "/tokens",
            &form(&[
                ("name", "koppeling"),
                ("dagen", "30"),
                ("csrf", &session.csrf),
            ]),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    let start = page.find("<code id=\"new-token\">").expect("the new token") + 21;
    let token = page[start..start + page[start..].find('<').expect("end")].to_owned();
    let (created, expires): (i64, i64) = sqlx::query_as(&sql(
        "SELECT created_at, expires_at FROM api_tokens WHERE name = 'koppeling'",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("token row");
    assert_eq!((expires - created) / 86_400_000, 30, "chosen at creation");
    let (_, _, page) = session
        .http
        .post_form(
            "/tokens",
            &form(&[
                ("name", "te lang"),
                ("dagen", "9999"),
                ("csrf", &session.csrf),
            ]),
        )
        .await;
    assert!(page.contains("1 tot 366 dagen"), "{page}");

    let script = reqwest_lite::Client::new(app.address).with_token(&token);
    assert_eq!(script.get("/api/canvases").await.0, 200);
    let (_, _, page) = session.http.page("/tokens").await;
    let row = &page[page.find("<td>koppeling</td>").expect("the token's row")..];
    let row = &row[..row.find("</tr>").expect("end of row")];
    assert_eq!(
        row.matches("<time").count(),
        3,
        "made, expires and last used: {row}"
    );
    let used: (Option<i64>,) = sqlx::query_as(&sql(
        "SELECT last_used_at FROM api_tokens WHERE name = 'koppeling'",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("row");
    assert!(used.0.is_some(), "its use is recorded");

    sqlx::query(&sql(
        "UPDATE api_tokens SET expires_at = 1 WHERE name = 'koppeling'",
    ))
    .execute(&app.db().await)
    .await
    .expect("expire");
    assert_eq!(
        script.get("/api/canvases").await.0,
        401,
        "an expired token works no more"
    );
    let (_, _, page) = session.http.page("/tokens").await;
    assert!(page.contains("Verlopen"), "{page}");
}
