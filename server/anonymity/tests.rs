//! The rule's table: what it must find (every kind, in the ways people write it) and what it
//! must leave alone (the casework's own numbers and the label).

use super::*;

/// The kinds and the texts found in `text`.
fn found(text: &str) -> Vec<(Kind, String)> {
    found_with(text, "")
}

fn found_with(text: &str, label: &str) -> Vec<(Kind, String)> {
    let chars: Vec<char> = text.chars().collect();
    scan(text, label)
        .into_iter()
        .map(|f| (f.kind, chars[f.start..f.end].iter().collect()))
        .collect()
}

#[test]
fn the_elfproef_tells_a_bsn_from_nine_digits() {
    assert!(elfproef(&digits("111222333")));
    assert!(elfproef(&digits("123456782")));
    assert!(!elfproef(&digits("123456789")));
    assert!(!elfproef(&digits("000000000")));
    assert!(!elfproef(&digits("12345678")));
}

#[test]
fn it_finds_every_kind_as_people_write_it() {
    let cases: Vec<(&str, Kind, &str)> = vec![
        ("Haar BSN is 123456782.", Kind::Bsn, "123456782"),
        ("bsn 1234.56.782 bekend", Kind::Bsn, "1234.56.782"),
        ("BSN: 123 456 782", Kind::Bsn, "123 456 782"),
        (
            "op NL91ABNA0417164300 gestort",
            Kind::Iban,
            "NL91ABNA0417164300",
        ),
        (
            "rekening NL91 ABNA 0417 1643 00 van",
            Kind::Iban,
            "NL91 ABNA 0417 1643 00",
        ),
        (
            "naar BE68 5390 0754 7034.",
            Kind::Iban,
            "BE68 5390 0754 7034",
        ),
        (
            "en DE89370400440532013000 ook",
            Kind::Iban,
            "DE89370400440532013000",
        ),
        ("bel 06-12345678 even", Kind::Telefoon, "06-12345678"),
        ("bel 06 1234 5678 even", Kind::Telefoon, "06 1234 5678"),
        ("mobiel +31 6 12345678", Kind::Telefoon, "+31 6 12345678"),
        ("of 0031612345678.", Kind::Telefoon, "0031612345678"),
        ("kantoor 020-1234567", Kind::Telefoon, "020-1234567"),
        ("kantoor (026) 377 99 11", Kind::Telefoon, "(026) 377 99 11"),
        (
            "mail j.jansen@example.nl graag",
            Kind::Email,
            "j.jansen@example.nl",
        ),
        ("woont in 6811 AB Arnhem", Kind::Postcode, "6811 AB"),
        ("postcode 6811AB 12", Kind::Postcode, "6811AB 12"),
        ("adres Kerkstraat 12 in", Kind::Adres, "Kerkstraat 12"),
        (
            "op de Lange Nieuwstraat 3a",
            Kind::Adres,
            "Lange Nieuwstraat 3a",
        ),
        (
            "Amsterdamseweg 112-2 boven",
            Kind::Adres,
            "Amsterdamseweg 112-2",
        ),
        (
            "geboren op 12-03-2015 in",
            Kind::Geboortedatum,
            "12-03-2015",
        ),
        ("geb. 3 maart 2016", Kind::Geboortedatum, "3 maart 2016"),
        (
            "geboortedatum: 2014-07-01",
            Kind::Geboortedatum,
            "2014-07-01",
        ),
        ("Mevrouw Jansen belde", Kind::Naam, "Jansen"),
        ("met dhr. J. de Vries gesproken", Kind::Naam, "J. de Vries"),
        ("mw. Özdemir komt", Kind::Naam, "Özdemir"),
        ("meneer Van Dijk zegt", Kind::Naam, "Van Dijk"),
    ];
    for (text, kind, what) in cases {
        assert_eq!(found(text), vec![(kind, what.to_owned())], "{text}");
    }
}

#[test]
fn the_casework_s_own_numbers_and_the_label_are_no_finding() {
    for text in [
        "De huurschuld is € 1.234,56 en de boete 950 euro.",
        "Totaal 123.456.789 bezuinigd",
        "Volgens artikel 8 lid 3 van de Participatiewet, en artikel 35 lid 1.",
        "Klaar op 2027-03-17, overleg op 03-03-2027 14:00.",
        "Actie voor 17-03-2027 om 14.30 uur.",
        "Zaaknummer 2024-0012 en dossier T-17.",
        "Onderweg 3 dagen met de trein.",
        "In 2024 en 2025 was het zo.",
        "Meneer zegt dat het goed gaat.",
        "Het gezin van vijf, 9 jaar in de schuldhulp.",
        "Het rendement over 5 jaar is 12.000,00 netto.",
        "Ze is 12-03-2015 begonnen.",
        "Amsterdam 3 jaar, Rotterdam 12 gezinnen, de woningmarkt 2024.",
        "Elke dag 1500km en 1000kg.",
    ] {
        assert_eq!(found(text), vec![], "{text}");
    }
    assert_eq!(
        found_with("Casus Jansen-12 wacht op Kerkstraat 12", "Casus Jansen-12"),
        vec![(Kind::Adres, "Kerkstraat 12".to_owned())],
        "the label is no finding, the rest still is"
    );
}

#[test]
fn offsets_count_characters_not_bytes() {
    let text = "Één café, bel 06-12345678.";
    let findings = scan(text, "");
    assert_eq!(findings.len(), 1);
    let f = findings[0];
    assert_eq!((f.start, f.end), (14, 25));
    let chars: Vec<char> = text.chars().collect();
    assert_eq!(
        chars[f.start..f.end].iter().collect::<String>(),
        "06-12345678"
    );
}

#[test]
fn a_text_full_of_findings_has_every_one_found_once() {
    // 20,000 e-mail addresses among amounts (the overlap checks sweep instead of comparing all
    // with all; its speed is the benchmark's, not this test's).
    let text = "a@b.nl €1 ".repeat(20_000);
    let findings = scan(&text, "");
    assert_eq!(findings.len(), 20_000);
    assert!(findings.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn any_text_is_scanned_without_panicking() {
    for text in [
        "",
        "€",
        "ſK0000000000000000",
        "NL91 ABNA 0417 1643 0ſ",
        "٠١٢٣٤٥٦٧٨٩ digits of another script",
        "mevrouw",
        "geboren",
        "@@@.nl",
        "0000000000000000000000000000000000000",
        "((((((((0))))))))",
    ] {
        let _ = scan(text, text);
    }
}

#[test]
fn redacting_replaces_what_is_not_kept_and_leaves_the_rest() {
    let text = "Mevrouw Jansen, BSN 111222333, belt op 06-12345678 (artikel 8 lid 3).";
    assert_eq!(
        redact(text, "", |_, _| false),
        "Mevrouw [verwijderd], BSN [verwijderd], belt op [verwijderd] (artikel 8 lid 3)."
    );
    let kept = redact(text, "", |kind, found| {
        kind == Kind::Bsn && found == "111222333"
    });
    assert_eq!(
        kept,
        "Mevrouw [verwijderd], BSN 111222333, belt op [verwijderd] (artikel 8 lid 3)."
    );
    assert_eq!(
        redact("Geen persoonsgegevens.", "", |_, _| false),
        "Geen persoonsgegevens."
    );
}
