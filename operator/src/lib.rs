//! `operator`: the `ptp.openshift.io/v1` custom resources and the controllers that reconcile
//! them into node agents.
//!
//! The library target holds the CRD types ([`crd`]), which `node-agent` also uses; the
//! controllers run in the `ptp-operator` binary.
#![forbid(unsafe_code)]

pub mod crd;
