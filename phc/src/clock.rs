//! The [`Clock`] trait: what a servo needs from any clock it steers.

use ptp_core::time::{Duration, Ppb, Time};

use crate::ClockError;

/// A clock that can be read, stepped and slewed: a PHC, the system clock or a virtual clock.
///
/// Times are on the clock's own timescale: a PHC usually counts TAI, `CLOCK_REALTIME` counts
/// UTC; converting between the two (the UTC offset) is the caller's business.
///
/// Frequency is an offset from the clock's nominal rate: `+100 ppb` makes it run 100 ns per
/// second faster. It is absolute, not cumulative: setting `+100` twice leaves it at `+100`.
pub trait Clock {
    /// The current time.
    fn now(&self) -> Result<Time, ClockError>;

    /// Sets the clock to `time` (a step to an absolute value).
    fn set_time(&mut self, time: Time) -> Result<(), ClockError>;

    /// Steps the clock by `offset` (positive moves it forward).
    fn step(&mut self, offset: Duration) -> Result<(), ClockError>;

    /// Sets the frequency offset, clamped to ±[`Clock::max_frequency`]. Returns the value
    /// applied, after clamping and rounding to the clock's unit.
    fn set_frequency(&mut self, frequency: Ppb) -> Result<Ppb, ClockError>;

    /// The frequency offset in effect.
    fn frequency(&self) -> Result<Ppb, ClockError>;

    /// The largest frequency offset this clock accepts (a PHC's `max_adj`).
    fn max_frequency(&self) -> Ppb;

    /// Hands a phase offset to the clock to slew out by itself (a PHC's `adjphase`,
    /// `ADJ_OFFSET`). Clocks without that capability return [`ClockError::Unsupported`].
    fn adjust_phase(&mut self, offset: Duration) -> Result<(), ClockError> {
        let _ = offset;
        Err(ClockError::Unsupported("phase adjustment"))
    }
}
