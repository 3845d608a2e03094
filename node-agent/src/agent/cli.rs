//! The agent's own command-line flags, taken out before the rest goes to ptp4l's parser
//! ([`ptp_core::config::parse_ptp4l_args`]): `--check`, `--cluster`, `--clock phc|system|virtual`,
//! `--metrics-address ADDR:PORT|off`, `--no-metrics`, `--node-name NAME`, `--run-dir DIR`, and
//! the long forms
//! `--help` and `--version` of ptp4l's `-h` and `-v` (ptp4l's parser would take them for
//! options of the configuration file wanting a value). None of them is a ptp4l option, so
//! none can shadow one.

use std::net::SocketAddr;

use thiserror::Error;

/// Where the OpenShift PTP daemon serves its metrics, and so where the agent does by default.
pub const DEFAULT_METRICS_ADDRESS: SocketAddr = SocketAddr::V4(std::net::SocketAddrV4::new(
    std::net::Ipv4Addr::UNSPECIFIED,
    9091,
));

/// Which clock the servo steers (`--clock`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockChoice {
    /// The interface's PTP hardware clock.
    Phc,
    /// The system clock, `CLOCK_REALTIME`.
    System,
    /// A software clock on top of `CLOCK_REALTIME` that no other program sees
    /// ([`phc::VirtualClock`]); for tests and hosts without a PHC.
    Virtual,
}

/// The agent's flags, and the arguments left for ptp4l's parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AgentArgs {
    /// `--check`: validate the configuration and exit.
    pub check: bool,
    /// `--cluster`: run the profiles of the node's `NodePtpConfig` (what the DaemonSet
    /// starts) instead of a configuration from the command line.
    pub cluster: bool,
    /// `--help`: print the usage and exit (as `-h`).
    pub help: bool,
    /// `--version`: print the version and exit (as `-v`).
    pub version: bool,
    /// `--clock`; `None` chooses as ptp4l does (PHC with hardware time stamping, the system
    /// clock with software time stamping).
    pub clock: Option<ClockChoice>,
    /// `--metrics-address`: where to serve `/metrics`; `None` with `--no-metrics` or
    /// `--metrics-address off`.
    pub metrics_address: Option<SocketAddr>,
    /// `--node-name`: the `node` label of the metrics (`None`: `NODE_NAME`, else the host
    /// name).
    pub node_name: Option<String>,
    /// `--run-dir`: where cluster mode puts each profile's management socket
    /// (`ptp4l.N.socket`; `None`: `/var/run`, the daemon's).
    pub run_dir: Option<std::path::PathBuf>,
    /// Everything else, for [`ptp_core::config::parse_ptp4l_args`].
    pub ptp4l: Vec<String>,
}

/// A bad agent flag.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum AgentArgsError {
    /// A flag without its value.
    #[error("option {0} requires an argument")]
    MissingValue(&'static str),
    /// `--clock` with something else.
    #[error("bad argument \"{0}\" for --clock (expected phc, system or virtual)")]
    BadClock(String),
    /// `--metrics-address` with something that is neither an address nor `off`.
    #[error("bad argument \"{0}\" for --metrics-address (expected ADDR:PORT or off)")]
    BadMetricsAddress(String),
}

impl ClockChoice {
    fn parse(text: &str) -> Result<Self, AgentArgsError> {
        match text {
            "phc" => Ok(Self::Phc),
            "system" => Ok(Self::System),
            "virtual" => Ok(Self::Virtual),
            other => Err(AgentArgsError::BadClock(other.to_owned())),
        }
    }
}

fn parse_metrics_address(text: &str) -> Result<Option<SocketAddr>, AgentArgsError> {
    if text == "off" {
        return Ok(None);
    }
    text.parse()
        .map(Some)
        .map_err(|_| AgentArgsError::BadMetricsAddress(text.to_owned()))
}

/// The value of `--flag VALUE` or `--flag=VALUE` when `arg` is that flag.
fn flag_value(
    flag: &'static str,
    arg: &str,
    rest: &mut impl Iterator<Item = String>,
) -> Result<Option<String>, AgentArgsError> {
    if arg == flag {
        return rest
            .next()
            .map(Some)
            .ok_or(AgentArgsError::MissingValue(flag));
    }
    Ok(arg
        .strip_prefix(flag)
        .and_then(|tail| tail.strip_prefix('='))
        .map(str::to_owned))
}

/// Takes the agent's flags out of `args` (without the program name).
pub fn split_agent_args(args: Vec<String>) -> Result<AgentArgs, AgentArgsError> {
    let mut out = AgentArgs {
        check: false,
        cluster: false,
        help: false,
        version: false,
        clock: None,
        metrics_address: Some(DEFAULT_METRICS_ADDRESS),
        node_name: None,
        run_dir: None,
        ptp4l: Vec::with_capacity(args.len()),
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        if arg == "--check" {
            out.check = true;
        } else if arg == "--cluster" {
            out.cluster = true;
        } else if arg == "--help" {
            out.help = true;
        } else if arg == "--version" {
            out.version = true;
        } else if arg == "--no-metrics" {
            out.metrics_address = None;
        } else if let Some(value) = flag_value("--clock", &arg, &mut it)? {
            out.clock = Some(ClockChoice::parse(&value)?);
        } else if let Some(value) = flag_value("--metrics-address", &arg, &mut it)? {
            out.metrics_address = parse_metrics_address(&value)?;
        } else if let Some(value) = flag_value("--node-name", &arg, &mut it)? {
            out.node_name = Some(value);
        } else if let Some(value) = flag_value("--run-dir", &arg, &mut it)? {
            out.run_dir = Some(value.into());
        } else {
            out.ptp4l.push(arg);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn agent_flags_are_taken_out() {
        let a = split_agent_args(args(&[
            "-f", "x.conf", "--clock", "virtual", "-m", "--check",
        ]))
        .unwrap();
        assert!(a.check && !a.cluster);
        assert_eq!(a.clock, Some(ClockChoice::Virtual));
        assert_eq!(a.ptp4l, args(&["-f", "x.conf", "-m"]));
        let a = split_agent_args(args(&["--cluster", "--clock", "virtual"])).unwrap();
        assert!(a.cluster && a.ptp4l.is_empty() && a.run_dir.is_none());
        let a = split_agent_args(args(&["--cluster", "--run-dir=/tmp/n1"])).unwrap();
        assert_eq!(a.run_dir.as_deref(), Some(std::path::Path::new("/tmp/n1")));
        let a = split_agent_args(args(&["--clock=phc", "-S"])).unwrap();
        assert_eq!((a.check, a.clock), (false, Some(ClockChoice::Phc)));
        assert_eq!(a.ptp4l, args(&["-S"]));
        assert_eq!(
            split_agent_args(args(&["--clock=system"])).unwrap().clock,
            Some(ClockChoice::System)
        );
    }

    #[test]
    fn long_help_and_version_are_the_agents() {
        let a = split_agent_args(args(&["--version", "-i", "eth0"])).unwrap();
        assert!(a.version && !a.help);
        assert_eq!(a.ptp4l, args(&["-i", "eth0"]));
        let a = split_agent_args(args(&["-m", "--help"])).unwrap();
        assert!(a.help && !a.version);
        assert_eq!(a.ptp4l, args(&["-m"]));
    }

    #[test]
    fn bad_clock_flags() {
        assert_eq!(
            split_agent_args(args(&["--clock"])),
            Err(AgentArgsError::MissingValue("--clock"))
        );
        assert_eq!(
            split_agent_args(args(&["--clock", "tai"])),
            Err(AgentArgsError::BadClock("tai".into()))
        );
    }

    #[test]
    fn metrics_flags() {
        let a = split_agent_args(args(&["-i", "eth0"])).unwrap();
        assert_eq!(a.metrics_address, Some(DEFAULT_METRICS_ADDRESS));
        assert_eq!(a.metrics_address.unwrap().to_string(), "0.0.0.0:9091");
        assert_eq!(a.node_name, None);
        let a = split_agent_args(args(&[
            "--metrics-address",
            "127.0.0.1:9100",
            "--node-name=worker-0",
            "-i",
            "eth0",
        ]))
        .unwrap();
        assert_eq!(a.metrics_address, Some("127.0.0.1:9100".parse().unwrap()));
        assert_eq!(a.node_name.as_deref(), Some("worker-0"));
        assert_eq!(a.ptp4l, args(&["-i", "eth0"]));
        for off in [&["--no-metrics"][..], &["--metrics-address=off"][..]] {
            assert_eq!(split_agent_args(args(off)).unwrap().metrics_address, None);
        }
        assert_eq!(
            split_agent_args(args(&["--metrics-address", "9091"])),
            Err(AgentArgsError::BadMetricsAddress("9091".into()))
        );
        assert_eq!(
            split_agent_args(args(&["--node-name"])),
            Err(AgentArgsError::MissingValue("--node-name"))
        );
    }
}
