//! The server-rendered pages: they read without JavaScript and carry the hooks the client uses.

use crate::helpers::*;

#[tokio::test]
async fn the_overview_lists_canvases_and_starts_new_ones() {
    let app = TestApp::spawn().await;
    let (status, _, page) = app.http.page("/").await;
    assert_eq!(status, 200);
    assert!(page.contains("Er zijn nog geen canvassen."));
    assert!(
        page.contains("<a class=\"skip-link\" href=\"#inhoud\">Naar de inhoud</a>")
            && page.contains("id=\"inhoud\""),
        "a skip link to the content, and its target"
    );

    let (status, head, _) = app.http.post_form("/canvases", "label=Casus+T-17").await;
    assert_eq!(status, 303);
    let location = head
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .expect("location")
        .trim()
        .to_owned();
    let id = location.strip_prefix("/canvases/").expect("canvas url");

    let (_, _, page) = app.http.page("/").await;
    assert!(
        page.contains(&format!("href=\"/canvases/{id}\">Casus T-17</a>")),
        "{page}"
    );
}

#[tokio::test]
async fn a_refused_label_is_explained_in_dutch_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let (status, _, page) = app
        .http
        .post_form("/canvases", "label=jan%40example.nl")
        .await;
    assert_eq!(status, 422);
    assert!(
        page.contains("role=\"alert\">De naam van het canvas moet anoniem zijn"),
        "{page}"
    );
    assert!(
        page.contains("value=\"jan@example.nl\""),
        "the form keeps what was typed"
    );
    let (_, list) = app.http.get("/api/canvases").await;
    assert_eq!(list, serde_json::json!([]));
}

#[tokio::test]
async fn the_canvas_page_shows_the_six_steps_and_the_current_content() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus <script>").await;
    let mut client = app.connect(&id).await;
    client.type_text("Moeder & zoon").await;
    client.round_trip().await;

    let (status, head, page) = app.http.page(&format!("/canvases/{id}")).await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/html"));
    assert!(page.contains(&format!("data-canvas-id=\"{id}\"")));
    assert!(
        page.contains("Casus &lt;script&gt;"),
        "the label is escaped"
    );
    assert!(
        page.contains(
            "data-ytext=\"situation\" role=\"textbox\" aria-readonly=\"true\" aria-multiline=\"true\" tabindex=\"0\" aria-labelledby=\"label-situation\">Moeder &amp; zoon</div>"
        ),
        "{page}"
    );
    for (n, title) in [
        "Situatieschets",
        "Toekomstperspectief",
        "Overzicht",
        "Doorbraak",
        "Onderbouwing met de waardendriehoek",
        "Actieplan",
    ]
    .iter()
    .enumerate()
    {
        assert!(
            page.contains(&format!("{}. {title}", n + 1)),
            "step {title}"
        );
    }
    for root in [
        "future",
        "overview",
        "breakthrough",
        "systemProblem",
        "involvement",
        "legitimacy",
    ] {
        assert!(page.contains(&format!("data-ytext=\"{root}\"")), "{root}");
    }
    assert!(page.contains("data-ymap=\"lifeAreas\" value=\"housing\""));
    // The waardendriehoek: a triangle whose corners lead to the three values.
    assert!(page.contains("<nav class=\"value-triangle\" aria-label=\"Waardendriehoek\">"));
    for (target, value) in [
        ("#veld-involvement", "Betrokkenheid"),
        ("#veld-legitimacy", "Legitimiteit"),
        ("#rendement-title", "Rendement"),
    ] {
        assert!(
            page.contains(&format!("href=\"{target}\">{value}</a>")),
            "{value}"
        );
    }
    assert!(page.contains("id=\"veld-involvement\""));
    assert!(page.contains("<script src=\"/assets/app.js\" defer></script>"));
}

#[tokio::test]
async fn unknown_canvas_pages_are_a_dutch_404() {
    let app = TestApp::spawn().await;
    for path in [
        "/canvases/6f1d8e53-1c1b-4d7e-9a55-2f1f0a4b7c11",
        "/canvases/casus",
    ] {
        let (status, _, page) = app.http.page(path).await;
        assert_eq!(status, 404, "{path}");
        assert!(page.contains("Dit canvas bestaat niet, of je hebt er geen toegang toe."));
    }
}

#[tokio::test]
async fn pages_and_assets_carry_security_headers() {
    let app = TestApp::spawn().await;
    let (_, head, page) = app.http.page("/").await;
    assert!(
        head.contains("content-security-policy: default-src 'self'; script-src 'self';"),
        "{head}"
    );
    assert!(head.contains("frame-ancestors 'none'"));
    assert!(
        !head.contains("unsafe-inline"),
        "no inline script or style without a nonce"
    );
    // Styles only with this response's nonce, which the page hands to the client.
    let nonce = head
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a style nonce");
    assert!(
        page.contains(&format!("<meta name=\"csp-nonce\" content=\"{nonce}\">")),
        "{page}"
    );
    let (_, next_head, _) = app.http.page("/").await;
    assert!(!next_head.contains(nonce), "a fresh nonce per response");
    assert!(head.contains("x-content-type-options: nosniff"));
    assert!(head.contains("referrer-policy: same-origin"));
    let (status, head, _) = app.http.page("/assets/app.js").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/javascript"));
    let (status, head, _) = app.http.page("/assets/app.css").await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: text/css"));
}

#[tokio::test]
async fn the_overview_shows_leefgebieden_and_who_is_present() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus overzicht").await;
    let mut client = app.connect(&id).await;
    client
        .edit(|txn, _| {
            let areas = yrs::WriteTxn::get_or_insert_map(txn, "lifeAreas");
            yrs::Map::insert(&areas, txn, "housing", true);
        })
        .await;
    client
        .set_presence(77, 1, Some(r#"{"user":{"name":"Coach Noord"}}"#))
        .await;
    client.round_trip().await;

    let (_, _, page) = app.http.page("/").await;
    assert!(page.contains("<th scope=\"col\">Status</th>"));
    assert!(
        page.contains("<td>Concept</td>"),
        "a new canvas is a concept: {page}"
    );
    assert!(page.contains("<td>Woonsituatie</td>"), "{page}");
    // The account's name, not the one the client announced.
    assert!(
        page.contains("<td class=\"present\">aanjager</td>") && !page.contains("Coach Noord"),
        "{page}"
    );

    client.close().await;
    eventually("the presence to leave the overview", || async {
        !app.http
            .page("/")
            .await
            .2
            .contains("<td class=\"present\">aanjager</td>")
    })
    .await;
}

#[tokio::test]
async fn the_canvas_page_shows_instanties_regelingen_rendement_and_actieplan() {
    let app = TestApp::spawn().await;
    let (id, http) = app.seed_demo().await;
    let (_, _, overview) = http.page("/").await;
    assert!(
        overview.contains("<td>Passende zorg, Prettige thuissituatie, Erbij horen en meedoen</td>"),
        "the demo's leefgebieden in the overview: {overview}"
    );
    let (status, _, page) = http.page(&format!("/canvases/{id}")).await;
    assert_eq!(status, 200);
    for widget in ["agencies", "regulations", "rendement", "actions"] {
        assert!(
            page.contains(&format!(
                "data-widget=\"{widget}\" aria-labelledby=\"{widget}-title\""
            )),
            "{widget}"
        );
    }
    // Amounts in Dutch notation, enumerations in Dutch words.
    assert!(
        page.contains("<td class=\"amount\">€ 9.500,00</td>"),
        "{page}"
    );
    assert!(page.contains("<td>Kosten van de maatwerkoplossing</td>"));
    assert!(page.contains("<td>per maand</td>"));
    assert!(
        page.contains("<strong>Verordening leerlingenvervoer (lokaal), Hardheidsclausule</strong>")
    );
    assert!(page.contains("<td>Scooter en kinderzitje aanschaffen</td>"));
    assert!(page.contains("<td>Bezig</td>"));
}

#[tokio::test]
async fn browsers_get_errors_as_pages_and_scripts_as_json() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus F-1").await;
    let path = format!("/canvases/{id}/opschalingen/999/samenvatting");
    let (status, head, page) = app
        .http
        .clone()
        .with_header("Accept", "text/html")
        .page(&path)
        .await;
    assert_eq!(status, 404);
    assert!(head.contains("content-type: text/html"), "{head}");
    assert!(page.contains("<h1>Niet gevonden</h1>") && page.contains("Niet gevonden."));
    assert!(
        page.contains("Uitloggen"),
        "with the menu of the signed-in person"
    );
    let (status, body) = app.http.get(&path).await;
    assert_eq!(status, 404);
    assert_eq!(body["fout"], "Niet gevonden.");

    // An unknown path gets the same page, with the way back, and the same JSON.
    let (status, _, page) = app
        .http
        .clone()
        .with_header("Accept", "text/html")
        .page("/bestaat-niet")
        .await;
    assert_eq!(status, 404);
    assert!(page.contains("<h1>Niet gevonden</h1>") && page.contains("Niet gevonden."));
    assert!(page.contains("href=\"/\""), "a way back: {page}");
    let (status, body) = app.http.get("/api/bestaat-niet").await;
    assert_eq!(status, 404);
    assert_eq!(body["fout"], "Niet gevonden.");
}

#[tokio::test]
async fn the_overview_searches_filters_and_sorts_by_the_query_string() {
    let app = TestApp::spawn().await;
    let woning = app.create_canvas("Casus Woning-1").await;
    let schuld = app.create_canvas("Casus Schuld-2").await;
    let link = |id: &str| format!("href=\"/canvases/{id}\"");
    let (status, _, page) = app.http.page("/?zoek=woning").await;
    assert_eq!(status, 200);
    assert!(
        page.contains(&link(&woning)) && !page.contains(&link(&schuld)),
        "{page}"
    );
    assert!(
        page.contains("1 van 2 canvassen"),
        "the count says what is left"
    );
    assert!(
        page.contains("value=\"woning\""),
        "the search stays in its field"
    );

    let (_, _, page) = app.http.page("/?status=gearchiveerd").await;
    assert!(
        page.contains("Geen canvassen die hierbij passen."),
        "{page}"
    );

    let (_, _, page) = app.http.page("/?sorteer=naam").await;
    let (first, second) = (page.find(&link(&schuld)), page.find(&link(&woning)));
    assert!(
        first.is_some() && first < second,
        "by name: Schuld before Woning"
    );

    // What it does not know narrows nothing.
    let (status, _, page) = app.http.page("/?sorteer=onbekend&kleur=rood&status").await;
    assert_eq!(status, 200);
    assert!(page.contains(&link(&woning)) && page.contains(&link(&schuld)));
    // The last change reads short, with the full time as its title.
    assert!(page.contains(">vandaag "), "{page}");
}

#[tokio::test]
async fn a_beheerder_starts_on_what_a_beheerder_does() {
    let app = TestApp::spawn().await;
    let beheerder = app.sign_in(&app.people.beheerder.email, PASSWORD).await;
    let (status, _, page) = beheerder.http.page("/").await;
    assert_eq!(status, 200);
    assert!(
        page.contains("Als beheerder richt je de organisatie in"),
        "{page}"
    );
    assert!(page.contains("href=\"/beheer\">Naar Beheer</a>"));
    assert!(!page.contains("Er zijn nog geen canvassen."));
    // A team member with no canvases yet reads the ordinary line.
    let (_, _, page) = app.http.page("/").await;
    assert!(page.contains("Er zijn nog geen canvassen."));
}

#[tokio::test]
async fn the_not_found_page_names_a_copy_to_forget_only_for_a_real_canvas_id() {
    let app = TestApp::spawn().await;
    let browser = app.http.clone().with_header("Accept", "text/html");
    let unknown = "00000000-0000-4000-8000-00000000abcd";
    let (status, _, page) = browser.page(&format!("/canvases/{unknown}")).await;
    assert_eq!(status, 404);
    assert!(
        page.contains(&format!("data-forget-canvas=\"{unknown}\"")),
        "{page}"
    );
    // "a" would make the page delete every copy whose name ends in "a".
    let (status, _, page) = browser.page("/canvases/a").await;
    assert_eq!(status, 404);
    assert!(!page.contains("data-forget-canvas"), "{page}");
}
