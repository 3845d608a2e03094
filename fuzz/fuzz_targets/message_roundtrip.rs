//! Fuzz target: decode → encode → decode gives the same message, the canonical encoding is a
//! fixed point, and every TLV re-encodes to itself (`ptp_core::__fuzz::roundtrip`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = ptp_core::__fuzz::roundtrip(data) {
        panic!("{failure}");
    }
});
