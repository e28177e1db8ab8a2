//! The canvas HTTP API.

use crate::helpers::*;

#[tokio::test]
async fn creating_a_canvas_answers_201_with_its_id() {
    let app = TestApp::spawn().await;
    let (status, body) = app
        .http
        .post_json(
            "/api/canvases",
            &serde_json::json!({ "label": "  Casus T-17 " }),
        )
        .await;
    assert_eq!(status, 201);
    let id = body["id"].as_str().expect("id");
    let canvas = app.canvas(id).await;
    assert_eq!(canvas["id"], id);
    assert_eq!(canvas["label"], "Casus T-17");
    assert_eq!(canvas["schemaVersion"], 1);
    assert_eq!(canvas["steps"]["actionPlan"], serde_json::json!([]));
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["status"], "concept");
}

#[tokio::test]
async fn bad_labels_get_a_dutch_error_and_create_nothing() {
    let app = TestApp::spawn().await;
    let cases: [&[u8]; 5] = [
        br#"{"label": ""}"#,
        br#"{"label": "jan.jansen@example.nl"}"#,
        br#"{"label": "BSN 123456782"}"#,
        br#"{"naam": "Casus"}"#,
        b"geen json",
    ];
    for body in cases {
        let (status, answer) = app.http.post_raw("/api/canvases", body).await;
        assert_eq!(status, 422, "{}", String::from_utf8_lossy(body));
        assert!(
            answer["fout"]
                .as_str()
                .is_some_and(|m| m.contains("canvas") || m.contains("label")),
            "{answer}"
        );
    }
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list, serde_json::json!([]));
}

#[tokio::test]
async fn the_regulations_catalogue_is_served() {
    let app = TestApp::spawn().await;
    let (status, catalogue) = app.http.get("/api/regelingen").await;
    assert_eq!(status, 200);
    let entries = catalogue.as_array().expect("a list");
    assert!(
        entries
            .iter()
            .any(|r| r["law"] == "Participatiewet" && r["article"] == "Artikel 49")
    );
    assert!(
        entries
            .iter()
            .all(|r| r["room"].as_str().is_some_and(|room| !room.is_empty()))
    );
}

#[tokio::test]
async fn the_rendement_horizon_reads_as_one_three_or_five_years() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus horizon").await;
    let mut client = app.connect(&id).await;
    assert_eq!(horizon(&app, &id).await, 1, "the default");
    for (written, read) in [(3, 3), (5, 5), (4, 1)] {
        client
            .edit(|txn, _| {
                let meta = yrs::WriteTxn::get_or_insert_map(txn, "meta");
                yrs::Map::insert(&meta, txn, "horizonYears", written);
            })
            .await;
        client.round_trip().await;
        assert_eq!(horizon(&app, &id).await, read, "written {written}");
    }
}

async fn horizon(app: &TestApp, id: &str) -> serde_json::Value {
    app.canvas(id).await["steps"]["valueTriangle"]["horizonYears"].clone()
}
