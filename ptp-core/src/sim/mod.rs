//! Seeded models for simulations (feature `sim`): a free-running [`oscillator::Oscillator`]
//! that a servo steers, time-stamp [`noise`], and the [`rng::Rng`] that drives both.
//!
//! Everything is driven by true time given by the caller and by explicitly seeded random
//! numbers, so a simulation run is reproducible bit for bit on the same platform.

pub mod noise;
pub mod oscillator;
pub mod rng;

pub use noise::{Noise, TimestampNoise};
pub use oscillator::{Oscillator, OscillatorModel};
pub use rng::Rng;
