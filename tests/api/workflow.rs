//! The workflow of issue 5 over HTTP: every status change allowed or refused, escalation up and
//! back down with access following the level, the coach dashboard's order and ageing, the
//! budget ledger, and concurrent changes that must neither get lost nor spend twice.

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::*;

/// Posts a form as `person` (a bearer token needs no CSRF token); returns status and page.
async fn post(
    app: &TestApp,
    person: &Person,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String) {
    let (status, _, page) = app.as_person(person).post_form(path, &form(fields)).await;
    (status, page)
}

async fn status_of(app: &TestApp, id: &str) -> String {
    let (status,): (String,) = sqlx::query_as(&sql("SELECT status FROM canvases WHERE id = ?"))
        .bind(id)
        .fetch_one(&app.db().await)
        .await
        .expect("canvas");
    status
}

/// A canvas of the team, moved into behandeling by the aanjager.
async fn in_treatment(app: &TestApp, label: &str) -> String {
    let id = app.create_canvas(label).await;
    let aanjager = &app.people.aanjager;
    for (from, to) in [("concept", "ingebracht"), ("ingebracht", "in_behandeling")] {
        let path = format!("/canvases/{id}/status");
        let (status, page) = post(app, aanjager, &path, &[("van", from), ("naar", to)]).await;
        assert_eq!(status, 303, "{from} -> {to}: {page}");
    }
    id
}

#[tokio::test]
async fn status_changes_follow_the_table_and_are_recorded() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = app.create_canvas("Casus S-1").await;
    let path = format!("/canvases/{id}/status");
    // Not in the table: refused, nothing changes.
    let (status, page) = post(
        &app,
        &people.aanjager,
        &path,
        &[("van", "concept"), ("naar", "gearchiveerd")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Een canvas met status «Concept» kan niet naar «Gearchiveerd»."));
    // Opgeschaald only through an escalation.
    let (status, _) = post(
        &app,
        &people.aanjager,
        &path,
        &[("van", "concept"), ("naar", "opgeschaald")],
    )
    .await;
    assert_eq!(status, 422);
    // The teamlid may not bring a case in; the inbrenger of another case does not even see it.
    let (status, page) = post(
        &app,
        &people.teamlid,
        &path,
        &[("van", "concept"), ("naar", "ingebracht")],
    )
    .await;
    assert_eq!(status, 403);
    assert!(page.contains("voorbehouden aan: aanjager, projectleider, inbrenger"));
    assert_eq!(
        post(
            &app,
            &people.inbrenger,
            &path,
            &[("van", "concept"), ("naar", "ingebracht")]
        )
        .await
        .0,
        404
    );
    assert_eq!(status_of(&app, &id).await, "concept");

    let steps = [
        (&people.projectleider, "concept", "ingebracht"),
        (&people.aanjager, "ingebracht", "in_behandeling"),
        (&people.aanjager, "in_behandeling", "doorbraak_gerealiseerd"),
        (&people.aanjager, "doorbraak_gerealiseerd", "in_behandeling"),
        (
            &people.aanjager,
            "in_behandeling",
            "afgesloten_zonder_doorbraak",
        ),
        (
            &people.aanjager,
            "afgesloten_zonder_doorbraak",
            "gearchiveerd",
        ),
    ];
    for (who, from, to) in steps {
        let (status, page) = post(
            &app,
            who,
            &path,
            &closing(&[("van", from), ("naar", to), ("toelichting", "besproken")]),
        )
        .await;
        assert_eq!(status, 303, "{from} -> {to}: {page}");
    }
    let (status, _) = post(
        &app,
        &people.aanjager,
        &path,
        &[("van", "gearchiveerd"), ("naar", "in_behandeling")],
    )
    .await;
    assert_eq!(status, 409, "archived is final");
    let history: Vec<(String, String, String)> = sqlx::query_as(&sql(
        "SELECT s.from_status, s.to_status, a.email FROM status_changes s \
         JOIN accounts a ON a.id = s.changed_by WHERE s.canvas_id = ? ORDER BY s.id",
    ))
    .bind(&id)
    .fetch_all(&app.db().await)
    .await
    .expect("history");
    assert_eq!(history.len(), 6);
    assert_eq!(
        history[0],
        (
            "concept".into(),
            "ingebracht".into(),
            people.projectleider.email.clone()
        )
    );
    let (_, _, page) = app.http.page(&format!("/canvases/{id}")).await;
    assert!(page.contains("Tijdlijn") && page.contains("besproken"));
}

#[tokio::test]
async fn of_two_status_changes_at_once_exactly_one_wins() {
    let app = TestApp::spawn().await;
    let id = in_treatment(&app, "Casus S-2").await;
    let path = format!("/canvases/{id}/status");
    let aanjager = &app.people.aanjager;
    let realised = closing(&[
        ("van", "in_behandeling"),
        ("naar", "doorbraak_gerealiseerd"),
    ]);
    let not_realised = closing(&[
        ("van", "in_behandeling"),
        ("naar", "afgesloten_zonder_doorbraak"),
    ]);
    let (a, b) = tokio::join!(
        post(&app, aanjager, &path, &realised),
        post(&app, aanjager, &path, &not_realised),
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(codes, [303, 409], "one wins, the other is told");
    let loser = if a.0 == 409 { &a.1 } else { &b.1 };
    assert!(loser.contains("Iemand anders heeft dit intussen gewijzigd"));
    let (changes,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM status_changes WHERE canvas_id = ?",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(
        changes, 3,
        "two steps into treatment and one closing, not two"
    );
}

/// What `person` gets on the canvas now: 404, "read" or "edit", over the WebSocket.
async fn access(app: &TestApp, person: &Person, id: &str) -> &'static str {
    let url = app.ws_url_as(person, id, "");
    if upgrade_status(&url).await == 404 {
        return "none";
    }
    let mut client = Client::connect(&url).await;
    client.round_trip().await;
    if client.read_only_notices > 0 {
        "read"
    } else {
        "edit"
    }
}

#[tokio::test]
async fn escalation_goes_up_and_back_down_and_access_follows() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = in_treatment(&app, "Casus E-1").await;
    let mut editor = app.connect(&id).await;
    editor.type_text("Zoals het was bij de escalatie.").await;
    editor.round_trip().await;
    assert_eq!(access(&app, &people.coach, &id).await, "none");

    let escalate = format!("/canvases/{id}/opschalen");
    let (status, page) = post(
        &app,
        &people.teamlid,
        &escalate,
        &[("naar", "coach"), ("vraag", "   ")],
    )
    .await;
    assert_eq!(status, 422, "the question is required");
    assert!(page.contains("Stel de vraag over het systeemprobleem"));
    let question = "Mag de verordening hier wijken?";
    let (status, page) = post(
        &app,
        &people.teamlid,
        &escalate,
        &[("naar", "coach"), ("vraag", question)],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(status_of(&app, &id).await, "opgeschaald");
    let (status, _) = post(
        &app,
        &people.teamlid,
        &escalate,
        &[("naar", "pmm"), ("vraag", "Nog eens")],
    )
    .await;
    assert_eq!(status, 409, "already escalated");

    assert_eq!(
        access(&app, &people.coach, &id).await,
        "edit",
        "a coach of the province, now"
    );
    assert_eq!(access(&app, &people.other_coach, &id).await, "none");
    assert_eq!(access(&app, &people.pmm, &id).await, "none");
    assert!(
        audit_events(&app).await.iter().any(|e| e.0 == "escalated"),
        "audited"
    );

    // The canvas changes after the escalation; the frozen copy keeps what was asked about.
    editor.type_text(" Later toegevoegd.").await;
    editor.round_trip().await;
    let (escalation,): (i64,) =
        sqlx::query_as(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("escalation");
    let (status, _, frozen) = app
        .as_person(&people.coach)
        .page(&format!("/canvases/{id}/opschalingen/{escalation}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        frozen.contains("Zoals het was bij de escalatie.") && !frozen.contains("Later toegevoegd")
    );
    assert!(
        !frozen.contains("data-canvas-id"),
        "a frozen copy is not live"
    );
    let (_, _, summary) = app
        .as_person(&people.coach)
        .page(&format!(
            "/canvases/{id}/opschalingen/{escalation}/samenvatting"
        ))
        .await;
    assert!(
        summary.contains(question)
            && summary.contains("Waardendriehoek")
            && summary.contains("summary-net")
    );
    // The same words as the canvas, and where the case stands.
    for expected in [
        "Vertrouwelijk",
        "Netto resultaat (doormodderen − doorbreken)",
        "Terugverdientijd",
        "<dt>Team</dt><dd>Team Arnhem</dd>",
        "<dt>Gemeente</dt><dd>Arnhem</dd>",
        "<dd id=\"summary-status\">Opgeschaald</dd>",
        "data-print",
    ] {
        assert!(summary.contains(expected), "{expected} in {summary}");
    }

    // The aanjager cannot answer for the coach; the coach escalates further to PMM.
    let answer = format!("/canvases/{id}/opschalingen/{escalation}/antwoord");
    let (status, _) = post(
        &app,
        &people.aanjager,
        &answer,
        &[("antwoord", "x"), ("uitkomst", "opgelost")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, page) = post(
        &app,
        &people.coach,
        &answer,
        &[
            ("antwoord", "Landelijke regel."),
            ("uitkomst", "verder_opgeschaald"),
            ("verder_naar", "pmm"),
            ("verder_vraag", "Mag het landelijk?"),
        ],
    )
    .await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(
        access(&app, &people.pmm, &id).await,
        "read",
        "PMM reads and answers"
    );
    assert_eq!(
        access(&app, &people.coach, &id).await,
        "edit",
        "still above the coach"
    );

    let (second,): (i64,) = sqlx::query_as(&sql(
        "SELECT id FROM escalations WHERE canvas_id = ? AND answered_at IS NULL",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("open step");
    let (status, _, inbox) = app.as_person(&people.pmm).page("/pmm").await;
    assert_eq!(status, 200);
    assert!(inbox.contains("Mag het landelijk?"));
    let pick_up = format!("/canvases/{id}/opschalingen/{second}/oppakken");
    assert_eq!(post(&app, &people.pmm, &pick_up, &[]).await.0, 303);
    let answer = format!("/canvases/{id}/opschalingen/{second}/antwoord");
    let (status, _) = post(
        &app,
        &people.pmm,
        &answer,
        &[
            ("antwoord", "Ja, met een experimentbepaling."),
            ("uitkomst", "opgelost"),
        ],
    )
    .await;
    assert_eq!(status, 303);

    // Back at the team: the path stays, coach and PMM keep reading for the record.
    assert_eq!(status_of(&app, &id).await, "in_behandeling");
    assert_eq!(access(&app, &people.coach, &id).await, "read");
    assert_eq!(access(&app, &people.pmm, &id).await, "read");
    let (_, _, page) = app.http.page(&format!("/canvases/{id}")).await;
    for text in [
        question,
        "Landelijke regel.",
        "Mag het landelijk?",
        "Ja, met een experimentbepaling.",
        "Verder opgeschaald",
        "Opgepakt door pmm",
    ] {
        assert!(page.contains(text), "{text} on the canvas's path");
    }
    // Notifications: the coach heard of the escalation, the team of the answers.
    assert!(
        app.as_person(&people.coach)
            .page("/meldingen")
            .await
            .2
            .contains("Nieuwe opschaling naar provinciale doorbraakcoach")
    );
    assert!(
        app.as_person(&people.teamlid)
            .page("/meldingen")
            .await
            .2
            .contains("Antwoord ontvangen (opgelost)")
    );
}

#[tokio::test]
async fn only_a_canvas_in_treatment_is_escalated_and_only_by_its_team() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus E-2").await;
    let escalate = format!("/canvases/{id}/opschalen");
    let fields = [("naar", "directie"), ("vraag", "Mag dit?")];
    let (status, page) = post(&app, &app.people.aanjager, &escalate, &fields).await;
    assert_eq!(status, 422);
    assert!(page.contains("Alleen een canvas dat in behandeling is kan worden opgeschaald."));
    assert_eq!(
        post(&app, &app.people.coach, &escalate, &fields).await.0,
        404,
        "not visible to the coach"
    );
    let id = in_treatment(&app, "Casus E-3").await;
    let escalate = format!("/canvases/{id}/opschalen");
    assert_eq!(
        post(&app, &app.people.teamlid, &escalate, &fields).await.0,
        303
    );
    let (answer_id,): (i64,) =
        sqlx::query_as(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("escalation");
    let answer = format!("/canvases/{id}/opschalingen/{answer_id}/antwoord");
    let fields = [("antwoord", "Akkoord."), ("uitkomst", "teruggelegd")];
    assert_eq!(
        post(&app, &app.people.teamlid, &answer, &fields).await.0,
        403,
        "the directie's answer is recorded by the aanjager or projectleider"
    );
    assert_eq!(
        post(&app, &app.people.projectleider, &answer, &fields)
            .await
            .0,
        303
    );
    assert_eq!(
        post(&app, &app.people.projectleider, &answer, &fields)
            .await
            .0,
        409,
        "answered already"
    );
}

#[tokio::test]
async fn the_dashboard_shows_the_oldest_waiting_first_and_marks_long_waits() {
    let app = TestApp::spawn().await;
    let db = app.db().await;
    let mut ids = Vec::new();
    for (label, days) in [("Casus A-5", 5_i64), ("Casus B-30", 30), ("Casus C-1", 1)] {
        let id = in_treatment(&app, label).await;
        let path = format!("/canvases/{id}/opschalen");
        let (status, _) = post(
            &app,
            &app.people.teamlid,
            &path,
            &[("naar", "coach"), ("vraag", "Vraag")],
        )
        .await;
        assert_eq!(status, 303);
        sqlx::query(&sql(
            "UPDATE escalations SET escalated_at = escalated_at - ? * 86400000 WHERE canvas_id = ?",
        ))
        .bind(days)
        .bind(&id)
        .execute(&db)
        .await
        .expect("age");
        ids.push(id);
    }
    let directie = in_treatment(&app, "Casus D-0").await;
    let path = format!("/canvases/{directie}/opschalen");
    post(
        &app,
        &app.people.teamlid,
        &path,
        &[("naar", "directie"), ("vraag", "Vraag")],
    )
    .await;

    let coach = app.as_person(&app.people.coach);
    let order = |page: &str| -> Vec<String> {
        page.split("data-canvas=\"")
            .skip(1)
            .map(|rest| rest[..36].to_owned())
            .collect()
    };
    let (status, _, page) = coach.page("/coach").await;
    assert_eq!(status, 200);
    assert_eq!(
        order(&page),
        [ids[1].clone(), ids[0].clone(), ids[2].clone()],
        "oldest first"
    );
    assert!(!page.contains(&directie), "not yet the coach's business");
    assert!(page.contains("30 dagen") && page.contains("5 dagen") && page.contains("1 dag"));
    assert_eq!(
        page.matches("data-late=\"true\"").count(),
        1,
        "only the 30-day wait passes 14 days"
    );
    let (_, _, by_label) = coach.page("/coach/tabel?sorteer=casus").await;
    assert_eq!(
        order(&by_label),
        [ids[0].clone(), ids[1].clone(), ids[2].clone()]
    );
    let (_, _, overview) = app.http.page("/").await;
    assert!(
        overview.contains("Wacht op provinciale doorbraakcoach, 30 dagen"),
        "the team's overview marks it too"
    );
    assert_eq!(
        app.as_person(&app.people.teamlid).page("/coach").await.0,
        403
    );
}

#[tokio::test]
async fn the_ledger_adds_up_with_corrections_and_a_confirmed_overrun() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let id = app.create_canvas("Casus B-1").await;
    let year = "2026";
    let budget = format!("/teams/{team}/budget");
    assert_eq!(
        post(
            &app,
            &people.teamlid,
            &budget,
            &[("jaar", year), ("bedrag", "1.000,00")]
        )
        .await
        .0,
        403
    );
    assert_eq!(
        post(
            &app,
            &people.aanjager,
            &budget,
            &[("jaar", year), ("bedrag", "1.000,00")]
        )
        .await
        .0,
        303
    );

    let book = format!("/canvases/{id}/budget");
    let entry = |kind: &'static str, amount: &'static str, confirm: bool| {
        let mut fields = vec![
            ("soort", kind),
            ("bedrag", amount),
            ("waarvoor", "Fiets"),
            ("waarom", "Geen regeling voor"),
            ("goedgekeurd_door", "Anne"),
            ("datum", "2026-11-20"),
        ];
        if confirm {
            fields.push(("boven_budget", "ja"));
        }
        fields
    };
    assert_eq!(
        post(
            &app,
            &people.teamlid,
            &book,
            &entry("spent", "300,00", false)
        )
        .await
        .0,
        403,
        "the teamlid does not book"
    );
    let (status, page) = post(
        &app,
        &people.aanjager,
        &book,
        &[
            ("soort", "spent"),
            ("bedrag", "300"),
            ("waarvoor", "Fiets"),
            ("goedgekeurd_door", "Anne"),
            ("datum", "2026-11-20"),
        ],
    )
    .await;
    assert_eq!(status, 422, "why the regular route failed is required");
    assert!(page.contains("waarom de reguliere route niet werkte"));
    assert_eq!(
        post(
            &app,
            &people.aanjager,
            &book,
            &entry("spent", "300,00", false)
        )
        .await
        .0,
        303
    );
    assert_eq!(
        post(
            &app,
            &people.projectleider,
            &book,
            &entry("committed", "500,00", false)
        )
        .await
        .0,
        303
    );
    let (status, page) = post(
        &app,
        &people.aanjager,
        &book,
        &entry("spent", "300,00", false),
    )
    .await;
    assert_eq!(status, 409, "over budget without confirmation");
    assert!(page.contains("er is nog € 200,00"), "{page}");
    assert_eq!(
        post(
            &app,
            &people.aanjager,
            &book,
            &entry("spent", "300,00", true)
        )
        .await
        .0,
        303,
        "confirmed"
    );

    let entries: Vec<(i64, i64, i64)> = sqlx::query_as(&sql(
        "SELECT id, amount_cents, over_budget_confirmed FROM budget_entries ORDER BY id",
    ))
    .fetch_all(&app.db().await)
    .await
    .expect("entries");
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2].2, 1, "the overrun's confirmation is recorded");
    let first = entries[0].0;
    let correct = format!("/canvases/{id}/budget/{first}/correctie");
    let (status, page) = post(
        &app,
        &people.aanjager,
        &correct,
        &[("bedrag", "400,00"), ("reden", "Te veel")],
    )
    .await;
    assert_eq!(status, 409, "never more than the entry");
    assert!(page.contains("€ 300,00"));
    assert_eq!(
        post(
            &app,
            &people.aanjager,
            &correct,
            &[("bedrag", "50,00"), ("reden", "Korting")]
        )
        .await
        .0,
        303
    );

    // Budget 1000, committed 500, spent 300 + 300 − 50 = 550: 50 over.
    let (_, _, page) = app
        .http
        .page(&format!("/teams/{team}/budget?jaar=2026"))
        .await;
    for (id, figure) in [
        ("budget-total", "€ 1.000,00"),
        ("budget-committed", "€ 500,00"),
        ("budget-spent", "€ 550,00"),
        ("budget-remaining", "-€ 50,00"),
    ] {
        assert!(
            page.contains(&format!("<dd id=\"{id}\">{figure}</dd>")),
            "{id} = {figure}"
        );
    }
    let (status, head, csv) = app
        .http
        .request_full(
            "GET",
            &format!("/teams/{team}/budget.csv?jaar=2026"),
            "text/csv",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("text/csv"));
    let csv = String::from_utf8(csv).expect("utf-8");
    assert_eq!(csv.lines().count(), 5, "a header and four entries: {csv}");
    assert!(csv.contains("-5000;") && csv.contains("Korting"));
    // As Dutch Excel reads it: a byte-order mark, semicolons, amounts as numbers with a decimal
    // comma (the correction too), dates as dd-mm-jjjj.
    let body = csv
        .strip_prefix('\u{feff}')
        .expect("UTF-8 with a byte-order mark");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let header = reader.headers().expect("header").clone();
    let column = |name: &str| header.iter().position(|h| h == name).expect(name);
    let (date, cents, euros) = (column("datum"), column("bedrag_centen"), column("bedrag"));
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 4);
    for row in &rows {
        let day = &row[date];
        assert!(
            day.len() == 10 && day.as_bytes()[2] == b'-' && day.as_bytes()[5] == b'-',
            "dd-mm-jjjj: {day}"
        );
        let number: f64 = row[euros].replace(',', ".").parse().expect("a number");
        let in_cents: i64 = row[cents].parse().expect("whole cents");
        assert_eq!((number * 100.0).round() as i64, in_cents, "{:?}", row);
    }
    assert!(
        rows.iter().any(|row| &row[euros] == "-50,00"),
        "the correction stays a number"
    );
    // The same ledger as XLSX, read back with a real reader: amounts as numbers.
    let (status, head, xlsx) = app
        .http
        .request_full(
            "GET",
            &format!("/teams/{team}/budget.xlsx?jaar=2026"),
            "",
            None,
        )
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("spreadsheetml"), "{head}");
    use calamine::{DataType, Reader};
    let mut book: calamine::Xlsx<_> =
        calamine::Xlsx::new(std::io::Cursor::new(xlsx)).expect("an xlsx");
    let sheet = book.worksheet_range("Grootboek").expect("the sheet");
    assert_eq!(sheet.height(), 5, "a header and four entries");
    let amounts: Vec<f64> = sheet
        .rows()
        .skip(1)
        .map(|row| row[6].as_f64().expect("an amount is a number"))
        .collect();
    assert!(amounts.contains(&-50.0), "{amounts:?}");
    // Entries are never changed or deleted.
    let db = app.db().await;
    assert!(
        sqlx::query(&sql("UPDATE budget_entries SET amount_cents = 0"))
            .execute(&db)
            .await
            .is_err()
    );
    assert!(
        sqlx::query(&sql("DELETE FROM budget_entries"))
            .execute(&db)
            .await
            .is_err()
    );
}

#[tokio::test]
async fn two_bookings_at_once_never_spend_the_budget_twice() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let id = app.create_canvas("Casus B-2").await;
    post(
        &app,
        &people.aanjager,
        &format!("/teams/{team}/budget"),
        &[("jaar", "2026"), ("bedrag", "1.000,00")],
    )
    .await;
    let book = format!("/canvases/{id}/budget");
    let fields = [
        ("soort", "spent"),
        ("bedrag", "600,00"),
        ("waarvoor", "Huur"),
        ("waarom", "Geen regeling"),
        ("goedgekeurd_door", "Anne"),
        ("datum", "2026-11-20"),
    ];
    for _ in 0..5 {
        let (a, b) = tokio::join!(
            post(&app, &people.aanjager, &book, &fields),
            post(&app, &people.projectleider, &book, &fields),
        );
        let mut codes = [a.0, b.0];
        codes.sort_unstable();
        assert!(codes == [303, 409] || codes == [409, 409], "{codes:?}");
    }
    let (spent,): (i64,) = sqlx::query_as(&sql(
        "SELECT CAST(SUM(amount_cents) AS BIGINT) FROM budget_entries",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("sum");
    assert_eq!(
        spent, 60_000,
        "exactly one of all those bookings went through"
    );
}

/// A control character in a timeline note or an escalation question (a NUL, which PostgreSQL's
/// text cannot hold, or an escape) is refused in Dutch and changes nothing, on either backend.
#[tokio::test]
async fn control_characters_in_workflow_texts_are_refused_and_change_nothing() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = app.create_canvas("Casus C-0").await;
    let path = format!("/canvases/{id}/status");
    for note in ["met een \u{0} erin", "met een \u{1b}[31m kleur"] {
        let (status, page) = post(
            &app,
            &people.aanjager,
            &path,
            &[
                ("van", "concept"),
                ("naar", "ingebracht"),
                ("toelichting", note),
            ],
        )
        .await;
        assert_eq!(status, 422, "{note:?}");
        assert!(page.contains("stuurtekens"), "{note:?}");
        assert_eq!(status_of(&app, &id).await, "concept");
    }
    let treated = in_treatment(&app, "Casus C-1").await;
    let (status, page) = post(
        &app,
        &people.aanjager,
        &format!("/canvases/{treated}/opschalen"),
        &[("naar", "directie"), ("vraag", "Mag dit?\u{0}")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("stuurtekens"));
    assert_eq!(status_of(&app, &treated).await, "in_behandeling");
}

/// Twenty bookings at the same moment that each fit the budget alone but not together: exactly as
/// many land as fit, on either backend (on PostgreSQL over parallel connections of the pool).
#[tokio::test]
async fn twenty_bookings_at_once_spend_no_more_than_the_budget() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let id = app.create_canvas("Casus B-20").await;
    post(
        &app,
        &people.aanjager,
        &format!("/teams/{team}/budget"),
        &[("jaar", "2026"), ("bedrag", "1.000,00")],
    )
    .await;
    let book = format!("/canvases/{id}/budget");
    let fields = [
        ("soort", "spent"),
        ("bedrag", "300,00"),
        ("waarvoor", "Huur"),
        ("waarom", "Geen regeling"),
        ("goedgekeurd_door", "Anne"),
        ("datum", "2026-11-20"),
    ];
    let bookers = [&people.aanjager, &people.projectleider];
    let codes = futures_util::future::join_all(
        (0..20).map(|i| post(&app, bookers[i % bookers.len()], &book, &fields)),
    )
    .await;
    let landed = codes.iter().filter(|(code, ..)| *code == 303).count();
    assert_eq!(
        landed,
        3,
        "{:?}",
        codes.iter().map(|c| c.0).collect::<Vec<_>>()
    );
    let (spent, entries): (i64, i64) = sqlx::query_as(&sql(
        "SELECT CAST(SUM(amount_cents) AS BIGINT), COUNT(*) FROM budget_entries",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("sum");
    assert_eq!((spent, entries), (90_000, 3));
}

#[tokio::test]
async fn open_pages_hear_of_workflow_changes() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus L-1").await;
    let mut stream = tokio::net::TcpStream::connect(app.address)
        .await
        .expect("connect");
    let request = format!(
        "GET /canvases/{id}/gebeurtenissen HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {}\r\n\r\n",
        app.address, app.people.teamlid.token
    );
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut seen = String::new();
    let mut buffer = [0u8; 1024];
    within("the event stream to open", async {
        while !seen.contains("text/event-stream") {
            let n = stream.read(&mut buffer).await.expect("read");
            seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    })
    .await;
    let path = format!("/canvases/{id}/status");
    post(
        &app,
        &app.people.aanjager,
        &path,
        &[("van", "concept"), ("naar", "ingebracht")],
    )
    .await;
    within("the change to be announced", async {
        while !seen.contains("event: werkwijze") {
            let n = stream.read(&mut buffer).await.expect("read");
            seen.push_str(&String::from_utf8_lossy(&buffer[..n]));
        }
    })
    .await;
    let (_, _, fragment) = app
        .as_person(&app.people.teamlid)
        .page(&format!("/canvases/{id}/werkwijze"))
        .await;
    assert!(fragment.starts_with("<section id=\"workflow\"") && fragment.contains("Ingebracht"));
}

#[tokio::test]
async fn open_connections_follow_the_level_at_once() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = in_treatment(&app, "Casus E-4").await;
    let path = format!("/canvases/{id}/opschalen");
    post(
        &app,
        &people.teamlid,
        &path,
        &[("naar", "coach"), ("vraag", "Vraag")],
    )
    .await;
    let mut coach = Client::connect(&app.ws_url_as(&people.coach, &id, "")).await;
    coach.round_trip().await;
    assert_eq!(
        coach.read_only_notices, 0,
        "the coach edits while it is at coach level"
    );
    let mut member = app.connect(&id).await;

    let (step,): (i64,) = sqlx::query_as(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
        .bind(&id)
        .fetch_one(&app.db().await)
        .await
        .expect("escalation");
    let answer = format!("/canvases/{id}/opschalingen/{step}/antwoord");
    let fields = [("antwoord", "Opgelost."), ("uitkomst", "opgelost")];
    assert_eq!(post(&app, &people.coach, &answer, &fields).await.0, 303);
    assert_eq!(
        coach.closed_with().await.0,
        1008,
        "the coach's editing connection ends"
    );
    assert_eq!(
        access(&app, &people.coach, &id).await,
        "read",
        "and comes back read-only"
    );
    member.type_text("nog steeds hier").await;
    member.round_trip().await;
    assert!(member.closed.is_none(), "the team's connections stay");

    // Escalated again: the coach's read-only connection comes back editing.
    let mut reader = Client::connect(&app.ws_url_as(&people.coach, &id, "")).await;
    reader.round_trip().await;
    assert!(reader.read_only_notices > 0);
    post(
        &app,
        &people.teamlid,
        &path,
        &[("naar", "coach"), ("vraag", "Nog een vraag")],
    )
    .await;
    assert_eq!(reader.closed_with().await.0, 1008);
    assert_eq!(access(&app, &people.coach, &id).await, "edit");
}

/// An event stream ends with its viewer's access, exactly like a socket: here on removal from
/// the team, on sign-out of the session that opened it (by cookie), and when a role changes.
#[tokio::test]
async fn event_streams_end_when_access_ends() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus S-1").await;
    let people = app.people.clone();
    let path = format!("/canvases/{id}/gebeurtenissen");

    let mut removed = EventStream::open(&app, &people.teamlid, &path).await;
    let mut demoted = EventStream::open(&app, &people.projectleider, &path).await;
    let aanjager = app.sign_in(&people.aanjager.email, PASSWORD).await;
    let team = people.team;
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/leden/{}/verwijderen", people.teamlid.id),
            &form(&[("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    removed.ended().await;
    let (status, _, _) = aanjager
        .http
        .post_form(
            &format!("/teams/{team}/leden/{}/rol", people.projectleider.id),
            &form(&[("role", "teamlid"), ("csrf", &aanjager.csrf)]),
        )
        .await;
    assert_eq!(status, 303);
    demoted.ended().await;

    // A browser's stream, opened with the session cookie, ends at sign-out.
    let mut stream = EventStream::open_in(&app, &aanjager, &path).await;
    let (status, _, _) = aanjager
        .http
        .post_form("/uitloggen", &form(&[("csrf", &aanjager.csrf)]))
        .await;
    assert_eq!(status, 303);
    stream.ended().await;
}

/// The coach dashboard's stream announces only canvases the coach may read: not a canvas of
/// their province waiting on the directie, but one at coach level.
#[tokio::test]
async fn the_coach_stream_announces_only_what_the_coach_may_see() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let hidden = in_treatment(&app, "Casus D-9").await;
    let shown = in_treatment(&app, "Casus C-9").await;
    let mut stream = EventStream::open(&app, &people.coach, "/coach/gebeurtenissen").await;
    let escalate = |id: &str, to: &'static str| {
        let path = format!("/canvases/{id}/opschalen");
        let app = &app;
        let teamlid = &people.teamlid;
        async move {
            let (status, page) =
                post(app, teamlid, &path, &[("naar", to), ("vraag", "Vraag")]).await;
            assert_eq!(status, 303, "{page}");
        }
    };
    escalate(&hidden, "directie").await;
    escalate(&shown, "coach").await;
    stream.wait_for("event: werkwijze").await;
    assert_eq!(stream.announcements(), 1, "{}", stream.seen);
}

/// From the moment a canvas is archived it is read-only: an open editor is disconnected (1008)
/// and comes back read-only, its updates are dropped (message 101) and nothing is stored, the
/// booking form is gone and the booking, correction and escalation routes answer 409.
#[tokio::test]
async fn an_archived_canvas_is_read_only_at_once() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let team = people.team;
    let budget = format!("/teams/{team}/budget");
    let fields = [("jaar", "2026"), ("bedrag", "1.000,00")];
    assert_eq!(post(&app, &people.aanjager, &budget, &fields).await.0, 303);
    let id = in_treatment(&app, "Casus A-1").await;
    let book = format!("/canvases/{id}/budget");
    let booking = [
        ("soort", "spent"),
        ("bedrag", "10,00"),
        ("waarvoor", "Fiets"),
        ("waarom", "Geen regeling voor"),
        ("goedgekeurd_door", "Anne"),
        ("datum", "2026-11-20"),
    ];
    assert_eq!(post(&app, &people.aanjager, &book, &booking).await.0, 303);
    let mut editor = app.connect(&id).await;
    editor.type_text("voor het archief").await;
    editor.round_trip().await;

    let path = format!("/canvases/{id}/status");
    for (from, to) in [
        ("in_behandeling", "doorbraak_gerealiseerd"),
        ("doorbraak_gerealiseerd", "gearchiveerd"),
    ] {
        let (status, page) = post(
            &app,
            &people.aanjager,
            &path,
            &closing(&[("van", from), ("naar", to)]),
        )
        .await;
        assert_eq!(status, 303, "{page}");
    }
    assert_eq!(
        editor.closed_with().await.0,
        1008,
        "the editor is disconnected at once"
    );

    let mut reader = app.connect(&id).await;
    reader.round_trip().await;
    assert!(reader.read_only_notices > 0, "comes back read-only");
    reader.type_text(" en later").await;
    reader.round_trip().await;
    let app = app.restart(test_limits()).await;
    assert_eq!(
        app.stored(&id).await["steps"]["situation"],
        "voor het archief"
    );

    let (status, page) = post(&app, &people.aanjager, &book, &booking).await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("gearchiveerd"), "{page}");
    let (entry,): (i64,) =
        sqlx::query_as(&sql("SELECT id FROM budget_entries WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("the one entry");
    let correct = format!("/canvases/{id}/budget/{entry}/correctie");
    let correction = [("bedrag", "1,00"), ("reden", "Te veel")];
    assert_eq!(
        post(&app, &people.aanjager, &correct, &correction).await.0,
        409
    );
    let escalate = format!("/canvases/{id}/opschalen");
    let question = [("naar", "coach"), ("vraag", "Vraag")];
    assert_eq!(
        post(&app, &people.teamlid, &escalate, &question).await.0,
        409
    );
    let (_, _, panel) = app
        .as_person(&people.aanjager)
        .page(&format!("/canvases/{id}/werkwijze"))
        .await;
    assert!(
        !panel.contains(&format!("action=\"/canvases/{id}/budget")),
        "{panel}"
    );
    let count: (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM budget_entries WHERE canvas_id = ?",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(count.0, 1, "nothing was booked after archiving");
}

/// A form post: who, where, the fields.
type Post<'a> = (&'a Person, String, Vec<(&'a str, &'a str)>);

/// Two requests at once, each as the person saw things: exactly one goes through, the other is
/// told (409) and changes nothing.
async fn exactly_one_of(app: &TestApp, requests: [Post<'_>; 2]) -> [u16; 2] {
    let [(a_who, a_path, a_fields), (b_who, b_path, b_fields)] = requests;
    let (a, b) = tokio::join!(
        post(app, a_who, &a_path, &a_fields),
        post(app, b_who, &b_path, &b_fields)
    );
    let mut codes = [a.0, b.0];
    codes.sort_unstable();
    assert_eq!(
        codes,
        [303, 409],
        "one wins, the other is told: {} / {}",
        a.1,
        b.1
    );
    codes
}

#[tokio::test]
async fn setting_the_budget_is_compare_and_set() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let path = format!("/teams/{}/budget", people.team);
    let first = |amount: &'static str| vec![("jaar", "2026"), ("bedrag", amount)];
    exactly_one_of(
        &app,
        [
            (&people.aanjager, path.clone(), first("1.000,00")),
            (&people.aanjager, path.clone(), first("2.000,00")),
        ],
    )
    .await;
    let (cents,): (i64,) = sqlx::query_as(&sql(
        "SELECT amount_cents FROM team_budgets WHERE year = 2026",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("budget");
    let seen = cents.to_string();
    let change = |amount: &'static str| {
        vec![
            ("jaar", "2026"),
            ("bedrag", amount),
            ("vorig", seen.as_str()),
        ]
    };
    exactly_one_of(
        &app,
        [
            (&people.aanjager, path.clone(), change("3.000,00")),
            (&people.aanjager, path.clone(), change("4.000,00")),
        ],
    )
    .await;
    // A change made on a stale page is refused.
    let stale = vec![
        ("jaar", "2026"),
        ("bedrag", "5.000,00"),
        ("vorig", seen.as_str()),
    ];
    assert_eq!(post(&app, &people.aanjager, &path, &stale).await.0, 409);
}

#[tokio::test]
async fn escalating_picking_up_and_answering_race_like_status_changes() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let id = in_treatment(&app, "Casus R-9").await;
    let escalate = format!("/canvases/{id}/opschalen");
    exactly_one_of(
        &app,
        [
            (
                &people.teamlid,
                escalate.clone(),
                vec![("naar", "coach"), ("vraag", "Eerste vraag")],
            ),
            (
                &people.projectleider,
                escalate.clone(),
                vec![("naar", "coach"), ("vraag", "Tweede vraag")],
            ),
        ],
    )
    .await;
    let (steps,): (i64,) =
        sqlx::query_as(&sql("SELECT COUNT(*) FROM escalations WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("count");
    assert_eq!(steps, 1, "one escalation, not two");
    let (step,): (i64,) = sqlx::query_as(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
        .bind(&id)
        .fetch_one(&app.db().await)
        .await
        .expect("escalation");
    let pick_up = format!("/canvases/{id}/opschalingen/{step}/oppakken");
    exactly_one_of(
        &app,
        [
            (&people.coach, pick_up.clone(), vec![]),
            (&people.coach, pick_up.clone(), vec![]),
        ],
    )
    .await;
    let picked_up = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "escalation_picked_up")
        .count();
    assert_eq!(
        picked_up, 1,
        "a pick-up is audited as one, not as an answer"
    );
    let answer = format!("/canvases/{id}/opschalingen/{step}/antwoord");
    exactly_one_of(
        &app,
        [
            (
                &people.coach,
                answer.clone(),
                vec![("antwoord", "Opgelost."), ("uitkomst", "opgelost")],
            ),
            (
                &people.coach,
                answer.clone(),
                vec![("antwoord", "Terug."), ("uitkomst", "teruggelegd")],
            ),
        ],
    )
    .await;
    let (answered,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM escalations WHERE canvas_id = ? AND answer IS NOT NULL",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("count");
    assert_eq!(answered, 1);
}

#[tokio::test]
async fn booking_from_the_team_budget_page_uses_the_canvas_rules_and_keeps_what_was_typed() {
    let app = TestApp::spawn().await;
    let (team, people) = (app.people.team, &app.people);
    let id = app.create_canvas("Casus B-9").await;
    let budget = format!("/teams/{team}/budget");
    let (status, _) = post(
        &app,
        &people.aanjager,
        &budget,
        &[("jaar", "2026"), ("bedrag", "500,00")],
    )
    .await;
    assert_eq!(status, 303);

    let (_, _, page) = app
        .as_person(&people.aanjager)
        .page(&format!("{budget}?jaar=2026"))
        .await;
    assert!(
        page.contains("id=\"team-budget-form\""),
        "the aanjager books from here"
    );
    assert!(
        page.contains(&format!("<option value=\"{id}\">Casus B-9</option>")),
        "{page}"
    );
    let (_, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("{budget}?jaar=2026"))
        .await;
    assert!(
        !page.contains("team-budget-form"),
        "a teamlid does not book"
    );

    let book = format!("{budget}/boeken");
    let fields = |canvas: &str, amount: &str| {
        vec![
            ("canvas", canvas.to_owned()),
            ("soort", "committed".to_owned()),
            ("bedrag", amount.to_owned()),
            ("waarvoor", "Scooter".to_owned()),
            ("waarom", "Valt buiten de verordening".to_owned()),
            ("goedgekeurd_door", "Anne".to_owned()),
            ("datum", "2026-11-20".to_owned()),
        ]
    };
    let send = |person: &Person, fields: Vec<(&'static str, String)>| {
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let body = form(&pairs);
        let client = app.as_person(person);
        let path = book.clone();
        async move { client.post_form(&path, &body).await }
    };

    // Not an amount: said so, and what was typed is still in the form.
    let (status, _, page) = send(&people.aanjager, fields(&id, "abc")).await;
    assert_eq!(status, 422);
    assert!(page.contains("Dit is geen bedrag."), "{page}");
    assert!(
        page.contains("value=\"abc\"") && page.contains("value=\"Scooter\""),
        "typed input kept"
    );
    assert!(
        page.contains(&format!("<option value=\"{id}\" selected>")),
        "the chosen canvas kept"
    );
    // Over the budget without confirming: the canvas form's rule, with its message.
    let (status, _, page) = send(&people.aanjager, fields(&id, "600,00")).await;
    assert_eq!(status, 409, "{page}");
    assert!(page.contains("value=\"600,00\""));
    // A canvas of another team is not on this page.
    // (The other team's aanjager starts a canvas there.)
    let (status, body) = app
        .as_person(&people.other_member)
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "Casus Elders" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
    let other = body["id"].as_str().expect("id").to_owned();
    let (status, _, page) = send(&people.aanjager, fields(&other, "10,00")).await;
    assert_eq!(status, 422);
    assert!(page.contains("Kies het canvas waarop je boekt."));
    // A teamlid may not book, here as on the canvas, and learns that before any field is read.
    let (status, _, _) = send(&people.teamlid, fields(&id, "10,00")).await;
    assert_eq!(status, 403);
    let (status, _, page) = send(&people.teamlid, fields(&id, "abc")).await;
    assert_eq!(status, 403, "{page}");

    let (status, head, _) = send(&people.aanjager, fields(&id, "100,00")).await;
    assert_eq!(status, 303);
    assert!(head.contains("/budget?jaar=2026#boekingen"), "{head}");
    let (entries,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM budget_entries WHERE canvas_id = ? AND amount_cents = 10000",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("ledger");
    assert_eq!(entries, 1, "booked once, on the chosen canvas");
}
