//! `node-agent`: the `ptp-agent` daemon and the `ptpctl` management client.
//!
//! The daemon runs the sans-IO engine of `ptp-core` over the clocks and sockets of `phc`,
//! configured from a `ptp4l.conf` file and ptp4l-style flags (bare metal) or from the
//! Kubernetes objects the operator reconciles (cluster). Binaries in `src/bin/` are thin
//! shims over this library.
#![forbid(unsafe_code)]
