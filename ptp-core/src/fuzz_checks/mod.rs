//! The properties the fuzz targets check, shared by the cargo-fuzz crate (`fuzz/`) and the
//! corpus replay test (`tests/fuzz_corpus_replay.rs`) so that both run the same code.
//!
//! Compiled only with the `__fuzz` feature and hidden from the docs: it is test support, not
//! API. The checks never panic themselves; they return a [`Failure`] and the caller (the fuzz
//! target or the test) panics with it, so the library keeps its no-panic rule.
//!
//! - `codec`: the wire codec ([`decode`], [`roundtrip`]).
//! - [`engine`]: one engine instance driven by a decoded sequence of inputs
//!   ([`engine_inputs`]), with the invariants it must keep after every input.

mod codec;
pub mod engine;

pub use codec::{decode, roundtrip};
pub use engine::engine_inputs;

/// A violated property: what went wrong, with the values involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure(pub String);

impl core::fmt::Display for Failure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A check over one fuzz input.
pub type Check = fn(&[u8]) -> Result<(), Failure>;

/// Every fuzz target by name (the name of its `fuzz/fuzz_targets/*.rs` file and of its seed
/// and corpus directories) with the check it runs.
pub const TARGETS: &[(&str, Check)] = &[
    ("message_decode", decode),
    ("message_roundtrip", roundtrip),
    ("engine_inputs", engine_inputs),
];

fn fail(what: impl Into<String>) -> Failure {
    Failure(what.into())
}
