//! The deterministic simulator (feature `sim`): seeded clock models — a free-running
//! [`oscillator::Oscillator`] that a servo steers, time-stamp [`noise`] — and a discrete-event
//! [`network`] that runs any number of nodes ([`EngineNode`] hosts our engine, [`StatimeNode`]
//! statime's) over links with delay, jitter, asymmetry, loss, duplication and reordering,
//! recording true clock errors.
//!
//! Everything is driven by true time given by the caller and by explicitly seeded random
//! numbers, so a simulation run is reproducible bit for bit on the same platform.

pub mod engine_node;
pub mod loopback;
pub mod network;
pub mod noise;
pub mod oscillator;
pub mod statime_node;

pub use crate::rng::Rng;
pub use engine_node::EngineNode;
pub use loopback::LoopbackPair;
pub use network::{ClockModel, NodeId, NodeOutput, SegmentConfig, SegmentId, SimNode, Simulation};
pub use noise::{Noise, TimestampNoise};
pub use oscillator::{Oscillator, OscillatorModel};
pub use statime_node::{StatimeNode, StatimePortConfig};
