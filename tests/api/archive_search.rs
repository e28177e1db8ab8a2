//! The leerarchief's search (issue 13): Dutch stemming and accent folding, ranked hits with
//! highlighted snippets, the filters, paging, the own team's live canvases, and scope: a team
//! in another province does not find a province-scoped canvas, over the page or the API.

use doorbraak::accounts;
use serde_json::Value;

use crate::helpers::*;

/// Learning texts without the words the tests search for.
const PLAIN: [(&str, &str); 3] = [
    ("knelpunt_tekst", "De regeling paste niet."),
    ("leerorde_toelichting", "De werkwijze is aangepast."),
    ("effect", "Het huishouden redt het weer."),
];

fn with<'a>(extra: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    let mut out = PLAIN.to_vec();
    out.extend_from_slice(extra);
    out
}

/// An aanjager of a team in another province (Utrecht).
async fn member_elsewhere(app: &TestApp) -> Person {
    let db = app.database().await;
    let province = db
        .provinces()
        .await
        .expect("provinces")
        .into_iter()
        .find(|p| p.name == "Utrecht")
        .expect("Utrecht")
        .id;
    let gemeente = db
        .create_gemeente("Utrecht-stad", province)
        .await
        .expect("gemeente");
    let team = db
        .create_team("Team Utrecht", gemeente)
        .await
        .expect("team");
    let account = db
        .create_account("utrecht@test.doorbraak.nl", "Utrecht", None, false)
        .await
        .expect("account");
    db.set_membership(
        team,
        account.id,
        doorbraak::access::policy::TeamRole::Aanjager,
    )
    .await
    .expect("member");
    let (_, token) = accounts::create_token_for(db.as_ref(), account.id, "tests", 90)
        .await
        .expect("token");
    Person {
        id: account.id.0,
        email: "utrecht@test.doorbraak.nl".into(),
        token,
    }
}

async fn found(app: &TestApp, person: &Person, query: &str) -> (u16, Value) {
    app.as_person(person)
        .get(&format!("/api/leerarchief?{query}"))
        .await
}

fn ids(answer: &Value) -> Vec<String> {
    answer["hits"]
        .as_array()
        .map(|hits| {
            hits.iter()
                .map(|h| h["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn plain_dutch_finds_archived_canvases_as_far_as_their_scope_reaches() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let scooter = archived_case(
        &app,
        "Casus Z-1",
        "De kinderen gaan op scooters naar school; de financiële zorgen zijn groot.",
        "doorbraak_gerealiseerd",
        &with(&[]),
        None,
    )
    .await;
    let country = archived_case(
        &app,
        "Casus Z-2",
        "Een kind zonder vervoer naar het mbo.",
        "afgesloten_zonder_doorbraak",
        &with(&[]),
        Some("land"),
    )
    .await;
    let other = member_elsewhere(&app).await;

    // Another team of the province finds it in plain Dutch: stems and folded accents.
    for (query, expected) in [
        ("q=kind", vec![&scooter, &country]),
        ("q=scooter", vec![&scooter]),
        ("q=financiele", vec![&scooter]),
        ("q=Financi%C3%ABle+kinderen", vec![&scooter]),
        ("q=fiets", vec![]),
    ] {
        let (status, answer) = found(&app, &people.other_member, query).await;
        assert_eq!(status, 200, "{query}");
        let mut got = ids(&answer);
        got.sort();
        let mut want: Vec<String> = expected.into_iter().cloned().collect();
        want.sort();
        assert_eq!(got, want, "{query}: {answer}");
        assert_eq!(answer["total"], want.len(), "{query}");
    }
    let (_, answer) = found(&app, &people.other_member, "q=scooters").await;
    let hit = &answer["hits"][0];
    assert_eq!(hit["label"], "Casus Z-1");
    assert_eq!(hit["team"], "Team Arnhem");
    assert_eq!(hit["gemeente"], "Arnhem");
    assert!(hit["archived_at"].as_i64().is_some());
    assert!(
        hit["snippet"]
            .as_str()
            .is_some_and(|s| s.contains("op scooters naar school")),
        "{hit}"
    );
    // The page highlights the words found.
    let (status, _, page) = app
        .as_person(&people.other_member)
        .page("/leerarchief?q=scooters")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<mark>scooters</mark>"), "{page}");
    assert!(page.contains("1 canvas gevonden."));

    // A team in another province finds only what is shared with the country; over the page too.
    let (status, answer) = found(&app, &other, "q=kind").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&answer), vec![country.clone()], "{answer}");
    let (_, _, page) = app.as_person(&other).page("/leerarchief?q=scooter").await;
    assert!(
        !page.contains("Casus Z-1") && page.contains("Niets gevonden"),
        "{page}"
    );
    let (_, answer) = found(&app, &people.other_coach, "q=kind").await;
    assert_eq!(ids(&answer), vec![country.clone()]);
    // The province's coach and the country's PMM as the scope says; a beheerder not at all.
    assert_eq!(
        ids(&found(&app, &people.coach, "q=scooter").await.1),
        vec![scooter.clone()]
    );
    assert_eq!(
        ids(&found(&app, &people.pmm, "q=scooter").await.1),
        Vec::<String>::new()
    );
    assert_eq!(found(&app, &people.beheerder, "q=kind").await.0, 403);
    assert_eq!(app.anonymous().get("/api/leerarchief?q=kind").await.0, 401);
}

#[tokio::test]
async fn the_filters_narrow_the_hits_and_bad_ones_are_refused_in_dutch() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let first = archived_case(
        &app,
        "Casus F-1",
        "Schuld bij de verhuurder.",
        "doorbraak_gerealiseerd",
        &with(&[("leerorde", "3"), ("tag_leefgebied_housing", "ja")]),
        None,
    )
    .await;
    let second = archived_case(
        &app,
        "Casus F-2",
        "Schuld bij de zorgverzekeraar.",
        "afgesloten_zonder_doorbraak",
        &with(&[("leerorde", "1")]),
        None,
    )
    .await;
    let gemeente = app
        .database()
        .await
        .gemeenten()
        .await
        .expect("gemeenten")
        .into_iter()
        .find(|g| g.name == "Arnhem")
        .expect("Arnhem")
        .id
        .0;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let today = doorbraak::format::dutch_date(now);
    for (query, expected) in [
        ("q=schulden".to_owned(), vec![&first, &second]),
        ("q=schuld&leerorde=3".to_owned(), vec![&first]),
        ("leerorde=1".to_owned(), vec![&second]),
        ("uitkomst=gerealiseerd".to_owned(), vec![&first]),
        ("uitkomst=zonder-doorbraak".to_owned(), vec![&second]),
        ("leefgebied=housing".to_owned(), vec![&first]),
        ("domein=education".to_owned(), vec![&first, &second]),
        ("budget=ja".to_owned(), vec![]),
        ("budget=nee".to_owned(), vec![&first, &second]),
        ("niveau=team".to_owned(), vec![&first, &second]),
        ("niveau=pmm".to_owned(), vec![]),
        (format!("gemeente={gemeente}"), vec![&first, &second]),
        (format!("team={}", people.other_team), vec![]),
        (format!("van={today}&tot={today}"), vec![&first, &second]),
        ("tot=2020-01-01".to_owned(), vec![]),
    ] {
        let (status, answer) = found(&app, &people.teamlid, &query).await;
        assert_eq!(status, 200, "{query}: {answer}");
        let mut got = ids(&answer);
        got.sort();
        let mut want: Vec<String> = expected.into_iter().cloned().collect();
        want.sort();
        assert_eq!(got, want, "{query}");
    }
    // Newest first when sorted by date.
    let (_, answer) = found(&app, &people.teamlid, "sorteer=datum").await;
    assert_eq!(ids(&answer), vec![second.clone(), first.clone()]);
    for (query, says) in [
        ("leerorde=4", "de leerorde is 1, 2 of 3"),
        ("leefgebied=maan", "dit leefgebied bestaat niet"),
        ("van=1-1-2026", "jjjj-mm-dd"),
        ("budget=misschien", "budget is ja of nee"),
        ("niveau=minister", "het niveau is"),
        ("sorteer=kleur", "sorteer op relevantie of datum"),
    ] {
        let (status, answer) = found(&app, &people.teamlid, query).await;
        assert_eq!(status, 422, "{query}");
        assert!(
            answer["fout"].as_str().is_some_and(|m| m.contains(says)),
            "{query}: {answer}"
        );
    }
    // The page shows the refusal and no hits.
    let (status, _, page) = app
        .as_person(&people.teamlid)
        .page("/leerarchief?leerorde=9")
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("de leerorde is 1, 2 of 3") && !page.contains("Casus F-1"));
}

#[tokio::test]
async fn hits_come_in_pages_and_the_own_teams_live_canvases_on_request() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let mut all = Vec::new();
    for n in 0..22 {
        all.push(
            archived_case(
                &app,
                &format!("Casus P-{n:02}"),
                "Wachtlijst voor beschermd wonen.",
                "doorbraak_gerealiseerd",
                &with(&[]),
                None,
            )
            .await,
        );
    }
    let (_, first) = found(&app, &people.teamlid, "q=wachtlijst&sorteer=datum").await;
    let (_, second) = found(&app, &people.teamlid, "q=wachtlijst&sorteer=datum&pagina=2").await;
    assert_eq!(first["total"], 22);
    assert_eq!(
        (first["page"].clone(), first["pages"].clone()),
        (1.into(), 2.into())
    );
    assert_eq!(ids(&first).len(), 20);
    assert_eq!(ids(&second).len(), 2);
    let mut seen: Vec<String> = ids(&first).into_iter().chain(ids(&second)).collect();
    seen.sort();
    all.sort();
    assert_eq!(seen, all, "every hit once over the pages");
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page("/leerarchief?q=wachtlijst")
        .await;
    assert!(
        page.contains("Pagina 1 van 2") && page.contains("pagina=2"),
        "{page}"
    );

    // A live canvas of the own team, only when asked for, and only for its members.
    let live = in_treatment(&app, "Casus P-live").await;
    let mut editor = app.connect(&live).await;
    editor.type_text("Ook hier een wachtlijst.").await;
    editor.round_trip().await;
    let (_, answer) = found(&app, &people.teamlid, "q=wachtlijst").await;
    assert_eq!(answer["live"], Value::Array(vec![]));
    let (_, answer) = found(&app, &people.teamlid, "q=wachtlijsten&eigen=1").await;
    assert_eq!(answer["live"][0]["id"], live.as_str(), "{answer}");
    assert_eq!(answer["live"][0]["archived_at"], Value::Null);
    assert_eq!(
        answer["total"], 22,
        "the archive's count leaves live canvases out"
    );
    let (_, answer) = found(&app, &people.other_member, "q=wachtlijst&eigen=1").await;
    assert_eq!(answer["live"], Value::Array(vec![]), "not another team's");

    // The CSV holds every hit and is in the audit log.
    let csv = app
        .as_person(&people.teamlid)
        .get_text("/leerarchief.csv?q=wachtlijst")
        .await;
    assert_eq!(csv.lines().count(), 23, "{csv}");
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|(e, _, d)| e == "exported" && d == "leerarchief als CSV (22 canvassen)")
    );
}
