//! The `engine_inputs` fuzz target: one engine instance — a boundary clock with two ports,
//! configured by the input's first bytes — driven by a sequence of inputs decoded from the
//! rest ([`input`]): messages received (built from fields so that they get past decoding
//! and into the state machine, or arbitrary bytes, or our own looped back), transmit time
//! stamps (for the tags the engine handed out, and for any tag), lost time stamps, timer
//! expiries (the earliest armed one, or any), port enable/disable and I/O faults, priority
//! and grandmaster settings, and management requests from the network and the local socket,
//! while true time advances and the local clock is stepped by the engine and now and then
//! jumps.
//!
//! Every action the engine takes is checked as it comes (`observer`), and the instance's
//! state after every input (`invariants`); the first violation ends the run as a
//! [`Failure`] naming the input. A panic anywhere is a failure of its own.

mod harness;
pub mod input;
mod invariants;
mod observer;

pub use harness::Outcome;

use super::{fail, Failure};

/// Runs the input in `data` (see [`input`]) and checks every invariant.
pub fn engine_inputs(data: &[u8]) -> Result<(), Failure> {
    run(data).map(|_| ())
}

/// Runs the input in `data` and reports what it reached.
pub fn run(data: &[u8]) -> Result<Outcome, Failure> {
    let (settings, ops) = input::decode(data);
    let mut harness = harness::Harness::new(&settings)
        .map_err(|e| fail(format!("settings {settings:?}: {e}")))?;
    for (n, op) in ops.iter().enumerate() {
        harness
            .apply(op)
            .map_err(|e| fail(format!("input #{n} {op:?}: {e}\n(settings {settings:?})")))?;
    }
    harness.finish().map_err(|e| {
        fail(format!(
            "after the last input: {e}\n(settings {settings:?})"
        ))
    })?;
    Ok(harness.world.outcome.clone())
}
