//! Servo cost: one offset measurement in, one adjustment out, for each servo in its locked
//! state (linuxptp's hardware defaults, 1 s sync interval).
//!
//! Run with `cargo bench -p ptp-benches --bench servo`. `servo/kalman` is our default servo,
//! `servo/statime` statime's Kalman filter.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ptp_core::servo::{ClockServo, Measurement, Servo, ServoConfig, ServoKind};
use ptp_core::time::{Duration, Ppb, Time};

/// A deterministic ±250 ns jitter pattern, so the servos do not see a constant input.
fn jitter(k: u64) -> Duration {
    Duration::from_nanos(((k.wrapping_mul(2_654_435_761) % 501) as i64) - 250)
}

fn bench_servo(c: &mut Criterion, kind: ServoKind) {
    let config = ServoConfig::default();
    let mut servo = ClockServo::new(kind, &config, Ppb::ZERO);
    let start = Time::from_secs_nanos(1_700_000_000, 0);
    let mut k = 0u64;
    let mut next = move || {
        k += 1;
        Measurement {
            offset: jitter(k),
            local_time: start + Duration::from_secs(1) * k as i64,
            mean_path_delay: Some(Duration::from_micros(50)),
        }
    };
    // Warm up past the start-up states so the loop measures the locked path.
    for _ in 0..200 {
        let m = next();
        servo.sample(&m);
    }
    c.bench_function(&format!("servo/{}", kind.name()), |b| {
        b.iter(|| {
            let m = next();
            black_box(servo.sample(black_box(&m)))
        })
    });
}

fn servos(c: &mut Criterion) {
    for kind in [
        ServoKind::Kalman,
        ServoKind::Pi,
        ServoKind::Linreg,
        ServoKind::Statime,
    ] {
        bench_servo(c, kind);
    }
}

criterion_group!(benches, servos);
criterion_main!(benches);
