//! `phc`: the Linux side of time keeping for the PTP stack.
//!
//! PTP hardware clocks (`/dev/ptpN`), the system clock through `clock_adjtime`, a virtual
//! software clock for machines without a PHC, and time-stamping sockets (UDPv4, UDPv6 and L2
//! with `SO_TIMESTAMPING`).
//!
//! This is the only crate of the workspace that may use `unsafe`: each block makes one system
//! call and carries a `// SAFETY:` comment saying why it is sound. It knows nothing about the
//! protocol beyond the typed time values of `ptp-core`.
#![deny(missing_docs)]
