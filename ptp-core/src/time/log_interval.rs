//! [`LogInterval`]: message intervals as log2 seconds (IEEE 1588-2019 7.7.2).

use core::fmt;

use super::{Duration, FRAC_BITS, NANOS_PER_SEC};

/// A message interval expressed as log2 of seconds: `0` is 1 s, `-4` is 1/16 s, `1` is 2 s.
///
/// On the wire this is the header's logMessageInterval (`0x7F` means "not specified" for some
/// messages); in configuration it is `logSyncInterval`, `logAnnounceInterval` and friends.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogInterval(pub i8);

impl LogInterval {
    /// The wire value meaning "interval not specified" (0x7F).
    pub const UNSPECIFIED: Self = Self(0x7f);

    /// The exponent.
    pub const fn log2(self) -> i8 {
        self.0
    }

    /// The interval as a [`Duration`]. Exponents beyond ±62 saturate rather than overflow.
    pub fn duration(self) -> Duration {
        let e = i32::from(self.0).clamp(-62, 62);
        let one_sec = i128::from(NANOS_PER_SEC) << FRAC_BITS;
        if e >= 0 {
            Duration::from_scaled_nanos(one_sec << e)
        } else {
            Duration::from_scaled_nanos(one_sec >> (-e))
        }
    }

    /// The interval in seconds as `f64`.
    pub fn secs_f64(self) -> f64 {
        2f64.powi(i32::from(self.0))
    }
}

impl fmt::Debug for LogInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LogInterval({} = {}s)", self.0, self.secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(LogInterval(0).duration(), Duration::from_secs(1));
        assert_eq!(LogInterval(1).duration(), Duration::from_secs(2));
        assert_eq!(LogInterval(-4).duration(), Duration::from_nanos(62_500_000));
        assert_eq!(LogInterval(-4).secs_f64(), 0.0625);
        // Extreme values do not panic.
        let _ = LogInterval(i8::MIN).duration();
        let _ = LogInterval(i8::MAX).duration();
    }
}
