//! The catalogue of social-domain regulations that legitimiteit can refer to.
//!
//! The catalogue is data (`regulations.json` beside this file), compiled into the binary and
//! served at `GET /api/regelingen`. It is indicative: teams check the current text of the law,
//! and can always type a reference that is not in it.

use std::sync::LazyLock;

use serde::{Deserialize, Serialize};

/// One regulation: which law, which article, and where its discretionary room is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Regulation {
    pub id: String,
    pub law: String,
    pub article: String,
    pub room: String,
}

static CATALOGUE: LazyLock<Vec<Regulation>> = LazyLock::new(|| {
    // A malformed file is caught by the unit test below, before it can ship.
    serde_json::from_str(include_str!("regulations.json")).unwrap_or_default()
});

/// The catalogue, in its file's order.
pub fn catalogue() -> &'static [Regulation] {
    &CATALOGUE
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_parses_and_has_unique_ids() {
        let parsed: Vec<Regulation> =
            serde_json::from_str(include_str!("regulations.json")).expect("valid JSON");
        assert!(parsed.len() >= 10);
        let mut ids: Vec<_> = parsed.iter().map(|r| r.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), parsed.len());
        assert!(
            parsed
                .iter()
                .all(|r| !r.law.is_empty() && !r.article.is_empty() && !r.room.is_empty())
        );
        assert_eq!(catalogue().len(), parsed.len());
    }
}
