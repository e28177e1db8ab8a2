//! The running overleg over HTTP (issue 12): the chair starts it and moves through the agenda
//! with a shared timer, every open page hears it on the overleg's stream (the chair's position
//! only where the listener may read that canvas), besluiten and actiepunten are recorded live,
//! a guest reads the agenda's canvases only while the overleg runs, the verslag is made, fixed and
//! then unchanged, and comments notify exactly the mentioned readers.

use doorbraak::config::WorkflowSettings;

use crate::{
    dossier::{docx_part, pdf_pages, squeezed},
    helpers::*,
    meetings::{count, meeting_id, schedule},
};

/// A canvas brought in (ingebracht) by the aanjager, and an overleg planned with it on the
/// agenda (proposed automatically) and a topic after it.
async fn planned_with_canvas(app: &TestApp, label: &str) -> (String, String, String) {
    let people = &app.people;
    let canvas = app.create_canvas(label).await;
    let (status, _, _) = post_as(
        app,
        &people.aanjager,
        &format!("/canvases/{canvas}/status"),
        &[("van", "concept"), ("naar", "ingebracht")],
    )
    .await;
    assert_eq!(status, 303);
    let chair = people.aanjager.id.to_string();
    let (status, head, _) = post_as(
        app,
        &people.aanjager,
        &format!("/teams/{}/overleggen", people.team),
        &schedule("2027-03-03", "14:00", &chair),
    )
    .await;
    assert_eq!(status, 303, "{head}");
    let meeting = meeting_id(&head);
    let base = format!("/overleggen/{meeting}");
    let (status, _, _) = post_as(
        app,
        &people.aanjager,
        &format!("{base}/agenda"),
        &[("onderwerp", "Mededelingen"), ("minuten", "10")],
    )
    .await;
    assert_eq!(status, 303);
    (canvas, meeting, base)
}

/// The agenda item ids of an overleg, in order.
async fn items(app: &TestApp, meeting: &str) -> Vec<i64> {
    sqlx::query_scalar(&sql(
        "SELECT id FROM agenda_items WHERE meeting_id = ? ORDER BY position",
    ))
    .bind(meeting.parse::<i64>().expect("id"))
    .fetch_all(&app.db().await)
    .await
    .expect("items")
}

#[tokio::test]
async fn the_chair_runs_the_overleg_and_every_open_page_hears_it() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let (canvas, meeting, base) = planned_with_canvas(&app, "Casus L-1").await;
    let agenda = items(&app, &meeting).await;
    assert_eq!(agenda.len(), 2, "the ingebracht canvas and the topic");
    let events = format!("{base}/gebeurtenissen");
    let mut member = EventStream::open(&app, &people.teamlid, &events).await;
    // The inbrenger sees the overleg, but not this canvas: never where the chair is on it.
    let mut inbrenger = EventStream::open(&app, &people.inbrenger, &events).await;
    for outsider in [&people.other_member, &people.coach, &people.pmm] {
        let http = app.as_person(outsider);
        assert_eq!(http.head_status(&events).await, 404);
        assert_eq!(http.head_status(&format!("{base}/live")).await, 404);
    }

    // Only the chair starts, moves and times.
    let (status, _, page) = post_as(&app, &people.teamlid, &format!("{base}/starten"), &[]).await;
    assert_eq!(status, 403);
    assert!(page.contains("Alleen de voorzitter"));
    let (status, _, _) = post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    assert_eq!(status, 303);
    member.wait_for("event: overleg").await;
    let (status, _, _) = post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    assert_eq!(status, 409, "started once");

    let live = |who: &Person| {
        let http = app.as_person(who);
        let path = format!("{base}/live");
        async move { http.page(&path).await.2 }
    };
    let page = live(&people.teamlid).await;
    assert!(
        page.contains("Op tafel: <strong id=\"on-table\">Casus L-1</strong>"),
        "{page}"
    );
    assert!(page.contains("data-running=\"false\""), "paused at first");
    assert!(
        page.contains(">20:00<"),
        "the time box of a proposed canvas"
    );

    let timer = |query: &'static str| {
        let path = format!("{base}/timer?{query}");
        let app = &app;
        let chair = &people.aanjager;
        async move { post_as(app, chair, &path, &[]).await.0 }
    };
    assert_eq!(timer("actie=start").await, 303);
    assert!(
        live(&people.teamlid)
            .await
            .contains("data-running=\"true\"")
    );
    assert_eq!(timer("actie=verlengen&minuten=0").await, 422);
    assert_eq!(timer("actie=verlengen&minuten=61").await, 422);
    assert_eq!(timer("actie=ontploffen").await, 422);
    assert_eq!(timer("actie=pauze").await, 303);
    assert_eq!(timer("actie=verlengen&minuten=5").await, 303);
    let page = live(&people.inbrenger).await;
    assert!(
        page.contains("data-running=\"false\"") && page.contains(">2"),
        "everyone reads the same paused timer"
    );
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/timer?actie=start"),
        &[],
    )
    .await;
    assert_eq!(status, 403);

    // The chair's position reaches who may read the canvas, and nobody else.
    let position = [("canvas", canvas.as_str()), ("stap", "stap-3")];
    let (status, _, _) =
        post_as(&app, &people.teamlid, &format!("{base}/positie"), &position).await;
    assert_eq!(status, 403);
    let (status, _, body) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/positie"),
        &[("canvas", canvas.as_str()), ("stap", "<script>")],
    )
    .await;
    assert_eq!(status, 422, "{body}");
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/positie"),
        &position,
    )
    .await;
    assert_eq!(status, 204);
    member.wait_for("event: voorzitter").await;
    member.wait_for("stap-3").await;
    assert!(member.seen.contains(&format!("/canvases/{canvas}#stap-3")));
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/positie"),
        &[
            ("canvas", canvas.as_str()),
            ("stap", "stap-4"),
            ("oproep", "ja"),
        ],
    )
    .await;
    assert_eq!(status, 204);
    member.wait_for("event: oproep").await;
    // A later change reaches the inbrenger; the position before it never did.
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/aanwezig?plaats=afstand"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    // Started, timer started, paused, extended, and now the attendance.
    inbrenger.wait_for_count("event: overleg", 5).await;
    member.wait_for("event: overleg").await;
    assert!(!inbrenger.seen.contains("voorzitter"), "{}", inbrenger.seen);
    assert!(!inbrenger.seen.contains(&canvas), "{}", inbrenger.seen);
    assert!(!inbrenger.seen.contains("oproep"));
    // A page opened now hears where the chair is at once.
    let mut late = EventStream::open(&app, &people.projectleider, &events).await;
    late.wait_for("stap-4").await;
    let page = live(&people.aanjager).await;
    assert!(page.contains("data-place=\"afstand\""), "{page}");
    assert!(page.contains("teamlid"));

    // Besluit and actiepunt, recorded by the team and seen live; not by the inbrenger.
    let item = agenda[0].to_string();
    let (status, _, _) = post_as(
        &app,
        &people.inbrenger,
        &format!("{base}/agenda/{item}/besluit"),
        &[("besluit", "Iets")],
    )
    .await;
    assert_eq!(status, 403);
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/besluit"),
        &[("besluit", "Hardheidsclausule toepassen voor de huurschuld")],
    )
    .await;
    assert_eq!(status, 303);
    let owner = people.teamlid.id.to_string();
    let (status, _, page) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/actiepunten"),
        &[
            ("wat", "Beschikking opvragen"),
            ("wie", &owner),
            ("wanneer", "2027-02-31"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("Kies een bestaande datum"));
    let (status, _, _) = post_as(
        &app,
        &people.projectleider,
        &format!("{base}/agenda/{item}/actiepunten"),
        &[
            ("wat", "Beschikking opvragen"),
            ("wie", &owner),
            ("wanneer", "2027-03-17"),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let page = live(&people.teamlid).await;
    assert!(page.contains("Hardheidsclausule toepassen voor de huurschuld"));
    assert!(
        page.contains("Beschikking opvragen · teamlid · klaar op 2027-03-17"),
        "{page}"
    );
    let page = live(&people.inbrenger).await;
    assert!(
        !page.contains("Hardheidsclausule"),
        "the inbrenger does not read this canvas"
    );
    assert!(!page.contains("Beschikking opvragen"));
    assert!(
        notifications_of(&app, &people.teamlid)
            .await
            .iter()
            .any(|m| m.contains("Je hebt een actiepunt")),
        "the owner is told"
    );
    // The open actiepunt is the owner's, on their own list, and on the canvas for its readers;
    // an overleg planned now has the canvas on its agenda for it.
    let (_, _, mine) = app.as_person(&people.teamlid).page("/overleggen").await;
    assert!(
        mine.contains("Mijn open actiepunten")
            && mine.contains("Beschikking opvragen · klaar op 2027-03-17"),
        "{mine}"
    );
    let (_, _, theirs) = app
        .as_person(&people.projectleider)
        .page("/overleggen")
        .await;
    assert!(
        !theirs.contains("Beschikking opvragen"),
        "only the owner's list"
    );
    let (_, _, canvas_page) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{canvas}"))
        .await;
    assert!(canvas_page.contains("Open actiepunten"));
    assert!(
        canvas_page.contains(&format!("data-meeting=\"{meeting}\"")),
        "the canvas page joins the overleg"
    );

    // On the table and ingebracht: the chair takes it up through the lifecycle.
    let page = live(&people.aanjager).await;
    assert!(page.contains("In behandeling nemen"));
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/agenda/{item}/in-behandeling"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    let status_now: String = sqlx::query_scalar(&sql("SELECT status FROM canvases WHERE id = ?"))
        .bind(&canvas)
        .fetch_one(&app.db().await)
        .await
        .expect("status");
    assert_eq!(status_now, "in_behandeling");

    // The owner marks it done; only once.
    let action: i64 = sqlx::query_scalar(&sql("SELECT id FROM action_items"))
        .fetch_one(&app.db().await)
        .await
        .expect("action");
    let done = format!("/actiepunten/{action}/klaar");
    let (status, _, _) = post_as(&app, &people.inbrenger, &done, &[("terug", "/")]).await;
    assert_eq!(status, 403);
    let (status, head, _) = post_as(
        &app,
        &people.teamlid,
        &done,
        &[("terug", "https://elders.example")],
    )
    .await;
    assert_eq!(status, 303);
    assert!(
        head.contains(&format!("location: /overleggen/{meeting}")),
        "only a path of this site: {head}"
    );
    let (status, _, _) = post_as(&app, &people.teamlid, &done, &[]).await;
    assert_eq!(status, 409);

    // The second item goes on the table; ending versions only the discussed canvas.
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/punt/{}", agenda[1]),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert!(
        live(&people.teamlid)
            .await
            .contains("Op tafel: <strong id=\"on-table\">Mededelingen</strong>")
    );
    let (status, _, _) = post_as(&app, &people.aanjager, &format!("{base}/punt/999999"), &[]).await;
    assert_eq!(status, 422);
    let (status, _, _) = post_as(&app, &people.aanjager, &format!("{base}/afronden"), &[]).await;
    assert_eq!(status, 303);
    assert_eq!(
        count(&app, &format!("SELECT COUNT(*) FROM canvas_versions WHERE canvas_id = '{canvas}' AND kind = 'overleg'")).await,
        1
    );
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/timer?actie=start"),
        &[],
    )
    .await;
    assert_eq!(status, 409, "it is over");
}

#[tokio::test]
async fn the_verslag_is_made_from_the_records_fixed_and_then_unchanged() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let (canvas, meeting, base) = planned_with_canvas(&app, "Casus V-1").await;
    let agenda = items(&app, &meeting).await;
    // In behandeling: from now on only its open actiepunt proposes it for an agenda.
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{canvas}/status"),
        &[("van", "ingebracht"), ("naar", "in_behandeling")],
    )
    .await;
    assert_eq!(status, 303);
    post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    post_as(
        &app,
        &people.aanjager,
        &format!("{base}/aanwezig?plaats=zaal"),
        &[],
    )
    .await;
    let item = agenda[0].to_string();
    post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/besluit"),
        &[("besluit", "Maatwerk: de boete kwijtschelden")],
    )
    .await;
    let owner = people.projectleider.id.to_string();
    post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/actiepunten"),
        &[
            ("wat", "Bel de woningcorporatie"),
            ("wie", &owner),
            ("wanneer", "2027-03-10"),
        ],
    )
    .await;
    let verslag = format!("{base}/verslag");
    // Who works in the team reads it; the inbrenger does not, strangers learn nothing.
    assert_eq!(
        app.as_person(&people.inbrenger).head_status(&verslag).await,
        403
    );
    assert_eq!(
        app.as_person(&people.coach).head_status(&verslag).await,
        404
    );
    let (status, _, page) = app.as_person(&people.teamlid).page(&verslag).await;
    assert_eq!(status, 200);
    for expected in [
        "Casus V-1",
        "Maatwerk: de boete kwijtschelden",
        "Bel de woningcorporatie",
        "aanjager",
        "Concept",
    ] {
        assert!(page.contains(expected), "{expected} in the verslag");
    }
    assert!(!page.contains("minutes-form"), "only the chair edits");

    // Fixing waits for the end.
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("{verslag}/vaststellen"),
        &[],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("als het overleg is afgerond"));
    post_as(&app, &people.aanjager, &format!("{base}/afronden"), &[]).await;
    // The chair corrects it (a name added), not the teamlid.
    let edit = [
        ("zaal", "aanjager\nmevrouw Jansen"),
        ("afstand", ""),
        ("gasten", ""),
        ("besluit_0", "Maatwerk: de boete kwijtschelden."),
        ("besluit_1", ""),
    ];
    assert_eq!(post_as(&app, &people.teamlid, &verslag, &edit).await.0, 403);
    let (status, _, page) = post_as(&app, &people.aanjager, &verslag, &edit[..4]).await;
    assert_eq!(status, 409, "a besluit per item");
    assert!(page.contains("De agenda is intussen veranderd"));
    assert_eq!(
        post_as(&app, &people.aanjager, &verslag, &edit).await.0,
        303
    );
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("{verslag}/vaststellen"),
            &[]
        )
        .await
        .0,
        303
    );
    let stored = || async {
        sqlx::query_scalar::<_, String>(&sql("SELECT content FROM minutes WHERE meeting_id = ?"))
            .bind(meeting.parse::<i64>().expect("id"))
            .fetch_one(&app.db().await)
            .await
            .expect("minutes")
    };
    let fixed = stored().await;
    assert!(fixed.contains("mevrouw Jansen"));
    // After fixing nothing changes it: not the form, not a besluit, not a new actiepunt.
    assert_eq!(
        post_as(&app, &people.aanjager, &verslag, &edit).await.0,
        409
    );
    assert_eq!(
        post_as(
            &app,
            &people.aanjager,
            &format!("{verslag}/vaststellen"),
            &[]
        )
        .await
        .0,
        409
    );
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/besluit"),
        &[("besluit", "Toch anders")],
    )
    .await;
    assert_eq!(status, 409);
    assert_eq!(stored().await, fixed, "the stored verslag is unchanged");
    let (_, _, page) = app.as_person(&people.teamlid).page(&verslag).await;
    assert!(page.contains("Vastgesteld op"));

    // The same document as PDF (one document, its pages numbered) and DOCX (a real parser).
    let http = app.as_person(&people.teamlid);
    let (status, head, pdf) = http
        .request_full("GET", &format!("{verslag}.pdf"), "", None)
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("application/pdf"));
    assert!(pdf.starts_with(b"%PDF-"));
    let pages = pdf_pages(&pdf);
    let all = squeezed(&pages.join(""));
    for expected in ["mevrouwJansen", "Beldewoningcorporatie", "Vastgesteldop"] {
        assert!(all.contains(expected), "{expected} in the PDF: {all}");
    }
    let (status, _, docx) = http
        .request_full("GET", &format!("{verslag}.docx"), "", None)
        .await;
    assert_eq!(status, 200);
    let (text, _) = docx_part(&docx, "word/document.xml");
    assert!(text.contains("Maatwerk: de boete kwijtschelden."), "{text}");
    assert!(text.contains("Bel de woningcorporatie"));
    assert_eq!(
        app.as_person(&people.inbrenger)
            .head_status(&format!("{verslag}.docx"))
            .await,
        403
    );
}

#[tokio::test]
async fn a_guest_reads_the_agenda_canvases_while_the_overleg_runs_and_is_refused_after() {
    let app = TestApp::spawn_workflow(WorkflowSettings {
        guest_grace_minutes: 0,
        ..WorkflowSettings::default()
    })
    .await;
    let people = app.people.clone();
    let (canvas, _, base) = planned_with_canvas(&app, "Casus G-1").await;
    let guest = &people.other_member;
    let read = format!("/api/canvases/{canvas}");

    // A team member is no guest; an unknown address is refused; only the chair invites.
    for (who, email, status) in [
        (&people.aanjager, people.teamlid.email.as_str(), 422),
        (&people.aanjager, "niemand@example.nl", 422),
        (&people.teamlid, guest.email.as_str(), 403),
    ] {
        let (got, _, _) = post_as(&app, who, &format!("{base}/gasten"), &[("email", email)]).await;
        assert_eq!(got, status, "{email}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM meeting_guests").await, 0);
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/gasten"),
        &[("email", &guest.email)],
    )
    .await;
    assert_eq!(status, 303);
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|(event, _, _)| event == "guest_invited")
    );
    assert!(
        notifications_of(&app, guest)
            .await
            .iter()
            .any(|m| m.contains("Je bent gast"))
    );
    // Months before the start: the overleg's page, not yet its canvases.
    let http = app.as_person(guest);
    assert_eq!(http.head_status(&base).await, 200);
    assert_eq!(http.get(&read).await.0, 404);

    post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    let (status, body) = http.get(&read).await;
    assert_eq!(status, 200, "{body}");
    // Read and comment, not edit.
    let (status, _, _) = post_as(
        &app,
        guest,
        &format!("/canvases/{canvas}/opmerkingen"),
        &[
            ("field", "situation"),
            (
                "body",
                "Vanuit de corporatie: er loopt een betalingsregeling.",
            ),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let rename = serde_json::json!({ "label": "Anders" }).to_string();
    let (status, _) = http
        .request_json("PATCH", &read, Some(rename.as_bytes()))
        .await;
    assert!(status == 403 || status == 404, "{status}");
    let mut socket = Client::connect(&app.ws_url_as(guest, &canvas, "")).await;
    socket.handshake().await;
    let mut stream = EventStream::open(&app, guest, &format!("{base}/gebeurtenissen")).await;

    // The end closes the socket (1008: access ended), the stream, and every later request.
    post_as(&app, &people.aanjager, &format!("{base}/afronden"), &[]).await;
    // At once, by the use case that ended it, not on the sweep's next round (every 10 s).
    let closed = tokio::time::timeout(std::time::Duration::from_secs(3), socket.closed_with())
        .await
        .expect("closed when the overleg ends");
    assert_eq!(closed.0, 1008);
    stream.ended().await;
    assert_eq!(http.get(&read).await.0, 404);
    assert_eq!(http.head_status(&format!("/canvases/{canvas}")).await, 404);
    assert_eq!(
        upgrade_status(&app.ws_url_as(guest, &canvas, "")).await,
        404
    );
    assert_eq!(
        http.get(&format!("/api/canvases/{canvas}/opmerkingen"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_mention_notifies_exactly_the_mentioned_people_who_may_read_the_canvas() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let canvas = app.create_canvas("Casus M-1").await;
    let body = "Kijk mee @teamlid, @other_member, @inbrenger en @pmm. Ook @coach?";
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{canvas}/opmerkingen"),
        &[("field", "future"), ("body", body)],
    )
    .await;
    assert_eq!(status, 303);
    let told: Vec<i64> = sqlx::query_scalar(&sql(
        "SELECT account_id FROM notifications WHERE text LIKE '%noemt je%' ORDER BY account_id",
    ))
    .fetch_all(&app.db().await)
    .await
    .expect("notifications");
    // Who may read a team's concept canvas: its members (not the inbrenger of another case).
    let mut readers = Vec::new();
    for person in [
        &people.teamlid,
        &people.other_member,
        &people.inbrenger,
        &people.pmm,
        &people.coach,
    ] {
        if app
            .as_person(person)
            .get(&format!("/api/canvases/{canvas}"))
            .await
            .0
            == 200
        {
            readers.push(person.id);
        }
    }
    readers.sort_unstable();
    assert!(readers.contains(&people.teamlid.id));
    assert_eq!(told, readers, "exactly the mentioned readers");
    // Nothing of the comment in the notification, nor in the audit log.
    let messages = notifications_of(&app, &people.teamlid).await;
    assert!(messages.iter().all(|m| !m.contains("Kijk mee")));
    assert!(
        audit_events(&app)
            .await
            .iter()
            .all(|(_, _, detail)| !detail.contains("Kijk mee"))
    );
    // Read back through the API as the canvas is: the same policy.
    let (status, list) = app
        .as_person(&people.teamlid)
        .get(&format!("/api/canvases/{canvas}/opmerkingen"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(list["opmerkingen"][0]["body"], body);
    assert_eq!(
        app.as_person(&people.other_member)
            .get(&format!("/api/canvases/{canvas}/opmerkingen"))
            .await
            .0,
        404
    );
    // Bad input changes nothing.
    for (field, text) in [
        ("future", ""),
        ("bestaat-niet", "x"),
        ("future", &"x".repeat(4001)),
    ] {
        let (status, _, _) = post_as(
            &app,
            &people.aanjager,
            &format!("/canvases/{canvas}/opmerkingen"),
            &[("field", field), ("body", text)],
        )
        .await;
        assert_eq!(status, 422, "{field}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM comments").await, 1);
    // A thread is answered and resolved, once.
    let thread: i64 = sqlx::query_scalar(&sql("SELECT id FROM comments"))
        .fetch_one(&app.db().await)
        .await
        .expect("id");
    let (status, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{canvas}/opmerkingen"),
        &[
            ("field", "future"),
            ("body", "Gedaan"),
            ("thread", &thread.to_string()),
        ],
    )
    .await;
    assert_eq!(status, 303);
    let resolve = format!("/canvases/{canvas}/opmerkingen/{thread}/afhandelen");
    assert_eq!(post_as(&app, &people.teamlid, &resolve, &[]).await.0, 303);
    assert_eq!(post_as(&app, &people.teamlid, &resolve, &[]).await.0, 409);
}

/// Every person on the routes of a running overleg: who sees it, who runs it, who records in it,
/// who reads its verslag. Nobody outside the team and its guests learns it exists.
#[tokio::test]
async fn every_person_on_the_running_overleg_routes() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let (_, meeting, base) = planned_with_canvas(&app, "Casus T-1").await;
    let item = items(&app, &meeting).await[1];
    let guest = &people.other_coach;
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/gasten"),
        &[("email", &guest.email)],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(
        post_as(&app, &people.aanjager, &format!("{base}/starten"), &[])
            .await
            .0,
        303
    );
    // (who, person, sees: live, verslag; runs: timer; records: besluit; reads the verslag)
    let expected: [(&str, &Person, u16, u16, u16, u16); 9] = [
        ("aanjager", &people.aanjager, 200, 303, 303, 200),
        ("projectleider", &people.projectleider, 200, 303, 303, 200),
        ("teamlid", &people.teamlid, 200, 403, 303, 200),
        ("inbrenger", &people.inbrenger, 200, 403, 403, 403),
        ("guest", guest, 200, 403, 403, 403),
        ("other team", &people.other_member, 404, 404, 404, 404),
        ("coach", &people.coach, 404, 404, 404, 404),
        ("pmm", &people.pmm, 404, 404, 404, 404),
        ("beheerder", &people.beheerder, 404, 404, 404, 404),
    ];
    for (who, person, sees, runs, records, minutes) in expected {
        let http = app.as_person(person);
        assert_eq!(
            http.head_status(&format!("{base}/live")).await,
            sees,
            "live: {who}"
        );
        if sees == 200 {
            EventStream::open(&app, person, &format!("{base}/gebeurtenissen")).await;
        } else {
            assert_eq!(
                http.head_status(&format!("{base}/gebeurtenissen")).await,
                404,
                "{who}"
            );
        }
        for path in ["timer?actie=pauze", "starten", "gasten"] {
            let (status, _, _) = post_as(
                &app,
                person,
                &format!("{base}/{path}"),
                &[("email", "x@example.nl")],
            )
            .await;
            let want = match (path, runs) {
                ("timer?actie=pauze", _) | (_, 403 | 404) => runs,
                // Already started; not an account.
                ("starten", _) => 409,
                _ => 422,
            };
            assert_eq!(status, want, "{path}: {who}");
        }
        let (status, _, _) = post_as(
            &app,
            person,
            &format!("{base}/agenda/{item}/besluit"),
            &[("besluit", who)],
        )
        .await;
        assert_eq!(status, records, "besluit: {who}");
        let (status, _, _) =
            post_as(&app, person, &format!("{base}/aanwezig?plaats=zaal"), &[]).await;
        assert_eq!(
            status,
            if sees == 200 { 303 } else { 404 },
            "aanwezig: {who}"
        );
        for path in ["verslag", "verslag.pdf", "verslag.docx"] {
            assert_eq!(
                http.head_status(&format!("{base}/{path}")).await,
                minutes,
                "{path}: {who}"
            );
        }
    }
    // Refused changed nothing: the besluit is the last one allowed, five present.
    let decision: String =
        sqlx::query_scalar(&sql("SELECT decision FROM agenda_items WHERE id = ?"))
            .bind(item)
            .fetch_one(&app.db().await)
            .await
            .expect("decision");
    assert_eq!(decision, "teamlid");
    assert_eq!(
        count(&app, "SELECT COUNT(*) FROM meeting_attendance").await,
        5
    );
}

/// The rest of the new routes, person by person: each answer is what the person's role allows
/// (in table order, so that a first allowed change makes the next one a 409), and strangers get
/// 404 everywhere.
#[tokio::test]
async fn every_person_on_the_remaining_overleg_and_comment_routes() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let (canvas, meeting, base) = planned_with_canvas(&app, "Casus T-2").await;
    let agenda = items(&app, &meeting).await;
    let (case, topic) = (agenda[0], agenda[1]);
    let guest = &people.other_coach;
    post_as(
        &app,
        &people.aanjager,
        &format!("{base}/gasten"),
        &[("email", &guest.email)],
    )
    .await;
    post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    let owner = people.teamlid.id.to_string();
    post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{case}/actiepunten"),
        &[
            ("wat", "Iets ophalen"),
            ("wie", &owner),
            ("wanneer", "2027-03-10"),
        ],
    )
    .await;
    post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{canvas}/opmerkingen"),
        &[("field", "situation"), ("body", "Een vraag")],
    )
    .await;
    let action: i64 = sqlx::query_scalar(&sql("SELECT id FROM action_items"))
        .fetch_one(&app.db().await)
        .await
        .expect("action");
    let thread: i64 = sqlx::query_scalar(&sql("SELECT id FROM comments"))
        .fetch_one(&app.db().await)
        .await
        .expect("thread");
    let stranger_id = people.pmm.id.to_string();
    let position = [("canvas", canvas.as_str()), ("stap", "stap-2")];
    let minutes = [
        ("zaal", ""),
        ("afstand", ""),
        ("gasten", ""),
        ("besluit_0", ""),
        ("besluit_1", ""),
    ];
    let no_date = [("wat", "x"), ("wie", owner.as_str()), ("wanneer", "")];
    let comment = [("field", "future"), ("body", "Ook een vraag")];
    // The routes, each with its form.
    let routes: Vec<(String, &[(&str, &str)])> = vec![
        (format!("{base}/punt/{topic}"), &[]),
        (format!("{base}/positie"), &position),
        (format!("{base}/gasten/{stranger_id}/verwijderen"), &[]),
        (format!("{base}/agenda/{case}/actiepunten"), &no_date),
        (format!("{base}/agenda/{case}/in-behandeling"), &[]),
        (format!("{base}/verslag"), &minutes),
        (format!("{base}/verslag/vaststellen"), &[]),
        (format!("/actiepunten/{action}/klaar"), &[]),
        (format!("/canvases/{canvas}/opmerkingen"), &comment),
        (
            format!("/canvases/{canvas}/opmerkingen/{thread}/heropenen"),
            &[],
        ),
    ];
    // Per person, the status of each route above; then of GET /api/canvases/{id}/opmerkingen.
    let expected: [(&str, &Person, [u16; 10], u16); 9] = [
        // The chair: moves, is at a step, the guest to remove is none, no date, takes it up,
        // corrects the verslag, cannot fix it yet, marks done, comments, the thread is open.
        (
            "aanjager",
            &people.aanjager,
            [303, 204, 409, 422, 303, 303, 409, 303, 303, 409],
            200,
        ),
        (
            "projectleider",
            &people.projectleider,
            [303, 204, 409, 422, 409, 303, 409, 409, 303, 409],
            200,
        ),
        (
            "teamlid",
            &people.teamlid,
            [403, 403, 403, 422, 403, 403, 403, 409, 303, 409],
            200,
        ),
        (
            "inbrenger",
            &people.inbrenger,
            [403, 403, 403, 403, 404, 403, 403, 403, 404, 404],
            404,
        ),
        (
            "guest",
            guest,
            [403, 403, 403, 403, 403, 403, 403, 403, 303, 409],
            200,
        ),
        ("other team", &people.other_member, [404; 10], 404),
        ("coach", &people.coach, [404; 10], 404),
        ("pmm", &people.pmm, [404; 10], 404),
        ("beheerder", &people.beheerder, [404; 10], 404),
    ];
    for (who, person, statuses, api) in expected {
        for ((path, fields), want) in routes.iter().zip(statuses) {
            let (status, _, _) = post_as(&app, person, path, fields).await;
            assert_eq!(status, want, "{path}: {who}");
        }
        let (status, _) = app
            .as_person(person)
            .get(&format!("/api/canvases/{canvas}/opmerkingen"))
            .await;
        assert_eq!(status, api, "the comments as JSON: {who}");
    }
    // Exactly the allowed changes happened: one action (done), four comments besides the first.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM action_items").await, 1);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM action_items WHERE done_at IS NOT NULL"
        )
        .await,
        1
    );
    assert_eq!(count(&app, "SELECT COUNT(*) FROM comments").await, 5);
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM minutes WHERE fixed_at IS NOT NULL"
        )
        .await,
        0
    );
}

/// A guest's open socket closes whenever their window no longer covers the canvas: the canvas
/// taken off the agenda, or the overleg moved to later; and the chair can still take a guest off
/// after the overleg, during the grace period.
#[tokio::test]
async fn a_guest_loses_an_open_canvas_when_it_leaves_the_agenda_or_the_overleg_moves() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    let guest = &people.other_member;
    // An overleg in half an hour: the guest's window is open already.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_millis() as i64;
    let soon = now + 30 * 60_000;
    let (y, mo, d, h, mi) = doorbraak::format::dutch_parts(soon);
    let (date, time) = (format!("{y:04}-{mo:02}-{d:02}"), format!("{h:02}:{mi:02}"));
    let chair = people.aanjager.id.to_string();
    let mut canvases = Vec::new();
    for label in ["Casus W-1", "Casus W-2"] {
        let id = app.create_canvas(label).await;
        post_as(
            &app,
            &people.aanjager,
            &format!("/canvases/{id}/status"),
            &[("van", "concept"), ("naar", "ingebracht")],
        )
        .await;
        canvases.push(id);
    }
    let (status, head, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{}/overleggen", people.team),
        &schedule(&date, &time, &chair),
    )
    .await;
    assert_eq!(status, 303, "{page}");
    let meeting = meeting_id(&head);
    let base = format!("/overleggen/{meeting}");
    post_as(
        &app,
        &people.aanjager,
        &format!("{base}/gasten"),
        &[("email", &guest.email)],
    )
    .await;
    let http = app.as_person(guest);
    for id in &canvases {
        assert_eq!(
            http.get(&format!("/api/canvases/{id}")).await.0,
            200,
            "the window is open"
        );
    }
    let closes = |socket: Client| async move {
        let mut socket = socket;
        tokio::time::timeout(std::time::Duration::from_secs(3), socket.closed_with())
            .await
            .expect("closed at once")
            .0
    };

    // Off the agenda: the socket on it closes, the canvas is gone for the guest.
    let item: i64 = sqlx::query_scalar(&sql("SELECT id FROM agenda_items WHERE canvas_id = ?"))
        .bind(&canvases[0])
        .fetch_one(&app.db().await)
        .await
        .expect("item");
    let mut socket = Client::connect(&app.ws_url_as(guest, &canvases[0], "")).await;
    socket.handshake().await;
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/agenda/{item}/verwijderen"),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(closes(socket).await, 1008);
    assert_eq!(
        http.get(&format!("/api/canvases/{}", canvases[0])).await.0,
        404
    );

    // Moved to next week: the window is not open now; the socket on the other canvas closes.
    let mut socket = Client::connect(&app.ws_url_as(guest, &canvases[1], "")).await;
    socket.handshake().await;
    let later = doorbraak::format::dutch_date(soon + 7 * 86_400_000);
    let sequence: i64 = sqlx::query_scalar(&sql("SELECT sequence FROM meetings WHERE id = ?"))
        .bind(meeting.parse::<i64>().expect("id"))
        .fetch_one(&app.db().await)
        .await
        .expect("sequence");
    let mut fields = schedule(&later, &time, &chair);
    let sequence = sequence.to_string();
    fields.push(("volgnummer", &sequence));
    let (status, _, page) =
        post_as(&app, &people.aanjager, &format!("{base}/wijzigen"), &fields).await;
    assert_eq!(status, 303, "{page}");
    assert_eq!(closes(socket).await, 1008);
    assert_eq!(
        http.get(&format!("/api/canvases/{}", canvases[1])).await.0,
        404
    );

    // An item with a besluit stays on the agenda.
    let item: i64 = sqlx::query_scalar(&sql("SELECT id FROM agenda_items WHERE canvas_id = ?"))
        .bind(&canvases[1])
        .fetch_one(&app.db().await)
        .await
        .expect("item");
    post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/besluit"),
        &[("besluit", "Voorbereid")],
    )
    .await;
    let (status, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/agenda/{item}/verwijderen"),
        &[],
    )
    .await;
    assert_eq!(status, 409);
    assert!(page.contains("blijft op de agenda"));
    // An actiepunt on a canvas goes to someone who may read it.
    let (status, _, page) = post_as(
        &app,
        &people.teamlid,
        &format!("{base}/agenda/{item}/actiepunten"),
        &[
            ("wat", "Iets"),
            ("wie", &people.inbrenger.id.to_string()),
            ("wanneer", "2027-03-10"),
        ],
    )
    .await;
    assert_eq!(status, 422);
    assert!(page.contains("mag dit canvas niet lezen"));

    // Ended, the chair still takes the guest off (the grace period is running).
    post_as(&app, &people.aanjager, &format!("{base}/starten"), &[]).await;
    post_as(&app, &people.aanjager, &format!("{base}/afronden"), &[]).await;
    let (status, _, _) = post_as(
        &app,
        &people.aanjager,
        &format!("{base}/gasten/{}/verwijderen", guest.id),
        &[],
    )
    .await;
    assert_eq!(status, 303);
    assert_eq!(count(&app, "SELECT COUNT(*) FROM meeting_guests").await, 0);
    // Taking the verslag away is an export of the canvas it is about.
    let (status, _, _) = app
        .as_person(&people.teamlid)
        .request_full("GET", &format!("{base}/verslag.pdf"), "", None)
        .await;
    assert_eq!(status, 200);
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|(_, who, detail)| who == &people.teamlid.email
                && detail.contains(&format!("verslag van overleg {meeting} als PDF"))),
        "the export is in the audit log"
    );
}
