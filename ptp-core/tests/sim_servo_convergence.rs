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
//! run. Figures are per seed, then averaged (convergence: mean; RMS: root mean square; max:
//! max).
//!
//! # What is asserted
//!
//! The engine issue's target for our default servo ([`ServoKind::default`], our Kalman
//! filter, with the same defaults): at 1 and at 16 syncs per second, with the same seeds, its
//! steady-state RMS is at most half of the PI servo's with linuxptp's software defaults, and
//! it stays within 1 µs at least twice as early. The table (run with `--nocapture`) also
//! gives linreg and statime's Kalman filter, with statime's defaults and with our tuning of
//! it ([`tuned_statime`]).
//!
//! # How close to the bound this is
//!
//! The RMS conditions sit close to what any estimator can do here. Each exchange gives two
//! measurements of the phase with 500 ns of noise (354 ns together), and the wander is a
//! random walk of q = (0.1 ppb)²/s. The steady-state error variance of the optimal (Kalman)
//! estimate of such a clock is √2·r^¾·q^¼, with r = (354 ns)² × the sync interval: about
//! 19 ns RMS at 16 syncs/s against PI's 36–38 ns, and about 54 ns at 1 sync/s against PI's
//! 111–116 ns. The default servo gets 18.0 and 43.5 ns with seeds 1–4 (ratios 0.495 and
//! 0.391); three other sets of four seeds gave 19–22 ns (ratios 0.51–0.57) and 50–59 ns
//! (0.44–0.51). The convergence conditions have a wide margin at both rates. The seeds are
//! the ones this test had before our servo existed.
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

const SEEDS: [u64; 4] = [1, 2, 3, 4];
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
///   run. This is the single change that matters for RMS (1 Hz: 135 → 45 ns).
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

/// Mean figures of one servo configuration over [`SEEDS`].
#[derive(Clone, Copy, Debug)]
struct Row {
    name: &'static str,
    summary: Outcome,
}

fn conv(o: &Outcome) -> String {
    o.converged_after_s
        .map_or("never".to_owned(), |t| format!("{t:.2} s"))
}

/// The name of our default servo in the table.
const DEFAULT: &str = "default (kalman)";

/// Runs every servo at 2^`log_sync` s and prints the table.
fn table(log_sync: i8) -> Vec<Row> {
    let candidates: [(&'static str, ServoKind, ServoConfig); 5] = [
        (DEFAULT, ServoKind::default(), config(log_sync)),
        ("pi", ServoKind::Pi, config(log_sync)),
        ("linreg", ServoKind::Linreg, config(log_sync)),
        ("statime-defaults", ServoKind::Statime, config(log_sync)),
        ("statime-tuned", ServoKind::Statime, tuned_statime(log_sync)),
    ];
    println!(
        "sync interval 2^{log_sync} s, {RUN_SECS} s per run, seeds {SEEDS:?}, steady state = \
         second half"
    );
    println!(
        "{:<24} {:>5} {:>15} {:>9} {:>9}",
        "servo", "seed", "<1us after", "rms ns", "max ns"
    );
    let mut rows = Vec::new();
    for (name, kind, cfg) in candidates {
        let per_seed: Vec<Outcome> = SEEDS.iter().map(|&s| run(kind, &cfg, s)).collect();
        for (seed, o) in SEEDS.iter().zip(&per_seed) {
            println!(
                "{name:<24} {seed:>5} {:>15} {:>9.1} {:>9.1}",
                conv(o),
                o.rms_ns,
                o.max_ns
            );
        }
        let s = summary(&per_seed);
        println!(
            "{name:<24} {:>5} {:>15} {:>9.1} {:>9.1}",
            "all",
            conv(&s),
            s.rms_ns,
            s.max_ns
        );
        rows.push(Row { name, summary: s });
    }
    for r in rows.iter().filter(|r| r.name != "pi") {
        let (rms, conv) = ratios(&rows, r.name);
        let conv = conv.map_or("-".to_owned(), |c| format!("{c:.3}"));
        println!(
            "{} / pi: rms ratio {rms:.3}, convergence-time ratio {conv}",
            r.name
        );
    }
    rows
}

fn get(rows: &[Row], name: &str) -> Outcome {
    rows.iter().find(|r| r.name == name).unwrap().summary
}

/// (RMS ratio, convergence-time ratio) of `name` against linuxptp's PI; `None`
/// for the convergence ratio if either did not stay within 1 µs in every seed.
fn ratios(rows: &[Row], name: &str) -> (f64, Option<f64>) {
    let pi = get(rows, "pi");
    let ours = get(rows, name);
    let rms = ours.rms_ns / pi.rms_ns;
    let conv = ours
        .converged_after_s
        .zip(pi.converged_after_s)
        .map(|(o, p)| o / p);
    (rms, conv)
}

/// Asserts the target for the default servo at 2^`log_sync` s.
fn assert_target(log_sync: i8) {
    let rows = table(log_sync);
    for name in [DEFAULT, "pi"] {
        assert!(
            get(&rows, name).converged_after_s.is_some(),
            "{name} did not stay within 1 µs in every seed"
        );
    }
    let (rms, conv) = ratios(&rows, DEFAULT);
    let conv = conv.unwrap();
    assert!(
        rms <= 0.5,
        "default servo's RMS is {rms:.3} of PI's, expected at most 0.5"
    );
    assert!(
        conv <= 0.5,
        "default servo stays within 1 µs after {conv:.3} of PI's time, expected at most 0.5"
    );
}

#[test]
fn one_sync_per_second() {
    assert_target(0);
}

#[test]
fn sixteen_syncs_per_second() {
    assert_target(-4);
}
