//! Opening the sockets of a port: the socket options of each transport (UDPv4, UDPv6,
//! IEEE 802.3), multicast membership and `SO_TIMESTAMPING`.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd};

use libc::c_int;
use ptp_core::config::value::MacAddress;

use super::addr::SockAddr;
use super::ptp_socket::{PortSockets, PtpSocket};
use super::{
    enable_hardware_timestamping, ipv6_primary, MessageClass, PortConfig, TimestampMode, Transport,
    ETHERTYPE_PTP, IPV4_PEER_DELAY, IPV4_PRIMARY, IPV6_PEER_DELAY,
};
use crate::abi::SoTimestamping;
use crate::{sys, SocketError};

struct Setup<'a> {
    interface: &'a str,
}

impl Setup<'_> {
    fn err(&self, op: &'static str) -> impl FnOnce(io::Error) -> SocketError + '_ {
        move |source| SocketError::Setup {
            op,
            interface: self.interface.to_owned(),
            source,
        }
    }

    fn opt<T>(
        &self,
        fd: BorrowedFd<'_>,
        level: c_int,
        name: c_int,
        value: &T,
        op: &'static str,
    ) -> Result<(), SocketError> {
        sys::setsockopt(fd, level, name, value).map_err(self.err(op))
    }
}

impl PortSockets {
    /// Opens the event and general sockets of a port, bound to `config.interface`.
    ///
    /// With hardware time stamping this first enables it in the driver
    /// ([`enable_hardware_timestamping`]); software time stamping leaves the driver alone.
    pub fn open(config: &PortConfig) -> Result<Self, SocketError> {
        let setup = Setup {
            interface: &config.interface,
        };
        let ifindex = sys::interface_index(&config.interface).map_err(|source| {
            SocketError::NoSuchInterface {
                interface: config.interface.clone(),
                source,
            }
        })?;
        if config.timestamping == TimestampMode::Hardware {
            enable_hardware_timestamping(&config.interface)?;
        }
        let (event, general) = match config.transport {
            Transport::UdpIpv4 | Transport::UdpIpv6 => (
                open_udp(&setup, config, ifindex, MessageClass::Event)?,
                open_udp(&setup, config, ifindex, MessageClass::General)?,
            ),
            Transport::Ieee8023 => (
                open_l2(&setup, config, ifindex, MessageClass::Event)?,
                open_l2(&setup, config, ifindex, MessageClass::General)?,
            ),
        };
        tracing::debug!(interface = %config.interface, transport = ?config.transport, "opened port sockets");
        Ok(Self { event, general })
    }
}

fn so_timestamping_flags(mode: TimestampMode) -> c_int {
    let common = libc::SOF_TIMESTAMPING_OPT_ID | libc::SOF_TIMESTAMPING_OPT_TSONLY;
    let flags = match mode {
        TimestampMode::Software => {
            libc::SOF_TIMESTAMPING_TX_SOFTWARE
                | libc::SOF_TIMESTAMPING_RX_SOFTWARE
                | libc::SOF_TIMESTAMPING_SOFTWARE
        }
        TimestampMode::Hardware => {
            libc::SOF_TIMESTAMPING_TX_HARDWARE
                | libc::SOF_TIMESTAMPING_RX_HARDWARE
                | libc::SOF_TIMESTAMPING_RAW_HARDWARE
        }
    };
    // All flags are below bit 16.
    (flags | common) as c_int
}

fn bind(setup: &Setup<'_>, fd: BorrowedFd<'_>, addr: &SockAddr) -> Result<(), SocketError> {
    let (ptr, len) = addr.as_raw();
    // SAFETY: `ptr` points to a live socket address of `len` bytes that outlives the call.
    sys::cvt(unsafe { libc::bind(fd.as_raw_fd(), ptr, len) }).map_err(setup.err("bind"))?;
    Ok(())
}

fn enable_timestamping(
    setup: &Setup<'_>,
    fd: BorrowedFd<'_>,
    mode: TimestampMode,
) -> Result<(), SocketError> {
    let value = SoTimestamping {
        flags: so_timestamping_flags(mode),
        bind_phc: 0,
    };
    setup.opt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_TIMESTAMPING,
        &value,
        "setsockopt(SO_TIMESTAMPING)",
    )
}

/// Sets `SO_PRIORITY` when `socket_priority` asks for it (ptp4l leaves 0 alone).
fn set_priority(setup: &Setup<'_>, fd: BorrowedFd<'_>, priority: u8) -> Result<(), SocketError> {
    if priority == 0 {
        return Ok(());
    }
    setup.opt(
        fd,
        libc::SOL_SOCKET,
        libc::SO_PRIORITY,
        &c_int::from(priority),
        "setsockopt(SO_PRIORITY)",
    )
}

fn open_udp(
    setup: &Setup<'_>,
    config: &PortConfig,
    ifindex: u32,
    class: MessageClass,
) -> Result<PtpSocket, SocketError> {
    let v6 = config.transport == Transport::UdpIpv6;
    let domain = if v6 { libc::AF_INET6 } else { libc::AF_INET };
    let fd = sys::socket(domain, libc::SOCK_DGRAM | libc::SOCK_NONBLOCK, 0)
        .map_err(setup.err("socket"))?;
    let b = fd.as_fd();
    let one: c_int = 1;
    let zero: c_int = 0;
    let (port, dscp) = match class {
        MessageClass::Event => (config.event_port, config.dscp_event),
        MessageClass::General => (config.general_port, config.dscp_general),
    };
    let tos = c_int::from(dscp & 0x3f) << 2;
    let ttl = c_int::from(config.multicast_ttl);
    let ifname = sys::interface_name(&config.interface).map_err(setup.err("SO_BINDTODEVICE"))?;
    set_priority(setup, b, config.socket_priority)?;
    setup.opt(
        b,
        libc::SOL_SOCKET,
        libc::SO_REUSEADDR,
        &one,
        "setsockopt(SO_REUSEADDR)",
    )?;
    setup.opt(
        b,
        libc::SOL_SOCKET,
        libc::SO_BINDTODEVICE,
        &ifname,
        "setsockopt(SO_BINDTODEVICE)",
    )?;
    let ifindex_c = c_int::try_from(ifindex)
        .map_err(|_| setup.err("if_nametoindex")(io::Error::from_raw_os_error(libc::ENODEV)))?;
    let (primary, peer_delay) = if v6 {
        setup.opt(
            b,
            libc::IPPROTO_IPV6,
            libc::IPV6_V6ONLY,
            &one,
            "setsockopt(IPV6_V6ONLY)",
        )?;
        bind(
            setup,
            b,
            &SockAddr::ip(IpAddr::V6(Ipv6Addr::UNSPECIFIED), port, 0),
        )?;
        let primary_group = ipv6_primary(config.udp6_scope);
        for group in [primary_group, IPV6_PEER_DELAY] {
            let mreq = libc::ipv6_mreq {
                ipv6mr_multiaddr: libc::in6_addr {
                    s6_addr: group.octets(),
                },
                ipv6mr_interface: ifindex,
            };
            setup.opt(
                b,
                libc::IPPROTO_IPV6,
                libc::IPV6_ADD_MEMBERSHIP,
                &mreq,
                "setsockopt(IPV6_ADD_MEMBERSHIP)",
            )?;
        }
        setup.opt(
            b,
            libc::IPPROTO_IPV6,
            libc::IPV6_MULTICAST_IF,
            &ifindex_c,
            "setsockopt(IPV6_MULTICAST_IF)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IPV6,
            libc::IPV6_MULTICAST_HOPS,
            &ttl,
            "setsockopt(IPV6_MULTICAST_HOPS)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IPV6,
            libc::IPV6_MULTICAST_LOOP,
            &zero,
            "setsockopt(IPV6_MULTICAST_LOOP)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IPV6,
            libc::IPV6_TCLASS,
            &tos,
            "setsockopt(IPV6_TCLASS)",
        )?;
        (
            SockAddr::ip(IpAddr::V6(primary_group), port, ifindex),
            SockAddr::ip(IpAddr::V6(IPV6_PEER_DELAY), port, ifindex),
        )
    } else {
        bind(
            setup,
            b,
            &SockAddr::ip(IpAddr::V4(Ipv4Addr::UNSPECIFIED), port, 0),
        )?;
        let mreqn = |group: Ipv4Addr| libc::ip_mreqn {
            imr_multiaddr: libc::in_addr {
                s_addr: u32::from(group).to_be(),
            },
            imr_address: libc::in_addr { s_addr: 0 },
            imr_ifindex: ifindex_c,
        };
        for group in [IPV4_PRIMARY, IPV4_PEER_DELAY] {
            setup.opt(
                b,
                libc::IPPROTO_IP,
                libc::IP_ADD_MEMBERSHIP,
                &mreqn(group),
                "setsockopt(IP_ADD_MEMBERSHIP)",
            )?;
        }
        let any = mreqn(Ipv4Addr::UNSPECIFIED);
        setup.opt(
            b,
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_IF,
            &any,
            "setsockopt(IP_MULTICAST_IF)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_TTL,
            &ttl,
            "setsockopt(IP_MULTICAST_TTL)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IP,
            libc::IP_MULTICAST_LOOP,
            &zero,
            "setsockopt(IP_MULTICAST_LOOP)",
        )?;
        setup.opt(
            b,
            libc::IPPROTO_IP,
            libc::IP_TOS,
            &tos,
            "setsockopt(IP_TOS)",
        )?;
        (
            SockAddr::ip(IpAddr::V4(IPV4_PRIMARY), port, 0),
            SockAddr::ip(IpAddr::V4(IPV4_PEER_DELAY), port, 0),
        )
    };
    let timestamping = (class == MessageClass::Event).then_some(config.timestamping);
    if let Some(mode) = timestamping {
        enable_timestamping(setup, b, mode)?;
    }
    Ok(PtpSocket {
        fd,
        class,
        timestamping,
        port,
        ifindex,
        primary,
        peer_delay,
        next_id: 0,
    })
}

/// The event socket is bound to ethertype 0x88F7 and receives every PTP frame; the general
/// socket is bound to protocol 0, which receives nothing, and only sends.
fn open_l2(
    setup: &Setup<'_>,
    config: &PortConfig,
    ifindex: u32,
    class: MessageClass,
) -> Result<PtpSocket, SocketError> {
    let receives = class == MessageClass::Event;
    let protocol = if receives { ETHERTYPE_PTP } else { 0 };
    let fd = sys::socket(
        libc::AF_PACKET,
        libc::SOCK_DGRAM | libc::SOCK_NONBLOCK,
        c_int::from(protocol.to_be()),
    )
    .map_err(setup.err("socket(AF_PACKET)"))?;
    let b = fd.as_fd();
    let ifindex_c = c_int::try_from(ifindex)
        .map_err(|_| setup.err("if_nametoindex")(io::Error::from_raw_os_error(libc::ENODEV)))?;
    bind(
        setup,
        b,
        &SockAddr::link(ifindex_c, protocol, MacAddress([0; 6])),
    )?;
    if receives {
        for mac in [config.ptp_dst_mac, config.p2p_dst_mac] {
            let mut address = [0u8; 8];
            for (d, s) in address.iter_mut().zip(mac.0) {
                *d = s;
            }
            let mreq = libc::packet_mreq {
                mr_ifindex: ifindex_c,
                mr_type: libc::PACKET_MR_MULTICAST as u16,
                mr_alen: 6,
                mr_address: address,
            };
            setup.opt(
                b,
                libc::SOL_PACKET,
                libc::PACKET_ADD_MEMBERSHIP,
                &mreq,
                "setsockopt(PACKET_ADD_MEMBERSHIP)",
            )?;
        }
    }
    set_priority(setup, b, config.socket_priority)?;
    let timestamping = receives.then_some(config.timestamping);
    if let Some(mode) = timestamping {
        enable_timestamping(setup, b, mode)?;
    }
    Ok(PtpSocket {
        fd,
        class,
        timestamping,
        port: 0,
        ifindex,
        primary: SockAddr::link(ifindex_c, ETHERTYPE_PTP, config.ptp_dst_mac),
        peer_delay: SockAddr::link(ifindex_c, ETHERTYPE_PTP, config.p2p_dst_mac),
        next_id: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_interface() {
        let err =
            PortSockets::open(&PortConfig::new("phc-test-none0", Transport::UdpIpv4)).unwrap_err();
        assert!(
            matches!(err, SocketError::NoSuchInterface { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn timestamping_flags() {
        let sw = so_timestamping_flags(TimestampMode::Software) as u32;
        assert_eq!(sw & libc::SOF_TIMESTAMPING_RAW_HARDWARE, 0);
        assert_ne!(sw & libc::SOF_TIMESTAMPING_OPT_ID, 0);
        let hw = so_timestamping_flags(TimestampMode::Hardware) as u32;
        assert_eq!(hw & libc::SOF_TIMESTAMPING_SOFTWARE, 0);
        assert_ne!(hw & libc::SOF_TIMESTAMPING_TX_HARDWARE, 0);
    }
}
