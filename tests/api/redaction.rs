//! Redaction (issue 13): the aanjager replaces a finding in a frozen copy (a version by hand,
//! an escalation's copy) by "[verwijderd]" in the stored copy itself; audited without the words;
//! the live canvas's copy of it is pointed out; nobody else may.

use serde_json::Value;

use crate::helpers::*;

const BSN: &str = "123456782";

async fn versions(app: &TestApp, id: &str) -> Vec<Value> {
    let (_, list) = app.http.get(&format!("/api/canvases/{id}/versies")).await;
    list.as_array().cloned().unwrap_or_default()
}

async fn stored_copies_holding(app: &TestApp, id: &str, needle: &str) -> i64 {
    let needle = needle.as_bytes().to_vec();
    // Where the needle is in a BLOB: SQLite's instr(), PostgreSQL's position() on BYTEA.
    let query = if on_postgres() {
        "SELECT (SELECT COUNT(*) FROM canvas_versions WHERE canvas_id = ?1 AND position(?2 IN snapshot) > 0) \
         + (SELECT COUNT(*) FROM escalations WHERE canvas_id = ?1 AND position(?2 IN snapshot) > 0)"
    } else {
        "SELECT (SELECT COUNT(*) FROM canvas_versions WHERE canvas_id = ?1 AND instr(snapshot, ?2) > 0) \
         + (SELECT COUNT(*) FROM escalations WHERE canvas_id = ?1 AND instr(snapshot, ?2) > 0)"
    };
    sqlx::query_scalar(&sql(query))
        .bind(id)
        .bind(needle)
        .fetch_one(&app.db().await)
        .await
        .expect("count")
}

#[tokio::test]
async fn the_aanjager_redacts_a_finding_in_a_frozen_copy_on_disk_and_audited() {
    let app = TestApp::spawn().await;
    let p = app.people.clone();
    let id = in_treatment(&app, "Casus RD-1").await;
    let mut editor = app.connect(&id).await;
    editor
        .type_text(&format!("Moeder, BSN {BSN}, kreeg geen toeslag."))
        .await;
    editor.round_trip().await;
    let (s, _, _) = post_as(
        &app,
        &p.teamlid,
        &format!("/canvases/{id}/versies"),
        &[("naam", "Tussenstand")],
    )
    .await;
    assert_eq!(s, 303);
    let (s, _, page) = post_as(
        &app,
        &p.aanjager,
        &format!("/canvases/{id}/opschalen"),
        &[("naar", "directie"), ("vraag", "Mag dit?")],
    )
    .await;
    assert_eq!(s, 303, "{page}");
    assert_eq!(
        stored_copies_holding(&app, &id, BSN).await,
        2,
        "both copies hold it"
    );
    let all = versions(&app, &id).await;
    assert_eq!(all.len(), 2, "{all:?}");

    for version in &all {
        let n = version["id"].as_i64().expect("id");
        let page_path = format!("/canvases/{id}/versies/{n}");
        // The teamlid sees the copy but not the panel, and may not redact.
        let (_, _, page) = app.as_person(&p.teamlid).page(&page_path).await;
        assert!(!page.contains("Persoonsgegevens in deze kopie"));
        let (_, _, page) = app.as_person(&p.aanjager).page(&page_path).await;
        assert!(page.contains("Persoonsgegevens in deze kopie"), "{page}");
        let key = quoted_after(&page, "name=\"sleutel\" value=\"");
        let path = format!("{page_path}/schrappen");
        assert_eq!(
            post_as(&app, &p.teamlid, &path, &[("sleutel", &key)])
                .await
                .0,
            403
        );
        let (s, head, _) = post_as(&app, &p.aanjager, &path, &[("sleutel", &key)]).await;
        assert_eq!(s, 303, "{head}");
        assert!(head.contains("geschrapt=veld-situation&live=1"), "{head}");
        // The copy itself changed; the live canvas is pointed out, not changed.
        let (_, copy) = app
            .http
            .get(&format!("/api/canvases/{id}/versies/{n}"))
            .await;
        let situation = copy["steps"]["situation"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        assert_eq!(situation, "Moeder, BSN [verwijderd], kreeg geen toeslag.");
        let (_, _, page) = app
            .as_person(&p.aanjager)
            .page(&format!("{page_path}?geschrapt=veld-situation&live=1"))
            .await;
        assert!(page.contains("haal het daar ook weg"));
        // Once only: the finding is gone.
        assert_eq!(
            post_as(&app, &p.aanjager, &path, &[("sleutel", &key)])
                .await
                .0,
            409
        );
    }
    // On disk: no stored copy holds it any more; the live canvas still does.
    assert_eq!(stored_copies_holding(&app, &id, BSN).await, 0);
    assert!(
        app.stored(&id).await["steps"]["situation"]
            .as_str()
            .is_some_and(|s| s.contains(BSN))
    );
    let redactions: Vec<_> = audit_events(&app)
        .await
        .into_iter()
        .filter(|(e, _, _)| e == "redacted")
        .collect();
    assert_eq!(redactions.len(), 2);
    for (_, who, detail) in &redactions {
        assert_eq!(who, &p.aanjager.email);
        assert!(
            detail.starts_with("bsn in versie ") && detail.ends_with(", Stap 1: situatieschets"),
            "{detail}"
        );
        assert!(!detail.contains(BSN));
    }
}

#[tokio::test]
async fn a_finding_in_a_widget_row_of_a_copy_is_redacted_on_disk_too() {
    let app = TestApp::spawn().await;
    let p = app.people.clone();
    let id = in_treatment(&app, "Casus RD-2").await;
    let mut editor = app.connect(&id).await;
    editor
        .add_row(
            "agencies",
            &[("id", "a1"), ("name", "Wijkteam van mevrouw Jansen")],
        )
        .await;
    editor
        .add_row(
            "actions",
            &[
                ("id", "b1"),
                ("what", "Bel 06-12345678 over de scooter"),
                ("who", "Teamlid"),
            ],
        )
        .await;
    editor.round_trip().await;
    let (s, _, _) = post_as(
        &app,
        &p.teamlid,
        &format!("/canvases/{id}/versies"),
        &[("naam", "Met instanties")],
    )
    .await;
    assert_eq!(s, 303);
    let n = versions(&app, &id).await[0]["id"].as_i64().expect("id");
    let page_path = format!("/canvases/{id}/versies/{n}");
    assert_eq!(stored_copies_holding(&app, &id, "Jansen").await, 1);
    for (place, anchor) in [
        (
            "Stap 3: betrokken instanties, regel 1 (instantie)",
            "agencies-title",
        ),
        ("Stap 6: actieplan, regel 1 (wat)", "actions-title"),
    ] {
        let (_, _, page) = app.as_person(&p.aanjager).page(&page_path).await;
        let item = page
            .split("<li>")
            .find(|li| li.starts_with(place))
            .unwrap_or_else(|| panic!("{place} listed"));
        let key = quoted_after(item, "name=\"sleutel\" value=\"");
        let (s, head, _) = post_as(
            &app,
            &p.aanjager,
            &format!("{page_path}/schrappen"),
            &[("sleutel", &key)],
        )
        .await;
        assert_eq!(s, 303, "{head}");
        assert!(
            head.contains(&format!("geschrapt={anchor}&live=1")),
            "{head}"
        );
    }
    let (_, copy) = app
        .http
        .get(&format!("/api/canvases/{id}/versies/{n}"))
        .await;
    assert_eq!(
        copy["steps"]["overview"]["agencies"][0]["name"],
        "Wijkteam van mevrouw [verwijderd]"
    );
    assert_eq!(
        copy["steps"]["actionPlan"][0]["what"],
        "Bel [verwijderd] over de scooter"
    );
    assert_eq!(copy["steps"]["actionPlan"][0]["who"], "Teamlid");
    // On disk: the stored copy holds neither any more; the live canvas still does.
    assert_eq!(stored_copies_holding(&app, &id, "Jansen").await, 0);
    assert_eq!(stored_copies_holding(&app, &id, "06-12345678").await, 0);
    let live = app.stored(&id).await;
    assert_eq!(
        live["steps"]["overview"]["agencies"][0]["name"],
        "Wijkteam van mevrouw Jansen"
    );
}
