//! Checks that the golden captures in `tests/data/` (made from ptp4l/pmc 3.1.1 by
//! `scripts/capture-golden.sh`) cover what the wire codec's round-trip tests rely on: every
//! message type per transport and delay mechanism, the gPTP and unicast-negotiation TLVs, and
//! every management ID the script requested, with the answers ptp4l gave.
//!
//! Deliberately independent of our codec: it reads only fixed header offsets
//! (IEEE 1588-2019 13.3 common header, 15.4 management message, 16.1 signaling), so a codec bug
//! cannot hide a gap in the capture set. Needs no root.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use support::pcap::{ptp_payloads, CapturedPacket, Transport};

// messageType values (IEEE 1588-2019 Table 36).
const SYNC: u8 = 0x0;
const DELAY_REQ: u8 = 0x1;
const PDELAY_REQ: u8 = 0x2;
const PDELAY_RESP: u8 = 0x3;
const FOLLOW_UP: u8 = 0x8;
const DELAY_RESP: u8 = 0x9;
const PDELAY_RESP_FOLLOW_UP: u8 = 0xa;
const ANNOUNCE: u8 = 0xb;
const SIGNALING: u8 = 0xc;
const MANAGEMENT: u8 = 0xd;

const E2E_TYPES: [u8; 5] = [SYNC, DELAY_REQ, FOLLOW_UP, DELAY_RESP, ANNOUNCE];
const P2P_TYPES: [u8; 6] = [
    SYNC,
    PDELAY_REQ,
    PDELAY_RESP,
    FOLLOW_UP,
    PDELAY_RESP_FOLLOW_UP,
    ANNOUNCE,
];

// tlvType values (Table 52).
const TLV_MANAGEMENT: u16 = 0x0001;
const TLV_MANAGEMENT_ERROR_STATUS: u16 = 0x0002;
const TLV_ORGANIZATION_EXTENSION: u16 = 0x0003;
const TLV_REQUEST_UNICAST_TRANSMISSION: u16 = 0x0004;
const TLV_GRANT_UNICAST_TRANSMISSION: u16 = 0x0005;
const TLV_PATH_TRACE: u16 = 0x0008;

// actionField values (Table 57).
const GET: u8 = 0;
const SET: u8 = 1;
const RESPONSE: u8 = 2;

// managementErrorId NOT_SUPPORTED (Table 109).
const NOT_SUPPORTED: u16 = 0x0006;

/// managementId values (Table 59, and linuxptp's implementation-specific 0xC000 range).
const MANAGEMENT_IDS: &[(&str, u16)] = &[
    ("NULL_MANAGEMENT", 0x0000),
    ("CLOCK_DESCRIPTION", 0x0001),
    ("USER_DESCRIPTION", 0x0002),
    ("DEFAULT_DATA_SET", 0x2000),
    ("CURRENT_DATA_SET", 0x2001),
    ("PARENT_DATA_SET", 0x2002),
    ("TIME_PROPERTIES_DATA_SET", 0x2003),
    ("PORT_DATA_SET", 0x2004),
    ("PRIORITY1", 0x2005),
    ("PRIORITY2", 0x2006),
    ("DOMAIN", 0x2007),
    ("SLAVE_ONLY", 0x2008),
    ("LOG_ANNOUNCE_INTERVAL", 0x2009),
    ("ANNOUNCE_RECEIPT_TIMEOUT", 0x200a),
    ("LOG_SYNC_INTERVAL", 0x200b),
    ("VERSION_NUMBER", 0x200c),
    ("CLOCK_ACCURACY", 0x2010),
    ("TRACEABILITY_PROPERTIES", 0x2012),
    ("TIMESCALE_PROPERTIES", 0x2013),
    ("DELAY_MECHANISM", 0x6000),
    ("LOG_MIN_PDELAY_REQ_INTERVAL", 0x6001),
    ("TIME_STATUS_NP", 0xc000),
    ("GRANDMASTER_SETTINGS_NP", 0xc001),
    ("PORT_DATA_SET_NP", 0xc002),
    ("SUBSCRIBE_EVENTS_NP", 0xc003),
    ("PORT_PROPERTIES_NP", 0xc004),
    ("PORT_STATS_NP", 0xc005),
    ("SYNCHRONIZATION_UNCERTAIN_NP", 0xc006),
];

/// Every GET the script sends over UDPv4 (all management IDs pmc 3.1.1 can GET).
const UDPV4_GETS: &[&str] = &[
    "DEFAULT_DATA_SET",
    "CURRENT_DATA_SET",
    "PARENT_DATA_SET",
    "TIME_PROPERTIES_DATA_SET",
    "PORT_DATA_SET",
    "TIME_STATUS_NP",
    "GRANDMASTER_SETTINGS_NP",
    "PORT_PROPERTIES_NP",
    "PORT_STATS_NP",
    "PRIORITY1",
    "PRIORITY2",
    "DOMAIN",
    "SLAVE_ONLY",
    "CLOCK_ACCURACY",
    "USER_DESCRIPTION",
    "VERSION_NUMBER",
    "LOG_ANNOUNCE_INTERVAL",
    "ANNOUNCE_RECEIPT_TIMEOUT",
    "LOG_SYNC_INTERVAL",
    "DELAY_MECHANISM",
    "LOG_MIN_PDELAY_REQ_INTERVAL",
    "TRACEABILITY_PROPERTIES",
    "TIMESCALE_PROPERTIES",
    "CLOCK_DESCRIPTION",
    "NULL_MANAGEMENT",
    "SUBSCRIBE_EVENTS_NP",
    "PORT_DATA_SET_NP",
    "SYNCHRONIZATION_UNCERTAIN_NP",
];
const UDPV4_SETS: &[&str] = &["PRIORITY2", "GRANDMASTER_SETTINGS_NP"];

const L2_GETS: &[&str] = &[
    "DEFAULT_DATA_SET",
    "CURRENT_DATA_SET",
    "PARENT_DATA_SET",
    "PORT_DATA_SET",
    "TIME_STATUS_NP",
    "PRIORITY1",
    "PRIORITY2",
    "PORT_PROPERTIES_NP",
];
const L2_SETS: &[&str] = &["PRIORITY2"];

/// ptp4l 3.1.1 answers these only on its UDS port; from the network they get NOT_SUPPORTED.
/// Every SET from the network gets NOT_SUPPORTED too.
const UDS_ONLY_GETS: &[&str] = &["PORT_PROPERTIES_NP"];

const MAX_FILE_SIZE: u64 = 20 * 1024;

fn data_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

fn id_of(name: &str) -> u16 {
    MANAGEMENT_IDS
        .iter()
        .find(|(n, _)| *n == name)
        .unwrap_or_else(|| panic!("unknown management ID {name}"))
        .1
}

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

/// Loads a capture and checks what holds for every PTP message in it: version 2, the
/// transport and majorSdoId the file is about, messageLength against the payload length, and
/// event messages on the event port.
fn load(name: &str, transport: Transport, major_sdo_id: u8) -> Vec<CapturedPacket> {
    let path = data_path(name);
    let size = std::fs::metadata(&path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .len();
    assert!(
        size <= MAX_FILE_SIZE,
        "{name}: {size} bytes, keep goldens small"
    );
    let packets = ptp_payloads(&path);
    assert!(
        packets.len() >= 10,
        "{name}: only {} PTP messages",
        packets.len()
    );
    for p in &packets {
        let at = format!("{name} packet #{}", p.index);
        assert!(p.payload.len() >= 34, "{at}: shorter than a PTP header");
        assert_eq!(p.transport, transport, "{at}: transport");
        assert_eq!(p.payload[1] & 0x0f, 2, "{at}: versionPTP");
        assert_eq!(p.major_sdo_id(), Some(major_sdo_id), "{at}: majorSdoId");
        let message_type = p.message_type().unwrap();
        assert_eq!(p.event_port, message_type < 0x8, "{at}: event/general port");
        // ptp4l appends two octets to UDPv6 messages (Annex D); elsewhere the message fills
        // the payload exactly.
        let trailer = if transport == Transport::UdpV6 { 2 } else { 0 };
        let message_length = usize::from(be16(&p.payload, 2));
        assert_eq!(
            message_length + trailer,
            p.payload.len(),
            "{at}: messageLength vs payload"
        );
    }
    packets
}

fn message_types(packets: &[CapturedPacket]) -> BTreeSet<u8> {
    packets
        .iter()
        .filter_map(CapturedPacket::message_type)
        .collect()
}

fn of_type(packets: &[CapturedPacket], message_type: u8) -> Vec<&CapturedPacket> {
    packets
        .iter()
        .filter(|p| p.message_type() == Some(message_type))
        .collect()
}

/// Asserts that a synchronisation capture holds exactly the message types of its delay
/// mechanism (plus any `extra` types), and that its Syncs are two-step (ptp4l with software
/// time stamping).
fn assert_sync_capture(name: &str, packets: &[CapturedPacket], p2p: bool, extra: &[u8]) {
    let mut want: BTreeSet<u8> = if p2p {
        P2P_TYPES.into_iter().collect()
    } else {
        E2E_TYPES.into_iter().collect()
    };
    want.extend(extra);
    assert_eq!(message_types(packets), want, "{name}: message types");
    for sync in of_type(packets, SYNC) {
        assert_ne!(
            sync.payload[6] & 0x02,
            0,
            "{name} #{}: twoStepFlag",
            sync.index
        );
    }
}

#[test]
fn udpv4_e2e() {
    let p = load("udpv4-e2e.pcap", Transport::UdpV4, 0);
    assert_sync_capture("udpv4-e2e", &p, false, &[]);
}

#[test]
fn udpv6_e2e() {
    let p = load("udpv6-e2e.pcap", Transport::UdpV6, 0);
    assert_sync_capture("udpv6-e2e", &p, false, &[]);
}

#[test]
fn l2_e2e() {
    let p = load("l2-e2e.pcap", Transport::L2, 0);
    assert_sync_capture("l2-e2e", &p, false, &[]);
}

#[test]
fn l2_p2p() {
    let p = load("l2-p2p.pcap", Transport::L2, 0);
    assert_sync_capture("l2-p2p", &p, true, &[]);
}

#[test]
fn udpv4_p2p() {
    let p = load("udpv4-p2p.pcap", Transport::UdpV4, 0);
    assert_sync_capture("udpv4-p2p", &p, true, &[]);
}

#[test]
fn pcapng_copy_reads_the_same_as_pcap() {
    let pcap = ptp_payloads(&data_path("udpv4-e2e.pcap"));
    let pcapng = ptp_payloads(&data_path("udpv4-e2e.pcapng"));
    assert!(!pcap.is_empty());
    assert_eq!(pcap, pcapng);
}

/// 802.1AS: transportSpecific 1, P2P over L2, Follow_Up carrying the Follow_Up information TLV
/// (organization extension 00-80-C2, subtype 00-00-01) and Announce carrying PATH_TRACE.
#[test]
fn gptp_l2_p2p() {
    let p = load("gptp-l2-p2p.pcap", Transport::L2, 1);
    assert_sync_capture("gptp-l2-p2p", &p, true, &[]);
    let follow_ups = of_type(&p, FOLLOW_UP);
    assert!(!follow_ups.is_empty());
    for fu in follow_ups {
        let tlv = &fu.payload[44..];
        assert_eq!(be16(tlv, 0), TLV_ORGANIZATION_EXTENSION, "#{}", fu.index);
        assert_eq!(
            be16(tlv, 2),
            28,
            "#{}: Follow_Up information TLV length",
            fu.index
        );
        assert_eq!(
            &tlv[4..7],
            &[0x00, 0x80, 0xc2],
            "#{}: organizationId",
            fu.index
        );
        assert_eq!(&tlv[7..10], &[0x00, 0x00, 0x01], "#{}: subtype", fu.index);
    }
    let announces = of_type(&p, ANNOUNCE);
    assert!(!announces.is_empty());
    for a in announces {
        let tlv = &a.payload[64..];
        assert_eq!(be16(tlv, 0), TLV_PATH_TRACE, "#{}", a.index);
        let len = usize::from(be16(tlv, 2));
        assert!(
            len >= 8 && len % 8 == 0,
            "#{}: pathSequence of clock identities",
            a.index
        );
        // The path holds at least the grandmaster: the sender's own clockIdentity.
        assert_eq!(
            &tlv[4..12],
            &a.payload[20..28],
            "#{}: pathSequence[0]",
            a.index
        );
    }
}

/// Unicast negotiation (16.1): the slave requests and the master grants, then the exchanged
/// messages carry the unicastFlag.
#[test]
fn unicast_udpv4() {
    let p = load("unicast-udpv4.pcap", Transport::UdpV4, 0);
    assert_sync_capture("unicast-udpv4", &p, false, &[SIGNALING]);
    let mut tlv_types = BTreeSet::new();
    for s in of_type(&p, SIGNALING) {
        // Header (34) + targetPortIdentity (10), then TLVs to the end of the message.
        let mut at = 44;
        while at + 4 <= s.payload.len() {
            tlv_types.insert(be16(&s.payload, at));
            at += 4 + usize::from(be16(&s.payload, at + 2));
        }
        assert_eq!(at, s.payload.len(), "#{}: TLVs fill the message", s.index);
    }
    assert!(tlv_types.contains(&TLV_REQUEST_UNICAST_TRANSMISSION));
    assert!(tlv_types.contains(&TLV_GRANT_UNICAST_TRANSMISSION));
    for t in [SYNC, FOLLOW_UP, ANNOUNCE, DELAY_REQ, DELAY_RESP] {
        for m in of_type(&p, t) {
            assert_ne!(m.payload[6] & 0x04, 0, "#{}: unicastFlag", m.index);
        }
    }
}

/// One management message read at fixed offsets (15.4.1 and 15.5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct Mgmt {
    action: u8,
    id: u16,
    /// managementErrorId if the TLV is MANAGEMENT_ERROR_STATUS.
    error: Option<u16>,
}

fn management(name: &str, packets: &[CapturedPacket]) -> Vec<Mgmt> {
    assert_eq!(
        message_types(packets),
        BTreeSet::from([MANAGEMENT]),
        "{name}"
    );
    packets
        .iter()
        .map(|p| {
            let m = &p.payload;
            let action = m[46] & 0x0f;
            match be16(m, 48) {
                TLV_MANAGEMENT => Mgmt {
                    action,
                    id: be16(m, 52),
                    error: None,
                },
                TLV_MANAGEMENT_ERROR_STATUS => Mgmt {
                    action,
                    id: be16(m, 54),
                    error: Some(be16(m, 52)),
                },
                other => panic!("{name} #{}: TLV type {other:#06x}", p.index),
            }
        })
        .collect()
}

/// Checks a management capture: each request was sent, and answered as ptp4l 3.1.1 answers
/// network requests (GETs with the data, UDS-only GETs and all SETs with NOT_SUPPORTED).
fn assert_management(name: &str, gets: &[&str], sets: &[&str]) {
    let transport = if name.contains("l2") {
        Transport::L2
    } else {
        Transport::UdpV4
    };
    let msgs = management(name, &load(name, transport, 0));
    let mut counts: BTreeMap<Mgmt, usize> = BTreeMap::new();
    for m in &msgs {
        *counts.entry(*m).or_default() += 1;
    }
    let mut want: BTreeMap<Mgmt, usize> = BTreeMap::new();
    for get in gets {
        let id = id_of(get);
        *want
            .entry(Mgmt {
                action: GET,
                id,
                error: None,
            })
            .or_default() += 1;
        let error = UDS_ONLY_GETS.contains(get).then_some(NOT_SUPPORTED);
        *want
            .entry(Mgmt {
                action: RESPONSE,
                id,
                error,
            })
            .or_default() += 1;
    }
    for set in sets {
        let id = id_of(set);
        *want
            .entry(Mgmt {
                action: SET,
                id,
                error: None,
            })
            .or_default() += 1;
        let response = Mgmt {
            action: RESPONSE,
            id,
            error: Some(NOT_SUPPORTED),
        };
        *want.entry(response).or_default() += 1;
    }
    assert_eq!(counts, want, "{name}: requests and responses");
}

#[test]
fn management_udpv4_covers_every_pmc_id() {
    // The list above is every ID pmc 3.1.1 can GET, each exactly once.
    let ids: BTreeSet<u16> = UDPV4_GETS.iter().map(|n| id_of(n)).collect();
    assert_eq!(ids.len(), MANAGEMENT_IDS.len());
    assert_management("mgmt-udpv4.pcap", UDPV4_GETS, UDPV4_SETS);
}

#[test]
fn management_l2() {
    assert_management("mgmt-l2.pcap", L2_GETS, L2_SETS);
}
