//! phc2sys's options: the typed model of what the operator passes in `phc2sysOpts`
//! (`-a -r -n 24 -N 8 -R 16 -u 0`) and what a bare-metal unit file passes.
//!
//! phc2sys reads the same option table as ptp4l (its `-f` file has a `[global]` section, and
//! every table option is a long option), and most of its flags are shorthands for table
//! options, exactly as in linuxptp: `-E` clock_servo, `-P` pi_proportional_const, `-I`
//! pi_integral_const, `-S` step_threshold, `-F` first_step_threshold, `-L` sanity_freq_limit,
//! `-M` ntpshm_segment, `-n` domainNumber, `-x` kernel_leap 0, `-z` uds_address,
//! `-l` logging_level, `-t` message_tag, `-m` verbose, `-q` use_syslog 0. Those land in
//! [`Phc2sysConfig::options`]; the flags that are phc2sys's own (`-a`, `-r`, `-s`, `-c`, `-d`,
//! `-O`, `-w`, `-R`, `-N`, `-u`) are typed fields.

use super::cli::{getopt, Arg, CliError};
use super::error::ConfigErrors;
use super::parser::load;
use super::table::GlobalOptions;
use super::Ptp4lCommandLine;
use crate::time::Duration;

/// phc2sys's short flags (linuxptp 3.1.1, plus `-i`, the deprecated form of `-s`).
pub const PHC2SYS_FLAGS: &str = "arc:d:s:i:O:wf:E:P:I:S:F:R:N:L:M:u:n:xz:l:t:mqvh";

/// What `-r` asks for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RealtimeClock {
    /// No `-r`: CLOCK_REALTIME is not synchronized in automatic mode.
    #[default]
    Ignore,
    /// `-r`: synchronize CLOCK_REALTIME.
    Sync,
    /// `-rr`: also consider CLOCK_REALTIME as a time source (on a grandmaster).
    SyncAndSource,
}

/// How phc2sys picks its clocks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Phc2sysMode {
    /// `-a`: follow ptp4l's port states over its management socket.
    Automatic {
        /// `-r` / `-rr`.
        realtime: RealtimeClock,
    },
    /// `-s` (or `-d`) and `-c`.
    Manual {
        /// `-s`: the source clock (device or interface); `None` with only `-d`.
        source: Option<String>,
        /// `-d`: a PPS device as the source of the second's edge.
        pps_device: Option<String>,
        /// `-c`: the sink clocks; CLOCK_REALTIME when none is given.
        sinks: Vec<String>,
    },
}

/// Why a phc2sys command line is unusable.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Phc2sysError {
    /// A malformed command line.
    #[error(transparent)]
    Cli(#[from] CliError),
    /// Bad option values (from flags, long options or the `-f` file).
    #[error(transparent)]
    Config(#[from] ConfigErrors),
    /// phc2sys: "autoconfiguration cannot be mixed with manual config options."
    #[error("autoconfiguration (-a) cannot be mixed with manual config options (-s, -c, -d)")]
    MixedModes,
    /// phc2sys: "autoconfiguration or valid source clock must be selected."
    #[error("autoconfiguration (-a) or a source clock (-s or -d) must be selected")]
    NoSource,
}

/// phc2sys's command line, split into its own flags and table settings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Phc2sysCommandLine {
    /// `-f FILE`.
    pub config_file: Option<String>,
    /// `-a`.
    pub automatic: bool,
    /// Number of `-r`.
    pub realtime: u8,
    /// `-s` (or the deprecated `-i`).
    pub source: Option<String>,
    /// `-c`, in order.
    pub sinks: Vec<String>,
    /// `-d`.
    pub pps_device: Option<String>,
    /// `-O`: sink minus source offset, whole seconds.
    pub offset: Option<String>,
    /// `-w`.
    pub wait: bool,
    /// `-R`: updates per second.
    pub update_rate: Option<String>,
    /// `-N`: clock readings per update.
    pub readings: Option<String>,
    /// `-u`: updates per summary.
    pub summary_updates: Option<String>,
    /// `-z`, every one given (upstream phc2sys follows several ptp4l instances).
    pub uds_addresses: Vec<String>,
    /// Table settings from flags and long options, in order.
    pub settings: Vec<(String, String)>,
    /// `-h`.
    pub help: bool,
    /// `-v`.
    pub version: bool,
}

/// Reads phc2sys's arguments (without the program name).
pub fn parse_phc2sys_args<S: AsRef<str>>(args: &[S]) -> Result<Phc2sysCommandLine, CliError> {
    let mut cl = Phc2sysCommandLine::default();
    for arg in getopt(args, PHC2SYS_FLAGS)? {
        let (c, v) = match arg {
            Arg::Long(name, value) => {
                cl.settings.push((name, value));
                continue;
            }
            Arg::Short(c, v) => (c, v.unwrap_or_default()),
        };
        let mut set = |name: &str, value: &str| cl.settings.push((name.into(), value.into()));
        match c {
            'E' => set("clock_servo", &v),
            'P' => set("pi_proportional_const", &v),
            'I' => set("pi_integral_const", &v),
            'S' => set("step_threshold", &v),
            'F' => set("first_step_threshold", &v),
            'L' => set("sanity_freq_limit", &v),
            'M' => set("ntpshm_segment", &v),
            'n' => set("domainNumber", &v),
            'x' => set("kernel_leap", "0"),
            'l' => set("logging_level", &v),
            't' => set("message_tag", &v),
            'm' => set("verbose", "1"),
            'q' => set("use_syslog", "0"),
            'z' => {
                if cl.uds_addresses.is_empty() {
                    set("uds_address", &v);
                }
                cl.uds_addresses.push(v);
            }
            'a' => cl.automatic = true,
            'r' => cl.realtime = cl.realtime.saturating_add(1),
            's' | 'i' => cl.source = Some(v),
            'c' => cl.sinks.push(v),
            'd' => cl.pps_device = Some(v),
            'O' => cl.offset = Some(v),
            'w' => cl.wait = true,
            'R' => cl.update_rate = Some(v),
            'N' => cl.readings = Some(v),
            'u' => cl.summary_updates = Some(v),
            'f' => cl.config_file = Some(v),
            'h' => cl.help = true,
            'v' => cl.version = true,
            other => return Err(CliError::UnknownFlag(other)),
        }
    }
    Ok(cl)
}

/// A phc2sys configuration, typed.
#[derive(Clone, Debug, PartialEq)]
pub struct Phc2sysConfig {
    /// Automatic or manual clock selection.
    pub mode: Phc2sysMode,
    /// `-O`: offset of the sink from the source (manual mode, e.g. TAI-UTC); 0 by default.
    pub offset: Duration,
    /// `-w`: wait for ptp4l to be synchronized, and take the UTC offset from it.
    pub wait_for_ptp4l: bool,
    /// `-R`: sink clock updates per second (1.0).
    pub update_rate_hz: f64,
    /// `-N`: source readings per update, of which the fastest is used (5).
    pub readings: u32,
    /// `-u`: clock updates per summary line; 0 logs every update.
    pub summary_updates: u32,
    /// `-z`: the ptp4l management sockets to follow.
    pub uds_addresses: Vec<String>,
    /// Table options (servo, logging, domain, ...) after the `-f` file and the flags.
    pub options: GlobalOptions,
}

impl Phc2sysConfig {
    /// The interval between sink updates (1 / `-R`).
    pub fn update_interval(&self) -> Duration {
        Duration::from_secs_f64(1.0 / self.update_rate_hz)
    }
}

fn number<T: core::str::FromStr>(
    flag: &str,
    value: &Option<String>,
    default: T,
    ok: impl Fn(&T) -> bool,
    expected: &'static str,
) -> Result<T, Phc2sysError> {
    let Some(text) = value else {
        return Ok(default);
    };
    text.parse::<T>().ok().filter(|v| ok(v)).ok_or_else(|| {
        Phc2sysError::Cli(CliError::BadArgument {
            flag: flag.into(),
            value: text.clone(),
            expected,
        })
    })
}

/// Builds the typed configuration from the command line and the `-f` file's text, with
/// phc2sys's rules: flags override the file, `-a` excludes `-s`/`-c`/`-d`, and one of them is
/// needed.
pub fn load_phc2sys(
    cl: &Phc2sysCommandLine,
    file: Option<&str>,
) -> Result<Phc2sysConfig, Phc2sysError> {
    let table = Ptp4lCommandLine {
        settings: cl.settings.clone(),
        ..Ptp4lCommandLine::default()
    };
    let loaded = load(&table, file)?;
    let mode = if cl.automatic {
        if cl.source.is_some() || !cl.sinks.is_empty() || cl.pps_device.is_some() {
            return Err(Phc2sysError::MixedModes);
        }
        Phc2sysMode::Automatic {
            realtime: match cl.realtime {
                0 => RealtimeClock::Ignore,
                1 => RealtimeClock::Sync,
                _ => RealtimeClock::SyncAndSource,
            },
        }
    } else if cl.source.is_some() || cl.pps_device.is_some() {
        Phc2sysMode::Manual {
            source: cl.source.clone(),
            pps_device: cl.pps_device.clone(),
            sinks: cl.sinks.clone(),
        }
    } else {
        return Err(Phc2sysError::NoSource);
    };
    let offset_secs: i32 = number("-O", &cl.offset, 0, |_| true, "whole seconds")?;
    Ok(Phc2sysConfig {
        mode,
        offset: Duration::from_secs(i64::from(offset_secs)),
        wait_for_ptp4l: cl.wait,
        update_rate_hz: number(
            "-R",
            &cl.update_rate,
            1.0,
            |r: &f64| r.is_finite() && *r >= 1e-9,
            "a positive rate in Hz",
        )?,
        readings: number(
            "-N",
            &cl.readings,
            5,
            |n: &u32| *n >= 1,
            "a count of at least 1",
        )?,
        summary_updates: number("-u", &cl.summary_updates, 0, |_| true, "a count")?,
        uds_addresses: if cl.uds_addresses.is_empty() {
            vec![loaded.config.global.uds_address.clone()]
        } else {
            cl.uds_addresses.clone()
        },
        options: loaded.config.global,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::enums::ClockServo;

    fn cfg(args: &[&str]) -> Result<Phc2sysConfig, Phc2sysError> {
        load_phc2sys(&parse_phc2sys_args(args)?, None)
    }

    #[test]
    fn operator_options() {
        let c = cfg(&["-a", "-r", "-n", "24", "-N", "8", "-R", "16", "-u", "0"]).unwrap();
        assert_eq!(
            c.mode,
            Phc2sysMode::Automatic {
                realtime: RealtimeClock::Sync
            }
        );
        assert_eq!(c.options.domain_number, 24);
        assert_eq!(c.readings, 8);
        assert_eq!(c.update_rate_hz, 16.0);
        assert_eq!(c.update_interval(), Duration::from_nanos(62_500_000));
        assert_eq!(c.summary_updates, 0);
        assert_eq!(c.uds_addresses, vec!["/var/run/ptp4l"]);
        let rr = cfg(&[
            "-a",
            "-rr",
            "-z",
            "/var/run/ptp4l.0.socket",
            "-z",
            "/var/run/ptp4l.1.socket",
        ])
        .unwrap();
        assert_eq!(
            rr.mode,
            Phc2sysMode::Automatic {
                realtime: RealtimeClock::SyncAndSource
            }
        );
        assert_eq!(rr.uds_addresses.len(), 2);
        assert_eq!(rr.options.uds_address, "/var/run/ptp4l.0.socket");
    }

    #[test]
    fn servo_flags_are_table_options() {
        let c = cfg(&[
            "-s",
            "eth0",
            "-c",
            "CLOCK_REALTIME",
            "-O",
            "-37",
            "-w",
            "-E",
            "linreg",
            "-P",
            "0.5",
            "-I",
            "0.1",
            "-S",
            "1.5",
            "-F",
            "0.001",
            "-L",
            "100000",
            "-x",
            "-l",
            "7",
            "-t",
            "[tag]",
            "-m",
            "-q",
            "--servo_offset_threshold=100",
        ])
        .unwrap();
        assert_eq!(
            c.mode,
            Phc2sysMode::Manual {
                source: Some("eth0".into()),
                pps_device: None,
                sinks: vec!["CLOCK_REALTIME".into()]
            }
        );
        assert_eq!(c.offset, Duration::from_secs(-37));
        assert!(c.wait_for_ptp4l);
        let o = &c.options;
        assert_eq!(o.clock_servo, ClockServo::Linreg);
        assert_eq!((o.pi_proportional_const, o.pi_integral_const), (0.5, 0.1));
        assert_eq!(o.step_threshold, Duration::from_millis(1500));
        assert_eq!(o.first_step_threshold, Duration::from_millis(1));
        assert_eq!(o.sanity_freq_limit.0, 100_000.0);
        assert!(!o.kernel_leap && o.verbose && !o.use_syslog);
        assert_eq!(
            (o.logging_level, o.message_tag.as_deref()),
            (7, Some("[tag]"))
        );
        assert_eq!(o.servo_offset_threshold, Duration::from_nanos(100));
    }

    #[test]
    fn mode_errors() {
        assert_eq!(cfg(&["-a", "-s", "eth0"]), Err(Phc2sysError::MixedModes));
        assert_eq!(cfg(&["-m"]), Err(Phc2sysError::NoSource));
        assert!(matches!(
            cfg(&["-a", "-R", "0"]),
            Err(Phc2sysError::Cli(CliError::BadArgument { .. }))
        ));
        assert!(matches!(
            cfg(&["-a", "-E", "pid"]),
            Err(Phc2sysError::Config(_))
        ));
        assert!(matches!(
            cfg(&["-a", "-n", "300"]),
            Err(Phc2sysError::Config(_))
        ));
    }
}
