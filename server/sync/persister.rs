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
    store::{AppendBatch, Canvases, StoreError},
};

/// Batches waiting at most; a room waits for its commit, so this bounds memory, not progress.
const QUEUE: usize = 1024;
/// Batches written in one transaction at most.
const MAX_GROUP: usize = 512;

/// The position of the batch's last update in its canvas's log, once committed.
type Reply = oneshot::Sender<Result<i64, Arc<StoreError>>>;

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
        store: Arc<dyn Canvases>,
        metrics: Arc<Metrics>,
        stop: CancellationToken,
    ) -> (Self, tokio::task::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel(QUEUE);
        let task = tokio::spawn(run(store, metrics, rx, stop));
        (Self { tx }, task)
    }

    /// Appends one batch and returns once it is committed, with the log position the commit
    /// gave its last update.
    pub async fn append(&self, batch: AppendBatch) -> Result<i64, PersistError> {
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
    store: Arc<dyn Canvases>,
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
        match result {
            Ok(last) => {
                for (reply, upto) in replies.into_iter().zip(last) {
                    let _ = reply.send(Ok(upto));
                }
            }
            Err(error) => {
                for reply in replies {
                    let _ = reply.send(Err(error.clone()));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::Ordering;

    use bytes::Bytes;

    use super::*;
    use crate::{
        canvas::{CanvasId, schema},
        store::testing::TestStore,
    };

    async fn wait_until(condition: impl Fn() -> bool) {
        let waiting = async {
            while !condition() {
                tokio::task::yield_now().await;
            }
        };
        tokio::time::timeout(std::time::Duration::from_secs(10), waiting)
            .await
            .expect("condition within 10 s");
    }

    #[tokio::test]
    async fn batches_that_wait_together_share_one_transaction() {
        let store = Arc::new(TestStore::new(true).await);
        let canvases: Vec<CanvasId> = (0..4).map(|_| CanvasId::random()).collect();
        let owner = store.owner().await;
        for id in &canvases {
            store
                .create_canvas(id, "Casus", owner, &schema::initialize(), &[])
                .await
                .expect("create");
        }
        let stop = CancellationToken::new();
        let (persister, task) =
            Persister::spawn(store.clone(), Arc::new(Metrics::default()), stop.clone());
        let batch = |id: &CanvasId| AppendBatch {
            canvas: id.clone(),
            updates: vec![Bytes::from_static(b"u")],
            summary: None,
        };

        // The first commit is held at the gate while three more rooms hand in their batches.
        let first = tokio::spawn({
            let (persister, batch) = (persister.clone(), batch(&canvases[0]));
            async move { persister.append(batch).await }
        });
        wait_until(|| store.arrived.load(Ordering::SeqCst) == 1).await;
        let rest: Vec<_> = canvases[1..]
            .iter()
            .map(|id| {
                let (persister, batch) = (persister.clone(), batch(id));
                tokio::spawn(async move { persister.append(batch).await })
            })
            .collect();
        wait_until(|| persister.tx.capacity() == QUEUE - 3).await;
        store.gate.add_permits(2);
        assert_eq!(first.await.expect("task").expect("first commit"), 2);
        for waiting in rest {
            assert_eq!(waiting.await.expect("task").expect("group commit"), 2);
        }
        assert_eq!(*store.transactions.lock().expect("lock"), vec![1, 3]);
        for id in &canvases {
            assert_eq!(
                store
                    .load_canvas(id)
                    .await
                    .expect("load")
                    .expect("canvas")
                    .last_seq(),
                2
            );
        }
        stop.cancel();
        task.await.expect("persister ends");
    }
}
