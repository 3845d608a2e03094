//! `telemetry`: what both daemons, `ptp-agent` and `ptp-operator`, serve on their metrics
//! port: the registry in Prometheus' text format ([`http`]) and the `/healthz` and `/readyz`
//! probes answered from a [`Health`] their main loops keep up to date ([`health`]).
#![forbid(unsafe_code)]

pub mod health;
pub mod http;

pub use health::Health;
