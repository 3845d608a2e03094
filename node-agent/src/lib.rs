//! `node-agent`: the `ptp-agent` daemon and the `ptpctl` management client.
//!
//! The daemon runs the sans-IO engine of `ptp-core` over the clocks and sockets of `phc`,
//! configured from a `ptp4l.conf` file and ptp4l-style flags (bare metal) or from the
//! Kubernetes objects the operator reconciles (cluster). Binaries in `src/bin/` are thin
//! shims over this library.
//!
//! Today only the configuration check exists: `ptp-agent --check -f FILE [ptp4l options]`
//! ([`check`]). Without `--check` the agent says plainly that the engine is not built yet.
#![forbid(unsafe_code)]

pub mod check;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

const USAGE: &str = "\
usage: ptp-agent --check [ptp4l options]

 --check       parse and validate the configuration, print the effective configuration
               and exit: 0 usable, 1 invalid, 2 needs options not implemented yet
 ptp4l options (as ptp4l 3.1.1): -f FILE, -i IFACE (repeatable), -A|-E|-P, -2|-4|-6,
               -H|-S|-L, -s, -p DEV, -l LEVEL, -m, -q, -v, -h, --<option> VALUE
               or --<option>=VALUE for every ptp4l.conf option

Logging: RUST_LOG (default warn) controls ptp-agent's own diagnostics on stderr.
";

/// Sets up `tracing` on stderr, filtered by `RUST_LOG` (default `warn`).
fn init_logging() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn"));
    // A second initialisation (tests calling in-process) is harmless; ignore it.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The `ptp-agent` program: parses `std::env::args` and returns the exit status.
pub fn agent_main() -> anyhow::Result<ExitCode> {
    init_logging();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (check, args) = check::split_check_flag(args);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let wants = ptp_core::config::parse_ptp4l_args(&args).ok();
    if args.iter().any(|a| a == "--help") || wants.as_ref().is_some_and(|cl| cl.help) {
        out.write_all(USAGE.as_bytes()).context("write usage")?;
        return Ok(ExitCode::SUCCESS);
    }
    if wants.as_ref().is_some_and(|cl| cl.version) {
        writeln!(out, "ptp-agent {}", env!("CARGO_PKG_VERSION")).context("write version")?;
        return Ok(ExitCode::SUCCESS);
    }
    if !check {
        eprintln!(
            "ptp-agent: the PTP engine is not built yet; this build can only check a \
             configuration: ptp-agent --check -f FILE [ptp4l options]"
        );
        return Ok(ExitCode::FAILURE);
    }
    let read = |path: &str| std::fs::read_to_string(path);
    let outcome = check::run_check(&args, &read, &check::HostPhcs, &mut out)
        .context("write the check report")?;
    Ok(ExitCode::from(outcome.exit_code()))
}
