//! Criterion benchmarks for the PTP stack live in `benches/`; this library is empty on
//! purpose and exists so that the package has a target to hang them on.
#![forbid(unsafe_code)]
