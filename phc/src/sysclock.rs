//! [`SystemClock`]: `CLOCK_REALTIME` behind the [`Clock`] trait (linuxptp's `sysclk`).

use ptp_core::time::{Duration, Ppb, Time};

use crate::adjtime::KernelClock;
use crate::{Clock, ClockError};

/// The kernel's `CLOCK_REALTIME` (UTC). Stepping and slewing need `CAP_SYS_TIME`.
///
/// Phase adjustment is not offered: `ADJ_OFFSET` on the system clock hands the offset to the
/// kernel's NTP PLL, which is a servo of its own, not a one-shot slew.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    _private: (),
}

/// The kernel's limit for `timex.freq` on `CLOCK_REALTIME` (`MAXFREQ`, 500 ppm).
const MAX_FREQUENCY: Ppb = Ppb(500_000.0);

impl SystemClock {
    /// The system clock.
    pub const fn new() -> Self {
        Self { _private: () }
    }

    const KERNEL: KernelClock = KernelClock(libc::CLOCK_REALTIME);
}

impl Clock for SystemClock {
    fn now(&self) -> Result<Time, ClockError> {
        Self::KERNEL.now()
    }

    fn set_time(&mut self, time: Time) -> Result<(), ClockError> {
        Self::KERNEL.set_time(time)
    }

    fn step(&mut self, offset: Duration) -> Result<(), ClockError> {
        Self::KERNEL.step(offset)
    }

    fn set_frequency(&mut self, frequency: Ppb) -> Result<Ppb, ClockError> {
        Self::KERNEL.set_frequency(frequency, MAX_FREQUENCY)
    }

    fn frequency(&self) -> Result<Ppb, ClockError> {
        Self::KERNEL.frequency()
    }

    fn max_frequency(&self) -> Ppb {
        MAX_FREQUENCY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_agree_with_std() {
        let clock = SystemClock::new();
        let before = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        let now = clock.now().unwrap();
        let after = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap();
        assert!(now.nanos() >= before.as_nanos() && now.nanos() <= after.as_nanos());
    }

    /// Re-applies the frequency in effect: exercises `ADJ_FREQUENCY` without changing the
    /// machine's clock. Needs root (`test_prereq`: skipped outside CI without it).
    #[test]
    fn setting_the_current_frequency_keeps_it() {
        use test_prereq::{require, Prerequisite};
        if !require(
            "setting_the_current_frequency_keeps_it",
            &[Prerequisite::ROOT],
        ) {
            return;
        }
        let mut clock = SystemClock::new();
        let current = clock.frequency().unwrap();
        assert!(current.get().abs() <= clock.max_frequency().get());
        let applied = clock
            .set_frequency(current)
            .unwrap_or_else(|e| panic!("set_frequency as root: {e}"));
        assert_eq!(applied, current);
        assert_eq!(clock.frequency().unwrap(), current);
    }
}
