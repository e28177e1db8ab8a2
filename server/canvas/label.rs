//! The anonymous label of a canvas.
//!
//! Anonymity is a rule of the Doorbraakmethode: a canvas is known by a short label such as
//! "Casus T-17", never by a name. A label cannot prove it holds no name, but it can refuse what
//! obviously identifies a person: e-mail addresses, long digit runs (BSN, phone numbers), IBANs
//! and dates (birth dates).

use std::fmt;

/// Longest label, in characters.
pub const MAX_LABEL_CHARS: usize = 60;

/// A label that passed the anonymity checks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AnonymousLabel(String);

/// Why a label was refused; `Display` is the Dutch message for the user.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LabelError {
    #[error("Geef het canvas een korte, anonieme naam, bijvoorbeeld \"Casus T-17\".")]
    Empty,
    #[error("De naam van het canvas mag hoogstens {MAX_LABEL_CHARS} tekens lang zijn.")]
    TooLong,
    #[error(
        "De naam van het canvas mag geen regeleinden, tabs of onzichtbare tekens die de leesrichting omdraaien bevatten."
    )]
    ControlCharacter,
    #[error(
        "De naam van het canvas moet anoniem zijn: geen e-mailadres, BSN, telefoonnummer, IBAN of geboortedatum."
    )]
    Identifying,
}

impl AnonymousLabel {
    pub fn parse(raw: &str) -> Result<Self, LabelError> {
        let label = raw.trim();
        if label.is_empty() {
            return Err(LabelError::Empty);
        }
        if label.chars().count() > MAX_LABEL_CHARS {
            return Err(LabelError::TooLong);
        }
        if crate::text::single_line(label).is_err() {
            return Err(LabelError::ControlCharacter);
        }
        if looks_identifying(label) {
            return Err(LabelError::Identifying);
        }
        Ok(Self(label.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AnonymousLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn looks_identifying(label: &str) -> bool {
    label.contains('@') || longest_digit_run(label) >= 8 || has_iban(label) || has_date(label)
}

/// Digits counted across the separators people type inside numbers ("06-1234 5678").
fn longest_digit_run(text: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for c in text.chars() {
        if c.is_ascii_digit() {
            run += 1;
            longest = longest.max(run);
        } else if !matches!(c, ' ' | '-' | '.' | '/' | '+' | '(' | ')') {
            run = 0;
        }
    }
    longest
}

/// Two letters, two check digits and at least ten more letters or digits, spaces ignored.
fn has_iban(text: &str) -> bool {
    let compact: Vec<char> = text.chars().filter(|c| !c.is_whitespace()).collect();
    compact.windows(14).any(|w| {
        w[0].is_ascii_alphabetic()
            && w[1].is_ascii_alphabetic()
            && w[2].is_ascii_digit()
            && w[3].is_ascii_digit()
            && w[4..].iter().all(char::is_ascii_alphanumeric)
    })
}

/// A day-month-year date such as 3-4-2019 or 03/04/19.
fn has_date(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let digits_at = |start: usize, min: usize, max: usize| -> Option<usize> {
        let n = chars[start..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        (min..=max).contains(&n).then_some(start + n)
    };
    (0..chars.len()).any(|start| {
        if start > 0 && chars[start - 1].is_ascii_digit() {
            return false;
        }
        let Some(after_day) = digits_at(start, 1, 2) else {
            return false;
        };
        let Some(&sep) = chars.get(after_day) else {
            return false;
        };
        if !matches!(sep, '-' | '/' | '.') {
            return false;
        }
        let Some(after_month) = digits_at(after_day + 1, 1, 2) else {
            return false;
        };
        chars.get(after_month) == Some(&sep) && digits_at(after_month + 1, 2, 4).is_some()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_anonymous_labels() {
        for label in [
            "Casus T-17",
            "Gezin 2024-03",
            "  Scooter i.p.v. leerlingenvervoer  ",
            "Casus 12",
        ] {
            assert!(AnonymousLabel::parse(label).is_ok(), "{label}");
        }
        assert_eq!(
            AnonymousLabel::parse("  Casus 1 ").unwrap().as_str(),
            "Casus 1"
        );
    }

    #[test]
    fn refuses_what_identifies_a_person() {
        let cases = [
            ("", LabelError::Empty),
            ("   ", LabelError::Empty),
            ("a\nb", LabelError::ControlCharacter),
            ("jan@example.nl", LabelError::Identifying),
            ("BSN 123456782", LabelError::Identifying),
            ("bel 06-1234 5678", LabelError::Identifying),
            ("NL91 ABNA 0417 1643 00", LabelError::Identifying),
            ("geboren 3-4-2019", LabelError::Identifying),
            ("geboren 03/04/19", LabelError::Identifying),
        ];
        for (label, error) in cases {
            assert_eq!(AnonymousLabel::parse(label), Err(error), "{label}");
        }
        assert_eq!(
            AnonymousLabel::parse(&"x".repeat(61)),
            Err(LabelError::TooLong)
        );
    }
}
