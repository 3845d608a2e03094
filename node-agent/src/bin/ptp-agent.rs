//! `ptp-agent`: the per-node PTP daemon. All logic lives in the `node_agent` library.

use std::process::ExitCode;

fn main() -> ExitCode {
    node_agent::agent_main().unwrap_or_else(|e| {
        eprintln!("ptp-agent: {e:#}");
        ExitCode::FAILURE
    })
}
