//! Typed time, so that nanoseconds, scaled nanoseconds, log intervals and frequencies cannot be
//! mixed up.
//!
//! - [`Time`] is a point on a PTP timescale (unsigned, sub-nanosecond resolution).
//! - [`Duration`] is a signed difference between two [`Time`]s. `Time - Time = Duration` and
//!   `Time ± Duration = Time`; there is no `Time + Time`.
//! - [`TimeInterval`] is the wire's `TimeInterval` (IEEE 1588-2019 5.3.2): nanoseconds scaled by
//!   2^16 in an `i64`, as carried by correctionField and delayAsymmetry.
//! - [`LogInterval`] is a message interval as log2 seconds (IEEE 1588-2019 7.7.2).
//! - [`Ppb`] is a frequency offset in parts per billion; [`ScaledPpm`] is the kernel's
//!   `timex.freq` unit (ppm × 2^16).
//!
//! All of them are fixed-point internally, so arithmetic is exact and deterministic; the
//! conversions to `f64` are named (`*_f64`) so that lossy steps are visible.

mod duration;
mod frequency;
mod instant;
mod log_interval;
mod scaled;
pub(crate) mod statime;

pub use duration::Duration;
pub use frequency::{Ppb, ScaledPpm};
pub use instant::Time;
pub use log_interval::LogInterval;
pub use scaled::TimeInterval;

/// Sub-nanosecond fraction bits used by [`Time`], [`Duration`] and [`TimeInterval`] (2^-16 ns).
pub const FRAC_BITS: u32 = 16;

/// Nanoseconds per second.
pub const NANOS_PER_SEC: u64 = 1_000_000_000;
