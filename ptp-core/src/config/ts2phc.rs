//! ts2phc's configuration: the `ts2phcConf` INI text (`[global]` with `ts2phc.*`, servo and
//! logging options, then one section per PHC to discipline) and its command line
//! (`-s generic -a --ts2phc.external_pps 1`).
//!
//! ts2phc reads the same option table as ptp4l, so the file goes through the same parser:
//! clock-wide `ts2phc.*` options land in [`GlobalOptions`], per-clock ones (`ts2phc.pin_index`,
//! `ts2phc.extts_polarity`, ...) in each clock's [`PortOptions`].

use super::cli::{getopt, Arg, CliError};
use super::error::ConfigErrors;
use super::parser::load;
use super::table::{GlobalOptions, PortOptions};
use super::Ptp4lCommandLine;

/// ts2phc's short flags (linuxptp 3.1.1, plus upstream's `-a`).
pub const TS2PHC_FLAGS: &str = "ac:f:hl:mqs:v";

/// Where the pulse and the time of day come from (`-s`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PpsSource {
    /// `generic`: an external 1PPS without time of day (the system clock gives the second).
    Generic,
    /// `nmea`: a GNSS receiver's NMEA RMC sentences (serial port or network).
    Nmea,
    /// A PHC (device path or interface) whose periodic output is the pulse.
    Phc(String),
}

impl PpsSource {
    /// Reads `-s`'s argument.
    pub fn parse(text: &str) -> Self {
        match text {
            "generic" => Self::Generic,
            "nmea" => Self::Nmea,
            other => Self::Phc(other.to_owned()),
        }
    }
}

/// Why a ts2phc configuration is unusable.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Ts2phcError {
    /// A malformed command line.
    #[error(transparent)]
    Cli(#[from] CliError),
    /// Bad option values (from long options or the file).
    #[error(transparent)]
    Config(#[from] ConfigErrors),
    /// No `-s` (and not `-a`).
    #[error("no PPS source specified (-s generic|nmea|<PHC>)")]
    NoSource,
    /// No clock to discipline: no `-c`, no clock section, and not `-a`.
    #[error("no PHC to discipline (use -c or a [<interface>] section)")]
    NoSink,
}

/// ts2phc's command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ts2phcCommandLine {
    /// `-f FILE`.
    pub config_file: Option<String>,
    /// `-s`.
    pub source: Option<PpsSource>,
    /// `-c`, in order.
    pub sinks: Vec<String>,
    /// `-a`: pick the clocks from ptp4l's port states (upstream).
    pub automatic: bool,
    /// Table settings from `-l`, `-m`, `-q` and long options.
    pub settings: Vec<(String, String)>,
    /// `-h`.
    pub help: bool,
    /// `-v`.
    pub version: bool,
}

/// Reads ts2phc's arguments (without the program name).
pub fn parse_ts2phc_args<S: AsRef<str>>(args: &[S]) -> Result<Ts2phcCommandLine, CliError> {
    let mut cl = Ts2phcCommandLine::default();
    for arg in getopt(args, TS2PHC_FLAGS)? {
        match arg {
            Arg::Long(name, value) => cl.settings.push((name, value)),
            Arg::Short(c, v) => {
                let v = v.unwrap_or_default();
                match c {
                    'a' => cl.automatic = true,
                    'c' => {
                        if !cl.sinks.contains(&v) {
                            cl.sinks.push(v);
                        }
                    }
                    'f' => cl.config_file = Some(v),
                    's' => cl.source = Some(PpsSource::parse(&v)),
                    'l' => cl.settings.push(("logging_level".into(), v)),
                    'm' => cl.settings.push(("verbose".into(), "1".into())),
                    'q' => cl.settings.push(("use_syslog".into(), "0".into())),
                    'h' => cl.help = true,
                    'v' => cl.version = true,
                    other => return Err(CliError::UnknownFlag(other)),
                }
            }
        }
    }
    Ok(cl)
}

/// One PHC ts2phc disciplines, with its options (`ts2phc_pin_index`, `ts2phc_channel`,
/// `ts2phc_extts_polarity`, `ts2phc_extts_correction`, `ts2phc_master`, ...).
#[derive(Clone, Debug, PartialEq)]
pub struct Ts2phcClock {
    /// Interface or PHC device name.
    pub name: String,
    /// Its effective options.
    pub options: PortOptions,
}

/// A ts2phc configuration, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Ts2phcConfig {
    /// The PPS source; `None` only in automatic mode without `-s`.
    pub source: Option<PpsSource>,
    /// `-a`.
    pub automatic: bool,
    /// Clock-wide options: `ts2phc_pulsewidth`, `ts2phc_nmea_serialport`, `leapfile`, servo,
    /// logging.
    pub global: GlobalOptions,
    /// The clocks to discipline: `-c` first, then the file's sections.
    pub clocks: Vec<Ts2phcClock>,
}

/// Builds the typed configuration from the command line and the file's text.
pub fn load_ts2phc(
    cl: &Ts2phcCommandLine,
    file: Option<&str>,
) -> Result<Ts2phcConfig, Ts2phcError> {
    let table = Ptp4lCommandLine {
        settings: cl.settings.clone(),
        interfaces: cl.sinks.clone(),
        ..Ptp4lCommandLine::default()
    };
    let loaded = load(&table, file)?;
    if cl.source.is_none() && !cl.automatic {
        return Err(Ts2phcError::NoSource);
    }
    if loaded.config.ports.is_empty() && !cl.automatic {
        return Err(Ts2phcError::NoSink);
    }
    Ok(Ts2phcConfig {
        source: cl.source.clone(),
        automatic: cl.automatic,
        global: loaded.config.global,
        clocks: loaded
            .config
            .ports
            .into_iter()
            .map(|p| Ts2phcClock {
                name: p.name,
                options: p.options,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::enums::ExttsPolarity;
    use crate::time::Duration;

    const OPERATOR_TS2PHC: &str = "[global]\nuse_syslog  0\nverbose 1\nlogging_level 7\nts2phc.pulsewidth 100000000\nleapfile  /usr/share/zoneinfo/leap-seconds.list\n[ens4f0]\nts2phc.extts_polarity rising\nts2phc.extts_correction 0\nts2phc.master 0\n";

    #[test]
    fn operator_ts2phc() {
        let cl = parse_ts2phc_args(&["-s", "generic", "-a", "--ts2phc.external_pps", "1"]).unwrap();
        let c = load_ts2phc(&cl, Some(OPERATOR_TS2PHC)).unwrap();
        assert_eq!(c.source, Some(PpsSource::Generic));
        assert!(c.automatic && c.global.ts2phc_external_pps);
        assert_eq!(c.global.ts2phc_pulsewidth, Duration::from_millis(100));
        assert_eq!(
            c.global.leapfile.as_deref(),
            Some("/usr/share/zoneinfo/leap-seconds.list")
        );
        assert!(c.global.verbose && !c.global.use_syslog);
        assert_eq!(c.clocks.len(), 1);
        assert_eq!(c.clocks[0].name, "ens4f0");
        assert_eq!(
            c.clocks[0].options.ts2phc_extts_polarity,
            ExttsPolarity::Rising
        );
        assert!(!c.clocks[0].options.ts2phc_master);
    }

    #[test]
    fn command_line_clocks_and_errors() {
        let cl = parse_ts2phc_args(&["-s", "/dev/ptp1", "-c", "eth0", "-c", "eth1", "-m"]).unwrap();
        let c = load_ts2phc(&cl, None).unwrap();
        assert_eq!(c.source, Some(PpsSource::Phc("/dev/ptp1".into())));
        assert_eq!(
            c.clocks.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["eth0", "eth1"]
        );
        assert_eq!(
            load_ts2phc(&parse_ts2phc_args(&["-c", "eth0"]).unwrap(), None),
            Err(Ts2phcError::NoSource)
        );
        assert_eq!(
            load_ts2phc(&parse_ts2phc_args(&["-s", "nmea"]).unwrap(), None),
            Err(Ts2phcError::NoSink)
        );
        let bad = load_ts2phc(
            &parse_ts2phc_args(&["-s", "generic"]).unwrap(),
            Some("[global]\nts2phc.pulsewidth 1\n[eth0]\n"),
        );
        assert!(matches!(bad, Err(Ts2phcError::Config(_))));
    }
}
