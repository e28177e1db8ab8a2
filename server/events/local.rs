//! The in-process bus: handlers are called in the publishing task, subscribers follow a
//! broadcast channel.

use std::sync::{Arc, RwLock};

use tokio::sync::broadcast;

use super::{Event, EventBus, Handler, Topic};

/// Events a slow subscriber may fall behind by before it misses some.
const CAPACITY: usize = 256;

/// The bus of one server process.
pub struct LocalBus {
    /// One channel per topic, in the order of [`Topic::ALL`].
    subscribers: [broadcast::Sender<Event>; Topic::ALL.len()],
    /// Written only while the app is assembled; a std lock because no handler awaits.
    handlers: RwLock<Vec<Arc<dyn Handler>>>,
}

impl Default for LocalBus {
    fn default() -> Self {
        Self {
            subscribers: Topic::ALL.map(|_| broadcast::channel(CAPACITY).0),
            handlers: RwLock::default(),
        }
    }
}

impl EventBus for LocalBus {
    fn publish(&self, event: Event) {
        let handlers = match self.handlers.read() {
            Ok(handlers) => handlers.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        };
        for handler in handlers {
            handler.handle(&event);
        }
        // No subscriber is fine: nobody has a page open.
        let _ = self.subscribers[event.topic() as usize].send(event);
    }

    fn subscribe(&self, topic: Topic) -> broadcast::Receiver<Event> {
        self.subscribers[topic as usize].subscribe()
    }

    fn handle_with(&self, handler: Arc<dyn Handler>) {
        match self.handlers.write() {
            Ok(mut handlers) => handlers.push(handler),
            Err(poisoned) => poisoned.into_inner().push(handler),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::{events::AccessChange, ids::AccountId};

    #[derive(Default)]
    struct Seen(Mutex<Vec<String>>);

    impl Handler for Seen {
        fn handle(&self, event: &Event) {
            self.0.lock().unwrap().push(format!("{event:?}"));
        }
    }

    #[tokio::test]
    async fn handlers_act_before_publish_returns_and_subscribers_follow() {
        let bus = LocalBus::default();
        let seen = Arc::new(Seen::default());
        bus.handle_with(seen.clone());
        let mut following = bus.subscribe(Topic::Access);
        let mut elsewhere = bus.subscribe(Topic::Workflow);
        bus.publish(Event::AccessChanged(AccessChange::Account(AccountId(7))));
        assert_eq!(seen.0.lock().unwrap().len(), 1, "handled during publish");
        let event = following.recv().await.unwrap();
        assert!(matches!(
            event,
            Event::AccessChanged(AccessChange::Account(AccountId(7)))
        ));
        assert!(elsewhere.try_recv().is_err(), "other topics hear nothing");
    }
}
