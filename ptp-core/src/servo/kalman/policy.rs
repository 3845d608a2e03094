//! [`KalmanServo`], the servo policy around the filter: it starts (and restarts) the filter,
//! decides when to step (`first_step_threshold`, `step_threshold`) and what frequency to
//! set, and reports the state (s0–s3). The steering and states are described in the
//! [parent module's documentation](super).

use super::filter::{Filter, Prior, Source};
use super::noise::{initial_noise, NoiseEstimate};
use crate::servo::state::Supervisor;
use crate::servo::{
    Adjustment, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput, ServoState,
};
use crate::time::{Duration, Ppb};

/// Standard deviation of the frequency before the first estimate (100 ppm, in ppb).
const INITIAL_FREQUENCY_SIGMA: f64 = 100_000.0;
/// The shortest steering horizon, as a fraction of the sync interval.
const MIN_HORIZON: f64 = 0.25;

/// Our Kalman-filter servo; see the [module documentation](super).
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
            initial_noise: initial_noise(config.time_stamping),
            frequency: current_frequency.get(),
            filter: None,
            state: ServoState::Unlocked,
            supervisor: Supervisor::from_config(config),
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
            // A first step keeps the frequency: the master may have jumped. But the offset
            // also crosses the threshold when the master's frequency changed, so the kept
            // frequency is only as certain as the prediction that just failed: its variance
            // grows to the rate the unexpected offset built up at (at most the start's), and
            // the Syncs after the step teach the filter the new frequency. A second step in
            // a row means the offset grew back since the last step, so the kept frequency is
            // off by the rate it grew at. Without these the servo would step forever.
            let missed = (m.offset.nanos_f64() - x) / since.max(self.sync_interval);
            let initial = INITIAL_FREQUENCY_SIGMA * INITIAL_FREQUENCY_SIGMA;
            let (frequency, frequency_variance) = if filter.restarted_by_step && since > 0.0 {
                let regrown = (m.offset.nanos_f64() - x) / since;
                (y + regrown, initial)
            } else {
                (y, p11.max((missed * missed).min(initial)))
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

    /// New wander, bound, thresholds and sync interval; the filter (its phase, frequency
    /// and delay estimates and the noise it learned) is kept. The time stamping mode only
    /// sets the noise assumed until a filter learns it, so it matters at the next start.
    fn reconfigure(&mut self, config: &ServoConfig) {
        let wander = config.kalman.wander.get();
        self.wander_variance = wander * wander;
        self.max_frequency = config.max_frequency.get().abs();
        self.initial_noise = initial_noise(config.time_stamping);
        self.supervisor.reconfigure(Supervisor::from_config(config));
        self.set_sync_interval(config.sync_interval);
    }

    fn state(&self) -> ServoState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::servo::kalman::closed_loop::{sample, servo, us, TestClock};
    use crate::servo::SyncState;
    use crate::time::Time;

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

    /// A frequency change that makes the offset cross step_threshold between two Syncs, but
    /// not at the very next one after a step: the samples in between must teach the filter
    /// the new frequency, or it steps every other Sync for ever.
    #[test]
    fn a_frequency_change_past_step_threshold_is_learnt_not_stepped_for_ever() {
        for change_ppb in [-20_000.0, -8_000.0, -5_000.0, 5_000.0, 8_000.0, 20_000.0] {
            let config = ServoConfig {
                step_threshold: us(10),
                ..ServoConfig::default()
            };
            let mut s = KalmanServo::new(&config, Ppb::ZERO);
            let mut clock = TestClock::new(0.0, 5_000.0);
            for _ in 0..30 {
                clock.sync(&mut s, 0.0, None);
                clock.advance(1.0);
            }
            assert!(clock.phase.abs() < 10.0, "{}", clock.phase);
            clock.free_running += change_ppb;
            let mut last_step = None;
            for k in 0..120 {
                let out = clock.sync(&mut s, 0.0, None);
                if matches!(out.adjustment, Adjustment::Step { .. }) {
                    last_step = Some(k);
                }
                clock.advance(1.0);
            }
            assert!(
                last_step.is_none_or(|k| k < 10),
                "{change_ppb} ppb: still stepping at Sync {last_step:?}"
            );
            assert!(
                clock.phase.abs() < 100.0,
                "{change_ppb} ppb: {}",
                clock.phase
            );
            let want = -(5_000.0 + change_ppb);
            let frequency = s.estimated_frequency().get();
            assert!(
                (frequency - want).abs() < 10.0,
                "{change_ppb} ppb: {frequency}"
            );
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
