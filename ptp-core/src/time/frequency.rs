//! Frequency offsets: [`Ppb`] for the servos, [`ScaledPpm`] for the kernel.

use core::fmt;
use core::ops::{Add, Neg, Sub};

/// A frequency offset in parts per billion (ns/s). Positive means "runs fast".
///
/// This is the servos' unit (linuxptp's `freq` column and `max_frequency`).
#[derive(Clone, Copy, Default, PartialEq, PartialOrd)]
pub struct Ppb(pub f64);

impl Ppb {
    /// Zero offset.
    pub const ZERO: Self = Self(0.0);

    /// The value in ppb.
    pub const fn get(self) -> f64 {
        self.0
    }

    /// Clamps to ±`limit` (taken as absolute); NaN becomes zero.
    pub fn clamp_abs(self, limit: Ppb) -> Self {
        let l = limit.0.abs();
        if self.0.is_nan() {
            Self::ZERO
        } else {
            Self(self.0.clamp(-l, l))
        }
    }

    /// As a ratio (ppb × 10^-9).
    pub fn ratio(self) -> f64 {
        self.0 * 1e-9
    }
}

impl Add for Ppb {
    type Output = Self;
    fn add(self, rhs: Self) -> Self {
        Self(self.0 + rhs.0)
    }
}

impl Sub for Ppb {
    type Output = Self;
    fn sub(self, rhs: Self) -> Self {
        Self(self.0 - rhs.0)
    }
}

impl Neg for Ppb {
    type Output = Self;
    fn neg(self) -> Self {
        Self(-self.0)
    }
}

impl fmt::Debug for Ppb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}ppb", self.0)
    }
}

/// A frequency offset in ppm × 2^16: the unit of `struct timex`'s `freq` field and of the PHC
/// `adjfine` callback.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ScaledPpm(pub i64);

impl From<Ppb> for ScaledPpm {
    /// Rounds to nearest; saturates at the `i64` range and maps NaN to zero.
    fn from(p: Ppb) -> Self {
        // ppb / 1000 * 65536 = ppb * 65.536
        Self((p.0 * 65.536).round() as i64)
    }
}

impl From<ScaledPpm> for Ppb {
    fn from(s: ScaledPpm) -> Self {
        Self(s.0 as f64 / 65.536)
    }
}

impl fmt::Debug for ScaledPpm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ScaledPpm({} = {:?})", self.0, Ppb::from(*self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scaled_ppm_conversion() {
        assert_eq!(ScaledPpm::from(Ppb(1000.0)), ScaledPpm(65536));
        assert_eq!(Ppb::from(ScaledPpm(65536)), Ppb(1000.0));
        assert_eq!(ScaledPpm::from(Ppb(f64::NAN)), ScaledPpm(0));
    }

    #[test]
    fn clamp() {
        assert_eq!(Ppb(5e8).clamp_abs(Ppb(9e7)), Ppb(9e7));
        assert_eq!(Ppb(-5e8).clamp_abs(Ppb(9e7)), Ppb(-9e7));
        assert_eq!(Ppb(f64::NAN).clamp_abs(Ppb(1.0)), Ppb::ZERO);
    }
}
