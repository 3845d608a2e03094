//! Every PTP message ptp4l and pmc 3.1.1 put on the wire in the golden captures
//! (`tests/data/*.pcap*`, made by `scripts/capture-golden.sh`) decodes with our codec and
//! re-encodes byte for byte, and the typed view agrees with what the captures are known to
//! hold.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::BTreeSet;
use std::path::PathBuf;

use ptp_core::wire::{Body, Message, MessageType, Tlv};
use support::pcap::{ptp_payloads, Transport};

const CAPTURES: &[&str] = &[
    "udpv4-e2e.pcap",
    "udpv4-e2e.pcapng",
    "udpv6-e2e.pcap",
    "l2-e2e.pcap",
    "udpv4-p2p.pcap",
    "l2-p2p.pcap",
    "gptp-l2-p2p.pcap",
    "unicast-udpv4.pcap",
    "mgmt-udpv4.pcap",
    "mgmt-l2.pcap",
];

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// Decodes and re-encodes every message of `name`; returns the message types and TLV types
/// seen.
fn round_trip(name: &str) -> (BTreeSet<u8>, BTreeSet<u16>) {
    let packets = ptp_payloads(&data_path(name));
    assert!(!packets.is_empty(), "{name}: no PTP messages");
    let mut types = BTreeSet::new();
    let mut tlvs = BTreeSet::new();
    for p in &packets {
        let at = format!("{name} packet #{}", p.index);
        let message = Message::decode(&p.payload).unwrap_or_else(|e| panic!("{at}: {e}"));
        // The message is messageLength bytes; ptp4l 3.1 appends two bytes to UDPv6 payloads.
        let len = message.wire_len();
        let trailer = if p.transport == Transport::UdpV6 {
            2
        } else {
            0
        };
        assert_eq!(len + trailer, p.payload.len(), "{at}: length");
        let mut out = [0u8; 1500];
        let written = message.encode(&mut out).unwrap();
        assert_eq!(written, len, "{at}: encoded length");
        assert_eq!(&out[..written], &p.payload[..len], "{at}: bytes differ");
        assert_eq!(
            p.event_port,
            message.message_type().is_event(),
            "{at}: port"
        );
        types.insert(message.message_type() as u8);
        for tlv in message.suffix.iter() {
            tlvs.insert(tlv.unwrap_or_else(|e| panic!("{at}: {e}")).tlv_type().0);
        }
    }
    (types, tlvs)
}

#[test]
fn every_captured_message_round_trips_byte_for_byte() {
    let mut all_types = BTreeSet::new();
    let mut all_tlvs = BTreeSet::new();
    for name in CAPTURES {
        let (types, tlvs) = round_trip(name);
        all_types.extend(types);
        all_tlvs.extend(tlvs);
    }
    // Every message type ptp4l sends, and the TLVs the captures were made to contain.
    for t in MessageType::ALL {
        assert!(all_types.contains(&(t as u8)), "no {t} in the captures");
    }
    for tlv in [0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0008] {
        assert!(all_tlvs.contains(&tlv), "no TLV {tlv:#06x} in the captures");
    }
}

#[test]
fn gptp_follow_ups_carry_typed_follow_up_information() {
    let packets = ptp_payloads(&data_path("gptp-l2-p2p.pcap"));
    let mut seen = 0;
    for p in &packets {
        let message = Message::decode(&p.payload).unwrap();
        assert_eq!(message.header.major_sdo_id, 1, "gPTP transportSpecific");
        if let Body::FollowUp(_) = message.body {
            let tlvs: Vec<_> = message.suffix.iter().map(Result::unwrap).collect();
            assert!(
                matches!(tlvs.as_slice(), [Tlv::FollowUpInformation(_)]),
                "packet #{}: {tlvs:?}",
                p.index
            );
            seen += 1;
        }
    }
    assert!(seen > 0, "no Follow_Up in the gPTP capture");
}

#[test]
fn announces_carry_the_grandmaster_ptp4l_was_configured_as() {
    let packets = ptp_payloads(&data_path("udpv4-e2e.pcap"));
    let announces: Vec<_> = packets
        .iter()
        .filter_map(|p| match Message::decode(&p.payload).unwrap().body {
            Body::Announce(a) => Some(a),
            _ => None,
        })
        .collect();
    assert!(!announces.is_empty());
    for a in announces {
        // ptp4l's defaults, which the capture script does not change for the master.
        assert_eq!(a.grandmaster_clock_quality.clock_class, 248);
        assert_eq!(a.steps_removed, 0);
        assert!(a.origin_timestamp.nanoseconds() < 1_000_000_000);
    }
}
