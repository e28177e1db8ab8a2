//! Comments on a canvas, in threads: casework like the canvas itself.

use async_trait::async_trait;

use super::StoreError;
use crate::{
    canvas::CanvasId,
    ids::{AccountId, CommentId},
};

#[derive(Debug, Clone)]
pub struct NewComment {
    pub canvas: CanvasId,
    /// The thread it answers; `None` to start one.
    pub thread: Option<CommentId>,
    pub field: String,
    pub anchor: String,
    pub body: String,
    pub author: AccountId,
    pub at: i64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct CommentRow {
    pub id: CommentId,
    /// The thread's first comment (its own id for the first).
    pub thread: CommentId,
    pub field: String,
    pub anchor: String,
    pub body: String,
    pub author: AccountId,
    pub author_name: String,
    pub created_at: i64,
    /// When its thread was resolved.
    pub resolved_at: Option<i64>,
    pub resolved_by_name: Option<String>,
}

/// What [`Comments::add_comment`] answers (as `StoreError::Inconsistent`) for a canvas that was
/// archived meanwhile.
pub const ARCHIVED_CANVAS: &str = "archived canvas";

#[async_trait]
pub trait Comments: Send + Sync + 'static {
    /// Adds a comment; [`StoreError::Inconsistent`] when `thread` is not a thread of the canvas.
    async fn add_comment(&self, comment: &NewComment) -> Result<CommentId, StoreError>;
    /// The canvas's comments, threads in the order they were started, answers in order.
    async fn comments(&self, canvas: &CanvasId) -> Result<Vec<CommentRow>, StoreError>;
    /// Removes every comment of the canvas (archiving keeps none); how many went.
    async fn delete_comments(&self, canvas: &CanvasId) -> Result<u64, StoreError>;
    /// Resolves (or reopens) a thread of the canvas. `false` if there is no such open (or
    /// resolved) thread.
    async fn resolve_thread(
        &self,
        canvas: &CanvasId,
        thread: CommentId,
        resolved: bool,
        by: AccountId,
        at: i64,
    ) -> Result<bool, StoreError>;
}
