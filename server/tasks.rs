//! What the process runs besides requests: one shutdown signal and one tracker of every spawned
//! task, owned by the app state and handed to the parts that spawn (the sync service, the
//! session sweep), so that shutdown can ask them all to stop and wait until they have.

use tokio_util::{sync::CancellationToken, task::TaskTracker};

/// The process's background tasks and the signal that asks them to stop. Clones share both.
#[derive(Clone, Default)]
pub struct Tasks {
    /// Cancelled when the server begins to stop.
    pub stopping: CancellationToken,
    /// Every background task, awaited on shutdown.
    pub tracker: TaskTracker,
}

impl Tasks {
    /// Asks every task to finish.
    pub fn stop(&self) {
        self.stopping.cancel();
    }

    /// Waits until every tracked task has ended; no task can be added after this began.
    pub async fn wait(&self) {
        self.tracker.close();
        self.tracker.wait().await;
    }
}
