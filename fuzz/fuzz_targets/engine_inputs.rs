//! Fuzz target: one boundary clock with two ports driven by a decoded sequence of inputs —
//! messages, time stamps, timers, port and management changes — with the engine's
//! invariants checked after every one (`ptp_core::__fuzz::engine_inputs`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = ptp_core::__fuzz::engine_inputs(data) {
        panic!("{failure}");
    }
});
