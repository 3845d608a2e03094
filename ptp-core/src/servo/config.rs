//! [`ServoConfig`]: the servo options of `ptp4l.conf`, with linuxptp's names and defaults,
//! plus the tuning of our Kalman servo and of statime's.

use crate::time::{Duration, Ppb};

/// How time stamps are taken; it selects the default PI constants (`time_stamping` in
/// `ptp4l.conf`: `software` is [`TimestampingMode::Software`], every hardware mode —
/// `hardware`, `legacy`, `onestep`, `p2p1step` — is [`TimestampingMode::Hardware`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum TimestampingMode {
    /// Time stamps from the NIC's PHC.
    #[default]
    Hardware,
    /// Time stamps taken by the kernel's network stack.
    Software,
}

/// The servo options of `ptp4l.conf` (linuxptp's names; defaults from its `config.c`).
///
/// A zero `pi_*_const` or `pi_*_scale` means "use the formula and the default for the
/// time-stamping mode", as in linuxptp.
#[derive(Clone, Debug, PartialEq)]
pub struct ServoConfig {
    /// `pi_proportional_const`: fixed kp (used only when `pi_integral_const` is set too).
    pub pi_proportional_const: f64,
    /// `pi_integral_const`: fixed ki (used only when `pi_proportional_const` is set too).
    pub pi_integral_const: f64,
    /// `pi_proportional_scale`: kp at a 1 s sync interval; 0 means 0.7 (HW) or 0.1 (SW).
    pub pi_proportional_scale: f64,
    /// `pi_proportional_exponent`: how kp scales with the sync interval (default -0.3).
    pub pi_proportional_exponent: f64,
    /// `pi_proportional_norm_max`: upper bound of kp × sync interval (default 0.7).
    pub pi_proportional_norm_max: f64,
    /// `pi_integral_scale`: ki at a 1 s sync interval; 0 means 0.3 (HW) or 0.001 (SW).
    pub pi_integral_scale: f64,
    /// `pi_integral_exponent`: how ki scales with the sync interval (default 0.4).
    pub pi_integral_exponent: f64,
    /// `pi_integral_norm_max`: upper bound of ki × sync interval (default 0.3).
    pub pi_integral_norm_max: f64,
    /// `step_threshold`: step whenever |offset| exceeds this; zero (the default) never steps
    /// after the first update.
    pub step_threshold: Duration,
    /// `first_step_threshold`: step on the first update when |offset| exceeds this
    /// (default 20 µs; zero disables).
    pub first_step_threshold: Duration,
    /// `max_frequency`: the largest frequency adjustment the servo may set (default
    /// 900 000 000 ppb). A PHC also clamps what it applies to its own `max_adj`.
    pub max_frequency: Ppb,
    /// `servo_offset_threshold`: LOCKED becomes LOCKED_STABLE once the last
    /// `servo_num_offset_values` offsets are all below this; zero (the default) disables.
    pub servo_offset_threshold: Duration,
    /// `servo_num_offset_values` (default 10).
    pub servo_num_offset_values: u32,
    /// `time_stamping`, as far as the servo cares.
    pub time_stamping: TimestampingMode,
    /// The interval between samples the servo expects (the sync interval, 1 s by default);
    /// change it at run time with [`Servo::set_sync_interval`](super::Servo::set_sync_interval).
    pub sync_interval: Duration,
    /// Tuning of our Kalman servo (`clock_servo kalman`).
    pub kalman: KalmanConfig,
    /// Tuning of statime's Kalman filter (`clock_servo statime`).
    pub statime: StatimeConfig,
}

impl Default for ServoConfig {
    fn default() -> Self {
        Self {
            pi_proportional_const: 0.0,
            pi_integral_const: 0.0,
            pi_proportional_scale: 0.0,
            pi_proportional_exponent: -0.3,
            pi_proportional_norm_max: 0.7,
            pi_integral_scale: 0.0,
            pi_integral_exponent: 0.4,
            pi_integral_norm_max: 0.3,
            step_threshold: Duration::ZERO,
            first_step_threshold: Duration::from_micros(20),
            max_frequency: Ppb(900_000_000.0),
            servo_offset_threshold: Duration::ZERO,
            servo_num_offset_values: 10,
            time_stamping: TimestampingMode::Hardware,
            sync_interval: Duration::from_secs(1),
            kalman: KalmanConfig::default(),
            statime: StatimeConfig::default(),
        }
    }
}

/// Tuning of statime's Kalman filter (statime's `KalmanConfiguration`; same defaults unless
/// noted).
///
/// The statime servo uses its own `step_threshold` (it steps whenever its offset estimate is
/// beyond it) rather than linuxptp's `step_threshold`/`first_step_threshold`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StatimeConfig {
    /// Step the clock when the estimated offset exceeds this (default 1 ms).
    pub step_threshold: Duration,
    /// Band around zero, in standard deviations of the offset estimate, in which the servo
    /// does not steer (default 0).
    pub deadzone: f64,
    /// Time over which an offset is steered out (default 2 s). Shorter corrects faster and
    /// passes more noise.
    pub steer_time: Duration,
    /// Largest frequency offset used for steering out an offset (default 200 ppm).
    pub max_steer: Ppb,
    /// Largest total frequency correction (default 400 ppm).
    pub max_freq_offset: Ppb,
    /// Initial uncertainty of the clock's frequency, as a ratio (default 100e-6).
    pub initial_frequency_uncertainty: f64,
    /// Initial estimate of the frequency wander, in s/s per s (default 1e-16).
    pub initial_wander: f64,
    /// Allowed change of the path delay, as a fraction per second (default 1e-4 per hour).
    pub delay_wander: f64,
    /// Resistance to changing the wander estimate (default 16, at most 127).
    pub precision_hysteresis: u8,
    /// Largest gap between a Sync and a Delay_Req measurement to pair them for estimating the
    /// measurement noise (default 200 ms).
    pub estimate_threshold: Duration,
    /// Sync/Delay_Req pairs needed before the measurement noise is estimated from their
    /// spread; until then it is taken as `steer_time` (default 4, at most 32).
    pub difference_estimation_boundary: usize,
    /// Pairs needed before the noise estimate switches from the spread to the sample
    /// variance (default 8, at most 32).
    pub statistical_estimation_boundary: usize,
}

impl Default for StatimeConfig {
    fn default() -> Self {
        Self {
            step_threshold: Duration::from_millis(1),
            deadzone: 0.0,
            steer_time: Duration::from_secs(2),
            max_steer: Ppb(200_000.0),
            max_freq_offset: Ppb(400_000.0),
            initial_frequency_uncertainty: 100e-6,
            initial_wander: 1e-16,
            delay_wander: 1e-4 / 3600.0,
            precision_hysteresis: 16,
            estimate_threshold: Duration::from_millis(200),
            difference_estimation_boundary: 4,
            statistical_estimation_boundary: 8,
        }
    }
}

/// Tuning of our Kalman servo ([`KalmanServo`](super::KalmanServo), `clock_servo kalman`).
///
/// Everything else it needs — the measurement noise of syncs and delay requests — it
/// estimates from the measurements themselves.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct KalmanConfig {
    /// Random-walk frequency wander of the local oscillator: the standard deviation of its
    /// frequency change over one second, in ppb (it grows as √t). The default, 0.1 ppb/√s,
    /// is a plain crystal oscillator at a stable temperature (about 3 ppb over 1000 s); use
    /// less for a TCXO or OCXO and more for a clock in a changing environment. Larger
    /// follows the oscillator more closely and passes more time-stamp noise.
    pub wander: Ppb,
}

impl Default for KalmanConfig {
    fn default() -> Self {
        Self { wander: Ppb(0.1) }
    }
}
