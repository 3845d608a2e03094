//! What `/healthz` and `/readyz` answer ([`Health`]): alive while the daemon's main loop keeps
//! beating (at least every few seconds; a loop that has not beaten for [`STALE`] is taken
//! for stuck), ready while the daemon says so. What ready means is the daemon's: for the
//! agent, its configuration applied (the file on bare metal, the node's NodePtpConfig in a
//! cluster) and no apply failed since; for the operator, see its crate.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How long the main loop may go without a beat before `/healthz` fails: many beats, so that
/// a loaded machine does not fail the probe, and short against a kubelet's liveness period.
pub const STALE: Duration = Duration::from_secs(30);

/// A daemon's health, shared by its main loop and the HTTP server.
#[derive(Clone, Debug)]
pub struct Health {
    start: Instant,
    /// Milliseconds from `start` to the last beat.
    beat_ms: Arc<AtomicU64>,
    ready: Arc<AtomicBool>,
    /// What `/readyz` says while not ready.
    not_ready: &'static str,
}

impl Health {
    /// Alive (it beats now), not ready; `/readyz` says `not_ready` until it is.
    pub fn new(not_ready: &'static str) -> Self {
        Self {
            start: Instant::now(),
            beat_ms: Arc::new(AtomicU64::new(0)),
            ready: Arc::new(AtomicBool::new(false)),
            not_ready,
        }
    }

    /// What `/readyz` says while not ready.
    pub fn not_ready_because(&self) -> &'static str {
        self.not_ready
    }

    /// The main loop is alive at `now`.
    pub fn beat(&self, now: Instant) {
        let ms = now.saturating_duration_since(self.start).as_millis();
        self.beat_ms
            .store(u64::try_from(ms).unwrap_or(u64::MAX), Ordering::Relaxed);
    }

    /// Whether the main loop beat within [`STALE`] of `now`.
    pub fn alive(&self, now: Instant) -> bool {
        let last = self.start + Duration::from_millis(self.beat_ms.load(Ordering::Relaxed));
        now.saturating_duration_since(last) < STALE
    }

    /// Ready (`true`) or not (`false`).
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::Relaxed);
    }

    /// Whether the daemon is ready.
    pub fn ready(&self) -> bool {
        self.ready.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alive_while_beating_ready_once_applied() {
        let h = Health::new("not yet");
        let t0 = Instant::now();
        assert!(h.alive(t0) && !h.ready());
        h.beat(t0 + Duration::from_secs(100));
        assert!(h.alive(t0 + Duration::from_secs(100) + STALE - Duration::from_millis(1)));
        assert!(!h.alive(t0 + Duration::from_secs(100) + STALE));
        h.set_ready(true);
        assert!(h.ready());
        h.set_ready(false);
        assert!(!h.ready());
    }
}
