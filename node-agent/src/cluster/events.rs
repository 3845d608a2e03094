//! Kubernetes Events for what whoever runs the cluster wants to be told, regarding the node's
//! `NodePtpConfig` (so `kubectl describe nodeptpconfig <node>` lists them): a configuration
//! applied or refused, lock acquired and lost, a port FAULTY, a new grandmaster, a new clock
//! class. The reasons follow the daemon's event types where it has one (`PtpStateChange`,
//! `PtpClockClassChange`); the others are ours (`PtpConfigApplied`, `PtpConfigRefused`,
//! `PtpPortFaulty`, `PtpGrandmasterChange`). They replace the daemon's cloud-event sidecar.
//!
//! Transitions are found by comparing two statuses made from the instances' snapshots
//! ([`transitions`]); [`Outbox`] holds what is to be published, at most [`BURST`] at once
//! and [`PER_MINUTE`] a minute after that, so that a flapping port cannot flood the API
//! server; what the limit or a full outbox drops is counted and logged. Publishing is tried
//! again while the API server is away, up to [`OUTBOX`] events.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use operator::crd::{NodePtpConfigStatus, PortState, ProfileStatus};

use super::profile::{REFUSED, RUNNING};

/// Events that may be published at once.
pub const BURST: f64 = 10.0;
/// Events that may be published a minute beyond the burst.
pub const PER_MINUTE: f64 = 10.0;
/// Events kept while they cannot be published.
pub const OUTBOX: usize = 64;

/// One event to publish.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notice {
    /// A warning (`true`) or a normal event.
    pub warning: bool,
    /// The reason, PascalCase.
    pub reason: &'static str,
    /// What happened, for `kubectl describe`.
    pub note: String,
}

impl Notice {
    fn normal(reason: &'static str, note: String) -> Self {
        Self {
            warning: false,
            reason,
            note,
        }
    }

    fn warning(reason: &'static str, note: String) -> Self {
        Self {
            warning: true,
            reason,
            note,
        }
    }
}

/// The events of an apply of generation `status.applied_generation`: one saying what runs,
/// and a warning per refused profile.
pub fn applied(status: &NodePtpConfigStatus) -> Vec<Notice> {
    let generation = status
        .applied_generation
        .map_or_else(|| "?".to_owned(), |g| g.to_string());
    let running: Vec<&str> = status
        .profiles
        .iter()
        .filter(|p| p.state == RUNNING)
        .map(|p| p.name.as_str())
        .collect();
    let mut notices = vec![Notice::normal(
        "PtpConfigApplied",
        format!(
            "generation {generation} applied; running: {}",
            if running.is_empty() {
                "none".to_owned()
            } else {
                running.join(", ")
            }
        ),
    )];
    for p in status.profiles.iter().filter(|p| p.state == REFUSED) {
        notices.push(Notice::warning(
            "PtpConfigRefused",
            format!("{}: {}", p.name, p.problems.join("; ")),
        ));
    }
    notices
}

/// The events between the statuses `before` and `after` of the same applied profiles: each
/// profile's lock acquired or lost, ports gone FAULTY, a new grandmaster, a new clock class.
pub fn transitions(before: &NodePtpConfigStatus, after: &NodePtpConfigStatus) -> Vec<Notice> {
    let mut notices = Vec::new();
    for next in &after.profiles {
        let Some(prev) = before.profiles.iter().find(|p| p.name == next.name) else {
            continue;
        };
        profile_transitions(prev, next, &mut notices);
    }
    notices
}

fn profile_transitions(prev: &ProfileStatus, next: &ProfileStatus, out: &mut Vec<Notice>) {
    let name = &next.name;
    let locked = |p: &ProfileStatus| p.clock_state.as_deref() == Some("LOCKED");
    match (locked(prev), locked(next)) {
        (false, true) => out.push(Notice::normal(
            "PtpStateChange",
            format!(
                "{name}: LOCKED to grandmaster {}",
                next.grandmaster_identity.as_deref().unwrap_or("?")
            ),
        )),
        (true, false) => out.push(Notice::warning(
            "PtpStateChange",
            format!("{name}: lock lost, FREERUN"),
        )),
        _ => {}
    }
    for port in &next.ports {
        let was_faulty = prev
            .ports
            .iter()
            .any(|p| p.interface == port.interface && p.state == PortState::Faulty);
        if port.state == PortState::Faulty && !was_faulty {
            out.push(Notice::warning(
                "PtpPortFaulty",
                format!("{name}: port {} FAULTY", port.interface),
            ));
        }
    }
    if let (Some(a), Some(b)) = (&prev.grandmaster_identity, &next.grandmaster_identity) {
        if a != b {
            out.push(Notice::normal(
                "PtpGrandmasterChange",
                format!("{name}: grandmaster {a} to {b}"),
            ));
        }
    }
    if let (Some(a), Some(b)) = (prev.clock_class, next.clock_class) {
        if a != b {
            out.push(Notice::normal(
                "PtpClockClassChange",
                format!("{name}: clock class {a} to {b}"),
            ));
        }
    }
}

/// The events waiting to be published, and the rate they may go at.
#[derive(Debug)]
pub struct Outbox {
    waiting: VecDeque<Notice>,
    tokens: f64,
    refilled: Instant,
    /// Events dropped by the limit or a full outbox since the last report.
    dropped: u64,
}

impl Outbox {
    /// An empty outbox with a full burst, at `now`.
    pub fn new(now: Instant) -> Self {
        Self {
            waiting: VecDeque::new(),
            tokens: BURST,
            refilled: now,
            dropped: 0,
        }
    }

    /// Queues `notices` at `now`: those beyond the rate are dropped, and the oldest waiting
    /// ones when the outbox is full.
    pub fn push(&mut self, notices: Vec<Notice>, now: Instant) {
        let minutes = now.saturating_duration_since(self.refilled).as_secs_f64() / 60.0;
        self.tokens = (self.tokens + minutes * PER_MINUTE).min(BURST);
        self.refilled = now;
        for notice in notices {
            if self.tokens < 1.0 {
                self.dropped += 1;
                continue;
            }
            self.tokens -= 1.0;
            if self.waiting.len() == OUTBOX {
                self.waiting.pop_front();
                self.dropped += 1;
            }
            self.waiting.push_back(notice);
        }
    }

    /// The next event to publish.
    pub fn next(&self) -> Option<&Notice> {
        self.waiting.front()
    }

    /// The next event was published.
    pub fn sent(&mut self) {
        self.waiting.pop_front();
    }

    /// The number of events dropped since the last call.
    pub fn take_dropped(&mut self) -> u64 {
        std::mem::take(&mut self.dropped)
    }
}

/// How long [`Outbox`] needs to take one more event after a full burst.
pub fn refill_period() -> Duration {
    Duration::from_secs_f64(60.0 / PER_MINUTE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use operator::crd::PortStatus;

    fn profile(state: &str, class: u8, gm: &str, port: PortState) -> ProfileStatus {
        ProfileStatus {
            name: "cfg_p".into(),
            state: RUNNING.into(),
            clock_state: Some(state.into()),
            clock_class: Some(class),
            grandmaster_identity: Some(gm.into()),
            ports: vec![PortStatus {
                interface: "eth0".into(),
                state: port,
            }],
            ..ProfileStatus::default()
        }
    }

    fn status(p: ProfileStatus) -> NodePtpConfigStatus {
        NodePtpConfigStatus {
            applied_generation: Some(2),
            profiles: vec![p],
        }
    }

    #[test]
    fn lock_faults_grandmaster_and_class_changes_are_told_once() {
        let freerun = status(profile("FREERUN", 248, "aa", PortState::Listening));
        let locked = status(profile("LOCKED", 6, "bb", PortState::Slave));
        let reasons = |n: Vec<Notice>| -> Vec<(&'static str, bool)> {
            n.into_iter().map(|n| (n.reason, n.warning)).collect()
        };
        assert_eq!(
            reasons(transitions(&freerun, &locked)),
            [
                ("PtpStateChange", false),
                ("PtpGrandmasterChange", false),
                ("PtpClockClassChange", false)
            ]
        );
        assert!(transitions(&locked, &locked).is_empty());
        let faulty = status(profile("FREERUN", 6, "bb", PortState::Faulty));
        assert_eq!(
            reasons(transitions(&locked, &faulty)),
            [("PtpStateChange", true), ("PtpPortFaulty", true)]
        );
        assert!(transitions(&faulty, &faulty).is_empty());
        let n = transitions(&locked, &faulty);
        assert_eq!(n[1].note, "cfg_p: port eth0 FAULTY");
    }

    #[test]
    fn an_apply_says_what_runs_and_warns_of_each_refused_profile() {
        let mut refused = profile("FREERUN", 248, "aa", PortState::Listening);
        refused.name = "cfg_bad".into();
        refused.state = REFUSED.into();
        refused.problems = vec!["ptp4l: unknown option".into()];
        let s = NodePtpConfigStatus {
            applied_generation: Some(4),
            profiles: vec![profile("FREERUN", 248, "aa", PortState::Listening), refused],
        };
        let n = applied(&s);
        assert_eq!(n[0].note, "generation 4 applied; running: cfg_p");
        assert_eq!(
            (n[1].reason, n[1].warning, n[1].note.as_str()),
            ("PtpConfigRefused", true, "cfg_bad: ptp4l: unknown option")
        );
    }

    #[test]
    fn a_flapping_port_cannot_flood_the_api_server() {
        let t0 = Instant::now();
        let mut out = Outbox::new(t0);
        let flap = || Notice::warning("PtpPortFaulty", "x".into());
        out.push((0..100).map(|_| flap()).collect(), t0);
        assert_eq!(out.take_dropped(), 90);
        let mut sent = 0;
        while out.next().is_some() {
            out.sent();
            sent += 1;
        }
        assert_eq!(sent, 10);
        // One more after the refill period, not before.
        out.push(vec![flap()], t0 + refill_period() / 2);
        assert_eq!((out.next().is_some(), out.take_dropped()), (false, 1));
        out.push(vec![flap()], t0 + refill_period() * 2);
        assert!(out.next().is_some());
    }
}
