//! ptpctl's options: pmc's (`-u -s -b -d -t -z -i -f -v -h` and `--<ptp4l option> VALUE`),
//! local socket only, and `--help` and `--version` (as `-h` and `-v`, as `ptp-agent` takes
//! them).

use std::path::PathBuf;

use ptp_core::config::cli::{getopt, Arg};
use ptp_core::config::{load, Ptp4lCommandLine};

/// pmc's short flags; `:` marks those that take a value.
const FLAGS: &str = "246ub:d:f:hi:s:t:vz";

/// How ptpctl was asked to run.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Invocation {
    /// Ask the clock.
    Run(Options),
    /// `-h`.
    Help,
    /// `-v`.
    Version,
}

/// What to ask, and where.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Options {
    /// The agent's socket (`-s`, else the configuration's `uds_address`).
    pub server: PathBuf,
    /// Where ptpctl binds its own socket (`-i`; default `/var/run/pmc.<pid>`).
    pub client: Option<PathBuf>,
    /// `-b`: boundary hops (default 1).
    pub boundary_hops: u8,
    /// `-d`, else the configuration's domainNumber.
    pub domain: u8,
    /// `-t` (hex), else the configuration's transportSpecific.
    pub transport_specific: u8,
    /// `-z`: GETs carry no data.
    pub zero_length_gets: bool,
    /// The commands on the command line (none: read them from stdin).
    pub commands: Vec<String>,
}

/// Why the command line was refused.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// getopt's complaint.
    #[error(transparent)]
    Getopt(#[from] ptp_core::config::CliError),
    /// `-2`, `-4` or `-6`.
    #[error(
        "network transports (-2, -4, -6) are not supported; ptpctl speaks to the local socket (-u)"
    )]
    Network,
    /// The `-f` file could not be read.
    #[error("failed to open configuration file {0}: {1}")]
    ConfigFile(String, std::io::Error),
    /// The configuration (file or `--option`s) is invalid.
    #[error("failed to parse configuration: {0}")]
    Config(String),
}

/// `--help` and `--version`: long options that take no value.
const OWN_LONG: [&str; 2] = ["help", "version"];

/// Splits the arguments into options (with their values) and commands, as GNU getopt
/// permutes them: a word not starting with `-` that is no option's value is a command.
fn split(args: &[String]) -> (Vec<String>, Vec<String>) {
    let (mut options, mut commands) = (Vec::new(), Vec::new());
    let mut it = args.iter();
    while let Some(arg) = it.next() {
        let takes_next = if let Some(long) = arg.strip_prefix("--") {
            !long.is_empty() && !long.contains('=') && !OWN_LONG.contains(&long)
        } else if let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) {
            // The cluster's last flag takes the next word if it takes a value and the
            // value is not attached (the first value-taking flag ends the cluster).
            flags
                .char_indices()
                .find(|(_, c)| {
                    FLAGS
                        .find(*c)
                        .is_some_and(|p| FLAGS.get(p + 1..p + 2) == Some(":"))
                })
                .is_some_and(|(i, c)| i + c.len_utf8() == flags.len())
        } else {
            commands.push(arg.clone());
            continue;
        };
        options.push(arg.clone());
        if takes_next {
            if let Some(value) = it.next() {
                options.push(value.clone());
            }
        }
    }
    (options, commands)
}

/// Reads ptpctl's arguments (without the program name).
pub fn parse(args: &[String]) -> Result<Invocation, CliError> {
    let (options, commands) = split(args);
    if options.iter().any(|o| o == "--help") {
        return Ok(Invocation::Help);
    }
    if options.iter().any(|o| o == "--version") {
        return Ok(Invocation::Version);
    }
    let mut settings = Vec::new();
    let (mut file, mut server, mut client) = (None, None, None);
    let (mut boundary_hops, mut zero_length_gets) = (1u8, false);
    for arg in getopt(&options, FLAGS)? {
        let (c, v) = match arg {
            Arg::Long(name, value) => {
                settings.push((name, value));
                continue;
            }
            Arg::Short(c, v) => (c, v.unwrap_or_default()),
        };
        match c {
            '2' | '4' | '6' => return Err(CliError::Network),
            'h' => return Ok(Invocation::Help),
            'v' => return Ok(Invocation::Version),
            // pmc reads these with atoi (a bad number is 0) into a byte.
            'b' => boundary_hops = atoi(&v) as u8,
            'd' => settings.push(("domainNumber".into(), (atoi(&v) as u8).to_string())),
            't' => {
                if let Ok(t) = u8::from_str_radix(v.trim_start_matches("0x"), 16) {
                    settings.push(("transportSpecific".into(), format!("0x{t:x}")));
                }
            }
            'f' => file = Some(v),
            's' => server = Some(v),
            'i' => client = Some(PathBuf::from(v)),
            'z' => zero_length_gets = true,
            // 'u': the local socket is the only transport.
            _ => {}
        }
    }
    let text = match &file {
        Some(path) => {
            Some(std::fs::read_to_string(path).map_err(|e| CliError::ConfigFile(path.clone(), e))?)
        }
        None => None,
    };
    let table = Ptp4lCommandLine {
        settings,
        ..Ptp4lCommandLine::default()
    };
    let loaded = load(&table, text.as_deref()).map_err(|e| CliError::Config(e.to_string()))?;
    let transport_specific = loaded.config.port_defaults.transport_specific;
    let global = loaded.config.global;
    Ok(Invocation::Run(Options {
        server: PathBuf::from(server.unwrap_or(global.uds_address)),
        client,
        boundary_hops,
        domain: global.domain_number,
        transport_specific,
        zero_length_gets,
        commands,
    }))
}

/// C's `atoi`: the leading decimal integer, 0 without one.
fn atoi(s: &str) -> i64 {
    let s = s.trim_start();
    let (sign, digits) = match s.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, s.strip_prefix('+').unwrap_or(s)),
    };
    let digits: String = digits.chars().take_while(char::is_ascii_digit).collect();
    digits.parse::<i64>().map_or(0, |n| sign * n)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Options {
        let args: Vec<String> = args.iter().map(|s| (*s).to_owned()).collect();
        match parse(&args).unwrap() {
            Invocation::Run(o) => o,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn help_and_version_short_and_long() {
        let parse = |a: &[&str]| {
            let a: Vec<String> = a.iter().map(|s| (*s).to_owned()).collect();
            parse(&a).unwrap()
        };
        assert_eq!(parse(&["-v"]), Invocation::Version);
        assert_eq!(
            parse(&["--version", "GET TIME_STATUS_NP"]),
            Invocation::Version
        );
        assert_eq!(parse(&["-h"]), Invocation::Help);
        assert_eq!(parse(&["--help"]), Invocation::Help);
    }

    #[test]
    fn defaults_are_pmcs() {
        let o = run(&["-u", "GET DEFAULT_DATA_SET"]);
        assert_eq!(o.server, PathBuf::from("/var/run/ptp4l"));
        assert_eq!((o.boundary_hops, o.domain, o.transport_specific), (1, 0, 0));
        assert!(!o.zero_length_gets);
        assert_eq!(o.client, None);
        assert_eq!(o.commands, ["GET DEFAULT_DATA_SET"]);
    }

    #[test]
    fn options_and_commands_mix_as_getopt_permutes_them() {
        let o = run(&[
            "GET PRIORITY1",
            "-uz",
            "-b0",
            "-d",
            "24",
            "-s",
            "/tmp/x",
            "-t",
            "1",
            "SET PRIORITY2 9",
            "-i",
            "/tmp/me",
        ]);
        assert_eq!(o.server, PathBuf::from("/tmp/x"));
        assert_eq!(o.client, Some(PathBuf::from("/tmp/me")));
        assert_eq!(
            (o.boundary_hops, o.domain, o.transport_specific),
            (0, 24, 1)
        );
        assert!(o.zero_length_gets);
        assert_eq!(o.commands, ["GET PRIORITY1", "SET PRIORITY2 9"]);
    }

    #[test]
    fn the_configuration_gives_the_socket_and_domain_unless_flags_do() {
        let dir = std::env::temp_dir().join(format!("ptpctl-cli-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let conf = dir.join("ptp4l.conf");
        std::fs::write(&conf, "[global]\nuds_address /run/p.sock\ndomainNumber 7\n").unwrap();
        let conf = conf.to_string_lossy().into_owned();
        let o = run(&["-u", "-f", &conf]);
        assert_eq!((o.server.to_str(), o.domain), (Some("/run/p.sock"), 7));
        let o = run(&["-u", "-f", &conf, "-d", "9", "--uds_address", "/run/q"]);
        assert_eq!((o.server.to_str(), o.domain), (Some("/run/q"), 9));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn network_transports_and_unknown_flags_are_refused() {
        for bad in [["-4"], ["-2"], ["-x"]] {
            let args: Vec<String> = bad.iter().map(|s| (*s).to_owned()).collect();
            assert!(parse(&args).is_err(), "{bad:?}");
        }
        let args = vec!["-h".to_owned()];
        assert_eq!(parse(&args).unwrap(), Invocation::Help);
    }
}
