//! Dutch search text, once: how a text becomes the stems the learning archive indexes, how a
//! query becomes the stems it looks for, and where in a text a query's words are (for the
//! highlighted snippet). The index (SQLite FTS5 now, PostgreSQL later) only ever sees stems made
//! here, so every backend finds the same canvases for the same query.
//!
//! A word is lowercased, its accents folded ("financiële" → "financiele") and stemmed with the
//! Snowball Dutch stemmer ("scooters" → "scooter"). Snowball leaves the irregular plurals on
//! -eren alone ("kinderen" → "kinder"), so those few nouns are mapped to their singular first,
//! also at the end of a compound ("pleegkinderen" → "pleegkind").

use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use unicode_normalization::UnicodeNormalization;

static DUTCH: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::Dutch));

/// The Dutch nouns whose plural ends in -eren, with their singular.
const EREN_PLURALS: [(&str, &str); 14] = [
    ("kinderen", "kind"),
    ("eieren", "ei"),
    ("bladeren", "blad"),
    ("liederen", "lied"),
    ("volkeren", "volk"),
    ("goederen", "goed"),
    ("kalveren", "kalf"),
    ("lammeren", "lam"),
    ("runderen", "rund"),
    ("raderen", "rad"),
    ("gemoederen", "gemoed"),
    ("hoenderen", "hoen"),
    ("beenderen", "been"),
    ("gelederen", "gelid"),
];

/// Lowercase, without accents: "Financiële" → "financiele".
fn fold(word: &str) -> String {
    word.nfd()
        .filter(|c| !unicode_normalization::char::is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The stem of one word (already split off), as the index holds it.
pub fn stem(word: &str) -> String {
    let folded = fold(word);
    let singular = EREN_PLURALS
        .iter()
        .find_map(|(plural, singular)| {
            folded
                .strip_suffix(plural)
                .map(|head| format!("{head}{singular}"))
        })
        .unwrap_or(folded);
    DUTCH.stem(&singular).into_owned()
}

/// The words of `text` with their character offsets (start, end exclusive): runs of letters and
/// digits.
pub fn words(text: &str) -> Vec<(usize, usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut chars = 0;
    for (byte, c) in text.char_indices() {
        if c.is_alphanumeric() {
            if start.is_none() {
                start = Some((chars, byte));
            }
        } else if let Some((from, from_byte)) = start.take() {
            out.push((from, chars, &text[from_byte..byte]));
        }
        chars += 1;
    }
    if let Some((from, from_byte)) = start {
        out.push((from, chars, &text[from_byte..]));
    }
    out
}

/// Every stem of `text`, in order, separated by spaces: what the index stores.
pub fn stems(text: &str) -> String {
    words(text)
        .into_iter()
        .map(|(_, _, w)| stem(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The distinct stems a query asks for, in the order typed (at most 12: a query is a few
/// words, not a document).
pub fn query_stems(query: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (_, _, word) in words(query) {
        let s = stem(word);
        if !out.contains(&s) {
            out.push(s);
        }
        if out.len() == 12 {
            break;
        }
    }
    out
}

/// A piece of a snippet: text, and whether it is one of the query's words.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Piece {
    pub text: String,
    pub hit: bool,
}

/// Characters a snippet spans at most (a few lines on the results page).
pub const SNIPPET_CHARS: usize = 220;

/// A passage of `text` around the first place where the query's words occur most densely, with
/// those words marked; the text's beginning when none occurs (or there is no query). Whitespace
/// runs become one space; "…" shows where the passage is cut.
pub fn snippet(text: &str, query: &[String]) -> Vec<Piece> {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let chars: Vec<char> = flat.chars().collect();
    let hits: Vec<(usize, usize)> = words(&flat)
        .into_iter()
        .filter(|(_, _, w)| query.contains(&stem(w)))
        .map(|(s, e, _)| (s, e))
        .collect();
    // The window start that covers the most hits (the first such one).
    let start = hits
        .iter()
        .map(|(s, _)| {
            let from = s.saturating_sub(40);
            let covered = hits
                .iter()
                .filter(|(hs, he)| *hs >= from && *he <= from + SNIPPET_CHARS)
                .count();
            (from, covered)
        })
        .fold(None::<(usize, usize)>, |best, (from, n)| match best {
            Some((_, m)) if m >= n => best,
            _ => Some((from, n)),
        })
        .map_or(0, |(from, _)| from);
    // Start and end at word boundaries.
    let mut start = start;
    while start > 0 && !chars[start - 1].is_whitespace() {
        start -= 1;
    }
    let mut end = (start + SNIPPET_CHARS).min(chars.len());
    while end < chars.len() && end > start && !chars[end].is_whitespace() {
        end -= 1;
    }
    if end == start {
        end = (start + SNIPPET_CHARS).min(chars.len());
    }
    let mut out = Vec::new();
    let mut push = |text: String, hit: bool| {
        if !text.is_empty() {
            out.push(Piece { text, hit });
        }
    };
    let mut at = start;
    if start > 0 {
        push("…".into(), false);
    }
    for (s, e) in hits.iter().filter(|(s, e)| *s >= start && *e <= end) {
        push(chars[at..*s].iter().collect(), false);
        push(chars[*s..*e].iter().collect(), true);
        at = *e;
    }
    push(chars[at..end].iter().collect(), false);
    if end < chars.len() {
        push("…".into(), false);
    }
    out
}

/// A snippet as plain text (the API's).
pub fn plain(pieces: &[Piece]) -> String {
    pieces.iter().map(|p| p.text.as_str()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finds(query: &str, text: &str) -> bool {
        let indexed = stems(text);
        let indexed: Vec<&str> = indexed.split(' ').collect();
        query_stems(query)
            .iter()
            .all(|s| indexed.contains(&s.as_str()))
    }

    #[test]
    fn dutch_stemming_and_accent_folding_find_the_other_forms() {
        assert!(finds("kinderen", "Het kind gaat naar school."));
        assert!(finds("kind", "De kinderen gaan naar school."));
        assert!(finds("pleegkinderen", "een pleegkind"));
        assert!(finds("scooters", "De scooter is kapot."));
        assert!(finds("scooter", "Twee scooters."));
        assert!(finds("financiele", "De financiële situatie is zorgelijk."));
        assert!(finds("Financiële", "financiele zorgen"));
        assert!(finds("schulden", "Een schuld bij de energieleverancier."));
        assert!(!finds("scooter", "De auto is kapot."));
        assert!(!finds("kind", "De moeder werkt."));
    }

    #[test]
    fn words_carry_character_offsets() {
        let w = words("Één kind, twee");
        assert_eq!(w, vec![(0, 3, "Één"), (4, 8, "kind"), (10, 14, "twee")]);
    }

    #[test]
    fn the_snippet_marks_the_query_words_and_is_cut_at_words() {
        let text = format!(
            "{} De scooter van de zoon werd in beslag genomen. {}",
            "Aanloop ".repeat(40),
            "Uitloop ".repeat(40)
        );
        let pieces = snippet(&text, &query_stems("scooters"));
        let hits: Vec<&str> = pieces
            .iter()
            .filter(|p| p.hit)
            .map(|p| p.text.as_str())
            .collect();
        assert_eq!(hits, vec!["scooter"]);
        let flat = plain(&pieces);
        assert!(flat.starts_with('…') && flat.ends_with('…'), "{flat}");
        assert!(flat.chars().count() <= SNIPPET_CHARS + 2);
        assert!(!flat.contains("Aanlo…"));
    }

    #[test]
    fn without_a_hit_the_snippet_is_the_beginning() {
        let pieces = snippet("Kort verhaal.", &query_stems("scooter"));
        assert_eq!(plain(&pieces), "Kort verhaal.");
        assert!(pieces.iter().all(|p| !p.hit));
    }
}
