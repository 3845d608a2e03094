//! [`LinregServo`]: linuxptp's linear-regression servo (`clock_servo linreg`).
//!
//! # Algorithm
//!
//! The servo keeps the last 64 samples as points (x = local time with the servo's own
//! frequency corrections removed, y = estimated master time = local time − offset). On every
//! sample it fits a line through the newest 4, 8, 16, 32 and 64 points. For each size it
//! tracks how well the previous fit predicted the new point (average of the first 10 errors,
//! then an exponential average with weight 0.02), and it uses the largest size whose error is
//! within 5 % of the best so far. The fit's slope gives the frequency; its intercept (the
//! predicted offset now) is corrected over one sync interval for up to 16 points, and over
//! `size/2` intervals (log2 size) for more.
//!
//! It steps (JUMP) when the predicted offset is above `first_step_threshold` on the first
//! update or above `step_threshold`, and moves its points along with the clock. Leap second
//! handling (`linreg_leap`) is left to the caller, which resets the servo across a leap.
//!
//! Frequencies are what the clock is set to (positive: faster).

use super::state::Supervisor;
use super::{
    linuxptp_output, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput, ServoState,
};
use crate::time::{Duration, Ppb, Time};

/// log2 of the smallest regression size.
const MIN_SIZE: usize = 2;
/// log2 of the largest regression size.
const MAX_SIZE: usize = 6;
/// Number of regression sizes.
const SIZES: usize = MAX_SIZE - MIN_SIZE + 1;
/// Points kept.
const MAX_POINTS: usize = 1 << MAX_SIZE;
/// Weight of a new prediction error in the long-term average.
const ERR_SMOOTH: f64 = 0.02;
/// Prediction errors averaged plainly before the exponential average takes over.
const ERR_INITIAL_UPDATES: u32 = 10;
/// Two errors within this ratio count as equal (the larger size then wins).
const ERR_EQUALS: f64 = 1.05;

/// A point, in nanoseconds relative to where the servo started (wrapping like linuxptp's
/// unsigned arithmetic, so it never overflows).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Point {
    x: i64,
    y: i64,
}

/// The regression of one size.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Fit {
    /// Slope of y over x; zero until the size has enough points.
    slope: f64,
    /// y − reference.y predicted at reference.x, in ns.
    intercept: f64,
    /// Average absolute prediction error, in ns.
    err: f64,
    err_updates: u32,
}

/// linuxptp's linear-regression servo.
#[derive(Clone, Debug)]
pub struct LinregServo {
    points: [Point; MAX_POINTS],
    /// The current position in x and y.
    reference: Point,
    num_points: usize,
    last_point: usize,
    x_remainder: f64,
    last_update: Option<Time>,
    fits: [Fit; SIZES],
    /// Index into `fits` of the size used last, if any.
    best: Option<usize>,
    /// The clock's frequency adjustment, in ppb.
    clock_freq: f64,
    update_interval_secs: f64,
    max_frequency: f64,
    state: ServoState,
    supervisor: Supervisor,
}

impl LinregServo {
    /// Creates the servo for a clock whose frequency adjustment is `current_frequency`.
    pub fn new(config: &ServoConfig, current_frequency: Ppb) -> Self {
        let mut servo = Self {
            points: [Point::default(); MAX_POINTS],
            reference: Point::default(),
            num_points: 0,
            last_point: 0,
            x_remainder: 0.0,
            last_update: None,
            fits: [Fit::default(); SIZES],
            best: None,
            clock_freq: current_frequency.get(),
            update_interval_secs: 1.0,
            max_frequency: config.max_frequency.get().abs(),
            state: ServoState::Unlocked,
            supervisor: Supervisor::from_config(config),
        };
        servo.set_sync_interval(config.sync_interval);
        servo
    }

    /// The number of points of the regression used last (4..64), if any.
    pub fn regression_points(&self) -> Option<usize> {
        self.best.map(|k| 1 << (k + MIN_SIZE))
    }

    /// The frequency the servo last asked for.
    pub fn frequency(&self) -> Ppb {
        Ppb(self.clock_freq)
    }

    fn move_reference(&mut self, dx: i64, dy: i64) {
        self.reference.x = self.reference.x.wrapping_add(dx);
        self.reference.y = self.reference.y.wrapping_add(dy);
        for fit in &mut self.fits {
            fit.intercept += dx as f64 * fit.slope - dy as f64;
        }
    }

    /// Advances the reference to `local`, converting the elapsed local time into the
    /// servo's uncorrected time scale.
    fn update_reference(&mut self, local: Time) {
        if let Some(last) = self.last_update {
            let dy = (local - last).nanos_rounded();
            let dx = dy as f64 / (1.0 + self.clock_freq / 1e9) + self.x_remainder;
            let whole = dx.trunc();
            self.x_remainder = dx - whole;
            // `as` saturates; elapsed times are far below the i64 range anyway.
            self.move_reference(whole as i64, dy);
        }
        self.last_update = Some(local);
    }

    fn add_sample(&mut self, offset_ns: i64) {
        self.last_point = (self.last_point + 1) % MAX_POINTS;
        let point = Point {
            x: self.reference.x,
            y: self.reference.y.wrapping_sub(offset_ns),
        };
        if let Some(p) = self.points.get_mut(self.last_point) {
            *p = point;
        }
        self.num_points = (self.num_points + 1).min(MAX_POINTS);
    }

    fn point_back(&self, age: usize) -> Point {
        let i = (MAX_POINTS + self.last_point - age % MAX_POINTS) % MAX_POINTS;
        self.points.get(i).copied().unwrap_or_default()
    }

    /// Updates the prediction errors with the newest point, then refits every size that has
    /// enough points (sums are shared: each size adds the next older points).
    fn regress(&mut self) {
        let newest = self.point_back(0);
        let y0 = newest.y.wrapping_sub(self.reference.y) as f64;
        let (mut sx, mut sy, mut sxy, mut sxx) = (0.0, 0.0, 0.0, 0.0);
        let mut used = 0;
        for k in 0..SIZES {
            let n = 1usize << (k + MIN_SIZE);
            if n > self.num_points {
                break;
            }
            while used < n {
                let p = self.point_back(used);
                let x = p.x.wrapping_sub(self.reference.x) as f64;
                let y = p.y.wrapping_sub(self.reference.y) as f64;
                sx += x;
                sy += y;
                sxy += x * y;
                sxx += x * x;
                used += 1;
            }
            let Some(fit) = self.fits.get_mut(k) else {
                break;
            };
            if fit.slope != 0.0 {
                let e = (fit.intercept - y0).abs();
                if fit.err_updates < ERR_INITIAL_UPDATES {
                    fit.err =
                        (fit.err * f64::from(fit.err_updates) + e) / f64::from(fit.err_updates + 1);
                    fit.err_updates += 1;
                } else {
                    fit.err += ERR_SMOOTH * (e - fit.err);
                }
            }
            let nf = n as f64;
            let slope = (sxy - sx * sy / nf) / (sxx - sx * sx / nf);
            if slope.is_finite() {
                fit.slope = slope;
                fit.intercept = (sy - slope * sx) / nf;
            }
        }
    }

    /// The largest size whose prediction error is (within 5 %) the smallest.
    fn best_size(&self) -> Option<usize> {
        let mut best: Option<(usize, f64)> = None;
        for (k, fit) in self.fits.iter().enumerate() {
            let first = best.is_none() && fit.slope != 0.0;
            let better = best.is_some_and(|(_, err)| err * ERR_EQUALS > fit.err)
                && fit.err_updates >= ERR_INITIAL_UPDATES;
            if first || better {
                best = Some((k, fit.err));
            }
        }
        best.map(|(k, _)| k)
    }

    fn run(&mut self, offset: Duration, local: Time) -> ServoState {
        let offset_ns = offset.nanos_rounded();
        self.update_reference(local);
        self.add_sample(offset_ns);
        self.regress();
        self.best = self.best_size();
        let Some(k) = self.best else {
            return ServoState::Unlocked;
        };
        let intercept = self.fits.get(k).map_or(0.0, |f| f.intercept);
        let state = if self
            .supervisor
            .wants_step(Duration::from_nanos_f64(intercept))
        {
            // The clock is stepped by −offset: move the points with it.
            self.move_reference(0, offset_ns.wrapping_neg());
            self.last_update = self.last_update.map(|t| t - offset);
            ServoState::Jump
        } else {
            ServoState::Locked
        };
        let fit = self.fits.get(k).copied().unwrap_or_default();
        let log2_size = k + MIN_SIZE;
        let corr_intervals = if log2_size <= 4 { 1 } else { log2_size / 2 };
        let f = 1e9 * (fit.slope - 1.0)
            + fit.intercept / self.update_interval_secs / corr_intervals as f64;
        self.clock_freq = if f.is_nan() {
            self.clock_freq
        } else {
            f.clamp(-self.max_frequency, self.max_frequency)
        };
        state
    }
}

impl Servo for LinregServo {
    fn sample(&mut self, m: &Measurement) -> ServoOutput {
        let raw = self.run(m.offset, m.local_time);
        self.state = self.supervisor.finish(raw, m.offset);
        linuxptp_output(self.state, Ppb(self.clock_freq), m.offset)
    }

    fn delay_sample(&mut self, _m: &DelayMeasurement) -> ServoOutput {
        ServoOutput {
            state: self.state,
            ..ServoOutput::default()
        }
    }

    fn set_sync_interval(&mut self, interval: Duration) {
        let s = interval.secs_f64();
        if s > 0.0 && s.is_finite() {
            self.update_interval_secs = s;
        }
    }

    fn reset(&mut self) {
        self.num_points = 0;
        self.last_update = None;
        self.best = None;
        for fit in &mut self.fits {
            fit.slope = 0.0;
            fit.err_updates = 0;
        }
        self.state = ServoState::Unlocked;
    }

    /// New bound, thresholds and update interval; the points, fits and frequency are kept.
    fn reconfigure(&mut self, config: &ServoConfig) {
        self.max_frequency = config.max_frequency.get().abs();
        self.supervisor.reconfigure(Supervisor::from_config(config));
        self.set_sync_interval(config.sync_interval);
    }

    fn state(&self) -> ServoState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::super::Adjustment;
    use super::*;

    fn at(secs: u64) -> Time {
        Time::from_secs_nanos(1000 + secs, 0)
    }

    fn sample(s: &mut LinregServo, offset_ns: i64, secs: u64) -> ServoOutput {
        s.sample(&Measurement {
            offset: Duration::from_nanos(offset_ns),
            local_time: at(secs),
            mean_path_delay: None,
        })
    }

    fn frequency(out: ServoOutput) -> f64 {
        match out.adjustment {
            Adjustment::Frequency(f) => f.get(),
            other => panic!("expected a frequency, got {other:?}"),
        }
    }

    #[test]
    fn unlocked_until_four_points() {
        let mut s = LinregServo::new(&ServoConfig::default(), Ppb::ZERO);
        for t in 0..3 {
            let out = sample(&mut s, 1000, t);
            assert_eq!(out.state, ServoState::Unlocked);
            assert_eq!(out.adjustment, Adjustment::None);
        }
        // Constant 1 µs ahead: slope 1, intercept −1000 ns, corrected over one interval.
        let out = sample(&mut s, 1000, 3);
        assert_eq!(out.state, ServoState::Locked);
        assert!((frequency(out) + 1000.0).abs() < 1e-3, "{out:?}");
        assert_eq!(s.regression_points(), Some(4));
    }

    #[test]
    fn slope_gives_frequency() {
        // The clock gains 1 µs per second while the servo's output is not applied: it is
        // 1000 ppb fast. At the 4th sample the offset is 3 µs: −1000 − 3000 ppb.
        let mut s = LinregServo::new(&ServoConfig::default(), Ppb::ZERO);
        let mut out = ServoOutput::default();
        for t in 0..4 {
            out = sample(&mut s, 1000 * t as i64, t);
        }
        assert_eq!(out.state, ServoState::Locked);
        assert!((frequency(out) + 4000.0).abs() < 1e-3, "{out:?}");
    }

    #[test]
    fn correction_is_spread_over_the_sync_interval() {
        let c = ServoConfig {
            sync_interval: Duration::from_secs(2),
            ..ServoConfig::default()
        };
        let mut s = LinregServo::new(&c, Ppb::ZERO);
        let mut out = ServoOutput::default();
        for t in 0..4 {
            out = sample(&mut s, 1000, 2 * t);
        }
        assert!((frequency(out) + 500.0).abs() < 1e-3, "{out:?}");
    }

    #[test]
    fn first_step_uses_the_predicted_offset_and_moves_the_points() {
        let mut s = LinregServo::new(&ServoConfig::default(), Ppb(42.0));
        for t in 0..3 {
            sample(&mut s, 100_000, t);
        }
        let out = sample(&mut s, 100_000, 3);
        assert_eq!(out.state, ServoState::Jump);
        match out.adjustment {
            Adjustment::Step { by, frequency } => {
                assert_eq!(by, Duration::from_micros(-100));
                // After the step the predicted offset is zero, and the points show no
                // frequency error on top of the 42 ppb already applied.
                assert!((frequency.get() - 42.0).abs() < 1e-3, "{frequency:?}");
            }
            other => panic!("expected a step, got {other:?}"),
        }
        // The clock was stepped: the next local time is 100 µs earlier and the offset zero.
        let out = s.sample(&Measurement {
            offset: Duration::ZERO,
            local_time: at(4) - Duration::from_micros(100),
            mean_path_delay: None,
        });
        assert_eq!(out.state, ServoState::Locked);
        assert!((frequency(out) - 42.0).abs() < 1e-3, "{out:?}");
    }

    #[test]
    fn frequency_is_clamped() {
        let c = ServoConfig {
            max_frequency: Ppb(500.0),
            ..ServoConfig::default()
        };
        let mut s = LinregServo::new(&c, Ppb::ZERO);
        let mut out = ServoOutput::default();
        for t in 0..4 {
            out = sample(&mut s, 10_000, t);
        }
        assert_eq!(frequency(out), -500.0);
    }

    #[test]
    fn noise_selects_the_largest_regression() {
        // A clock with a 100 ppb error steered by the servo (its output applied, one sample
        // per second) and white measurement noise of ±500 ns: the long regressions predict
        // best.
        let mut s = LinregServo::new(&ServoConfig::default(), Ppb::ZERO);
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let (mut offset, mut freq) = (0.0f64, 0.0f64);
        for t in 0..400u64 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let noise = (x % 1001) as f64 - 500.0;
            let out = s.sample(&Measurement {
                offset: Duration::from_nanos_f64(offset + noise),
                local_time: at(t) + Duration::from_nanos_f64(offset),
                mean_path_delay: None,
            });
            if let Adjustment::Frequency(f) = out.adjustment {
                freq = f.get();
            }
            offset += 100.0 + freq;
        }
        assert_eq!(s.regression_points(), Some(64));
        assert!(offset.abs() < 1000.0, "{offset}");
    }

    #[test]
    fn reset_forgets_points() {
        let mut s = LinregServo::new(&ServoConfig::default(), Ppb::ZERO);
        for t in 0..6 {
            sample(&mut s, 0, t);
        }
        assert_eq!(s.state(), ServoState::Locked);
        s.reset();
        assert_eq!(s.state(), ServoState::Unlocked);
        assert_eq!(sample(&mut s, 0, 7).state, ServoState::Unlocked);
        assert_eq!(s.regression_points(), None);
    }
}
