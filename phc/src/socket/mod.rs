//! Time-stamping sockets for the three PTP transports: UDP over IPv4 (IEEE 1588-2019 annex C),
//! UDP over IPv6 (annex D) and IEEE 802.3 Ethernet (annex E).
//!
//! The shape is linuxptp's `transport.h`: a port has an event socket (time stamped, UDP port
//! 319) and a general socket (port 320). [`PortSockets::open`] opens both for a
//! [`PortConfig`]. Every socket is non-blocking; [`PtpSocket::recv`] and
//! [`PtpSocket::recv_tx_timestamp`] return `Ok(None)` when there is nothing to read, and the
//! caller waits for readiness on the descriptor ([`std::os::fd::AsFd`]; transmit time stamps
//! arrive on the error queue, which polls as `POLLERR`) with its own timeout, for instance
//! through tokio's `AsyncFd`.
//!
//! Transmit time stamps are matched to sends with `SOF_TIMESTAMPING_OPT_ID`: [`PtpSocket::send`]
//! returns the [`TxId`] the kernel will report with the stamp.
//!
//! Nothing on the send and receive paths allocates: addresses are built on the stack and
//! payloads go straight to and from the caller's buffers.
//!
//! On the IEEE 802.3 transport both classes of message arrive on the event socket (one
//! `AF_PACKET` socket bound to ethertype 0x88F7); the general socket only sends.

mod addr;
mod cmsg;
mod hwtstamp;
mod open;
mod ptp_socket;

#[cfg(test)]
pub(crate) use cmsg::CMSG_HEADER as CMSG_HEADER_FOR_TEST;
pub use hwtstamp::{enable_hardware_timestamping, RxFilter};
pub use ptp_socket::{PortSockets, PtpSocket, Received, TxId, TxTimestamp};

use std::net::{Ipv4Addr, Ipv6Addr};

use ptp_core::config::value::MacAddress;
use ptp_core::engine::PeerAddress;

/// The IPv4 and IPv6 addresses of `interface`, in the order the kernel lists them (what
/// ptp4l takes the first of, per family, as a port's protocol address).
pub fn interface_addresses(interface: &str) -> std::io::Result<Vec<std::net::IpAddr>> {
    crate::sys::interface_addresses(interface)
}

/// The network transport of a port (linuxptp's `network_transport`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// UDP over IPv4 (`UDPv4`), IEEE 1588-2019 annex C.
    UdpIpv4,
    /// UDP over IPv6 (`UDPv6`), IEEE 1588-2019 annex D.
    UdpIpv6,
    /// Ethernet, ethertype 0x88F7 (`L2`), IEEE 1588-2019 annex E.
    Ieee8023,
}

/// Where time stamps come from (linuxptp's `time_stamping`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimestampMode {
    /// Kernel software stamps in `CLOCK_REALTIME`.
    Software,
    /// The NIC's stamps in its PHC's time; needs `SIOCSHWTSTAMP`.
    Hardware,
}

/// The two classes of PTP message (IEEE 1588-2019 6.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageClass {
    /// Sync, Delay_Req, Pdelay_Req, Pdelay_Resp: time stamped, UDP port 319.
    Event,
    /// Everything else: UDP port 320.
    General,
}

/// Where to send a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Destination {
    /// The multicast address for all messages except peer delay ones: 224.0.1.129,
    /// FF0X::181 or 01-1B-19-00-00-00 (IEEE 1588-2019 C.3, D.3, E.3).
    Primary,
    /// The link-local multicast address of the peer delay mechanism: 224.0.0.107, FF02::6B or
    /// 01-80-C2-00-00-0E.
    PeerDelay,
    /// One node (unicast); its UDP port follows from the socket's message class.
    Unicast(PeerAddress),
}

/// IPv4 primary multicast group (IEEE 1588-2019 C.3).
pub const IPV4_PRIMARY: Ipv4Addr = Ipv4Addr::new(224, 0, 1, 129);
/// IPv4 peer delay multicast group.
pub const IPV4_PEER_DELAY: Ipv4Addr = Ipv4Addr::new(224, 0, 0, 107);
/// IPv6 peer delay multicast group (FF02::6B).
pub const IPV6_PEER_DELAY: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 0x6b);
/// Ethernet primary multicast address.
pub const MAC_PRIMARY: MacAddress = MacAddress([0x01, 0x1b, 0x19, 0x00, 0x00, 0x00]);
/// Ethernet peer delay multicast address.
pub const MAC_PEER_DELAY: MacAddress = MacAddress([0x01, 0x80, 0xc2, 0x00, 0x00, 0x0e]);
/// The PTP ethertype.
pub const ETHERTYPE_PTP: u16 = 0x88f7;

/// The IPv6 primary multicast group FF0X::181 for a scope X (`udp6_scope`).
pub fn ipv6_primary(scope: u8) -> Ipv6Addr {
    Ipv6Addr::new(0xff00 | u16::from(scope & 0x0f), 0, 0, 0, 0, 0, 0, 0x181)
}

/// How to open the sockets of a port. The defaults are linuxptp's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortConfig {
    /// The network interface.
    pub interface: String,
    /// The transport.
    pub transport: Transport,
    /// Hardware or software time stamps (`time_stamping`, default hardware).
    pub timestamping: TimestampMode,
    /// The scope nibble of the IPv6 primary group (`udp6_scope`, default 0x0E, global).
    pub udp6_scope: u8,
    /// Multicast TTL / hop limit (`udp_ttl`, default 1).
    pub multicast_ttl: u8,
    /// DSCP of event messages (`dscp_event`, default 0).
    pub dscp_event: u8,
    /// DSCP of general messages (`dscp_general`, default 0).
    pub dscp_general: u8,
    /// L2: where Announce, Sync, Follow_Up, Delay_Req and Delay_Resp go (`ptp_dst_mac`,
    /// default [`MAC_PRIMARY`]; G.8275.1 uses [`MAC_PEER_DELAY`], the non-forwardable one).
    pub ptp_dst_mac: MacAddress,
    /// L2: where peer-delay messages go (`p2p_dst_mac`, default [`MAC_PEER_DELAY`]).
    pub p2p_dst_mac: MacAddress,
    /// `SO_PRIORITY` of every socket (`socket_priority`, 0 to 15; default 0: left alone), for
    /// steering PTP into a traffic class.
    pub socket_priority: u8,
    /// UDP port of event messages (319).
    pub event_port: u16,
    /// UDP port of general messages (320).
    pub general_port: u16,
}

impl PortConfig {
    /// linuxptp's defaults for `interface` and `transport`.
    pub fn new(interface: impl Into<String>, transport: Transport) -> Self {
        Self {
            interface: interface.into(),
            transport,
            timestamping: TimestampMode::Hardware,
            udp6_scope: 0x0e,
            multicast_ttl: 1,
            dscp_event: 0,
            dscp_general: 0,
            socket_priority: 0,
            ptp_dst_mac: MAC_PRIMARY,
            p2p_dst_mac: MAC_PEER_DELAY,
            event_port: 319,
            general_port: 320,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_primary_group_carries_the_scope() {
        assert_eq!(ipv6_primary(0x0e), "ff0e::181".parse::<Ipv6Addr>().unwrap());
        assert_eq!(ipv6_primary(0x02), "ff02::181".parse::<Ipv6Addr>().unwrap());
        assert_eq!(ipv6_primary(0xf5), "ff05::181".parse::<Ipv6Addr>().unwrap());
    }
}
