//! The storage interfaces' promises that every backend keeps, against the suite's backend
//! (SQLite, or a fresh PostgreSQL database with `DOORBRAAK_TEST_BACKEND=postgres`). What only one
//! backend has (SQLite's pragmas, pools and WAL; PostgreSQL's log positions, notifications and
//! compaction lock) is tested beside that backend.

use std::time::Duration;

use doorbraak::{
    canvas::{CanvasId, schema},
    store::{
        self, StoreError,
        comments::{ARCHIVED_CANVAS, NewComment},
    },
};

use crate::helpers::*;

#[tokio::test]
async fn a_transaction_is_seen_by_others_only_once_it_commits() {
    let database = TestDatabase::new().await;
    let store = store::open(&database.url).await.expect("open");
    let tx = store.begin().await.expect("begin");
    let account = tx
        .create_account("nieuw@gemeente.nl", "Nieuw", None, false)
        .await
        .expect("account");
    // Read back inside the transaction, not yet outside it.
    assert!(tx.account_by_id(account.id).await.expect("read").is_some());
    let outside = store.account_by_id(account.id).await.expect("read");
    assert!(outside.is_none(), "uncommitted writes stay invisible");
    tx.commit().await.expect("commit");
    let outside = store.account_by_id(account.id).await.expect("read");
    assert!(outside.is_some(), "committed");

    // Dropped without commit: nothing of it remains, and what it held (SQLite's write lock,
    // PostgreSQL's row locks) is free again.
    let tx = store.begin().await.expect("begin");
    tx.create_account("weg@gemeente.nl", "", None, false)
        .await
        .expect("account");
    drop(tx);
    let gone = store.account_by_email("weg@gemeente.nl").await;
    assert!(gone.expect("read").is_none(), "rolled back");
    let next = tokio::time::timeout(Duration::from_secs(5), async {
        let tx = store.begin().await.expect("begin");
        tx.create_account("daarna@gemeente.nl", "", None, false)
            .await
            .expect("account");
        tx.commit().await
    })
    .await
    .expect("the lock was released");
    next.expect("commit");
}

#[tokio::test]
async fn no_comment_lands_on_a_canvas_archived_meanwhile() {
    let database = TestDatabase::new().await;
    let (store, owner, id) = with_canvas(&database).await;
    let comment = NewComment {
        canvas: id.clone(),
        thread: None,
        field: "situation".into(),
        anchor: String::new(),
        body: "Een vraag".into(),
        author: owner.brought_in_by,
        at: 1,
    };
    store.add_comment(&comment).await.expect("before");
    // Archived by someone else between the commenter's check and the write: the insert itself
    // refuses it.
    archive_behind_its_back(&database, &id).await;
    let after = store.add_comment(&comment).await;
    assert!(
        matches!(after, Err(StoreError::Inconsistent(ARCHIVED_CANVAS))),
        "{after:?}"
    );
    assert_eq!(store.comments(&id).await.expect("list").len(), 1);
}

#[tokio::test]
async fn no_canvas_archived_meanwhile_is_renamed() {
    let database = TestDatabase::new().await;
    let (store, _, id) = with_canvas(&database).await;
    assert!(store.rename_canvas(&id, "Casus A").await.expect("rename"));
    // Archived by someone else between the renamer's check and the write: the statement
    // refuses it.
    archive_behind_its_back(&database, &id).await;
    assert!(!store.rename_canvas(&id, "Casus B").await.expect("rename"));
    let label = store.canvas_label(&id).await.expect("label");
    assert_eq!(label.as_deref(), Some("Casus A"));
}

/// A store on `database`, the owner of a canvas in it, and the canvas.
async fn with_canvas(
    database: &TestDatabase,
) -> (
    std::sync::Arc<dyn store::Database>,
    store::CanvasOwner,
    CanvasId,
) {
    let store = store::open(&database.url).await.expect("open");
    let id = CanvasId::random();
    let owner = canvas_owner(store.as_ref()).await;
    store
        .create_canvas(&id, "Casus", owner, &schema::initialize(), &[])
        .await
        .expect("create");
    (store, owner, id)
}

/// Archives the canvas with a statement of the test's own, as another writer would.
async fn archive_behind_its_back(database: &TestDatabase, id: &CanvasId) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(&database.url)
        .await
        .expect("open database");
    sqlx::query(&sql(
        "UPDATE canvases SET status = 'gearchiveerd' WHERE id = ?",
    ))
    .bind(id.as_str())
    .execute(&pool)
    .await
    .expect("archive");
}
