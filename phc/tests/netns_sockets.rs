//! Time-stamping sockets between two network namespaces joined by veth, with software time
//! stamps (veth has no PHC): one test per transport, plus the "no PHC" error paths.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::net::{Ipv4Addr, Ipv6Addr};
use std::os::fd::AsRawFd;

use phc::socket::{
    Destination, MessageClass, PortConfig, PortSockets, TimestampMode, Transport, TxId,
};
use phc::{Clock, ClockError, PhcClock, SocketError, SystemClock, TimestampingInfo};
use ptp_core::engine::PeerAddress;
use ptp_core::time::Duration;
use support::{in_netns, netns_available, poll_fd, NetnsPair};

/// Generous bound for a veth hop on a loaded 2-core machine; only a missed packet hits it.
const WAIT_MS: i32 = 5_000;

/// A PTP-sized event message: a 44-byte Sync header and body with a recognisable sequence id.
fn sync_message(sequence: u16) -> [u8; 44] {
    let mut m = [0u8; 44];
    m[0] = 0x00; // messageType Sync
    m[1] = 0x02; // versionPTP 2
    m[2..4].copy_from_slice(&44u16.to_be_bytes());
    m[30..32].copy_from_slice(&sequence.to_be_bytes());
    m
}

fn open(ns: &str, iface: &str, transport: Transport) -> PortSockets {
    let config = PortConfig {
        timestamping: TimestampMode::Software,
        ..PortConfig::new(iface, transport)
    };
    in_netns(ns, move || PortSockets::open(&config)).unwrap()
}

/// The kernel switches software receive time stamping on for all sockets through a static
/// key that it flips from a work queue after the first socket asks for it (and off again when
/// the last one closes); a packet that arrives before that carries no time stamp, on a loaded
/// machine for a while. Send until one arrives stamped (for up to 30 s) and return the next
/// transmit id.
fn warm_up(a: &mut PortSockets, b: &mut PortSockets) -> u32 {
    let mut buf = [0u8; 128];
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while std::time::Instant::now() < deadline {
        let id = a
            .event
            .send(&sync_message(1), Destination::Primary)
            .unwrap();
        let id = id.expect("a transmit id").0;
        assert_ne!(
            poll_fd(b.event.as_raw_fd(), libc::POLLIN, WAIT_MS) & libc::POLLIN,
            0,
            "no message"
        );
        let rx = b.event.recv(&mut buf).unwrap().expect("a datagram");
        assert_ne!(poll_fd(a.event.as_raw_fd(), 0, WAIT_MS) & libc::POLLERR, 0);
        assert_eq!(
            a.event.recv_tx_timestamp().unwrap().map(|t| t.id.0),
            Some(id)
        );
        if rx.timestamp.is_some() {
            return id + 1;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    panic!("no receive time stamp within 30 s")
}

fn exchange(tag: &str, transport: Transport) {
    if !netns_available(tag) {
        return;
    }
    let pair = NetnsPair::create(tag);
    let mut a = open(&pair.a, "veth-a", transport);
    let mut b = open(&pair.b, "veth-b", transport);
    let clock = SystemClock::new();
    let first = warm_up(&mut a, &mut b);

    for (sequence, expected_id) in [(7u16, TxId(first)), (8, TxId(first + 1))] {
        let msg = sync_message(sequence);
        let before = clock.now().unwrap();
        let id = a.event.send(&msg, Destination::Primary).unwrap();
        assert_eq!(id, Some(expected_id));

        assert_ne!(
            poll_fd(b.event.as_raw_fd(), libc::POLLIN, WAIT_MS) & libc::POLLIN,
            0,
            "no message"
        );
        let mut buf = [0u8; 128];
        let rx = b.event.recv(&mut buf).unwrap().expect("a datagram");
        assert_eq!(&buf[..rx.len], &msg[..]);
        let rx_time = rx.timestamp.expect("an RX time stamp");
        match (transport, rx.source) {
            (Transport::UdpIpv4, Some(PeerAddress::UdpV4(ip))) => {
                assert_eq!(ip, NetnsPair::A_V4.parse::<Ipv4Addr>().unwrap())
            }
            (Transport::UdpIpv6, Some(PeerAddress::UdpV6(ip))) => {
                assert_eq!(ip, NetnsPair::A_V6.parse::<Ipv6Addr>().unwrap())
            }
            (Transport::Ieee8023, Some(PeerAddress::L2(mac))) => {
                assert_eq!(mac.0[0] & 1, 0, "unicast source")
            }
            (t, s) => panic!("{t:?}: unexpected source {s:?}"),
        }

        assert_ne!(
            poll_fd(a.event.as_raw_fd(), 0, WAIT_MS) & libc::POLLERR,
            0,
            "no TX stamp"
        );
        let tx = a
            .event
            .recv_tx_timestamp()
            .unwrap()
            .expect("a TX time stamp");
        let after = clock.now().unwrap();
        assert_eq!(tx.id, expected_id);
        assert!(tx.time <= rx_time, "tx {:?} > rx {:?}", tx.time, rx_time);
        assert!(
            before <= tx.time && rx_time <= after,
            "{before:?} {tx:?} {rx_time:?} {after:?}"
        );
        assert!(after - before < Duration::from_secs(10));
        eprintln!(
            "{transport:?}: software TX->RX stamp over veth {}",
            rx_time - tx.time
        );
        // Nothing else is queued.
        assert_eq!(a.event.recv_tx_timestamp().unwrap(), None);
        assert_eq!(b.event.recv(&mut buf).unwrap(), None);
    }

    // General messages: no transmit stamp; on UDP they arrive on the general socket, on
    // L2 on the event socket.
    let msg = sync_message(9);
    assert_eq!(a.general.send(&msg, Destination::Primary).unwrap(), None);
    let receiver = match transport {
        Transport::Ieee8023 => &b.event,
        _ => &b.general,
    };
    assert_ne!(
        poll_fd(receiver.as_raw_fd(), libc::POLLIN, WAIT_MS) & libc::POLLIN,
        0
    );
    let mut small = [0u8; 10];
    assert!(matches!(
        receiver.recv(&mut small),
        Err(SocketError::Truncated(10))
    ));
    assert_eq!(a.general.recv_tx_timestamp().unwrap(), None);

    // Unicast back from b to a on the event socket, and the peer delay group.
    let to_a = match transport {
        Transport::UdpIpv4 => PeerAddress::UdpV4(NetnsPair::A_V4.parse().unwrap()),
        Transport::UdpIpv6 => PeerAddress::UdpV6(NetnsPair::A_V6.parse().unwrap()),
        Transport::Ieee8023 => {
            let msg = sync_message(10);
            b.socket(MessageClass::Event)
                .send(&msg, Destination::PeerDelay)
                .unwrap();
            assert_ne!(poll_fd(a.event.as_raw_fd(), libc::POLLIN, WAIT_MS), 0);
            let mut buf = [0u8; 128];
            match a.event.recv(&mut buf).unwrap().unwrap().source {
                Some(mac @ PeerAddress::L2(_)) => mac,
                other => panic!("{other:?}"),
            }
        }
    };
    let id = b
        .event
        .send(&sync_message(11), Destination::Unicast(to_a))
        .unwrap()
        .unwrap();
    assert_ne!(poll_fd(a.event.as_raw_fd(), libc::POLLIN, WAIT_MS), 0);
    let mut buf = [0u8; 128];
    let rx = a.event.recv(&mut buf).unwrap().unwrap();
    assert_eq!(buf[31], 11);
    assert!(rx.timestamp.is_some());
    assert_ne!(poll_fd(b.event.as_raw_fd(), 0, WAIT_MS) & libc::POLLERR, 0);
    // The L2 path sent one more message (the peer delay one) before.
    let mut last = b.event.recv_tx_timestamp().unwrap().unwrap();
    if last.id != id {
        assert_ne!(poll_fd(b.event.as_raw_fd(), 0, WAIT_MS) & libc::POLLERR, 0);
        last = b.event.recv_tx_timestamp().unwrap().unwrap();
    }
    assert_eq!(last.id, id);
    assert!(last.time <= rx.timestamp.unwrap());
}

#[test]
fn udpv4_software_timestamps() {
    exchange("u4", Transport::UdpIpv4);
}

#[test]
fn udpv6_software_timestamps() {
    exchange("u6", Transport::UdpIpv6);
}

#[test]
fn l2_software_timestamps() {
    exchange("l2", Transport::Ieee8023);
}

#[test]
fn veth_has_no_phc_and_refuses_hardware_timestamping() {
    if !netns_available("veth_has_no_phc") {
        return;
    }
    let pair = NetnsPair::create("np");
    let (info, phc, hw) = in_netns(&pair.a, || {
        let config = PortConfig::new("veth-a", Transport::UdpIpv4);
        (
            TimestampingInfo::of("veth-a"),
            PhcClock::open_interface("veth-a").map(|_| ()),
            PortSockets::open(&config).map(|_| ()),
        )
    });
    let info = info.unwrap();
    assert_eq!(info.phc_index, None);
    assert!(!info.supports_hardware());
    assert!(
        matches!(phc, Err(ClockError::NoPhc { ref interface }) if interface == "veth-a"),
        "{phc:?}"
    );
    assert!(
        matches!(hw, Err(SocketError::HardwareTimestamping { .. })),
        "{hw:?}"
    );
}
