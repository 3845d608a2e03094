//! `operator`: the `ptp.openshift.io/v1` custom resources and the controllers that reconcile
//! them into each node's resolved configuration and the agents' workload.
//!
//! The library target holds the CRD types ([`crd`]) and the controller's logic: profile
//! selection ([`select`]), profile validation ([`validate`]), the agents' workload
//! ([`agent`]), the reconciler ([`reconcile`]), what wakes it ([`triggers`]), leader election
//! ([`leader`]) and the wiring ([`controller`]). The `ptp-operator` binary reads its settings
//! and runs [`controller::run_elected`].
#![forbid(unsafe_code)]

pub mod agent;
pub mod controller;
pub mod crd;
pub mod leader;
pub mod reconcile;
pub mod select;
pub mod triggers;
pub mod validate;

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
