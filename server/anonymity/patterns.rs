//! The patterns the rules start from. Digits are `[0-9]` (a bare `\d` would match any script's
//! digits), and a candidate is only a finding once its own check (11-proef, IBAN checksum and
//! country format, libphonenumber) says so.

use super::{Pattern, compiled};

pub static EMAIL: Pattern =
    Pattern::new(|| compiled(r"(?i)\b[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b"));

/// Two letters, two check digits and 11 to 30 more, grouped by spaces or not.
pub static IBAN: Pattern =
    Pattern::new(|| compiled(r"\b[A-Za-z]{2}[0-9]{2}(?: ?[A-Za-z0-9]){11,30}\b"));

/// Nine digits, optionally grouped by single dots or spaces.
pub static BSN: Pattern = Pattern::new(|| compiled(r"\b[0-9](?:[. ]?[0-9]){8}\b"));

/// A number to call: international (+ or 00), or Dutch with its leading 0 (area code in
/// parentheses too), grouped by spaces, dashes, dots or slashes.
pub static PHONE: Pattern = Pattern::new(|| compiled(r"(?:\+[0-9]|\(0|\b0)[0-9 ()/.-]{7,18}[0-9]"));

/// 1234 AB (capitals after a space) or 1234AB/1234ab, with an optional huisnummer.
pub static POSTCODE: Pattern = Pattern::new(|| {
    compiled(r"\b[1-9][0-9]{3}(?: ([A-Z]{2})|([A-Za-z]{2}))\b(?:,? ?[0-9]{1,5}(?: ?[a-zA-Z]\b)?)?")
});

/// A street name with one of the usual endings, then a huisnummer (with a letter or addition).
pub static ADDRESS: Pattern = Pattern::new(|| {
    compiled(
        r"\b(?:\p{Lu}[\p{L}'.-]*\s+){0,2}[\p{L}'-]{2,}(?i:straat|laan|weg|plein|gracht|kade|singel|dijk|pad|steeg|hof|dreef|allee|park|baan|boulevard|wal|erf|haven|hoven|straatweg)\s+[0-9]{1,5}(?:\s?[a-zA-Z]\b|-[0-9]{1,4})?\b",
    )
});

/// A date shortly after geboren, geb. or geboortedatum.
pub static BIRTH_DATE: Pattern = Pattern::new(|| {
    compiled(
        r"(?i)(?:\bgeboren|\bgeb\.|\bgeboortedatum)[^\n]{0,25}?(?P<date>\b[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{4}|[0-9]{2})\b|\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b|\b[0-9]{1,2}\s+(?:januari|februari|maart|april|mei|juni|juli|augustus|september|oktober|november|december|jan|feb|mrt|apr|jun|jul|aug|sept|sep|okt|nov|dec)\.?\s+[0-9]{4}\b)",
    )
});

/// A name after a form of address: initials, particles (van, de, ter, …) and one or two
/// capitalised words.
pub static NAME: Pattern = Pattern::new(|| {
    compiled(
        r"(?:\b(?i:mevrouw|meneer|mevr\.|mw\.|dhr\.|de heer))\s+(?P<name>(?:\p{Lu}\.\s?)*(?:(?:van|de|der|den|ter|ten|te|het|'t|la|le|du|da|el)\s+)*\p{Lu}[\p{L}'-]+(?:\s+\p{Lu}[\p{L}'-]+)?)",
    )
});

/// Money: "€ 1.234,56", "1.234,56", "950 euro".
pub static AMOUNT: Pattern = Pattern::new(|| {
    compiled(
        r"(?i)(?:€|\beur\b|\beuro\b)\s?[0-9][0-9.,]*|\b[0-9][0-9.]*,[0-9]{2}\b|\b[0-9][0-9.,]*\s?(?:euro|eur)\b",
    )
});

/// Dates and times of the casework (an actiepunt, an overleg): not numbers to call.
pub static DATE_TIME: Pattern = Pattern::new(|| {
    compiled(
        r"\b[0-9]{1,2}[-/.][0-9]{1,2}[-/.](?:[0-9]{4}|[0-9]{2})\b|\b[0-9]{4}-[0-9]{2}-[0-9]{2}\b|\b[0-9]{1,2}[:.][0-9]{2}\s?uur\b|\b[0-9]{1,2}:[0-9]{2}\b",
    )
});

/// "artikel 8 lid 3 sub b" and the like.
pub static ARTICLE: Pattern = Pattern::new(|| {
    compiled(
        r"(?i)\bartikel\s+[0-9]+[a-z]?(?:[:.][0-9]+)*(?:\s+lid\s+[0-9]+)?(?:\s+(?:sub|onder)\s+[a-z0-9]+)?",
    )
});
