//! [`KalmanServo`]: our own servo (`clock_servo kalman`, the default): a Kalman filter of the
//! clock's phase, its frequency and the path delay, steering the phase out by the next Sync.
//!
//! # Model
//!
//! The state, on the local clock: the phase `x` (ns, local minus master, as
//! `offsetFromMaster`), the free-running frequency `y` (ppb: how fast the phase grows with no
//! adjustment applied) and the one-way path delay `d` (ns). Over `dt` seconds, with the
//! frequency adjustment `u` the servo last set,
//!
//! ```text
//! x ← x + (y + u)·dt      y ← y + random walk      d ← d + random walk
//! ```
//!
//! The frequency's random walk has the variance `wander²·dt` ([`super::config::KalmanConfig::wander`]); the
//! delay's, [`DELAY_WANDER`]`·dt`. Three kinds of measurement update the state:
//!
//! - a Sync, with the mean path delay it was corrected with: `t2 − t1 = offset +
//!   meanPathDelay = x + d + noise`, once Delay_Req measurements arrive;
//! - a Delay_Req ([`Servo::delay_sample`]): `t3 − t4 = x − d + noise`;
//! - a Sync while no Delay_Req measurement has come (peer-to-peer delay, or the first Sync):
//!   `offset = x + noise`.
//!
//! With both halves of the exchange the phase does not depend on the engine's delay filter:
//! the filter averages the delay over a long time and the noise of the two halves over its
//! own time constant, which the wander and the noise set.
//!
//! # Noise and outliers
//!
//! The noise variance of Syncs and of Delay_Reqs is estimated separately, from the filter's
//! residuals: a residual squared plus its predicted variance has the measurement variance as
//! its expectation. The estimate is a running mean over the first [`NOISE_WINDOW`]
//! measurements and an exponential average of that length after. A measurement whose
//! innovation lies beyond [`OUTLIER_SIGMAS`] standard deviations is not used — it enters
//! the noise estimate clipped to that bound, so a real increase of the noise raises the
//! estimate until its measurements pass again. After [`MAX_OUTLIERS_IN_A_ROW`] rejections in
//! a row the servo concludes that the clock or the path did move: it widens the phase and
//! delay uncertainty by the surprise and takes the measurement.
//!
//! # Start-up
//!
//! The first Sync initialises the phase (the offset), the delay (the mean path delay, if
//! given) and the frequency (the clock's current adjustment, with 100 ppm of uncertainty).
//! If the offset is above `first_step_threshold` the clock is stepped by −offset (JUMP), as
//! linuxptp's servos do on their first update. Nothing waits for a fixed number of samples:
//! with a wide frequency uncertainty the filter's estimates are the least-squares fit
//! through the samples so far, so the frequency is known roughly after the second Sync and
//! better with each one, and the filter narrows towards its steady state by itself.
//!
//! # Steering
//!
//! After every measurement the servo sets the frequency adjustment to `u = −ŷ − x̂/h`: the
//! estimated free-running frequency cancelled, and the estimated phase removed by the time
//! the next Sync is due (`h` is the sync interval after a Sync, and what is left of it after
//! a Delay_Req, at least a quarter of it), bounded by `max_frequency`. The filter knows what
//! it set, so steering does not disturb the estimates.
//!
//! An offset beyond `step_threshold` (when set) steps the clock by −offset and restarts the
//! phase and delay estimates, keeping the frequency.
//!
//! # States
//!
//! UNLOCKED before the first Sync (and after [`Servo::reset`]); JUMP when the servo steps;
//! LOCKED whenever it steers, LOCKED_STABLE by linuxptp's `servo_offset_threshold` rule on the
//! measured offsets.
//!
//! # Layout
//!
//! `filter` holds the arithmetic (state, covariance, predict and update), `noise` what the
//! measurements tell about themselves (the noise estimates, the outlier gate, the drift
//! test), and `policy` the [`KalmanServo`] around them (start, steps, steering, states).
//!
//! [`Servo::delay_sample`]: super::Servo::delay_sample
//! [`Servo::reset`]: super::Servo::reset

#[cfg(test)]
mod closed_loop;
mod filter;
mod noise;
mod policy;

pub use filter::DELAY_WANDER;
pub use noise::{MAX_OUTLIERS_IN_A_ROW, NOISE_WINDOW, OUTLIER_SIGMAS};
pub use policy::KalmanServo;
