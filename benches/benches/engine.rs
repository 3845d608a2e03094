//! Engine cost: one full E2E exchange — Sync, Follow_Up, Delay_Req, Delay_Resp — through two
//! engine instances (a grandmaster and a slave-only ordinary clock, `ptp_core::sim::
//! LoopbackPair`), including decoding, encoding, the delay filter and the servo. Time stamps
//! are exact, so the slave stays in its locked state.
//!
//! Run with `cargo bench -p ptp-benches --bench engine`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ptp_core::sim::LoopbackPair;

fn bench_exchange(c: &mut Criterion) {
    let Some(mut pair) = LoopbackPair::locked(100) else {
        eprintln!("the slave did not lock; nothing to measure");
        return;
    };
    c.bench_function("engine/e2e_exchange", |b| {
        b.iter(|| black_box(&mut pair).exchange())
    });
}

criterion_group!(benches, bench_exchange);
criterion_main!(benches);
