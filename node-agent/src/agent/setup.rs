//! From ptp4l-style arguments to an instance: the configuration (with ptp4l's precedence),
//! checked, as an [`InstanceSpec`] ([`load`]); and the host's side of running it
//! ([`SystemHost`]): the clock, the clock identity (from the first interface's MAC address,
//! as ptp4l derives it), the addresses each port reports and the ports' sockets.
//!
//! A configuration the engine cannot run as asked is refused here, before anything opens: an
//! error, an option the engine does not implement yet, a destination address other than the
//! standard ones.

use anyhow::{bail, Context as _};
use std::net::IpAddr;

use phc::socket::interface_addresses;
use ptp_core::config::enums::NetworkTransport;
use ptp_core::config::{load as load_config, parse_ptp4l_args, validate, Severity};
use ptp_core::engine::PortSettings;
use ptp_core::wire::ClockIdentity;

use super::cli::ClockChoice;
use super::clock::{AgentClock, ClockSetupError};
use super::metrics::SeriesLabels;
use super::port_io::socket::SocketPorts;
use super::spec::InstanceSpec;
use super::supervisor::{Host, HostError};
use crate::check::HostPhcs;

/// Reads a configuration file (injected for tests).
pub type ReadFile<'a> = &'a dyn Fn(&str) -> std::io::Result<String>;

/// The name of the standalone agent's instance without a configuration file.
const UNNAMED: &str = "ptp4l";

/// A checked configuration, ready to run.
#[derive(Debug)]
pub struct Loaded {
    /// The instance: named after the configuration file (`ptp4l` without one), its series
    /// labelled with the file's name (empty without one).
    pub spec: InstanceSpec,
    /// Things to say once logging is up.
    pub warnings: Vec<String>,
}

/// Parses and checks ptp4l-style `args` (reading the file they name with `read`): one
/// instance steering `clock` on `node`.
pub fn load(
    args: &[String],
    clock: Option<ClockChoice>,
    node: &str,
    read: ReadFile<'_>,
) -> anyhow::Result<Loaded> {
    let cl = parse_ptp4l_args(args).context("command line")?;
    let text = match &cl.config_file {
        Some(path) => Some(read(path).with_context(|| format!("read {path}"))?),
        None => None,
    };
    let loaded = load_config(&cl, text.as_deref()).map_err(|e| anyhow::anyhow!("{e}"))?;
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
    let file_name = cl
        .config_file
        .as_deref()
        .map(|path| {
            std::path::Path::new(path)
                .file_name()
                .map_or(path.into(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default();
    let name = if file_name.is_empty() {
        UNNAMED
    } else {
        &file_name
    };
    let labels = SeriesLabels {
        node: node.to_owned(),
        config: file_name.clone(),
    };
    let spec = InstanceSpec::new(name, config, clock, labels)?;
    Ok(Loaded { spec, warnings })
}

/// The host the agent runs on: clocks, MAC addresses and sockets are the host's.
#[derive(Debug, Default)]
pub struct SystemHost;

impl Host for SystemHost {
    type Clock = AgentClock;
    type Io = SocketPorts;

    fn clock(&mut self, spec: &InstanceSpec) -> Result<AgentClock, ClockSetupError> {
        let source = spec.clock_source();
        AgentClock::open(source.choice, source.timestamping, source.interface)
    }

    fn clock_identity(&self, interface: &str) -> Result<ClockIdentity, HostError> {
        clock_identity(interface)
    }

    fn describe_port(&self, port: &mut PortSettings) {
        describe_port(port);
    }

    fn port_io(&mut self) -> SocketPorts {
        SocketPorts
    }
}

/// Gives `port` the addresses CLOCK_DESCRIPTION reports, read as ptp4l reads them when it
/// opens the transport: the interface's MAC and, as the protocol address, its first address
/// of the transport's family (the MAC on IEEE 802.3). What cannot be read stays empty, as
/// ptp4l then sends it.
fn describe_port(port: &mut PortSettings) {
    let mac = mac_address(&mac_path(&port.name)).ok();
    port.physical_address = mac.map(|m| m.to_vec()).unwrap_or_default();
    let addresses = interface_addresses(&port.name).unwrap_or_default();
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
    port.protocol_address = match port.transport.network_transport {
        NetworkTransport::UdpV4 => first_of(false),
        NetworkTransport::UdpV6 => first_of(true),
        NetworkTransport::L2 => port.physical_address.clone(),
    };
}

/// ptp4l's clock identity for an interface: its MAC address with FF:FE in the middle
/// (EUI-48 to EUI-64).
pub fn clock_identity(interface: &str) -> Result<ClockIdentity, HostError> {
    let path = mac_path(interface);
    let [a, b, c, d, e, f] =
        mac_address(&path).map_err(|source| HostError::Mac { path, source })?;
    Ok(ClockIdentity([a, b, c, 0xff, 0xfe, d, e, f]))
}

/// Where the MAC address of `interface` is read.
fn mac_path(interface: &str) -> String {
    format!("/sys/class/net/{interface}/address")
}

/// The MAC address read from `path`.
fn mac_address(path: &str) -> std::io::Result<[u8; 6]> {
    let text = std::fs::read_to_string(path)?;
    parse_mac(text.trim())
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "not a MAC address"))
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
        let mut port = PortSettings {
            name: "lo".into(),
            ..PortSettings::default()
        };
        describe_port(&mut port);
        assert_eq!(port.physical_address, vec![0; 6]);
        assert_eq!(port.protocol_address, vec![127, 0, 0, 1]);
        port.transport.network_transport = NetworkTransport::L2;
        describe_port(&mut port);
        assert_eq!(port.protocol_address, vec![0; 6]);
        port.name = "nosuch0".into();
        port.transport.network_transport = NetworkTransport::UdpV4;
        describe_port(&mut port);
        assert!(port.physical_address.is_empty() && port.protocol_address.is_empty());
    }

    #[test]
    fn ptp4l_flags_make_a_spec_named_after_the_file() {
        let read = |_: &str| Ok("[global]\nudp_ttl 3\n[ptpx1]\n".to_owned());
        let loaded = load(
            &args(&["-f", "/etc/x.conf", "-i", "ptpx0", "-6", "-S", "-m"]),
            Some(ClockChoice::Virtual),
            "node-a",
            &read,
        )
        .unwrap();
        let spec = &loaded.spec;
        assert_eq!(spec.name(), "x.conf");
        assert_eq!(spec.interfaces().collect::<Vec<_>>(), ["ptpx0", "ptpx1"]);
        assert_eq!(spec.config().ports[0].options.udp_ttl, 3);
        assert!(spec.runtime_options().log.verbose);
        assert_eq!(spec.clock_source().choice, Some(ClockChoice::Virtual));
        let labels = spec.runtime_options().labels;
        assert_eq!(
            (labels.node.as_str(), labels.config.as_str()),
            ("node-a", "x.conf")
        );
        let none = |_: &str| Ok(String::new());
        let unnamed = load(&args(&["-i", "ptpx0", "-S"]), None, "n", &none).unwrap();
        assert_eq!(unnamed.spec.name(), "ptp4l");
        assert_eq!(unnamed.spec.runtime_options().labels.config, "");
    }

    #[test]
    fn what_cannot_run_is_refused() {
        let none = |_: &str| Ok(String::new());
        let refuse = |a: &[&str]| load(&args(a), None, "n", &none).unwrap_err().to_string();
        assert!(refuse(&["-i", "ptpx0", "-L"]).contains("not implemented"));
        assert!(refuse(&["-i", "ptpx0", "--ptp_dst_ipv4", "224.0.1.130"])
            .contains("destination addresses"));
        assert!(refuse(&["-S"]).contains("no interface"));
        assert!(refuse(&["-x"]).contains("command line"));
    }
}
