//! The engine's time-transfer path allocates nothing: one full E2E exchange (Sync,
//! Follow_Up, Delay_Req, Delay_Resp, both ends, servo included) between two locked engines
//! performs no heap operation. Counted with a per-thread counting allocator (`densa_alloc`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use densa_alloc::{measure, CountingAllocator};
use ptp_core::sim::LoopbackPair;

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::system();

#[test]
fn a_full_e2e_exchange_allocates_nothing() {
    let mut pair = LoopbackPair::locked(50).expect("the slave locks");
    assert!(pair.oc.servo_state().is_locked());
    for _ in 0..20 {
        let (done, stats) = measure(|| black_box(&mut pair).exchange());
        assert_eq!(done, Some(()), "an expected message was not sent");
        assert!(stats.is_zero(), "one exchange: {stats:?}");
    }
}
