//! `operator`: the `ptp.openshift.io/v1` custom resources and the controllers that reconcile
//! them into each node's resolved configuration and the agents' workload.
//!
//! The library target holds the CRD types ([`crd`]) and the controller's logic: profile
//! selection ([`select`]), profile validation ([`validate`]), the agents' workload
//! ([`agent`]), the pure plan of a pass ([`plan`]) and the writes that carry it out
//! ([`reconcile`]), the watch caches a pass reads ([`cache`]), what wakes it ([`triggers`]),
//! how watches retry ([`watch`]), its metrics ([`metrics`]), leader election ([`leader`]) and
//! the wiring ([`controller`]). The `ptp-operator` binary reads its settings, serves metrics
//! and probes, and runs [`controller::run_elected`].
#![forbid(unsafe_code)]

pub mod agent;
pub mod cache;
pub mod controller;
pub mod crd;
pub mod leader;
pub mod metrics;
pub mod plan;
pub mod reconcile;
pub mod select;
pub mod triggers;
pub mod validate;
pub mod watch;

/// 64-bit FNV-1a: stable across builds and platforms, unlike `std`'s hasher; the hashes of
/// what the operator writes and of what an agent runs.
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// An error and its chain of causes, on one line.
pub fn report(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn fnv1a_matches_the_reference_vectors() {
        assert_eq!(super::fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(super::fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
    }
}
