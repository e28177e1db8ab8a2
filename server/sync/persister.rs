//! The group committer: one task that writes the updates of all canvases to the database.
//!
//! Rooms hand over their batches and wait for the commit. While one transaction commits, new
//! batches queue up; the next transaction takes all of them at once. Durability (an fsync per
//! commit) is thus paid once per round, not once per update, without a fixed delay that would add
//! latency when the server is quiet.

use std::{sync::Arc, time::Instant};

use tokio::sync::{mpsc, oneshot};
use tokio_util::sync::CancellationToken;

use crate::{
    metrics::Metrics,
    store::{AppendBatch, Store, StoreError},
};

/// Batches waiting at most; a room waits for its commit, so this bounds memory, not progress.
const QUEUE: usize = 1024;
/// Batches written in one transaction at most.
const MAX_GROUP: usize = 512;

type Reply = oneshot::Sender<Result<(), Arc<StoreError>>>;

#[derive(Clone)]
pub struct Persister {
    tx: mpsc::Sender<(AppendBatch, Reply)>,
}

/// The persister task stopped before the batch was committed.
#[derive(Debug, thiserror::Error)]
pub enum PersistError {
    #[error("storing updates failed: {0}")]
    Store(Arc<StoreError>),
    #[error("the persister has stopped")]
    Stopped,
}

impl Persister {
    /// Starts the task; it ends when `stop` is cancelled, after committing what is queued.
    pub fn spawn(
        store: Arc<dyn Store>,
        metrics: Arc<Metrics>,
        stop: CancellationToken,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(store, metrics, rx, stop));
        (Self { tx }, task)
    }

    /// Appends one batch and returns once it is committed.
    pub async fn append(&self, batch: AppendBatch) -> Result<(), PersistError> {
        let (done, committed) = oneshot::channel();
        self.tx
            .send((batch, done))
            .await
            .map_err(|_| PersistError::Stopped)?;
        match committed.await {
            Ok(result) => result.map_err(PersistError::Store),
            Err(_) => Err(PersistError::Stopped),
        }
    }
}

async fn run(
    store: Arc<dyn Store>,
    metrics: Arc<Metrics>,
    mut rx: mpsc::Receiver<(AppendBatch, Reply)>,
    stop: CancellationToken,
) {
    loop {
        let first = tokio::select! {
            biased;
            request = rx.recv() => request,
            _ = stop.cancelled() => { rx.close(); rx.recv().await }
        };
        let Some(first) = first else { break };
        let mut group = vec![first];
        while group.len() < MAX_GROUP {
            match rx.try_recv() {
                Ok(request) => group.push(request),
                Err(_) => break,
            }
        }
        let (batches, replies): (Vec<_>, Vec<_>) = group.into_iter().unzip();
        let started = Instant::now();
        let result = store.append_updates(&batches).await.map_err(Arc::new);
        metrics.observe_persist(started.elapsed());
        if let Err(error) = &result {
            tracing::error!(%error, batches = batches.len(), "group commit failed");
        }
        for reply in replies {
            let _ = reply.send(result.clone());
        }
    }
}
