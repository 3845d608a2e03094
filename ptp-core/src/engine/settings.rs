//! The engine's configuration: what [`super::Instance`] needs, taken from the shared
//! configuration model ([`crate::config::Ptp4lConfig`]) with ptp4l's rules applied (slaveOnly
//! forces clockClass 255; software time stamping means the UTC timescale), or built directly by
//! tests and the simulator.
//!
//! They are also the one source of truth for the runtime: how each port's sockets are opened
//! ([`PortTransport`], the time stamping mode) comes from here, through
//! [`super::Instance::port_settings`], so a reconfiguration changes both at once.

use thiserror::Error;

use super::action::PeerAddress;
use super::datasets::{DelayMechanism, TimePropertiesDs};
use crate::config::enums::{
    ClockServo, ClockType, DatasetComparison, DelayFilter, DelayMechanism as ConfigDelay,
    NetworkTransport, TimeStamping, TsprocMode,
};
use crate::config::value::{FaultResetInterval, MacAddress};
use crate::config::{GlobalOptions, PortOptions, Ptp4lConfig};
use crate::servo::{ServoConfig, ServoKind, TimestampingMode};
use crate::time::{Duration, LogInterval};
use crate::wire::management::PortAddress;
use crate::wire::{ClockAccuracy, ClockIdentity, ClockQuality, TimeSource};

/// Why a configuration cannot run on this engine.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum SettingsError {
    /// No port to run.
    #[error("no ports: give at least one interface (-i) or [interface] section")]
    NoPorts,
    /// More ports than portNumber can count.
    #[error("{0} ports: at most 65534 are possible")]
    TooManyPorts(usize),
    /// An option value the engine does not implement.
    #[error("{option} {value} is not supported by this engine yet")]
    Unsupported {
        /// The option.
        option: &'static str,
        /// Its value.
        value: String,
    },
}

/// Clock-wide settings.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceSettings {
    /// clockIdentity.
    pub clock_identity: ClockIdentity,
    /// clockQuality (clockClass 255 when slave-only).
    pub clock_quality: ClockQuality,
    /// priority1.
    pub priority_1: u8,
    /// priority2.
    pub priority_2: u8,
    /// domainNumber.
    pub domain_number: u8,
    /// slaveOnly.
    pub slave_only: bool,
    /// majorSdoId (transportSpecific).
    pub major_sdo_id: u8,
    /// minorVersionPTP to send (`ptp_minor_version`; 0 by default, for linuxptp 3.x peers,
    /// which drop 2.1 messages).
    pub minor_version_ptp: u8,
    /// The BMCA's data set comparison.
    pub dataset_comparison: DatasetComparison,
    /// G.8275 defaultDS.localPriority.
    pub local_priority: u8,
    /// maxStepsRemoved.
    pub max_steps_removed: u8,
    /// Time properties announced while this clock is grandmaster.
    pub time_properties: TimePropertiesDs,
    /// The servo.
    pub servo: ServoKind,
    /// Its tuning.
    pub servo_config: ServoConfig,
    /// Measure but never adjust the clock (`free_running`).
    pub free_running: bool,
    /// How time stamps are taken (`time_stamping`): the runtime opens every port's sockets
    /// with it; software time stamping also means the UTC timescale
    /// ([`InstanceSettings::utc_timescale`]).
    pub time_stamping: TimestampingMode,
    /// What CLOCK_DESCRIPTION and USER_DESCRIPTION tell of this clock.
    pub description: ClockDescriptionTexts,
    /// Seed of the engine's random intervals.
    pub seed: u64,
    /// The ports.
    pub ports: Vec<PortSettings>,
}

/// The configured texts that describe the clock (ptp4l.conf's options of the same names).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ClockDescriptionTexts {
    /// manufacturerIdentity (an OUI).
    pub manufacturer_identity: [u8; 3],
    /// productDescription (`manufacturer;model;serial`).
    pub product_description: String,
    /// revisionData (`hardware;firmware;software`).
    pub revision_data: String,
    /// userDescription (`name;location`).
    pub user_description: String,
}

/// One port's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct PortSettings {
    /// The interface name: where the runtime opens the port's sockets, what observers call
    /// the port, and what matches a port across reconfigurations.
    pub name: String,
    /// How the port's sockets are opened.
    pub transport: PortTransport,
    /// E2E or P2P.
    pub delay_mechanism: DelayMechanism,
    /// logAnnounceInterval.
    pub log_announce_interval: LogInterval,
    /// announceReceiptTimeout.
    pub announce_receipt_timeout: u8,
    /// logSyncInterval.
    pub log_sync_interval: LogInterval,
    /// logMinDelayReqInterval.
    pub log_min_delay_req_interval: LogInterval,
    /// logMinPdelayReqInterval.
    pub log_min_pdelay_req_interval: LogInterval,
    /// delay_request_variability: each Delay_Req interval is drawn uniformly from
    /// (1 − v … 1 + v) times the master's minimum interval; 1.0 is IEEE 1588-2019 9.5.11.2's
    /// 0 … 2×, as linuxptp 3.x always does.
    pub delay_request_variability: f64,
    /// delayAsymmetry: how much longer master→slave is than the mean.
    pub delay_asymmetry: Duration,
    /// ingressLatency: subtracted from receive time stamps.
    pub ingress_latency: Duration,
    /// egressLatency: added to transmit time stamps.
    pub egress_latency: Duration,
    /// masterOnly.
    pub master_only: bool,
    /// G.8275 portDS.localPriority.
    pub local_priority: u8,
    /// fault_reset_interval (`None`: at once).
    pub fault_reset_interval: Option<LogInterval>,
    /// Delay filter: moving median (true) or average.
    pub delay_filter_median: bool,
    /// delay_filter_length.
    pub delay_filter_length: usize,
    /// neighborPropDelayThresh (reported by PORT_DATA_SET_NP; 802.1AS asCapable, which it
    /// feeds, is not yet ours).
    pub neighbor_prop_delay_thresh: Duration,
    /// `tsproc_mode raw`: the offset uses each delay measurement as it is, not the filtered
    /// delay.
    pub raw_delay: bool,
    /// `ignore_transport_specific`: accept messages whatever their transportSpecific
    /// (majorSdoId).
    pub ignore_transport_specific: bool,
    /// Append a PATH_TRACE TLV to Announce and check received ones.
    pub path_trace_enabled: bool,
    /// Static unicast peers (the port's `[unicast_master_table]` entries): when not empty,
    /// the port sends Announce, Sync and Follow_Up to each of them and Delay_Req to its
    /// master by unicast instead of multicast (IEEE 1588-2019 16.1 without negotiation).
    pub unicast_peers: Vec<PeerAddress>,
    /// The interface's physical (MAC) address, for CLOCK_DESCRIPTION; the runtime fills it
    /// (empty when unknown, as ptp4l sends it when it cannot read one).
    pub physical_address: Vec<u8>,
    /// The port's protocol address for CLOCK_DESCRIPTION: its IPv4 or IPv6 address, or the
    /// MAC on IEEE 802.3; the runtime fills it (empty when the interface has none).
    pub protocol_address: Vec<u8>,
}

/// How a port's sockets are opened: the transport and the socket options of
/// `ptp4l.conf`, as plain data (the runtime turns it into its socket configuration; the
/// interface is [`PortSettings::name`], the time stamping mode
/// [`InstanceSettings::time_stamping`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PortTransport {
    /// UDP/IPv4, UDP/IPv6 or IEEE 802.3 (`network_transport`).
    pub network_transport: NetworkTransport,
    /// The scope nibble of the IPv6 primary multicast group (`udp6_scope`).
    pub udp6_scope: u8,
    /// Multicast TTL or hop limit (`udp_ttl`).
    pub udp_ttl: u8,
    /// DSCP of event messages (`dscp_event`).
    pub dscp_event: u8,
    /// DSCP of general messages (`dscp_general`).
    pub dscp_general: u8,
    /// `SO_PRIORITY` of the port's sockets (`socket_priority`; 0 leaves it alone).
    pub socket_priority: u8,
    /// IEEE 802.3: the destination of every message but the peer-delay ones
    /// (`ptp_dst_mac`).
    pub ptp_dst_mac: MacAddress,
    /// IEEE 802.3: the destination of peer-delay messages (`p2p_dst_mac`).
    pub p2p_dst_mac: MacAddress,
}

impl PortTransport {
    /// The transport options of one port (`dscp_*` and `socket_priority` are clock-wide in
    /// `ptp4l.conf`).
    fn from_options(g: &GlobalOptions, o: &PortOptions) -> Self {
        Self {
            network_transport: o.network_transport,
            udp6_scope: o.udp6_scope,
            udp_ttl: o.udp_ttl,
            dscp_event: g.dscp_event,
            dscp_general: g.dscp_general,
            socket_priority: g.socket_priority,
            ptp_dst_mac: o.ptp_dst_mac,
            p2p_dst_mac: o.p2p_dst_mac,
        }
    }

    /// networkProtocol of the transport (IEEE 1588-2019 Table 4: 1 UDP/IPv4, 2 UDP/IPv6,
    /// 3 IEEE 802.3).
    pub fn network_protocol(&self) -> u16 {
        match self.network_transport {
            NetworkTransport::UdpV4 => PortAddress::UDP_IPV4,
            NetworkTransport::UdpV6 => PortAddress::UDP_IPV6,
            NetworkTransport::L2 => PortAddress::IEEE_802_3,
        }
    }
}

impl Default for PortSettings {
    /// ptp4l's defaults.
    fn default() -> Self {
        Self::from_options("port", &GlobalOptions::default(), &PortOptions::default())
    }
}

impl PortSettings {
    fn from_options(name: &str, g: &GlobalOptions, o: &PortOptions) -> Self {
        Self {
            name: name.to_owned(),
            transport: PortTransport::from_options(g, o),
            delay_mechanism: match o.delay_mechanism {
                ConfigDelay::P2P => DelayMechanism::P2P,
                _ => DelayMechanism::E2E,
            },
            log_announce_interval: o.log_announce_interval,
            announce_receipt_timeout: o.announce_receipt_timeout,
            log_sync_interval: o.log_sync_interval,
            log_min_delay_req_interval: o.log_min_delay_req_interval,
            log_min_pdelay_req_interval: o.log_min_pdelay_req_interval,
            delay_request_variability: o.delay_request_variability.clamp(0.0, 1.0),
            delay_asymmetry: o.delay_asymmetry,
            ingress_latency: o.ingress_latency,
            egress_latency: o.egress_latency,
            master_only: o.master_only,
            local_priority: o.g8275_port_local_priority,
            fault_reset_interval: match o.fault_reset_interval {
                FaultResetInterval::Asap => None,
                FaultResetInterval::Log(l) => Some(l),
            },
            delay_filter_median: o.delay_filter == DelayFilter::MovingMedian,
            delay_filter_length: usize::try_from(o.delay_filter_length)
                .unwrap_or(1)
                .clamp(1, MAX_DELAY_FILTER_LENGTH),
            neighbor_prop_delay_thresh: o.neighbor_prop_delay_thresh,
            raw_delay: o.tsproc_mode == TsprocMode::Raw,
            ignore_transport_specific: o.ignore_transport_specific,
            path_trace_enabled: o.path_trace_enabled,
            unicast_peers: Vec::new(),
            physical_address: Vec::new(),
            protocol_address: Vec::new(),
        }
    }
}

/// The longest delay filter the engine keeps (ptp4l accepts any length; longer is averaged
/// over this many).
pub const MAX_DELAY_FILTER_LENGTH: usize = 1024;

impl InstanceSettings {
    /// Settings from a parsed configuration. `clock_identity` is used when the configuration
    /// leaves clockIdentity unset (ptp4l derives it from the first port's MAC address).
    pub fn from_config(
        config: &Ptp4lConfig,
        clock_identity: ClockIdentity,
    ) -> Result<Self, SettingsError> {
        let g = &config.global;
        unsupported_values(config)?;
        if config.ports.is_empty() {
            return Err(SettingsError::NoPorts);
        }
        if config.ports.len() > 0xfffe {
            return Err(SettingsError::TooManyPorts(config.ports.len()));
        }
        let clock_identity = if g.clock_identity.is_unset() {
            clock_identity
        } else {
            ClockIdentity(g.clock_identity.0)
        };
        let ports: Vec<PortSettings> = config
            .ports
            .iter()
            .map(|p| {
                let mut settings = PortSettings::from_options(&p.name, g, &p.options);
                let table_id = p.options.unicast_master_table;
                if let Some(table) = config
                    .unicast_master_tables
                    .iter()
                    .find(|t| table_id != 0 && t.table_id == table_id)
                {
                    settings.unicast_peers = table.masters.clone();
                }
                settings
            })
            .collect();
        let sync_interval = ports
            .first()
            .map_or(Duration::from_secs(1), |p| p.log_sync_interval.duration());
        Ok(Self {
            clock_identity,
            clock_quality: ClockQuality {
                clock_class: if g.slave_only { 255 } else { g.clock_class },
                clock_accuracy: ClockAccuracy(g.clock_accuracy),
                offset_scaled_log_variance: g.offset_scaled_log_variance,
            },
            priority_1: g.priority1,
            priority_2: g.priority2,
            domain_number: g.domain_number,
            slave_only: g.slave_only,
            major_sdo_id: config.port_defaults.transport_specific & 0x0f,
            minor_version_ptp: g.ptp_minor_version,
            dataset_comparison: g.dataset_comparison,
            local_priority: g.g8275_default_local_priority,
            max_steps_removed: g.max_steps_removed,
            time_properties: time_properties(g),
            servo: servo_kind(g.clock_servo)?,
            servo_config: servo_config(g, sync_interval),
            free_running: g.free_running,
            time_stamping: timestamping_mode(g.time_stamping),
            description: ClockDescriptionTexts {
                manufacturer_identity: g.manufacturer_identity.0,
                product_description: g.product_description.clone(),
                revision_data: g.revision_data.clone(),
                user_description: g.user_description.clone(),
            },
            seed: u64::from_be_bytes(clock_identity.0),
            ports,
        })
    }
}

impl InstanceSettings {
    /// Whether the local clock keeps UTC, as ptp4l's does with software time stamping (it is
    /// then CLOCK_REALTIME, or our virtual clock over it): a master on the PTP timescale
    /// (TAI) is followed the UTC offset behind. With hardware time stamping the PHC keeps the
    /// PTP timescale and no offset applies.
    pub fn utc_timescale(&self) -> bool {
        self.time_stamping == TimestampingMode::Software
    }
}

/// The time stamping mode `time_stamping` names: `software`, or one of the hardware modes
/// (the runtime refuses the ones it cannot open yet).
fn timestamping_mode(t: TimeStamping) -> TimestampingMode {
    if t == TimeStamping::Software {
        TimestampingMode::Software
    } else {
        TimestampingMode::Hardware
    }
}

/// What ptp4l announces as grandmaster before anyone changes it: the configured UTC offset
/// (not flagged valid) and time source; the PTP timescale with hardware time stamping, the
/// UTC timescale (an arbitrary one, IEEE 1588 7.2.1) with software time stamping.
fn time_properties(g: &GlobalOptions) -> TimePropertiesDs {
    TimePropertiesDs {
        current_utc_offset: i16::try_from(g.utc_offset).unwrap_or(i16::MAX),
        current_utc_offset_valid: false,
        leap59: false,
        leap61: false,
        time_traceable: false,
        frequency_traceable: false,
        ptp_timescale: g.time_stamping != TimeStamping::Software,
        time_source: TimeSource(g.time_source),
    }
}

/// The servo `clock_servo` names.
fn servo_kind(servo: ClockServo) -> Result<ServoKind, SettingsError> {
    match servo {
        ClockServo::Kalman => Ok(ServoKind::Kalman),
        ClockServo::Pi => Ok(ServoKind::Pi),
        ClockServo::Linreg => Ok(ServoKind::Linreg),
        ClockServo::Statime => Ok(ServoKind::Statime),
        other => Err(SettingsError::Unsupported {
            option: "clock_servo",
            value: other.to_string(),
        }),
    }
}

/// The servo's tuning from the configuration.
pub fn servo_config(g: &GlobalOptions, sync_interval: Duration) -> ServoConfig {
    ServoConfig {
        pi_proportional_const: g.pi_proportional_const,
        pi_integral_const: g.pi_integral_const,
        pi_proportional_scale: g.pi_proportional_scale,
        pi_proportional_exponent: g.pi_proportional_exponent,
        pi_proportional_norm_max: g.pi_proportional_norm_max,
        pi_integral_scale: g.pi_integral_scale,
        pi_integral_exponent: g.pi_integral_exponent,
        pi_integral_norm_max: g.pi_integral_norm_max,
        step_threshold: g.step_threshold,
        first_step_threshold: g.first_step_threshold,
        max_frequency: g.max_frequency,
        servo_offset_threshold: g.servo_offset_threshold,
        servo_num_offset_values: g.servo_num_offset_values,
        time_stamping: timestamping_mode(g.time_stamping),
        sync_interval,
        ..ServoConfig::default()
    }
}

/// Refuses values the engine cannot run (the configuration layer lists them too, as
/// "not implemented yet"; here they stop the instance instead of running it wrongly).
fn unsupported_values(config: &Ptp4lConfig) -> Result<(), SettingsError> {
    let g = &config.global;
    let unsupported = |option: &'static str, value: &dyn core::fmt::Display| {
        Err(SettingsError::Unsupported {
            option,
            value: value.to_string(),
        })
    };
    if matches!(g.clock_type, ClockType::P2pTc | ClockType::E2eTc) {
        return unsupported("clock_type", &g.clock_type);
    }
    for p in &config.ports {
        if !matches!(
            p.options.delay_mechanism,
            ConfigDelay::E2E | ConfigDelay::P2P
        ) {
            return unsupported("delay_mechanism", &p.options.delay_mechanism);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ptp4l_conf;

    #[test]
    fn port_transport_and_time_stamping_come_from_the_configuration() {
        let text = "[global]\ntime_stamping software\ndscp_event 46\ndscp_general 34\n\
                    socket_priority 5\nudp_ttl 3\n\
                    [eth0]\nnetwork_transport UDPv6\nudp6_scope 0x02\n\
                    [eth1]\nnetwork_transport L2\nptp_dst_mac 01:80:C2:00:00:0E\n\
                    p2p_dst_mac 01:80:C2:00:00:0F\n";
        let config = parse_ptp4l_conf(text).unwrap().config;
        let s = InstanceSettings::from_config(&config, ClockIdentity([1; 8])).unwrap();
        assert_eq!(s.time_stamping, TimestampingMode::Software);
        assert!(s.utc_timescale());
        let [eth0, eth1] = [&s.ports[0], &s.ports[1]];
        assert_eq!(eth0.name, "eth0");
        assert_eq!(
            eth0.transport,
            PortTransport {
                network_transport: NetworkTransport::UdpV6,
                udp6_scope: 2,
                udp_ttl: 3,
                dscp_event: 46,
                dscp_general: 34,
                socket_priority: 5,
                ptp_dst_mac: MacAddress([0x01, 0x1b, 0x19, 0, 0, 0]),
                p2p_dst_mac: MacAddress([0x01, 0x80, 0xc2, 0, 0, 0x0e]),
            }
        );
        assert_eq!(eth0.transport.network_protocol(), PortAddress::UDP_IPV6);
        assert_eq!(eth1.transport.network_transport, NetworkTransport::L2);
        assert_eq!(eth1.transport.udp6_scope, 0x0e);
        assert_eq!(
            eth1.transport.ptp_dst_mac,
            MacAddress([0x01, 0x80, 0xc2, 0, 0, 0x0e])
        );
        assert_eq!(
            eth1.transport.p2p_dst_mac,
            MacAddress([0x01, 0x80, 0xc2, 0, 0, 0x0f])
        );

        let hardware = parse_ptp4l_conf("[eth0]\n").unwrap().config;
        let s = InstanceSettings::from_config(&hardware, ClockIdentity([1; 8])).unwrap();
        assert_eq!(s.time_stamping, TimestampingMode::Hardware);
        assert!(!s.utc_timescale());
    }
}
