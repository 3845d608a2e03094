//! Socket addresses: the kernel's `sockaddr_in`, `sockaddr_in6` and `sockaddr_ll`, built
//! from the engine's [`PeerAddress`] and parsed back into it from raw bytes.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use ptp_core::config::value::MacAddress;
use ptp_core::engine::PeerAddress;

/// A kernel socket address, ready for `bind`/`sendto`.
#[derive(Clone, Copy)]
pub(crate) enum SockAddr {
    V4(libc::sockaddr_in),
    V6(libc::sockaddr_in6),
    Link(libc::sockaddr_ll),
}

impl std::fmt::Debug for SockAddr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.peer() {
            Some(p) => write!(f, "{p:?}"),
            None => f.write_str("SockAddr(?)"),
        }
    }
}

const SOCKADDR_IN6_SIZE: usize = std::mem::size_of::<libc::sockaddr_in6>();

impl SockAddr {
    pub(crate) fn ip(ip: IpAddr, port: u16, scope_id: u32) -> Self {
        match ip {
            IpAddr::V4(a) => Self::V4(libc::sockaddr_in {
                sin_family: libc::AF_INET as libc::sa_family_t,
                sin_port: port.to_be(),
                sin_addr: libc::in_addr {
                    s_addr: u32::from(a).to_be(),
                },
                sin_zero: [0; 8],
            }),
            IpAddr::V6(a) => Self::V6(libc::sockaddr_in6 {
                sin6_family: libc::AF_INET6 as libc::sa_family_t,
                sin6_port: port.to_be(),
                sin6_flowinfo: 0,
                sin6_addr: libc::in6_addr {
                    s6_addr: a.octets(),
                },
                sin6_scope_id: scope_id,
            }),
        }
    }

    /// A link-layer address for `AF_PACKET`; `mac` may be all zero for `bind`.
    pub(crate) fn link(ifindex: i32, protocol: u16, mac: MacAddress) -> Self {
        let mut addr = [0u8; 8];
        for (d, s) in addr.iter_mut().zip(mac.0) {
            *d = s;
        }
        Self::Link(libc::sockaddr_ll {
            sll_family: libc::AF_PACKET as u16,
            sll_protocol: protocol.to_be(),
            sll_ifindex: ifindex,
            sll_hatype: 0,
            sll_pkttype: 0,
            sll_halen: 6,
            sll_addr: addr,
        })
    }

    /// A pointer to the address and its length, for `bind` and `sendto`.
    pub(crate) fn as_raw(&self) -> (*const libc::sockaddr, libc::socklen_t) {
        fn raw<T>(a: &T) -> (*const libc::sockaddr, libc::socklen_t) {
            // The sockaddr types are a few dozen bytes, far below socklen_t's range.
            (
                std::ptr::from_ref(a).cast(),
                std::mem::size_of::<T>() as libc::socklen_t,
            )
        }
        match self {
            Self::V4(a) => raw(a),
            Self::V6(a) => raw(a),
            Self::Link(a) => raw(a),
        }
    }

    /// The peer this address names.
    pub(crate) fn peer(&self) -> Option<PeerAddress> {
        match self {
            Self::V4(a) => Some(PeerAddress::UdpV4(Ipv4Addr::from(u32::from_be(
                a.sin_addr.s_addr,
            )))),
            Self::V6(a) => Some(PeerAddress::UdpV6(Ipv6Addr::from(a.sin6_addr.s6_addr))),
            Self::Link(a) => {
                let mac: [u8; 6] = a.sll_addr.get(..6)?.try_into().ok()?;
                Some(PeerAddress::L2(MacAddress(mac)))
            }
        }
    }
}

/// Room for any address `recvmsg` may return on our sockets.
pub(crate) const NAME_SPACE: usize = SOCKADDR_IN6_SIZE;

/// The sender of a received datagram from the `msg_name` bytes (`sockaddr_in` family and
/// address at 0 and 4, `sockaddr_in6` at 0 and 8, `sockaddr_ll` at 0 and 12; checked by the
/// layout test).
pub(crate) fn peer_from_name(name: &[u8]) -> Option<PeerAddress> {
    let family = i32::from(u16::from_ne_bytes(name.get(0..2)?.try_into().ok()?));
    match family {
        libc::AF_INET => {
            let a: [u8; 4] = name.get(4..8)?.try_into().ok()?;
            Some(PeerAddress::UdpV4(Ipv4Addr::from(a)))
        }
        libc::AF_INET6 => {
            let a: [u8; 16] = name.get(8..24)?.try_into().ok()?;
            Some(PeerAddress::UdpV6(Ipv6Addr::from(a)))
        }
        libc::AF_PACKET => {
            let a: [u8; 6] = name.get(12..18)?.try_into().ok()?;
            Some(PeerAddress::L2(MacAddress(a)))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(a: &SockAddr) -> Vec<u8> {
        let (_, len) = a.as_raw();
        match a {
            SockAddr::V4(s) => {
                let mut v = s.sin_family.to_ne_bytes().to_vec();
                v.extend(s.sin_port.to_ne_bytes());
                v.extend(s.sin_addr.s_addr.to_ne_bytes());
                v.resize(len as usize, 0);
                v
            }
            SockAddr::V6(s) => {
                let mut v = s.sin6_family.to_ne_bytes().to_vec();
                v.extend(s.sin6_port.to_ne_bytes());
                v.extend(s.sin6_flowinfo.to_ne_bytes());
                v.extend(s.sin6_addr.s6_addr);
                v.extend(s.sin6_scope_id.to_ne_bytes());
                v
            }
            SockAddr::Link(s) => {
                let mut v = s.sll_family.to_ne_bytes().to_vec();
                v.extend(s.sll_protocol.to_ne_bytes());
                v.extend(s.sll_ifindex.to_ne_bytes());
                v.extend(s.sll_hatype.to_ne_bytes());
                v.push(s.sll_pkttype);
                v.push(s.sll_halen);
                v.extend(s.sll_addr);
                v
            }
        }
    }

    #[test]
    fn names_parse_back_to_peers() {
        let cases = [
            SockAddr::ip("10.203.0.1".parse().unwrap(), 319, 0),
            SockAddr::ip("fd00:203::1".parse().unwrap(), 320, 7),
            SockAddr::link(3, 0x88f7, MacAddress([2, 0, 0, 0, 0, 9])),
        ];
        for a in cases {
            assert_eq!(peer_from_name(&bytes(&a)), a.peer(), "{a:?}");
            assert!(a.peer().is_some());
        }
        assert_eq!(peer_from_name(&[0xff, 0xff, 0, 0]), None);
        assert_eq!(peer_from_name(&[2]), None);
    }
}
