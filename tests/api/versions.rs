//! A canvas's versions (issue 12): saved by hand, made by an escalation and by ending an overleg;
//! read back read-only and as JSON; compared per field, word by word; for who may read the canvas
//! only.

use crate::helpers::*;

#[tokio::test]
async fn versions_by_hand_by_escalation_and_after_an_overleg_with_what_changed() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = app.create_canvas("Casus V-1").await;
    let mut editor = app.connect(&id).await;
    editor.type_text("De zoon gaat met de taxi.").await;
    editor.round_trip().await;

    // By hand, by a teamlid who may edit.
    let (status, _, page) = post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{id}/versies"),
        &[("naam", "Voor het gesprek")],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let (status, list) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{id}/versies"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list[0]["kind"], "handmatig");
    assert_eq!(list[0]["name"], "Voor het gesprek");
    let first = list[0]["id"].as_i64().expect("id");

    // Later edits: the version stays as it was; the difference names the words.
    editor.type_text(" Moeder brengt hem zelf.").await;
    editor.round_trip().await;
    let (_, frozen) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{id}/versies/{first}"))
        .await;
    assert_eq!(frozen["steps"]["situation"], "De zoon gaat met de taxi.");
    let (status, diff) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{id}/verschil?van={first}&tot=nu"))
        .await;
    assert_eq!(status, 200, "{diff}");
    assert_eq!(diff["texts"][0]["field"], "situation");
    let inserted: String = diff["texts"][0]["parts"]
        .as_array()
        .expect("parts")
        .iter()
        .filter(|p| p["kind"] == "ingevoegd")
        .map(|p| p["text"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(inserted.trim(), "Moeder brengt hem zelf.");
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}/verschil?van={first}&tot=nu"))
        .await;
    assert!(
        page.contains("<ins><span class=\"visually-hidden\">[ingevoegd: </span>"),
        "marked for screen readers: {page}"
    );
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}/versies/{first}"))
        .await;
    assert!(page.contains("Voor het gesprek") && page.contains("De zoon gaat met de taxi."));
    assert!(
        !page.contains("Moeder brengt"),
        "the version, not the canvas now"
    );

    // An escalation is in the same history.
    for (from, to) in [("concept", "ingebracht"), ("ingebracht", "in_behandeling")] {
        assert_eq!(
            post_as(
                &app,
                &people.aanjager,
                &format!("/canvases/{id}/status"),
                &[("van", from), ("naar", to)]
            )
            .await
            .0,
            303
        );
    }
    assert_eq!(
        post_as(
            &app,
            &people.teamlid,
            &format!("/canvases/{id}/opschalen"),
            &[("naar", "directie"), ("vraag", "Mag dit?")]
        )
        .await
        .0,
        303
    );
    let (_, list) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{id}/versies"))
        .await;
    assert_eq!(list[1]["kind"], "opschaling");
    assert_eq!(list[1]["name"], "Opschaling naar de directie");

    // Ending an overleg with the canvas on its agenda makes "Na overleg 3 maart 2027".
    let chair = people.aanjager.id.to_string();
    let (_, head, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{}/overleggen", people.team),
        &[
            ("datum", "2027-03-03"),
            ("tijd", "14:00"),
            ("duur", "90"),
            ("plaats", "Stadhuis"),
            ("voorzitter", &chair),
        ],
    )
    .await;
    let meeting = head
        .lines()
        .find_map(|l| l.strip_prefix("location: /overleggen/"))
        .expect("overleg")
        .trim()
        .to_owned();
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("/overleggen/{meeting}/agenda"),
            &[("canvas", &id), ("minuten", "20")]
        )
        .await
        .0,
        303
    );
    assert_eq!(
        post_as(
            &app,
            &people.teamlid,
            &format!("/overleggen/{meeting}/afronden"),
            &[]
        )
        .await
        .0,
        403
    );
    let (status, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}/verschil?van=vorig-overleg&tot=nu"))
        .await;
    assert_eq!(status, 422, "no overleg yet");
    assert!(page.contains("nog in geen afgerond overleg besproken"));
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("/overleggen/{meeting}/afronden"),
            &[]
        )
        .await
        .0,
        303
    );
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("/overleggen/{meeting}/afronden"),
            &[]
        )
        .await
        .0,
        409,
        "once"
    );
    let (_, list) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{id}/versies"))
        .await;
    assert_eq!(list[2]["kind"], "overleg");
    assert_eq!(list[2]["name"], "Na overleg 3 maart 2027");
    let (_, diff) = app
        .as_person(&people.teamlid)
        .get(&format!(
            "/api/canvases/{id}/verschil?van=vorig-overleg&tot=nu"
        ))
        .await;
    assert_eq!(
        diff["texts"].as_array().map(Vec::len),
        Some(0),
        "nothing since: {diff}"
    );
    editor.type_text(" Na het overleg.").await;
    editor.round_trip().await;
    let (_, diff) = app
        .as_person(&people.teamlid)
        .get(&format!(
            "/api/canvases/{id}/verschil?van=vorig-overleg&tot=nu"
        ))
        .await;
    assert_eq!(diff["texts"][0]["field"], "situation", "{diff}");
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "version_saved")
    );
}

#[tokio::test]
async fn the_history_is_for_who_may_read_the_canvas() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = app.create_canvas("Casus V-2").await;
    let mut editor = app.connect(&id).await;
    editor.type_text("Geheime inhoud.").await;
    editor.round_trip().await;
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("/canvases/{id}/versies"),
            &[("naam", "")]
        )
        .await
        .0,
        303
    );
    let (_, list) = app
        .as_person(&people.aanjager)
        .get(&format!("/api/canvases/{id}/versies"))
        .await;
    assert!(
        list[0]["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("Opgeslagen op "))
    );
    let version = list[0]["id"].as_i64().expect("id");
    for person in [
        &people.other_member,
        &people.coach,
        &people.pmm,
        &people.beheerder,
    ] {
        let http = app.as_person(person);
        for path in [
            format!("/api/canvases/{id}/versies"),
            format!("/api/canvases/{id}/versies/{version}"),
            format!("/api/canvases/{id}/verschil?van={version}&tot=nu"),
            format!("/canvases/{id}/geschiedenis"),
            format!("/canvases/{id}/versies/{version}"),
            format!("/canvases/{id}/verschil?van={version}&tot=nu"),
        ] {
            let (status, _, body) = http.request_full("GET", &path, "", None).await;
            assert_eq!(status, 404, "{path} for {}", person.email);
            assert!(!String::from_utf8_lossy(&body).contains("Geheime"));
        }
        let (status, _, _) = post_as(
            &app,
            person,
            &format!("/canvases/{id}/versies"),
            &[("naam", "x")],
        )
        .await;
        assert_eq!(status, 404, "saving for {}", person.email);
    }
    assert_eq!(
        app.as_person(&people.aanjager)
            .get(&format!("/api/canvases/{id}/versies"))
            .await
            .1
            .as_array()
            .map(Vec::len),
        Some(1)
    );
    // A version of another canvas is not this canvas's.
    let other = app.create_canvas("Casus V-3").await;
    assert_eq!(
        app.as_person(&people.aanjager)
            .get(&format!("/api/canvases/{other}/versies/{version}"))
            .await
            .0,
        404
    );
    assert_eq!(
        app.as_person(&people.aanjager)
            .get(&format!("/api/canvases/{id}/verschil?van=abc&tot=nu"))
            .await
            .0,
        422
    );
}
