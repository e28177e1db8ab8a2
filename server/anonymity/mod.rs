//! The anonymity rule, once: what in a text is personal data that a canvas (or a comment, an
//! escalation's question and answer, a besluit) must not hold. Every page and check asks
//! [`scan`]; nothing else writes these rules.
//!
//! It finds BSN (nine digits passing the 11-proef), IBAN (any country: checksum and the country's
//! format, by `iban_validate`), telefoonnummers (Dutch mobile and landline numbers and
//! international ones after `+` or `00`, by `phonenumber`, Google's libphonenumber rules),
//! e-mail addresses, postcodes (with or without huisnummer), addresses (a street name with one of
//! the usual endings and a number), geboortedata (a date shortly after geboren, geb. or
//! geboortedatum) and names after a form of address (mevrouw, meneer, mw., dhr., …). Amounts,
//! article numbers of laws ("artikel 8 lid 3"), dates without a birth context, case numbers the
//! team made up and the canvas's own label do not count.
//!
//! Offsets are in Unicode characters (as the page's editors count), end exclusive.

mod patterns;

use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;

/// What kind of personal data a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Bsn,
    Iban,
    Telefoon,
    Email,
    Postcode,
    Adres,
    Geboortedatum,
    Naam,
}

impl Kind {
    /// As the API names it.
    pub fn code(self) -> &'static str {
        match self {
            Kind::Bsn => "bsn",
            Kind::Iban => "iban",
            Kind::Telefoon => "telefoon",
            Kind::Email => "email",
            Kind::Postcode => "postcode",
            Kind::Adres => "adres",
            Kind::Geboortedatum => "geboortedatum",
            Kind::Naam => "naam",
        }
    }

    /// The page's explanation, in Dutch.
    pub fn dutch(self) -> &'static str {
        match self {
            Kind::Bsn => "Dit lijkt een burgerservicenummer (BSN).",
            Kind::Iban => "Dit lijkt een rekeningnummer (IBAN).",
            Kind::Telefoon => "Dit lijkt een telefoonnummer.",
            Kind::Email => "Dit lijkt een e-mailadres.",
            Kind::Postcode => "Dit lijkt een postcode.",
            Kind::Adres => "Dit lijkt een adres.",
            Kind::Geboortedatum => "Dit lijkt een geboortedatum.",
            Kind::Naam => "Dit lijkt een naam.",
        }
    }
}

/// One piece of personal data: its kind and where it is, in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub kind: Kind,
    pub start: usize,
    pub end: usize,
}

/// A span in bytes, before it is turned into characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Span {
    kind: Kind,
    start: usize,
    end: usize,
}

/// Everything in `text` that is personal data, in text order; nothing inside `label` (the
/// canvas's own anonymous label, wherever it occurs).
pub fn scan(text: &str, label: &str) -> Vec<Finding> {
    // Typographic spaces and dashes (pasted from a word processor) and invisible characters
    // become their ASCII kin, one character for one, so that "06\u{a0}12345678" is found and the
    // character offsets stay those of `text`.
    let normalised = normalise(text);
    let text = normalised.as_str();
    let mut spans = Vec::new();
    emails(text, &mut spans);
    ibans(text, &mut spans);
    bsns(text, &mut spans);
    phones(text, &mut spans);
    postcodes(text, &mut spans);
    addresses(text, &mut spans);
    birth_dates(text, &mut spans);
    names(text, &mut spans);
    let label = Ranges::new(label_spans(text, label));
    let casework = Ranges::new(casework_numbers(text));
    spans.retain(|s| {
        let numeric = matches!(s.kind, Kind::Bsn | Kind::Telefoon | Kind::Postcode);
        let in_label = label.overlaps(s.start, s.end);
        let casework = numeric && casework_number(text, s, &casework);
        !in_label && !casework
    });
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    // Of overlapping findings the first (and longest) stands: an IBAN is not also a phone number.
    // Sorted by start, a span overlaps a kept one only if it starts before the last kept end.
    let mut kept: Vec<Span> = Vec::new();
    for span in spans {
        if kept.last().is_none_or(|k| span.start >= k.end) {
            kept.push(span);
        }
    }
    to_chars(text, &kept)
}

/// What replaces personal data taken out of a text.
pub const REDACTED: &str = "[verwijderd]";

/// `text` with every finding of [`scan`] replaced by [`REDACTED`], except those `keep` accepts
/// (given the kind and the words found): what an export of learning material may hold.
pub fn redact(text: &str, label: &str, keep: impl Fn(Kind, &str) -> bool) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for f in scan(text, label) {
        let found: String = chars[f.start..f.end].iter().collect();
        if keep(f.kind, &found) {
            continue;
        }
        out.extend(&chars[at..f.start]);
        out.push_str(REDACTED);
        at = f.end;
    }
    out.extend(&chars[at..]);
    out
}

/// `text` with the look-alikes of space and dash as ASCII, character for character.
fn normalise(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            '\u{a0}'
            | '\u{2007}'
            | '\u{202f}'
            | '\u{2000}'..='\u{200a}'
            | '\u{200b}'
            | '\u{2060}'
            | '\u{feff}' => ' ',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            other => other,
        })
        .collect()
}

/// Byte ranges, sorted, to ask "does anything overlap" in logarithmic time.
struct Ranges(Vec<(usize, usize)>);

impl Ranges {
    fn new(mut ranges: Vec<(usize, usize)>) -> Self {
        ranges.sort_unstable();
        Self(ranges)
    }

    /// The ranges overlapping `start..end`.
    fn overlapping(&self, start: usize, end: usize) -> impl Iterator<Item = (usize, usize)> + '_ {
        // Ranges starting at or after `end` cannot overlap; of the others, only those ending
        // after `start` do. Casework ranges are short, so walking back from the cut is brief.
        let cut = self.0.partition_point(|(a, _)| *a < end);
        self.0[..cut]
            .iter()
            .rev()
            .take_while(move |(a, _)| end.saturating_sub(*a) <= 4096)
            .filter(move |(_, b)| *b > start)
            .copied()
    }

    fn overlaps(&self, start: usize, end: usize) -> bool {
        self.overlapping(start, end).next().is_some()
    }
}

/// Whether a digit finding is really one of the casework's own numbers: a casework range covers
/// all but fewer than four of its digits ("03-03-2027 14" is a date and an hour; in
/// "06-12-34-56-78" the date-like start leaves six digits of a phone number).
fn casework_number(text: &str, span: &Span, casework: &Ranges) -> bool {
    let mut covered = vec![false; span.end - span.start];
    let mut any = false;
    for (a, b) in casework.overlapping(span.start, span.end) {
        any = true;
        for i in a.max(span.start)..b.min(span.end) {
            covered[i - span.start] = true;
        }
    }
    if !any {
        return false;
    }
    let left = text[span.start..span.end]
        .bytes()
        .zip(&covered)
        .filter(|(b, c)| b.is_ascii_digit() && !**c)
        .count();
    left < 4
}

/// Byte offsets to character offsets, in one pass.
fn to_chars(text: &str, spans: &[Span]) -> Vec<Finding> {
    let mut bounds: Vec<usize> = spans.iter().flat_map(|s| [s.start, s.end]).collect();
    bounds.sort_unstable();
    bounds.dedup();
    let mut chars_at = std::collections::HashMap::with_capacity(bounds.len());
    let mut next = bounds.iter().peekable();
    for (n, (byte, _)) in text.char_indices().chain([(text.len(), ' ')]).enumerate() {
        while next.peek().is_some_and(|b| **b == byte) {
            chars_at.insert(byte, n);
            next.next();
        }
    }
    spans
        .iter()
        .filter_map(|s| {
            Some(Finding {
                kind: s.kind,
                start: *chars_at.get(&s.start)?,
                end: *chars_at.get(&s.end)?,
            })
        })
        .collect()
}

/// Where the canvas's own label stands in the text.
fn label_spans(text: &str, label: &str) -> Vec<(usize, usize)> {
    let label = label.trim();
    if label.chars().count() < 3 {
        return Vec::new();
    }
    text.match_indices(label)
        .map(|(at, l)| (at, at + l.len()))
        .collect()
}

/// The numbers of the casework itself, which a digit run of a BSN, a phone number or a postcode
/// must not be taken from: amounts, dates and times, and articles of laws.
fn casework_numbers(text: &str) -> Vec<(usize, usize)> {
    [&patterns::AMOUNT, &patterns::DATE_TIME, &patterns::ARTICLE]
        .into_iter()
        .flat_map(|p| p.find_iter(text).map(|m| (m.start(), m.end())))
        .collect()
}

fn push(spans: &mut Vec<Span>, kind: Kind, start: usize, end: usize) {
    spans.push(Span { kind, start, end });
}

fn emails(text: &str, spans: &mut Vec<Span>) {
    for m in patterns::EMAIL.find_iter(text) {
        push(spans, Kind::Email, m.start(), m.end());
    }
}

fn digits(s: &str) -> Vec<u32> {
    s.chars().filter_map(|c| c.to_digit(10)).collect()
}

/// The 11-proef of a BSN: 9×d1 + 8×d2 + … + 2×d8 − 1×d9 is a multiple of 11 (and not all zero).
pub fn elfproef(number: &[u32]) -> bool {
    if number.len() != 9 || number.iter().all(|d| *d == 0) {
        return false;
    }
    let sum: i64 = number
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let weight = if i == 8 { -1 } else { 9 - i as i64 };
            weight * i64::from(*d)
        })
        .sum();
    sum % 11 == 0
}

fn bsns(text: &str, spans: &mut Vec<Span>) {
    for m in patterns::BSN.find_iter(text) {
        if elfproef(&digits(m.as_str())) {
            push(spans, Kind::Bsn, m.start(), m.end());
        }
    }
}

fn ibans(text: &str, spans: &mut Vec<Span>) {
    let mut from = 0;
    while let Some(m) = patterns::IBAN.find_at(text, from) {
        // Without an IBAN here, the next try starts one group on ("kenmerk AB12 NL91…").
        from = m.start() + 1;
        while !text.is_char_boundary(from) {
            from += 1;
        }
        // The pattern may take a following group of capitals or digits along: the longest
        // prefix that is a valid IBAN counts.
        let candidate = m.as_str();
        let mut end = candidate.len();
        while end >= 15 {
            let compact: String = candidate[..end]
                .chars()
                .filter(|c| *c != ' ')
                .map(|c| c.to_ascii_uppercase())
                .collect();
            if iban::Iban::try_from(compact.as_str()).is_ok() {
                push(spans, Kind::Iban, m.start(), m.start() + end);
                from = m.start() + end;
                break;
            }
            // Back to the previous character boundary (the candidate is ASCII).
            end -= 1;
            while end > 0 && candidate.as_bytes()[end - 1] == b' ' {
                end -= 1;
            }
        }
    }
}

/// Whether `raw` is a number to call.
fn callable(raw: &str) -> bool {
    let digit_count = raw.chars().filter(char::is_ascii_digit).count();
    if !(9..=15).contains(&digit_count) {
        return false;
    }
    let international = raw.starts_with('+') || raw.starts_with("00");
    // Dutch numbers are written with their leading 0; other digit runs are not numbers to call.
    if !international && !raw.starts_with('0') && !raw.starts_with('(') {
        return false;
    }
    phonenumber::parse(Some(phonenumber::country::Id::NL), raw)
        .is_ok_and(|n| phonenumber::is_valid(&n))
}

fn phones(text: &str, spans: &mut Vec<Span>) {
    for m in patterns::PHONE.find_iter(text) {
        // The pattern may take a following number along ("06-12345678 3 keer"): the longest
        // prefix, cut at a separator, that is a number to call counts.
        let mut raw = m.as_str().trim_end_matches([' ', '-', '.', '/', '(']);
        loop {
            if callable(raw) {
                push(spans, Kind::Telefoon, m.start(), m.start() + raw.len());
                break;
            }
            // The candidate is ASCII: cutting at a separator's byte is a character boundary.
            match raw.rfind([' ', '-', '.', '/', '(', ')']) {
                Some(cut) if cut > 0 => {
                    raw = raw[..cut].trim_end_matches([' ', '-', '.', '/', '(', ')']);
                }
                _ => break,
            }
        }
    }
}

fn postcodes(text: &str, spans: &mut Vec<Span>) {
    for c in patterns::POSTCODE.captures_iter(text) {
        let (Some(whole), Some(letters)) = (c.get(0), c.get(1).or_else(|| c.get(2))) else {
            continue;
        };
        // SA, SD and SS are not used in Dutch postcodes; written small and attached, a unit
        // ("1500km") is a quantity, not a postcode.
        let units = ["km", "kg", "cm", "mm", "ml", "kb", "mb", "gb", "uu", "mg"];
        if matches!(
            letters.as_str().to_ascii_uppercase().as_str(),
            "SA" | "SD" | "SS"
        ) || units.contains(&letters.as_str())
        {
            continue;
        }
        push(spans, Kind::Postcode, whole.start(), whole.end());
    }
}

/// Words that end like a street and are none ("onderweg 3 dagen").
const NOT_STREETS: [&str; 4] = ["onderweg", "halfweg", "loopbaan", "werkpad"];

fn addresses(text: &str, spans: &mut Vec<Span>) {
    for m in patterns::ADDRESS.find_iter(text) {
        // The street is the word right before the huisnummer.
        let words: Vec<&str> = m.as_str().split_whitespace().collect();
        let number_at = words
            .iter()
            .position(|w| w.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(words.len());
        let street = number_at
            .checked_sub(1)
            .and_then(|i| words.get(i))
            .copied()
            .unwrap_or_default();
        if NOT_STREETS.iter().any(|w| street.eq_ignore_ascii_case(w)) {
            continue;
        }
        push(spans, Kind::Adres, m.start(), m.end());
    }
}

fn birth_dates(text: &str, spans: &mut Vec<Span>) {
    for c in patterns::BIRTH_DATE.captures_iter(text) {
        if let Some(date) = c.name("date") {
            push(spans, Kind::Geboortedatum, date.start(), date.end());
        }
    }
}

fn names(text: &str, spans: &mut Vec<Span>) {
    for c in patterns::NAME.captures_iter(text) {
        if let Some(name) = c.name("name") {
            push(spans, Kind::Naam, name.start(), name.end());
        }
    }
}

/// Compiled once; a pattern that does not compile is a bug found by the first test.
fn compiled(pattern: &str) -> Regex {
    Regex::new(pattern).unwrap_or_else(|e| panic!("anonymity pattern {pattern:?}: {e}"))
}

type Pattern = LazyLock<Regex>;

#[cfg(test)]
mod tests;
