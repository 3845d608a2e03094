//! The filter arithmetic: the state (phase, free-running frequency, path delay), its
//! covariance, the prediction over time with the frequency adjustment the servo set, and the
//! update with one measurement, which the noise module's [`Gate`] judges first. The model is
//! in the [parent module's documentation](super).

use super::noise::{Gate, NoiseEstimate, Verdict};
use crate::servo::Measurement;
use crate::time::{Duration, Time};

/// Standard deviation of the path delay when no mean path delay came with the first Sync
/// (1 ms, in ns).
const UNKNOWN_DELAY_SIGMA: f64 = 1_000_000.0;
/// Random-walk variance of the path delay, in ns² per second (1 ns/√s).
pub const DELAY_WANDER: f64 = 1.0;

/// A state vector (phase ns, free-running frequency ppb, delay ns) or a row of the
/// measurement matrix.
pub(super) type Vector = [f64; 3];

fn dot(a: &Vector, b: &Vector) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

/// Which measurement noise an update uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    Sync,
    DelayReq,
}

/// The filter proper: estimates, their covariance, the noise estimates and the gate.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Filter {
    /// Phase (ns), free-running frequency (ppb), one-way delay (ns).
    pub(super) x: Vector,
    /// Covariance of `x`.
    pub(super) p: [Vector; 3],
    /// Local time the estimates refer to.
    pub(super) at: Time,
    /// Local time of the last Sync.
    pub(super) last_sync: Time,
    /// Local time of the last measurement taken (not rejected as an outlier).
    last_accepted: Time,
    pub(super) sync_noise: NoiseEstimate,
    pub(super) delay_noise: NoiseEstimate,
    /// Delay_Req measurements arrive: Syncs are used as `t2 − t1`.
    pub(super) two_way: bool,
    gate: Gate,
    /// Started by a step beyond `step_threshold` and not updated since.
    pub(super) restarted_by_step: bool,
}

/// What a restarted filter keeps from the old one.
#[derive(Clone, Copy, Debug)]
pub(super) struct Prior {
    pub(super) frequency: f64,
    pub(super) frequency_variance: f64,
    pub(super) sync_noise: NoiseEstimate,
    pub(super) delay_noise: NoiseEstimate,
}

impl Filter {
    /// A filter whose first measurement is `m`.
    pub(super) fn new(m: &Measurement, prior: Prior) -> Self {
        let r = prior.sync_noise.variance;
        let (delay, p_dd, p_xd) = match m.mean_path_delay {
            // offset = t2 − t1 − delay: its error is the Sync's noise minus the delay's error,
            // taken as large as one Sync's noise.
            Some(d) => (d.nanos_f64(), r, -r),
            None => (0.0, UNKNOWN_DELAY_SIGMA * UNKNOWN_DELAY_SIGMA, 0.0),
        };
        let p_xx = r - p_xd;
        Self {
            x: [m.offset.nanos_f64(), prior.frequency, delay],
            p: [
                [p_xx, 0.0, p_xd],
                [0.0, prior.frequency_variance, 0.0],
                [p_xd, 0.0, p_dd],
            ],
            at: m.local_time,
            last_sync: m.local_time,
            last_accepted: m.local_time,
            sync_noise: prior.sync_noise,
            delay_noise: prior.delay_noise,
            two_way: false,
            gate: Gate::new(m.local_time),
            restarted_by_step: false,
        }
    }

    pub(super) fn phase(&self) -> f64 {
        self.x.first().copied().unwrap_or(0.0)
    }

    /// Moves the estimates to local time `to`, with `u` (ppb) applied since `at`.
    pub(super) fn predict(&mut self, to: Time, u: f64, wander_variance: f64) {
        let dt = (to - self.at).secs_f64();
        self.at = to;
        if dt <= 0.0 {
            return;
        }
        let [x, y, d] = self.x;
        self.x = [x + (y + u) * dt, y, d];
        let [[p00, p01, p02], [_, p11, p12], [_, _, p22]] = self.p;
        let q = wander_variance;
        let n00 = p00 + 2.0 * dt * p01 + dt * dt * p11 + q * dt * dt * dt / 3.0;
        let n01 = p01 + dt * p11 + q * dt * dt / 2.0;
        let n02 = p02 + dt * p12;
        let n11 = p11 + q * dt;
        let n22 = p22 + DELAY_WANDER * dt;
        self.p = [[n00, n01, n02], [n01, n11, p12], [n02, p12, n22]];
    }

    /// Adds `by` ns to the phase: the clock was stepped, and local times move with it.
    pub(super) fn step(&mut self, by: Duration) {
        let [x, y, d] = self.x;
        self.x = [x + by.nanos_f64(), y, d];
        self.at += by;
        self.last_sync += by;
        self.last_accepted += by;
        self.gate.step(by);
    }

    /// Something moved: the phase or the delay by about `innovation`, or a frequency by
    /// about `innovation` per `elapsed` seconds. Widens their uncertainty by as much; the
    /// measurements that follow tell which it was.
    fn widen(&mut self, innovation: f64, elapsed: f64) {
        let surprise = innovation * innovation;
        let [[p00, _, _], [_, p11, _], [_, _, p22]] = &mut self.p;
        *p00 += surprise;
        *p22 += surprise;
        if elapsed > 0.0 {
            *p11 += surprise / (elapsed * elapsed);
        }
    }

    /// Updates with the measurement `z = h·x + noise`; false if it was rejected as an outlier.
    pub(super) fn update(&mut self, z: f64, h: Vector, source: Source) -> bool {
        let noise = match source {
            Source::Sync => self.sync_noise,
            Source::DelayReq => self.delay_noise,
        };
        let r = noise.variance;
        let mut innovation = z - dot(&h, &self.x);
        let mut ph: Vector = self.p.map(|row| dot(&row, &h));
        let mut hph = dot(&h, &ph);
        let verdict = self
            .gate
            .judge(innovation, hph, &noise, self.at, self.last_accepted);
        let accepted = match verdict {
            Verdict::Take => true,
            Verdict::Reject { bound } => {
                innovation = innovation.clamp(-bound, bound);
                false
            }
            Verdict::Widen { elapsed } => {
                self.widen(innovation, elapsed);
                ph = self.p.map(|row| dot(&row, &h));
                hph = dot(&h, &ph);
                true
            }
        };
        let s = hph + r;
        if !(s.is_finite() && s > 0.0) {
            // A covariance gone bad (it cannot with finite inputs; this keeps the estimates
            // finite if it ever did).
            return false;
        }
        match source {
            Source::Sync => self.sync_noise.learn(innovation, hph),
            Source::DelayReq => self.delay_noise.learn(innovation, hph),
        }
        if !accepted {
            return false;
        }
        self.last_accepted = self.at;
        let gain = ph.map(|v| v / s);
        for (xi, ki) in self.x.iter_mut().zip(gain) {
            *xi += ki * innovation;
        }
        for (row, ki) in self.p.iter_mut().zip(gain) {
            for (pij, phj) in row.iter_mut().zip(ph) {
                *pij -= ki * phj;
            }
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servo::kalman::closed_loop::{noise, servo, TestClock};
    use crate::servo::Servo;

    #[test]
    fn frequency_and_phase_converge_on_a_noiseless_ramp() {
        // 10 ppm fast and 2 ms ahead, offsets only (no Delay_Req): stepped at once, then the
        // frequency is found from the ramp of the following offsets.
        let mut s = servo();
        let mut clock = TestClock::new(2_000_000.0, 10_000.0);
        for _ in 0..10 {
            clock.sync(&mut s, 0.0, None);
            clock.advance(1.0);
        }
        let f = s.estimated_frequency().get();
        assert!((f + 10_000.0).abs() < 0.1, "{f}");
        assert!((s.frequency().get() + 10_000.0).abs() < 1.0);
        assert!(clock.phase.abs() < 1.0, "{}", clock.phase);
    }

    #[test]
    fn two_way_measurements_estimate_the_delay() {
        // E2E: the Sync offsets carry the engine's mean path delay, 200 ns short of the real
        // 50 µs, so they are 200 ns off; the two halves of the exchange give the delay and the
        // true phase.
        let mut s = servo();
        let mut clock = TestClock::new(100_000.0, -3_000.0);
        let (delay, engine_delay) = (50_000.0, 49_800.0);
        for k in 0..200u64 {
            let out = s.sample(&Measurement {
                offset: Duration::from_nanos_f64(clock.phase + delay - engine_delay),
                local_time: clock.now(),
                mean_path_delay: Some(Duration::from_nanos_f64(engine_delay)),
            });
            clock.apply(out);
            clock.advance(0.02);
            clock.delay_req(&mut s, noise(k, 1.0), delay);
            clock.advance(0.98);
        }
        let d = s.estimated_delay().nanos_f64();
        assert!((d - delay).abs() < 2.0, "{d}");
        assert!(clock.phase.abs() < 2.0, "{}", clock.phase);
        assert!((s.estimated_frequency().get() - 3_000.0).abs() < 0.1);
    }
}
