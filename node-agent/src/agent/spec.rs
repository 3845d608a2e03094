//! What one instance runs from: its name, its checked configuration, the clock it steers and
//! its series' labels ([`InstanceSpec`]). The supervisor compares specs to tell what changed.
//!
//! A spec knows the options the agent applies itself ([`RuntimeOptions`]) and the clock
//! the instance steers ([`InstanceSpec::clock_source`]): an instance follows a new spec in
//! place while the clock stays the same.

use phc::socket::TimestampMode;
use ptp_core::config::enums::TimeStamping;
use ptp_core::config::Ptp4lConfig;
use thiserror::Error;

use super::cli::ClockChoice;
use super::metrics::SeriesLabels;
use super::runtime::RuntimeOptions;

/// Why a configuration cannot make an instance.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SpecError {
    /// No port to run.
    #[error("no interface specified")]
    NoPorts,
    /// A time stamping mode the agent does not open sockets for.
    #[error("time_stamping {0} is not supported yet")]
    TimeStamping(TimeStamping),
}

/// Everything one instance runs from.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceSpec {
    name: String,
    config: Ptp4lConfig,
    clock: Option<ClockChoice>,
    labels: SeriesLabels,
    /// How the ports take time stamps (made from `config`).
    timestamping: TimestampMode,
}

/// Which clock an instance steers: the clock the command line chose, the time stamping
/// mode and the first interface (whose PHC it is with hardware time stamping). Two specs
/// with the same source steer the same clock, so one can follow the other in place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClockSource<'a> {
    /// The command line's choice (`None`: ptp4l's).
    pub choice: Option<ClockChoice>,
    /// How time stamps are taken.
    pub timestamping: TimestampMode,
    /// The first interface.
    pub interface: &'a str,
}

impl InstanceSpec {
    /// The instance `name` of `config` (checked already: see [`super::setup`]), steering
    /// `clock` (`None`: ptp4l's choice), its series labelled `labels`.
    pub fn new(
        name: impl Into<String>,
        config: Ptp4lConfig,
        clock: Option<ClockChoice>,
        labels: SeriesLabels,
    ) -> Result<Self, SpecError> {
        if config.ports.is_empty() {
            return Err(SpecError::NoPorts);
        }
        let timestamping = match config.global.time_stamping {
            TimeStamping::Software => TimestampMode::Software,
            TimeStamping::Hardware => TimestampMode::Hardware,
            other => return Err(SpecError::TimeStamping(other)),
        };
        Ok(Self {
            name: name.into(),
            config,
            clock,
            labels,
            timestamping,
        })
    }

    /// The instance's name, unique among the instances of a supervisor.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The configuration.
    pub fn config(&self) -> &Ptp4lConfig {
        &self.config
    }

    /// The interfaces of the ports, in the configuration's order (never empty).
    pub fn interfaces(&self) -> impl Iterator<Item = &str> {
        self.config.ports.iter().map(|p| p.name.as_str())
    }

    /// The clock the instance steers.
    pub fn clock_source(&self) -> ClockSource<'_> {
        ClockSource {
            choice: self.clock,
            timestamping: self.timestamping,
            interface: self.interfaces().next().unwrap_or_default(),
        }
    }

    /// The options the agent applies itself, in place.
    pub fn runtime_options(&self) -> RuntimeOptions {
        RuntimeOptions::new(&self.config, self.labels.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::config::{load, parse_ptp4l_args};

    fn spec(args: &[&str], file: &str) -> InstanceSpec {
        let mut all = vec!["-f", "x.conf"];
        all.extend_from_slice(args);
        let cl = parse_ptp4l_args(&all).unwrap();
        let config = load(&cl, Some(file)).unwrap().config;
        let labels = SeriesLabels {
            node: "n".into(),
            config: "x.conf".into(),
        };
        InstanceSpec::new("x", config, None, labels).unwrap()
    }

    #[test]
    fn the_runtime_options_are_the_agents_own() {
        let base = spec(&["-i", "ptpx0", "-S"], "[global]\nsummary_interval 0\n");
        let runtime_only = spec(
            &["-i", "ptpx0", "-S", "-m", "-l", "7"],
            "[global]\nsummary_interval 3\ntx_timestamp_timeout 50\nmessage_tag [x]\n\
             uds_address elsewhere.socket\nuds_file_mode 0600\n",
        );
        assert_ne!(base, runtime_only);
        assert_eq!(
            base.runtime_options()
                .changes(&runtime_only.runtime_options()),
            [
                "tx_timestamp_timeout",
                "summary_interval",
                "logging_level",
                "verbose",
                "message_tag",
                "uds_address",
                "uds_file_mode"
            ]
        );
        // An engine option, a port's and a socket's are not the runtime's.
        for (args, file) in [
            (&["-i", "ptpx0", "-S"][..], "[global]\npriority2 99\n"),
            (&["-i", "ptpx0", "-S"][..], "[ptpx0]\nlogSyncInterval -3\n"),
            (&["-i", "ptpx0", "-S", "-6"][..], ""),
            (&["-i", "ptpx0", "-i", "ptpx1", "-S"][..], ""),
        ] {
            let other = spec(args, file);
            assert_ne!(base, other, "{args:?} {file}");
            assert!(
                base.runtime_options()
                    .changes(&other.runtime_options())
                    .is_empty(),
                "{args:?} {file}"
            );
        }
    }

    #[test]
    fn the_clock_source_is_the_choice_the_mode_and_the_first_interface() {
        let base = spec(&["-i", "ptpx0", "-i", "ptpx1", "-S"], "");
        let source = base.clock_source();
        assert_eq!(source.timestamping, TimestampMode::Software);
        assert_eq!((source.choice, source.interface), (None, "ptpx0"));
        // A second interface and its options leave the clock; the first one or the mode
        // change it.
        for (args, same) in [
            (&["-i", "ptpx0", "-S"][..], true),
            (&["-i", "ptpx0", "-i", "ptpx2", "-S", "-6"][..], true),
            (&["-i", "ptpx1", "-i", "ptpx0", "-S"][..], false),
            (&["-i", "ptpx0", "-i", "ptpx1", "-H"][..], false),
        ] {
            assert_eq!(spec(args, "").clock_source() == source, same, "{args:?}");
        }
    }

    #[test]
    fn a_time_stamping_mode_without_sockets_is_refused() {
        let mut all = vec!["-f", "x.conf", "-i", "ptpx0"];
        all.extend_from_slice(&["--time_stamping", "onestep"]);
        let cl = parse_ptp4l_args(&all).unwrap();
        let config = load(&cl, Some("")).unwrap().config;
        let labels = SeriesLabels {
            node: "n".into(),
            config: "x.conf".into(),
        };
        assert_eq!(
            InstanceSpec::new("x", config, None, labels),
            Err(SpecError::TimeStamping(TimeStamping::OneStep))
        );
    }
}
