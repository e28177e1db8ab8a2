//! Rules for single-line text that people type: labels, names, token names, what a booking is
//! for and who approved it. Such text is shown elsewhere (the overview, notifications, CSV
//! exports, the audit log) and must read there exactly as typed.
//!
//! Control characters (line breaks, tabs) are refused, and so are the Unicode bidirectional
//! controls: they reorder what follows, so "Casus \u{202e}71-T" shows as "Casus T-17".

/// The embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069) and the invisible
/// direction marks (U+200E, U+200F, U+061C), which can reorder neighbouring text too.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

/// Text that hides or reorders what it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Deze tekst mag geen regeleinden, tabs of onzichtbare tekens die de leesrichting omdraaien bevatten."
)]
pub struct NotOneLine;

/// `raw` trimmed, if it holds neither control characters nor bidirectional controls.
pub fn single_line(raw: &str) -> Result<&str, NotOneLine> {
    let text = raw.trim();
    if text.chars().any(|c| c.is_control() || is_bidi_control(c)) {
        Err(NotOneLine)
    } else {
        Ok(text)
    }
}

/// Text of several lines (a besluit, a comment, a verslag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Deze tekst mag geen tabs, andere stuurtekens of onzichtbare tekens die de leesrichting omdraaien bevatten."
)]
pub struct NotParagraphs;

/// `raw` trimmed, with Windows line ends made plain, if its only control characters are line
/// breaks and it holds no bidirectional controls.
pub fn paragraphs(raw: &str) -> Result<String, NotParagraphs> {
    let text = raw.trim().replace("\r\n", "\n");
    if text
        .chars()
        .any(|c| (c.is_control() && c != '\n') || is_bidi_control(c))
    {
        Err(NotParagraphs)
    } else {
        Ok(text)
    }
}

/// Not an e-mail address this server accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotAnEmail;

/// The longest e-mail address accepted (RFC 5321's limit on a path).
pub const MAX_EMAIL_CHARS: usize = 254;

/// An e-mail address, trimmed and lowercased, so one person has one spelling.
pub fn email(raw: &str) -> Result<String, NotAnEmail> {
    let email = raw.trim().to_lowercase();
    let (local, domain) = email.split_once('@').ok_or(NotAnEmail)?;
    let valid = !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.matches('@').count() == 1
        && email.chars().count() <= MAX_EMAIL_CHARS;
    if valid { Ok(email) } else { Err(NotAnEmail) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_text_that_lies_about_itself() {
        assert_eq!(single_line("  Casus T-17 "), Ok("Casus T-17"));
        assert_eq!(
            single_line("Zoë van ’t Hof-Ağaoğlu"),
            Ok("Zoë van ’t Hof-Ağaoğlu")
        );
        for bad in [
            "Casus \u{202e}71-T",
            "a\u{202a}b",
            "a\u{202d}b",
            "a\u{2066}b",
            "a\u{2069}b",
            "a\u{200f}b",
            "regel\neen",
            "tab\there",
        ] {
            assert_eq!(single_line(bad), Err(NotOneLine), "{bad:?}");
        }
    }
}
