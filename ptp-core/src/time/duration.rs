//! [`Duration`]: a signed span of time with 2^-16 ns resolution.

use core::fmt;
use core::ops::{Add, AddAssign, Div, Mul, Neg, Sub, SubAssign};

use super::{FRAC_BITS, NANOS_PER_SEC};

/// A signed span of time, stored as nanoseconds scaled by 2^16 in an `i128`.
///
/// The range (about ±8·10^13 years) is far beyond anything a PTP message can express, so sums
/// of wire values never overflow; arithmetic saturates rather than wrapping.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    scaled: i128,
}

impl Duration {
    /// Zero length.
    pub const ZERO: Self = Self { scaled: 0 };
    /// The largest representable duration.
    pub const MAX: Self = Self { scaled: i128::MAX };
    /// The smallest (most negative) representable duration.
    pub const MIN: Self = Self { scaled: i128::MIN };

    /// From a count of 2^-16 ns units.
    pub const fn from_scaled_nanos(scaled: i128) -> Self {
        Self { scaled }
    }

    /// From whole nanoseconds.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self {
            scaled: (nanos as i128) << FRAC_BITS,
        }
    }

    /// From whole microseconds.
    pub const fn from_micros(micros: i64) -> Self {
        Self::from_nanos_i128(micros as i128 * 1_000)
    }

    /// From whole milliseconds.
    pub const fn from_millis(millis: i64) -> Self {
        Self::from_nanos_i128(millis as i128 * 1_000_000)
    }

    /// From whole seconds.
    pub const fn from_secs(secs: i64) -> Self {
        Self::from_nanos_i128(secs as i128 * NANOS_PER_SEC as i128)
    }

    const fn from_nanos_i128(nanos: i128) -> Self {
        Self {
            scaled: nanos.saturating_mul(1 << FRAC_BITS),
        }
    }

    /// From fractional nanoseconds; NaN maps to zero and infinities saturate.
    pub fn from_nanos_f64(nanos: f64) -> Self {
        // `as` saturates on overflow and maps NaN to 0, which is what we want here.
        Self {
            scaled: (nanos * f64::from(1u32 << FRAC_BITS)).round() as i128,
        }
    }

    /// From fractional seconds; NaN maps to zero and infinities saturate.
    pub fn from_secs_f64(secs: f64) -> Self {
        Self::from_nanos_f64(secs * NANOS_PER_SEC as f64)
    }

    /// The value in 2^-16 ns units.
    pub const fn scaled_nanos(self) -> i128 {
        self.scaled
    }

    /// Whole nanoseconds, rounded towards negative infinity, saturating at the `i64` range.
    pub fn nanos(self) -> i64 {
        let n = self.scaled >> FRAC_BITS;
        i64::try_from(n).unwrap_or(if n < 0 { i64::MIN } else { i64::MAX })
    }

    /// Whole nanoseconds, rounded to nearest, saturating at the `i64` range.
    pub fn nanos_rounded(self) -> i64 {
        let half = 1i128 << (FRAC_BITS - 1);
        Self {
            scaled: self.scaled.saturating_add(half),
        }
        .nanos()
    }

    /// Nanoseconds as `f64` (lossy for very large values).
    pub fn nanos_f64(self) -> f64 {
        self.scaled as f64 / f64::from(1u32 << FRAC_BITS)
    }

    /// Seconds as `f64` (lossy).
    pub fn secs_f64(self) -> f64 {
        self.nanos_f64() / NANOS_PER_SEC as f64
    }

    /// The absolute value, saturating.
    pub const fn abs(self) -> Self {
        Self {
            scaled: self.scaled.saturating_abs(),
        }
    }

    /// True when the duration is below zero.
    pub const fn is_negative(self) -> bool {
        self.scaled < 0
    }

    /// Half of this duration, rounded towards negative infinity (used for mean path delay).
    pub const fn half(self) -> Self {
        Self {
            scaled: self.scaled >> 1,
        }
    }

    /// Converts to a `core::time::Duration` for timers; negative values become zero.
    pub fn to_core(self) -> core::time::Duration {
        if self.scaled <= 0 {
            return core::time::Duration::ZERO;
        }
        let nanos = self.scaled >> FRAC_BITS;
        let secs = nanos / i128::from(NANOS_PER_SEC);
        let sub = nanos % i128::from(NANOS_PER_SEC);
        match (u64::try_from(secs), u32::try_from(sub)) {
            (Ok(s), Ok(n)) => core::time::Duration::new(s, n),
            _ => core::time::Duration::MAX,
        }
    }
}

impl From<core::time::Duration> for Duration {
    fn from(d: core::time::Duration) -> Self {
        Self::from_nanos_i128(d.as_nanos().min(i128::MAX as u128) as i128)
    }
}

impl Add for Duration {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self {
            scaled: self.scaled.saturating_add(rhs.scaled),
        }
    }
}

impl AddAssign for Duration {
    fn add_assign(&mut self, rhs: Self) {
        *self = *self + rhs;
    }
}

impl Sub for Duration {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self {
            scaled: self.scaled.saturating_sub(rhs.scaled),
        }
    }
}

impl SubAssign for Duration {
    fn sub_assign(&mut self, rhs: Self) {
        *self = *self - rhs;
    }
}

impl Neg for Duration {
    type Output = Self;
    fn neg(self) -> Self {
        Self {
            scaled: self.scaled.saturating_neg(),
        }
    }
}

impl Mul<i64> for Duration {
    type Output = Self;
    fn mul(self, rhs: i64) -> Self {
        Self {
            scaled: self.scaled.saturating_mul(i128::from(rhs)),
        }
    }
}

impl Div<i64> for Duration {
    type Output = Self;
    /// Division by zero saturates towards the sign of the dividend instead of panicking.
    fn div(self, rhs: i64) -> Self {
        match self.scaled.checked_div(i128::from(rhs)) {
            Some(scaled) => Self { scaled },
            None if self.scaled < 0 => Self::MIN,
            None if self.scaled == 0 => Self::ZERO,
            None => Self::MAX,
        }
    }
}

impl fmt::Debug for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ns", self.nanos_f64())
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ns", self.nanos_rounded())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_constructors_agree() {
        assert_eq!(Duration::from_secs(1), Duration::from_millis(1000));
        assert_eq!(Duration::from_millis(1), Duration::from_micros(1000));
        assert_eq!(Duration::from_micros(1), Duration::from_nanos(1000));
        assert_eq!(Duration::from_secs_f64(1.5), Duration::from_millis(1500));
    }

    #[test]
    fn rounding() {
        let d = Duration::from_scaled_nanos((5 << 16) + (1 << 15));
        assert_eq!(d.nanos(), 5);
        assert_eq!(d.nanos_rounded(), 6);
        assert_eq!((-d).nanos(), -6);
        assert_eq!(d.nanos_f64(), 5.5);
    }

    #[test]
    fn saturates_instead_of_panicking() {
        assert_eq!(Duration::MAX + Duration::from_nanos(1), Duration::MAX);
        assert_eq!(Duration::MIN - Duration::from_nanos(1), Duration::MIN);
        assert_eq!(Duration::from_nanos(5) / 0, Duration::MAX);
        assert_eq!(Duration::MAX.nanos(), i64::MAX);
        assert_eq!(Duration::from_nanos_f64(f64::NAN), Duration::ZERO);
    }

    #[test]
    fn core_conversion() {
        let d = Duration::from_millis(1500);
        assert_eq!(d.to_core(), core::time::Duration::from_millis(1500));
        assert_eq!(Duration::from(d.to_core()), d);
        assert_eq!(
            Duration::from_nanos(-1).to_core(),
            core::time::Duration::ZERO
        );
    }
}
