//! `node-agent`: the `ptp-agent` daemon and the `ptpctl` management client.
//!
//! The daemon runs the sans-IO engine of `ptp-core` over the clocks and sockets of `phc`,
//! standalone, configured as ptp4l is: from a `ptp4l.conf` file and ptp4l-style flags.
//! Binaries in `src/bin/` are thin shims over this library.
//!
//! - `ptp-agent [ptp4l options] [--clock phc|system|virtual]` runs one PTP instance as ptp4l
//!   would, and takes a changed configuration on SIGHUP ([`agent`]).
//! - `ptp-agent --cluster` runs the profiles of its node's `NodePtpConfig`, as the
//!   operator's DaemonSet starts it ([`cluster`]).
//! - `ptp-agent --check [ptp4l options]` checks a configuration and exits ([`check`]).
//! - `ptpctl [pmc options] [commands]` asks an agent over its local management socket, as
//!   linuxptp's `pmc -u` does ([`ctl`]).
#![forbid(unsafe_code)]

pub mod agent;
pub mod check;
pub mod cluster;
pub mod ctl;

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context as _;
use tracing_subscriber::EnvFilter;

/// The version `-v` and `--version` print: the crate's, alone on a line, as ptp4l and pmc
/// print theirs.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

const USAGE: &str = "\
usage: ptp-agent [--check] [--clock phc|system|virtual] [--metrics-address ADDR:PORT|off]
                 [--no-metrics] [--node-name NAME] [--help] [--version] [ptp4l options]
       ptp-agent --cluster [--clock C] [--metrics-address A] [--node-name NAME]
                 [--run-dir DIR]

 --cluster     run the profiles of this node's NodePtpConfig (NODE_NAME, NAMESPACE; the
               API server from the pod's service account or KUBECONFIG)
 --check       parse and validate the configuration, print the effective configuration
               and exit: 0 usable, 1 invalid, 2 needs options not implemented yet
 --clock C     the clock to steer: phc (the interface's PHC), system (CLOCK_REALTIME) or
               virtual (a software clock over CLOCK_REALTIME that nothing else sees);
               default as ptp4l: phc with hardware, system with software time stamping
 --metrics-address A
               serve Prometheus metrics (the OpenShift PTP daemon's) on http://A/metrics;
               default 0.0.0.0:9091; off (or --no-metrics) serves none
 --node-name N the metrics' node label; default $NODE_NAME, else the host name
 --run-dir DIR with --cluster: where each profile's management socket ptp4l.N.socket
               is made; default /var/run
 --help, --version
               as -h and -v
 ptp4l options (as ptp4l 3.1.1): -f FILE, -i IFACE (repeatable), -A|-E|-P, -2|-4|-6,
               -H|-S|-L, -s, -p DEV, -l LEVEL, -m, -q, -v, -h, --<option> VALUE
               or --<option>=VALUE for every ptp4l.conf option

Logging: ptp4l-style lines on stdout with -m (else stderr) at logging_level (default 6,
info); RUST_LOG overrides the level. --check diagnostics go to stderr (RUST_LOG, default warn).

Signals: SIGHUP re-reads the configuration and applies what changed; SIGINT and SIGTERM
stop the agent.
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
    let args: Vec<String> = std::env::args().skip(1).collect();
    let agent_args = match agent::cli::split_agent_args(args) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("ptp-agent: {e}");
            return Ok(ExitCode::FAILURE);
        }
    };
    let args = &agent_args.ptp4l;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let wants = ptp_core::config::parse_ptp4l_args(args).ok();
    if agent_args.help || wants.as_ref().is_some_and(|cl| cl.help) {
        out.write_all(USAGE.as_bytes()).context("write usage")?;
        return Ok(ExitCode::SUCCESS);
    }
    if agent_args.version || wants.as_ref().is_some_and(|cl| cl.version) {
        writeln!(out, "{VERSION}").context("write version")?;
        return Ok(ExitCode::SUCCESS);
    }
    if !agent_args.check {
        drop(out);
        return agent::run(&agent_args);
    }
    init_logging();
    let read = |path: &str| std::fs::read_to_string(path);
    let outcome = check::run_check(args, &read, &check::HostPhcs, &mut out)
        .context("write the check report")?;
    Ok(ExitCode::from(outcome.exit_code()))
}
