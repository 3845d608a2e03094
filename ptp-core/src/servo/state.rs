//! Servo states (linuxptp's `s0`..`s3`), how they map onto the clock states that metrics
//! report, and the bookkeeping every servo shares: the first-update step rule and the
//! LOCKED_STABLE detector.

use core::fmt;

use super::ServoConfig;
use crate::time::Duration;

/// The state of a clock servo, numbered as linuxptp prints it (`s0`..`s3` in
/// `master offset ... s2 freq ...`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum ServoState {
    /// `s0`: collecting samples; the servo does not touch the clock.
    #[default]
    Unlocked,
    /// `s1`: the clock must be stepped (and its frequency set) now.
    Jump,
    /// `s2`: the servo steers the clock's frequency.
    Locked,
    /// `s3`: locked, and the last `servo_num_offset_values` offsets were all below
    /// `servo_offset_threshold`.
    LockedStable,
}

impl ServoState {
    /// linuxptp's number for the state (the digit after `s` in ptp4l's log lines).
    pub const fn code(self) -> u8 {
        match self {
            Self::Unlocked => 0,
            Self::Jump => 1,
            Self::Locked => 2,
            Self::LockedStable => 3,
        }
    }

    /// The clock state that metrics report for this servo state while a time source is
    /// present.
    ///
    /// The mapping is the one linuxptp-daemon applies to ptp4l's `s0`..`s3`: `s0` and `s1`
    /// are FREERUN, `s2` and `s3` are LOCKED. HOLDOVER is not a servo state: the runtime
    /// reports it when the time source goes away after the servo was locked and it keeps the
    /// last frequency (see [`SyncState::Holdover`]).
    pub const fn sync_state(self) -> SyncState {
        match self {
            Self::Unlocked | Self::Jump => SyncState::Freerun,
            Self::Locked | Self::LockedStable => SyncState::Locked,
        }
    }

    /// True in `s2` and `s3`.
    pub const fn is_locked(self) -> bool {
        matches!(self, Self::Locked | Self::LockedStable)
    }
}

impl fmt::Display for ServoState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s{}", self.code())
    }
}

/// The synchronisation state that metrics and the node status report
/// (`openshift_ptp_clock_state`: FREERUN 0, LOCKED 1, HOLDOVER 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SyncState {
    /// Not (yet) following a time source.
    Freerun,
    /// Following a time source.
    Locked,
    /// The time source was lost after the servo had locked; the clock runs on the last
    /// frequency the servo set. Decided by the runtime, never returned by a servo.
    Holdover,
}

impl SyncState {
    /// The value of the `openshift_ptp_clock_state` gauge.
    pub const fn metric_value(self) -> u8 {
        match self {
            Self::Freerun => 0,
            Self::Locked => 1,
            Self::Holdover => 2,
        }
    }
}

/// The part of linuxptp's generic servo layer (`servo.c`) that all servos share: step
/// thresholds, the "first update" flag and the LOCKED_STABLE countdown.
#[derive(Clone, Debug)]
pub(crate) struct Supervisor {
    step_threshold: Duration,
    first_step_threshold: Duration,
    offset_threshold: Duration,
    num_offset_values: u32,
    remaining_offset_values: u32,
    first_update: bool,
}

impl Supervisor {
    pub(crate) fn new(
        step_threshold: Duration,
        first_step_threshold: Duration,
        offset_threshold: Duration,
        num_offset_values: u32,
    ) -> Self {
        Self {
            step_threshold,
            first_step_threshold,
            offset_threshold,
            num_offset_values,
            remaining_offset_values: num_offset_values,
            first_update: true,
        }
    }

    /// The supervisor of `config`'s thresholds (every servo but statime's, which decides
    /// about steps itself).
    pub(crate) fn from_config(config: &ServoConfig) -> Self {
        Self::new(
            config.step_threshold,
            config.first_step_threshold,
            config.servo_offset_threshold,
            config.servo_num_offset_values,
        )
    }

    /// Takes the thresholds of `new` (a reconfiguration), keeping whether the first update
    /// has happened and how far the LOCKED_STABLE countdown got (within the new count).
    pub(crate) fn reconfigure(&mut self, new: Self) {
        let remaining = self.remaining_offset_values.min(new.num_offset_values);
        let first_update = self.first_update;
        *self = new;
        self.first_update = first_update;
        self.remaining_offset_values = remaining;
    }

    /// True when `offset` calls for a step: above `first_step_threshold` before the first
    /// update, or above `step_threshold` at any time. A zero threshold is disabled.
    pub(crate) fn wants_step(&self, offset: Duration) -> bool {
        let o = offset.abs();
        (self.first_update
            && self.first_step_threshold > Duration::ZERO
            && o > self.first_step_threshold)
            || self.exceeds_step_threshold(offset)
    }

    /// True when `step_threshold` is set and `offset` is beyond it.
    pub(crate) fn exceeds_step_threshold(&self, offset: Duration) -> bool {
        self.step_threshold > Duration::ZERO && offset.abs() > self.step_threshold
    }

    /// Post-processes the state a servo algorithm returned, as `servo_sample()` does:
    /// clears the first-update flag once the servo jumped or locked and promotes LOCKED to
    /// LOCKED_STABLE when the offsets have stayed under `servo_offset_threshold`.
    pub(crate) fn finish(&mut self, state: ServoState, offset: Duration) -> ServoState {
        match state {
            ServoState::Unlocked => {
                self.remaining_offset_values = self.num_offset_values;
                state
            }
            ServoState::Jump => {
                self.remaining_offset_values = self.num_offset_values;
                self.first_update = false;
                state
            }
            ServoState::Locked | ServoState::LockedStable => {
                self.first_update = false;
                if self.offset_is_stable(offset) {
                    ServoState::LockedStable
                } else {
                    ServoState::Locked
                }
            }
        }
    }

    fn offset_is_stable(&mut self, offset: Duration) -> bool {
        if self.offset_threshold <= Duration::ZERO {
            return false;
        }
        if offset.abs() < self.offset_threshold {
            self.remaining_offset_values = self.remaining_offset_values.saturating_sub(1);
        } else {
            self.remaining_offset_values = self.num_offset_values;
        }
        self.remaining_offset_values == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn us(v: i64) -> Duration {
        Duration::from_micros(v)
    }

    #[test]
    fn first_step_threshold_applies_only_before_the_first_update() {
        let mut s = Supervisor::new(Duration::ZERO, us(20), Duration::ZERO, 10);
        assert!(s.wants_step(us(21)));
        assert!(s.wants_step(us(-21)));
        assert!(!s.wants_step(us(20)));
        assert_eq!(s.finish(ServoState::Locked, us(1)), ServoState::Locked);
        assert!(!s.wants_step(us(1_000_000)));
    }

    #[test]
    fn reconfiguring_keeps_the_first_update_and_the_countdown() {
        let mut s = Supervisor::new(Duration::ZERO, us(20), Duration::from_nanos(100), 3);
        s.finish(ServoState::Locked, Duration::from_nanos(50));
        s.finish(ServoState::Locked, Duration::from_nanos(50));
        s.reconfigure(Supervisor::new(
            us(100),
            us(10),
            Duration::from_nanos(200),
            2,
        ));
        // The first update is behind: only the new step_threshold steps.
        assert!(!s.wants_step(us(50)));
        assert!(s.wants_step(us(101)));
        // One offset was left to count, under the new threshold too.
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(150)),
            ServoState::LockedStable
        );
    }

    #[test]
    fn step_threshold_applies_always() {
        let mut s = Supervisor::new(us(100), Duration::ZERO, Duration::ZERO, 10);
        s.finish(ServoState::Jump, us(500));
        assert!(s.wants_step(us(101)));
        assert!(!s.wants_step(us(99)));
    }

    #[test]
    fn locked_stable_after_n_small_offsets_and_reset_by_a_large_one() {
        let mut s = Supervisor::new(Duration::ZERO, us(20), Duration::from_nanos(100), 3);
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(50)),
            ServoState::Locked
        );
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(-50)),
            ServoState::Locked
        );
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(50)),
            ServoState::LockedStable
        );
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(5)),
            ServoState::LockedStable
        );
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(500)),
            ServoState::Locked
        );
        assert_eq!(
            s.finish(ServoState::Locked, Duration::from_nanos(5)),
            ServoState::Locked
        );
    }

    #[test]
    fn locked_stable_disabled_by_zero_threshold() {
        let mut s = Supervisor::new(Duration::ZERO, us(20), Duration::ZERO, 1);
        for _ in 0..5 {
            assert_eq!(
                s.finish(ServoState::Locked, Duration::ZERO),
                ServoState::Locked
            );
        }
    }

    #[test]
    fn state_mapping() {
        assert_eq!(ServoState::Unlocked.to_string(), "s0");
        assert_eq!(ServoState::LockedStable.to_string(), "s3");
        assert_eq!(ServoState::Jump.sync_state(), SyncState::Freerun);
        assert_eq!(ServoState::Locked.sync_state(), SyncState::Locked);
        assert_eq!(SyncState::Holdover.metric_value(), 2);
    }
}
