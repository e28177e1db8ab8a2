//! Per-connection rate limits: a token bucket for messages and one for bytes. (Not the
//! doorbraakbudget, which is in `workflow::ledger`.)
//!
//! A connection over budget is not closed but slowed down: its reads pause until the buckets
//! refill, so its data waits in its own TCP buffers while other clients carry on.

use std::time::Duration;

use tokio::time::Instant;

struct Bucket {
    capacity: f64,
    per_second: f64,
    tokens: f64,
}

impl Bucket {
    fn new(per_second: f64, capacity: f64) -> Self {
        Self {
            capacity,
            per_second,
            tokens: capacity,
        }
    }

    fn refill(&mut self, elapsed: Duration) {
        self.tokens = (self.tokens + elapsed.as_secs_f64() * self.per_second).min(self.capacity);
    }

    /// Time until `amount` tokens are there.
    fn wait_for(&self, amount: f64) -> Duration {
        let missing = amount - self.tokens;
        if missing <= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(missing / self.per_second)
        }
    }
}

pub struct RateLimit {
    messages: Bucket,
    bytes: Bucket,
    last: Instant,
}

impl RateLimit {
    /// `max_message` bytes always fit in the byte bucket, so one allowed message never stalls.
    pub fn new(messages_per_sec: u32, bytes_per_sec: u32, max_message: usize) -> Self {
        let messages = f64::from(messages_per_sec.max(1));
        let bytes = f64::from(bytes_per_sec.max(1));
        Self {
            messages: Bucket::new(messages, messages),
            bytes: Bucket::new(bytes, bytes.max(max_message as f64)),
            last: Instant::now(),
        }
    }

    /// Takes one message of `len` bytes and returns how long the reader must pause first.
    pub fn take(&mut self, len: usize) -> Duration {
        let now = Instant::now();
        self.messages.refill(now - self.last);
        self.bytes.refill(now - self.last);
        self.last = now;
        let len = (len as f64).min(self.bytes.capacity);
        let wait = self.messages.wait_for(1.0).max(self.bytes.wait_for(len));
        // Spend now (tokens may go negative); the pause pays the debt back.
        self.messages.tokens -= 1.0;
        self.bytes.tokens -= len;
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn bursts_pass_and_floods_are_paced() {
        let mut limit = RateLimit::new(10, 1_000_000, 1024);
        for _ in 0..10 {
            assert_eq!(limit.take(10), Duration::ZERO);
        }
        let wait = limit.take(10);
        assert!(
            wait > Duration::from_millis(90) && wait <= Duration::from_millis(100),
            "{wait:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn bytes_are_paced_too() {
        let mut limit = RateLimit::new(1000, 1000, 1000);
        assert_eq!(limit.take(1000), Duration::ZERO);
        assert!(limit.take(500) >= Duration::from_millis(499));
        tokio::time::advance(Duration::from_secs(2)).await;
        assert_eq!(limit.take(500), Duration::ZERO);
    }
}
