//! [`TimeInterval`]: the wire's scaled nanoseconds (IEEE 1588-2019 5.3.2).

use core::fmt;

use super::{Duration, FRAC_BITS};

/// Nanoseconds multiplied by 2^16, as a signed 64-bit integer: the type of correctionField,
/// delayAsymmetry and the management data sets' time intervals.
///
/// Converting from a [`Duration`] saturates at the `i64` range, which is also what
/// IEEE 1588-2019 7.3.3.2 asks for a correction that is too big to represent.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeInterval(pub i64);

impl TimeInterval {
    /// Zero.
    pub const ZERO: Self = Self(0);

    /// From whole nanoseconds, saturating.
    pub const fn from_nanos(nanos: i64) -> Self {
        Self(nanos.saturating_mul(1 << FRAC_BITS))
    }

    /// Whole nanoseconds, truncated towards negative infinity.
    pub const fn nanos(self) -> i64 {
        self.0 >> FRAC_BITS
    }

    /// The raw scaled value.
    pub const fn scaled(self) -> i64 {
        self.0
    }
}

impl From<TimeInterval> for Duration {
    fn from(t: TimeInterval) -> Self {
        Duration::from_scaled_nanos(i128::from(t.0))
    }
}

impl From<Duration> for TimeInterval {
    /// Saturates at the `i64` range.
    fn from(d: Duration) -> Self {
        let s = d.scaled_nanos();
        Self(i64::try_from(s).unwrap_or(if s < 0 { i64::MIN } else { i64::MAX }))
    }
}

impl fmt::Debug for TimeInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TimeInterval({:?})", Duration::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let t = TimeInterval::from_nanos(-42);
        assert_eq!(t.nanos(), -42);
        assert_eq!(Duration::from(t), Duration::from_nanos(-42));
        assert_eq!(TimeInterval::from(Duration::from_nanos(-42)), t);
        assert_eq!(TimeInterval::from(Duration::MAX), TimeInterval(i64::MAX));
        assert_eq!(TimeInterval::from_nanos(i64::MAX), TimeInterval(i64::MAX));
    }
}
