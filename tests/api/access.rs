//! The access table of issue 4, cell by cell, over HTTP (API and pages) and over the WebSocket
//! upgrade and the sync that follows: who sees which canvas, who may edit it, who only reads.

use std::collections::BTreeMap;

use crate::helpers::*;

/// What a person may do with a canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Nothing,
    Read,
    Edit,
}
use Expect::*;

/// A canvas of the team on a rung of the escalation ladder.
struct Case {
    name: &'static str,
    /// Brought in by the inbrenger (else by the aanjager).
    by_inbrenger: bool,
    level: &'static str,
    highest: &'static str,
    /// Gearchiveerd: read-only for everyone who may read it.
    archived: bool,
}

const CASES: [Case; 7] = [
    Case {
        name: "team",
        by_inbrenger: false,
        level: "team",
        highest: "team",
        archived: false,
    },
    Case {
        name: "inbrenger's",
        by_inbrenger: true,
        level: "team",
        highest: "team",
        archived: false,
    },
    Case {
        name: "at coach",
        by_inbrenger: false,
        level: "coach",
        highest: "coach",
        archived: false,
    },
    Case {
        name: "at PMM",
        by_inbrenger: false,
        level: "pmm",
        highest: "pmm",
        archived: false,
    },
    Case {
        name: "back from coach",
        by_inbrenger: false,
        level: "team",
        highest: "coach",
        archived: false,
    },
    Case {
        name: "back from PMM",
        by_inbrenger: false,
        level: "directie",
        highest: "pmm",
        archived: false,
    },
    Case {
        name: "archived",
        by_inbrenger: false,
        level: "team",
        highest: "coach",
        archived: true,
    },
];

/// The table: per person, the expectation for each case in [`CASES`] order.
fn table(people: &People) -> Vec<(&'static str, Person, [Expect; 7])> {
    let member = [Edit, Edit, Edit, Edit, Edit, Edit, Read];
    vec![
        ("aanjager", people.aanjager.clone(), member),
        ("projectleider", people.projectleider.clone(), member),
        ("teamlid", people.teamlid.clone(), member),
        (
            "inbrenger",
            people.inbrenger.clone(),
            [Nothing, Edit, Nothing, Nothing, Nothing, Nothing, Nothing],
        ),
        ("other team", people.other_member.clone(), [Nothing; 7]),
        (
            "coach",
            people.coach.clone(),
            [Nothing, Nothing, Edit, Edit, Read, Read, Read],
        ),
        ("coach elsewhere", people.other_coach.clone(), [Nothing; 7]),
        (
            "pmm",
            people.pmm.clone(),
            [Nothing, Nothing, Nothing, Read, Nothing, Read, Nothing],
        ),
        ("beheerder", people.beheerder.clone(), [Nothing; 7]),
    ]
}

/// Creates the cases and puts each on its rung directly (escalating is the next issue).
async fn create_cases(app: &TestApp) -> Vec<String> {
    let db = app.db().await;
    let mut ids = Vec::new();
    for case in &CASES {
        let creator = if case.by_inbrenger {
            &app.people.inbrenger
        } else {
            &app.people.aanjager
        };
        let (status, body) = app
            .as_person(creator)
            .post_json("/api/canvases", &serde_json::json!({ "label": "Casus M" }))
            .await;
        assert_eq!(status, 201, "{}: {body}", case.name);
        let id = body["id"].as_str().expect("id").to_owned();
        let status = if case.archived {
            "gearchiveerd"
        } else {
            "concept"
        };
        sqlx::query(&sql(
            "UPDATE canvases SET escalation_level = ?, highest_level = ?, status = ? WHERE id = ?",
        ))
        .bind(case.level)
        .bind(case.highest)
        .bind(status)
        .bind(&id)
        .execute(&db)
        .await
        .expect("set level");
        // An answered escalation with its frozen copy (the canvas's first state), so that every
        // canvas has a frozen copy and a printable summary to ask for.
        sqlx::query(&sql(
            "INSERT INTO escalations (canvas_id, from_level, to_level, question, escalated_by, \
             escalated_at, answer, answered_by, answered_at, outcome, snapshot) \
             SELECT ?1, 'team', 'coach', 'Vraag', ?2, 1, 'Antwoord', ?2, 2, 'teruggelegd', data \
             FROM canvas_updates WHERE canvas_id = ?1 AND seq = 1",
        ))
        .bind(&id)
        .bind(app.people.aanjager.id)
        .execute(&db)
        .await
        .expect("frozen copy");
        ids.push(id);
    }
    ids
}

#[tokio::test]
async fn every_cell_over_http() {
    let app = TestApp::spawn().await;
    let ids = create_cases(&app).await;
    for (who, person, expected) in table(&app.people) {
        let http = app.as_person(&person);
        let (_, listed) = http.get("/api/canvases").await;
        let listed: Vec<&str> = listed
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        for ((case, id), expect) in CASES.iter().zip(&ids).zip(expected) {
            let cell = format!("{who} on the {} canvas", case.name);
            let visible = expect != Nothing;
            let (api, body) = http.get(&format!("/api/canvases/{id}")).await;
            assert_eq!(api, if visible { 200 } else { 404 }, "API: {cell}");
            if !visible {
                assert_eq!(
                    body["fout"], "Niet gevonden.",
                    "no hint that it exists: {cell}"
                );
            }
            let (page, _, html) = http.page(&format!("/canvases/{id}")).await;
            assert_eq!(page, if visible { 200 } else { 404 }, "page: {cell}");
            assert_eq!(
                html.contains("data-read-only=\"true\""),
                expect == Read,
                "page read-only: {cell}"
            );
            assert_eq!(listed.contains(&id.as_str()), visible, "listed: {cell}");
            // Every other route of one canvas asks the same policy.
            let expected_status = if visible { 200 } else { 404 };
            let (step,): (i64,) =
                sqlx::query_as(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
                    .bind(id)
                    .fetch_one(&app.db().await)
                    .await
                    .expect("escalation");
            let frozen = format!("opschalingen/{step}");
            let summary = format!("opschalingen/{step}/samenvatting");
            for route in ["werkwijze", "gebeurtenissen", &frozen, &summary] {
                let path = format!("/canvases/{id}/{route}");
                assert_eq!(
                    http.head_status(&path).await,
                    expected_status,
                    "{route}: {cell}"
                );
            }
            // Writing routes: nobody without edit access gets past the policy; on an archived
            // canvas everyone who may read is told it is archived.
            let booking = format!("/canvases/{id}/budget");
            let (status, _, _) = http.post_form(&booking, "soort=spent").await;
            let allowed = match expect {
                Nothing => [404].as_slice(),
                Read if case.archived => &[409],
                Read => &[403],
                Edit => &[403, 422],
            };
            assert!(allowed.contains(&status), "booking {status}: {cell}");
        }
    }
}

/// The routes that are not about one canvas, per person: the team's budget page and its CSV, the
/// coach dashboard and its stream, and PMM's inbox.
#[tokio::test]
async fn every_person_on_the_team_and_national_views() {
    let app = TestApp::spawn().await;
    let team = app.people.team;
    let budget = format!("/teams/{team}/budget");
    let csv = format!("/teams/{team}/budget.csv?jaar=2026");
    let xlsx = format!("/teams/{team}/budget.xlsx?jaar=2026");
    // (who, budget page and CSV, /coach and its stream, /pmm)
    let expected: [(&str, Person, u16, u16, u16); 9] = [
        ("aanjager", app.people.aanjager.clone(), 200, 403, 403),
        (
            "projectleider",
            app.people.projectleider.clone(),
            200,
            403,
            403,
        ),
        ("teamlid", app.people.teamlid.clone(), 200, 403, 403),
        ("inbrenger", app.people.inbrenger.clone(), 404, 403, 403),
        ("other team", app.people.other_member.clone(), 404, 403, 403),
        ("coach", app.people.coach.clone(), 404, 200, 403),
        (
            "coach elsewhere",
            app.people.other_coach.clone(),
            404,
            200,
            403,
        ),
        ("pmm", app.people.pmm.clone(), 404, 403, 200),
        ("beheerder", app.people.beheerder.clone(), 404, 403, 403),
    ];
    for (who, person, team_view, coach, pmm) in expected {
        let http = app.as_person(&person);
        assert_eq!(
            http.head_status(&budget).await,
            team_view,
            "budget page: {who}"
        );
        assert_eq!(http.head_status(&csv).await, team_view, "budget CSV: {who}");
        assert_eq!(
            http.head_status(&xlsx).await,
            team_view,
            "budget XLSX: {who}"
        );
        assert_eq!(
            http.head_status("/coach").await,
            coach,
            "coach dashboard: {who}"
        );
        assert_eq!(
            http.head_status("/coach/gebeurtenissen").await,
            coach,
            "coach stream: {who}"
        );
        assert_eq!(http.head_status("/pmm").await, pmm, "PMM inbox: {who}");
    }
}

/// The learning archive's routes: for whoever does casework (what each finds is the canvas
/// policy's), not for a beheerder.
#[tokio::test]
async fn the_learning_archive_is_for_casework_roles() {
    let app = TestApp::spawn().await;
    let p = &app.people;
    for (who, person, expected) in [
        ("aanjager", &p.aanjager, 200),
        ("projectleider", &p.projectleider, 200),
        ("teamlid", &p.teamlid, 200),
        ("inbrenger", &p.inbrenger, 200),
        ("other team", &p.other_member, 200),
        ("coach", &p.coach, 200),
        ("coach elsewhere", &p.other_coach, 200),
        ("pmm", &p.pmm, 200),
        ("beheerder", &p.beheerder, 403),
    ] {
        let http = app.as_person(person);
        for path in [
            "/leerarchief",
            "/api/leerarchief?q=kind",
            "/leerarchief.csv",
        ] {
            assert_eq!(http.head_status(path).await, expected, "{path}: {who}");
        }
    }
}

/// An archived canvas's exports go to exactly who may read it: the same answer as the canvas
/// itself, for every role (here archived for the province: the other team in it reads it, the
/// coach of another province does not).
#[tokio::test]
async fn an_archived_canvas_exports_to_exactly_who_may_read_it() {
    let app = TestApp::spawn().await;
    let p = &app.people;
    let id = archived_case(
        &app,
        "K-40",
        "Het leerlingenvervoer.",
        "doorbraak_gerealiseerd",
        &[],
        None,
    )
    .await;
    let json = format!("/api/leerarchief/{id}");
    let dossier = format!("/canvases/{id}/dossier");
    for (who, person) in [
        ("aanjager", &p.aanjager),
        ("projectleider", &p.projectleider),
        ("teamlid", &p.teamlid),
        ("inbrenger", &p.inbrenger),
        ("other team", &p.other_member),
        ("coach", &p.coach),
        ("coach elsewhere", &p.other_coach),
        ("pmm", &p.pmm),
        ("beheerder", &p.beheerder),
    ] {
        let http = app.as_person(person);
        let reads = http.head_status(&format!("/api/canvases/{id}")).await;
        assert_eq!(http.head_status(&json).await, reads, "JSON: {who}");
        assert_eq!(http.head_status(&dossier).await, reads, "dossier: {who}");
    }
    assert_eq!(app.as_person(&p.other_member).head_status(&json).await, 200);
    assert_eq!(app.as_person(&p.other_coach).head_status(&json).await, 404);
    assert_eq!(app.anonymous().get(&json).await.0, 401);
}

#[tokio::test]
async fn every_cell_over_the_websocket() {
    let app = TestApp::spawn().await;
    let ids = create_cases(&app).await;
    let mut typed = BTreeMap::new();
    for (who, person, expected) in table(&app.people) {
        for ((case, id), expect) in CASES.iter().zip(&ids).zip(expected) {
            let cell = format!("{who} on the {} canvas", case.name);
            let url = app.ws_url_as(&person, id, "?saved=1");
            if expect == Nothing {
                assert_eq!(upgrade_status(&url).await, 404, "{cell}");
                continue;
            }
            let mut client = Client::connect(&url).await;
            client.round_trip().await;
            let text = format!("[{who}]");
            client.type_text(&text).await;
            client.round_trip().await;
            match expect {
                Read => {
                    assert!(
                        client.read_only_notices >= 2,
                        "told on joining and on the dropped update: {cell}"
                    );
                    assert_eq!(client.saved, None, "nothing saved: {cell}");
                }
                _ => {
                    assert_eq!(client.read_only_notices, 0, "{cell}");
                    client
                        .wait("the saved signal", |c| c.saved >= Some(c.updates_sent))
                        .await;
                    typed
                        .entry(id.clone())
                        .or_insert_with(String::new)
                        .push_str(&text);
                }
            }
            client.close().await;
        }
    }
    // What the server kept is exactly what the editors typed, in order; no reader's text.
    for id in &ids {
        let stored = app.stored(id).await["steps"]["situation"].clone();
        assert_eq!(stored, typed.get(id).cloned().unwrap_or_default().as_str());
    }
}

#[tokio::test]
async fn strangers_get_401_everywhere_but_the_sign_in_page_and_healthz() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus P").await;
    let anonymous = app.anonymous();
    for path in [
        "/api/canvases".to_owned(),
        format!("/api/canvases/{id}"),
        "/api/regelingen".to_owned(),
        "/metrics".to_owned(),
        "/tokens".to_owned(),
        "/audit.csv".to_owned(),
        "/audit.xlsx".to_owned(),
        "/api/leerarchief".to_owned(),
        "/leerarchief.csv".to_owned(),
        // Unknown paths too: strangers learn nothing about which paths exist.
        "/bestaat-niet".to_owned(),
        "/api/bestaat-niet".to_owned(),
        "/inloggen/extra".to_owned(),
    ] {
        let (status, body) = anonymous.get(&path).await;
        assert_eq!(status, 401, "{path}");
        assert!(
            body["fout"]
                .as_str()
                .is_some_and(|m| m.contains("Log eerst in")),
            "{path}"
        );
    }
    let (status, _) = anonymous
        .post_json("/api/canvases", &serde_json::json!({ "label": "Casus X" }))
        .await;
    assert_eq!(status, 401);
    for path in ["/", "/teams", "/beheer", &format!("/canvases/{id}")] {
        let (status, head, _) = anonymous
            .clone()
            .with_header("Accept", "text/html")
            .page(path)
            .await;
        assert_eq!(status, 303, "{path}");
        assert!(
            head.contains("location: /inloggen?terug="),
            "{path}: {head}"
        );
    }
    assert_eq!(
        upgrade_status(&SyncUrl::bare(format!("ws://{}/sync/{id}", app.address))).await,
        401
    );
    let bad_token = ws_url(&app.address.to_string(), "dbk_0000", &id, "");
    assert_eq!(upgrade_status(&bad_token).await, 401);
    assert_eq!(anonymous.get_text("/healthz").await, "ok");
    // The bundle is public, and a file that is not in it is simply not there.
    assert_eq!(anonymous.head_status("/assets/app.css").await, 200);
    assert_eq!(anonymous.head_status("/assets/bestaat-niet.js").await, 404);
    let (status, _, page) = anonymous.page("/inloggen").await;
    assert_eq!(status, 200);
    assert!(page.contains("Inloggen"));
}

#[tokio::test]
async fn a_foreign_origin_is_refused_on_the_websocket() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus O").await;
    let url = app.ws_url(&id, "");
    let evil = upgrade_status_with(&url, &[("Origin", "https://evil.example")]).await;
    assert_eq!(evil, 403);
    let own = format!("http://{}", app.address);
    assert_eq!(upgrade_status_with(&url, &[("Origin", &own)]).await, 101);
    // The right host under another scheme is not this server's page.
    let ftp = format!("ftp://{}", app.address);
    assert_eq!(upgrade_status_with(&url, &[("Origin", &ftp)]).await, 403);
}

#[tokio::test]
async fn only_the_aanjager_projectleider_and_inbrenger_start_canvases() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    for (person, expected) in [
        (&people.aanjager, 201),
        (&people.projectleider, 201),
        (&people.inbrenger, 201),
        (&people.teamlid, 403),
        (&people.coach, 403),
        (&people.pmm, 403),
        (&people.beheerder, 403),
    ] {
        let (status, body) = app
            .as_person(person)
            .post_json("/api/canvases", &serde_json::json!({ "label": "Casus N" }))
            .await;
        assert_eq!(status, expected, "{}: {body}", person.email);
    }
    // Naming another team is refused, not silently redirected to one's own.
    let (status, _) = app
        .http
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "Casus N", "team": people.other_team }),
        )
        .await;
    assert_eq!(status, 403);
}

#[tokio::test]
async fn metrics_and_administration_are_for_beheerders() {
    let app = TestApp::spawn().await;
    let (status, _) = app.http.get("/metrics").await;
    assert_eq!(status, 403);
    let (status, _, _) = app.http.page("/beheer").await;
    assert_eq!(status, 403);
    let beheerder = app.as_person(&app.people.beheerder);
    assert!(beheerder.get_text("/metrics").await.contains("doorbraak_"));
    let (status, _, page) = beheerder.page("/beheer").await;
    assert_eq!(status, 200);
    assert!(page.contains("Team Arnhem") && page.contains("Gelderland"));
}
