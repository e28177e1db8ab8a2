//! Slowing down and then locking repeated failed sign-ins.
//!
//! Failures are counted per e-mail address, whether or not an account exists for it, and the
//! answer is the same either way, so that trying addresses reveals nothing. The first attempts
//! are free; after that each failure doubles the wait before the answer, and at
//! [`LOCK_AFTER`] failures the address is locked for [`LOCK_FOR`]. A successful sign-in resets
//! the count.
//!
//! Failures are also counted per client address (the real one behind a trusted proxy), across
//! e-mail addresses, so that one machine cannot try a password against many accounts: at
//! [`CLIENT_LOCK_AFTER`] failures that client is locked for [`LOCK_FOR`]. A success does not reset
//! this count (an attacker could reset it with an account of their own); it ends with the lock.

use std::time::Duration;

/// Failed attempts answered without delay.
pub const FREE_ATTEMPTS: u32 = 3;
/// Failed attempts after which the address is locked.
pub const LOCK_AFTER: u32 = 8;
/// Failed attempts from one client address, across e-mail addresses, after which it is locked.
pub const CLIENT_LOCK_AFTER: u32 = 50;
/// How long a lock lasts.
pub const LOCK_FOR: Duration = Duration::from_secs(15 * 60);
/// The longest wait before answering a failed attempt.
const MAX_DELAY: Duration = Duration::from_secs(8);

/// How long to wait before answering the `failures`-th consecutive failure.
pub fn delay_after(failures: u32) -> Duration {
    if failures <= FREE_ATTEMPTS {
        return Duration::ZERO;
    }
    let doublings = (failures - FREE_ATTEMPTS - 1).min(16);
    (Duration::from_millis(500) * 2u32.pow(doublings)).min(MAX_DELAY)
}

/// Until when (Unix milliseconds) an address with `failures` consecutive failures, the last at
/// `last_failure_ms`, is locked; `None` when it is not.
pub fn locked_until(failures: u32, last_failure_ms: i64, now_ms: i64) -> Option<i64> {
    locked_after(LOCK_AFTER, failures, last_failure_ms, now_ms)
}

/// As [`locked_until`], for a client address and its [`CLIENT_LOCK_AFTER`].
pub fn client_locked_until(failures: u32, last_failure_ms: i64, now_ms: i64) -> Option<i64> {
    locked_after(CLIENT_LOCK_AFTER, failures, last_failure_ms, now_ms)
}

fn locked_after(threshold: u32, failures: u32, last_failure_ms: i64, now_ms: i64) -> Option<i64> {
    let until = last_failure_ms.saturating_add(LOCK_FOR.as_millis() as i64);
    (failures >= threshold && now_ms < until).then_some(until)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_attempts_are_free_then_waits_double_up_to_a_cap() {
        let delays: Vec<u64> = (1..=9).map(|n| delay_after(n).as_millis() as u64).collect();
        assert_eq!(delays, [0, 0, 0, 500, 1000, 2000, 4000, 8000, 8000]);
        assert_eq!(delay_after(u32::MAX), MAX_DELAY);
    }

    #[test]
    fn enough_failures_lock_the_address_for_a_while() {
        let at = 1_000_000;
        assert_eq!(locked_until(LOCK_AFTER - 1, at, at + 1), None);
        let until = at + LOCK_FOR.as_millis() as i64;
        assert_eq!(locked_until(LOCK_AFTER, at, at + 1), Some(until));
        assert_eq!(locked_until(LOCK_AFTER, at, until - 1), Some(until));
        assert_eq!(locked_until(LOCK_AFTER, at, until), None, "the lock ends");
    }
}
