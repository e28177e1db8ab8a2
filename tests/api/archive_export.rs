//! Exports of an archived canvas (issue 13): one clean document and JSON in the documented
//! schema, for whoever may read the archive; never who escalated, and nothing the anonymity rule
//! finds except what was overridden when archiving. Recorded in the audit log.

use serde_json::Value;

use crate::helpers::*;

/// Why `value` does not conform to `schema` (the JSON Schema subset the documented schema uses:
/// type, const, enum, required, properties, additionalProperties: false, items); empty when
/// it does.
fn violations(value: &Value, schema: &Value, at: &str) -> Vec<String> {
    let mut out = Vec::new();
    let type_name = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    if let Some(types) = schema.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        if !allowed.contains(&type_name) {
            out.push(format!("{at}: {type_name}, not {allowed:?}"));
            return out;
        }
    }
    if let Some(expected) = schema.get("const")
        && expected != value
    {
        out.push(format!("{at}: {value}, not {expected}"));
    }
    if let Some(Value::Array(choices)) = schema.get("enum")
        && !choices.contains(value)
    {
        out.push(format!("{at}: {value} is none of {choices:?}"));
    }
    if let Value::Object(map) = value {
        for key in schema["required"].as_array().into_iter().flatten() {
            let key = key.as_str().expect("a key");
            if !map.contains_key(key) {
                out.push(format!("{at}: {key} is missing"));
            }
        }
        let properties = schema.get("properties").and_then(Value::as_object);
        for (key, item) in map {
            match properties.and_then(|p| p.get(key)) {
                Some(sub) => out.extend(violations(item, sub, &format!("{at}.{key}"))),
                None if schema.get("additionalProperties") == Some(&Value::Bool(false)) => {
                    out.push(format!("{at}: {key} is not in the schema"));
                }
                None => {}
            }
        }
    }
    if let (Value::Array(items), Some(sub)) = (value, schema.get("items")) {
        for (i, item) in items.iter().enumerate() {
            out.extend(violations(item, sub, &format!("{at}[{i}]")));
        }
    }
    out
}

fn schema() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/archive-export.schema.json"
    );
    serde_json::from_str(&std::fs::read_to_string(path).expect("the schema")).expect("JSON")
}

#[test]
fn the_schema_check_catches_what_does_not_conform() {
    let schema = schema();
    let wrong =
        serde_json::json!({"schema": "doorbraak.archief/2", "escalations": [{"level": "x"}]});
    let found = violations(&wrong, &schema, "$");
    for expected in [
        "$.schema: \"doorbraak.archief/2\", not \"doorbraak.archief/1\"",
        "$: content is missing",
        "$.escalations[0]: question is missing",
        "$.escalations[0].level: \"x\" is none of",
    ] {
        assert!(
            found.iter().any(|f| f.starts_with(expected)),
            "{expected} in {found:?}"
        );
    }
}

/// Personal data the rule did not see when archiving (as if it learned more since), put
/// straight into the stored leeropbrengst: the exports must take it out all the same.
async fn slip_in_a_name(app: &TestApp, id: &str) {
    sqlx::query(&sql(
        "UPDATE learning_outcomes SET household_effect = 'Mevrouw Jansen fietst nu zelf.' \
         WHERE canvas_id = ?",
    ))
    .bind(id)
    .execute(&app.db().await)
    .await
    .expect("update");
}

/// The error a refused form's page shows.
fn refusal(page: &str) -> &str {
    page.split("role=\"alert\">")
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .unwrap_or("(no error on the page)")
}

/// A canvas with an overridden phone number in its situatieschets, escalated to the directie,
/// closed with the leeropbrengst and archived for the province.
async fn archived_with_override(app: &TestApp) -> String {
    let people = &app.people;
    let id = in_treatment(app, "K-31").await;
    let mut editor = app.connect(&id).await;
    editor
        .type_text("Het team belt elke week het nummer 06-12345678 van de school.")
        .await;
    editor.round_trip().await;
    editor.close().await;
    let (s, _, page) = post_as(
        app,
        &people.aanjager,
        &format!("/canvases/{id}/opschalen"),
        &[
            ("naar", "directie"),
            ("vraag", "Mag de scooter uit het budget?"),
        ],
    )
    .await;
    assert_eq!(s, 303, "escalating: {}", refusal(&page));
    // The team's own dossier names who escalated.
    let (_, _, dossier) = app
        .as_person(&people.teamlid)
        .page(&format!("/canvases/{id}/dossier"))
        .await;
    assert!(dossier.contains(">Door</th>"));
    let escalation: i64 =
        sqlx::query_scalar(&sql("SELECT id FROM escalations WHERE canvas_id = ?"))
            .bind(&id)
            .fetch_one(&app.db().await)
            .await
            .expect("escalation");
    let (s, _, _) = post_as(
        app,
        &people.projectleider,
        &format!("/canvases/{id}/opschalingen/{escalation}/antwoord"),
        &[
            ("antwoord", "Ja, uit het doorbraakbudget."),
            ("uitkomst", "opgelost"),
        ],
    )
    .await;
    assert_eq!(s, 303);
    let path = format!("/canvases/{id}/status");
    let close = closing(&[
        ("van", "in_behandeling"),
        ("naar", "doorbraak_gerealiseerd"),
    ]);
    let (s, _, page) = post_as(app, &people.aanjager, &path, &close).await;
    assert_eq!(s, 303, "closing: {}", refusal(&page));
    let (_, _, page) = app
        .as_person(&people.aanjager)
        .page(&format!("/canvases/{id}"))
        .await;
    let key = quoted_after(&page, "name=\"reden_");
    let field = format!("reden_{key}");
    let archive = [
        ("van", "doorbraak_gerealiseerd"),
        ("naar", "gearchiveerd"),
        (field.as_str(), "Het algemene nummer van de school"),
    ];
    let (s, _, page) = post_as(app, &people.aanjager, &path, &archive).await;
    assert_eq!(s, 303, "archiving: {}", refusal(&page));
    id
}

#[tokio::test]
async fn an_archived_canvas_exports_as_json_in_the_documented_schema_without_unreviewed_personal_data()
 {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = archived_with_override(&app).await;
    slip_in_a_name(&app, &id).await;

    // A member of another team in the province reads the archive, and so its export.
    let (status, body) = app
        .as_person(&people.other_member)
        .get(&format!("/api/leerarchief/{id}"))
        .await;
    assert_eq!(status, 200, "{body}");
    let found = violations(&body, &schema(), "$");
    assert!(found.is_empty(), "{found:#?}\n{body:#}");
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["label"], "K-31");
    assert_eq!(body["outcome"], "doorbraak_gerealiseerd");
    assert_eq!(body["scope"], "provincie");
    assert_eq!(body["team"], "Team Arnhem");
    // The overridden finding stays; the one nobody reviewed does not.
    assert!(
        body["content"]["steps"]["situation"]
            .as_str()
            .unwrap()
            .contains("06-12345678"),
        "{body:#}"
    );
    assert_eq!(
        body["leeropbrengst"]["effect"],
        "Mevrouw [verwijderd] fietst nu zelf."
    );
    assert_eq!(body["leeropbrengst"]["order"], 2);
    assert_eq!(body["escalations"][0]["level"], "directie");
    assert_eq!(
        body["escalations"][0]["question"],
        "Mag de scooter uit het budget?"
    );
    assert!(!body.to_string().contains("Jansen"));
    assert!(
        audit_events(&app)
            .await
            .iter()
            .any(|(event, who, detail)| event == "exported"
                && who == &people.other_member.email
                && detail == "leerarchief als JSON"),
        "{:?}",
        audit_events(&app).await
    );

    // Outside the scope, and for a canvas that is not archived: not found.
    let (status, _) = app
        .as_person(&people.other_coach)
        .get(&format!("/api/leerarchief/{id}"))
        .await;
    assert_eq!(status, 404);
    let live = in_treatment(&app, "K-32").await;
    let (status, _) = app
        .as_person(&people.aanjager)
        .get(&format!("/api/leerarchief/{live}"))
        .await;
    assert_eq!(
        status, 404,
        "the team's own live canvas is not in the archive"
    );
}

#[tokio::test]
async fn an_archived_canvas_prints_as_one_clean_document_with_its_leeropbrengst() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let id = archived_with_override(&app).await;
    slip_in_a_name(&app, &id).await;
    let reader = app.as_person(&people.other_member);
    let (status, _, page) = reader.page(&format!("/canvases/{id}/dossier")).await;
    assert_eq!(status, 200);
    for expected in [
        "Gearchiveerd maatwerkcanvas: K-31",
        "Leesbaar voor",
        "De doorbraakteams en de doorbraakcoach van de provincie",
        "<h2>Leeropbrengst</h2>",
        "Het leerlingenvervoer kent geen scooter.",
        "2e orde",
        "Mevrouw [verwijderd] fietst nu zelf.",
        "06-12345678",
        "Mag de scooter uit het budget?",
    ] {
        assert!(page.contains(expected), "{expected} in the print view");
    }
    assert!(!page.contains("Jansen"));
    assert!(!page.contains(">Door</th>"), "who escalated stays out");
    // The PDF of the same document, recorded like every copy taken away.
    let (status, head, body) = reader
        .request_full("GET", &format!("/canvases/{id}/dossier.pdf"), "*/*", None)
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("application/pdf"), "{head}");
    let text = crate::dossier::pdf_pages(&body).join("\n");
    assert!(
        text.contains("Mevrouw [verwijderd] fietst nu zelf."),
        "{text}"
    );
    assert!(text.contains("Leeropbrengst"), "{text}");
    assert!(!text.contains("Jansen"));
    let exports: Vec<String> = audit_events(&app)
        .await
        .into_iter()
        .filter(|(event, who, _)| event == "exported" && who == &people.other_member.email)
        .map(|(_, _, detail)| detail)
        .collect();
    assert_eq!(exports, ["dossier als afdrukweergave", "dossier als PDF"]);
    // The archived canvas's page offers the JSON.
    let (_, _, canvas) = reader.page(&format!("/canvases/{id}")).await;
    assert!(canvas.contains(&format!("href=\"/api/leerarchief/{id}\"")));
}
