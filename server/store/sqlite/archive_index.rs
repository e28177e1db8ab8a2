//! The learning archive's index on SQLite: `archive_entries` with the text and the filters'
//! facts, `archive_search` (FTS5) with the stems, ranked by bm25.

use async_trait::async_trait;
use sqlx::{Connection, Row, Sqlite as Db, query::QueryScalar, sqlite::SqliteArguments};

use super::{Source, Sqlite};
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
    mut query: QueryScalar<'q, Db, O, SqliteArguments<'q>>,
    binds: &'q [Bind],
) -> QueryScalar<'q, Db, O, SqliteArguments<'q>> {
    for b in binds {
        query = match b {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

/// A candidate's access facts as one line: id, team, brought in by, level, highest level, scope,
/// province, separated by spaces (none of them holds one; absent ones are `-`).
const FACTS: &str = "e.canvas_id || ' ' || e.team_id || ' ' || IFNULL(e.brought_in_by, '-') || \
     ' ' || e.level || ' ' || e.highest_level || ' ' || IFNULL(e.scope, '-') || ' ' || g.province_id";

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

/// The FTS5 expression for stems that must all occur: each a quoted string (a stem is letters
/// and digits only, but quoting keeps FTS5's operators out whatever it holds).
fn match_expression(stems: &[String]) -> String {
    stems
        .iter()
        .map(|s| format!("\"{}\"", s.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(" ")
}

#[async_trait]
impl<S: Source> ArchiveIndex for Sqlite<S> {
    async fn index_archive(&self, doc: &ArchiveDocument) -> Result<(), StoreError> {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await?;
        sqlx::query("DELETE FROM archive_entries WHERE canvas_id = ?")
            .bind(doc.canvas.as_str())
            .execute(&mut *tx)
            .await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO archive_entries (canvas_id, team_id, brought_in_by, level, \
             highest_level, scope, outcome, learning_order, budget_used, archived_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(doc.canvas.as_str())
        .bind(doc.facts.team)
        .bind(doc.facts.brought_in_by)
        .bind(doc.facts.level.code())
        .bind(doc.facts.highest_level.code())
        .bind(doc.facts.archive_scope.map(|s| s.code()))
        .bind(doc.outcome.code())
        .bind(doc.order)
        .bind(doc.budget_used)
        .bind(doc.archived_at)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO archive_texts (entry_id, body) VALUES (?, ?)")
            .bind(id)
            .bind(&doc.body)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO archive_search (rowid, stems) VALUES (?, ?)")
            .bind(id)
            .bind(&doc.stems)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn unindexed_archives(&self) -> Result<Vec<CanvasId>, StoreError> {
        let ids: Vec<String> = sqlx::query_scalar(
            "SELECT c.id FROM canvases c WHERE c.status = ? AND NOT EXISTS \
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
        // With words, the full-text match drives the query (FTS5 finds the rows, ranked);
        // without, the entries in order of date.
        // Every candidate's access facts come back as one line of one text, not as a row each:
        // a search may match most of the archive, and handing ten thousand rows over one by one
        // costs several times what SQLite needs to find and rank them.
        let mut sql = format!(
            "SELECT group_concat(facts, char(10) ORDER BY {}) FROM (SELECT {FACTS} AS facts, \
             {} AS relevance, e.archived_at, e.id FROM ",
            match (q.sort, searching) {
                (ArchiveOrder::Relevance, true) => "relevance, archived_at DESC, id DESC",
                _ => "archived_at DESC, id DESC",
            },
            if searching { "s.rank" } else { "0" },
        );
        sql.push_str(if searching {
            "archive_search s JOIN archive_entries e ON e.id = s.rowid"
        } else {
            "archive_entries e"
        });
        sql.push_str(
            " JOIN teams t ON t.id = e.team_id JOIN gemeenten g ON g.id = t.gemeente_id \
             WHERE 1",
        );
        if searching {
            sql.push_str(" AND archive_search MATCH ?");
            binds.push(Bind::Text(match_expression(&q.stems)));
        }
        for (kind, code) in &q.tags {
            sql.push_str(
                " AND EXISTS (SELECT 1 FROM learning_tags x WHERE x.canvas_id = e.canvas_id \
                 AND x.kind = ? AND x.code = ?)",
            );
            binds.push(Bind::Text(kind.clone()));
            binds.push(Bind::Text(code.clone()));
        }
        let mut filter = |clause: &str, bind: Option<Bind>| {
            if let Some(b) = bind {
                sql.push_str(clause);
                binds.push(b);
            }
        };
        filter(" AND e.learning_order = ?", q.order.map(Bind::Int));
        filter(
            " AND e.outcome = ?",
            q.outcome.map(|o| Bind::Text(o.code().into())),
        );
        filter(" AND e.archived_at >= ?", q.from.map(Bind::Int));
        filter(" AND e.archived_at < ?", q.until.map(Bind::Int));
        filter(" AND t.gemeente_id = ?", q.gemeente.map(Bind::Int));
        filter(" AND e.team_id = ?", q.team.map(Bind::Int));
        filter(
            " AND e.budget_used = ?",
            q.budget_used.map(|b| Bind::Int(i64::from(b))),
        );
        filter(
            " AND e.highest_level = ?",
            q.highest_level.map(|l| Bind::Text(l.code().into())),
        );
        sql.push(')');
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
                 WHERE e.canvas_id = ?",
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
