//! Closed-loop servo simulation: an ideal master, a slave oscillator with a 10 ppm frequency
//! error and random-walk wander, software time-stamping noise, and each servo steering the
//! slave. Asserts on the true clock error, measured in one run with the same seeds for every
//! servo.
//!
//! # Model
//!
//! - Master: ideal (true time). Path delay 50 µs each way, symmetric.
//! - Slave: [`Oscillator`] with an initial offset drawn uniformly in ±1 ms per seed, +10 ppm
//!   frequency error and random-walk wander of [`WANDER_PPB_PER_SQRT_S`].
//! - Every time stamp (t1..t4) gets independent normal noise of 500/√2 ns, so each one-way
//!   difference (t2 − t1, t4 − t3) carries 500 ns RMS, as software time stamping on a busy
//!   host does (reference notes, linuxptp-and-testing §5: 410–471 ns RMS measured).
//! - E2E delay mechanism: a Delay_Req leaves 20 ms after each Sync is received (so the
//!   delay request rate equals the sync rate). The mean path delay is the moving median of
//!   the last 10 per-exchange delays (linuxptp's `delay_filter moving_median`,
//!   `delay_filter_length 10`). Offsets are `t2 − t1 − meanPathDelay`; the first Sync, before
//!   any delay is known, yields no offset.
//! - Every servo gets the same offsets and the Delay_Req halves (`Servo::delay_sample`; PI and
//!   linreg ignore them). Adjustments take effect at the time stamp that caused them.
//! - The true error (slave reading − true time) is recorded at every Sync arrival.
//!
//! Convergence time: the time of the first record after which |true error| stays below 1 µs
//! to the end of the run. Steady state: RMS and max |true error| over the second half of the
//! run. Figures are per seed, then aggregated over the seeds (convergence: mean; RMS: root
//! mean square, i.e. the RMS over every steady-state record of every seed; max: max).
//!
//! # What is asserted
//!
//! Our default servo ([`ServoKind::default`], our Kalman filter) against the PI servo, both
//! with linuxptp's software defaults, at 1 and at 16 syncs per second, with the same seeds:
//! its aggregate steady-state RMS is at most [`RMS_RATIO_BOUND`] (0.57) of PI's, and it stays
//! within 1 µs in every seed, on average at most half as late as PI. The target we would like
//! to state, "half of PI's RMS", is at the edge of what any estimator can do in this model
//! (next section), so whether it holds depends on the seeds; the bound is above 0.5, with a
//! margin taken from the spread measured over many seed sets.
//!
//! # How close to the optimum this is
//!
//! Each exchange gives two measurements of the phase with 500 ns of noise (354 ns together),
//! and the wander is a random walk of q = (0.1 ppb)²/s. The steady-state error variance of the
//! optimal (Kalman) estimate of such a clock is √2·r^¾·q^¼, with r = (354 ns)² × the sync
//! interval: about 19 ns RMS at 16 syncs/s against PI's 36–38 ns (a ratio of about 0.51), and
//! about 54 ns at 1 sync/s against PI's 111–116 ns (about 0.48).
//!
//! # Seeds and the bound
//!
//! The per-seed RMS ratio spreads widely (0.32–0.69), so the test aggregates many seeds:
//! [`SEEDS_1HZ`] (64) at 1 sync/s, where a run is cheap, and [`SEEDS_16HZ`] (32) at 16
//! syncs/s. Measured aggregate RMS ratios (every per-seed ratio is printed by the test):
//!
//! | seeds                 | 1 sync/s | 16 syncs/s |
//! |-----------------------|----------|------------|
//! | 1–64 / 1–32 (these)   | 0.480    | 0.525      |
//! | 1001–1064 / 1001–1032 | 0.496    | 0.516      |
//! | 30 disjoint sets from seed 1, mean ± sd (max) | 0.491 ± 0.009 (0.510) | 0.527 ± 0.009 (0.544) |
//!
//! 0.57 is 5 standard deviations above the mean at 16 syncs/s and 9 at 1 sync/s, so another
//! draw of the random numbers (other seeds, another order of draws) does not flip it, while a
//! servo 9 % worse than ours at 16 syncs/s fails it (over seeds 1–16, linreg: 0.98 and 2.9;
//! statime's filter with its defaults: 1.24 and 1.28). The convergence ratio is at most 0.21
//! in every set measured (0.004 at 16 syncs/s): a wide margin under 0.5.
//!
//! `every_servo_locks_in_every_seed` asserts that every servo we ship (linreg and statime's
//! Kalman filter too, the latter with its defaults and with our tuning of it,
//! [`tuned_statime`]) stays within 1 µs before the end of every run of [`SEEDS_TABLE`] at both
//! rates, and prints their figures side by side (`-- --nocapture`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ptp_core::servo::{
    ClockServo, DelayMeasurement, Measurement, Servo, ServoConfig, ServoKind, TimestampingMode,
};
use ptp_core::sim::{Noise, Oscillator, OscillatorModel, Rng, TimestampNoise};
use ptp_core::time::{Duration, Ppb, Time};

/// Seeds of the asserting run at 1 sync/s.
const SEEDS_1HZ: std::ops::Range<u64> = 1..65;
/// Seeds of the asserting run at 16 syncs/s (a run costs 16 times as much as at 1 sync/s).
const SEEDS_16HZ: std::ops::Range<u64> = 1..33;
/// Seeds of the check that every servo locks: a few, as it runs five servos at two rates
/// (the ratios quoted in the module's documentation are over seeds 1–16).
const SEEDS_TABLE: std::ops::Range<u64> = 1..5;
/// Upper bound of our default servo's aggregate steady-state RMS as a fraction of PI's: the
/// optimum is about 0.5, the bound has five standard deviations of margin (module doc).
const RMS_RATIO_BOUND: f64 = 0.57;
/// Upper bound of our default servo's mean convergence time as a fraction of PI's.
const CONVERGENCE_RATIO_BOUND: f64 = 0.5;
const RUN_SECS: i64 = 2000;
const PATH_DELAY: Duration = Duration::from_nanos(50_000);
const DELAY_REQ_AFTER: Duration = Duration::from_nanos(20_000_000);
const FREQUENCY_ERROR_PPB: f64 = 10_000.0;
/// Random-walk frequency wander of the slave oscillator (ppb per √s): after 1000 s the
/// frequency has moved by about 3 ppb, a plain crystal oscillator in a stable room.
const WANDER_PPB_PER_SQRT_S: f64 = 0.1;
const OFFSET_NOISE_RMS_NS: f64 = 500.0;
const DELAY_FILTER_LENGTH: usize = 10;
const LOCK_BOUND_NS: f64 = 1000.0;

#[derive(Clone, Copy, Debug)]
struct Outcome {
    converged_after_s: Option<f64>,
    rms_ns: f64,
    max_ns: f64,
}

/// The median of linuxptp's moving-median delay filter.
fn median(window: &[Duration]) -> Duration {
    let mut v = window.to_vec();
    v.sort();
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]).half()
    }
}

fn run(kind: ServoKind, config: &ServoConfig, seed: u64) -> Outcome {
    let mut rng = Rng::seed_from_u64(seed);
    let initial_offset = Duration::from_nanos_f64((rng.uniform() * 2.0 - 1.0) * 1e6);
    let start = Time::from_secs_nanos(1_700_000_000, 0);
    let mut slave = Oscillator::new(
        OscillatorModel {
            initial_offset,
            frequency_error: Ppb(FREQUENCY_ERROR_PPB),
            wander: Ppb(WANDER_PPB_PER_SQRT_S),
        },
        start,
        rng.fork(),
    );
    let mut noise_rng = rng.fork();
    let stamp = TimestampNoise {
        noise: Noise::Gaussian {
            rms: Duration::from_nanos_f64(OFFSET_NOISE_RMS_NS / 2f64.sqrt()),
        },
        resolution: Duration::ZERO,
    };
    let mut servo = ClockServo::new(kind, config, Ppb::ZERO);
    let interval = config.sync_interval;
    let syncs =
        RUN_SECS * Duration::from_secs(1).scaled_nanos() as i64 / interval.scaled_nanos() as i64;

    let mut delays: Vec<Duration> = Vec::with_capacity(DELAY_FILTER_LENGTH);
    let mut errors: Vec<(f64, f64)> = Vec::with_capacity(syncs as usize);
    for k in 0..syncs {
        // Sync: sent by the master at t1, received by the slave at t2.
        let sent = start + interval * k;
        let t1 = stamp.stamp(&mut noise_rng, sent);
        slave.advance_to(sent + PATH_DELAY);
        errors.push(((interval * k).secs_f64(), slave.error().nanos_f64()));
        let t2 = stamp.stamp(&mut noise_rng, slave.now());
        if !delays.is_empty() {
            let mean_path_delay = median(&delays);
            let out = servo.sample(&Measurement {
                offset: t2 - t1 - mean_path_delay,
                local_time: t2,
                mean_path_delay: Some(mean_path_delay),
            });
            slave.apply(out.adjustment);
        }
        // Delay_Req: sent by the slave at t3, received by the master at t4.
        let req_sent = slave.true_time() + DELAY_REQ_AFTER;
        slave.advance_to(req_sent);
        let t3 = stamp.stamp(&mut noise_rng, slave.now());
        let t4 = stamp.stamp(&mut noise_rng, req_sent + PATH_DELAY);
        if delays.len() == DELAY_FILTER_LENGTH {
            delays.remove(0);
        }
        delays.push(((t2 - t1) + (t4 - t3)).half());
        let out = servo.delay_sample(&DelayMeasurement {
            reverse_offset: t3 - t4,
            local_time: t3,
        });
        slave.apply(out.adjustment);
    }

    let last_bad = errors.iter().rposition(|&(_, e)| e.abs() >= LOCK_BOUND_NS);
    let converged_after_s = match last_bad {
        None => Some(0.0),
        Some(i) if i + 1 < errors.len() => Some(errors[i + 1].0),
        Some(_) => None,
    };
    let steady = &errors[errors.len() / 2..];
    let rms_ns = (steady.iter().map(|&(_, e)| e * e).sum::<f64>() / steady.len() as f64).sqrt();
    let max_ns = steady.iter().map(|&(_, e)| e.abs()).fold(0.0, f64::max);
    Outcome {
        converged_after_s,
        rms_ns,
        max_ns,
    }
}

/// Mean over the seeds; a run that never converged counts as the whole run.
fn summary(outcomes: &[Outcome]) -> Outcome {
    let n = outcomes.len() as f64;
    let conv = outcomes
        .iter()
        .map(|o| o.converged_after_s.unwrap_or(RUN_SECS as f64))
        .sum::<f64>()
        / n;
    Outcome {
        converged_after_s: outcomes
            .iter()
            .all(|o| o.converged_after_s.is_some())
            .then_some(conv),
        rms_ns: (outcomes.iter().map(|o| o.rms_ns * o.rms_ns).sum::<f64>() / n).sqrt(),
        max_ns: outcomes.iter().map(|o| o.max_ns).fold(0.0, f64::max),
    }
}

/// linuxptp's software-time-stamping defaults at the given sync interval.
fn config(log_sync: i8) -> ServoConfig {
    ServoConfig {
        time_stamping: TimestampingMode::Software,
        sync_interval: ptp_core::time::LogInterval(log_sync).duration(),
        ..ServoConfig::default()
    }
}

/// statime's Kalman filter tuned against this model:
///
/// - `initial_wander` 1e-20 (s/s)²/s instead of 1e-16: the wander of a crystal oscillator
///   (about 0.1 ppb/√s). statime adapts the estimate only by factors of four after 16
///   consistent surprises, so starting 10^4 too high keeps the filter jumpy for the whole
///   run. This is the single change that matters for RMS (1 Hz, seeds 1–16: 142 → 52 ns).
/// - `steer_time` 1 s instead of 2 s and noise estimation after 3/6 pairs instead of 4/8:
///   faster start-up; no effect on the steady state.
fn tuned_statime(log_sync: i8) -> ServoConfig {
    let mut c = config(log_sync);
    c.statime.initial_wander = 1e-20;
    c.statime.steer_time = Duration::from_secs(1);
    c.statime.difference_estimation_boundary = 3;
    c.statime.statistical_estimation_boundary = 6;
    c
}

fn conv(o: &Outcome) -> String {
    o.converged_after_s
        .map_or("never".to_owned(), |t| format!("{t:.2} s"))
}

/// Runs every seed of `seeds` with servo `kind`.
fn runs(kind: ServoKind, config: &ServoConfig, seeds: std::ops::Range<u64>) -> Vec<Outcome> {
    seeds.map(|seed| run(kind, config, seed)).collect()
}

/// Our default servo against PI at 2^`log_sync` s over `seeds`: prints every seed's figures
/// and ratio and the aggregate, then asserts the bounds.
fn assert_against_pi(log_sync: i8, seeds: std::ops::Range<u64>) {
    let cfg = config(log_sync);
    let ours = runs(ServoKind::default(), &cfg, seeds.clone());
    let pi = runs(ServoKind::Pi, &cfg, seeds.clone());
    println!(
        "sync interval 2^{log_sync} s, {RUN_SECS} s per run, steady state = second half, \
         seeds {seeds:?}"
    );
    println!(
        "{:>5} {:>12} {:>12} {:>9} {:>9} {:>9}",
        "seed", "ours <1us", "pi <1us", "ours rms", "pi rms", "ratio"
    );
    for ((seed, o), p) in seeds.zip(&ours).zip(&pi) {
        println!(
            "{seed:>5} {:>12} {:>12} {:>9.1} {:>9.1} {:>9.3}",
            conv(o),
            conv(p),
            o.rms_ns,
            p.rms_ns,
            o.rms_ns / p.rms_ns
        );
    }
    let (ours, pi) = (summary(&ours), summary(&pi));
    let rms = ours.rms_ns / pi.rms_ns;
    println!(
        "{:>5} {:>12} {:>12} {:>9.1} {:>9.1} {rms:>9.3}",
        "all",
        conv(&ours),
        conv(&pi),
        ours.rms_ns,
        pi.rms_ns
    );
    let (Some(ours_conv), Some(pi_conv)) = (ours.converged_after_s, pi.converged_after_s) else {
        panic!("a servo did not stay within 1 µs in every seed: ours {ours:?}, pi {pi:?}");
    };
    let conv = ours_conv / pi_conv;
    println!("aggregate: rms ratio {rms:.3}, convergence-time ratio {conv:.3}");
    assert!(
        rms <= RMS_RATIO_BOUND,
        "default servo's RMS is {rms:.3} of PI's, expected at most {RMS_RATIO_BOUND}"
    );
    assert!(
        conv <= CONVERGENCE_RATIO_BOUND,
        "default servo stays within 1 µs after {conv:.3} of PI's time, expected at most \
         {CONVERGENCE_RATIO_BOUND}"
    );
}

#[test]
fn one_sync_per_second() {
    assert_against_pi(0, SEEDS_1HZ);
}

#[test]
fn sixteen_syncs_per_second() {
    assert_against_pi(-4, SEEDS_16HZ);
}

/// Every servo locks in every seed of [`SEEDS_TABLE`] at 1 and 16 syncs per second: it
/// stays within 1 µs from some point of the run to its end. Prints every servo's figures
/// (convergence, steady-state RMS and max, RMS against PI's) for comparison.
#[test]
fn every_servo_locks_in_every_seed() {
    let mut unlocked = Vec::new();
    for log_sync in [0, -4] {
        let candidates: [(&str, ServoKind, ServoConfig); 5] = [
            ("default (kalman)", ServoKind::default(), config(log_sync)),
            ("pi", ServoKind::Pi, config(log_sync)),
            ("linreg", ServoKind::Linreg, config(log_sync)),
            ("statime-defaults", ServoKind::Statime, config(log_sync)),
            ("statime-tuned", ServoKind::Statime, tuned_statime(log_sync)),
        ];
        println!("sync interval 2^{log_sync} s, seeds {SEEDS_TABLE:?}");
        println!(
            "{:<18} {:>15} {:>9} {:>9} {:>9}",
            "servo", "<1us after", "rms ns", "max ns", "/ pi rms"
        );
        let pi = summary(&runs(ServoKind::Pi, &config(log_sync), SEEDS_TABLE));
        for (name, kind, cfg) in candidates {
            let s = summary(&runs(kind, &cfg, SEEDS_TABLE));
            println!(
                "{name:<18} {:>15} {:>9.1} {:>9.1} {:>9.3}",
                conv(&s),
                s.rms_ns,
                s.max_ns,
                s.rms_ns / pi.rms_ns
            );
            unlocked.extend(
                s.converged_after_s
                    .is_none()
                    .then(|| format!("{name} at 2^{log_sync} s")),
            );
        }
    }
    assert!(
        unlocked.is_empty(),
        "not within 1 µs by the end of every run: {unlocked:?}"
    );
}
