//! `[unicast_master_table]` sections: the masters a unicast client asks for service
//! (IEEE 1588-2019 16.1, unicast negotiation), as linuxptp configures them.
//!
//! A section holds `table_id N` (first, N ≥ 1, unique), optionally `logQueryInterval N` and
//! `peer_address ADDR` (the peer of unicast P2P), and any number of `L2|UDPv4|UDPv6 ADDRESS`
//! entries. A port uses a table with `unicast_master_table N`. linuxptp silently takes an
//! unknown transport word for a Unix socket path; we reject it.

use core::fmt;
use core::net::{Ipv4Addr, Ipv6Addr};

use super::enums::NetworkTransport;
use super::error::ErrorKind;
use super::value::MacAddress;
use crate::time::LogInterval;

/// The address of a unicast master.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnicastAddress {
    /// An Ethernet address (L2 transport).
    L2(MacAddress),
    /// An IPv4 address (UDPv4 transport).
    UdpV4(Ipv4Addr),
    /// An IPv6 address (UDPv6 transport).
    UdpV6(Ipv6Addr),
}

impl UnicastAddress {
    /// Reads an address of the given transport.
    pub fn parse(transport: NetworkTransport, text: &str) -> Option<Self> {
        match transport {
            NetworkTransport::L2 => MacAddress::parse_text(text).map(Self::L2),
            NetworkTransport::UdpV4 => text.parse().ok().map(Self::UdpV4),
            NetworkTransport::UdpV6 => text.parse().ok().map(Self::UdpV6),
        }
    }

    /// The transport this address belongs to.
    pub fn transport(&self) -> NetworkTransport {
        match self {
            Self::L2(_) => NetworkTransport::L2,
            Self::UdpV4(_) => NetworkTransport::UdpV4,
            Self::UdpV6(_) => NetworkTransport::UdpV6,
        }
    }
}

impl fmt::Display for UnicastAddress {
    /// As a master table line: `UDPv4 10.0.0.1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::L2(m) => write!(f, "L2 {m}"),
            Self::UdpV4(a) => write!(f, "UDPv4 {a}"),
            Self::UdpV6(a) => write!(f, "UDPv6 {a}"),
        }
    }
}

/// One `[unicast_master_table]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnicastMasterTable {
    /// `table_id`, at least 1.
    pub table_id: u32,
    /// `logQueryInterval`: log2 seconds between unicast requests (default 0).
    pub log_query_interval: LogInterval,
    /// `peer_address`: the peer for unicast P2P, in the using port's transport.
    pub peer_address: Option<String>,
    /// The masters, in file order.
    pub masters: Vec<UnicastAddress>,
}

impl UnicastMasterTable {
    /// An empty table with this id.
    pub fn new(table_id: u32) -> Self {
        Self {
            table_id,
            log_query_interval: LogInterval(0),
            peer_address: None,
            masters: Vec::new(),
        }
    }
}

/// What one line of a master table section says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TableLine {
    /// `table_id N`: start a new table.
    TableId(u32),
    /// `logQueryInterval N`.
    QueryInterval(LogInterval),
    /// `peer_address ADDR`.
    Peer(String),
    /// `<transport> <address>`.
    Master(UnicastAddress),
}

/// Reads one line of a `[unicast_master_table]` section.
pub(crate) fn parse_table_line(line: &str) -> Result<TableLine, ErrorKind> {
    let mut words = line.split_whitespace();
    let (Some(first), Some(second), None) = (words.next(), words.next(), words.next()) else {
        return Err(ErrorKind::BadMasterTableLine);
    };
    match first {
        "table_id" => match second.parse::<i64>() {
            Ok(id) if id >= 1 => u32::try_from(id)
                .ok()
                .filter(|&v| i64::from(v) <= i64::from(i32::MAX))
                .map(TableLine::TableId)
                .ok_or_else(|| ErrorKind::TableIdOutOfRange(second.to_owned())),
            Ok(_) => Err(ErrorKind::TableIdOutOfRange(second.to_owned())),
            Err(_) => Err(ErrorKind::BadMasterTableLine),
        },
        "logQueryInterval" => second
            .parse::<i8>()
            .map(|v| TableLine::QueryInterval(LogInterval(v)))
            .map_err(|_| ErrorKind::BadQueryInterval(second.to_owned())),
        "peer_address" => Ok(TableLine::Peer(second.to_owned())),
        transport => {
            let t = NetworkTransport::from_label(transport)
                .ok_or_else(|| ErrorKind::UnknownTransport(transport.to_owned()))?;
            UnicastAddress::parse(t, second)
                .map(TableLine::Master)
                .ok_or_else(|| ErrorKind::BadAddress {
                    transport: t.label().to_owned(),
                    address: second.to_owned(),
                })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lines() {
        assert_eq!(parse_table_line("table_id 1"), Ok(TableLine::TableId(1)));
        assert_eq!(
            parse_table_line("table_id 0"),
            Err(ErrorKind::TableIdOutOfRange("0".into()))
        );
        assert_eq!(
            parse_table_line("logQueryInterval 2"),
            Ok(TableLine::QueryInterval(LogInterval(2)))
        );
        assert_eq!(
            parse_table_line("udpv4 10.0.0.1"),
            Ok(TableLine::Master(UnicastAddress::UdpV4(Ipv4Addr::new(
                10, 0, 0, 1
            ))))
        );
        assert_eq!(
            parse_table_line("L2 00:11:22:33:44:55").map(|l| match l {
                TableLine::Master(a) => a.to_string(),
                _ => String::new(),
            }),
            Ok("L2 00:11:22:33:44:55".into())
        );
        assert_eq!(
            parse_table_line("UDPv4 10.0.0"),
            Err(ErrorKind::BadAddress {
                transport: "UDPv4".into(),
                address: "10.0.0".into()
            })
        );
        assert_eq!(
            parse_table_line("UDS /tmp/x"),
            Err(ErrorKind::UnknownTransport("UDS".into()))
        );
        assert_eq!(
            parse_table_line("UDPv4"),
            Err(ErrorKind::BadMasterTableLine)
        );
    }
}
