//! `ptp-core`: a sans-IO, deterministic IEEE 1588-2019 (PTPv2.1) engine.
//!
//! This crate holds everything about the Precision Time Protocol that does not touch the
//! operating system: the wire format, data sets, the best master clock algorithm, the port
//! state machine, servos, the configuration model and the deterministic simulator.
//!
//! # What it must not do
//!
//! No sockets, no clock reads, no threads, no async, no `unsafe`, and no global state. Every
//! input carries the current time; every output is an action for the runtime (`node-agent`) to
//! carry out. Given the same inputs it produces the same outputs, which is what makes the
//! simulator, the fuzzers and the benchmarks possible. It never installs a `tracing`
//! subscriber.
//!
//! # Main types, in the order you meet them
//!
//! - [`time`]: typed time — [`time::Time`], [`time::Duration`], the wire's scaled nanoseconds
//!   [`time::TimeInterval`], [`time::LogInterval`], and frequencies [`time::Ppb`] and
//!   [`time::ScaledPpm`].
//! - [`config`]: the configuration model read from linuxptp's `ptp4l.conf` and ptp4l-style
//!   flags (one option table drives parser, defaults, writer and docs), plus phc2sys/ts2phc.
//! - [`engine`]: the sans-IO clock: data sets, port state machine, BMCA applied, E2E and
//!   P2P delay, grandmaster, boundary clock; inputs in, actions out.
//! - [`servo`]: clock servos (our Kalman filter, the default; linuxptp's PI and linreg;
//!   statime's Kalman filter) behind one trait, [`servo::Servo`], chosen by [`servo::ServoKind`].
//! - [`wire`]: the IEEE 1588-2019 wire format — every message and the TLVs linuxptp speaks,
//!   decoded by borrowing, encoded into caller buffers, with typed errors.
//! - [`bmca`]: the best master clock algorithm — data set comparison (IEEE 1588-2019 and
//!   G.8275.x), foreign master qualification and the state decision, pure and
//!   allocation-free.
//! - `sim` (feature `sim`): the deterministic simulator — seeded clock models and a network
//!   of engine (or statime) nodes.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// Checks shared by the fuzz targets and the corpus replay test (feature `__fuzz`).
#[cfg(feature = "__fuzz")]
#[doc(hidden)]
#[path = "fuzz_checks/mod.rs"]
pub mod __fuzz;
pub mod bmca;
pub mod config;
pub mod engine;
pub mod rng;
pub mod servo;
#[cfg(feature = "sim")]
pub mod sim;
pub mod time;
pub mod wire;
