//! Tells open pages that the workflow of a canvas changed (its status, an escalation, the
//! budget), so that they refresh what they show without a reload: the canvas page and the
//! coach dashboard listen through server-sent events.

use tokio::sync::broadcast;

use crate::access::policy;

/// A change to one canvas's workflow facts.
#[derive(Debug, Clone)]
pub struct Changed {
    pub canvas: String,
    /// The canvas's team, province and place on the ladder after the change: a stream announces
    /// it only to someone the policy lets read the canvas now.
    pub facts: policy::Canvas,
}

/// The channel of changes; slow listeners miss changes and simply refresh on the next one.
pub struct WorkflowEvents(broadcast::Sender<Changed>);

impl Default for WorkflowEvents {
    fn default() -> Self {
        Self(broadcast::channel(256).0)
    }
}

impl WorkflowEvents {
    pub fn publish(&self, change: Changed) {
        // No listener is fine: nobody has a page open.
        let _ = self.0.send(change);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Changed> {
        self.0.subscribe()
    }
}
