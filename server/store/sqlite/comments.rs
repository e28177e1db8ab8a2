//! Comments on SQLite.

use async_trait::async_trait;
use sqlx::Row;

use super::{Source, Sqlite, query::execute};
use crate::{
    canvas::CanvasId,
    ids::{AccountId, CommentId},
    store::{
        StoreError,
        comments::{ARCHIVED_CANVAS, CommentRow, Comments, NewComment},
    },
};

#[async_trait]
impl<S: Source> Comments for Sqlite<S> {
    async fn add_comment(&self, c: &NewComment) -> Result<CommentId, StoreError> {
        let mut conn = self.conn().await?;
        if let Some(thread) = c.thread {
            let found: Option<i64> = sqlx::query_scalar(
                "SELECT 1 FROM comments WHERE id = ? AND canvas_id = ? AND thread_id IS NULL",
            )
            .bind(thread)
            .bind(c.canvas.as_str())
            .fetch_optional(&mut *conn)
            .await?;
            if found.is_none() {
                return Err(StoreError::Inconsistent("no such thread on this canvas"));
            }
        }
        // Not on a canvas archived or purged meanwhile (both remove the comments they find;
        // one written after them would otherwise stay).
        let id: Option<i64> = sqlx::query_scalar(
            "INSERT INTO comments (canvas_id, thread_id, field, anchor, body, author_id, \
             created_at) SELECT ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM canvases \
             WHERE id = ? AND status <> 'gearchiveerd' AND purged_at IS NULL) RETURNING id",
        )
        .bind(c.canvas.as_str())
        .bind(c.thread)
        .bind(&c.field)
        .bind(&c.anchor)
        .bind(&c.body)
        .bind(c.author)
        .bind(c.at)
        .bind(c.canvas.as_str())
        .fetch_optional(&mut *conn)
        .await?;
        id.map(CommentId)
            .ok_or(StoreError::Inconsistent(ARCHIVED_CANVAS))
    }

    async fn comments(&self, canvas: &CanvasId) -> Result<Vec<CommentRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.id, COALESCE(c.thread_id, c.id) AS thread, c.field, c.anchor, c.body, \
             c.author_id, c.created_at, COALESCE(NULLIF(a.name, ''), a.email) AS author_name, \
             t.resolved_at, COALESCE(NULLIF(r.name, ''), r.email) AS resolved_by_name \
             FROM comments c JOIN accounts a ON a.id = c.author_id \
             JOIN comments t ON t.id = COALESCE(c.thread_id, c.id) \
             LEFT JOIN accounts r ON r.id = t.resolved_by \
             WHERE c.canvas_id = ? ORDER BY thread, c.id",
        )
        .bind(canvas.as_str())
        .fetch_all(&mut *self.conn().await?)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(CommentRow {
                    id: row.try_get("id")?,
                    thread: row.try_get("thread")?,
                    field: row.try_get("field")?,
                    anchor: row.try_get("anchor")?,
                    body: row.try_get("body")?,
                    author: row.try_get("author_id")?,
                    author_name: row.try_get("author_name")?,
                    created_at: row.try_get("created_at")?,
                    resolved_at: row.try_get("resolved_at")?,
                    resolved_by_name: row.try_get("resolved_by_name")?,
                })
            })
            .collect::<Result<_, sqlx::Error>>()
            .map_err(Into::into)
    }

    async fn delete_comments(&self, canvas: &CanvasId) -> Result<u64, StoreError> {
        let mut conn = self.conn().await?;
        // Answers first: they point at their thread's first comment.
        let answers = execute(
            &mut conn,
            "DELETE FROM comments WHERE canvas_id = ? AND thread_id IS NOT NULL",
            &[&canvas.as_str()],
        )
        .await?;
        let threads = execute(
            &mut conn,
            "DELETE FROM comments WHERE canvas_id = ?",
            &[&canvas.as_str()],
        )
        .await?;
        Ok(answers + threads)
    }

    async fn resolve_thread(
        &self,
        canvas: &CanvasId,
        thread: CommentId,
        resolved: bool,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError> {
        let mut conn = self.conn().await?;
        let changed = if resolved {
            execute(
                &mut conn,
                "UPDATE comments SET resolved_at = ?, resolved_by = ? WHERE id = ? \
                 AND canvas_id = ? AND thread_id IS NULL AND resolved_at IS NULL",
                &[&at, &by, &thread, &canvas.as_str()],
            )
            .await?
        } else {
            execute(
                &mut conn,
                "UPDATE comments SET resolved_at = NULL, resolved_by = NULL WHERE id = ? \
                 AND canvas_id = ? AND thread_id IS NULL AND resolved_at IS NOT NULL",
                &[&thread, &canvas.as_str()],
            )
            .await?
        };
        Ok(changed == 1)
    }
}
