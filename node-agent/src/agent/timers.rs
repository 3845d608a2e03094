//! The engine's timers: one deadline per [`Timer`] on the monotonic clock, the earliest of
//! which the event loop sleeps until.

use std::collections::BTreeMap;

use ptp_core::engine::Timer;
use tokio::time::Instant;

/// Armed timers and their deadlines.
#[derive(Debug, Default)]
pub struct Timers {
    deadlines: BTreeMap<Timer, Instant>,
}

impl Timers {
    /// Arms `timer` for `at`, replacing an earlier arming.
    pub fn arm(&mut self, timer: Timer, at: Instant) {
        self.deadlines.insert(timer, at);
    }

    /// Disarms `timer` if armed.
    pub fn cancel(&mut self, timer: Timer) {
        self.deadlines.remove(&timer);
    }

    /// The earliest deadline.
    pub fn next_deadline(&self) -> Option<Instant> {
        self.deadlines.values().min().copied()
    }

    /// Disarms and returns the timers due at `now`, earliest first.
    pub fn take_expired(&mut self, now: Instant) -> Vec<Timer> {
        let mut due: Vec<(Instant, Timer)> = self
            .deadlines
            .iter()
            .filter(|(_, at)| **at <= now)
            .map(|(t, at)| (*at, *t))
            .collect();
        due.sort();
        for (_, t) in &due {
            self.deadlines.remove(t);
        }
        due.into_iter().map(|(_, t)| t).collect()
    }
}

/// Sleeps until `deadline`, or forever without one (for a `select!` branch).
pub async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::engine::{PortIndex, TimerKind};
    use std::time::Duration;

    fn timer(port: u16, kind: TimerKind) -> Timer {
        Timer {
            port: PortIndex(port),
            kind,
        }
    }

    #[test]
    fn rearming_replaces_and_expiry_is_in_deadline_order() {
        let t0 = Instant::now();
        let mut timers = Timers::default();
        assert_eq!(timers.next_deadline(), None);
        let sync = timer(0, TimerKind::Sync);
        let announce = timer(0, TimerKind::Announce);
        let other = timer(1, TimerKind::Sync);
        timers.arm(sync, t0 + Duration::from_secs(5));
        timers.arm(announce, t0 + Duration::from_secs(2));
        timers.arm(other, t0 + Duration::from_secs(9));
        timers.arm(sync, t0 + Duration::from_secs(1));
        assert_eq!(timers.next_deadline(), Some(t0 + Duration::from_secs(1)));
        assert_eq!(
            timers.take_expired(t0 + Duration::from_secs(3)),
            vec![sync, announce]
        );
        assert_eq!(timers.next_deadline(), Some(t0 + Duration::from_secs(9)));
        timers.cancel(other);
        assert_eq!(timers.next_deadline(), None);
        assert!(timers.take_expired(t0 + Duration::from_secs(60)).is_empty());
    }
}
