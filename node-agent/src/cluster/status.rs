//! The node's status as the agent writes it: what it runs of each profile (from the last
//! apply) and how each profile's instance is doing (from its [`Snapshot`]), and when a write
//! is due ([`Pace`]): a change of state at once, a change of measurements alone (offset, mean
//! path delay) at most every [`MEASUREMENT_PERIOD`], and nothing while nothing changes but a
//! heartbeat every [`HEARTBEAT`]. A failed write is tried again with backoff.

use std::time::{Duration, Instant};

use operator::crd::{NodePtpConfigStatus, PortState, PortStatus, ProfileStatus, ServoState};
use ptp_core::servo::ServoState as EngineServo;
use ptp_core::wire::PortState as EnginePort;

use super::profile::RUNNING;
use crate::agent::snapshot::Snapshot;

/// The shortest time between two writes that differ only in measurements.
pub const MEASUREMENT_PERIOD: Duration = Duration::from_secs(10);
/// The longest time without a write while the agent runs.
pub const HEARTBEAT: Duration = Duration::from_secs(300);
/// The first wait before a failed write is tried again; it doubles up to [`RETRY_MAX`].
const RETRY_MIN: Duration = Duration::from_millis(500);
/// The longest wait between tries of a write.
const RETRY_MAX: Duration = Duration::from_secs(30);

/// `base` (what runs) with each running profile's sync state from `snapshot` (by the
/// profile's instance name).
pub fn with_sync(
    base: &NodePtpConfigStatus,
    snapshot: impl Fn(&str) -> Option<Snapshot>,
) -> NodePtpConfigStatus {
    let mut status = base.clone();
    for profile in &mut status.profiles {
        if profile.state != RUNNING {
            continue;
        }
        if let Some(s) = profile.config.as_deref().and_then(&snapshot) {
            fill(profile, &s);
        }
    }
    status
}

/// Writes `s` into `profile`.
fn fill(profile: &mut ProfileStatus, s: &Snapshot) {
    profile.ports = s
        .ports
        .iter()
        .map(|(interface, state)| PortStatus {
            interface: interface.clone(),
            state: port_state(*state),
        })
        .collect();
    profile.clock_state = Some(if s.locked() { "LOCKED" } else { "FREERUN" }.to_owned());
    profile.servo_state = s.servo.map(servo_state);
    profile.offset_ns = s.offset.map(|d| d.nanos_rounded());
    profile.mean_path_delay_ns = s.path_delay.map(|d| d.nanos_rounded());
    profile.grandmaster_identity = s.grandmaster.map(|g| g.to_string());
    profile.clock_class = Some(s.clock_class);
}

fn port_state(s: EnginePort) -> PortState {
    match s {
        EnginePort::Initializing => PortState::Initializing,
        EnginePort::Faulty => PortState::Faulty,
        EnginePort::Disabled => PortState::Disabled,
        EnginePort::Listening => PortState::Listening,
        EnginePort::PreMaster => PortState::PreMaster,
        EnginePort::Master => PortState::Master,
        EnginePort::Passive => PortState::Passive,
        EnginePort::Uncalibrated => PortState::Uncalibrated,
        EnginePort::Slave => PortState::Slave,
    }
}

fn servo_state(s: EngineServo) -> ServoState {
    match s {
        EngineServo::Unlocked => ServoState::Unlocked,
        EngineServo::Jump => ServoState::Jump,
        EngineServo::Locked => ServoState::Locked,
        EngineServo::LockedStable => ServoState::LockedStable,
    }
}

/// `status` without its measurements.
fn state_of(status: &NodePtpConfigStatus) -> NodePtpConfigStatus {
    let mut state = status.clone();
    for profile in &mut state.profiles {
        profile.offset_ns = None;
        profile.mean_path_delay_ns = None;
    }
    state
}

/// When the status is written.
#[derive(Debug, Default)]
pub struct Pace {
    /// The last status written, and when.
    last: Option<(NodePtpConfigStatus, Instant)>,
    /// No write before this (after a failure).
    not_before: Option<Instant>,
    backoff: Duration,
}

impl Pace {
    /// Whether `current` is to be written at `now`.
    pub fn due(&self, current: &NodePtpConfigStatus, now: Instant) -> bool {
        if self.not_before.is_some_and(|t| now < t) {
            return false;
        }
        let Some((last, at)) = &self.last else {
            return true;
        };
        let since = now.saturating_duration_since(*at);
        if last == current {
            since >= HEARTBEAT
        } else if state_of(last) == state_of(current) {
            since >= MEASUREMENT_PERIOD
        } else {
            true
        }
    }

    /// `status` was written at `now`.
    pub fn written(&mut self, status: NodePtpConfigStatus, now: Instant) {
        self.last = Some((status, now));
        self.not_before = None;
        self.backoff = Duration::ZERO;
    }

    /// A write failed at `now`; returns how long until the next try.
    pub fn failed(&mut self, now: Instant) -> Duration {
        self.backoff = (self.backoff * 2).clamp(RETRY_MIN, RETRY_MAX);
        self.not_before = Some(now + self.backoff);
        self.backoff
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::time::Duration as PtpDuration;
    use ptp_core::wire::ClockIdentity;

    fn base() -> NodePtpConfigStatus {
        NodePtpConfigStatus {
            applied_generation: Some(3),
            profiles: vec![
                ProfileStatus {
                    name: "cfg_slave".into(),
                    state: RUNNING.into(),
                    config: Some("ptp4l.0.config".into()),
                    ..ProfileStatus::default()
                },
                ProfileStatus {
                    name: "cfg_bad".into(),
                    state: super::super::profile::REFUSED.into(),
                    ..ProfileStatus::default()
                },
            ],
        }
    }

    fn locked(offset: i64) -> Snapshot {
        Snapshot {
            ports: vec![("eth0".into(), EnginePort::Slave)],
            grandmaster: Some(ClockIdentity([1, 2, 3, 0xff, 0xfe, 4, 5, 6])),
            clock_class: 6,
            servo: Some(EngineServo::Locked),
            offset: Some(PtpDuration::from_nanos(offset)),
            path_delay: Some(PtpDuration::from_nanos(800)),
        }
    }

    #[test]
    fn running_profiles_get_their_instances_sync_state() {
        let status = with_sync(&base(), |name| {
            (name == "ptp4l.0.config").then(|| locked(-12))
        });
        let p = &status.profiles[0];
        assert_eq!(p.clock_state.as_deref(), Some("LOCKED"));
        assert_eq!(p.servo_state, Some(ServoState::Locked));
        assert_eq!((p.offset_ns, p.mean_path_delay_ns), (Some(-12), Some(800)));
        assert_eq!(
            p.grandmaster_identity.as_deref(),
            Some("010203.fffe.040506")
        );
        assert_eq!(p.clock_class, Some(6));
        assert_eq!(
            p.ports,
            [PortStatus {
                interface: "eth0".into(),
                state: PortState::Slave
            }]
        );
        // A refused profile has no instance, so no sync state.
        assert_eq!(status.profiles[1].clock_state, None);
    }

    #[test]
    fn state_changes_are_written_at_once_measurements_at_most_every_period() {
        let t0 = Instant::now();
        let at = |s: u64| t0 + Duration::from_secs(s);
        let status = |offset| with_sync(&base(), |_| Some(locked(offset)));
        let mut pace = Pace::default();
        assert!(pace.due(&status(5), t0));
        pace.written(status(5), t0);
        // The same status: only the heartbeat.
        assert!(!pace.due(&status(5), at(299)));
        assert!(pace.due(&status(5), at(300)));
        // A new offset alone: after the measurement period.
        assert!(!pace.due(&status(9), at(9)));
        assert!(pace.due(&status(9), at(10)));
        // A state change: at once.
        let unlocked = with_sync(&base(), |_| {
            Some(Snapshot {
                servo: Some(EngineServo::Jump),
                ..locked(9)
            })
        });
        assert!(pace.due(&unlocked, at(1)));
        // A failure holds writes back, for longer each time.
        assert_eq!(pace.failed(at(1)), RETRY_MIN);
        assert!(!pace.due(&unlocked, at(1)));
        assert!(pace.due(&unlocked, at(1) + RETRY_MIN));
        assert_eq!(pace.failed(at(2)), RETRY_MIN * 2);
    }
}
