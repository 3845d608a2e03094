//! From ptp4l-style arguments to a runnable agent: the configuration (with ptp4l's
//! precedence), the engine's settings, the clock identity (from the first interface's MAC
//! address, as ptp4l derives it), the sockets of each port and the log settings.
//!
//! A configuration the engine cannot run as asked is refused here, before anything opens: an
//! error, an option the engine does not implement yet, a destination address other than the
//! standard ones.

use std::time::Duration;

use anyhow::{bail, Context as _};
use std::net::IpAddr;

use phc::socket::{interface_addresses, PortConfig, TimestampMode, Transport};
use ptp_core::config::enums::{NetworkTransport, TimeStamping};
use ptp_core::config::{load, parse_ptp4l_args, validate, Ptp4lConfig, Severity};
use ptp_core::engine::{Instance, InstanceSettings, PortSettings};
use ptp_core::wire::ClockIdentity;

use super::cli::ClockChoice;
use super::clock::{AgentClock, SteeredClock};
use super::log::{EventLog, LogSettings};
use super::management::ManagementSocket;
use super::metrics::AgentMetrics;
use super::runtime::Runtime;
use super::summary::SummaryWindow;
use crate::check::HostPhcs;

/// Reads a configuration file (injected for tests).
pub type ReadFile<'a> = &'a dyn Fn(&str) -> std::io::Result<String>;

/// A checked configuration, ready to open.
#[derive(Debug)]
pub struct Plan {
    /// The configuration.
    pub config: Ptp4lConfig,
    /// The configuration file (`-f`), if any.
    pub config_file: Option<String>,
    /// The clock to steer (`None`: ptp4l's choice).
    pub clock: Option<ClockChoice>,
    /// Socket settings, per port.
    pub ports: Vec<PortConfig>,
    /// How to log.
    pub log: LogSettings,
    /// Things to say once logging is up.
    pub warnings: Vec<String>,
}

/// Parses and checks ptp4l-style `args`.
pub fn plan(
    args: &[String],
    clock: Option<ClockChoice>,
    read: ReadFile<'_>,
) -> anyhow::Result<Plan> {
    let cl = parse_ptp4l_args(args).context("command line")?;
    let text = match &cl.config_file {
        Some(path) => Some(read(path).with_context(|| format!("read {path}"))?),
        None => None,
    };
    let loaded = load(&cl, text.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
    let config = loaded.config;
    let mut warnings: Vec<String> = loaded.warnings.iter().map(ToString::to_string).collect();
    if cl.phc_device.is_some() {
        warnings.push("-p is deprecated and ignored; the PHC comes from each interface".into());
    }
    for finding in validate(&config, &HostPhcs) {
        if finding.severity == Severity::Error {
            bail!("{finding}");
        }
        warnings.push(finding.to_string());
    }
    if let Some(u) = config.unimplemented().first() {
        bail!("{u}");
    }
    let timestamping = match config.global.time_stamping {
        TimeStamping::Software => TimestampMode::Software,
        TimeStamping::Hardware => TimestampMode::Hardware,
        other => bail!("time_stamping {other} is not supported yet"),
    };
    let mut ports = Vec::with_capacity(config.ports.len());
    for port in &config.ports {
        let o = &port.options;
        ports.push(PortConfig {
            timestamping,
            udp6_scope: o.udp6_scope,
            multicast_ttl: o.udp_ttl,
            dscp_event: config.global.dscp_event,
            dscp_general: config.global.dscp_general,
            socket_priority: config.global.socket_priority,
            ptp_dst_mac: o.ptp_dst_mac,
            p2p_dst_mac: o.p2p_dst_mac,
            ..PortConfig::new(
                port.name.clone(),
                match o.network_transport {
                    NetworkTransport::UdpV4 => Transport::UdpIpv4,
                    NetworkTransport::UdpV6 => Transport::UdpIpv6,
                    NetworkTransport::L2 => Transport::Ieee8023,
                },
            )
        });
    }
    let log = LogSettings {
        verbose: config.global.verbose,
        level: config.global.logging_level,
        tag: config.global.message_tag.clone(),
    };
    Ok(Plan {
        config,
        config_file: cl.config_file.clone(),
        clock,
        ports,
        log,
        warnings,
    })
}

impl Plan {
    /// ptp4l's summary of samples: per 2^summary_interval seconds at the first port's Sync
    /// interval.
    fn summary(&self) -> SummaryWindow {
        let sync = self
            .config
            .ports
            .first()
            .map_or(0, |p| p.options.log_sync_interval.0);
        SummaryWindow::new(self.config.global.summary_interval.0, sync)
    }

    /// The metrics of this instance on `node`; `config` is the configuration file's name
    /// (empty without `-f`).
    pub fn metrics(&self, node: &str) -> AgentMetrics {
        let config = self
            .config_file
            .as_deref()
            .map(|path| {
                std::path::Path::new(path)
                    .file_name()
                    .map_or(path.into(), |n| n.to_string_lossy())
            })
            .unwrap_or_default();
        let interfaces = self.ports.iter().map(|p| p.interface.clone()).collect();
        AgentMetrics::new(node, &config, interfaces, self.summary())
    }

    /// Opens the clock and builds the engine and the event loop (sockets open when it runs),
    /// which feeds `metrics`.
    pub fn into_runtime(self, metrics: AgentMetrics) -> anyhow::Result<Runtime> {
        let first = self
            .ports
            .first()
            .context("no interface specified")?
            .clone();
        let identity = clock_identity(&first.interface)?;
        let mut settings = InstanceSettings::from_config(&self.config, identity)?;
        for (port, socket) in settings.ports.iter_mut().zip(&self.ports) {
            describe_port(port, socket);
        }
        let instance = Instance::new(settings)?;
        let clock = AgentClock::open(self.clock, first.timestamping, &first.interface)?;
        let g = &self.config.global;
        tracing::info!(
            "clock {} ({}), {} port(s){}",
            instance.default_ds().clock_identity,
            clock.name(),
            self.ports.len(),
            if g.free_running { ", free running" } else { "" }
        );
        let log = EventLog::new(self.summary());
        let tx_timeout: Duration = g.tx_timestamp_timeout.to_core();
        let runtime = Runtime::new(instance, clock, self.ports, tx_timeout, log, metrics);
        let path = std::path::Path::new(&g.uds_address);
        Ok(
            match ManagementSocket::bind(path, u32::from(self.config.port_defaults.uds_file_mode)) {
                Ok(socket) => {
                    tracing::debug!("management socket {}", socket.path().display());
                    runtime.with_management(socket)
                }
                Err(e) => {
                    tracing::error!("no management socket: cannot bind {}: {e}", path.display());
                    runtime
                }
            },
        )
    }
}

/// Gives `port` the addresses CLOCK_DESCRIPTION reports, read as ptp4l reads them when it
/// opens the transport: the interface's MAC and, as the protocol address, its first address
/// of the transport's family (the MAC on IEEE 802.3). What cannot be read stays empty, as
/// ptp4l then sends it.
fn describe_port(port: &mut PortSettings, socket: &PortConfig) {
    let mac = mac_address(&socket.interface).ok();
    port.physical_address = mac.map(|m| m.to_vec()).unwrap_or_default();
    let addresses = interface_addresses(&socket.interface).unwrap_or_default();
    let first_of = |v6: bool| {
        addresses
            .iter()
            .find(|a| a.is_ipv6() == v6)
            .map(|a| match a {
                IpAddr::V4(a) => a.octets().to_vec(),
                IpAddr::V6(a) => a.octets().to_vec(),
            })
            .unwrap_or_default()
    };
    port.protocol_address = match socket.transport {
        Transport::UdpIpv4 => first_of(false),
        Transport::UdpIpv6 => first_of(true),
        Transport::Ieee8023 => port.physical_address.clone(),
    };
}

/// ptp4l's clock identity for an interface: its MAC address with FF:FE in the middle
/// (EUI-48 to EUI-64).
pub fn clock_identity(interface: &str) -> anyhow::Result<ClockIdentity> {
    let [a, b, c, d, e, f] = mac_address(interface)?;
    Ok(ClockIdentity([a, b, c, 0xff, 0xfe, d, e, f]))
}

/// The MAC address of `interface`.
fn mac_address(interface: &str) -> anyhow::Result<[u8; 6]> {
    let path = format!("/sys/class/net/{interface}/address");
    let text = std::fs::read_to_string(&path).with_context(|| format!("read {path}"))?;
    parse_mac(text.trim()).with_context(|| format!("{path}: not a MAC address"))
}

fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let mut mac = [0u8; 6];
    let mut parts = text.split(':');
    for b in &mut mac {
        *b = u8::from_str_radix(parts.next()?, 16).ok()?;
    }
    if parts.next().is_some() {
        return None;
    }
    Some(mac)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::config::value::MacAddress;

    fn args(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn macs_are_six_hex_octets() {
        assert_eq!(
            parse_mac("02:1a:2b:3c:4d:5e"),
            Some([0x02, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e])
        );
        assert_eq!(parse_mac("02:1a:2b:3c:4d"), None);
        assert_eq!(parse_mac("02:1a:2b:3c:4d:5e:6f"), None);
        assert_eq!(parse_mac("zz:1a:2b:3c:4d:5e"), None);
    }

    #[test]
    fn identity_is_eui64_of_the_mac() {
        let lo = clock_identity("lo").unwrap();
        assert_eq!(lo, ClockIdentity([0, 0, 0, 0xff, 0xfe, 0, 0, 0]));
    }

    #[test]
    fn ports_are_described_by_their_interface_addresses() {
        let mut port = PortSettings::default();
        describe_port(&mut port, &PortConfig::new("lo", Transport::UdpIpv4));
        assert_eq!(port.physical_address, vec![0; 6]);
        assert_eq!(port.protocol_address, vec![127, 0, 0, 1]);
        describe_port(&mut port, &PortConfig::new("lo", Transport::Ieee8023));
        assert_eq!(port.protocol_address, vec![0; 6]);
        describe_port(&mut port, &PortConfig::new("nosuch0", Transport::UdpIpv4));
        assert!(port.physical_address.is_empty() && port.protocol_address.is_empty());
    }

    #[test]
    fn ptp4l_flags_become_socket_settings() {
        let read = |_: &str| {
            Ok(
                "[global]\nudp_ttl 3\ndscp_event 46\nsocket_priority 5\n[ptpx1]\n\
                ptp_dst_mac 01:80:C2:00:00:0E\n"
                    .to_owned(),
            )
        };
        let plan = plan(
            &args(&["-f", "x.conf", "-i", "ptpx0", "-6", "-S", "-m"]),
            Some(ClockChoice::Virtual),
            &read,
        )
        .unwrap();
        assert_eq!(plan.ports.len(), 2);
        let p = &plan.ports[0];
        assert_eq!(p.interface, "ptpx0");
        assert_eq!(p.transport, Transport::UdpIpv6);
        assert_eq!(p.timestamping, TimestampMode::Software);
        assert_eq!((p.multicast_ttl, p.dscp_event), (3, 46));
        assert_eq!(p.socket_priority, 5);
        assert_eq!(p.ptp_dst_mac, MacAddress([0x01, 0x1b, 0x19, 0, 0, 0]));
        assert_eq!(
            plan.ports[1].ptp_dst_mac,
            MacAddress([0x01, 0x80, 0xc2, 0, 0, 0x0e])
        );
        assert!(plan.log.verbose);
        assert_eq!(plan.clock, Some(ClockChoice::Virtual));
    }

    #[test]
    fn what_cannot_run_is_refused() {
        let none = |_: &str| Ok(String::new());
        let refuse = |a: &[&str]| plan(&args(a), None, &none).unwrap_err().to_string();
        assert!(refuse(&["-i", "ptpx0", "-L"]).contains("not implemented"));
        assert!(refuse(&["-i", "ptpx0", "--ptp_dst_ipv4", "224.0.1.130"])
            .contains("destination addresses"));
        assert!(refuse(&["-S"]).contains("no interface"));
        assert!(refuse(&["-x"]).contains("command line"));
    }
}
