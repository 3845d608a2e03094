//! The configuration model of one PTP instance: clock-wide options, port defaults, ports and
//! unicast master tables, plus where each value came from.

use std::collections::BTreeMap;

use super::table::{GlobalOptions, PortOptions, Scope, Support, OPTIONS};
use super::unicast::UnicastMasterTable;

/// One PTP instance (what one ptp4l process runs): an ordinary or boundary clock and its
/// ports.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Ptp4lConfig {
    /// Clock-wide options.
    pub global: GlobalOptions,
    /// Port options as set in `[global]` or on the command line: the defaults of every port.
    pub port_defaults: PortOptions,
    /// The ports, in ptp4l's order: `-i` interfaces first, then file sections.
    pub ports: Vec<PortConfig>,
    /// `[unicast_master_table]` sections, in file order.
    pub unicast_master_tables: Vec<UnicastMasterTable>,
}

/// One port (interface) of an instance.
#[derive(Clone, Debug, PartialEq)]
pub struct PortConfig {
    /// Interface name (`eth0`).
    pub name: String,
    /// The port's effective options: [`Ptp4lConfig::port_defaults`] plus its own section.
    pub options: PortOptions,
    /// Options set in the port's own section, in first-set order. They keep their value when
    /// the defaults change (ptp4l: the command line overrides `[global]`, not `[eth0]`).
    pub overrides: Vec<&'static str>,
}

impl PortConfig {
    /// A port that takes every option from the defaults.
    pub fn new(name: &str, defaults: &PortOptions) -> Self {
        Self {
            name: name.to_owned(),
            options: defaults.clone(),
            overrides: Vec::new(),
        }
    }
}

/// Where a value came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// The option table's default.
    Default,
    /// A line of the configuration file (1-based).
    File {
        /// The line number.
        line: usize,
    },
    /// The command line (a flag such as `-S`, or `--option value`).
    CommandLine,
}

impl core::fmt::Display for Source {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::Default => f.write_str("default"),
            Self::File { line } => write!(f, "file line {line}"),
            Self::CommandLine => f.write_str("command line"),
        }
    }
}

/// Where each explicitly set value came from; everything else is [`Source::Default`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Provenance {
    pub(crate) global: BTreeMap<&'static str, Source>,
    pub(crate) ports: Vec<BTreeMap<&'static str, Source>>,
}

impl Provenance {
    /// The source of a clock-wide option, or of a port option's default.
    pub fn global(&self, name: &str) -> Source {
        self.global.get(name).copied().unwrap_or(Source::Default)
    }

    /// The source of a port option's effective value on port `index`.
    pub fn port(&self, index: usize, name: &str) -> Source {
        self.ports
            .get(index)
            .and_then(|m| m.get(name))
            .copied()
            .unwrap_or_else(|| self.global(name))
    }
}

/// An option set to something our engine does not implement yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unimplemented {
    /// The option.
    pub option: &'static str,
    /// Its value, as configuration text.
    pub value: String,
    /// Where: `None` for the clock (or every port's default), `Some(i)` for port `i`'s own
    /// section.
    pub port: Option<usize>,
    /// What is missing.
    pub reason: &'static str,
}

impl core::fmt::Display for Unimplemented {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "option {} {}: not implemented yet ({})",
            self.option, self.value, self.reason
        )
    }
}

impl Ptp4lConfig {
    /// Options set to values our engine does not implement yet, for ptp4l's use of the file.
    ///
    /// An option counts when its value differs from the default (`hybrid_e2e 0` asks for
    /// nothing) and the table marks it [`Support::NotYet`], or when its value is an
    /// enumeration value we do not implement (`clock_servo ntpshm`). ts2phc-only options are
    /// ignored, as ptp4l ignores them. Port options are reported once for the defaults and
    /// once per port section that sets them.
    pub fn unimplemented(&self) -> Vec<Unimplemented> {
        let global_defaults = GlobalOptions::default();
        let port_defaults = PortOptions::default();
        let mut out = Vec::new();
        for spec in OPTIONS {
            let (current, default, by_value) = match spec.scope {
                Scope::Global => (
                    self.global.get_text(spec.name),
                    global_defaults.get_text(spec.name),
                    self.global.value_unimplemented(spec.name),
                ),
                Scope::Port => (
                    self.port_defaults.get_text(spec.name),
                    port_defaults.get_text(spec.name),
                    self.port_defaults.value_unimplemented(spec.name),
                ),
            };
            let reason = |differs: bool, by_value: Option<&'static str>| match spec.support {
                Support::NotYet(why) if differs => Some(by_value.unwrap_or(why)),
                Support::Ts2phc => None,
                _ => by_value,
            };
            if let (Some(value), Some(why)) =
                (current.clone(), reason(current != default, by_value))
            {
                out.push(Unimplemented {
                    option: spec.name,
                    value,
                    port: None,
                    reason: why,
                });
            }
            if spec.scope != Scope::Port {
                continue;
            }
            for (i, port) in self.ports.iter().enumerate() {
                if !port.overrides.contains(&spec.name) {
                    continue;
                }
                let value = port.options.get_text(spec.name);
                let by_value = port.options.value_unimplemented(spec.name);
                if let (Some(v), Some(why)) = (value.clone(), reason(value != default, by_value)) {
                    out.push(Unimplemented {
                        option: spec.name,
                        value: v,
                        port: Some(i),
                        reason: why,
                    });
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use crate::config::parse_ptp4l_conf;

    fn report(text: &str) -> Vec<(String, Option<usize>)> {
        parse_ptp4l_conf(text)
            .unwrap()
            .config
            .unimplemented()
            .into_iter()
            .map(|u| (format!("{}={}", u.option, u.value), u.port))
            .collect()
    }

    #[test]
    fn only_requested_features_are_reported() {
        // Explicit defaults of unimplemented options ask for nothing.
        assert!(report("[global]\nhybrid_e2e 0\nnet_sync_monitor 0\n[eth0]\n").is_empty());
        // Our own extension and implemented values are fine; ts2phc options are not ptp4l's.
        assert!(report("[global]\nclock_servo kalman\nts2phc.master 1\n[eth0]\n").is_empty());
        assert_eq!(
            report("[global]\ntwoStepFlag 0\n[eth0]\n"),
            [("twoStepFlag=0".to_owned(), None)]
        );
        assert_eq!(
            report("[global]\n[eth0]\n[eth1]\ndelay_mechanism Auto\n"),
            [("delay_mechanism=Auto".to_owned(), Some(1))]
        );
        assert_eq!(
            report("[global]\nclock_type P2P_TC\n[eth0]\n"),
            [("clock_type=P2P_TC".to_owned(), None)]
        );
    }
}
