//! The check of a copy before it is committed: every table holds as many rows in PostgreSQL as
//! in the SQLite snapshot, and every canvas, loaded from each through
//! [`Canvases::load_canvas`], is the same document (the caller's [`SameDocument`] says so: what
//! a document is belongs to the sync layer, which the store does not know).

use sqlx::{PgConnection, SqlitePool};

use super::{SameDocument, schema::quoted};
use crate::{
    canvas::CanvasId,
    store::{Canvases, StoreError},
};

/// At most this many differences are named in the error; the rest are counted.
const NAMED: usize = 10;

/// The rows of `table` in the snapshot and in the target.
pub(super) async fn counts(
    source: &SqlitePool,
    target: &mut PgConnection,
    table: &str,
) -> Result<(i64, i64), StoreError> {
    let count = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let ours: i64 = sqlx::query_scalar(&count).fetch_one(source).await?;
    let theirs: i64 = sqlx::query_scalar(&count).fetch_one(target).await?;
    Ok((ours, theirs))
}

/// What differs between `(table, rows in SQLite, rows in PostgreSQL)`.
pub(super) fn count_differences(counts: &[(String, i64, i64)]) -> Vec<String> {
    counts
        .iter()
        .filter(|(_, ours, theirs)| ours != theirs)
        .map(|(table, ours, theirs)| {
            format!("tabel {table}: {ours} rijen in SQLite, {theirs} in PostgreSQL")
        })
        .collect()
}

/// Compares every canvas of the snapshot with its copy; returns how many are the same and what
/// differs.
pub(super) async fn canvases(
    source_ids: Vec<String>,
    source: &dyn Canvases,
    target: &dyn Canvases,
    same_document: SameDocument,
) -> Result<(usize, Vec<String>), StoreError> {
    let mut same = 0;
    let mut differences = Vec::new();
    for raw in source_ids {
        let Ok(id) = raw.parse::<CanvasId>() else {
            differences.push(format!("canvas {raw}: de id is onleesbaar"));
            continue;
        };
        let problem = match (
            source.load_canvas(&id).await?,
            target.load_canvas(&id).await?,
        ) {
            (Some(ours), Some(theirs)) => match same_document(&ours, &theirs) {
                Ok(true) => None,
                Ok(false) => Some("de inhoud verschilt".to_owned()),
                Err(why) => Some(why),
            },
            (Some(_), None) => Some("ontbreekt in PostgreSQL".to_owned()),
            (None, _) => Some("ontbreekt in SQLite".to_owned()),
        };
        match problem {
            None => same += 1,
            Some(problem) => differences.push(format!("canvas {raw}: {problem}")),
        }
    }
    Ok((same, differences))
}

/// The differences as one text: the first [`NAMED`], then how many more.
pub(super) fn summary(differences: &[String]) -> String {
    let mut text = differences
        .iter()
        .take(NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    if differences.len() > NAMED {
        text.push_str(&format!(" en nog {} andere", differences.len() - NAMED));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_unequal_counts_are_named_and_long_lists_are_cut() {
        let counts = [
            ("accounts".to_owned(), 8, 8),
            ("canvas_versions".to_owned(), 5, 9),
        ];
        assert_eq!(
            count_differences(&counts),
            ["tabel canvas_versions: 5 rijen in SQLite, 9 in PostgreSQL"]
        );
        let many: Vec<String> = (1..=12).map(|n| format!("canvas {n}")).collect();
        let text = summary(&many);
        assert!(text.starts_with("canvas 1; canvas 2;"), "{text}");
        assert!(text.ends_with("canvas 10 en nog 2 andere"), "{text}");
    }
}
