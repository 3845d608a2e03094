//! The engine answers management GETs from its data sets, the way pmc asks them (zero-length
//! and full-size GET data), refuses SET and COMMAND from the network with NOT_SUPPORTED as
//! ptp4l 3.1 does, and ignores requests addressed to another clock.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{
    ActionLog, DropReason, Event, Instance, InstanceSettings, OwnedAction, PortIndex, RxMeta,
};
use ptp_core::time::Time;
use ptp_core::wire::management::{
    Action, ManagementData, ManagementErrorId, ManagementId, ManagementTlv,
};
use ptp_core::wire::{
    Body, ClockIdentity, Header, Management, Message, PortIdentity, PortState, Tlv, TlvWriter,
};

const NOW: Time = Time::from_secs_nanos(1_700_000_000, 0);
const PMC: PortIdentity = PortIdentity {
    clock_identity: ClockIdentity([0xaa, 0xbb, 0xcc, 0xff, 0xfe, 0, 0, 1]),
    port_number: 7,
};

fn clock() -> Instance {
    clock_with("")
}

/// The test clock with `extra` global options.
fn clock_with(extra: &str) -> Instance {
    let text = format!("[global]\npriority1 100\nclockClass 6\ndomainNumber 3\n{extra}\n[eth0]\n");
    let loaded = parse_ptp4l_conf(&text).unwrap();
    let id = ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, 9]);
    let mut clock =
        Instance::new(InstanceSettings::from_config(&loaded.config, id).unwrap()).unwrap();
    clock.start(NOW, &mut ActionLog::default());
    clock
}

/// A management request as pmc sends it: to every clock, one boundary hop.
fn request(
    action: Action,
    id: ManagementId,
    data: &ManagementData<'_>,
    target: PortIdentity,
) -> Vec<u8> {
    let mut data_buf = [0u8; 64];
    let tlv = ManagementTlv::build(id, data, &mut data_buf).unwrap();
    let mut suffix_buf = [0u8; 96];
    let mut w = TlvWriter::new(&mut suffix_buf);
    w.push(&Tlv::Management(tlv)).unwrap();
    let message = Message {
        header: Header {
            domain_number: 3,
            source_port_identity: PMC,
            sequence_id: 42,
            ..Header::default()
        },
        body: Body::Management(Management {
            target_port_identity: target,
            starting_boundary_hops: 1,
            boundary_hops: 1,
            action,
        }),
        suffix: w.finish().unwrap(),
    };
    let mut buf = [0u8; 256];
    let n = message.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// Sends `bytes` to the clock and returns what it sent back and the events it reported.
fn ask(clock: &mut Instance, bytes: &[u8]) -> (Vec<Vec<u8>>, Vec<Event>) {
    let mut log = ActionLog::default();
    clock.handle_message(PortIndex(0), bytes, RxMeta::default(), NOW, &mut log);
    let mut sent = Vec::new();
    let mut events = Vec::new();
    for a in log.take() {
        match a {
            OwnedAction::Send { bytes, .. } => sent.push(bytes),
            OwnedAction::Event(e) => events.push(e),
            _ => {}
        }
    }
    (sent, events)
}

/// The single response: its header, body and management TLV (or error status).
fn response(bytes: &[u8]) -> (Header, Management, Tlv<'_>) {
    let message = Message::decode(bytes).unwrap();
    let Body::Management(m) = message.body else {
        panic!("not a management message: {message:?}");
    };
    let tlv = message.suffix.iter().next().unwrap().unwrap();
    (message.header, m, tlv)
}

#[test]
fn gets_are_answered_from_the_data_sets() {
    let mut clock = clock();
    // pmc -z sends empty GET data; plain pmc sends a zeroed body of the right size.
    for data in [
        ManagementData::Empty,
        ManagementData::GetPlaceholder(&[0; 20]),
    ] {
        let req = request(
            Action::Get,
            ManagementId::DEFAULT_DATA_SET,
            &data,
            PortIdentity::ALL,
        );
        let (sent, _) = ask(&mut clock, &req);
        assert_eq!(sent.len(), 1);
        let (header, m, tlv) = response(&sent[0]);
        assert_eq!(header.sequence_id, 42);
        assert_eq!(header.domain_number, 3);
        assert_eq!(m.action, Action::Response);
        assert_eq!(m.target_port_identity, PMC);
        assert_eq!((m.starting_boundary_hops, m.boundary_hops), (0, 1));
        let Tlv::Management(tlv) = tlv else {
            panic!("{tlv:?}")
        };
        let ManagementData::DefaultDataSet(ds) = tlv.data(Action::Response).unwrap() else {
            panic!("{tlv:?}")
        };
        assert_eq!(ds.priority1, 100);
        assert_eq!(ds.clock_quality.clock_class, 6);
        assert_eq!(ds.domain_number, 3);
        assert_eq!(ds.number_ports, 1);
        assert_eq!(
            ds.clock_identity,
            ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, 9])
        );
    }

    let req = request(
        Action::Get,
        ManagementId::PORT_DATA_SET,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    let (sent, _) = ask(&mut clock, &req);
    let (_, _, tlv) = response(&sent[0]);
    let Tlv::Management(tlv) = tlv else { panic!() };
    let ManagementData::PortDataSet(ds) = tlv.data(Action::Response).unwrap() else {
        panic!()
    };
    assert_eq!(ds.port_state, PortState::Listening);
    assert_eq!(ds.port_identity.port_number, 1);
}

/// `ptp_minor_version` sets the version octet of what the clock sends: 2.0 by default (what
/// linuxptp 3.x accepts), 2.1 when asked.
#[test]
fn responses_carry_the_configured_minor_version() {
    let req = request(
        Action::Get,
        ManagementId::DEFAULT_DATA_SET,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    for (extra, minor) in [
        ("", 0),
        ("ptp_minor_version 0", 0),
        ("ptp_minor_version 1", 1),
    ] {
        let (sent, _) = ask(&mut clock_with(extra), &req);
        let (header, _, _) = response(&sent[0]);
        assert_eq!(header.minor_version_ptp, minor, "{extra:?}");
        assert_eq!(sent[0][1], minor << 4 | 2, "{extra:?}");
    }
}

#[test]
fn sets_and_unknown_ids_get_an_error_status() {
    let mut clock = clock();
    for (action, id, data) in [
        (
            Action::Set,
            ManagementId::PRIORITY2,
            ManagementData::Priority2(200),
        ),
        (
            Action::Command,
            ManagementId::DISABLE_PORT,
            ManagementData::Empty,
        ),
        (Action::Get, ManagementId::FAULT_LOG, ManagementData::Empty),
    ] {
        let (sent, _) = ask(&mut clock, &request(action, id, &data, PortIdentity::ALL));
        let (_, m, tlv) = response(&sent[0]);
        assert_eq!(m.action, Action::Response);
        let Tlv::ManagementErrorStatus(status) = tlv else {
            panic!("{id:?}: {tlv:?}")
        };
        assert_eq!(status.error, ManagementErrorId::NOT_SUPPORTED, "{id:?}");
        assert_eq!(status.id, id);
    }
    // The SET changed nothing.
    assert_eq!(clock.default_ds().priority_2, 128);
}

#[test]
fn requests_for_another_clock_are_ignored() {
    let mut clock = clock();
    let other = PortIdentity {
        clock_identity: ClockIdentity([1; 8]),
        port_number: 1,
    };
    let req = request(
        Action::Get,
        ManagementId::DEFAULT_DATA_SET,
        &ManagementData::Empty,
        other,
    );
    let (sent, events) = ask(&mut clock, &req);
    assert!(sent.is_empty());
    assert_eq!(
        events,
        vec![Event::Dropped {
            port: PortIndex(0),
            reason: DropReason::NotForUs
        }]
    );
}
