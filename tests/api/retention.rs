//! Retention (issue 13), with a controllable clock: a closed canvas that is not archived is
//! warned about 30 and 7 days before the period ends (once each, to the aanjager), then purged
//! in one transaction with the casework it holds, audited by id only; the ledger stays whole and
//! nothing else is touched.

use doorbraak::services::retention::{Swept, sweep};

use crate::helpers::*;

const DAY: i64 = 86_400_000;

async fn count(app: &TestApp, query: &str, id: &str) -> i64 {
    sqlx::query_scalar(&sql(query))
        .bind(id)
        .fetch_one(&app.db().await)
        .await
        .expect("count")
}

/// Rows per table of one canvas's casework.
async fn casework(app: &TestApp, id: &str) -> Vec<i64> {
    let mut out = Vec::new();
    for table in [
        "canvas_updates",
        "canvas_snapshots",
        "canvas_versions",
        "comments",
        "budget_entries",
    ] {
        out.push(
            count(
                app,
                &format!("SELECT COUNT(*) FROM {table} WHERE canvas_id = ?"),
                id,
            )
            .await,
        );
    }
    out
}

async fn closed_at(app: &TestApp, id: &str) -> i64 {
    sqlx::query_scalar(&sql(
        "SELECT MAX(changed_at) FROM status_changes WHERE canvas_id = ?",
    ))
    .bind(id)
    .fetch_one(&app.db().await)
    .await
    .expect("closed at")
}

#[tokio::test]
async fn a_closed_canvas_not_archived_is_warned_about_then_purged_and_nothing_else_is_touched() {
    let app = TestApp::spawn().await;
    let people = app.people.clone();
    // The canvas that will go: text, a comment, a version, an escalation with its frozen copy
    // (answered), a booking on the ledger, closed with its leeropbrengst.
    let id = in_treatment(&app, "Casus R-1").await;
    let mut editor = app.connect(&id).await;
    editor.type_text("Gezin met een huurachterstand.").await;
    editor.round_trip().await;
    editor.close().await;
    let (s, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{id}/opmerkingen"),
        &[("field", "situation"), ("body", "Klopt dit?")],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _, _) = post_as(
        &app,
        &people.teamlid,
        &format!("/canvases/{id}/versies"),
        &[("naam", "Tussenstand")],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{id}/opschalen"),
        &[
            ("naar", "directie"),
            ("vraag", "Mag de borg uit het doorbraakbudget?"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{page}");
    let escalation: i64 =
        sqlx::query_scalar(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("escalation");
    let (s, _, page) = post_as(
        &app,
        &people.projectleider,
        &format!("/canvases/{id}/opschalingen/{escalation}/antwoord"),
        &[
            ("antwoord", "Ja, uit het budget."),
            ("uitkomst", "opgelost"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{page}");
    let (s, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/teams/{}/budget", people.team),
        &[("jaar", "2026"), ("bedrag", "1.000,00")],
    )
    .await;
    assert_eq!(s, 303, "{page}");
    let (s, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{id}/budget"),
        &[
            ("soort", "spent"),
            ("bedrag", "100,00"),
            ("waarvoor", "Borg"),
            ("waarom", "Geen regeling"),
            ("goedgekeurd_door", "Anne"),
            ("datum", "2026-11-20"),
        ],
    )
    .await;
    assert_eq!(s, 303, "{page}");
    let (s, _, page) = post_as(
        &app,
        &people.aanjager,
        &format!("/canvases/{id}/status"),
        &closing(&[
            ("van", "in_behandeling"),
            ("naar", "afgesloten_zonder_doorbraak"),
        ]),
    )
    .await;
    assert_eq!(s, 303, "{page}");
    // What must stay as it is: an archived canvas, an open one, and the other team's.
    let archived = archived_case(
        &app,
        "Casus R-2",
        "Blijft bewaard.",
        "doorbraak_gerealiseerd",
        &[],
        None,
    )
    .await;
    let open = in_treatment(&app, "Casus R-3").await;
    let mut editor = app.connect(&open).await;
    editor.type_text("Loopt nog.").await;
    editor.round_trip().await;
    editor.close().await;
    let untouched = [archived.clone(), open.clone()];
    let mut before = Vec::new();
    for other in &untouched {
        before.push((casework(&app, other).await, app.stored(other).await));
    }
    let closed = closed_at(&app, &id).await;
    let keep = 183 * DAY;
    let ledger_before = casework(&app, &id).await[4];
    assert_eq!(ledger_before, 1);

    // Long before: nothing. 30 days before: a warning to the aanjager, once.
    assert_eq!(
        sweep(&app.state, closed + 10 * DAY).await.expect("sweep"),
        Swept::default()
    );
    let at30 = closed + keep - 30 * DAY;
    assert_eq!(
        sweep(&app.state, at30).await.expect("sweep"),
        Swept {
            warned: 1,
            purged: 0
        }
    );
    assert_eq!(
        sweep(&app.state, at30 + DAY).await.expect("sweep"),
        Swept::default(),
        "once"
    );
    let warnings = notifications_of(&app, &people.aanjager).await;
    assert!(
        warnings.iter().any(|t| t.starts_with(
            "Casus R-1 is afgesloten maar niet gearchiveerd en wordt over 30 dagen verwijderd"
        )),
        "{warnings:?}"
    );
    assert!(
        !notifications_of(&app, &people.teamlid)
            .await
            .iter()
            .any(|t| t.contains("verwijderd"))
    );
    // 7 days before: the second.
    assert_eq!(
        sweep(&app.state, closed + keep - 7 * DAY)
            .await
            .expect("sweep"),
        Swept {
            warned: 1,
            purged: 0
        }
    );
    assert!(
        notifications_of(&app, &people.aanjager)
            .await
            .iter()
            .any(|t| t.contains("over 7 dagen"))
    );
    assert_eq!(
        casework(&app, &id).await[..4],
        [
            count(
                &app,
                "SELECT COUNT(*) FROM canvas_updates WHERE canvas_id = ?",
                &id
            )
            .await,
            0,
            2,
            1
        ][..],
        "still whole before the end (the versions: by hand and the escalation's)"
    );

    // At the end: purged.
    assert_eq!(
        sweep(&app.state, closed + keep).await.expect("sweep"),
        Swept {
            warned: 0,
            purged: 1
        }
    );
    assert_eq!(
        casework(&app, &id).await,
        vec![0, 0, 0, 0, 1],
        "the casework goes, the ledger stays"
    );
    let (question, answer, snapshot): (String, Option<String>, Vec<u8>) = sqlx::query_as(&sql(
        "SELECT question, answer, snapshot FROM escalations WHERE canvas_id = ?",
    ))
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("the escalation's row stays for the dashboard");
    assert_eq!(
        (question.as_str(), answer.as_deref(), snapshot.len()),
        ("", Some(""), 0)
    );
    let (label, effect): (String, String) = sqlx::query_as(
        &sql("SELECT c.label, l.household_effect FROM canvases c JOIN learning_outcomes l ON l.canvas_id = c.id WHERE c.id = ?"),
    )
    .bind(&id)
    .fetch_one(&app.db().await)
    .await
    .expect("what remains");
    assert_eq!(
        (label.as_str(), effect.as_str()),
        ("Verwijderd na de bewaartermijn", "")
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM status_changes WHERE canvas_id = ?",
            &id
        )
        .await,
        5,
        "the dates and the outcome stay"
    );
    // Nobody sees it any more, by any route.
    for person in [
        &people.aanjager,
        &people.teamlid,
        &people.coach,
        &people.pmm,
    ] {
        assert_eq!(
            app.as_person(person)
                .get(&format!("/api/canvases/{id}"))
                .await
                .0,
            404
        );
    }
    assert_eq!(upgrade_status(&app.ws_url(&id, "")).await, 404);
    // Audited by id only.
    let purged: Vec<_> = audit_events(&app)
        .await
        .into_iter()
        .filter(|(e, _, _)| e == "canvas_purged")
        .collect();
    assert_eq!(purged.len(), 1);
    assert!(
        !purged[0].2.contains("R-1") && !purged[0].2.contains("huurachterstand"),
        "{:?}",
        purged[0]
    );
    // Again: nothing more to do.
    assert_eq!(
        sweep(&app.state, closed + keep + DAY).await.expect("sweep"),
        Swept::default()
    );

    // Nothing else was touched.
    for (other, (rows, content)) in untouched.iter().zip(before) {
        assert_eq!(casework(&app, other).await, rows, "{other}");
        assert_eq!(app.stored(other).await, content, "{other}");
        assert_eq!(
            app.as_person(&people.teamlid)
                .get(&format!("/api/canvases/{other}"))
                .await
                .0,
            200
        );
    }
}
