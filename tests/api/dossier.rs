//! The whole canvas as a document: the print view, the PDF (read back with pdf-extract) and the DOCX
//! (unzipped and parsed as XML), for who may read the canvas and nobody else.

use std::io::{Cursor, Read};

use crate::helpers::*;

/// The PDF's pages and the text on each.
pub(crate) fn pdf_pages(bytes: &[u8]) -> Vec<String> {
    pdf_extract::extract_text_from_mem_by_pages(bytes).expect("a PDF pdf-extract can read")
}

/// The text of one part of the DOCX (`word/document.xml`, a header or footer), parsed as XML.
pub(crate) fn docx_part(bytes: &[u8], part: &str) -> (String, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a DOCX is a ZIP");
    let mut xml = String::new();
    zip.by_name(part)
        .expect("part")
        .read_to_string(&mut xml)
        .expect("utf-8");
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let text = doc
        .descendants()
        .filter(|n| n.tag_name().name() == "t")
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join("");
    (text, xml)
}

pub(crate) fn docx_parts(bytes: &[u8]) -> Vec<String> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a DOCX is a ZIP");
    zip.file_names().map(str::to_owned).collect()
}

/// Squeezes the whitespace out, so that text split over lines or runs compares.
pub(crate) fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

#[tokio::test]
async fn the_whole_canvas_prints_and_downloads_as_pdf_and_docx() {
    let app = TestApp::spawn().await;
    let (id, http) = app.seed_demo().await;

    let (status, _, page) = http.page(&format!("/canvases/{id}/dossier")).await;
    assert_eq!(status, 200);
    for expected in [
        "Vertrouwelijk",
        "1. Situatieschets",
        "5. Onderbouwing met de waardendriehoek",
        "6. Actieplan",
        "Netto resultaat (doormodderen − doorbreken)",
        "Terugverdientijd",
        "<td class=\"amount\">€ 9.500,00</td>",
        "<dt>Status</dt>",
        "data-print",
        "dossier.pdf",
        "dossier.docx",
    ] {
        assert!(page.contains(expected), "{expected} in the print view");
    }

    let (status, head, pdf) = http
        .request_full("GET", &format!("/canvases/{id}/dossier.pdf"), "", None)
        .await;
    assert_eq!(status, 200);
    assert!(head.contains("content-type: application/pdf"), "{head}");
    assert!(head.contains("attachment; filename=\"canvas-"), "{head}");
    let pages = pdf_pages(&pdf);
    assert!(
        pages.len() >= 2,
        "the whole canvas takes pages: {}",
        pages.len()
    );
    for (n, text) in pages.iter().enumerate() {
        let text = squeezed(text);
        assert!(text.contains("VERTROUWELIJK"), "the mark on page {}", n + 1);
        assert!(
            text.contains(&format!("pagina{}", n + 1)),
            "page {} is numbered: {text}",
            n + 1
        );
    }
    let all = squeezed(&pages.join(""));
    for expected in [
        "1.Situatieschets",
        "Alleenstaandemoedermeteenzoonvanvijf",
        "6.Actieplan",
        "Scooterenkinderzitjeaanschaffen",
        "Nettoresultaat(doormodderen−doorbreken)",
        "Terugverdientijd",
        "€9.500,00",
        "Passendezorg",
    ] {
        assert!(all.contains(expected), "{expected} in the PDF");
    }

    let (status, head, docx) = http
        .request_full("GET", &format!("/canvases/{id}/dossier.docx"), "", None)
        .await;
    assert_eq!(status, 200);
    assert!(
        head.contains("wordprocessingml.document"),
        "the DOCX content type: {head}"
    );
    let (body, _) = docx_part(&docx, "word/document.xml");
    for expected in [
        "1. Situatieschets",
        "Alleenstaande moeder met een zoon van vijf",
        "Netto resultaat (doormodderen − doorbreken)",
        "€ 9.500,00",
        "Scooter en kinderzitje aanschaffen",
    ] {
        assert!(body.contains(expected), "{expected} in the DOCX");
    }
    let parts = docx_parts(&docx);
    let header = parts
        .iter()
        .find(|p| p.starts_with("word/header"))
        .expect("a header");
    let footer = parts
        .iter()
        .find(|p| p.starts_with("word/footer"))
        .expect("a footer");
    assert!(docx_part(&docx, header).0.contains("VERTROUWELIJK"));
    let (_, footer_xml) = docx_part(&docx, footer);
    assert!(
        footer_xml.contains("PAGE") && footer_xml.contains("NUMPAGES"),
        "page numbers in the footer: {footer_xml}"
    );

    let exports: Vec<String> = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "exported")
        .map(|e| e.2)
        .collect();
    for format in ["afdrukweergave", "PDF", "DOCX"] {
        assert!(
            exports
                .iter()
                .any(|d| d == &format!("dossier als {format}")),
            "{format} audited: {exports:?}"
        );
    }
}

#[tokio::test]
async fn the_dossier_is_not_for_who_may_not_read_the_canvas() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus D-1").await;
    let mut editor = app.connect(&id).await;
    editor.type_text("Geheime casus-inhoud.").await;
    editor.round_trip().await;
    for path in ["dossier", "dossier.pdf", "dossier.docx"] {
        for person in [&app.people.other_member, &app.people.coach] {
            let (status, _, body) = app
                .as_person(person)
                .request_full("GET", &format!("/canvases/{id}/{path}"), "", None)
                .await;
            assert_eq!(status, 404, "{path} for {}", person.email);
            assert!(!String::from_utf8_lossy(&body).contains("Geheime"));
        }
    }
}

#[tokio::test]
async fn a_word_wider_than_the_page_and_control_characters_lose_nothing() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus D-2").await;
    let mut editor = app.connect(&id).await;
    // One "word" of 3,000 characters ends in a marker; genpdf would drop everything after a word
    // it cannot fit, so the marker and the next sentence must survive.
    let long = format!("{}EINDE", "x".repeat(3000));
    editor
        .type_text(&format!(
            "Begin {long} daarna\u{1}verder <b>&amp;\nTweede regel."
        ))
        .await;
    editor.round_trip().await;
    let http = app.as_person(&app.people.aanjager);

    let (status, _, pdf) = http
        .request_full("GET", &format!("/canvases/{id}/dossier.pdf"), "", None)
        .await;
    assert_eq!(status, 200);
    let text = squeezed(&pdf_pages(&pdf).join(""));
    assert!(
        text.contains("EINDEdaarna"),
        "the end of the long word and what follows"
    );
    assert!(text.contains("Tweederegel."), "the second paragraph");
    assert_eq!(
        text.matches('x').count(),
        3000,
        "every character of the long word"
    );

    let (status, _, docx) = http
        .request_full("GET", &format!("/canvases/{id}/dossier.docx"), "", None)
        .await;
    assert_eq!(status, 200);
    let (body, _) = docx_part(&docx, "word/document.xml");
    assert!(
        body.contains("daarna verder <b>&amp;"),
        "escaped, not markup: {body}"
    );
    assert!(body.contains("Tweede regel."));
}

#[tokio::test]
async fn a_canvas_too_large_for_a_file_is_refused_with_the_reason_and_prints_in_full() {
    let app = TestApp::spawn().await;
    let id = app.create_canvas("Casus D-3").await;
    let mut editor = app.connect(&id).await;
    let sentence = "Een zin van de situatieschets die lang doorgaat. ";
    editor
        .type_text(&sentence.repeat(160_000 / sentence.len() + 1))
        .await;
    editor.round_trip().await;
    let http = app.as_person(&app.people.aanjager);
    for file in ["dossier.pdf", "dossier.docx"] {
        let (status, _, body) = http
            .clone()
            .with_header("Accept", "text/html")
            .request_full("GET", &format!("/canvases/{id}/{file}"), "", None)
            .await;
        assert_eq!(status, 422, "{file}");
        let body = String::from_utf8_lossy(&body);
        assert!(
            body.contains("te groot voor een") && body.contains("150.000 tekens"),
            "{body}"
        );
    }
    let (status, _, page) = http.page(&format!("/canvases/{id}/dossier")).await;
    assert_eq!(status, 200, "the print view holds everything");
    assert!(page.matches("Een zin van de situatieschets").count() > 3000);
    let exports = audit_events(&app)
        .await
        .into_iter()
        .filter(|e| e.0 == "exported")
        .count();
    assert_eq!(exports, 1, "only the print view was taken away");
}
