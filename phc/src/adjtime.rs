//! Reading and steering a kernel clock by id: `clock_gettime`, `clock_settime` and
//! `clock_adjtime` (the shape of linuxptp's `clockadj.c`). Shared by [`crate::PhcClock`],
//! [`crate::SystemClock`] and the base of [`crate::VirtualClock`].

use libc::{c_long, clockid_t};
use ptp_core::time::{Duration, Ppb, ScaledPpm, Time, NANOS_PER_SEC};

use crate::abi::Timex;
use crate::sys;
use crate::ClockError;

/// A kernel clock id (`CLOCK_REALTIME`, `CLOCK_MONOTONIC_RAW` or a PHC's dynamic id).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct KernelClock(pub(crate) clockid_t);

impl KernelClock {
    pub(crate) fn now(self) -> Result<Time, ClockError> {
        let ts = sys::clock_gettime(self.0).map_err(ClockError::io("clock_gettime"))?;
        time_from_parts(ts.tv_sec, ts.tv_nsec).ok_or(ClockError::BeforeEpoch)
    }

    pub(crate) fn set_time(self, time: Time) -> Result<(), ClockError> {
        let secs = libc::time_t::try_from(time.secs()).map_err(|_| ClockError::Io {
            op: "clock_settime",
            source: std::io::Error::from_raw_os_error(libc::EOVERFLOW),
        })?;
        let ts = libc::timespec {
            tv_sec: secs,
            tv_nsec: c_long::from(time.subsec_nanos()),
        };
        sys::clock_settime(self.0, &ts).map_err(ClockError::io("clock_settime"))
    }

    /// `ADJ_SETOFFSET | ADJ_NANO`, rounded to whole nanoseconds (linuxptp `clockadj_step`).
    pub(crate) fn step(self, offset: Duration) -> Result<(), ClockError> {
        let (sec, nsec) = split_nanos(offset.nanos_rounded());
        let mut tx = Timex {
            modes: libc::ADJ_SETOFFSET | libc::ADJ_NANO,
            time_sec: sec,
            time_usec: nsec,
            ..Timex::default()
        };
        sys::clock_adjtime(self.0, &mut tx)
            .map_err(ClockError::io("clock_adjtime(ADJ_SETOFFSET)"))?;
        Ok(())
    }

    /// `ADJ_FREQUENCY` in scaled ppm, clamped to ±`max` first.
    pub(crate) fn set_frequency(self, frequency: Ppb, max: Ppb) -> Result<Ppb, ClockError> {
        let scaled = ScaledPpm::from(frequency.clamp_abs(max));
        let mut tx = Timex {
            modes: libc::ADJ_FREQUENCY,
            freq: scaled.0 as c_long,
            ..Timex::default()
        };
        sys::clock_adjtime(self.0, &mut tx)
            .map_err(ClockError::io("clock_adjtime(ADJ_FREQUENCY)"))?;
        Ok(Ppb::from(scaled))
    }

    /// Reads `timex.freq` with `modes = 0`.
    pub(crate) fn frequency(self) -> Result<Ppb, ClockError> {
        let mut tx = Timex::default();
        sys::clock_adjtime(self.0, &mut tx).map_err(ClockError::io("clock_adjtime(read)"))?;
        Ok(Ppb::from(ScaledPpm(tx.freq)))
    }

    /// `ADJ_OFFSET | ADJ_NANO` (linuxptp `clockadj_set_phase`): the PHC driver's `adjphase`.
    pub(crate) fn adjust_phase(self, offset: Duration) -> Result<(), ClockError> {
        let mut tx = Timex {
            modes: libc::ADJ_OFFSET | libc::ADJ_NANO,
            offset: offset.nanos_rounded() as c_long,
            ..Timex::default()
        };
        sys::clock_adjtime(self.0, &mut tx).map_err(ClockError::io("clock_adjtime(ADJ_OFFSET)"))?;
        Ok(())
    }
}

/// Whole nanoseconds as `(seconds, nanoseconds in [0, 10^9))`, seconds rounded down, as
/// `ADJ_SETOFFSET` wants a negative step.
pub(crate) fn split_nanos(nanos: i64) -> (c_long, c_long) {
    let per_sec = NANOS_PER_SEC as i64;
    (
        nanos.div_euclid(per_sec) as c_long,
        nanos.rem_euclid(per_sec) as c_long,
    )
}

/// A `Time` from a kernel `(seconds, nanoseconds)` pair; `None` before the epoch or for a
/// nanosecond field out of range.
pub(crate) fn time_from_parts(secs: i64, nanos: i64) -> Option<Time> {
    let secs = u64::try_from(secs).ok()?;
    let nanos = u32::try_from(nanos)
        .ok()
        .filter(|n| u64::from(*n) < NANOS_PER_SEC)?;
    Some(Time::from_secs_nanos(secs, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_steps_borrow_a_second() {
        assert_eq!(split_nanos(1_500_000_000), (1, 500_000_000));
        assert_eq!(split_nanos(-1), (-1, 999_999_999));
        assert_eq!(split_nanos(-1_000_000_000), (-1, 0));
        assert_eq!(split_nanos(0), (0, 0));
    }

    #[test]
    fn kernel_times_before_the_epoch_are_rejected() {
        assert_eq!(time_from_parts(5, 7), Some(Time::from_secs_nanos(5, 7)));
        assert_eq!(time_from_parts(-1, 0), None);
        assert_eq!(time_from_parts(1, 1_000_000_000), None);
        assert_eq!(time_from_parts(1, -1), None);
    }
}
