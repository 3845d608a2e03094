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
    /// while a port follows a master.
    pub fn follow(&self, instance: &Instance) -> Self {
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
        if !next.following() {
            // Without a master there is no offset to speak of.
            next.servo = None;
            next.offset = None;
            next.path_delay = None;
        }
        next
    }

    /// Takes the values of a sample (what `event` is, when it is one); whether it was. A
    /// sample changes nothing else, so nothing is rebuilt or allocated for it.
    pub fn take_sample(&mut self, event: &Event) -> bool {
        let Event::Sample {
            offset,
            servo,
            path_delay,
            ..
        } = *event
        else {
            return false;
        };
        self.servo = Some(servo);
        self.offset = Some(offset);
        self.path_delay = Some(path_delay);
        true
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
    fn a_sample_updates_its_values_and_nothing_else_is_a_sample() {
        let mut s = snapshot(PortState::Slave, None);
        let sample = Event::Sample {
            port: ptp_core::engine::PortIndex(0),
            offset: Duration::from_nanos(-7),
            frequency: ptp_core::time::Ppb(1.5),
            servo: ServoState::Locked,
            path_delay: Duration::from_nanos(900),
        };
        assert!(s.take_sample(&sample));
        assert_eq!(
            (s.servo, s.offset, s.path_delay),
            (
                Some(ServoState::Locked),
                Some(Duration::from_nanos(-7)),
                Some(Duration::from_nanos(900))
            )
        );
        assert!(s.locked());
        let state = Event::PortState {
            port: ptp_core::engine::PortIndex(0),
            from: PortState::Slave,
            to: PortState::Listening,
        };
        let before = s.clone();
        assert!(!s.take_sample(&state));
        assert_eq!(s, before);
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
