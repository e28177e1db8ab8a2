//! The canvas HTTP API.

use crate::helpers::*;

#[tokio::test]
async fn creating_a_canvas_answers_201_with_its_id() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .http
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "  Casus T-17 " }),
        )
        .await;
    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    let canvas = app.canvas(id).await;
    assert_eq!(canvas["id"], id);
    assert_eq!(canvas["label"], "Casus T-17");
    assert_eq!(canvas["schemaVersion"], 1);
    assert_eq!(canvas["steps"]["actionPlan"], serde_json::json!([]));
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["status"], "concept");
}

#[tokio::test]
async fn bad_labels_get_a_dutch_error_and_create_nothing() {
    let app = TestApp::spawn().await;
    let cases: [&[u8]; 7] = [
        br#"{"label": ""}"#,
        // Right-to-left override: shows as "Casus T-17".
        "{\"label\": \"Casus \u{202e}71-T\"}".as_bytes(),
        br#"{"label": "Casus \u2066T-17\u2069"}"#,
        br#"{"label": "jan.jansen@example.nl"}"#,
        br#"{"label": "BSN 123456782"}"#,
        br#"{"naam": "Casus"}"#,
        b"geen json",
    ];
    for body in cases {
        let (status, answer) = app.http.post_raw("/api/canvases", body).await;
        assert_eq!(status, 422, "{}", String::from_utf8_lossy(body));
        assert!(
            answer["fout"]
                .as_str()
                .is_some_and(|m| m.contains("canvas") || m.contains("label")),
            "{answer}"
        );
    }
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list, serde_json::json!([]));
}

#[tokio::test]
async fn the_regulations_catalogue_is_served() {
    let app = TestApp::spawn().await;
    let (status, catalogue) = app.http.get("/api/regelingen").await;
    assert_eq!(status, 200);
    let entries = catalogue.as_array().expect("a list");
    assert!(
        entries
            .iter()
            .any(|r| r["law"] == "Participatiewet" && r["article"] == "Artikel 49")
    );
    assert!(
        entries
            .iter()
            .all(|r| r["room"].as_str().is_some_and(|room| !room.is_empty()))
    );
}

#[tokio::test]
async fn the_rendement_horizon_reads_as_one_three_or_five_years() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus horizon").await;
    let mut client = app.connect(&id).await;
    assert_eq!(horizon(&app, &id).await, 1, "the default");
    for (written, read) in [(3, 3), (5, 5), (4, 1)] {
        client
            .edit(|txn, _| {
                let meta = yrs::WriteTxn::get_or_insert_map(txn, "meta");
                yrs::Map::insert(&meta, txn, "horizonYears", written);
            })
            .await;
        client.round_trip().await;
        assert_eq!(horizon(&app, &id).await, read, "written {written}");
    }
}

async fn horizon(app: &TestApp, id: &str) -> serde_json::Value {
    app.canvas(id).await["steps"]["valueTriangle"]["horizonYears"].clone()
}

/// Single-line fields elsewhere refuse text that reorders itself too: a token's name and the
/// name of a team a beheerder adds, with a Dutch message and nothing created.
#[tokio::test]
async fn names_that_lie_about_themselves_are_refused() {
    let app = TestApp::spawn().await;
    let aanjager = app.sign_in(&app.people.aanjager.email, PASSWORD).await;
    let (status, _, page) = aanjager
        .http
        .post_form(
            "/tokens",
            &form(&[("name", "script \u{202e}nimda"), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 422, "{page}");
    assert!(page.contains("leesrichting"), "{page}");
    let (_, _, tokens) = aanjager.http.page("/tokens").await;
    assert!(!tokens.contains("nimda"));

    let beheerder = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let (_, _, page) = beheerder
        .http
        .post_form(
            "/beheer/provincies",
            &form(&[("name", "Gelder\u{2067}land"), ("csrf", &beheerder.csrf)]),
        )
        .await;
    assert!(page.contains("leesrichting"), "{page}");
    let (_, _, page) = beheerder.http.page("/beheer").await;
    assert!(!page.contains("Gelder\u{2067}land"));
}

/// An export whose audit entry cannot be written is refused (503, Dutch), never served
/// unrecorded: the API read of a canvas, the audit log's CSV and the budget's CSV.
#[tokio::test]
async fn exports_fail_closed_when_the_audit_log_cannot_record_them() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus E-1").await;
    let mut client = app.connect(&id).await;
    client.type_text("vertrouwelijk").await;
    client.round_trip().await;
    // The same trigger in each backend's dialect (PostgreSQL's through the schema's own
    // refuse_change(), which raises its argument).
    let trigger = if on_postgres() {
        "CREATE TRIGGER refuse_exports BEFORE INSERT ON audit_log FOR EACH ROW \
         WHEN (NEW.event = 'exported') EXECUTE FUNCTION refuse_change('audit log unavailable')"
    } else {
        "CREATE TRIGGER refuse_exports BEFORE INSERT ON audit_log WHEN NEW.event = 'exported' \
         BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END"
    };
    sqlx::query(&sql(trigger))
        .execute(&app.db().await)
        .await
        .expect("trigger");
    let team = app.people.team;
    for path in [
        format!("/api/canvases/{id}"),
        "/audit.csv".to_owned(),
        "/audit.xlsx".to_owned(),
        format!("/teams/{team}/budget.csv?jaar=2026"),
        format!("/teams/{team}/budget.xlsx?jaar=2026"),
    ] {
        let (status, _, body) = app.http.request_full("GET", &path, "", None).await;
        let body = String::from_utf8_lossy(&body);
        assert_eq!(status, 503, "{path}: {body}");
        assert!(body.contains("auditlog"), "{path}: {body}");
        assert!(!body.contains("vertrouwelijk"), "{path}: {body}");
    }
}

/// The label is the canvas record's: writing `meta.label` over the socket changes nothing that
/// anyone sees, and the one way to rename is the validated route (API and page), audited.
#[tokio::test]
async fn the_label_changes_only_through_its_validated_route() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus R-1").await;
    let mut editor = app.connect(&id).await;
    editor
        .edit(|txn, _| {
            let meta = yrs::WriteTxn::get_or_insert_map(txn, "meta");
            yrs::Map::insert(&meta, txn, "label", "Jan Jansen 12-03-1980");
        })
        .await;
    editor.round_trip().await;
    let app = app.restart(test_limits()).await;
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list[0]["label"], "Casus R-1");
    assert_eq!(app.canvas(&id).await["label"], "Casus R-1");
    let (_, _, overview) = app.http.page("/").await;
    assert!(!overview.contains("Jansen"), "{overview}");

    let path = format!("/api/canvases/{id}");
    let (status, body) = app
        .http
        .request_json("PATCH", &path, Some(br#"{"label": "Casus R-2"}"#))
        .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["label"], "Casus R-2");
    for bad in [
        r#"{"label": "jan@example.nl"}"#,
        r#"{"label": ""}"#,
        "{\"label\": \"Casus \u{202e}71-T\"}",
        r#"{"naam": "x"}"#,
    ] {
        let (status, body) = app
            .http
            .request_json("PATCH", &path, Some(bad.as_bytes()))
            .await;
        assert_eq!(status, 422, "{bad}: {body}");
        assert!(
            body["fout"].as_str().is_some_and(|m| !m.is_empty()),
            "{body}"
        );
    }
    let coach = app.as_person(&app.people.coach);
    let (status, _) = coach
        .request_json("PATCH", &path, Some(br#"{"label": "Casus C"}"#))
        .await;
    assert_eq!(
        status, 404,
        "a coach of a canvas that is not escalated does not see it"
    );
    assert_eq!(app.canvas(&id).await["label"], "Casus R-2");

    // The page's form, with the session's CSRF token.
    let session = app.sign_in(&app.people.teamlid.email, PASSWORD).await;
    let (status, _, _) = session
        .http
        .post_form(
            &format!("/canvases/{id}/naam"),
            &form(&[("label", "Casus R-3"), ("csrf", &session.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    let (_, _, page) = session.http.page(&format!("/canvases/{id}")).await;
    assert!(
        page.contains("<h1 id=\"canvas-label\">Casus R-3</h1>"),
        "{page}"
    );
    let renames = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "canvas_renamed")
        .count();
    assert_eq!(renames, 2);
}
