//! The doorbraakoverleg over HTTP (issue 12, planning): planning once and every N weeks in Dutch
//! time, the agenda with the ingebracht canvases proposed and put on it, changes and cancellation
//! told to the team, who may see and do what, and the calendar (one overleg, and the secret feed)
//! read back with the `ical` crate's parser.

use std::io::BufReader;

use crate::helpers::*;

/// The form's fields for an overleg on `date` at `time`, chaired by `chair`.
pub(crate) fn schedule<'a>(
    date: &'a str,
    time: &'a str,
    chair: &'a str,
) -> Vec<(&'a str, &'a str)> {
    vec![
        ("datum", date),
        ("tijd", time),
        ("duur", "120"),
        ("plaats", "Stadhuis, zaal 3"),
        ("videolink", "https://video.example.nl/doorbraak"),
        ("voorzitter", chair),
    ]
}

/// The id in a `location: /overleggen/{id}` head.
pub(crate) fn meeting_id(head: &str) -> String {
    head.lines()
        .find_map(|l| l.strip_prefix("location: /overleggen/"))
        .expect("redirect to the overleg")
        .trim()
        .to_owned()
}

fn parse_calendar(body: &str) -> ical::parser::ical::component::IcalCalendar {
    let mut parser = ical::IcalParser::new(BufReader::new(body.as_bytes()));
    let calendar = parser.next().expect("a calendar").expect("valid iCalendar");
    assert!(parser.next().is_none(), "one calendar");
    calendar
}

fn property<'a>(
    props: &'a [ical::property::Property],
    name: &str,
) -> Option<&'a ical::property::Property> {
    props.iter().find(|p| p.name == name)
}

fn value(props: &[ical::property::Property], name: &str) -> String {
    property(props, name)
        .and_then(|p| p.value.clone())
        .unwrap_or_default()
}

pub(crate) async fn count(app: &TestApp, query: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&sql(query))
        .fetch_one(&app.db().await)
        .await
        .expect("count");
    n
}

#[tokio::test]
async fn an_overleg_is_planned_with_the_ingebracht_canvases_on_its_agenda_and_the_team_told() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let team = people.team;
    let id = app.create_canvas("Casus O-1").await;
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{id}/status"),
        &[("van", "concept"), ("naar", "ingebracht")],
    )
    .await;
    assert_eq!(status, 303);
    let chair = people.aanjager.id.to_string();
    let plan = format!("/teams/{team}/overleggen");

    // Only who leads the team plans; a teamlid sees the list but not the form.
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &plan,
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    assert_eq!(status, 403);
    let (_, _, page) = app.as_person(&people.teamlid).page(&plan).await;
    assert!(!page.contains("plan-form"));
    // Someone of another team does not see the team's overleggen at all.
    assert_eq!(app.as_person(&people.other_member).page(&plan).await.0, 404);

    // Refused with the Dutch reason, nothing made.
    for (fields, reason) in [
        (
            schedule("2027-03-28", "02:30", &chair),
            "Kies een bestaande datum en tijd",
        ),
        (
            schedule("2027-02-30", "14:00", &chair),
            "Kies een bestaande datum en tijd",
        ),
        (
            {
                let mut f = schedule("2027-03-03", "14:00", &chair);
                f[2] = ("duur", "5");
                f
            },
            "tussen 15 en 480",
        ),
        (
            {
                let mut f = schedule("2027-03-03", "14:00", &chair);
                f[4] = ("videolink", "http://x.nl");
                f
            },
            "begint met https://",
        ),
        (
            schedule("2027-03-03", "14:00", &people.teamlid.id.to_string()),
            "De voorzitter is de aanjager of de projectleider",
        ),
    ] {
        let (status, _, page) = post_as(&app, &people.aanjager, &plan, &fields).await;
        assert_eq!(status, 422, "{reason}");
        assert!(page.contains(reason), "{reason} in {page}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM meetings").await, 0);

    let (status, head, _) = post_as(
        &app,
        &people.aanjager,
        &plan,
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    assert_eq!(status, 303, "{head}");
    let meeting = meeting_id(&head);
    let (status, _, page) = app
        .as_person(&people.teamlid)
        .page(&format!("/overleggen/{meeting}"))
        .await;
    assert_eq!(status, 200);
    assert!(
        page.contains("03-03-2027 14:00"),
        "shown in Dutch time: {page}"
    );
    assert!(
        page.contains("Casus O-1"),
        "the ingebracht canvas is on the agenda"
    );
    assert_eq!(
        app.as_person(&people.other_member)
            .page(&format!("/overleggen/{meeting}"))
            .await
            .0,
        404
    );
    // Stored as the moment 13:00 UTC.
    assert_eq!(
        count(&app, "SELECT starts_at FROM meetings").await,
        1_804_078_800_000
    );

    // The canvas says when it is on the table.
    let (_, _, canvas_page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}"))
        .await;
    assert!(
        canvas_page.contains("Op de agenda van het <a href=\"/overleggen/"),
        "{canvas_page}"
    );
    assert!(
        canvas_page.contains("03-03-2027 14:00</time>"),
        "{canvas_page}"
    );

    // The team hears of it (not the one who planned it).
    let (_, _, notes) = app.as_person(&people.teamlid).page("/meldingen").await;
    assert!(
        notes.contains("Er is een overleg gepland op 03-03-2027 14:00."),
        "{notes}"
    );
    let (_, _, mine) = app.as_person(&people.aanjager).page("/meldingen").await;
    assert!(!mine.contains("Er is een overleg gepland"));
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|e| e.0 == "meeting_planned")
    );
}

#[tokio::test]
async fn a_series_keeps_its_dutch_clock_time_across_summer_time() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let chair = people.projectleider.id.to_string();
    let mut fields = schedule("2027-03-17", "14:00", &chair);
    fields.extend([("elke_weken", "2"), ("aantal", "3")]);
    let (status, head, page) = post_as(
        &app,
        &people.projectleider,
        &format!("/teams/{}/overleggen", people.team),
        &fields,
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let _ = meeting_id(&head);
    let (_, _, list) = app
        .as_person(&people.teamlid)
        .page(&format!("/teams/{}/overleggen", people.team))
        .await;
    // 17 March is winter time, 31 March and 14 April summer time: 14:00 every time.
    for date in ["17-03-2027 14:00", "31-03-2027 14:00", "14-04-2027 14:00"] {
        assert!(list.contains(date), "{date} in {list}");
    }
    assert_eq!(
        count(&app, "SELECT COUNT(DISTINCT series) FROM meetings").await,
        1
    );
    let (status, _, page) = post_as(
        &app,
        &people.projectleider,
        &format!("/teams/{}/overleggen", people.team),
        &{
            let mut f = schedule("2027-03-17", "14:00", &chair);
            f.extend([("elke_weken", "2"), ("aantal", "99")]);
            f
        },
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Een reeks is 2 tot 26 overleggen."));
}

#[tokio::test]
async fn the_agenda_is_set_in_order_and_changes_reach_the_calendar() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let chair = people.aanjager.id.to_string();
    let canvas = app.create_canvas("Casus O-2").await;
    let mut editor = app.connect(&canvas).await;
    editor
        .type_text("Geheime situatie van het huishouden.")
        .await;
    editor.round_trip().await;
    let (_, head, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{}/overleggen", people.team),
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    let meeting = meeting_id(&head);
    let base = format!("/overleggen/{meeting}");

    let add = format!("{base}/agenda");
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &add,
            &[("onderwerp", "Mededelingen"), ("minuten", "10")]
        )
        .await
        .0,
        303
    );
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &add,
            &[("canvas", &canvas), ("minuten", "30")]
        )
        .await
        .0,
        303
    );
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &add,
        &[("canvas", &canvas), ("minuten", "30")],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("Dit canvas staat al op de agenda."));
    assert_eq!(
        post_as(
            &app,
            &people.teamlid,
            &add,
            &[("onderwerp", "Iets"), ("minuten", "10")]
        )
        .await
        .0,
        403
    );
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &add,
        &[("onderwerp", "Iets"), ("minuten", "999")],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("1 tot 240 minuten"));

    // The canvas up, before the announcements.
    let (item,): (i64,) = sqlx::query_as(&sql("SELECT id FROM agenda_items WHERE canvas_id = ?"))
        .bind(&canvas)
        .fetch_one(&app.db().await)
        .await
        .expect("item");
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("{base}/agenda/{item}/omhoog"),
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
            &format!("{base}/agenda/{item}/omhoog"),
            &[]
        )
        .await
        .0,
        409,
        "already first"
    );
    let (_, _, page) = app.as_person(&people.teamlid).page(&base).await;
    let (o2, ann) = (
        page.find("Casus O-2").expect("canvas"),
        page.find("Mededelingen").expect("topic"),
    );
    assert!(o2 < ann, "the canvas first");

    // The calendar entry: one VEVENT in Europe/Amsterdam time, labels only.
    let http = app.as_person(&people.teamlid);
    let (status, head, body) = http
        .request_full("GET", &format!("{base}/agenda.ics"), "", None)
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/calendar"), "{head}");
    let ics = String::from_utf8(body).expect("utf-8");
    assert!(
        !ics.contains("Geheime situatie"),
        "no canvas content in a calendar"
    );
    let calendar = parse_calendar(&ics);
    assert_eq!(calendar.timezones.len(), 1);
    assert_eq!(
        value(&calendar.timezones[0].properties, "TZID"),
        "Europe/Amsterdam"
    );
    let event = &calendar.events[0].properties;
    let start = property(event, "DTSTART").expect("DTSTART");
    assert_eq!(start.value.as_deref(), Some("20270303T140000"));
    assert!(start.params.as_ref().is_some_and(|p| {
        p.iter()
            .any(|(k, v)| k == "TZID" && v == &["Europe/Amsterdam"])
    }));
    assert_eq!(value(event, "SEQUENCE"), "0");
    assert_eq!(value(event, "STATUS"), "CONFIRMED");
    let uid = value(event, "UID");
    assert!(
        value(event, "DESCRIPTION").contains("1. Casus O-2"),
        "the agenda by label"
    );

    // A change from a page that is out of date loses; a current one raises the sequence.
    let moved = schedule("2027-03-10", "09:30", &chair);
    let mut stale = moved.clone();
    stale.push(("volgnummer", "7"));
    assert_eq!(
        post_as(&app, &people.aanjager, &format!("{base}/wijzigen"), &stale)
            .await
            .0,
        409
    );
    let mut current = moved.clone();
    current.push(("volgnummer", "0"));
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("{base}/wijzigen"),
            &current
        )
        .await
        .0,
        303
    );
    let (_, _, notes) = app.as_person(&people.teamlid).page("/meldingen").await;
    assert!(
        notes.contains("Het overleg van 03-03-2027 14:00 is gewijzigd: nu op 10-03-2027 09:30."),
        "{notes}"
    );

    // Cancelled: the team is told; the calendar keeps the UID and says CANCELLED.
    assert_eq!(
        post_as(&app, &people.teamlid, &format!("{base}/annuleren"), &[])
            .await
            .0,
        403
    );
    assert_eq!(
        post_as(&app, &people.aanjager, &format!("{base}/annuleren"), &[])
            .await
            .0,
        303
    );
    assert_eq!(
        post_as(&app, &people.aanjager, &format!("{base}/annuleren"), &[])
            .await
            .0,
        409,
        "once"
    );
    let (_, _, body) = http
        .request_full("GET", &format!("{base}/agenda.ics"), "", None)
        .await;
    let calendar = parse_calendar(&String::from_utf8(body).expect("utf-8"));
    let event = &calendar.events[0].properties;
    assert_eq!(value(event, "UID"), uid, "a stable UID");
    assert_eq!(value(event, "SEQUENCE"), "2");
    assert_eq!(value(event, "STATUS"), "CANCELLED");
    assert_eq!(value(event, "DTSTART"), "20270310T093000");
    let (_, _, notes) = app.as_person(&people.teamlid).page("/meldingen").await;
    assert!(notes.contains("Het overleg van 10-03-2027 09:30 gaat niet door."));
}

#[tokio::test]
async fn the_secret_calendar_feed_lists_the_own_teams_overleggen_until_renewed_or_revoked() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let chair = people.aanjager.id.to_string();
    let (_, head, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{}/overleggen", people.team),
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    let _ = meeting_id(&head);

    let (status, _, page) = post_as(&app, &people.teamlid, "/overleggen/agendalink", &[]).await;
    assert_eq!(status, 200);
    let url = page
        .split("id=\"feed-link\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the feed link, shown once")
        .to_owned();
    let path = url
        .split_once("/agenda/")
        .map(|(_, p)| format!("/agenda/{p}"))
        .expect("path");
    assert!(path.ends_with(".ics"));
    // Without any cookie or token: calendar apps send none.
    let (status, head, body) = app.anonymous().request_full("GET", &path, "", None).await;
    assert_eq!(status, 200, "{head}");
    let calendar = parse_calendar(&String::from_utf8(body).expect("utf-8"));
    assert_eq!(calendar.events.len(), 1);
    assert!(value(&calendar.events[0].properties, "SUMMARY").contains("Team Arnhem"));
    // Nothing of another team's person: their feed is empty.
    let (_, _, page) = post_as(&app, &people.other_member, "/overleggen/agendalink", &[]).await;
    let other = page
        .split("/agenda/")
        .nth(1)
        .and_then(|p| p.split('<').next())
        .expect("link")
        .to_owned();
    let (_, _, body) = app
        .anonymous()
        .request_full("GET", &format!("/agenda/{other}"), "", None)
        .await;
    assert!(
        parse_calendar(&String::from_utf8(body).expect("utf-8"))
            .events
            .is_empty()
    );

    // Renewed: the old link stops. Revoked: the new one too. A made-up one never worked.
    let (_, _, page) = post_as(&app, &people.teamlid, "/overleggen/agendalink", &[]).await;
    assert!(page.contains("feed-link"));
    assert_eq!(
        app.anonymous().request_full("GET", &path, "", None).await.0,
        404
    );
    assert_eq!(
        post_as(
            &app,
            &people.teamlid,
            "/overleggen/agendalink/intrekken",
            &[]
        )
        .await
        .0,
        303
    );
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM calendar_feeds").await,
        1,
        "only the other person's"
    );
    assert_eq!(
        app.anonymous()
            .request_full("GET", "/agenda/verzonnen.ics", "", None)
            .await
            .0,
        404
    );
    assert!(
        audit_events(&app)
            .await
            .iter()
            .filter(|e| e.0 == "calendar_feed_changed")
            .count()
            >= 3
    );
}

/// Every person on every overleg route: the team's members see (the inbrenger too: their canvas
/// may be on the agenda), its aanjager and projectleider plan and change, nobody else learns the
/// overleg exists.
#[tokio::test]
async fn every_person_on_the_overleg_routes() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let team = people.team;
    let chair = people.aanjager.id.to_string();
    let (_, head, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{team}/overleggen"),
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    let meeting = meeting_id(&head);
    let base = format!("/overleggen/{meeting}");
    // (who, person, reads: list, page and .ics; plans: a topic on the agenda)
    let expected: [(&str, &Person, u16, u16); 9] = [
        ("aanjager", &people.aanjager, 200, 303),
        ("projectleider", &people.projectleider, 200, 303),
        ("teamlid", &people.teamlid, 200, 403),
        ("inbrenger", &people.inbrenger, 200, 403),
        ("other team", &people.other_member, 404, 404),
        ("coach", &people.coach, 404, 404),
        ("coach elsewhere", &people.other_coach, 404, 404),
        ("pmm", &people.pmm, 404, 404),
        ("beheerder", &people.beheerder, 404, 404),
    ];
    for (who, person, reads, plans) in expected {
        let http = app.as_person(person);
        for path in [
            format!("/teams/{team}/overleggen"),
            base.clone(),
            format!("{base}/agenda.ics"),
        ] {
            assert_eq!(http.head_status(&path).await, reads, "{path}: {who}");
        }
        let (status, _, _) = post_as(
            &app,
            person,
            &format!("{base}/agenda"),
            &[("onderwerp", who), ("minuten", "5")],
        )
        .await;
        assert_eq!(status, plans, "adding to the agenda: {who}");
        let (status, _, _) = post_as(
            &app,
            person,
            &format!("/teams/{team}/overleggen"),
            &schedule("2027-04-01", "10:00", &chair),
        )
        .await;
        assert_eq!(
            status,
            if plans == 303 { 303 } else { plans },
            "planning: {who}"
        );
        assert_eq!(
            http.head_status("/overleggen").await,
            200,
            "their own list: {who}"
        );
    }
    // What was refused changed nothing: two topics (aanjager, projectleider), three overleggen.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM agenda_items").await, 2);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM meetings").await, 3);
}
