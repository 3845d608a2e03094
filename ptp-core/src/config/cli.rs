//! ptp4l's command line, as a pure function from arguments to settings.
//!
//! Flags become option settings exactly as ptp4l 3.1.1 applies them (`-S` is
//! `time_stamping software`, `-2` is `network_transport L2`, `-s` is `slaveOnly 1`, `-m` is
//! `verbose 1`, `-q` is `use_syslog 0`, `-l N` is `logging_level N`), and every table option
//! is also a long option (`--slaveOnly 1` or `--slaveOnly=1`). [`super::load`] applies them
//! with ptp4l's precedence. The tokenizer ([`getopt`]) follows GNU getopt_long: grouped short
//! flags (`-mq`), attached arguments (`-feth.conf`), `--` ending the options. Abbreviated long
//! options (which glibc accepts when unambiguous) are not supported, and a stray positional
//! argument is an error rather than silently ignored.

/// What is wrong with a command line.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// A short flag the program does not have.
    #[error("invalid option -- '{0}'")]
    UnknownFlag(char),
    /// A flag or long option without its argument.
    #[error("option {0} requires an argument")]
    MissingArgument(String),
    /// A positional argument where none is accepted.
    #[error("unexpected argument \"{0}\"")]
    UnexpectedArgument(String),
    /// A flag argument that is not what the flag takes.
    #[error("bad argument \"{value}\" for {flag} (expected {expected})")]
    BadArgument {
        /// The flag (`-R`).
        flag: String,
        /// The offending value.
        value: String,
        /// What the flag takes.
        expected: &'static str,
    },
}

/// One option from [`getopt`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Arg {
    /// A short flag and its argument, if it takes one.
    Short(char, Option<String>),
    /// `--name value` or `--name=value`.
    Long(String, String),
}

/// Splits arguments (without the program name) into options, GNU getopt_long style.
///
/// `spec` lists the short flags; a flag followed by `:` takes an argument. Every long option
/// takes an argument (as all of linuxptp's do).
pub fn getopt<S: AsRef<str>>(args: &[S], spec: &str) -> Result<Vec<Arg>, CliError> {
    let mut out = Vec::new();
    let mut it = args.iter().map(AsRef::as_ref);
    while let Some(arg) = it.next() {
        if arg == "--" {
            if let Some(extra) = it.next() {
                return Err(CliError::UnexpectedArgument(extra.to_owned()));
            }
            break;
        }
        if let Some(long) = arg.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => {
                    let v = it
                        .next()
                        .ok_or_else(|| CliError::MissingArgument(arg.to_owned()))?;
                    (long.to_owned(), v.to_owned())
                }
            };
            out.push(Arg::Long(name, value));
            continue;
        }
        let Some(flags) = arg.strip_prefix('-').filter(|f| !f.is_empty()) else {
            return Err(CliError::UnexpectedArgument(arg.to_owned()));
        };
        for (i, c) in flags.char_indices() {
            let pos = spec.find(c).ok_or(CliError::UnknownFlag(c))?;
            if c == ':' {
                return Err(CliError::UnknownFlag(c));
            }
            let takes_arg = spec.get(pos + 1..).is_some_and(|s| s.starts_with(':'));
            if !takes_arg {
                out.push(Arg::Short(c, None));
                continue;
            }
            let attached = flags.get(i + c.len_utf8()..).unwrap_or("");
            let value = if attached.is_empty() {
                it.next()
                    .ok_or_else(|| CliError::MissingArgument(format!("-{c}")))?
                    .to_owned()
            } else {
                attached.to_owned()
            };
            out.push(Arg::Short(c, Some(value)));
            break;
        }
    }
    Ok(out)
}

/// ptp4l's command line, turned into settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ptp4lCommandLine {
    /// `-f FILE`.
    pub config_file: Option<String>,
    /// `-i IFACE`, in order, repeated names dropped.
    pub interfaces: Vec<String>,
    /// Option settings `(name, value)` from flags and long options, in command-line order
    /// (a later one wins).
    pub settings: Vec<(String, String)>,
    /// `-p /dev/ptpN` (deprecated in ptp4l; only meaningful with hardware time stamping).
    pub phc_device: Option<String>,
    /// `-h`: print usage and exit.
    pub help: bool,
    /// `-v`: print the version and exit.
    pub version: bool,
}

/// ptp4l 3.1.1's short flags.
pub const PTP4L_FLAGS: &str = "AEP246HSLf:i:p:sl:mqvh";

/// Reads ptp4l's arguments (without the program name).
pub fn parse_ptp4l_args<S: AsRef<str>>(args: &[S]) -> Result<Ptp4lCommandLine, CliError> {
    let mut cl = Ptp4lCommandLine::default();
    for arg in getopt(args, PTP4L_FLAGS)? {
        let setting = |name: &str, value: &str| (name.to_owned(), value.to_owned());
        match arg {
            Arg::Long(name, value) => cl.settings.push((name, value)),
            Arg::Short(c, value) => {
                let value = value.unwrap_or_default();
                match c {
                    'A' => cl.settings.push(setting("delay_mechanism", "Auto")),
                    'E' => cl.settings.push(setting("delay_mechanism", "E2E")),
                    'P' => cl.settings.push(setting("delay_mechanism", "P2P")),
                    '2' => cl.settings.push(setting("network_transport", "L2")),
                    '4' => cl.settings.push(setting("network_transport", "UDPv4")),
                    '6' => cl.settings.push(setting("network_transport", "UDPv6")),
                    'H' => cl.settings.push(setting("time_stamping", "hardware")),
                    'S' => cl.settings.push(setting("time_stamping", "software")),
                    'L' => cl.settings.push(setting("time_stamping", "legacy")),
                    's' => cl.settings.push(setting("slaveOnly", "1")),
                    'm' => cl.settings.push(setting("verbose", "1")),
                    'q' => cl.settings.push(setting("use_syslog", "0")),
                    'l' => cl.settings.push(setting("logging_level", &value)),
                    'f' => cl.config_file = Some(value),
                    'i' => {
                        if !cl.interfaces.contains(&value) {
                            cl.interfaces.push(value);
                        }
                    }
                    'p' => cl.phc_device = Some(value),
                    'v' => cl.version = true,
                    'h' => cl.help = true,
                    other => return Err(CliError::UnknownFlag(other)),
                }
            }
        }
    }
    Ok(cl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<(String, String)> {
        v.chunks(2)
            .map(|c| (c[0].to_owned(), c[1].to_owned()))
            .collect()
    }

    #[test]
    fn flags_become_settings() {
        let cl = parse_ptp4l_args(&[
            "-f",
            "/etc/ptp4l.conf",
            "-i",
            "eth0",
            "-ieth1",
            "-i",
            "eth0",
            "-2Sms",
            "-l",
            "7",
            "--summary_interval",
            "-4",
            "--tx_timestamp_timeout=50",
            "-q",
        ])
        .unwrap();
        assert_eq!(cl.config_file.as_deref(), Some("/etc/ptp4l.conf"));
        assert_eq!(cl.interfaces, vec!["eth0", "eth1"]);
        assert_eq!(
            cl.settings,
            s(&[
                "network_transport",
                "L2",
                "time_stamping",
                "software",
                "verbose",
                "1",
                "slaveOnly",
                "1",
                "logging_level",
                "7",
                "summary_interval",
                "-4",
                "tx_timestamp_timeout",
                "50",
                "use_syslog",
                "0",
            ])
        );
    }

    #[test]
    fn every_flag() {
        for (flag, name, value) in [
            ("-A", "delay_mechanism", "Auto"),
            ("-E", "delay_mechanism", "E2E"),
            ("-P", "delay_mechanism", "P2P"),
            ("-4", "network_transport", "UDPv4"),
            ("-6", "network_transport", "UDPv6"),
            ("-H", "time_stamping", "hardware"),
            ("-L", "time_stamping", "legacy"),
        ] {
            assert_eq!(
                parse_ptp4l_args(&[flag]).unwrap().settings,
                s(&[name, value])
            );
        }
        let cl = parse_ptp4l_args(&["-p", "/dev/ptp1", "-v", "-h"]).unwrap();
        assert_eq!(cl.phc_device.as_deref(), Some("/dev/ptp1"));
        assert!(cl.version && cl.help);
    }

    #[test]
    fn errors() {
        assert_eq!(parse_ptp4l_args(&["-x"]), Err(CliError::UnknownFlag('x')));
        assert_eq!(
            parse_ptp4l_args(&["-f"]),
            Err(CliError::MissingArgument("-f".into()))
        );
        assert_eq!(
            parse_ptp4l_args(&["--priority1"]),
            Err(CliError::MissingArgument("--priority1".into()))
        );
        assert_eq!(
            parse_ptp4l_args(&["eth0"]),
            Err(CliError::UnexpectedArgument("eth0".into()))
        );
        assert_eq!(parse_ptp4l_args(&["-m", "--"]).unwrap().settings.len(), 1);
    }
}
