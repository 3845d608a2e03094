//! Shared helpers for `ptp-core`'s integration tests. Use with `mod support;`.
//!
//! Each integration test file is its own crate and uses only part of this module, so unused
//! items and `pub` items that are unreachable from that crate's root are expected here.
#![allow(dead_code, unreachable_pub)]

pub mod bmca;
pub mod option_sets;
pub mod pcap;
pub mod sim;
