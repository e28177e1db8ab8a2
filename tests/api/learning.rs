//! Closing with the leeropbrengst (issue 13): the lifecycle requires it, who may close is asked
//! first, each missing part and any personal data is refused in Dutch without changing anything,
//! and what is stored is relational (the signal's audiences and the tags in their own tables);
//! the form starts with the canvas's own leefgebieden as tags.

use yrs::Map;

use crate::helpers::*;

async fn count(app: &TestApp, query: &str, id: &str) -> i64 {
    sqlx::query_scalar(&sql(query))
        .bind(id)
        .fetch_one(&app.db().await)
        .await
        .expect("count")
}

async fn status_of(app: &TestApp, id: &str) -> String {
    sqlx::query_scalar(&sql("SELECT status FROM canvases WHERE id = ?"))
        .bind(id)
        .fetch_one(&app.db().await)
        .await
        .expect("status")
}

#[tokio::test]
async fn a_canvas_is_closed_only_with_its_leeropbrengst() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let id = in_treatment(&app, "Casus L-1").await;
    let path = format!("/canvases/{id}/status");
    let close = [
        ("van", "in_behandeling"),
        ("naar", "doorbraak_gerealiseerd"),
    ];

    // The form offers the leeropbrengst, with the canvas's leefgebied as a tag already.
    let mut editor = app.connect(&id).await;
    let areas = editor.doc.get_or_insert_map("lifeAreas");
    editor
        .edit(|txn, _| {
            areas.insert(txn, "housing", true);
        })
        .await;
    editor.round_trip().await;
    let (_, _, page) = app
        .as_person(&people.aanjager)
        .page(&format!("/canvases/{id}"))
        .await;
    assert!(page.contains("Leeropbrengst (nodig om af te sluiten)"));
    assert!(
        page.contains(r#"name="tag_leefgebied_housing" value="ja" checked"#),
        "prefilled from the canvas"
    );
    assert!(!page.contains(r#"name="tag_leefgebied_belonging" value="ja" checked"#));

    // Without it, or with a part missing: refused with the reason, nothing changed.
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &close).await;
    assert_eq!(status, 422);
    assert!(page.contains("Kies wat de reguliere weg blokkeerde"));
    let mut missing = close.to_vec();
    missing.extend(LEARNING.iter().filter(|(k, _)| *k != "effect"));
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &missing).await;
    assert_eq!(status, 422);
    assert!(page.contains("Vul het effect voor het huishouden in"));
    // Personal data in it: refused by the anonymity rule.
    let mut named = close.to_vec();
    named.extend(LEARNING.iter().map(|(k, v)| {
        if *k == "effect" {
            ("effect", "Mevrouw Jansen kan weer werken.")
        } else {
            (*k, *v)
        }
    }));
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &named).await;
    assert_eq!(status, 422);
    assert!(page.contains("moet anoniem zijn"), "{page}");
    // Who may not close is told so first, whatever they filled in.
    let (status, _, _) = post_as(&app, &people.teamlid, &path, &closing(&close)).await;
    assert_eq!(status, 403);
    assert_eq!(status_of(&app, &id).await, "in_behandeling");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_outcomes WHERE canvas_id = ?",
            &id
        )
        .await,
        0
    );

    // With it: closed, and stored relationally.
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &closing(&close)).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(status_of(&app, &id).await, "doorbraak_gerealiseerd");
    let (order, effect): (i64, String) = sqlx::query_as(&sql(
        "SELECT learning_order, household_effect FROM learning_outcomes WHERE canvas_id = ?",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("learning");
    assert_eq!(
        (order, effect.as_str()),
        (2, "Het kind gaat weer zelf naar school.")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_signals WHERE canvas_id = ? AND audience = 'beleid'",
            &id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_tags WHERE canvas_id = ?",
            &id
        )
        .await,
        2
    );
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}"))
        .await;
    assert!(page.contains("Leeropbrengst") && page.contains("2e orde"));

    // Reopened and closed again: the new leeropbrengst replaces the old.
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &path,
        &[
            ("van", "doorbraak_gerealiseerd"),
            ("naar", "in_behandeling"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let mut again = vec![
        ("van", "in_behandeling"),
        ("naar", "afgesloten_zonder_doorbraak"),
    ];
    again.extend(
        LEARNING
            .iter()
            .filter(|(k, _)| *k != "tag_domein_education"),
    );
    again.push(("signaal_pmm", "ja"));
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &again).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_tags WHERE canvas_id = ?",
            &id
        )
        .await,
        1
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_signals WHERE canvas_id = ?",
            &id
        )
        .await,
        2
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_outcomes WHERE canvas_id = ?",
            &id
        )
        .await,
        1
    );
}

/// Archiving (issue 13): the full anonymity check over what the archive keeps blocks it until
/// each finding is overridden with a reason (audited, without the words); then the comments and
/// the versions made by hand go, in the same transaction.
#[tokio::test]
async fn archiving_waits_for_an_anonymous_canvas_and_keeps_only_what_the_archive_needs() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let id = in_treatment(&app, "Casus L-2").await;
    let path = format!("/canvases/{id}/status");
    let mut editor = app.connect(&id).await;
    editor
        .type_text("Moeder is bereikbaar op 06-12345678.")
        .await;
    editor.round_trip().await;
    post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{id}/opmerkingen"),
        &[("field", "situation"), ("body", "Klopt dit nummer?")],
    )
    .await;
    post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{id}/versies"),
        &[("naam", "Tussenstand")],
    )
    .await;
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &path,
        &closing(&[
            ("van", "in_behandeling"),
            ("naar", "doorbraak_gerealiseerd"),
        ]),
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let archive = [("van", "doorbraak_gerealiseerd"), ("naar", "gearchiveerd")];

    assert!(
        count(
            &app,
            "SELECT COUNT(*) FROM canvas_updates WHERE canvas_id = ?",
            &id
        )
        .await
            > 0
    );
    // Blocked: one finding, no reason yet. Nothing changed, nothing went.
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &archive).await;
    assert_eq!(status, 422);
    assert!(
        page.contains("Archiveren kan pas als het canvas anoniem is: 1 mogelijk persoonsgegeven"),
        "{page}"
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM comments WHERE canvas_id = ?",
            &id
        )
        .await,
        1
    );
    // The teamlid may not archive at all.
    assert_eq!(post_as(&app, &people.teamlid, &path, &archive).await.0, 403);

    // The aanjager's panel names it, with a field for the reason.
    let (_, _, page) = app
        .as_person(&people.aanjager)
        .page(&format!("/canvases/{id}"))
        .await;
    assert!(page.contains("Archiveren als lesmateriaal"));
    assert!(
        page.contains("Stap 1: situatieschets: Dit lijkt een telefoonnummer. “06-12345678”"),
        "{page}"
    );
    let key = quoted_after(&page, "name=\"reden_");
    let field = format!("reden_{key}");
    let mut with_reason = archive.to_vec();
    with_reason.push((&field, "Zelfbedacht nummer van het team"));
    let (status, _, page) = post_as(&app, &people.aanjager, &path, &with_reason).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(status_of(&app, &id).await, "gearchiveerd");
    let overrides: Vec<(String, String, String)> = audit_events(&app)
        .await
        .into_iter()
        .filter(|(event, _, _)| event == "anonymity_overridden")
        .collect();
    assert_eq!(overrides.len(), 1);
    assert_eq!(
        overrides[0].2,
        "telefoon in Stap 1: situatieschets: Zelfbedacht nummer van het team"
    );
    assert!(
        audit_events(&app)
            .await
            .iter()
            .all(|(_, _, d)| !d.contains("06-12345678")),
        "never the words"
    );
    // Data minimisation: the comments and the hand-made version went; the content stays.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM comments WHERE canvas_id = ?",
            &id
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM canvas_versions WHERE canvas_id = ? AND kind <> 'opschaling'",
            &id
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM learning_outcomes WHERE canvas_id = ?",
            &id
        )
        .await,
        1
    );
    assert!(
        app.stored(&id).await["steps"]["situation"]
            .as_str()
            .is_some_and(|s| s.contains("bereikbaar"))
    );
}

/// The aanjager chooses who may read the archived canvas: the team, the province (the default)
/// or the country; the policy answers accordingly everywhere (here: the API and the overview).
#[tokio::test]
async fn the_archive_scope_decides_who_learns_from_the_canvas() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let mut ids = Vec::new();
    for (label, scope) in [
        ("Casus A-team", Some("team")),
        ("Casus A-prov", None),
        ("Casus A-land", Some("land")),
    ] {
        let id = in_treatment(&app, label).await;
        let path = format!("/canvases/{id}/status");
        let (status, _, page) = post_as(
            &app,
            &people.aanjager,
            &path,
            &closing(&[
                ("van", "in_behandeling"),
                ("naar", "afgesloten_zonder_doorbraak"),
            ]),
        )
        .await;
        assert_eq!(status, 303, "{page}");
        let mut fields = vec![
            ("van", "afgesloten_zonder_doorbraak"),
            ("naar", "gearchiveerd"),
        ];
        if let Some(scope) = scope {
            fields.push(("bereik", scope));
        }
        let (status, _, page) = post_as(&app, &people.aanjager, &path, &fields).await;
        assert_eq!(status, 303, "{page}");
        ids.push(id);
    }
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{}/status", ids[0]),
        &[
            ("van", "gearchiveerd"),
            ("naar", "gearchiveerd"),
            ("bereik", "heelal"),
        ],
    )
    .await;
    assert!(status == 409 || status == 422, "{status}");
    // (who, reads: team scope, province scope, country scope)
    for (who, person, expected) in [
        ("own teamlid", &people.teamlid, [200, 200, 200]),
        (
            "another team of the province",
            &people.other_member,
            [404, 200, 200],
        ),
        ("the province's coach", &people.coach, [404, 200, 200]),
        (
            "another province's coach",
            &people.other_coach,
            [404, 404, 200],
        ),
        ("pmm", &people.pmm, [404, 404, 200]),
        ("beheerder", &people.beheerder, [404, 404, 404]),
    ] {
        let http = app.as_person(person);
        for (id, want) in ids.iter().zip(expected) {
            assert_eq!(
                http.get(&format!("/api/canvases/{id}")).await.0,
                want,
                "{who}"
            );
        }
        let (_, list) = http.get("/api/canvases").await;
        let listed = ids
            .iter()
            .map(|id| {
                list.as_array()
                    .is_some_and(|l| l.iter().any(|c| c["id"] == id.as_str()))
            })
            .collect::<Vec<_>>();
        assert_eq!(listed, expected.map(|s| s == 200), "{who} in the list");
    }
    // The scope reaches the final content, not its history (versions, frozen copies,
    // differences), which the archive's anonymity check does not cover.
    let history = format!("/api/canvases/{}/versies", ids[2]);
    assert_eq!(app.as_person(&people.teamlid).get(&history).await.0, 200);
    assert_eq!(
        app.as_person(&people.other_member).get(&history).await.0,
        404
    );
    let (status, _, page) = app
        .as_person(&people.other_member)
        .page(&format!("/canvases/{}", ids[2]))
        .await;
    assert_eq!(status, 200, "the canvas itself, read-only");
    assert!(
        !page.contains("/geschiedenis"),
        "no link to a history they may not read"
    );
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{}", ids[2]))
        .await;
    assert!(page.contains("/geschiedenis"));
    // Read-only for all: the other team's member cannot rename it.
    let rename = serde_json::json!({ "label": "Anders" }).to_string();
    let (status, _) = app
        .as_person(&people.other_member)
        .request_json(
            "PATCH",
            &format!("/api/canvases/{}", ids[2]),
            Some(rename.as_bytes()),
        )
        .await;
    assert!(status == 403 || status == 409, "{status}");
}
