//! One observable snapshot per instance ([`Snapshot`]), kept by its runtime from the
//! engine's data sets and events and published on a `watch` channel: what cluster mode
//! writes to the node's status is read from it, never recomputed.
//!
//! The snapshot has a state part (ports' states, grandmaster, clock class, servo state),
//! whose changes an observer reports at once, and measurements (offset, mean path delay),
//! which it may report at a slower pace ([`Snapshot::same_state`]).

use ptp_core::engine::{Event, Instance};
use ptp_core::servo::ServoState;
use ptp_core::time::Duration;
use ptp_core::wire::{ClockIdentity, PortState};

/// What an instance is doing, as observers see it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// The live ports, in port order: interface and state.
    pub ports: Vec<(String, PortState)>,
    /// The grandmaster the clock follows (itself when it is the grandmaster).
    pub grandmaster: Option<ClockIdentity>,
    /// The grandmaster's clockClass.
    pub clock_class: u8,
    /// The servo's state after the last sample (`None`: no sample yet).
    pub servo: Option<ServoState>,
    /// The last offset from the master.
    pub offset: Option<Duration>,
    /// The last mean path delay.
    pub path_delay: Option<Duration>,
}

impl Snapshot {
    /// The snapshot of `instance` now, carrying over the last sample's values from `self`
    /// (updated by `event`, when it is a sample).
    pub fn follow(&self, instance: &Instance, event: Option<&Event>) -> Self {
        let ports = instance
            .ports()
            .filter_map(|port| {
                let name = instance.port_settings(port)?.name.clone();
                Some((name, instance.port_ds(port)?.port_state))
            })
            .collect();
        let parent = instance.parent_ds();
        let mut next = Self {
            ports,
            grandmaster: Some(parent.grandmaster_identity),
            clock_class: parent.grandmaster_clock_quality.clock_class,
            servo: self.servo,
            offset: self.offset,
            path_delay: self.path_delay,
        };
        if let Some(Event::Sample {
            offset,
            servo,
            path_delay,
            ..
        }) = event
        {
            next.servo = Some(*servo);
            next.offset = Some(*offset);
            next.path_delay = Some(*path_delay);
        }
        if !next.following() {
            // Without a master there is no offset to speak of.
            next.servo = None;
            next.offset = None;
            next.path_delay = None;
        }
        next
    }

    /// Whether a port follows a master (SLAVE or UNCALIBRATED).
    pub fn following(&self) -> bool {
        self.ports
            .iter()
            .any(|(_, s)| matches!(s, PortState::Slave | PortState::Uncalibrated))
    }

    /// Whether the clock is locked to a master: a port follows one and the servo is locked
    /// (`s2` or `s3`), as the daemon's `openshift_ptp_clock_state` says LOCKED.
    pub fn locked(&self) -> bool {
        self.following() && self.servo.is_some_and(ServoState::is_locked)
    }

    /// Whether `self` and `other` differ at most in their measurements.
    pub fn same_state(&self, other: &Self) -> bool {
        self.ports == other.ports
            && self.grandmaster == other.grandmaster
            && self.clock_class == other.clock_class
            && self.servo == other.servo
            && self.locked() == other.locked()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(state: PortState, servo: Option<ServoState>) -> Snapshot {
        Snapshot {
            ports: vec![("eth0".into(), state)],
            servo,
            offset: servo.map(|_| Duration::from_nanos(12)),
            ..Snapshot::default()
        }
    }

    #[test]
    fn locked_means_a_followed_master_and_a_locked_servo() {
        assert!(snapshot(PortState::Slave, Some(ServoState::Locked)).locked());
        assert!(snapshot(PortState::Slave, Some(ServoState::LockedStable)).locked());
        assert!(!snapshot(PortState::Slave, Some(ServoState::Jump)).locked());
        assert!(!snapshot(PortState::Uncalibrated, None).locked());
        assert!(!snapshot(PortState::Master, None).locked());
    }

    #[test]
    fn measurements_alone_leave_the_state_the_same() {
        let a = snapshot(PortState::Slave, Some(ServoState::Locked));
        let mut b = a.clone();
        b.offset = Some(Duration::from_nanos(-40));
        assert!(a.same_state(&b) && a != b);
        b.servo = Some(ServoState::Jump);
        assert!(!a.same_state(&b));
        let mut c = a.clone();
        c.clock_class = 6;
        assert!(!a.same_state(&c));
    }
}
