//! A store for unit tests: the real SQLite store in a temporary folder, with hooks in front of
//! `append_updates` to hold commits back (`gate`) or make them fail (`failing`), and a record of
//! how many batches each transaction carried.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use async_trait::async_trait;
use tokio::sync::Semaphore;

use super::{AccountRow, AppendBatch, CanvasSummary, SqliteStore, Store, StoreError, StoredCanvas};
use crate::canvas::CanvasId;

pub struct TestStore {
    pub inner: SqliteStore,
    /// Commits wait here for a permit; open (many permits) unless made with `gated`.
    pub gate: Semaphore,
    /// Appends fail while set, as if the database were gone.
    pub failing: AtomicBool,
    /// Commits that reached the gate.
    pub arrived: AtomicUsize,
    /// Batches per committed transaction, in order.
    pub transactions: Mutex<Vec<usize>>,
    _folder: tempfile::TempDir,
}

impl TestStore {
    /// A fresh database; with `gated`, every commit waits for a permit added to `gate`.
    pub async fn new(gated: bool) -> Self {
        let folder = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/db.sqlite", folder.path().display());
        let inner = SqliteStore::open(&url).await.expect("store");
        let permits = if gated { 0 } else { Semaphore::MAX_PERMITS };
        Self {
            inner,
            gate: Semaphore::new(permits),
            failing: AtomicBool::new(false),
            arrived: AtomicUsize::new(0),
            transactions: Mutex::default(),
            _folder: folder,
        }
    }
}

#[async_trait]
impl Store for TestStore {
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        update: &[u8],
    ) -> Result<(), StoreError> {
        self.inner.create_canvas(id, label, update).await
    }
    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError> {
        self.inner.canvas_exists(id).await
    }
    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError> {
        self.inner.list_canvases().await
    }
    async fn load_canvas(&self, id: &CanvasId) -> Result<Option<StoredCanvas>, StoreError> {
        self.inner.load_canvas(id).await
    }
    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<(), StoreError> {
        self.arrived.fetch_add(1, Ordering::SeqCst);
        let _pass = self
            .gate
            .acquire()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        if self.failing.load(Ordering::SeqCst) {
            return Err(StoreError::Database(sqlx::Error::PoolClosed));
        }
        if let Ok(mut transactions) = self.transactions.lock() {
            transactions.push(batches.len());
        }
        self.inner.append_updates(batches).await
    }
    async fn update_summary(
        &self,
        id: &CanvasId,
        label: &str,
        areas: &[&str],
    ) -> Result<(), StoreError> {
        self.inner.update_summary(id, label, areas).await
    }
    async fn create_account(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<&str>,
        beheerder: bool,
    ) -> Result<AccountRow, StoreError> {
        self.inner
            .create_account(email, name, password_hash, beheerder)
            .await
    }
    async fn account_by_email(&self, email: &str) -> Result<Option<AccountRow>, StoreError> {
        self.inner.account_by_email(email).await
    }
    async fn create_token(
        &self,
        account_id: i64,
        name: &str,
        token_hash: &str,
    ) -> Result<(), StoreError> {
        self.inner.create_token(account_id, name, token_hash).await
    }
    async fn account_by_token_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<AccountRow>, StoreError> {
        self.inner.account_by_token_hash(token_hash).await
    }
    async fn compact(&self, id: &CanvasId, snapshot: &[u8], upto: i64) -> Result<(), StoreError> {
        self.inner.compact(id, snapshot, upto).await
    }
}
