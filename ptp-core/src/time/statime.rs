//! Exact conversions between our time types and statime's (`statime::time`), which count
//! nanoseconds in 32.32 fixed point (ours: 2^-16 ns). Used where statime code runs inside
//! ours: its Kalman filter as a servo, and its `PtpInstance` in the simulator.

use super::{Duration, Time, FRAC_BITS};

/// Our [`Time`] (2^-16 ns) as statime's (2^-32 ns); exact below 2^64 ns (584 years),
/// saturating above.
pub(crate) fn to_statime_time(t: Time) -> statime::time::Time {
    let nanos = u64::try_from(t.nanos()).unwrap_or(u64::MAX);
    statime::time::Time::from_nanos_subnanos(nanos, u32::from(t.subnanos()) << FRAC_BITS)
}

/// Our [`Duration`] as statime's; exact within ±2^63 ns, saturating beyond.
pub(crate) fn to_statime_duration(d: Duration) -> statime::time::Duration {
    let nanos = d.nanos();
    let frac_scaled = d.scaled_nanos() - (i128::from(nanos) << FRAC_BITS);
    // frac_scaled is in [0, 2^16) when `nanos` did not saturate; it is exact in an f64.
    let frac = if (0..1 << FRAC_BITS).contains(&frac_scaled) {
        frac_scaled as f64 / f64::from(1u32 << FRAC_BITS)
    } else {
        0.0
    };
    statime::time::Duration::from_nanos(nanos) + statime::time::Duration::from_fixed_nanos(frac)
}

/// statime's Duration (2^-32 ns) as ours, rounded towards negative infinity.
pub(crate) fn from_statime_duration(d: statime::time::Duration) -> Duration {
    Duration::from_scaled_nanos(d.nanos().to_bits() >> (32 - FRAC_BITS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_conversions_are_exact() {
        let t = Time::from_scaled_nanos((1_700_000_000_123_456_789u128 << 16) + 0x8001);
        let st = to_statime_time(t);
        assert_eq!(
            st.nanos().to_bits(),
            (1_700_000_000_123_456_789u128 << 32) + (0x8001 << 16)
        );
        for d in [
            Duration::from_scaled_nanos(-5 * 65536 - 3),
            Duration::from_scaled_nanos(12_345 * 65536 + 40_000),
            Duration::ZERO,
            Duration::from_secs(-3),
        ] {
            assert_eq!(from_statime_duration(to_statime_duration(d)), d, "{d:?}");
        }
    }
}
