//! [`VirtualClock`]: a software clock on top of a kernel clock, which a servo steps and slews
//! without touching any kernel clock. It stands in for a PHC on machines without one.
//!
//! The clock is an affine map from the base clock's timescale to its own, kept in the pure
//! [`ClockMapping`] so that the arithmetic is testable without reading any clock. Time stamps
//! taken against the base clock (software socket time stamps are in `CLOCK_REALTIME`) convert
//! with [`VirtualClock::from_base`], and back with [`VirtualClock::to_base`].

use ptp_core::time::{Duration, Ppb, Time};

use crate::adjtime::KernelClock;
use crate::{Clock, ClockError};

/// The affine map `virtual = virt_ref + (base - base_ref) · (1 + frequency)`.
///
/// Every change of frequency re-anchors the map at the moment of the change, so that the
/// virtual time is continuous and the scaled interval stays short (which keeps the `f64`
/// scaling exact to well below a nanosecond).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClockMapping {
    base_ref: Time,
    virt_ref: Time,
    frequency: Ppb,
}

impl ClockMapping {
    /// The map that makes `virtual = base`.
    pub fn identity() -> Self {
        Self::new(Time::EPOCH, Time::EPOCH, Ppb::ZERO)
    }

    /// The map through `(base_ref, virt_ref)` with the given frequency offset.
    pub fn new(base_ref: Time, virt_ref: Time, frequency: Ppb) -> Self {
        Self {
            base_ref,
            virt_ref,
            frequency,
        }
    }

    /// A base time on the virtual timescale.
    pub fn from_base(&self, base: Time) -> Time {
        let d = base - self.base_ref;
        self.virt_ref + d + Duration::from_nanos_f64(d.nanos_f64() * self.frequency.ratio())
    }

    /// A virtual time on the base timescale (the inverse of [`ClockMapping::from_base`]).
    pub fn to_base(&self, virt: Time) -> Time {
        let d = virt - self.virt_ref;
        let r = self.frequency.ratio();
        self.base_ref + d - Duration::from_nanos_f64(d.nanos_f64() * r / (1.0 + r))
    }

    /// Moves the virtual time by `offset`.
    pub fn step(&mut self, offset: Duration) {
        self.virt_ref += offset;
    }

    /// Makes the virtual time `time` at base time `base_now`.
    pub fn set_time(&mut self, base_now: Time, time: Time) {
        self.base_ref = base_now;
        self.virt_ref = time;
    }

    /// Changes the frequency offset from base time `base_now` on, keeping the virtual time
    /// continuous there.
    pub fn set_frequency(&mut self, base_now: Time, frequency: Ppb) {
        self.virt_ref = self.from_base(base_now);
        self.base_ref = base_now;
        self.frequency = frequency;
    }

    /// The frequency offset of the virtual clock against its base.
    pub fn frequency(&self) -> Ppb {
        self.frequency
    }
}

/// The kernel clock a [`VirtualClock`] is built on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseClock {
    /// `CLOCK_REALTIME`: the clock software socket time stamps are taken with, so they
    /// convert exactly; but it moves whenever someone steers the system clock.
    Realtime,
    /// `CLOCK_MONOTONIC_RAW`: the undisciplined oscillator, immune to system clock
    /// adjustments; socket time stamps must then be converted through a realtime reading.
    MonotonicRaw,
}

impl BaseClock {
    fn kernel(self) -> KernelClock {
        KernelClock(match self {
            Self::Realtime => libc::CLOCK_REALTIME,
            Self::MonotonicRaw => libc::CLOCK_MONOTONIC_RAW,
        })
    }
}

/// A software clock: a base kernel clock seen through a [`ClockMapping`].
#[derive(Debug, Clone)]
pub struct VirtualClock {
    base: BaseClock,
    mapping: ClockMapping,
    max_frequency: Ppb,
}

impl VirtualClock {
    /// The frequency limit unless set otherwise: ±50 %, the kernel's limit for PHC virtual
    /// clocks (`ptp_vclock`).
    pub const DEFAULT_MAX_FREQUENCY: Ppb = Ppb(500_000_000.0);

    /// A virtual clock that starts at the current `CLOCK_REALTIME` time with zero frequency
    /// offset.
    pub fn new(base: BaseClock) -> Result<Self, ClockError> {
        let base_now = base.kernel().now()?;
        let start = match base {
            BaseClock::Realtime => base_now,
            BaseClock::MonotonicRaw => BaseClock::Realtime.kernel().now()?,
        };
        Ok(Self::with_mapping(
            base,
            ClockMapping::new(base_now, start, Ppb::ZERO),
        ))
    }

    /// A virtual clock with a given map from the base clock.
    pub fn with_mapping(base: BaseClock, mapping: ClockMapping) -> Self {
        Self {
            base,
            mapping,
            max_frequency: Self::DEFAULT_MAX_FREQUENCY,
        }
    }

    /// Changes the frequency limit (its absolute value, capped at 90 % so that the map stays
    /// invertible).
    pub fn set_max_frequency(&mut self, max: Ppb) {
        const HARD_LIMIT: Ppb = Ppb(900_000_000.0);
        self.max_frequency = Ppb(max.get().abs()).clamp_abs(HARD_LIMIT);
    }

    /// The base clock.
    pub fn base(&self) -> BaseClock {
        self.base
    }

    /// The current map.
    pub fn mapping(&self) -> &ClockMapping {
        &self.mapping
    }

    /// Reads the base clock.
    pub fn base_now(&self) -> Result<Time, ClockError> {
        self.base.kernel().now()
    }

    /// A time stamp taken against the base clock, on this clock's timescale.
    pub fn from_base(&self, base: Time) -> Time {
        self.mapping.from_base(base)
    }

    /// A time on this clock's timescale, on the base clock's.
    pub fn to_base(&self, time: Time) -> Time {
        self.mapping.to_base(time)
    }
}

impl Clock for VirtualClock {
    fn now(&self) -> Result<Time, ClockError> {
        Ok(self.mapping.from_base(self.base_now()?))
    }

    fn set_time(&mut self, time: Time) -> Result<(), ClockError> {
        let base_now = self.base_now()?;
        self.mapping.set_time(base_now, time);
        Ok(())
    }

    fn step(&mut self, offset: Duration) -> Result<(), ClockError> {
        self.mapping.step(offset);
        Ok(())
    }

    fn set_frequency(&mut self, frequency: Ppb) -> Result<Ppb, ClockError> {
        let applied = frequency.clamp_abs(self.max_frequency);
        let base_now = self.base_now()?;
        self.mapping.set_frequency(base_now, applied);
        Ok(applied)
    }

    fn frequency(&self) -> Result<Ppb, ClockError> {
        Ok(self.mapping.frequency())
    }

    fn max_frequency(&self) -> Ppb {
        self.max_frequency
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T0: Time = Time::from_secs_nanos(1_700_000_000, 0);

    /// Equal within 1/16 ns: the `f64` scaling of a day at 50 % frequency offset rounds to
    /// a few thousandths of a nanosecond.
    fn close(a: Time, b: Time) -> bool {
        (a - b).abs() <= Duration::from_scaled_nanos(1 << 12)
    }

    #[test]
    fn identity_is_identity() {
        let m = ClockMapping::identity();
        assert_eq!(m.from_base(T0), T0);
        assert_eq!(m.to_base(T0), T0);
    }

    #[test]
    fn frequency_scales_elapsed_time() {
        let mut m = ClockMapping::new(T0, T0, Ppb::ZERO);
        m.set_frequency(T0, Ppb(1000.0));
        // 10 s of base time are 10 s + 10 µs of virtual time at +1 ppm.
        let later = T0 + Duration::from_secs(10);
        assert_eq!(m.from_base(later), later + Duration::from_micros(10));
        assert!(close(m.to_base(later + Duration::from_micros(10)), later));
    }

    #[test]
    fn frequency_changes_keep_time_continuous() {
        let mut m = ClockMapping::new(T0, T0 + Duration::from_secs(37), Ppb(-250.0));
        let t1 = T0 + Duration::from_secs(4);
        let before = m.from_base(t1);
        m.set_frequency(t1, Ppb(12_345.678));
        assert_eq!(m.from_base(t1), before);
        assert_eq!(
            before,
            T0 + Duration::from_secs(41) - Duration::from_nanos(1000)
        );
    }

    #[test]
    fn step_and_set_time() {
        let mut m = ClockMapping::new(T0, T0, Ppb(500.0));
        m.step(Duration::from_millis(-3));
        assert_eq!(m.from_base(T0), T0 - Duration::from_millis(3));
        let target = Time::from_secs_nanos(5, 0);
        m.set_time(T0 + Duration::from_secs(1), target);
        assert_eq!(m.from_base(T0 + Duration::from_secs(1)), target);
        assert_eq!(m.frequency(), Ppb(500.0));
    }

    #[test]
    fn to_base_inverts_from_base() {
        for f in [-499_999_999.0, -1e6, -3.25, 0.0, 0.001, 77_777.5, 4.9e8] {
            let m = ClockMapping::new(T0, T0 + Duration::from_secs(1000), Ppb(f));
            for s in [-3600i64, -1, 0, 1, 86_400] {
                let b = T0 + Duration::from_secs(s) + Duration::from_scaled_nanos(12_345);
                assert!(close(m.to_base(m.from_base(b)), b), "f={f} s={s}");
            }
        }
    }

    #[test]
    fn virtual_clock_follows_its_base() {
        let mut clock = VirtualClock::new(BaseClock::Realtime).unwrap();
        clock.step(Duration::from_secs(1)).unwrap();
        let base_before = clock.base_now().unwrap();
        let now = clock.now().unwrap();
        let base_after = clock.base_now().unwrap();
        assert!(now >= base_before + Duration::from_secs(1));
        assert!(now <= base_after + Duration::from_secs(1));
        assert_eq!(
            clock.from_base(base_before),
            base_before + Duration::from_secs(1)
        );
        assert_eq!(clock.to_base(now), now - Duration::from_secs(1));
    }

    #[test]
    fn virtual_clock_clamps_frequency() {
        let mut clock = VirtualClock::new(BaseClock::MonotonicRaw).unwrap();
        clock.set_max_frequency(Ppb(1000.0));
        assert_eq!(clock.set_frequency(Ppb(-5000.0)).unwrap(), Ppb(-1000.0));
        assert_eq!(clock.frequency().unwrap(), Ppb(-1000.0));
        assert!(matches!(
            clock.adjust_phase(Duration::from_nanos(5)),
            Err(ClockError::Unsupported(_))
        ));
    }
}
