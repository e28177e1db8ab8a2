//! `POST /api/anonimiteit` (issue 13): the one anonymity rule over HTTP, for who does casework,
//! with offsets in Unicode characters; bad input is a Dutch 422 and changes nothing.

use serde_json::json;

use crate::helpers::*;

#[tokio::test]
async fn the_anonymity_check_answers_findings_in_characters_for_casework_roles() {
    let app = TestApp::spawn().await;
    let people = &app.people;
    let text = "Één gezin: mevrouw Jansen, bel 06-12345678 of mail j@example.nl. Huur € 950,00 volgens artikel 8 lid 3.";
    let body = json!({ "text": text, "label": "Casus A-1" });
    let (status, answer) = app
        .as_person(&people.teamlid)
        .post_json("/api/anonimiteit", &body)
        .await;
    assert_eq!(status, 200, "{answer}");
    let chars: Vec<char> = text.chars().collect();
    let found: Vec<(String, String)> = answer["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            let (start, end) = (
                f["start"].as_u64().expect("start") as usize,
                f["end"].as_u64().expect("end") as usize,
            );
            (
                f["kind"].as_str().expect("kind").to_owned(),
                chars[start..end].iter().collect(),
            )
        })
        .collect();
    assert_eq!(
        found,
        vec![
            ("naam".to_owned(), "Jansen".to_owned()),
            ("telefoon".to_owned(), "06-12345678".to_owned()),
            ("email".to_owned(), "j@example.nl".to_owned()),
        ]
    );
    assert_eq!(answer["findings"][0]["uitleg"], "Dit lijkt een naam.");

    // Casework roles only; strangers are not let in at all.
    for (person, want) in [
        (&people.coach, 200),
        (&people.pmm, 200),
        (&people.inbrenger, 200),
        (&people.beheerder, 403),
    ] {
        let (status, _) = app
            .as_person(person)
            .post_json("/api/anonimiteit", &body)
            .await;
        assert_eq!(status, want, "{}", person.email);
    }
    assert_eq!(
        app.anonymous().post_json("/api/anonimiteit", &body).await.0,
        401
    );

    // Bad input: a Dutch reason.
    let http = app.as_person(&people.teamlid);
    for bad in [
        json!({ "tekst": "x" }),
        json!({ "text": 12 }),
        json!({ "text": "x".repeat(1_000_001) }),
    ] {
        let (status, answer) = http.post_json("/api/anonimiteit", &bad).await;
        assert_eq!(status, 422, "{answer}");
        assert!(
            answer["fout"]
                .as_str()
                .is_some_and(|m| m.contains("tekst") || m.contains("text")),
            "{answer}"
        );
    }
}
