//! [`PiServo`]: linuxptp's proportional-integral servo (`clock_servo pi`), with its gains,
//! defaults and state machine.
//!
//! # Algorithm
//!
//! 1. The first sample is stored (UNLOCKED).
//! 2. A later sample is used once at least `0.016 / ki` seconds (at most 1000 s) of local
//!    time have passed since the first: the frequency error seen between the two offsets
//!    corrects the starting frequency ("drift"). The servo then JUMPs (sets the frequency
//!    and steps by −offset) if the offset is above `first_step_threshold` on the first
//!    update or above `step_threshold`; otherwise it is LOCKED.
//! 3. Every later sample sets `frequency = drift − (kp + ki)·offset`, clamped to
//!    ±`max_frequency`; the integral (`drift −= ki·offset`) only accumulates while the output
//!    is not clamped (anti-windup). An offset beyond `step_threshold` starts over at 1.
//!
//! Frequencies here are what the clock is set to (positive: faster). linuxptp's servo works
//! with the negated value and `clock.c` negates it again; the behaviour is the same.
//!
//! # Gains
//!
//! `kp = min(kp_scale · s^kp_exponent, kp_norm_max / s)` and likewise for `ki`, where `s` is
//! the sync interval in seconds. The scales default to 0.7/0.3 with hardware time stamps and
//! 0.1/0.001 with software time stamps. If both `pi_proportional_const` and
//! `pi_integral_const` are set they are used as they are, bounded by 1/s and 2/s.

use super::state::Supervisor;
use super::{
    linuxptp_output, DelayMeasurement, Measurement, Servo, ServoConfig, ServoOutput, ServoState,
    TimestampingMode,
};
use crate::time::{Duration, Ppb, Time};

/// kp scale with hardware time stamps.
const HWTS_KP_SCALE: f64 = 0.7;
/// ki scale with hardware time stamps.
const HWTS_KI_SCALE: f64 = 0.3;
/// kp scale with software time stamps.
const SWTS_KP_SCALE: f64 = 0.1;
/// ki scale with software time stamps.
const SWTS_KI_SCALE: f64 = 0.001;
/// Bound of kp × interval when constant gains are configured.
const CONST_KP_NORM_MAX: f64 = 1.0;
/// Bound of ki × interval when constant gains are configured.
const CONST_KI_NORM_MAX: f64 = 2.0;
/// The first two samples must be `FREQ_EST_FACTOR / ki` seconds apart…
const FREQ_EST_FACTOR: f64 = 0.016;
/// …but never more than this many seconds.
const FREQ_EST_MAX_SECS: f64 = 1000.0;
/// Slack on the local interval when comparing it with the estimation interval.
const FREQ_EST_MARGIN: f64 = 0.001;

/// How one gain depends on the sync interval.
#[derive(Clone, Copy, Debug, PartialEq)]
struct GainLaw {
    scale: f64,
    exponent: f64,
    norm_max: f64,
}

impl GainLaw {
    fn at(self, interval_secs: f64) -> f64 {
        let g = self.scale * interval_secs.powf(self.exponent);
        g.min(self.norm_max / interval_secs)
    }
}

/// Where the servo is in its start-up sequence.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Stage {
    /// No sample yet.
    Empty,
    /// One sample stored.
    First { offset_ns: f64, local: Time },
    /// Drift estimated; the PI loop runs.
    Running,
}

/// linuxptp's PI servo.
#[derive(Clone, Debug)]
pub struct PiServo {
    kp_law: GainLaw,
    ki_law: GainLaw,
    kp: f64,
    ki: f64,
    /// Integral term plus the initial frequency, in ppb (the frequency the clock needs at
    /// zero offset).
    drift: f64,
    last_frequency: f64,
    max_frequency: f64,
    stage: Stage,
    state: ServoState,
    supervisor: Supervisor,
}

impl PiServo {
    /// Creates the servo for a clock whose frequency adjustment is `current_frequency`.
    pub fn new(config: &ServoConfig, current_frequency: Ppb) -> Self {
        let (kp_law, ki_law) = gain_laws(config);
        let mut servo = Self {
            kp_law,
            ki_law,
            kp: 0.0,
            ki: 0.0,
            drift: current_frequency.get(),
            last_frequency: current_frequency.get(),
            max_frequency: config.max_frequency.get().abs(),
            stage: Stage::Empty,
            state: ServoState::Unlocked,
            supervisor: Supervisor::from_config(config),
        };
        servo.set_sync_interval(config.sync_interval);
        servo
    }

    /// The proportional gain in use (ppb per ns of offset, i.e. 1/s).
    pub fn kp(&self) -> f64 {
        self.kp
    }

    /// The integral gain in use (1/s per sample).
    pub fn ki(&self) -> f64 {
        self.ki
    }

    /// The frequency the servo last asked for.
    pub fn frequency(&self) -> Ppb {
        Ppb(self.last_frequency)
    }

    fn clamp(&self, f: f64) -> f64 {
        f.clamp(-self.max_frequency, self.max_frequency)
    }

    /// linuxptp's `pi_sample` without the generic post-processing.
    fn run(&mut self, offset: Duration, local: Time) -> ServoState {
        let offset_ns = offset.nanos_f64();
        match self.stage {
            Stage::Empty => {
                self.stage = Stage::First { offset_ns, local };
                ServoState::Unlocked
            }
            Stage::First {
                offset_ns: first_offset,
                local: first_local,
            } => {
                if local <= first_local {
                    // The first sample must be the older one; start over.
                    self.stage = Stage::Empty;
                    return ServoState::Unlocked;
                }
                let local_diff_ns = (local - first_local).nanos_f64();
                let waited = local_diff_ns / 1e9 * (1.0 + FREQ_EST_MARGIN);
                if waited < (FREQ_EST_FACTOR / self.ki).min(FREQ_EST_MAX_SECS) {
                    return ServoState::Unlocked;
                }
                // The offset grew by (offset - first_offset) over local_diff: the clock runs
                // that much fast relative to the current drift.
                let rate = (offset_ns - first_offset) / local_diff_ns;
                self.drift = self.clamp(self.drift - (1e9 + self.drift) * rate);
                self.last_frequency = self.drift;
                self.stage = Stage::Running;
                if self.supervisor.wants_step(offset) {
                    ServoState::Jump
                } else {
                    ServoState::Locked
                }
            }
            Stage::Running => {
                if self.supervisor.exceeds_step_threshold(offset) {
                    self.stage = Stage::Empty;
                    return ServoState::Unlocked;
                }
                let ki_term = self.ki * offset_ns;
                let f = self.drift - self.kp * offset_ns - ki_term;
                let clamped = self.clamp(f);
                if clamped == f {
                    self.drift -= ki_term;
                }
                self.last_frequency = clamped;
                ServoState::Locked
            }
        }
    }
}

fn gain_laws(config: &ServoConfig) -> (GainLaw, GainLaw) {
    if config.pi_proportional_const != 0.0 && config.pi_integral_const != 0.0 {
        return (
            GainLaw {
                scale: config.pi_proportional_const,
                exponent: 0.0,
                norm_max: CONST_KP_NORM_MAX,
            },
            GainLaw {
                scale: config.pi_integral_const,
                exponent: 0.0,
                norm_max: CONST_KI_NORM_MAX,
            },
        );
    }
    let (kp_scale, ki_scale) =
        if config.pi_proportional_scale == 0.0 || config.pi_integral_scale == 0.0 {
            match config.time_stamping {
                TimestampingMode::Hardware => (HWTS_KP_SCALE, HWTS_KI_SCALE),
                TimestampingMode::Software => (SWTS_KP_SCALE, SWTS_KI_SCALE),
            }
        } else {
            (config.pi_proportional_scale, config.pi_integral_scale)
        };
    (
        GainLaw {
            scale: kp_scale,
            exponent: config.pi_proportional_exponent,
            norm_max: config.pi_proportional_norm_max,
        },
        GainLaw {
            scale: ki_scale,
            exponent: config.pi_integral_exponent,
            norm_max: config.pi_integral_norm_max,
        },
    )
}

impl Servo for PiServo {
    fn sample(&mut self, m: &Measurement) -> ServoOutput {
        let raw = self.run(m.offset, m.local_time);
        self.state = self.supervisor.finish(raw, m.offset);
        linuxptp_output(self.state, Ppb(self.last_frequency), m.offset)
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
            self.kp = self.kp_law.at(s);
            self.ki = self.ki_law.at(s);
        }
    }

    fn reset(&mut self) {
        self.stage = Stage::Empty;
        self.state = ServoState::Unlocked;
    }

    /// New gains (and the sync interval they scale with), bound and thresholds; the drift
    /// (the frequency estimate) and the start-up stage are kept.
    fn reconfigure(&mut self, config: &ServoConfig) {
        (self.kp_law, self.ki_law) = gain_laws(config);
        self.max_frequency = config.max_frequency.get().abs();
        self.drift = self.clamp(self.drift);
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

    fn sample(s: &mut PiServo, offset_ns: i64, secs: u64) -> ServoOutput {
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

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn gains_follow_linuxptp_formula() {
        let mut c = ServoConfig::default();
        let s = PiServo::new(&c, Ppb::ZERO);
        assert!(close(s.kp(), 0.7, 1e-12) && close(s.ki(), 0.3, 1e-12));

        c.sync_interval = Duration::from_nanos(62_500_000);
        let s = PiServo::new(&c, Ppb::ZERO);
        // 0.7 · (1/16)^-0.3 and 0.3 · (1/16)^0.4
        assert!(close(s.kp(), 1.6082, 1e-4), "kp {}", s.kp());
        assert!(close(s.ki(), 0.09897, 1e-4), "ki {}", s.ki());

        c.time_stamping = TimestampingMode::Software;
        c.sync_interval = Duration::from_secs(1);
        let mut s = PiServo::new(&c, Ppb::ZERO);
        assert!(close(s.kp(), 0.1, 1e-12) && close(s.ki(), 0.001, 1e-12));
        s.set_sync_interval(Duration::from_nanos(62_500_000));
        assert!(close(s.kp(), 0.1 * 16f64.powf(0.3), 1e-12));
        assert!(close(s.ki(), 0.001 * 16f64.powf(-0.4), 1e-12));

        // A long interval hits norm_max: kp = 0.7 / 64 rather than 0.7 · 64^-0.3, and
        // ki = 0.3 / 64 rather than 0.3 · 64^0.4.
        let mut s = PiServo::new(&ServoConfig::default(), Ppb::ZERO);
        s.set_sync_interval(Duration::from_secs(64));
        assert!(close(s.ki(), 0.3 / 64.0, 1e-12));
        assert!(close(s.kp(), 0.7 / 64.0, 1e-12));
        // Above 1 s both bounds bind with the defaults.
        s.set_sync_interval(Duration::from_secs(4));
        assert!(close(s.ki(), 0.075, 1e-12));
        assert!(close(s.kp(), 0.175, 1e-12));
    }

    #[test]
    fn constant_gains_need_both_and_skip_the_interval_scaling() {
        let mut c = ServoConfig {
            pi_proportional_const: 0.5,
            pi_integral_const: 0.05,
            sync_interval: Duration::from_nanos(62_500_000),
            ..ServoConfig::default()
        };
        let s = PiServo::new(&c, Ppb::ZERO);
        assert!(close(s.kp(), 0.5, 1e-12) && close(s.ki(), 0.05, 1e-12));
        c.pi_integral_const = 0.0;
        let s = PiServo::new(&c, Ppb::ZERO);
        assert!(close(s.kp(), 1.6082, 1e-4));
    }

    #[test]
    fn waits_before_estimating_drift_then_jumps_above_first_step_threshold() {
        // Hardware defaults at 1 s: ki 0.3, so the second sample needs 0.0533 s — any later
        // sample qualifies.
        let mut s = PiServo::new(&ServoConfig::default(), Ppb(100.0));
        let out = sample(&mut s, 1_000_000, 0);
        assert_eq!(out.state, ServoState::Unlocked);
        assert_eq!(out.adjustment, Adjustment::None);
        // Offset grew by 10 µs in 1 s: the clock is 10 000 ppb fast.
        let out = sample(&mut s, 1_010_000, 1);
        assert_eq!(out.state, ServoState::Jump);
        // drift = 100 − (1e9 + 100) · 1e-5
        let expected = 100.0 - (1e9 + 100.0) * 1e-5;
        match out.adjustment {
            Adjustment::Step { by, frequency } => {
                assert_eq!(by, Duration::from_nanos(-1_010_000));
                assert!(close(frequency.get(), expected, 1e-6), "{frequency:?}");
            }
            other => panic!("expected a step, got {other:?}"),
        }
        // After the first update a large offset no longer steps (step_threshold is 0).
        let out = sample(&mut s, 5_000_000, 2);
        assert_eq!(out.state, ServoState::Locked);
    }

    #[test]
    fn small_offset_locks_without_step() {
        let mut s = PiServo::new(&ServoConfig::default(), Ppb::ZERO);
        sample(&mut s, 10_000, 0);
        let out = sample(&mut s, 19_000, 1);
        assert_eq!(out.state, ServoState::Locked);
        // 19 µs is below the 20 µs first_step_threshold.
        assert!(matches!(out.adjustment, Adjustment::Frequency(_)));
    }

    #[test]
    fn software_defaults_wait_sixteen_seconds() {
        let c = ServoConfig {
            time_stamping: TimestampingMode::Software,
            ..ServoConfig::default()
        };
        let mut s = PiServo::new(&c, Ppb::ZERO);
        sample(&mut s, 0, 0);
        // 0.016 / 0.001 = 16 s; with the 0.1 % margin 15.99 s of local time is enough and
        // 15.9 s is not.
        assert_eq!(sample(&mut s, 0, 15).state, ServoState::Unlocked);
        let out = s.sample(&Measurement {
            offset: Duration::ZERO,
            local_time: at(15) + Duration::from_millis(990),
            mean_path_delay: None,
        });
        assert_eq!(out.state, ServoState::Locked);
    }

    #[test]
    fn out_of_order_second_sample_restarts() {
        let mut s = PiServo::new(&ServoConfig::default(), Ppb::ZERO);
        sample(&mut s, 0, 5);
        assert_eq!(sample(&mut s, 0, 5).state, ServoState::Unlocked);
        // That sample restarted the sequence, so this one is the new first sample.
        assert_eq!(sample(&mut s, 0, 6).state, ServoState::Unlocked);
        assert_eq!(sample(&mut s, 0, 7).state, ServoState::Locked);
    }

    #[test]
    fn locked_output_is_pi_of_offset() {
        let mut s = PiServo::new(&ServoConfig::default(), Ppb::ZERO);
        sample(&mut s, 0, 0);
        sample(&mut s, 0, 1);
        // kp 0.7, ki 0.3: 100 ns ahead → −70 − 30 = −100 ppb; drift keeps −30.
        let out = sample(&mut s, 100, 2);
        assert!(close(frequency(out), -100.0, 1e-9));
        let out = sample(&mut s, 0, 3);
        assert!(close(frequency(out), -30.0, 1e-9));
    }

    #[test]
    fn anti_windup_stops_integrating_while_clamped() {
        let c = ServoConfig {
            max_frequency: Ppb(1000.0),
            ..ServoConfig::default()
        };
        let mut s = PiServo::new(&c, Ppb::ZERO);
        sample(&mut s, 0, 0);
        sample(&mut s, 0, 1);
        // −0.7·1e6 − 0.3·1e6 is far beyond −1000 ppb: clamped, integral not updated.
        for t in 2..10 {
            let out = sample(&mut s, 1_000_000, t);
            assert_eq!(out.adjustment, Adjustment::Frequency(Ppb(-1000.0)));
        }
        // Back at zero offset the frequency is the untouched drift (0), not a wound-up
        // integral.
        let out = sample(&mut s, 0, 10);
        assert_eq!(out.adjustment, Adjustment::Frequency(Ppb::ZERO));
    }

    #[test]
    fn step_threshold_resets_to_unlocked() {
        let c = ServoConfig {
            step_threshold: Duration::from_micros(100),
            ..ServoConfig::default()
        };
        let mut s = PiServo::new(&c, Ppb::ZERO);
        sample(&mut s, 0, 0);
        assert_eq!(sample(&mut s, 0, 1).state, ServoState::Locked);
        let out = sample(&mut s, 200_000, 2);
        assert_eq!(out.state, ServoState::Unlocked);
        assert_eq!(out.adjustment, Adjustment::None);
        // Start-up again: first sample stored, second one jumps (above step_threshold).
        assert_eq!(sample(&mut s, 200_000, 3).state, ServoState::Unlocked);
        assert_eq!(sample(&mut s, 200_000, 4).state, ServoState::Jump);
    }

    #[test]
    fn reset_keeps_frequency_and_restarts() {
        let mut s = PiServo::new(&ServoConfig::default(), Ppb::ZERO);
        sample(&mut s, 0, 0);
        sample(&mut s, 1000, 1);
        s.reset();
        assert_eq!(s.state(), ServoState::Unlocked);
        assert_eq!(sample(&mut s, 0, 2).state, ServoState::Unlocked);
        let out = sample(&mut s, 0, 3);
        // Drift from the first estimate (−1000 ppb) is kept.
        assert!(close(frequency(out), -1000.0, 1e-9));
    }
}
