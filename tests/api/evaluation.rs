//! Lerend evalueren (issue 13): the dashboard's figures equal what was seeded, per table and in
//! its CSV; who may open which dashboard; the leeragenda kept by the team, anonymous, tracked
//! until done.

use crate::{
    helpers::*,
    meetings::{meeting_id, schedule},
};

/// The rows of a dashboard table's CSV, without the BOM and the header, split on `;`.
async fn table(app: &TestApp, person: &Person, query: &str, key: &str) -> Vec<Vec<String>> {
    let csv = app
        .as_person(person)
        .get_text(&format!("/lerend-evalueren.csv?{query}&tabel={key}"))
        .await;
    csv.trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            l.split(';')
                .map(|c| c.trim_matches('"').to_owned())
                .collect()
        })
        .collect()
}

fn row<'a>(rows: &'a [Vec<String>], first: &str) -> &'a [String] {
    rows.iter()
        .find(|r| r[0] == first)
        .unwrap_or_else(|| panic!("no row {first} in {rows:?}"))
}

fn this_half() -> (String, String, String) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let date = doorbraak::format::dutch_date(now);
    let year: i32 = date[..4].parse().expect("year");
    let half = if date[5..7].parse::<u32>().expect("month") <= 6 {
        1
    } else {
        2
    };
    let previous = if half == 2 {
        format!("1e helft {year}")
    } else {
        format!("2e helft {}", year - 1)
    };
    (
        format!("{year}-{half}"),
        format!("{half}e helft {year}"),
        previous,
    )
}

#[tokio::test]
async fn the_dashboard_counts_exactly_what_happened() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let team = people.team;
    // A budget of € 1.000,00 and € 300,00 spent on a canvas that closes without a doorbraak.
    let year = &this_half().0[..4];
    let budget = format!("/teams/{team}/budget");
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &budget,
        &[("jaar", year), ("bedrag", "1.000,00")],
    )
    .await;
    assert_eq!(status, 303);
    let spent_on = in_treatment(&app, "Casus E-3").await;
    let date = format!("{year}-11-20");
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{spent_on}/budget"),
        &[
            ("soort", "spent"),
            ("bedrag", "300,00"),
            ("waarvoor", "Fiets"),
            ("waarom", "Geen regeling voor"),
            ("goedgekeurd_door", "Anne"),
            ("datum", &date),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let close = |id: String, outcome: &'static str, order: &'static str, tag: &'static str| {
        let app = &app;
        let people = people.clone();
        async move {
            let mut fields = vec![("van", "in_behandeling"), ("naar", outcome)];
            fields.extend(
                LEARNING
                    .iter()
                    .filter(|(k, _)| *k != "leerorde" && !k.starts_with("tag_")),
            );
            fields.push(("leerorde", order));
            fields.push((tag, "ja"));
            let (status, _, page) = post_as(
                app,
                &people.aanjager,
                &format!("/canvases/{id}/status"),
                &fields,
            )
            .await;
            assert_eq!(status, 303, "{page}");
        }
    };
    close(
        in_treatment(&app, "Casus E-1").await,
        "doorbraak_gerealiseerd",
        "2",
        "tag_leefgebied_housing",
    )
    .await;
    close(
        in_treatment(&app, "Casus E-2").await,
        "doorbraak_gerealiseerd",
        "3",
        "tag_leefgebied_housing",
    )
    .await;
    close(
        spent_on,
        "afgesloten_zonder_doorbraak",
        "1",
        "tag_leefgebied_financial_security",
    )
    .await;
    app.create_canvas("Casus E-4").await;

    let (half, this, before) = this_half();
    let query = format!("niveau=team&id={team}&halfjaar={half}");
    let who = &people.teamlid;
    let outcomes = table(&app, who, &query, "uitkomst").await;
    assert_eq!(row(&outcomes, &this)[1..], ["2", "1"]);
    assert_eq!(row(&outcomes, &before)[1..], ["0", "0"]);
    let status = table(&app, who, &query, "status").await;
    assert_eq!(row(&status, "Doorbraak gerealiseerd")[1..], ["0", "2"]);
    assert_eq!(row(&status, "Afgesloten zonder doorbraak")[1..], ["0", "1"]);
    assert_eq!(row(&status, "Concept")[1..], ["0", "1"]);
    let areas = table(&app, who, &query, "leefgebieden").await;
    assert_eq!(row(&areas, "Woonsituatie")[2], "2", "{areas:?}");
    assert_eq!(
        row(&areas, "Financiële zekerheid")[2],
        "0",
        "only doorbraken count"
    );
    let orders = table(&app, who, &query, "leerorde").await;
    assert_eq!(
        orders.iter().map(|r| r[2].as_str()).collect::<Vec<_>>(),
        ["1", "1", "1"]
    );
    let knelpunten = table(&app, who, &query, "knelpunten").await;
    assert_eq!(row(&knelpunten, "Een werkproces")[2], "3");
    let budget = table(&app, who, &query, "budget").await;
    assert_eq!(
        budget,
        vec![vec![
            year.to_owned(),
            "1000,00".into(),
            "0,00".into(),
            "300,00".into(),
            "300,00".into()
        ]]
    );

    // The page shows the same, with its charts as SVG and a table each.
    let (status, _, page) = app
        .as_person(who)
        .page(&format!("/lerend-evalueren?{query}"))
        .await;
    assert_eq!(status, 200);
    assert!(page.contains("<svg") && page.contains("Doorbraken per leefgebied"));
    assert!(page.contains("Leeragenda"));
    // The CSV is in the audit log.
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|(e, _, d)| e == "exported" && d.contains("lerend evalueren als CSV"))
    );
    // A table that does not exist, a half-year that does not parse: refused in Dutch.
    let (status, body) = app
        .as_person(who)
        .get(&format!("/lerend-evalueren.csv?{query}&tabel=geheim"))
        .await;
    assert_eq!(status, 422, "{body}");
    let (status, _) = app
        .as_person(who)
        .get(&format!(
            "/lerend-evalueren?niveau=team&id={team}&halfjaar=2026-3"
        ))
        .await;
    assert_eq!(status, 422);
}

#[tokio::test]
async fn each_dashboard_opens_for_its_own_people() {
    let app = TestApp::spawn().await;
    let p = app.people.clone();
    let province = app
        .database()
        .await
        .provinces()
        .await
        .expect("provinces")
        .into_iter()
        .find(|r| r.name == "Gelderland")
        .expect("Gelderland")
        .id
        .0;
    let team = format!("niveau=team&id={}", p.team);
    let gemeente = "niveau=gemeente&id=Arnhem".to_owned();
    let prov = format!("niveau=provincie&id={province}");
    let land = "niveau=land".to_owned();
    // (who, team, gemeente, province, country)
    for (who, person, expected) in [
        ("teamlid", &p.teamlid, [200, 200, 403, 403]),
        ("inbrenger", &p.inbrenger, [403, 403, 403, 403]),
        ("other team", &p.other_member, [403, 403, 403, 403]),
        ("coach", &p.coach, [403, 403, 200, 403]),
        ("coach elsewhere", &p.other_coach, [403, 403, 403, 403]),
        ("pmm", &p.pmm, [403, 403, 403, 200]),
        ("beheerder", &p.beheerder, [403, 403, 403, 403]),
    ] {
        for (query, want) in [&team, &gemeente, &prov, &land].iter().zip(expected) {
            let status = app
                .as_person(person)
                .head_status(&format!("/lerend-evalueren?{query}"))
                .await;
            assert_eq!(status, want, "{who}: {query}");
            let csv = app
                .as_person(person)
                .head_status(&format!("/lerend-evalueren.csv?{query}&tabel=status"))
                .await;
            assert_eq!(csv, want, "{who}: CSV of {query}");
        }
    }
    // Without a choice: the first dashboard one may open.
    for person in [&p.teamlid, &p.coach, &p.pmm, &p.other_member] {
        assert_eq!(
            app.as_person(person).head_status("/lerend-evalueren").await,
            200
        );
    }
    assert_eq!(
        app.as_person(&p.beheerder)
            .head_status("/lerend-evalueren")
            .await,
        403
    );
}

#[tokio::test]
async fn the_team_keeps_its_leeragenda_until_done() {
    let app = TestApp::spawn().await;
    let p = app.people.clone();
    let archived = archived_case(
        &app,
        "Casus LA-1",
        "Vervoer naar school.",
        "doorbraak_gerealiseerd",
        &[],
        None,
    )
    .await;
    let path = format!("/teams/{}/leeragenda", p.team);
    let canvas_field = format!("canvas_{archived}");
    let owner = p.teamlid.id.to_string();
    let point = [
        ("soort", "veranderactie"),
        (
            "tekst",
            "Leerlingenvervoer ook met een scooter mogelijk maken.",
        ),
        ("eigenaar", owner.as_str()),
        ("datum", "2027-03-01"),
        (canvas_field.as_str(), "ja"),
    ];
    // Not anonymous, no owner from the team, no date: refused, nothing stored.
    for (field, value, says) in [
        ("tekst", "Bel 06-12345678", "moet anoniem zijn"),
        ("eigenaar", "999999", "Kies een eigenaar uit het team"),
        ("datum", "morgen", "jjjj-mm-dd"),
    ] {
        let fields: Vec<(&str, &str)> = point
            .iter()
            .map(|(k, v)| if *k == field { (*k, value) } else { (*k, *v) })
            .collect();
        let (status, _, page) = post_as(&app, &p.aanjager, &path, &fields).await;
        assert_eq!(status, 422, "{field}");
        assert!(page.contains(says), "{field}: {page}");
    }
    // Another team may not.
    assert_eq!(post_as(&app, &p.other_member, &path, &point).await.0, 403);
    let (status, _, page) = post_as(&app, &p.teamlid, &path, &point).await;
    assert_eq!(status, 303, "{page}");
    let dashboard = format!("/lerend-evalueren?niveau=team&id={}", p.team);
    let (_, _, page) = app.as_person(&p.projectleider).page(&dashboard).await;
    assert!(page.contains("Leerlingenvervoer ook met een scooter mogelijk maken."));
    assert!(page.contains("Casus LA-1") && page.contains("2027-03-01"));
    // A lerend-evalueren overleg takes the open leeragenda as its agenda, once.
    let chair = p.aanjager.id.to_string();
    let (status, head, _) = post_as(
        &app,
        &p.aanjager,
        &format!("/teams/{}/overleggen", p.team),
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    assert_eq!(status, 303, "{head}");
    let meeting = meeting_id(&head);
    let take = format!("/overleggen/{meeting}/leeragenda");
    assert_eq!(post_as(&app, &p.other_member, &take, &[]).await.0, 404);
    assert_eq!(post_as(&app, &p.aanjager, &take, &[]).await.0, 303);
    let (_, _, page) = app
        .as_person(&p.teamlid)
        .page(&format!("/overleggen/{meeting}"))
        .await;
    assert!(
        page.contains("Veranderactie: Leerlingenvervoer ook met een scooter mogelijk maken."),
        "{page}"
    );
    let (status, _, page) = post_as(&app, &p.aanjager, &take, &[]).await;
    assert_eq!(status, 422, "not twice");
    assert!(page.contains("geen open punten"));

    let id: i64 = sqlx::query_scalar(&sql("SELECT id FROM learning_agenda"))
        .fetch_one(&app.db().await)
        .await
        .expect("point");
    let status_path = format!("/leeragenda/{id}/status");
    assert_eq!(
        post_as(&app, &p.other_member, &status_path, &[("status", "klaar")])
            .await
            .0,
        404
    );
    assert_eq!(
        post_as(&app, &p.teamlid, &status_path, &[("status", "verzonnen")])
            .await
            .0,
        422
    );
    assert_eq!(
        post_as(&app, &p.teamlid, &status_path, &[("status", "klaar")])
            .await
            .0,
        303
    );
    let (status, done): (String, Option<i64>) = sqlx::query_as(&sql(
        "SELECT status, done_at FROM learning_agenda WHERE id = ?",
    ))
    .bind(id)
    .fetch_one(&app.db().await)
    .await
    .expect("point");
    assert_eq!(status, "klaar");
    assert!(done.is_some());
}
