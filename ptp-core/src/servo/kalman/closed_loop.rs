//! A clock for the servo's closed-loop tests, and the helpers they share.

use super::KalmanServo;
use crate::servo::{Adjustment, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput};
use crate::time::{Duration, Ppb, Time};

/// A clock for closed-loop tests: a phase (ns, local minus master) that grows with its
/// free-running frequency plus the adjustment the servo set.
pub(super) struct TestClock {
    /// Local minus master, ns.
    pub(super) phase: f64,
    /// Free-running frequency, ppb.
    pub(super) free_running: f64,
    /// The servo's last frequency adjustment, ppb.
    adjustment: f64,
    /// Local time of the last reading, s.
    local: f64,
}

impl TestClock {
    pub(super) fn new(phase: f64, free_running: f64) -> Self {
        Self {
            phase,
            free_running,
            adjustment: 0.0,
            local: 1000.0,
        }
    }

    pub(super) fn advance(&mut self, dt: f64) {
        self.phase += (self.free_running + self.adjustment) * dt;
        self.local += dt;
    }

    pub(super) fn now(&self) -> Time {
        Time::from_nanos((self.local * 1e9) as u128)
    }

    pub(super) fn apply(&mut self, out: ServoOutput) {
        match out.adjustment {
            Adjustment::None => {}
            Adjustment::Frequency(f) => self.adjustment = f.get(),
            Adjustment::Step { by, frequency } => {
                self.adjustment = frequency.get();
                self.phase += by.nanos_f64();
                self.local += by.secs_f64();
            }
        }
    }

    /// A Sync measured with `noise` ns of error, corrected by `delay` if given.
    pub(super) fn sync(
        &mut self,
        s: &mut KalmanServo,
        noise: f64,
        delay: Option<f64>,
    ) -> ServoOutput {
        let out = s.sample(&Measurement {
            offset: Duration::from_nanos_f64(self.phase + noise),
            local_time: self.now(),
            mean_path_delay: delay.map(Duration::from_nanos_f64),
        });
        self.apply(out);
        out
    }

    /// A Delay_Req over a path of `delay` ns, measured with `noise` ns of error.
    pub(super) fn delay_req(&mut self, s: &mut KalmanServo, noise: f64, delay: f64) -> ServoOutput {
        let out = s.delay_sample(&DelayMeasurement {
            reverse_offset: Duration::from_nanos_f64(self.phase - delay + noise),
            local_time: self.now(),
        });
        self.apply(out);
        out
    }
}

/// Deterministic noise, uniform in ±`amplitude` ns.
pub(super) fn noise(k: u64, amplitude: f64) -> f64 {
    let h = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11;
    (h as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * amplitude
}

/// `v` µs.
pub(super) fn us(v: i64) -> Duration {
    Duration::from_micros(v)
}

/// A servo with the default configuration, for a clock not adjusted yet.
pub(super) fn servo() -> KalmanServo {
    KalmanServo::new(&ServoConfig::default(), Ppb::ZERO)
}

/// A Sync without a mean path delay, `offset` off, `secs` seconds after the clocks' start.
pub(super) fn sample(s: &mut KalmanServo, offset: Duration, secs: u64) -> ServoOutput {
    s.sample(&Measurement {
        offset,
        local_time: Time::from_secs_nanos(1000 + secs, 0),
        mean_path_delay: None,
    })
}
