//! The learning archive's index on PostgreSQL: `archive_entries` with the text and the filters'
//! facts, `archive_search` with the stems, searched through the GIN index on
//! `to_tsvector('simple', stems)` and ranked by `ts_rank` (SQLite: FTS5 and bm25).
//!
//! The stems are made in Rust ([`crate::search`]) and are the same on both backends; 'simple'
//! only lowercases and splits them at what is not a letter or digit, as FTS5's unicode61
//! (remove_diacritics 0) does, so that a search finds the same entries on both. Only the order
//! by relevance is PostgreSQL's own: `ts_rank` is not bm25 (the order by date is the same).

use async_trait::async_trait;
use sqlx::{Connection, Postgres as Db, Row, postgres::PgArguments, query::QueryScalar};

use super::{Postgres, Source};
use crate::{
    access::policy::{self, EscalationLevel},
    canvas::{CanvasId, status::CanvasStatus},
    ids::{AccountId, ProvinceId, TeamId},
    store::{
        StoreError,
        archive_index::{
            ArchiveCandidate, ArchiveDocument, ArchiveHitRow, ArchiveIndex, ArchiveOrder,
            ArchiveQuery,
        },
    },
};

/// A value bound to a placeholder of the search query.
enum Bind {
    Text(String),
    Int(i64),
}

fn bind_all<'q, O>(
    mut query: QueryScalar<'q, Db, O, PgArguments>,
    binds: &'q [Bind],
) -> QueryScalar<'q, Db, O, PgArguments> {
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

/// A candidate's access facts as one line: id, team, brought in by, level, highest level, scope,
/// province, separated by spaces (none of them holds one; absent ones are `-`). The nullable
/// BIGINT is cast to text before COALESCE: PostgreSQL does not mix a number and `'-'` there.
const FACTS: &str = "e.canvas_id || ' ' || e.team_id || ' ' || \
     COALESCE(e.brought_in_by::TEXT, '-') || ' ' || e.level || ' ' || e.highest_level || ' ' || \
     COALESCE(e.scope, '-') || ' ' || g.province_id";

/// The policy's facts of an archived canvas from its line of [`FACTS`].
fn facts(line: &str) -> Option<policy::Canvas> {
    let mut f = line.split(' ');
    let mut next = || f.next();
    let id = next()?.parse().ok()?;
    let team = TeamId(next()?.parse().ok()?);
    let brought_in_by = match next()? {
        "-" => None,
        n => Some(AccountId(n.parse().ok()?)),
    };
    let level = EscalationLevel::from_code(next()?)?;
    let highest_level = EscalationLevel::from_code(next()?)?;
    let archive_scope = match next()? {
        "-" => None,
        code => Some(policy::ArchiveScope::from_code(code)?),
    };
    let province = ProvinceId(next()?.parse().ok()?);
    Some(policy::Canvas {
        id,
        team,
        brought_in_by,
        province,
        level,
        highest_level,
        archived: true,
        archive_scope,
    })
}

/// PostgreSQL's longest lexeme, in bytes: a longer word is left out of a tsvector (and of a
/// tsquery, which would then ask for less).
const MAX_LEXEME: usize = 2047;

/// The `to_tsquery` text for stems that must all occur, the twin of SQLite's FTS5 expression
/// (each stem a quoted string, all of them required): each stem a quoted lexeme, joined by `&`.
/// A stem is letters and digits only, but quoting keeps tsquery's operators (`&`, `|`, `!`,
/// `<->`, `:*`, parentheses) out whatever it holds: inside quotes only `'` and `\` are special,
/// written `''` and `\\`. 'simple' then splits a quoted lexeme as FTS5 splits a quoted string
/// (into a phrase).
///
/// `None` when no entry can match: FTS5 passes over an empty string in an AND and matches
/// nothing with nothing else (PostgreSQL refuses `''`, so empty stems are left out here), and a
/// stem longer than [`MAX_LEXEME`] is in no tsvector (PostgreSQL would drop it from the query
/// and find more than asked instead).
fn tsquery(stems: &[String]) -> Option<String> {
    let mut terms = Vec::with_capacity(stems.len());
    for stem in stems.iter().filter(|s| !s.is_empty()) {
        if stem.len() > MAX_LEXEME {
            return None;
        }
        terms.push(format!(
            "'{}'",
            stem.replace('\\', "\\\\").replace('\'', "''")
        ));
    }
    (!terms.is_empty()).then(|| terms.join(" & "))
}

#[async_trait]
impl<S: Source> ArchiveIndex for Postgres<S> {
    async fn index_archive(&self, doc: &ArchiveDocument) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        // Delete, then insert: SQLite's one writer makes two of these for one canvas replace
        // each other; here the second would find no row to delete yet (the first's insert
        // uncommitted) and then fail on the unique canvas_id. Hence the canvas row's lock (held
        // already by the archiving that indexes it; the start-up indexing runs outside a use
        // case, on every process).
        super::locks::canvas(&mut tx, &doc.canvas).await?;
        sqlx::query("DELETE FROM archive_entries WHERE canvas_id = $1")
            .bind(doc.canvas.as_str())
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO archive_entries (canvas_id, team_id, brought_in_by, level, \
             highest_level, scope, outcome, learning_order, budget_used, archived_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(doc.canvas.as_str())
        .bind(doc.facts.team)
        .bind(doc.facts.brought_in_by)
        .bind(doc.facts.level.code())
        .bind(doc.facts.highest_level.code())
        .bind(doc.facts.archive_scope.map(|s| s.code()))
        .bind(doc.outcome.code())
        .bind(doc.order)
        // BIGINT 0/1, as SQLite stores the bool.
        .bind(doc.budget_used.map(i64::from))
        .bind(doc.archived_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO archive_texts (entry_id, body) VALUES ($1, $2)")
            .bind(id)
            .bind(&doc.body)
            .execute(&mut *tx)
            .await?;
        // The old entry's stems went with it (ON DELETE CASCADE, SQLite's trigger).
        sqlx::query("INSERT INTO archive_search (rowid, stems) VALUES ($1, $2)")
            .bind(id)
            .bind(&doc.stems)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unindexed_archives(&self) -> Result<Vec<CanvasId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT c.id FROM canvases c WHERE c.status = $1 AND NOT EXISTS \
             (SELECT 1 FROM archive_entries e WHERE e.canvas_id = c.id) ORDER BY c.updated_at",
        )
        .bind(CanvasStatus::Gearchiveerd.code())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(ids.into_iter().filter_map(|id| id.parse().ok()).collect())
    }

    async fn search_archive(&self, q: &ArchiveQuery) -> Result<Vec<ArchiveCandidate>, StoreError> {
        let mut binds = Vec::new();
        let searching = !q.stems.is_empty();
        if searching {
            // The tsquery is $1, used twice (to match and to rank).
            match tsquery(&q.stems) {
                Some(tsquery) => binds.push(Bind::Text(tsquery)),
                None => return Ok(Vec::new()),
            }
        }
        // With words, the full-text match drives the query (the GIN index finds the rows,
        // ts_rank ranks them: higher is better, where bm25's rank is lower-is-better, hence
        // DESC where SQLite sorts `relevance` ascending); without, the entries in order of date.
        // Every candidate's access facts come back as one line of one text, not as a row each:
        // a search may match most of the archive, and handing ten thousand rows over one by one
        // costs several times what the database needs to find and rank them.
        let mut sql = format!(
            "SELECT string_agg(facts, chr(10) ORDER BY {}) FROM (SELECT {FACTS} AS facts, \
             {} AS relevance, e.archived_at, e.id FROM ",
            match (q.sort, searching) {
                (ArchiveOrder::Relevance, true) => "relevance DESC, archived_at DESC, id DESC",
                _ => "archived_at DESC, id DESC",
            },
            if searching {
                "ts_rank(to_tsvector('simple', s.stems), to_tsquery('simple', $1))"
            } else {
                "0"
            },
        );
        sql.push_str(if searching {
            "archive_search s JOIN archive_entries e ON e.id = s.rowid"
        } else {
            "archive_entries e"
        });
        sql.push_str(
            " JOIN teams t ON t.id = e.team_id JOIN gemeenten g ON g.id = t.gemeente_id \
             WHERE TRUE",
        );
        if searching {
            // This very expression is the GIN index's.
            sql.push_str(" AND to_tsvector('simple', s.stems) @@ to_tsquery('simple', $1)");
        }
        for (kind, code) in &q.tags {
            sql.push_str(&format!(
                " AND EXISTS (SELECT 1 FROM learning_tags x WHERE x.canvas_id = e.canvas_id \
                 AND x.kind = ${} AND x.code = ${})",
                binds.len() + 1,
                binds.len() + 2
            ));
            binds.push(Bind::Text(kind.clone()));
            binds.push(Bind::Text(code.clone()));
        }
        // Each clause ends with its placeholder, numbered here.
        let mut filter = |clause: &str, bind: Option<Bind>| {
            if let Some(b) = bind {
                binds.push(b);
                sql.push_str(&format!("{clause} ${}", binds.len()));
            }
        };
        filter(" AND e.learning_order =", q.order.map(Bind::Int));
        filter(
            " AND e.outcome =",
            q.outcome.map(|o| Bind::Text(o.code().into())),
        );
        filter(" AND e.archived_at >=", q.from.map(Bind::Int));
        filter(" AND e.archived_at <", q.until.map(Bind::Int));
        filter(" AND t.gemeente_id =", q.gemeente.map(Bind::Int));
        filter(" AND e.team_id =", q.team.map(Bind::Int));
        filter(
            " AND e.budget_used =",
            q.budget_used.map(|b| Bind::Int(i64::from(b))),
        );
        filter(
            " AND e.highest_level =",
            q.highest_level.map(|l| Bind::Text(l.code().into())),
        );
        // PostgreSQL 15 wants a name for a subquery in FROM.
        sql.push_str(") AS hits");
        let lines: Option<String> = bind_all(sqlx::query_scalar(&sql), &binds)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        let lines = lines.unwrap_or_default();
        lines
            .lines()
            .map(|line| {
                facts(line)
                    .map(|facts| ArchiveCandidate { facts })
                    .ok_or(StoreError::Inconsistent("archive search facts"))
            })
            .collect()
    }

    async fn archive_hits(&self, canvases: &[CanvasId]) -> Result<Vec<ArchiveHitRow>, StoreError> {
        let mut conn = self.conn().await?;
        let mut out = Vec::with_capacity(canvases.len());
        for id in canvases {
            let row = sqlx::query(
                "SELECT c.label, x.body, e.archived_at, t.name AS team, g.name AS gemeente \
                 FROM archive_entries e JOIN archive_texts x ON x.entry_id = e.id \
                 JOIN canvases c ON c.id = e.canvas_id \
                 JOIN teams t ON t.id = c.team_id JOIN gemeenten g ON g.id = t.gemeente_id \
                 WHERE e.canvas_id = $1",
            )
            .bind(id.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            if let Some(row) = row {
                out.push(ArchiveHitRow {
                    canvas: id.clone(),
                    label: row.try_get("label")?,
                    body: row.try_get("body")?,
                    archived_at: row.try_get("archived_at")?,
                    team: row.try_get("team")?,
                    gemeente: row.try_get("gemeente")?,
                });
            }
        }
        Ok(out)
    }
}
