//! Fuzz target: `Message::decode` on arbitrary bytes, then every TLV and every management TLV's
//! typed data of what decodes (`ptp_core::__fuzz::decode`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(failure) = ptp_core::__fuzz::decode(data) {
        panic!("{failure}");
    }
});
