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

use super::state::Supervisor;
use super::{
    Adjustment, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput, ServoState,
    TimestampingMode,
};
use crate::time::{Duration, Ppb, Time};

/// Standard deviation of the frequency before the first estimate (100 ppm, in ppb).
const INITIAL_FREQUENCY_SIGMA: f64 = 100_000.0;
/// Standard deviation of the path delay when no mean path delay came with the first Sync
/// (1 ms, in ns).
const UNKNOWN_DELAY_SIGMA: f64 = 1_000_000.0;
/// Random-walk variance of the path delay, in ns² per second (1 ns/√s).
pub const DELAY_WANDER: f64 = 1.0;
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
/// The shortest steering horizon, as a fraction of the sync interval.
const MIN_HORIZON: f64 = 0.25;

/// A state vector (phase ns, free-running frequency ppb, delay ns) or a row of the
/// measurement matrix.
type Vector = [f64; 3];

fn dot(a: &Vector, b: &Vector) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
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

/// Which measurement noise an update uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Source {
    Sync,
    DelayReq,
}

/// A running estimate of a measurement's noise variance.
#[derive(Clone, Copy, Debug, PartialEq)]
struct NoiseEstimate {
    variance: f64,
    samples: u32,
}

impl NoiseEstimate {
    fn new(variance: f64) -> Self {
        Self {
            variance,
            samples: 0,
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

/// The filter proper: estimates, their covariance and the noise estimates.
#[derive(Clone, Debug, PartialEq)]
struct Filter {
    /// Phase (ns), free-running frequency (ppb), one-way delay (ns).
    x: Vector,
    /// Covariance of `x`.
    p: [Vector; 3],
    /// Local time the estimates refer to.
    at: Time,
    /// Local time of the last Sync.
    last_sync: Time,
    /// Local time of the last measurement taken (not rejected as an outlier).
    last_accepted: Time,
    sync_noise: NoiseEstimate,
    delay_noise: NoiseEstimate,
    /// Delay_Req measurements arrive: Syncs are used as `t2 − t1`.
    two_way: bool,
    outliers_in_a_row: u32,
    drift: DriftTest,
    /// Started by a step beyond `step_threshold` and not updated since.
    restarted_by_step: bool,
}

/// What a restarted filter keeps from the old one.
#[derive(Clone, Copy, Debug)]
struct Prior {
    frequency: f64,
    frequency_variance: f64,
    sync_noise: NoiseEstimate,
    delay_noise: NoiseEstimate,
}

impl Filter {
    /// A filter whose first measurement is `m`.
    fn new(m: &Measurement, prior: Prior) -> Self {
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
            outliers_in_a_row: 0,
            drift: DriftTest::new(m.local_time),
            restarted_by_step: false,
        }
    }

    fn phase(&self) -> f64 {
        self.x.first().copied().unwrap_or(0.0)
    }

    /// Moves the estimates to local time `to`, with `u` (ppb) applied since `at`.
    fn predict(&mut self, to: Time, u: f64, wander_variance: f64) {
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
    fn step(&mut self, by: Duration) {
        let [x, y, d] = self.x;
        self.x = [x + by.nanos_f64(), y, d];
        self.at += by;
        self.last_sync += by;
        self.last_accepted += by;
        self.drift.step(by);
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
    fn update(&mut self, z: f64, h: Vector, source: Source) -> bool {
        let noise = match source {
            Source::Sync => self.sync_noise,
            Source::DelayReq => self.delay_noise,
        };
        let r = noise.variance;
        let mut innovation = z - dot(&h, &self.x);
        let mut ph: Vector = self.p.map(|row| dot(&row, &h));
        let mut hph = dot(&h, &ph);
        let bound = OUTLIER_SIGMAS * (hph + r).sqrt();
        let mut accepted = true;
        if noise.gates() && innovation.abs() > bound {
            if self.outliers_in_a_row < MAX_OUTLIERS_IN_A_ROW {
                self.outliers_in_a_row += 1;
                accepted = false;
            } else {
                // Too many in a row to be noise: the clock or the path moved, or the phase
                // ran away since the last measurement taken. Take this one.
                self.widen(innovation, (self.at - self.last_accepted).secs_f64());
                self.drift = DriftTest::new(self.at);
                ph = self.p.map(|row| dot(&row, &h));
                hph = dot(&h, &ph);
            }
        } else if let Some(elapsed) =
            self.drift
                .add(innovation / (hph + r).sqrt(), self.at, self.last_accepted)
        {
            self.widen(innovation, elapsed);
            ph = self.p.map(|row| dot(&row, &h));
            hph = dot(&h, &ph);
        }
        if accepted {
            self.outliers_in_a_row = 0;
        } else {
            innovation = innovation.clamp(-bound, bound);
        }
        let s = hph + r;
        if !(s.is_finite() && s > 0.0) {
            // A covariance gone bad (it cannot with finite inputs; this keeps the estimates
            // finite if it ever did).
            return false;
        }
        // The residual after the update and its predicted variance; together their
        // expectation is r. Estimate only once the prior is at least as good as one
        // measurement: before that the residual says nothing about the noise.
        if hph <= r {
            let residual = innovation * r / s;
            let sample = residual * residual + hph * r / s;
            match source {
                Source::Sync => self.sync_noise.add(sample),
                Source::DelayReq => self.delay_noise.add(sample),
            }
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

/// Our Kalman-filter servo; see the [module documentation](self).
#[derive(Clone, Debug)]
pub struct KalmanServo {
    /// Variance of the frequency's random walk, ppb² per second.
    wander_variance: f64,
    max_frequency: f64,
    /// Seconds between Syncs.
    sync_interval: f64,
    /// Noise variance assumed until estimated, ns².
    initial_noise: f64,
    /// The frequency adjustment last set, ppb.
    frequency: f64,
    filter: Option<Filter>,
    state: ServoState,
    supervisor: Supervisor,
}

impl KalmanServo {
    /// Creates the servo for a clock whose frequency adjustment is `current_frequency`.
    pub fn new(config: &ServoConfig, current_frequency: Ppb) -> Self {
        let wander = config.kalman.wander.get();
        let mut servo = Self {
            wander_variance: wander * wander,
            max_frequency: config.max_frequency.get().abs(),
            sync_interval: 1.0,
            initial_noise: match config.time_stamping {
                TimestampingMode::Software => SOFTWARE_INITIAL_NOISE,
                TimestampingMode::Hardware => HARDWARE_INITIAL_NOISE,
            },
            frequency: current_frequency.get(),
            filter: None,
            state: ServoState::Unlocked,
            supervisor: Supervisor::new(
                config.step_threshold,
                config.first_step_threshold,
                config.servo_offset_threshold,
                config.servo_num_offset_values,
            ),
        };
        servo.set_sync_interval(config.sync_interval);
        servo
    }

    /// The frequency adjustment the servo last asked for.
    pub fn frequency(&self) -> Ppb {
        Ppb(self.frequency)
    }

    /// The estimated offset from the master at the last measurement, after the adjustment
    /// returned for it; zero before the first Sync.
    pub fn estimated_offset(&self) -> Duration {
        Duration::from_nanos_f64(self.filter.as_ref().map_or(0.0, Filter::phase))
    }

    /// The estimated frequency adjustment that keeps the clock on the master's frequency;
    /// the current adjustment before the first Sync.
    pub fn estimated_frequency(&self) -> Ppb {
        Ppb(self.filter.as_ref().map_or(self.frequency, |f| {
            let [_, y, _] = f.x;
            -y
        }))
    }

    /// The estimated one-way path delay (meaningful once Delay_Req measurements arrive).
    pub fn estimated_delay(&self) -> Duration {
        Duration::from_nanos_f64(self.filter.as_ref().map_or(0.0, |f| {
            let [_, _, d] = f.x;
            d
        }))
    }

    /// The estimated standard deviation of the Sync measurements' noise.
    pub fn sync_noise(&self) -> Duration {
        let v = self
            .filter
            .as_ref()
            .map_or(self.initial_noise, |f| f.sync_noise.variance);
        Duration::from_nanos_f64(v.sqrt())
    }

    /// Sets the frequency that removes the estimated phase in `horizon` seconds.
    fn steer(&mut self, horizon: f64) -> f64 {
        if let Some(f) = &self.filter {
            let h = horizon.max(MIN_HORIZON * self.sync_interval);
            let [x, y, _] = f.x;
            let u = -y - x / h;
            if u.is_finite() {
                self.frequency = u.clamp(-self.max_frequency, self.max_frequency);
            }
        }
        self.frequency
    }

    /// Starts a filter at `m` and steps if the supervisor asks for it.
    fn start(&mut self, m: &Measurement, prior: Prior) -> ServoOutput {
        let mut filter = Filter::new(m, prior);
        let step = self.supervisor.wants_step(m.offset).then(|| -m.offset);
        if let Some(by) = step {
            filter.step(by);
        }
        self.filter = Some(filter);
        let frequency = Ppb(self.steer(self.sync_interval));
        let (raw, adjustment) = match step {
            Some(by) => (ServoState::Jump, Adjustment::Step { by, frequency }),
            None => (ServoState::Locked, Adjustment::Frequency(frequency)),
        };
        self.state = self.supervisor.finish(raw, m.offset);
        ServoOutput {
            adjustment,
            state: self.state,
        }
    }

    fn fresh_prior(&self) -> Prior {
        Prior {
            frequency: -self.frequency,
            frequency_variance: INITIAL_FREQUENCY_SIGMA * INITIAL_FREQUENCY_SIGMA,
            sync_noise: NoiseEstimate::new(self.initial_noise),
            delay_noise: NoiseEstimate::new(self.initial_noise),
        }
    }

    fn unchanged(&self) -> ServoOutput {
        ServoOutput {
            adjustment: Adjustment::None,
            state: self.state,
        }
    }
}

impl Servo for KalmanServo {
    fn sample(&mut self, m: &Measurement) -> ServoOutput {
        let Some(filter) = self.filter.as_mut() else {
            let prior = self.fresh_prior();
            return self.start(m, prior);
        };
        if m.local_time < filter.at {
            return self.unchanged();
        }
        let since = (m.local_time - filter.at).secs_f64();
        filter.predict(m.local_time, self.frequency, self.wander_variance);
        if self.supervisor.exceeds_step_threshold(m.offset) {
            let [x, y, _] = filter.x;
            let [_, [_, p11, _], _] = filter.p;
            // A first step keeps the frequency: the master may have jumped. A second one in
            // a row means the offset grew back since the last step, so the kept frequency
            // is off by the rate it grew at; without this the servo would step forever.
            let (frequency, frequency_variance) = if filter.restarted_by_step && since > 0.0 {
                let regrown = (m.offset.nanos_f64() - x) / since;
                (
                    y + regrown,
                    INITIAL_FREQUENCY_SIGMA * INITIAL_FREQUENCY_SIGMA,
                )
            } else {
                (y, p11)
            };
            let prior = Prior {
                frequency,
                frequency_variance,
                sync_noise: filter.sync_noise,
                delay_noise: filter.delay_noise,
            };
            let out = self.start(m, prior);
            if let Some(f) = self.filter.as_mut() {
                f.restarted_by_step = true;
            }
            return out;
        }
        filter.restarted_by_step = false;
        let offset = m.offset.nanos_f64();
        match m.mean_path_delay {
            Some(d) if filter.two_way => {
                filter.update(offset + d.nanos_f64(), [1.0, 0.0, 1.0], Source::Sync);
            }
            _ => {
                filter.update(offset, [1.0, 0.0, 0.0], Source::Sync);
            }
        }
        filter.last_sync = m.local_time;
        let frequency = Ppb(self.steer(self.sync_interval));
        self.state = self.supervisor.finish(ServoState::Locked, m.offset);
        ServoOutput {
            adjustment: Adjustment::Frequency(frequency),
            state: self.state,
        }
    }

    fn delay_sample(&mut self, m: &DelayMeasurement) -> ServoOutput {
        let Some(filter) = self.filter.as_mut() else {
            return self.unchanged();
        };
        if m.local_time < filter.at {
            return self.unchanged();
        }
        filter.predict(m.local_time, self.frequency, self.wander_variance);
        filter.two_way = true;
        filter.update(
            m.reverse_offset.nanos_f64(),
            [1.0, 0.0, -1.0],
            Source::DelayReq,
        );
        let until_next_sync = (filter.last_sync - m.local_time).secs_f64() + self.sync_interval;
        let frequency = Ppb(self.steer(until_next_sync));
        if self.state == ServoState::Jump {
            self.state = ServoState::Locked;
        }
        ServoOutput {
            adjustment: Adjustment::Frequency(frequency),
            state: self.state,
        }
    }

    fn set_sync_interval(&mut self, interval: Duration) {
        let s = interval.secs_f64();
        if s > 0.0 && s.is_finite() {
            self.sync_interval = s;
        }
    }

    fn reset(&mut self) {
        self.filter = None;
        self.state = ServoState::Unlocked;
    }

    fn state(&self) -> ServoState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servo::SyncState;

    /// A clock for closed-loop tests: a phase (ns, local minus master) that grows with its
    /// free-running frequency plus the adjustment the servo set.
    struct TestClock {
        phase: f64,
        free_running: f64,
        adjustment: f64,
        /// Local time of the last reading, s.
        local: f64,
    }

    impl TestClock {
        fn new(phase: f64, free_running: f64) -> Self {
            Self {
                phase,
                free_running,
                adjustment: 0.0,
                local: 1000.0,
            }
        }

        fn advance(&mut self, dt: f64) {
            self.phase += (self.free_running + self.adjustment) * dt;
            self.local += dt;
        }

        fn now(&self) -> Time {
            Time::from_nanos((self.local * 1e9) as u128)
        }

        fn apply(&mut self, out: ServoOutput) {
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
        fn sync(&mut self, s: &mut KalmanServo, noise: f64, delay: Option<f64>) -> ServoOutput {
            let out = s.sample(&Measurement {
                offset: Duration::from_nanos_f64(self.phase + noise),
                local_time: self.now(),
                mean_path_delay: delay.map(Duration::from_nanos_f64),
            });
            self.apply(out);
            out
        }

        /// A Delay_Req over a path of `delay` ns, measured with `noise` ns of error.
        fn delay_req(&mut self, s: &mut KalmanServo, noise: f64, delay: f64) -> ServoOutput {
            let out = s.delay_sample(&DelayMeasurement {
                reverse_offset: Duration::from_nanos_f64(self.phase - delay + noise),
                local_time: self.now(),
            });
            self.apply(out);
            out
        }
    }

    /// Deterministic noise, uniform in ±`amplitude` ns.
    fn noise(k: u64, amplitude: f64) -> f64 {
        let h = k.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 11;
        (h as f64 / (1u64 << 53) as f64 * 2.0 - 1.0) * amplitude
    }

    fn us(v: i64) -> Duration {
        Duration::from_micros(v)
    }

    fn servo() -> KalmanServo {
        KalmanServo::new(&ServoConfig::default(), Ppb::ZERO)
    }

    fn sample(s: &mut KalmanServo, offset: Duration, secs: u64) -> ServoOutput {
        s.sample(&Measurement {
            offset,
            local_time: Time::from_secs_nanos(1000 + secs, 0),
            mean_path_delay: None,
        })
    }

    #[test]
    fn steps_on_the_first_update_above_first_step_threshold_only() {
        let mut s = KalmanServo::new(&ServoConfig::default(), Ppb(250.0));
        assert_eq!(s.state(), ServoState::Unlocked);
        let out = sample(&mut s, us(-1000), 0);
        assert_eq!(out.state, ServoState::Jump);
        assert_eq!(
            out.adjustment,
            Adjustment::Step {
                by: us(1000),
                frequency: Ppb(250.0)
            }
        );
        assert_eq!(s.estimated_offset(), Duration::ZERO);
        // After the first update the default step_threshold (0) never steps.
        let out = sample(&mut s, us(5000), 1);
        assert_eq!(out.state, ServoState::Locked);
        assert!(matches!(out.adjustment, Adjustment::Frequency(_)));

        // Within first_step_threshold (20 µs): no step, the servo slews: 10 µs ahead, so
        // slower than the clock's 250 ppb.
        let mut s = KalmanServo::new(&ServoConfig::default(), Ppb(250.0));
        let out = sample(&mut s, us(10), 0);
        assert_eq!(out.state, ServoState::Locked);
        match out.adjustment {
            Adjustment::Frequency(f) => assert!(f.get() < 250.0, "{f:?}"),
            other => panic!("expected a frequency, got {other:?}"),
        }
    }

    #[test]
    fn step_threshold_steps_and_keeps_the_frequency() {
        let config = ServoConfig {
            step_threshold: us(100),
            ..ServoConfig::default()
        };
        let mut s = KalmanServo::new(&config, Ppb::ZERO);
        let mut clock = TestClock::new(3_000_000.0, 5_000.0);
        for _ in 0..20 {
            clock.sync(&mut s, 0.0, None);
            clock.advance(1.0);
        }
        let before = s.estimated_frequency().get();
        assert!((before + 5_000.0).abs() < 1.0, "{before}");
        // The master's time jumps by 500 µs.
        clock.phase += 500_000.0;
        let out = clock.sync(&mut s, 0.0, None);
        assert_eq!(out.state, ServoState::Jump);
        assert!(matches!(out.adjustment, Adjustment::Step { by, .. } if by < us(-499)));
        assert!(clock.phase.abs() < 10.0, "{}", clock.phase);
        assert!((s.estimated_frequency().get() - before).abs() < 1.0);
    }

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

    #[test]
    fn states_map_onto_s0_s1_s2_s3() {
        let config = ServoConfig {
            servo_offset_threshold: Duration::from_nanos(100),
            servo_num_offset_values: 3,
            ..ServoConfig::default()
        };
        let mut s = KalmanServo::new(&config, Ppb::ZERO);
        // A Delay_Req before any Sync: nothing to do yet.
        let out = s.delay_sample(&DelayMeasurement {
            reverse_offset: us(-50),
            local_time: Time::from_secs_nanos(999, 0),
        });
        assert_eq!(out, ServoOutput::default());
        assert_eq!(s.state().to_string(), "s0");
        assert_eq!(s.state().sync_state(), SyncState::Freerun);

        let mut clock = TestClock::new(40_000.0, 0.0);
        let out = clock.sync(&mut s, 0.0, None);
        assert_eq!(out.state.to_string(), "s1");
        assert_eq!(out.state.sync_state(), SyncState::Freerun);
        clock.advance(1.0);
        let out = clock.sync(&mut s, 0.0, None);
        assert_eq!(out.state.to_string(), "s2");
        assert_eq!(out.state.sync_state(), SyncState::Locked);
        let mut states = Vec::new();
        for _ in 0..3 {
            clock.advance(1.0);
            states.push(clock.sync(&mut s, 0.0, None).state);
        }
        assert_eq!(
            states,
            [
                ServoState::Locked,
                ServoState::LockedStable,
                ServoState::LockedStable
            ]
        );

        // Reset: back to s0, the frequency kept, and no first step again.
        let frequency = s.frequency();
        s.reset();
        assert_eq!(s.state(), ServoState::Unlocked);
        assert_eq!(s.frequency(), frequency);
        clock.advance(1.0);
        clock.phase = 50_000.0;
        let out = clock.sync(&mut s, 0.0, None);
        assert_eq!(out.state, ServoState::Locked);
        assert!(matches!(out.adjustment, Adjustment::Frequency(_)));
    }

    #[test]
    fn an_older_measurement_is_ignored() {
        let mut s = servo();
        sample(&mut s, us(1), 10);
        let state = s.state();
        assert_eq!(
            sample(&mut s, us(1), 5),
            ServoOutput {
                adjustment: Adjustment::None,
                state
            }
        );
        let out = s.delay_sample(&DelayMeasurement {
            reverse_offset: us(-50),
            local_time: Time::from_secs_nanos(1005, 0),
        });
        assert_eq!(out.adjustment, Adjustment::None);
    }
}
