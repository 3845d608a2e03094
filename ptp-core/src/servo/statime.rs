//! [`StatimeServo`]: statime's Kalman filter (`statime::filters::KalmanFilter`, statime 0.4.0)
//! behind our [`Servo`] interface (`clock_servo statime`).
//!
//! statime's filter is a servo in its own right: it steers a `statime::Clock` by calling
//! `step_clock` (relative) and `set_frequency` (absolute ppm). The adapter hands it a
//! recording clock that only writes those calls down; after each measurement they become
//! our [`Adjustment`].
//!
//! # Determinism
//!
//! The filter reads no clock. It asks the time through the return value of `set_frequency`
//! and `step_clock` (and could ask `now()`); the recording clock answers with the local time
//! stamp of the measurement being processed, the moment at which the runtime carries out the
//! adjustment. The filter uses only `f64` arithmetic, so the same inputs give the same
//! outputs.
//!
//! # Inputs
//!
//! The filter estimates offset, frequency and path delay from the raw halves of the
//! exchange, and the measurement noise from Sync/Delay_Req pairs taken close together
//! (`estimate_threshold`). Each [`Measurement`] becomes a sync measurement
//! `t2 − t1 = offset + meanPathDelay`; each [`DelayMeasurement`] becomes a delay measurement
//! `t3 − t4`. When no delay measurement has arrived since the last reset and the measurement
//! carries a mean path delay (the peer-to-peer mechanism), that delay is passed as a peer
//! delay, as statime's own port does. Offsets alone, with neither, leave the filter without
//! a noise estimate and it barely steers.
//!
//! # Frequencies and states
//!
//! statime's frequencies are relative to the clock's frequency when the servo was created
//! (it sets 0 ppm first); we add that starting frequency back, so [`Adjustment::Frequency`]
//! is absolute like the other servos'. The filter has no states: the adapter reports
//! UNLOCKED until the filter first acts, JUMP when it steps, LOCKED when it steers the
//! frequency, and LOCKED_STABLE by the same `servo_offset_threshold` rule as linuxptp,
//! applied to the measured offsets.

use core::convert::Infallible;
use core::fmt;

use statime::config::TimePropertiesDS;
use statime::filters::{Filter, KalmanConfiguration, KalmanFilter};

use super::state::Supervisor;
use super::{
    Adjustment, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput, ServoState,
    StatimeConfig,
};
use crate::time::statime::{from_statime_duration, to_statime_duration, to_statime_time};
use crate::time::{Duration, Ppb, Time};

/// statime's Kalman filter as a [`Servo`].
pub struct StatimeServo {
    /// The tuning the filter was built with.
    tuning: StatimeConfig,
    filter: KalmanFilter,
    /// The clock's frequency when the servo was created: statime's 0 ppm.
    base_frequency: Ppb,
    /// The absolute frequency last set.
    frequency: Ppb,
    delay_seen: bool,
    /// The latest local time the filter has seen; it must never be asked about an earlier
    /// one.
    last_time: Time,
    state: ServoState,
    supervisor: Supervisor,
}

impl fmt::Debug for StatimeServo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatimeServo")
            .field("tuning", &self.tuning)
            .field("base_frequency", &self.base_frequency)
            .field("frequency", &self.frequency)
            .field("state", &self.state)
            .finish_non_exhaustive()
    }
}

impl StatimeServo {
    /// Creates the servo for a clock whose frequency adjustment is `current_frequency`.
    pub fn new(config: &ServoConfig, current_frequency: Ppb) -> Self {
        Self {
            tuning: config.statime,
            filter: KalmanFilter::new(statime_config(&config.statime)),
            base_frequency: current_frequency,
            frequency: current_frequency,
            delay_seen: false,
            last_time: Time::EPOCH,
            state: ServoState::Unlocked,
            supervisor: supervisor(config),
        }
    }

    /// Starts a new filter with the current tuning from the old one's frequency estimate
    /// (demobilising a filter sets the clock to its best frequency estimate).
    fn restart_filter(&mut self) {
        let mut clock = RecordingClock::new(self.last_time);
        let new = KalmanFilter::new(statime_config(&self.tuning));
        let old = core::mem::replace(&mut self.filter, new);
        old.demobilize(&mut clock);
        if let Some(ppm) = clock.frequency_ppm {
            self.frequency = self.base_frequency + Ppb(ppm * 1000.0);
        }
        self.base_frequency = self.frequency;
        self.delay_seen = false;
    }

    /// The filter's current estimate of the offset from the master.
    pub fn estimated_offset(&self) -> Duration {
        from_statime_duration(self.filter.current_estimates().offset_from_master)
    }

    /// The filter's current estimate of the mean path delay.
    pub fn estimated_delay(&self) -> Duration {
        from_statime_duration(self.filter.current_estimates().mean_delay)
    }

    /// The frequency the servo last asked for.
    pub fn frequency(&self) -> Ppb {
        self.frequency
    }

    fn feed(
        &mut self,
        m: statime::port::Measurement,
        local_time: Time,
        offset: Duration,
    ) -> ServoOutput {
        let mut clock = RecordingClock::new(local_time);
        let _update = self.filter.measurement(m, &mut clock);
        self.last_time = self.last_time.max(clock.now);
        let adjustment = match (clock.step, clock.frequency_ppm) {
            (None, None) => Adjustment::None,
            (step, ppm) => {
                if let Some(ppm) = ppm {
                    self.frequency = self.base_frequency + Ppb(ppm * 1000.0);
                }
                match step {
                    Some(by) => Adjustment::Step {
                        by,
                        frequency: self.frequency,
                    },
                    None => Adjustment::Frequency(self.frequency),
                }
            }
        };
        let raw = match adjustment {
            Adjustment::None => self.state,
            Adjustment::Step { .. } => ServoState::Jump,
            Adjustment::Frequency(_) => ServoState::Locked,
        };
        self.state = self.supervisor.finish(raw, offset);
        ServoOutput {
            adjustment,
            state: self.state,
        }
    }
}

impl Servo for StatimeServo {
    fn sample(&mut self, m: &Measurement) -> ServoOutput {
        let delay = m.mean_path_delay.unwrap_or(Duration::ZERO);
        let peer_delay = match m.mean_path_delay {
            Some(d) if !self.delay_seen => Some(to_statime_duration(d)),
            _ => None,
        };
        let sm = statime::port::Measurement {
            event_time: to_statime_time(m.local_time),
            offset: Some(to_statime_duration(m.offset)),
            delay: m.mean_path_delay.map(to_statime_duration),
            peer_delay,
            raw_sync_offset: Some(to_statime_duration(m.offset + delay)),
            raw_delay_offset: None,
        };
        self.feed(sm, m.local_time, m.offset)
    }

    fn delay_sample(&mut self, m: &DelayMeasurement) -> ServoOutput {
        self.delay_seen = true;
        let sm = statime::port::Measurement {
            event_time: to_statime_time(m.local_time),
            raw_delay_offset: Some(to_statime_duration(m.reverse_offset)),
            ..statime::port::Measurement::default()
        };
        // A delay measurement does not say what the offset is; the LOCKED_STABLE countdown
        // only counts sync offsets, so pass the threshold itself (never "below").
        self.feed(sm, m.local_time, Duration::MAX)
    }

    fn set_sync_interval(&mut self, _interval: Duration) {
        // The filter works from the measurements' time stamps; it needs no interval.
    }

    fn reset(&mut self) {
        self.restart_filter();
        self.state = ServoState::Unlocked;
    }

    /// New LOCKED_STABLE thresholds in place. statime's filter takes its tuning only when it
    /// is built, so a change of [`ServoConfig::statime`] starts a new filter: it keeps the
    /// old one's frequency estimate (the clock does not jump) and the servo its state, but
    /// the offset, delay and noise estimates start over.
    fn reconfigure(&mut self, config: &ServoConfig) {
        self.supervisor.reconfigure(supervisor(config));
        if config.statime != self.tuning {
            self.tuning = config.statime;
            self.restart_filter();
        }
    }

    fn state(&self) -> ServoState {
        self.state
    }
}

/// The filter decides about steps itself; only the LOCKED_STABLE rule is shared.
fn supervisor(config: &ServoConfig) -> Supervisor {
    Supervisor::new(
        Duration::ZERO,
        Duration::ZERO,
        config.servo_offset_threshold,
        config.servo_num_offset_values,
    )
}

fn statime_config(c: &StatimeConfig) -> KalmanConfiguration {
    KalmanConfiguration {
        step_threshold: to_statime_duration(c.step_threshold),
        deadzone: c.deadzone,
        steer_time: to_statime_duration(c.steer_time),
        max_steer: c.max_steer.get() / 1000.0,
        max_freq_offset: c.max_freq_offset.get() / 1000.0,
        initial_frequency_uncertainty: c.initial_frequency_uncertainty,
        initial_wander: c.initial_wander,
        delay_wander: c.delay_wander,
        precision_hysteresis: c.precision_hysteresis.min(127),
        estimate_threshold: to_statime_duration(c.estimate_threshold),
        difference_estimation_boundary: c.difference_estimation_boundary.min(32),
        statistical_estimation_boundary: c.statistical_estimation_boundary.min(32),
        ..KalmanConfiguration::default()
    }
}

/// A `statime::Clock` that records what the filter asks for instead of doing it.
#[derive(Debug)]
struct RecordingClock {
    now: Time,
    step: Option<Duration>,
    frequency_ppm: Option<f64>,
}

impl RecordingClock {
    fn new(now: Time) -> Self {
        Self {
            now,
            step: None,
            frequency_ppm: None,
        }
    }
}

impl statime::Clock for RecordingClock {
    type Error = Infallible;

    fn now(&self) -> statime::time::Time {
        to_statime_time(self.now)
    }

    fn step_clock(
        &mut self,
        offset: statime::time::Duration,
    ) -> Result<statime::time::Time, Infallible> {
        let by = from_statime_duration(offset);
        self.step = Some(self.step.unwrap_or(Duration::ZERO) + by);
        self.now += by;
        Ok(to_statime_time(self.now))
    }

    fn set_frequency(&mut self, ppm: f64) -> Result<statime::time::Time, Infallible> {
        self.frequency_ppm = Some(ppm);
        Ok(to_statime_time(self.now))
    }

    fn set_properties(&mut self, _tp: &TimePropertiesDS) -> Result<(), Infallible> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_offset_steps_by_its_negation() {
        let mut s = StatimeServo::new(&ServoConfig::default(), Ppb::ZERO);
        let t0 = Time::from_secs_nanos(100, 0);
        // 5 ms ahead, beyond the 1 ms step threshold.
        let out = s.sample(&Measurement {
            offset: Duration::from_millis(5),
            local_time: t0,
            mean_path_delay: Some(Duration::from_micros(10)),
        });
        assert_eq!(out.state, ServoState::Jump);
        match out.adjustment {
            Adjustment::Step { by, .. } => {
                let err = (by + Duration::from_millis(5)).abs();
                assert!(err < Duration::from_micros(20), "{by:?}");
            }
            other => panic!("expected a step, got {other:?}"),
        }
    }

    #[test]
    fn small_offset_steers_frequency_relative_to_the_start() {
        let mut s = StatimeServo::new(&ServoConfig::default(), Ppb(1000.0));
        let out = s.sample(&Measurement {
            offset: Duration::from_micros(100),
            local_time: Time::from_secs_nanos(100, 0),
            mean_path_delay: None,
        });
        assert_eq!(out.state, ServoState::Locked);
        match out.adjustment {
            // Ahead: slow down, starting from the clock's 1000 ppb.
            Adjustment::Frequency(f) => assert!(f.get() < 1000.0, "{f:?}"),
            other => panic!("expected a frequency, got {other:?}"),
        }
    }

    #[test]
    fn reset_returns_to_unlocked() {
        let mut s = StatimeServo::new(&ServoConfig::default(), Ppb::ZERO);
        s.sample(&Measurement {
            offset: Duration::from_micros(100),
            local_time: Time::from_secs_nanos(100, 0),
            mean_path_delay: None,
        });
        s.reset();
        assert_eq!(s.state(), ServoState::Unlocked);
    }
}
