//! A store for unit tests: the real SQLite store in a temporary folder, with hooks in front of
//! `append_updates` to hold commits back (`gate`) or make them fail (`failing`), and a record of
//! how many batches each transaction carried.

use std::sync::{
    Mutex,
    atomic::{AtomicBool, AtomicUsize, Ordering},
};

use async_trait::async_trait;
use tokio::sync::Semaphore;

use super::{
    AppendBatch, CanvasOwner, CanvasSummary, Canvases, SqliteStore, StoreError, StoredCanvas,
};
use crate::{access::policy, canvas::CanvasId};

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
    /// Compactions wait here for a permit; open unless closed with `hold_compactions`.
    pub compaction_gate: Semaphore,
    /// Compactions that reached their gate.
    pub compactions_arrived: AtomicUsize,
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
            compaction_gate: Semaphore::new(Semaphore::MAX_PERMITS),
            compactions_arrived: AtomicUsize::new(0),
            _folder: folder,
        }
    }
}

/// An update by a fresh client that writes `text` into the situatieschets.
pub fn situation_update(text: &str) -> bytes::Bytes {
    use yrs::{ReadTxn, StateVector, Text, Transact};
    let doc = yrs::Doc::new();
    let situation = doc.get_or_insert_text(crate::canvas::schema::root::SITUATION);
    situation.push(&mut doc.transact_mut(), text);
    doc.transact()
        .encode_state_as_update_v1(&StateVector::default())
        .into()
}

impl TestStore {
    /// The SQLite file.
    pub fn database_file(&self) -> std::path::PathBuf {
        self._folder.path().join("db.sqlite")
    }

    /// From now on every compaction waits at its gate until `compaction_gate` gets permits.
    pub fn hold_compactions(&self) {
        self.compaction_gate.forget_permits(Semaphore::MAX_PERMITS);
    }

    /// A fresh team in a fresh gemeente and province, with an aanjager: the owner of canvases
    /// that unit tests create.
    pub async fn owner(&self) -> CanvasOwner {
        use super::prelude::*;
        static NEXT: AtomicUsize = AtomicUsize::new(1);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let directory = &self.inner;
        let province = directory.create_province(&format!("Provincie {n}")).await;
        let gemeente = directory
            .create_gemeente(&format!("Gemeente {n}"), province.expect("province"))
            .await;
        let team = directory
            .create_team("Doorbraakteam", gemeente.expect("gemeente"))
            .await
            .expect("team");
        let account = directory
            .create_account(&format!("aanjager{n}@gemeente.nl"), "", None, false)
            .await
            .expect("account");
        directory
            .set_membership(team, account.id, policy::TeamRole::Aanjager)
            .await
            .expect("membership");
        CanvasOwner {
            team,
            brought_in_by: account.id,
        }
    }
}

#[async_trait]
impl Canvases for TestStore {
    async fn create_canvas(
        &self,
        id: &CanvasId,
        label: &str,
        owner: CanvasOwner,
        update: &[u8],
        areas: &[&str],
    ) -> Result<(), StoreError> {
        self.inner
            .create_canvas(id, label, owner, update, areas)
            .await
    }
    async fn canvas_exists(&self, id: &CanvasId) -> Result<bool, StoreError> {
        self.inner.canvas_exists(id).await
    }
    async fn canvas_facts(&self, id: &CanvasId) -> Result<Option<policy::Canvas>, StoreError> {
        self.inner.canvas_facts(id).await
    }
    async fn list_canvases(&self) -> Result<Vec<CanvasSummary>, StoreError> {
        self.inner.list_canvases().await
    }
    async fn canvas_label(&self, id: &CanvasId) -> Result<Option<String>, StoreError> {
        self.inner.canvas_label(id).await
    }
    async fn rename_canvas(&self, id: &CanvasId, label: &str) -> Result<bool, StoreError> {
        self.inner.rename_canvas(id, label).await
    }
    async fn load_canvas_after(
        &self,
        id: &CanvasId,
        after: i64,
    ) -> Result<Option<StoredCanvas>, StoreError> {
        self.inner.load_canvas_after(id, after).await
    }
    async fn append_updates(&self, batches: &[AppendBatch]) -> Result<Vec<i64>, StoreError> {
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
    async fn compact(&self, id: &CanvasId, snapshot: &[u8], upto: i64) -> Result<bool, StoreError> {
        self.compactions_arrived.fetch_add(1, Ordering::SeqCst);
        let _pass = self
            .compaction_gate
            .acquire()
            .await
            .map_err(|_| StoreError::Database(sqlx::Error::PoolClosed))?;
        self.inner.compact(id, snapshot, upto).await
    }
}
