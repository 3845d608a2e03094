//! What the measurements tell about themselves, for the filter's updates: the estimate of
//! their noise variance ([`NoiseEstimate`], one per kind of measurement), and the [`Gate`]
//! that judges each innovation against it — an outlier to set aside, a run of outliers or a
//! drift ([`DriftTest`]) that says the clock or the path moved, or a measurement to take.

use crate::servo::TimestampingMode;
use crate::time::{Duration, Time};

/// Innovations beyond this many standard deviations are outliers.
pub const OUTLIER_SIGMAS: f64 = 5.0;
/// Outliers in a row after which the servo takes the next measurement as real.
pub const MAX_OUTLIERS_IN_A_ROW: u32 = 4;
/// Length, in measurements, of the noise-variance average.
pub const NOISE_WINDOW: u32 = 64;
/// Allowance of the drift test, in standard deviations per measurement: normalised
/// innovations smaller than this do not add up.
const DRIFT_SLACK: f64 = 0.5;
/// Sum of normalised innovations (less the slack) of one sign at which the drift test
/// concludes that the phase is running away. With Gaussian noise a false alarm comes about
/// once in 10^7 measurements (Siegmund's approximation); a drift of two standard deviations
/// per measurement is caught after about eleven. At half this threshold false alarms (once
/// in 10^4) cost the default servo a third more RMS error in `sim_servo_convergence`.
const DRIFT_ALARM: f64 = 16.0;
/// Noise estimates from fewer measurements than this do not reject outliers.
const NOISE_SAMPLES_BEFORE_GATING: u32 = 8;
/// Floor of the noise variance estimate, in ns² (0.1 ns RMS).
const MIN_NOISE_VARIANCE: f64 = 0.01;
/// Noise variance assumed until estimated: (1 µs)² with software time stamps…
const SOFTWARE_INITIAL_NOISE: f64 = 1e6;
/// …and (100 ns)² with hardware time stamps, in ns².
const HARDWARE_INITIAL_NOISE: f64 = 1e4;

/// The noise variance (ns²) assumed for measurements time-stamped as `mode` says, until
/// estimated.
pub(super) fn initial_noise(mode: TimestampingMode) -> f64 {
    match mode {
        TimestampingMode::Software => SOFTWARE_INITIAL_NOISE,
        TimestampingMode::Hardware => HARDWARE_INITIAL_NOISE,
    }
}

/// A running estimate of a measurement's noise variance.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct NoiseEstimate {
    /// The estimate, ns².
    pub(super) variance: f64,
    samples: u32,
}

impl NoiseEstimate {
    pub(super) fn new(variance: f64) -> Self {
        Self {
            variance,
            samples: 0,
        }
    }

    /// Learns from an update: `innovation` (clipped to the outlier bound if it was one) and
    /// `predicted`, the variance of the prediction it was measured against. The residual
    /// after the update squared, plus its predicted variance, has the measurement variance as
    /// its expectation. Only once the prediction is at least as good as one measurement:
    /// before that the residual says nothing about the noise.
    pub(super) fn learn(&mut self, innovation: f64, predicted: f64) {
        let r = self.variance;
        if predicted <= r {
            let s = predicted + r;
            let residual = innovation * r / s;
            self.add(residual * residual + predicted * r / s);
        }
    }

    fn add(&mut self, sample: f64) {
        self.samples = self.samples.saturating_add(1);
        let weight = 1.0 / f64::from(self.samples.min(NOISE_WINDOW));
        self.variance = (self.variance + weight * (sample - self.variance)).max(MIN_NOISE_VARIANCE);
    }

    fn gates(&self) -> bool {
        self.samples >= NOISE_SAMPLES_BEFORE_GATING
    }
}

/// What the [`Gate`] makes of a measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Verdict {
    /// Use it.
    Take,
    /// An outlier: do not use it. It enters the noise estimate clipped to `bound`, so a real
    /// increase of the noise raises the estimate until its measurements pass again.
    Reject {
        /// The outlier bound, ns.
        bound: f64,
    },
    /// Something moved (too many outliers in a row, or the drift test's alarm): the phase or
    /// the delay by about the innovation, or a frequency by about the innovation per
    /// `elapsed` seconds. Widen the uncertainty, then use it.
    Widen {
        /// Seconds over which it moved.
        elapsed: f64,
    },
}

/// Judges innovations: the outliers rejected in a row and the drift test.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Gate {
    outliers_in_a_row: u32,
    drift: DriftTest,
}

impl Gate {
    /// A gate whose first measurement is taken at local time `at`.
    pub(super) fn new(at: Time) -> Self {
        Self {
            outliers_in_a_row: 0,
            drift: DriftTest::new(at),
        }
    }

    /// Judges `innovation`, whose prediction had the variance `predicted`, of a measurement
    /// with the noise `noise` at local time `at`; the last measurement taken was at
    /// `last_taken`.
    pub(super) fn judge(
        &mut self,
        innovation: f64,
        predicted: f64,
        noise: &NoiseEstimate,
        at: Time,
        last_taken: Time,
    ) -> Verdict {
        let bound = OUTLIER_SIGMAS * (predicted + noise.variance).sqrt();
        if noise.gates() && innovation.abs() > bound {
            if self.outliers_in_a_row < MAX_OUTLIERS_IN_A_ROW {
                self.outliers_in_a_row += 1;
                return Verdict::Reject { bound };
            }
            // Too many in a row to be noise: the clock or the path moved, or the phase ran
            // away since the last measurement taken. Take this one.
            self.outliers_in_a_row = 0;
            self.drift = DriftTest::new(at);
            return Verdict::Widen {
                elapsed: (at - last_taken).secs_f64(),
            };
        }
        self.outliers_in_a_row = 0;
        let normalised = innovation / (predicted + noise.variance).sqrt();
        match self.drift.add(normalised, at, last_taken) {
            Some(elapsed) => Verdict::Widen { elapsed },
            None => Verdict::Take,
        }
    }

    /// The clock was stepped by `by`: local times move with it.
    pub(super) fn step(&mut self, by: Duration) {
        self.drift.step(by);
    }
}

/// A two-sided CUSUM test of the normalised innovations of the measurements taken. When a
/// frequency (the master's, or ours) changes by more than the wander allows for, the phase
/// runs away a little more with every measurement; each innovation stays below the outlier
/// bound, the noise estimate grows with them, and without this test the filter would take the
/// run-away for noise.
#[derive(Clone, Copy, Debug, PartialEq)]
struct DriftTest {
    /// Excess sums of positive and negative innovations.
    up: f64,
    down: f64,
    /// Local times at which each sum last left zero.
    up_since: Time,
    down_since: Time,
}

impl DriftTest {
    fn new(at: Time) -> Self {
        Self {
            up: 0.0,
            down: 0.0,
            up_since: at,
            down_since: at,
        }
    }

    /// Adds the normalised innovation `n` of a measurement at local time `at` (the one
    /// before was taken at `previous`). On an alarm, returns how many seconds the drift has
    /// lasted and starts over.
    fn add(&mut self, n: f64, at: Time, previous: Time) -> Option<f64> {
        if self.up == 0.0 {
            self.up_since = previous;
        }
        if self.down == 0.0 {
            self.down_since = previous;
        }
        self.up = (self.up + n - DRIFT_SLACK).max(0.0);
        self.down = (self.down - n - DRIFT_SLACK).max(0.0);
        let since = if self.up > DRIFT_ALARM {
            self.up_since
        } else if self.down > DRIFT_ALARM {
            self.down_since
        } else {
            return None;
        };
        *self = Self::new(at);
        Some((at - since).secs_f64())
    }

    fn step(&mut self, by: Duration) {
        self.up_since += by;
        self.down_since += by;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servo::kalman::closed_loop::{noise, servo, us, TestClock};
    use crate::servo::kalman::KalmanServo;
    use crate::servo::ServoState;

    #[test]
    fn noise_is_estimated_and_an_outlier_is_ignored() {
        let mut s = servo();
        let mut clock = TestClock::new(0.0, 1_000.0);
        for k in 0..300u64 {
            // Uniform ±500 ns: 289 ns RMS.
            clock.sync(&mut s, noise(k, 500.0), None);
            clock.advance(1.0);
        }
        let sigma = s.sync_noise().nanos_f64();
        assert!((200.0..400.0).contains(&sigma), "{sigma}");
        assert!(clock.phase.abs() < 200.0, "{}", clock.phase);
        // One Sync 100 µs off (a delayed time stamp) leaves the estimates alone.
        let frequency = s.estimated_frequency();
        let out = clock.sync(&mut s, 100_000.0, None);
        assert_eq!(out.state, ServoState::Locked);
        assert_eq!(s.estimated_frequency(), frequency);
        clock.advance(1.0);
        assert!(clock.phase.abs() < 200.0, "{}", clock.phase);
    }

    #[test]
    fn a_lasting_jump_is_followed_after_a_few_outliers() {
        let mut s = servo();
        let mut clock = TestClock::new(0.0, 0.0);
        for k in 0..100u64 {
            clock.sync(&mut s, noise(k, 100.0), None);
            clock.advance(1.0);
        }
        // The master moves 10 µs (below first_step_threshold, no step_threshold): the first
        // Syncs after it are taken for outliers…
        clock.phase += 10_000.0;
        let frequency = s.estimated_frequency();
        for k in 0..MAX_OUTLIERS_IN_A_ROW {
            clock.sync(&mut s, noise(u64::from(k), 100.0), None);
            assert_eq!(s.estimated_frequency(), frequency, "sync {k}");
            clock.advance(1.0);
        }
        // …then the servo follows.
        clock.sync(&mut s, 0.0, None);
        assert!(s.estimated_offset() > us(5), "{:?}", s.estimated_offset());
        for k in 0..30u64 {
            clock.advance(1.0);
            clock.sync(&mut s, noise(k, 100.0), None);
        }
        assert!(clock.phase.abs() < 200.0, "{}", clock.phase);
    }

    #[test]
    fn a_frequency_change_of_the_master_is_followed() {
        // Locked, then the master's frequency changes. By 2 ppm with exact time stamps, the
        // phase runs away at 2 µs/s, which the first Syncs after it show as outliers. By
        // 30 ppb under 60 ns RMS of noise, each measurement is only a little further off than
        // the last, well within the outlier bound, and the noise estimate grows with them.
        // Either way the servo must learn the new frequency: not take the run-away for
        // noise, nor only jump the phase back now and then.
        for (change, amplitude, phase_bound, frequency_bound) in
            [(2_000.0, 0.0, 1.0, 0.1), (30.0, 100.0, 100.0, 5.0)]
        {
            let mut s = servo();
            let mut clock = TestClock::new(0.0, 5_000.0);
            let exchange = |s: &mut KalmanServo, clock: &mut TestClock, k: u64| {
                clock.sync(s, noise(2 * k, amplitude), Some(50_000.0));
                clock.advance(0.5);
                clock.delay_req(s, noise(2 * k + 1, amplitude), 50_000.0);
                clock.advance(0.5);
            };
            for k in 0..200 {
                exchange(&mut s, &mut clock, k);
            }
            clock.free_running += change;
            let mut worst: f64 = 0.0;
            for k in 200..400 {
                exchange(&mut s, &mut clock, k);
                if k >= 300 {
                    worst = worst.max(clock.phase.abs());
                }
            }
            let f = s.estimated_frequency().get();
            assert!(
                (f + 5_000.0 + change).abs() < frequency_bound,
                "{change}: {f}"
            );
            assert!(worst < phase_bound, "{change}: {worst}");
        }
    }
}
