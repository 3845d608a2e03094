//! [`Time`]: a point on a PTP timescale.

use core::fmt;
use core::ops::{Add, AddAssign, Sub, SubAssign};

use super::{Duration, FRAC_BITS, NANOS_PER_SEC};

/// A point in time on a timescale (PTP/TAI or arbitrary), counted from that timescale's epoch
/// in 2^-16 ns units. It is never negative.
///
/// `Time - Time` gives a [`Duration`]; `Time ± Duration` gives a `Time`, clamped at the epoch
/// and at the top of the range. Adding two `Time`s is deliberately not possible.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Time {
    scaled: u128,
}

impl Time {
    /// The epoch of the timescale.
    pub const EPOCH: Self = Self { scaled: 0 };

    /// From seconds and nanoseconds since the epoch. `nanos` may exceed one second; it is
    /// carried into the seconds.
    pub const fn from_secs_nanos(secs: u64, nanos: u32) -> Self {
        let total = secs as u128 * NANOS_PER_SEC as u128 + nanos as u128;
        Self {
            scaled: total << FRAC_BITS,
        }
    }

    /// From whole nanoseconds since the epoch.
    pub const fn from_nanos(nanos: u128) -> Self {
        Self {
            scaled: nanos.saturating_mul(1 << FRAC_BITS),
        }
    }

    /// From 2^-16 ns units since the epoch.
    pub const fn from_scaled_nanos(scaled: u128) -> Self {
        Self { scaled }
    }

    /// The value in 2^-16 ns units.
    pub const fn scaled_nanos(self) -> u128 {
        self.scaled
    }

    /// Whole nanoseconds since the epoch (truncated).
    pub const fn nanos(self) -> u128 {
        self.scaled >> FRAC_BITS
    }

    /// Whole seconds since the epoch.
    pub const fn secs(self) -> u128 {
        self.nanos() / NANOS_PER_SEC as u128
    }

    /// The nanoseconds within the current second.
    pub const fn subsec_nanos(self) -> u32 {
        // The remainder is below 10^9, so it fits in a u32.
        (self.nanos() % NANOS_PER_SEC as u128) as u32
    }

    /// The sub-nanosecond fraction in 2^-16 ns units.
    pub const fn subnanos(self) -> u16 {
        (self.scaled & 0xffff) as u16
    }

    /// Seconds since the epoch as `f64` (lossy; for logs and plots).
    pub fn secs_f64(self) -> f64 {
        self.scaled as f64 / f64::from(1u32 << FRAC_BITS) / NANOS_PER_SEC as f64
    }
}

impl Sub for Time {
    type Output = Duration;
    fn sub(self, rhs: Self) -> Duration {
        let (a, b) = (self.scaled, rhs.scaled);
        if a >= b {
            Duration::from_scaled_nanos(i128::try_from(a - b).unwrap_or(i128::MAX))
        } else {
            Duration::from_scaled_nanos(i128::try_from(b - a).map_or(i128::MIN, |d| -d))
        }
    }
}

impl Add<Duration> for Time {
    type Output = Self;
    fn add(self, rhs: Duration) -> Self {
        let d = rhs.scaled_nanos();
        let scaled = if d >= 0 {
            self.scaled.saturating_add(d.unsigned_abs())
        } else {
            self.scaled.saturating_sub(d.unsigned_abs())
        };
        Self { scaled }
    }
}

impl AddAssign<Duration> for Time {
    fn add_assign(&mut self, rhs: Duration) {
        *self = *self + rhs;
    }
}

impl Sub<Duration> for Time {
    type Output = Self;
    fn sub(self, rhs: Duration) -> Self {
        self + (-rhs)
    }
}

impl SubAssign<Duration> for Time {
    fn sub_assign(&mut self, rhs: Duration) {
        *self = *self - rhs;
    }
}

impl fmt::Debug for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:09}s", self.secs(), self.subsec_nanos())
    }
}

impl fmt::Display for Time {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parts_round_trip() {
        let t = Time::from_secs_nanos(1_700_000_000, 123_456_789);
        assert_eq!(t.secs(), 1_700_000_000);
        assert_eq!(t.subsec_nanos(), 123_456_789);
        assert_eq!(
            Time::from_secs_nanos(1, 1_500_000_000),
            Time::from_secs_nanos(2, 500_000_000)
        );
    }

    #[test]
    fn difference_is_signed() {
        let a = Time::from_secs_nanos(10, 0);
        let b = Time::from_secs_nanos(9, 999_999_000);
        assert_eq!(a - b, Duration::from_nanos(1000));
        assert_eq!(b - a, Duration::from_nanos(-1000));
        assert_eq!(b + (a - b), a);
    }

    #[test]
    fn clamps_at_epoch() {
        assert_eq!(Time::from_nanos(5) - Duration::from_nanos(10), Time::EPOCH);
    }
}
