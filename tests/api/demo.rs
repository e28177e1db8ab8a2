//! `--demo` seeds the scooter case, the demo teams and an account per role once, however often
//! the server starts with it, and prints the accounts.

use doorbraak::{
    demo::{DEMO_CANVAS_ID, DEMO_PASSWORD, OTHER_TEAM_CANVAS_ID},
    store,
};

use crate::helpers::*;

#[tokio::test]
async fn the_demo_canvas_is_seeded_once() {
    let database = TestDatabase::new().await;
    let database_url = database.url.clone();
    for start in 0..2 {
        let (mut server, address) = start_binary(&database_url, &["--demo"]).await;
        let token = {
            let db = store::open(&database_url).await.expect("open database");
            doorbraak::accounts::create_token(db.as_ref(), "teamlid@demo.doorbraak.nl", "test", 90)
                .await
                .expect("demo teamlid")
        };
        let http = reqwest_lite::Client::new(address.parse().expect("address")).with_token(&token);
        let (status, list) = http.get("/api/canvases").await;
        let ids: Vec<&str> = list
            .as_array()
            .unwrap_or_else(|| panic!("start {start}: {status} {list}"))
            .iter()
            .filter_map(|c| c["id"].as_str())
            .collect();
        // The scooter and four cases; the learning archive's twelve (six of Arnhem, three of
        // Nijmegen shared with the province or the country, three of Utrecht shared with the
        // country) and the closed canvas with anonymity findings to resolve.
        assert_eq!(
            ids.len(),
            18,
            "start {start}: the scooter, four cases and the archive: {list}"
        );
        // The archive is indexed when the server starts, so the search finds it in plain Dutch.
        eventually("the demo archive in the search", || {
            let http = http.clone();
            async move {
                let (_, found) = http.get("/api/leerarchief?q=scooters").await;
                found["hits"]
                    .as_array()
                    .is_some_and(|h| h.iter().any(|c| c["label"] == "Archief: Casus A-03"))
            }
        })
        .await;
        assert!(ids.contains(&DEMO_CANVAS_ID));
        assert!(
            !ids.contains(&OTHER_TEAM_CANVAS_ID),
            "not the other team's canvas"
        );
        let (status, _) = http
            .get(&format!("/api/canvases/{OTHER_TEAM_CANVAS_ID}"))
            .await;
        assert_eq!(status, 404);
        let (status, canvas) = http.get(&format!("/api/canvases/{DEMO_CANVAS_ID}")).await;
        assert_eq!(status, 200);
        assert_eq!(
            canvas["steps"]["valueTriangle"]["returnLines"]
                .as_array()
                .map(Vec::len),
            Some(3)
        );
        assert_eq!(
            canvas["steps"]["actionPlan"].as_array().map(Vec::len),
            Some(3)
        );
        server.kill().await.expect("stop");
    }
}

#[tokio::test]
async fn the_demo_accounts_are_printed_and_sign_in() {
    let database = TestDatabase::new().await;
    let database_url = database.url.clone();
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_doorbraak"))
        .args([
            "serve",
            "--demo",
            "--bind",
            "127.0.0.1:0",
            "--database-url",
            &database_url,
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start");
    let stdout = child.stdout.take().expect("stdout");
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(stdout));
    let mut printed = Vec::new();
    within("the demo accounts to be printed", async {
        while let Some(line) = lines.next_line().await.expect("read") {
            printed.push(line);
            if printed
                .iter()
                .filter(|l| l.contains("@demo.doorbraak.nl"))
                .count()
                == 8
            {
                break;
            }
        }
    })
    .await;
    let text = printed.join("\n");
    assert!(text.contains(DEMO_PASSWORD), "{text}");
    for role in [
        "aanjager",
        "inbrenger",
        "doorbraakcoach",
        "PMM",
        "beheerder",
    ] {
        assert!(text.contains(role), "{role} missing in {text}");
    }
    let address = printed[0]
        .rsplit("http://")
        .next()
        .expect("address")
        .to_owned();
    let http = reqwest_lite::Client::new(address.parse().expect("address"));
    let (status, head, _) = http
        .post_form(
            "/inloggen",
            &format!("email=coach%40demo.doorbraak.nl&password={DEMO_PASSWORD}"),
        )
        .await;
    assert_eq!(status, 303, "{head}");
    assert!(head.contains("set-cookie: doorbraak_sessie="), "{head}");
}

#[tokio::test]
async fn the_demo_fills_every_workflow_screen() {
    let app = TestApp::spawn().await;
    app.seed_demo().await;
    let db = app.database().await;
    let client = |email: &'static str| {
        let db = db.clone();
        let anonymous = app.anonymous();
        async move {
            let token = doorbraak::accounts::create_token(db.as_ref(), email, "test", 90)
                .await
                .expect("demo account");
            anonymous.with_token(&token)
        }
    };
    let coach = client("coach@demo.doorbraak.nl").await;
    let (status, _, dashboard) = coach.page("/coach").await;
    assert_eq!(status, 200);
    assert!(dashboard.contains("Demo: Casus C-2") && dashboard.contains("Demo: Casus P-3"));
    assert!(
        !dashboard.contains("Demo: Casus D-1"),
        "directie level is not the coach's"
    );
    assert!(
        dashboard.contains("data-late=\"true\""),
        "C-2 waits 20 days: marked"
    );
    let (_, _, solved) = coach
        .page("/canvases/5c00de70-0000-4000-8000-00000000d3e5")
        .await;
    assert!(
        solved.contains("data-read-only=\"true\""),
        "back at the team: the coach reads"
    );

    let pmm = client("pmm@demo.doorbraak.nl").await;
    let (_, _, inbox) = pmm.page("/pmm").await;
    assert!(inbox.contains("Demo: Casus P-3") && inbox.contains("Bbz-toets"));

    let aanjager = client("aanjager@demo.doorbraak.nl").await;
    let (_, _, overview) = aanjager.page("/").await;
    for figure in ["€ 25.000,00", "€ 1.200,00", "€ 1.800,00", "€ 22.000,00"] {
        assert!(
            overview.contains(figure),
            "{figure} in the budget on the overview"
        );
    }
    assert!(overview.contains("Wacht op directie"));
}

#[tokio::test]
async fn the_demo_team_has_two_past_overleggen_with_versions_and_one_coming() {
    let app = TestApp::spawn().await;
    let (id, http) = app.seed_demo().await;
    // Seeding again adds nothing.
    doorbraak::demo::seed(app.database().await.as_ref())
        .await
        .expect("seed again");
    let (status, list) = http.get(&format!("/api/canvases/{id}/versies")).await;
    assert_eq!(status, 200);
    let kinds: Vec<&str> = list
        .as_array()
        .expect("list")
        .iter()
        .filter_map(|v| v["kind"].as_str())
        .collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "overleg").count(),
        2,
        "{list}"
    );
    let (status, diff) = http
        .get(&format!(
            "/api/canvases/{id}/verschil?van=vorig-overleg&tot=nu"
        ))
        .await;
    assert_eq!(status, 200);
    assert!(
        diff["texts"]
            .as_array()
            .is_some_and(|t| t.iter().any(|t| t["field"] == "involvement")),
        "a newcomer sees what changed since the last overleg: {diff}"
    );
    // SQLite's group_concat is PostgreSQL's string_agg.
    let statuses = if on_postgres() {
        "SELECT string_agg(status, ',' ORDER BY starts_at) FROM meetings"
    } else {
        "SELECT group_concat(status, ',') FROM (SELECT status FROM meetings ORDER BY starts_at)"
    };
    let (statuses,): (String,) = sqlx::query_as(&sql(statuses))
        .fetch_one(&app.db().await)
        .await
        .expect("meetings");
    assert_eq!(statuses, "afgerond,afgerond,gepland");
    let (items,): (i64,) = sqlx::query_as(&sql("SELECT COUNT(*) FROM agenda_items"))
        .fetch_one(&app.db().await)
        .await
        .expect("agenda");
    assert_eq!(items, 7);
    // Each past overleg left its besluiten, an actiepunt and a fixed verslag; the second's
    // actiepunt is still open on the next agenda, and the coach was there remotely as a guest.
    let (fixed,): (i64,) = sqlx::query_as(&sql(
        "SELECT COUNT(*) FROM minutes WHERE fixed_at IS NOT NULL",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("minutes");
    assert_eq!(fixed, 2);
    let next: i64 = sqlx::query_scalar(&sql("SELECT id FROM meetings WHERE status = 'gepland'"))
        .fetch_one(&app.db().await)
        .await
        .expect("next");
    let (_, _, page) = http.page(&format!("/overleggen/{next}")).await;
    assert!(
        page.contains("Open actiepunten uit eerdere overleggen"),
        "{page}"
    );
    assert!(page.contains("Offerte voor de scooter en het kinderzitje opvragen"));
    let past: i64 = sqlx::query_scalar(&sql(
        "SELECT id FROM meetings WHERE status = 'afgerond' ORDER BY starts_at DESC LIMIT 1",
    ))
    .fetch_one(&app.db().await)
    .await
    .expect("past");
    let (status, _, verslag) = http.page(&format!("/overleggen/{past}/verslag")).await;
    assert_eq!(status, 200);
    for expected in [
        "Vastgesteld op",
        "hardheidsclausule",
        "Offerte voor de scooter",
        "Chris Coach",
    ] {
        assert!(
            verslag.contains(expected),
            "{expected} in the demo's verslag"
        );
    }
    let (_, _, canvas) = http.page(&format!("/canvases/{id}")).await;
    assert!(canvas.contains("Open actiepunten"));
}

#[tokio::test]
async fn a_server_asked_to_stop_while_it_indexes_the_archive_stops_at_once() {
    let database = TestDatabase::new().await;
    let (mut server, _address) = start_binary(&database.url, &["--demo"]).await;
    // At once: the demo archive's indexing at start is still running (or retrying).
    terminate(&server);
    let status = tokio::time::timeout(std::time::Duration::from_secs(5), server.wait())
        .await
        .expect("stopped within 5 s, not after the indexing's retries")
        .expect("exit status");
    assert!(status.success(), "{status:?}");
}
