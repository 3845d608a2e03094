//! [`Oscillator`]: a free-running clock driven in true time, with an initial offset, a
//! frequency error and random-walk frequency wander, that accepts the adjustments a servo
//! returns.
//!
//! The clock's reading is true time plus an error. Over a true-time step `dt` the error grows
//! by `dt × (frequency error + wander + frequency adjustment)`. The wander is a random walk:
//! at each step it changes by a normal variate with standard deviation `wander × √dt`
//! (random-walk frequency modulation; its Allan deviation grows as √τ). Drive it in steps no
//! longer than the interval you sample it at; the frequency is held constant within a step.

use super::Rng;
use crate::servo::Adjustment;
use crate::time::{Duration, Ppb, Time};

/// The parameters of an [`Oscillator`].
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OscillatorModel {
    /// Reading minus true time at the start.
    pub initial_offset: Duration,
    /// Constant frequency error (positive: runs fast).
    pub frequency_error: Ppb,
    /// Random-walk wander: standard deviation of the frequency change per √second, in ppb.
    pub wander: Ppb,
}

/// A simulated clock.
#[derive(Clone, Debug)]
pub struct Oscillator {
    model: OscillatorModel,
    rng: Rng,
    true_now: Time,
    error: Duration,
    /// Sub-2^-16 ns remainder of the error, so long runs of tiny steps do not drift.
    error_remainder: f64,
    wander: f64,
    adjustment: Ppb,
}

impl Oscillator {
    /// A clock that starts at true time `start` with the model's initial offset; `rng`
    /// drives its wander.
    pub fn new(model: OscillatorModel, start: Time, rng: Rng) -> Self {
        Self {
            model,
            rng,
            true_now: start,
            error: model.initial_offset,
            error_remainder: 0.0,
            wander: 0.0,
            adjustment: Ppb::ZERO,
        }
    }

    /// True time now.
    pub fn true_time(&self) -> Time {
        self.true_now
    }

    /// The clock's reading now.
    pub fn now(&self) -> Time {
        self.true_now + self.error
    }

    /// The clock's reading at true time `t`, which may lie after the present (the frequency
    /// is taken as it is now, without further wander).
    pub fn reading_at(&self, t: Time) -> Time {
        let dt = (t - self.true_now).nanos_f64();
        self.true_now
            + self.error
            + (t - self.true_now)
            + Duration::from_nanos_f64(dt * self.frequency_offset().ratio())
    }

    /// Reading minus true time.
    pub fn error(&self) -> Duration {
        self.error
    }

    /// The clock's total frequency offset from true time: error + wander + adjustment.
    pub fn frequency_offset(&self) -> Ppb {
        self.model.frequency_error + Ppb(self.wander) + self.adjustment
    }

    /// The frequency adjustment currently applied.
    pub fn adjustment(&self) -> Ppb {
        self.adjustment
    }

    /// Runs the clock forward to true time `t` (ignored if `t` is not later than now).
    pub fn advance_to(&mut self, t: Time) {
        if t <= self.true_now {
            return;
        }
        let dt_ns = (t - self.true_now).nanos_f64();
        let grown = dt_ns * self.frequency_offset().ratio() + self.error_remainder;
        let step = Duration::from_nanos_f64(grown);
        self.error_remainder = grown - step.nanos_f64();
        self.error += step;
        let sigma = self.model.wander.get() * (dt_ns * 1e-9).sqrt();
        if sigma > 0.0 {
            self.wander += sigma * self.rng.normal();
        }
        self.true_now = t;
    }

    /// Sets the absolute frequency adjustment (as `clock_adjtime(ADJ_FREQUENCY)`).
    pub fn set_frequency(&mut self, f: Ppb) {
        self.adjustment = f;
    }

    /// Adds `by` to the reading.
    pub fn step(&mut self, by: Duration) {
        self.error += by;
    }

    /// Carries out a servo's adjustment.
    pub fn apply(&mut self, adjustment: Adjustment) {
        match adjustment {
            Adjustment::None => {}
            Adjustment::Frequency(f) => self.set_frequency(f),
            Adjustment::Step { by, frequency } => {
                self.set_frequency(frequency);
                self.step(by);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(offset_us: i64, ppb: f64, wander: f64) -> OscillatorModel {
        OscillatorModel {
            initial_offset: Duration::from_micros(offset_us),
            frequency_error: Ppb(ppb),
            wander: Ppb(wander),
        }
    }

    #[test]
    fn frequency_error_accumulates_and_adjustments_apply() {
        let start = Time::from_secs_nanos(10, 0);
        let mut o = Oscillator::new(model(5, 10_000.0, 0.0), start, Rng::seed_from_u64(1));
        assert_eq!(o.error(), Duration::from_micros(5));
        assert_eq!(o.now(), start + Duration::from_micros(5));
        // 10 ppm over 2 s in 1000 steps: 20 µs.
        for i in 1..=1000u64 {
            o.advance_to(start + Duration::from_millis(2) * i as i64);
        }
        assert_eq!(o.error(), Duration::from_micros(25));
        o.apply(Adjustment::Step {
            by: Duration::from_micros(-25),
            frequency: Ppb(-10_000.0),
        });
        assert_eq!(o.error(), Duration::ZERO);
        o.advance_to(start + Duration::from_secs(100));
        assert_eq!(o.error(), Duration::ZERO);
        o.apply(Adjustment::Frequency(Ppb(-9_000.0)));
        assert_eq!(
            o.reading_at(start + Duration::from_secs(101)) - (start + Duration::from_secs(101)),
            Duration::from_micros(1)
        );
    }

    #[test]
    fn wander_is_seeded_and_scales_with_sqrt_time() {
        let run = |seed| {
            let start = Time::EPOCH;
            let mut o = Oscillator::new(model(0, 0.0, 1.0), start, Rng::seed_from_u64(seed));
            let mut finals = 0.0;
            for i in 1..=100u64 {
                o.advance_to(start + Duration::from_secs(1) * i as i64);
            }
            finals += o.frequency_offset().get();
            (finals, o.error())
        };
        assert_eq!(run(5), run(5));
        assert_ne!(run(5), run(6));
        // Over many seeds the wander after 100 s has a standard deviation of 1 ppb·√100 = 10.
        let n = 400;
        let var = (0..n).map(|s| run(s).0.powi(2)).sum::<f64>() / n as f64;
        assert!((var.sqrt() - 10.0).abs() < 1.0, "{}", var.sqrt());
    }
}
