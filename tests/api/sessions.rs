//! Signing in and out, sessions that expire, lockout, CSRF, and the audit entries of each.

use std::time::Duration;

use crate::helpers::*;

#[tokio::test]
async fn sign_in_then_out() {
    let app = TestApp::spawn().await;
    let session = app.sign_in("Teamlid@Test.Doorbraak.nl ", PASSWORD).await;
    assert!(!session.csrf.is_empty());
    let (status, _, overview) = session.http.page("/").await;
    assert_eq!(status, 200);
    assert!(overview.contains("teamlid") && overview.contains("Uitloggen"));

    let (status, head, _) = session
        .http
        .post_form("/uitloggen", &form(&[("csrf", &session.csrf)]))
        .await;
    assert_eq!(status, 303);
    assert!(head.contains("location: /inloggen?uitgelogd=1"));
    assert!(head.contains("max-age=0"), "the cookie is cleared: {head}");
    let (status, _) = session.http.get("/api/canvases").await;
    assert_eq!(status, 401, "the session has ended on the server too");

    let events: Vec<String> = audit_events(&app).await.into_iter().map(|e| e.0).collect();
    assert_eq!(events, ["sign_in", "sign_out"]);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_and_secure_behind_tls() {
    let app = TestApp::spawn().await;
    let body = form(&[("email", &app.people.teamlid.email), ("password", PASSWORD)]);
    let (_, head, _) = app.anonymous().post_form("/inloggen", &body).await;
    let cookie = head
        .lines()
        .find(|l| l.starts_with("set-cookie:"))
        .expect("cookie");
    assert!(
        cookie.contains("httponly") && cookie.contains("samesite=lax"),
        "{cookie}"
    );
    assert!(
        !cookie.contains("secure"),
        "plain HTTP on a laptop: {cookie}"
    );
    let (_, head, _) = app
        .anonymous()
        .with_header("X-Forwarded-Proto", "https")
        .post_form("/inloggen", &body)
        .await;
    assert!(head.contains("; secure"), "{head}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_address_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let (known, _, known_page) = app
        .anonymous()
        .post_form(
            "/inloggen",
            &form(&[
                ("email", &app.people.teamlid.email),
                ("password", "niet het wachtwoord"),
            ]),
        )
        .await;
    let (unknown, _, unknown_page) = app
        .anonymous()
        .post_form(
            "/inloggen",
            &form(&[
                ("email", "niemand@test.doorbraak.nl"),
                ("password", "niet het wachtwoord"),
            ]),
        )
        .await;
    assert_eq!((known, unknown), (401, 401));
    let message = "Het e-mailadres of het wachtwoord klopt niet.";
    assert!(known_page.contains(message) && unknown_page.contains(message));
    let failed: Vec<_> = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "sign_in_failed")
        .collect();
    assert_eq!(failed.len(), 2);
    assert_eq!(
        failed[0].1, app.people.teamlid.email,
        "a known account is named"
    );
}

#[tokio::test]
async fn repeated_failures_are_slowed_down_then_locked() {
    let app = TestApp::spawn().await;
    let email = app.people.projectleider.email.clone();
    let wrong = form(&[("email", &email), ("password", "niet het wachtwoord")]);
    let mut waits = Vec::new();
    for _ in 0..8 {
        let started = std::time::Instant::now();
        let (status, _, _) = app.anonymous().post_form("/inloggen", &wrong).await;
        assert_eq!(status, 401);
        waits.push(started.elapsed());
    }
    assert!(
        waits[..3].iter().all(|w| *w < Duration::from_millis(450)),
        "free: {waits:?}"
    );
    assert!(waits[3] >= Duration::from_millis(500), "slowed: {waits:?}");
    assert!(waits[5] >= Duration::from_secs(2), "doubling: {waits:?}");
    // Locked now: even the right password is refused, and says why.
    let right = form(&[("email", &email), ("password", PASSWORD)]);
    let (status, _, page) = app.anonymous().post_form("/inloggen", &right).await;
    assert_eq!(status, 401);
    assert!(page.contains("Te veel mislukte pogingen"), "{page}");
    // An address without an account locks the same way, so the lock reveals nothing.
    let db = app.db().await;
    let (failures,): (i64,) = sqlx::query_as(&sql(
        "SELECT failures FROM sign_in_failures WHERE email = ?",
    ))
    .bind(&email)
    .fetch_one(&db)
    .await
    .expect("counted");
    assert_eq!(failures, 8);
    // Once the lock has passed, the right password works again and resets the count.
    sqlx::query(&sql(
        "UPDATE sign_in_failures SET last_failure_at = last_failure_at - 16 * 60 * 1000",
    ))
    .execute(&db)
    .await
    .expect("age the lock");
    app.sign_in(&email, PASSWORD).await;
}

#[tokio::test]
async fn sessions_expire_after_inactivity() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let (status, _) = session.http.get("/api/canvases").await;
    assert_eq!(status, 200);
    // An hour and a minute without activity (the default limit is an hour).
    sqlx::query(&sql(
        "UPDATE sessions SET last_seen_at = last_seen_at - 61 * 60 * 1000",
    ))
    .execute(&app.db().await)
    .await
    .expect("age the session");
    let (status, _) = session.http.get("/api/canvases").await;
    assert_eq!(status, 401);
    let (status, head, _) = session
        .http
        .clone()
        .with_header("Accept", "text/html")
        .page("/")
        .await;
    assert_eq!(status, 303);
    assert!(
        head.contains("verlopen=1"),
        "the sign-in page says why: {head}"
    );
}

#[tokio::test]
async fn cookie_requests_that_change_something_need_the_csrf_token() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (status, _, _) = session
        .http
        .post_form("/canvases", &form(&[("label", "Casus C")]))
        .await;
    assert_eq!(status, 403, "no token");
    let (status, _, _) = session
        .http
        .post_form(
            "/canvases",
            &form(&[("label", "Casus C"), ("csrf", "verkeerd")]),
        )
        .await;
    assert_eq!(status, 403, "wrong token");
    let (status, _) = session
        .http
        .post_json("/api/canvases", &serde_json::json!({ "label": "Casus C" }))
        .await;
    assert_eq!(status, 403, "JSON with the cookie needs the header");
    let (status, _) = session
        .http
        .clone()
        .with_header("X-CSRF-Token", &session.csrf)
        .post_json("/api/canvases", &serde_json::json!({ "label": "Casus C" }))
        .await;
    assert_eq!(status, 201, "JSON with the header");
    let (status, _, _) = session
        .http
        .clone()
        .with_header("Origin", "https://evil.example")
        .post_form(
            "/canvases",
            &form(&[("label", "Casus C"), ("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 403, "another site");
    let (status, head, _) = session
        .http
        .post_form(
            "/canvases",
            &form(&[("label", "Casus C"), ("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 303, "{head}");
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(2),
        "only the two accepted ones"
    );
}

#[tokio::test]
async fn a_session_websocket_needs_its_own_origin() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus S").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let url = SyncUrl::bare(format!("ws://{}/sync/{id}", app.address));
    let own = format!("http://{}", app.address);
    let cookie = session.cookie.as_str();
    assert_eq!(
        upgrade_status_with(&url, &[("Cookie", cookie), ("Origin", &own)]).await,
        101
    );
    assert_eq!(
        upgrade_status_with(
            &url,
            &[("Cookie", cookie), ("Origin", "https://evil.example")]
        )
        .await,
        403
    );
    assert_eq!(
        upgrade_status_with(&url, &[("Cookie", cookie)]).await,
        403,
        "no Origin"
    );
}

#[tokio::test]
async fn opening_editing_and_exporting_are_audited_once_per_session_and_canvas() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus A").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let (status, _, _) = session.http.page(&format!("/canvases/{id}")).await;
    assert_eq!(status, 200);
    for _ in 0..2 {
        // Two connections of one session, many keystrokes each.
        let mut client = app.connect_as_browser(&session, &id).await;
        for letter in ["a", "b", "c"] {
            client.type_text(letter).await;
        }
        client.round_trip().await;
        client.close().await;
    }
    app.canvas(&id).await; // The aanjager's token reads it through the API: an export.
    let teamlid = app.people.teamlid.email.as_str();
    let aanjager = app.people.aanjager.email.as_str();
    eventually("the edit to be recorded", || async {
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "canvas_edited")
    })
    .await;
    let events: Vec<(String, String)> = audit_events(&app)
        .await
        .into_iter()
        .map(|(event, who, _)| (event, who))
        .collect();
    let count =
        |event: &str, who: &str| events.iter().filter(|e| e.0 == event && e.1 == who).count();
    assert_eq!(count("canvas_created", aanjager), 1);
    assert_eq!(count("sign_in", teamlid), 1);
    assert_eq!(count("canvas_opened", teamlid), 1);
    assert_eq!(count("canvas_edited", teamlid), 1, "{events:?}");
    assert_eq!(count("exported", aanjager), 1);
}

#[tokio::test]
async fn the_audit_log_cannot_be_changed() {
    let app = TestApp::spawn().await;
    app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let db = app.db().await;
    assert!(
        sqlx::query(&sql("UPDATE audit_log SET detail = 'x'"))
            .execute(&db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query(&sql("DELETE FROM audit_log"))
            .execute(&db)
            .await
            .is_err()
    );
    assert_eq!(audit_events(&app).await.len(), 1);
}

#[tokio::test]
async fn editing_over_the_websocket_keeps_the_session_alive() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus W").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let db = app.db().await;
    // Fifty-nine minutes of typing without loading a page.
    sqlx::query(&sql(
        "UPDATE sessions SET last_seen_at = last_seen_at - 59 * 60 * 1000",
    ))
    .execute(&db)
    .await
    .expect("age the session");
    let mut client = app.connect_as_browser(&session, &id).await;
    client.type_text("nog steeds bezig").await;
    eventually("the session to be marked active", || async {
        // Now in whole seconds (as strftime('%s', 'now') was), from the clock the server uses.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("time")
            .as_secs() as i64
            * 1000;
        let (idle,): (i64,) = sqlx::query_as(&sql("SELECT ? - last_seen_at FROM sessions"))
            .bind(now)
            .fetch_one(&db)
            .await
            .expect("session");
        idle < 60_000
    })
    .await;
    sqlx::query(&sql(
        "UPDATE sessions SET last_seen_at = last_seen_at - 2 * 60 * 1000",
    ))
    .execute(&db)
    .await
    .expect("two more minutes");
    assert_eq!(
        session.http.get("/api/canvases").await.0,
        200,
        "still signed in"
    );
}

#[tokio::test]
async fn a_burst_of_guesses_gets_no_more_tries_than_one_by_one() {
    let app = TestApp::spawn().await;
    let email = app.people.teamlid.email.clone();
    let wrong = form(&[("email", &email), ("password", "niet het wachtwoord")]);
    let attempts = (0..12).map(|_| {
        let http = app.anonymous();
        let body = wrong.clone();
        async move { http.post_form("/inloggen", &body).await.0 }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    let (failures,): (i64,) = sqlx::query_as(&sql(
        "SELECT failures FROM sign_in_failures WHERE email = ?",
    ))
    .bind(&email)
    .fetch_one(&app.db().await)
    .await
    .expect("counted");
    assert_eq!(
        failures, 8,
        "attempts after the lock are refused unchecked, not counted"
    );
    let right = form(&[("email", &email), ("password", PASSWORD)]);
    let (status, _, page) = app.anonymous().post_form("/inloggen", &right).await;
    assert_eq!(status, 401);
    assert!(page.contains("Te veel mislukte pogingen"));
}

#[tokio::test]
async fn a_socket_ends_with_its_session() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus X-1").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let mut client = app.connect_as_browser(&session, &id).await;
    sqlx::query(&sql(
        "UPDATE sessions SET last_seen_at = last_seen_at - 61 * 60 * 1000",
    ))
    .execute(&app.db().await)
    .await
    .expect("age the session");
    assert_eq!(session.http.get("/api/canvases").await.0, 401);
    assert_eq!(
        client.closed_with().await,
        (4001, "Je sessie is verlopen.".to_owned()),
        "closed with the code that tells a page its session expired (not 1008: access revoked)"
    );
}

#[tokio::test]
async fn unreadable_requests_get_a_dutch_message() {
    let app = TestApp::spawn().await;
    let (status, body) = app.http.get("/teams/geen-getal").await;
    assert_eq!(status, 400);
    assert!(
        body["fout"]
            .as_str()
            .is_some_and(|m| m.starts_with("Dit verzoek kon niet worden gelezen"))
    );
    let (status, _, page) = app
        .http
        .clone()
        .with_header("Accept", "text/html")
        .page("/teams/geen-getal")
        .await;
    assert_eq!(status, 400);
    assert!(page.contains("<h1>Dit kan zo niet</h1>"));
}

/// The lockout also counts the client address behind a trusted proxy, across e-mail addresses:
/// one machine cannot try a password against many accounts. Another client is not affected.
#[tokio::test]
async fn many_failures_from_one_client_lock_that_client() {
    let behind_proxy = doorbraak::config::AuthSettings {
        trusted_proxies: vec!["127.0.0.0/8".parse().expect("net")],
        ..Default::default()
    };
    let app = TestApp::spawn_configured(test_limits(), behind_proxy).await;
    let from = |client: &str| app.anonymous().with_header("X-Forwarded-For", client);
    let attacker = from("198.51.100.7");
    for n in 0..doorbraak::access::lockout::CLIENT_LOCK_AFTER {
        let fields = form(&[
            ("email", &format!("iemand{n}@gemeente.nl")),
            ("password", "raden"),
        ]);
        let (status, _, _) = attacker.post_form("/inloggen", &fields).await;
        assert_eq!(status, 401, "attempt {n}");
    }
    let right = form(&[("email", &app.people.teamlid.email), ("password", PASSWORD)]);
    let (status, _, page) = attacker.post_form("/inloggen", &right).await;
    assert_ne!(
        status, 303,
        "the locked client does not get in, even with the right password"
    );
    assert!(page.contains("Te veel mislukte pogingen"), "{page}");
    let (status, _, _) = from("198.51.100.8").post_form("/inloggen", &right).await;
    assert_eq!(status, 303, "another client signs in as usual");
}

#[tokio::test]
async fn an_idle_session_closes_its_socket_on_its_own_and_keeps_the_browser_storage() {
    let auth = doorbraak::config::AuthSettings {
        session_idle_secs: Some(2),
        ..Default::default()
    };
    let app = TestApp::spawn_configured(test_limits(), auth).await;
    let id = app.create_canvas("Casus X-2").await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let mut client = app.connect_as_browser(&session, &id).await;
    // No request at all: the server's own sweep notices the expiry.
    assert_eq!(
        client.closed_with().await,
        (4001, "Je sessie is verlopen.".to_owned())
    );
    let (status, head, _) = session
        .http
        .clone()
        .with_header("Accept", "text/html")
        .page(&format!("/canvases/{id}"))
        .await;
    assert_eq!(status, 303);
    assert!(head.contains("verlopen=1"), "{head}");
    assert!(
        !head.contains("clear-site-data"),
        "the offline copy with the meeting's edits stays for the next sign-in: {head}"
    );
}

#[tokio::test]
async fn asking_whether_the_session_stands_does_not_keep_it_alive() {
    let app = TestApp::spawn().await;
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let db = app.db().await;
    let last_seen = || async {
        let (at,): (i64,) = sqlx::query_as(&sql("SELECT last_seen_at FROM sessions"))
            .fetch_one(&app.db().await)
            .await
            .expect("session");
        at
    };
    // Ten minutes idle: due to be marked active by the next request (within the hour).
    sqlx::query(&sql(
        "UPDATE sessions SET last_seen_at = last_seen_at - 10 * 60 * 1000",
    ))
    .execute(&db)
    .await
    .expect("age");
    let before = last_seen().await;
    let probe = session.http.clone().with_header("X-Doorbraak-Probe", "1");
    assert_eq!(
        probe.get("/api/canvases").await.0,
        200,
        "the probe is answered"
    );
    assert_eq!(last_seen().await, before, "but is no activity");
    assert_eq!(session.http.get("/api/canvases").await.0, 200);
    assert!(last_seen().await > before, "a real request is");
}

#[tokio::test]
async fn wrong_passwords_on_two_processes_at_once_all_count_toward_one_lockout() {
    use doorbraak::access::lockout::LOCK_AFTER;
    let (a, b) = TestApp::pair_on_postgres().await;
    let email = a.people.projectleider.email.clone();
    let wrong = form(&[("email", &email), ("password", "niet het wachtwoord")]);
    // Twenty wrong passwords at once, half through each process.
    let attempts = (0..20).map(|n| {
        let app = if n % 2 == 0 { &a } else { &b };
        let wrong = wrong.clone();
        async move { app.anonymous().post_form("/inloggen", &wrong).await.0 }
    });
    let statuses = futures_util::future::join_all(attempts).await;
    assert!(statuses.iter().all(|s| *s == 401), "{statuses:?}");
    // Counted in the database, across both: the address locked after exactly LOCK_AFTER
    // failures. The attempts for one address take turns across the processes, so none of those
    // racing at the moment it locks got its password checked too.
    let db = sqlx::PgPool::connect(&a.database_url).await.expect("open");
    let (failures,): (i64,) =
        sqlx::query_as("SELECT failures FROM sign_in_failures WHERE email = $1")
            .bind(&email)
            .fetch_one(&db)
            .await
            .expect("counted");
    assert_eq!(failures, i64::from(LOCK_AFTER), "failures counted");
    // Locked on both processes: even the right password is refused.
    let right = form(&[("email", &email), ("password", PASSWORD)]);
    for app in [&a, &b] {
        let (status, _, page) = app.anonymous().post_form("/inloggen", &right).await;
        assert_eq!(status, 401);
        assert!(page.contains("Te veel mislukte pogingen"), "{page}");
    }
}
