//! What one instance runs from: its name, its checked configuration, the clock it steers and
//! its series' labels ([`InstanceSpec`]). The supervisor compares specs to tell what changed.
//!
//! A spec knows which part of it a running instance takes in place (its
//! [`RuntimeOptions`]) and which part the engine and the ports are built from
//! ([`InstanceSpec::same_engine`]).

use phc::socket::{PortConfig, TimestampMode, Transport};
use ptp_core::config::enums::{NetworkTransport, TimeStamping};
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
    /// How each port's sockets open, in port order (made from `config`).
    sockets: Vec<PortConfig>,
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
        let sockets = sockets(&config)?;
        Ok(Self {
            name: name.into(),
            config,
            clock,
            labels,
            sockets,
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

    /// The clock to steer (`None`: ptp4l's choice).
    pub fn clock(&self) -> Option<ClockChoice> {
        self.clock
    }

    /// How each port's sockets open, in port order (never empty).
    pub fn sockets(&self) -> &[PortConfig] {
        &self.sockets
    }

    /// The options the agent applies itself, in place.
    pub fn runtime_options(&self) -> RuntimeOptions {
        RuntimeOptions::new(&self.config, self.labels.clone())
    }

    /// Whether `self` and `other` build the same engine, ports and clock: they differ at
    /// most in their [`RuntimeOptions`].
    pub fn same_engine(&self, other: &Self) -> bool {
        self.clock == other.clock
            && RuntimeOptions::engine_part(&self.config)
                == RuntimeOptions::engine_part(&other.config)
    }
}

/// The socket settings of each port of `config`.
fn sockets(config: &Ptp4lConfig) -> Result<Vec<PortConfig>, SpecError> {
    let g = &config.global;
    let timestamping = match g.time_stamping {
        TimeStamping::Software => TimestampMode::Software,
        TimeStamping::Hardware => TimestampMode::Hardware,
        other => return Err(SpecError::TimeStamping(other)),
    };
    Ok(config
        .ports
        .iter()
        .map(|port| {
            let o = &port.options;
            let transport = match o.network_transport {
                NetworkTransport::UdpV4 => Transport::UdpIpv4,
                NetworkTransport::UdpV6 => Transport::UdpIpv6,
                NetworkTransport::L2 => Transport::Ieee8023,
            };
            PortConfig {
                timestamping,
                udp6_scope: o.udp6_scope,
                multicast_ttl: o.udp_ttl,
                dscp_event: g.dscp_event,
                dscp_general: g.dscp_general,
                socket_priority: g.socket_priority,
                ptp_dst_mac: o.ptp_dst_mac,
                p2p_dst_mac: o.p2p_dst_mac,
                ..PortConfig::new(port.name.clone(), transport)
            }
        })
        .collect())
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
    fn runtime_options_alone_keep_the_engine() {
        let base = spec(&["-i", "ptpx0", "-S"], "[global]\nsummary_interval 0\n");
        let runtime_only = spec(
            &["-i", "ptpx0", "-S", "-m", "-l", "7"],
            "[global]\nsummary_interval 3\ntx_timestamp_timeout 50\nmessage_tag [x]\n\
             uds_address /tmp/elsewhere\nuds_file_mode 0600\n",
        );
        assert_ne!(base, runtime_only);
        assert!(base.same_engine(&runtime_only));
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
            assert!(!base.same_engine(&other), "{args:?} {file}");
            assert!(
                base.runtime_options()
                    .changes(&other.runtime_options())
                    .is_empty(),
                "{args:?} {file}"
            );
        }
    }

    #[test]
    fn sockets_follow_the_configuration() {
        let s = spec(
            &["-i", "ptpx0", "-6", "-S"],
            "[global]\nudp_ttl 3\ndscp_event 46\nsocket_priority 5\n[ptpx1]\n\
             ptp_dst_mac 01:80:C2:00:00:0E\n",
        );
        assert_eq!(s.sockets().len(), 2);
        let p = &s.sockets()[0];
        assert_eq!(p.interface, "ptpx0");
        assert_eq!(p.transport, Transport::UdpIpv6);
        assert_eq!(p.timestamping, TimestampMode::Software);
        assert_eq!((p.multicast_ttl, p.dscp_event), (3, 46));
        assert_eq!(p.socket_priority, 5);
        assert_eq!(
            s.sockets()[1].ptp_dst_mac,
            ptp_core::config::value::MacAddress([0x01, 0x80, 0xc2, 0, 0, 0x0e])
        );
    }
}
