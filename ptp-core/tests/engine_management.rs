//! The engine answers management GETs from its data sets, the way pmc asks them (zero-length
//! and full-size GET data), refuses SET and COMMAND from the network with NOT_SUPPORTED as
//! ptp4l 3.1 does, and ignores requests addressed to another clock. On the local management
//! socket (`pmc -u`) clock-wide IDs are answered by the clock and port IDs by each port.
//! Who answers, with what error status, follows ptp4l 3.1.1 (NULL_MANAGEMENT per port,
//! PORT_PROPERTIES_NP locally only, WRONG_VALUE for a port that does not exist, NO_SUCH_ID for
//! an unknown ID), and SLAVE_ONLY carries its flag where pmc reads it.
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
    Action, ClockDescription, GrandmasterSettingsNp, ManagementData, ManagementErrorId,
    ManagementId, ManagementTlv, SlaveOnlyFlag, TimeFlags, Timestamping,
};
use ptp_core::wire::{
    Body, ClockIdentity, Header, Management, Message, MessageType, PortIdentity, PortState,
    PtpText, TimeSource, Tlv, TlvWriter,
};

const NOW: Time = Time::from_secs_nanos(1_700_000_000, 0);
/// The clock identity of every test clock here.
const OURS: ClockIdentity = ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, 9]);
const PMC: PortIdentity = PortIdentity {
    clock_identity: ClockIdentity([0xaa, 0xbb, 0xcc, 0xff, 0xfe, 0, 0, 1]),
    port_number: 7,
};

fn clock() -> Instance {
    clock_with("")
}

/// The test clock with `extra` global options.
fn clock_with(extra: &str) -> Instance {
    clock_of(extra, 1)
}

/// The test clock with `extra` global options and `ports` ports.
fn clock_of(extra: &str, ports: usize) -> Instance {
    let sections: String = (0..ports).map(|i| format!("[eth{i}]\n")).collect();
    let text =
        format!("[global]\npriority1 100\nclockClass 6\ndomainNumber 3\n{extra}\n{sections}");
    let loaded = parse_ptp4l_conf(&text).unwrap();
    let mut clock =
        Instance::new(InstanceSettings::from_config(&loaded.config, OURS).unwrap()).unwrap();
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
        assert_eq!(ds.clock_identity, OURS);
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
    let get = |clock_identity| {
        request(
            Action::Get,
            ManagementId::DEFAULT_DATA_SET,
            &ManagementData::Empty,
            PortIdentity {
                clock_identity,
                port_number: 1,
            },
        )
    };
    let (sent, events) = ask(&mut clock, &get(ClockIdentity([1; 8])));
    assert!(sent.is_empty());
    assert_eq!(
        events,
        vec![Event::Dropped {
            port: PortIndex(0),
            reason: DropReason::NotForUs
        }]
    );
    // The control: the same request addressed to this clock is answered.
    let (sent, _) = ask(&mut clock, &get(OURS));
    assert_eq!(data_of(&sent).0.clock_identity, OURS);
}

/// Hands `bytes` to the clock as from the local management socket.
fn ask_locally(clock: &mut Instance, bytes: &[u8]) -> (Result<(), DropReason>, Vec<Vec<u8>>) {
    let mut sent = Vec::new();
    let mut log = ActionLog::default();
    let result = clock.handle_local_management(bytes, NOW, &mut log, &mut |r| {
        sent.push(r.to_vec());
    });
    (result, sent)
}

/// The typed data of the single management response in `sent`.
fn data_of(sent: &[Vec<u8>]) -> (PortIdentity, ManagementData<'_>) {
    assert_eq!(sent.len(), 1);
    let (header, _, tlv) = response(&sent[0]);
    let Tlv::Management(tlv) = tlv else {
        panic!("{tlv:?}")
    };
    (
        header.source_port_identity,
        tlv.data(Action::Response).unwrap(),
    )
}

#[test]
fn local_requests_are_answered_by_the_clock_or_by_each_port() {
    let mut clock = clock_of("", 2);
    let id = OURS;
    let get = |id: ManagementId, target: PortIdentity| {
        request(Action::Get, id, &ManagementData::Empty, target)
    };

    // Clock-wide: one response, from port 0 of the clock.
    let (result, sent) = ask_locally(
        &mut clock,
        &get(ManagementId::DEFAULT_DATA_SET, PortIdentity::ALL),
    );
    assert_eq!(result, Ok(()));
    assert_eq!(sent.len(), 1);
    let (header, m, tlv) = response(&sent[0]);
    assert_eq!(header.source_port_identity.clock_identity, id);
    assert_eq!(header.source_port_identity.port_number, 0);
    assert_eq!(header.sequence_id, 42);
    assert_eq!(m.target_port_identity, PMC);
    let Tlv::Management(tlv) = tlv else {
        panic!("{tlv:?}")
    };
    let ManagementData::DefaultDataSet(ds) = tlv.data(Action::Response).unwrap() else {
        panic!("{tlv:?}")
    };
    assert_eq!(ds.number_ports, 2);

    // A port ID for all ports: one response per port, each from that port.
    let (_, sent) = ask_locally(
        &mut clock,
        &get(ManagementId::PORT_DATA_SET, PortIdentity::ALL),
    );
    let numbers: Vec<u16> = sent
        .iter()
        .map(|bytes| {
            let (header, _, tlv) = response(bytes);
            let Tlv::Management(tlv) = tlv else {
                panic!("{tlv:?}")
            };
            let ManagementData::PortDataSet(ds) = tlv.data(Action::Response).unwrap() else {
                panic!("{tlv:?}")
            };
            assert_eq!(ds.port_identity, header.source_port_identity);
            header.source_port_identity.port_number
        })
        .collect();
    assert_eq!(numbers, vec![1, 2]);

    // For port 2 only.
    let port2 = PortIdentity {
        clock_identity: id,
        port_number: 2,
    };
    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::LOG_SYNC_INTERVAL, port2));
    assert_eq!(sent.len(), 1);
    assert_eq!(response(&sent[0]).0.source_port_identity, port2);

    // A port that does not exist: the clock says WRONG_VALUE, as ptp4l (IEEE 1588
    // interpretation 21).
    let port7 = PortIdentity {
        clock_identity: id,
        port_number: 7,
    };
    let (result, sent) = ask_locally(&mut clock, &get(ManagementId::PORT_DATA_SET, port7));
    assert_eq!(result, Ok(()));
    assert_eq!(
        errors(&sent),
        [(
            0,
            ManagementErrorId::WRONG_VALUE,
            ManagementId::PORT_DATA_SET
        )]
    );

    // A COMMAND and an ID the engine does not serve get an error status from the clock.
    for req in [
        request(
            Action::Command,
            ManagementId::INITIALIZE,
            &ManagementData::Initialize(0),
            PortIdentity::ALL,
        ),
        get(ManagementId::FAULT_LOG, PortIdentity::ALL),
    ] {
        let (_, sent) = ask_locally(&mut clock, &req);
        assert_eq!(sent.len(), 1);
        let (header, _, tlv) = response(&sent[0]);
        assert_eq!(header.source_port_identity.port_number, 0);
        let Tlv::ManagementErrorStatus(status) = tlv else {
            panic!("{tlv:?}")
        };
        assert_eq!(status.error, ManagementErrorId::NOT_SUPPORTED);
    }
}

/// A two-port clock with description texts, its first port E2E over UDP/IPv4 and its second
/// P2P over 802.3, given the addresses the runtime reads from the interfaces.
fn described_clock() -> Instance {
    let text = "[global]\ndomainNumber 3\nproductDescription Acme;PTP;7\n\
                revisionData 1;2;3\nmanufacturerIdentity 00:1B:21\n\
                userDescription grandmaster;lab\n\
                [eth0]\n[eth1]\ndelay_mechanism P2P\nnetwork_transport L2\n";
    let loaded = parse_ptp4l_conf(text).unwrap();
    let id = OURS;
    let mut settings = InstanceSettings::from_config(&loaded.config, id).unwrap();
    settings.ports[0].physical_address = vec![2, 0, 0, 0, 0, 9];
    settings.ports[0].protocol_address = vec![192, 0, 2, 1];
    settings.ports[1].physical_address = vec![2, 0, 0, 0, 0, 10];
    settings.ports[1].protocol_address = vec![2, 0, 0, 0, 0, 10];
    let mut clock = Instance::new(settings).unwrap();
    clock.start(NOW, &mut ActionLog::default());
    clock
}

/// CLOCK_DESCRIPTION is a port's, as in ptp4l: each port answers with its own addresses,
/// profile and the configured texts; USER_DESCRIPTION is the clock's.
#[test]
fn clock_and_user_descriptions() {
    let mut clock = described_clock();
    let get = |id: ManagementId, target: PortIdentity| {
        request(Action::Get, id, &ManagementData::Empty, target)
    };
    let (result, sent) = ask_locally(
        &mut clock,
        &get(ManagementId::CLOCK_DESCRIPTION, PortIdentity::ALL),
    );
    assert_eq!((result, sent.len()), (Ok(()), 2));
    let expected = [
        (1, &[2, 0, 0, 0, 0, 9], 1, &[192, 0, 2, 1][..], 1),
        (2, &[2, 0, 0, 0, 0, 10], 3, &[2, 0, 0, 0, 0, 10][..], 2),
    ];
    for (reply, (port, mac, protocol, address, profile)) in sent.iter().zip(expected) {
        let (from, data) = data_of(std::slice::from_ref(reply));
        assert_eq!(from.port_number, port);
        let ManagementData::ClockDescription(cd) = data else {
            panic!("{data:?}")
        };
        assert_eq!(cd.clock_type, ClockDescription::BOUNDARY_CLOCK);
        assert_eq!(cd.physical_layer_protocol.as_str(), Some("IEEE 802.3"));
        assert_eq!(cd.physical_address, mac);
        assert_eq!(cd.protocol_address.network_protocol, protocol);
        assert_eq!(cd.protocol_address.address, address);
        assert_eq!(cd.manufacturer_identity, [0x00, 0x1b, 0x21]);
        assert_eq!(cd.product_description.as_str(), Some("Acme;PTP;7"));
        assert_eq!(cd.revision_data.as_str(), Some("1;2;3"));
        assert_eq!(cd.user_description.as_str(), Some("grandmaster;lab"));
        assert_eq!(cd.profile_identity, [0x00, 0x1b, 0x19, 0x00, profile, 0x00]);
    }

    // USER_DESCRIPTION: once, from the clock; over the network, from the asked port.
    let req = get(ManagementId::USER_DESCRIPTION, PortIdentity::ALL);
    let (_, sent) = ask_locally(&mut clock, &req);
    let (from, data) = data_of(&sent);
    assert_eq!(from.port_number, 0);
    assert_eq!(
        data,
        ManagementData::UserDescription(PtpText::new(b"grandmaster;lab").unwrap())
    );
    let (sent, _) = ask(&mut clock, &req);
    let (from, data) = data_of(&sent);
    assert_eq!(from.port_number, 1);
    assert!(
        matches!(data, ManagementData::UserDescription(t) if t.as_bytes() == b"grandmaster;lab")
    );

    // One port is an ordinary clock; addresses the runtime did not give are sent empty, and
    // the texts keep ptp4l's defaults.
    let mut single = clock_with("");
    let (_, sent) = ask_locally(
        &mut single,
        &get(ManagementId::CLOCK_DESCRIPTION, PortIdentity::ALL),
    );
    let (_, data) = data_of(&sent);
    let ManagementData::ClockDescription(cd) = data else {
        panic!("{data:?}")
    };
    assert_eq!(cd.clock_type, ClockDescription::ORDINARY_CLOCK);
    assert!(cd.physical_address.is_empty() && cd.protocol_address.address.is_empty());
    assert_eq!(cd.protocol_address.network_protocol, 1);
    assert_eq!(cd.product_description.as_str(), Some(";;"));
    assert_eq!(cd.user_description.as_str(), Some(""));
}

/// linuxptp's own IDs that describe the clock and its ports, as phc2sys and monitoring
/// daemons read them.
#[test]
fn local_gets_of_linuxptp_np_ids() {
    let mut clock = clock_of("", 1);
    let id = OURS;
    let get =
        |id: ManagementId| request(Action::Get, id, &ManagementData::Empty, PortIdentity::ALL);

    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::TIME_STATUS_NP));
    let ManagementData::TimeStatusNp(ts) = data_of(&sent).1 else {
        panic!()
    };
    // Nobody else heard yet: the clock is its own grandmaster.
    assert!(!ts.gm_present);
    assert_eq!(ts.gm_identity, id);

    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::GRANDMASTER_SETTINGS_NP));
    let ManagementData::GrandmasterSettingsNp(gm) = data_of(&sent).1 else {
        panic!()
    };
    assert_eq!(gm.clock_quality.clock_class, 6);
    assert_eq!(gm.current_utc_offset, 37);

    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::PORT_PROPERTIES_NP));
    let (source, data) = data_of(&sent);
    let ManagementData::PortPropertiesNp(pp) = data else {
        panic!()
    };
    assert_eq!(source.port_number, 1);
    assert_eq!(pp.interface.as_bytes(), b"eth0");
    assert_eq!(pp.port_state, PortState::Listening);
    assert_eq!(pp.timestamping, Timestamping::HARDWARE);

    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::PORT_DATA_SET_NP));
    let ManagementData::PortDataSetNp(np) = data_of(&sent).1 else {
        panic!()
    };
    assert_eq!(np.neighbor_prop_delay_thresh_ns, 20_000_000);

    // Messages counted per type: the management GET that came over the network, its answer.
    ask(&mut clock, &get(ManagementId::PRIORITY1));
    let (_, sent) = ask_locally(&mut clock, &get(ManagementId::PORT_STATS_NP));
    let ManagementData::PortStatsNp(stats) = data_of(&sent).1 else {
        panic!()
    };
    assert_eq!(stats.received(MessageType::Management), 1);
    assert_eq!(stats.sent(MessageType::Management), 1);
}

/// SETs from the local socket change the clock and are answered with the new values;
/// GRANDMASTER_SETTINGS_NP changes what the grandmaster announces.
#[test]
fn local_sets_change_priorities_and_grandmaster_settings() {
    let mut clock = clock_of("", 1);
    let set = |data: ManagementData<'static>| {
        request(Action::Set, data.id().unwrap(), &data, PortIdentity::ALL)
    };
    let (_, sent) = ask_locally(&mut clock, &set(ManagementData::Priority2(99)));
    assert_eq!(data_of(&sent).1, ManagementData::Priority2(99));
    assert_eq!(clock.default_ds().priority_2, 99);
    let (_, sent) = ask_locally(&mut clock, &set(ManagementData::Priority1(90)));
    assert_eq!(data_of(&sent).1, ManagementData::Priority1(90));
    assert_eq!(clock.default_ds().priority_1, 90);

    // GNSS lost: holdover class 7, time still traceable with a valid UTC offset.
    let mut quality = clock.default_ds().clock_quality;
    quality.clock_class = 7;
    let settings = GrandmasterSettingsNp {
        clock_quality: quality,
        current_utc_offset: 37,
        time_flags: TimeFlags(
            TimeFlags::UTC_OFFSET_VALID | TimeFlags::TIME_TRACEABLE | TimeFlags::PTP_TIMESCALE,
        ),
        time_source: TimeSource::GNSS,
    };
    let (_, sent) = ask_locally(
        &mut clock,
        &set(ManagementData::GrandmasterSettingsNp(settings)),
    );
    assert_eq!(
        data_of(&sent).1,
        ManagementData::GrandmasterSettingsNp(settings)
    );
    assert_eq!(clock.default_ds().clock_quality.clock_class, 7);
    // What the clock now distributes (it is its own grandmaster).
    let tp = clock.time_properties_ds();
    assert!(tp.time_traceable && tp.current_utc_offset_valid && tp.ptp_timescale);
    assert_eq!(tp.time_source, TimeSource::GNSS);

    // A SET whose data does not fit its TLV is dropped, and changes nothing.
    let mut bad = set(ManagementData::Priority1(1));
    let n = bad.len();
    bad.truncate(n - 2);
    let len = u16::try_from(bad.len()).unwrap().to_be_bytes();
    bad[2..4].copy_from_slice(&len);
    let (result, sent) = ask_locally(&mut clock, &bad);
    assert!(
        matches!(result, Err(DropReason::Malformed(_))),
        "{result:?}"
    );
    assert!(sent.is_empty());
    assert_eq!(clock.default_ds().priority_1, 90);
}

/// Each refused request next to its control: the same clock answers the same request in
/// its domain, addressed to it, or well formed.
#[test]
fn local_requests_for_another_domain_clock_or_garbage_get_no_answer() {
    let get = |target| {
        request(
            Action::Get,
            ManagementId::DEFAULT_DATA_SET,
            &ManagementData::Empty,
            target,
        )
    };
    let answered = |clock: &mut Instance, req: &[u8]| {
        let (result, sent) = ask_locally(clock, req);
        assert_eq!(result, Ok(()));
        assert_eq!(data_of(&sent).0.clock_identity, OURS);
    };

    let mut clock = clock_of("domainNumber 4", 1);
    let req = get(PortIdentity::ALL);
    assert_eq!(req[4], 3, "the request's domainNumber");
    assert_eq!(
        ask_locally(&mut clock, &req),
        (Err(DropReason::OtherDomain), vec![])
    );
    let mut in_domain = req.clone();
    in_domain[4] = 4;
    answered(&mut clock, &in_domain);

    let mut clock = clock_of("", 1);
    let to = |clock_identity| PortIdentity {
        clock_identity,
        port_number: 0xffff,
    };
    assert_eq!(
        ask_locally(&mut clock, &get(to(ClockIdentity([1; 8])))),
        (Err(DropReason::NotForUs), vec![])
    );
    answered(&mut clock, &get(to(OURS)));

    let (result, sent) = ask_locally(&mut clock, &[0x0d, 0x02, 0x00]);
    assert!(
        matches!(result, Err(DropReason::Malformed(_))),
        "{result:?}"
    );
    assert!(sent.is_empty());
    answered(&mut clock, &get(PortIdentity::ALL));
}

/// A message of another transportSpecific (majorSdoId) is another domain's, unless the port
/// has `ignore_transport_specific 1`.
#[test]
fn ignore_transport_specific_accepts_any_major_sdo_id() {
    let mut req = request(
        Action::Get,
        ManagementId::DEFAULT_DATA_SET,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    let (sent, _) = ask(&mut clock(), &req);
    assert_eq!(sent.len(), 1, "the control: majorSdoId 0 is answered");
    req[0] |= 0x10;
    let (sent, events) = ask(&mut clock(), &req);
    assert!(sent.is_empty());
    assert_eq!(
        events,
        vec![Event::Dropped {
            port: PortIndex(0),
            reason: DropReason::OtherDomain
        }]
    );
    let (sent, _) = ask(&mut clock_with("ignore_transport_specific 1"), &req);
    assert_eq!(sent.len(), 1);
}

/// From the network as from the local socket, a port ID is answered by every port the
/// target names (pmc asking a boundary clock sees all its ports), all out of the port the
/// request came in on; a clock-wide ID once, the clock speaking as that port.
#[test]
fn network_requests_are_answered_by_every_addressed_port() {
    let mut clock = clock_of("", 2);
    let get =
        |id: ManagementId| request(Action::Get, id, &ManagementData::Empty, PortIdentity::ALL);
    // Asked on the second port: both answers leave through it.
    let mut log = ActionLog::default();
    let req = get(ManagementId::PORT_DATA_SET);
    clock.handle_message(PortIndex(1), &req, RxMeta::default(), NOW, &mut log);
    let sent: Vec<(PortIndex, Vec<u8>)> = log
        .take()
        .into_iter()
        .filter_map(|a| match a {
            OwnedAction::Send { port, bytes, .. } => Some((port, bytes)),
            _ => None,
        })
        .collect();
    let sources: Vec<(PortIndex, u16)> = sent
        .iter()
        .map(|(port, bytes)| (*port, response(bytes).0.source_port_identity.port_number))
        .collect();
    assert_eq!(sources, vec![(PortIndex(1), 1), (PortIndex(1), 2)]);
    let (sent, _) = ask(&mut clock, &get(ManagementId::DEFAULT_DATA_SET));
    let sources: Vec<u16> = sent
        .iter()
        .map(|bytes| response(bytes).0.source_port_identity.port_number)
        .collect();
    assert_eq!(sources, vec![1]);
}

/// `(source port number, error, managementId)` of each response in `sent`, which must all
/// be error statuses.
fn errors(sent: &[Vec<u8>]) -> Vec<(u16, ManagementErrorId, ManagementId)> {
    sent.iter()
        .map(|bytes| {
            let (header, _, tlv) = response(bytes);
            let Tlv::ManagementErrorStatus(status) = tlv else {
                panic!("not an error status: {tlv:?}")
            };
            (
                header.source_port_identity.port_number,
                status.error,
                status.id,
            )
        })
        .collect()
}

/// `(source port number, managementId)` of each response in `sent`, which must all carry
/// data.
fn answers(sent: &[Vec<u8>]) -> Vec<(u16, ManagementId)> {
    sent.iter()
        .map(|bytes| {
            let (header, _, tlv) = response(bytes);
            let Tlv::Management(tlv) = tlv else {
                panic!("not a management TLV: {tlv:?}")
            };
            (header.source_port_identity.port_number, tlv.id)
        })
        .collect()
}

/// Sends `bytes` to the clock on its `port`-th port and returns the encoded responses.
fn ask_on(clock: &mut Instance, port: u16, bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut log = ActionLog::default();
    clock.handle_message(PortIndex(port), bytes, RxMeta::default(), NOW, &mut log);
    log.take()
        .into_iter()
        .filter_map(|a| match a {
            OwnedAction::Send { bytes, .. } => Some(bytes),
            _ => None,
        })
        .collect()
}

/// SLAVE_ONLY carries the flag where ptp4l puts it (0x02, DEFAULT_DATA_SET's bit), which is
/// where pmc reads it: with bit 0, pmc prints `slaveOnly 0` for a slave-only clock.
#[test]
fn slave_only_is_sent_where_pmc_reads_it() {
    for (conf, raw) in [("slaveOnly 1", [0x02, 0]), ("", [0, 0])] {
        let mut clock = clock_with(conf);
        let req = request(
            Action::Get,
            ManagementId::SLAVE_ONLY,
            &ManagementData::Empty,
            PortIdentity::ALL,
        );
        let (_, sent) = ask_locally(&mut clock, &req);
        let (_, _, tlv) = response(&sent[0]);
        let Tlv::Management(tlv) = tlv else {
            panic!("{tlv:?}")
        };
        assert_eq!(tlv.raw_data, raw, "{conf}");
        let ManagementData::SlaveOnly(flag) = tlv.data(Action::Response).unwrap() else {
            panic!("{tlv:?}")
        };
        assert_eq!(flag, SlaveOnlyFlag(!conf.is_empty()));
        assert_eq!(clock.default_ds().slave_only, !conf.is_empty());
    }
}

/// NULL_MANAGEMENT is a port's answer, as in ptp4l: from each port named, locally and from the
/// network; to a port that does not exist, WRONG_VALUE from the clock.
#[test]
fn null_management_is_answered_by_each_port() {
    let mut clock = clock_of("", 2);
    let null = |target| {
        request(
            Action::Get,
            ManagementId::NULL_MANAGEMENT,
            &ManagementData::Empty,
            target,
        )
    };
    let (_, sent) = ask_locally(&mut clock, &null(PortIdentity::ALL));
    let expected = [
        (1, ManagementId::NULL_MANAGEMENT),
        (2, ManagementId::NULL_MANAGEMENT),
    ];
    assert_eq!(answers(&sent), expected);
    assert_eq!(
        answers(&ask_on(&mut clock, 0, &null(PortIdentity::ALL))),
        expected
    );
    let port9 = PortIdentity {
        clock_identity: PortIdentity::ALL.clock_identity,
        port_number: 9,
    };
    let (_, sent) = ask_locally(&mut clock, &null(port9));
    assert_eq!(
        errors(&sent),
        [(
            0,
            ManagementErrorId::WRONG_VALUE,
            ManagementId::NULL_MANAGEMENT
        )]
    );
    // From the network the clock speaks as the port the request came in on.
    assert_eq!(
        errors(&ask_on(&mut clock, 1, &null(port9))),
        [(
            2,
            ManagementErrorId::WRONG_VALUE,
            ManagementId::NULL_MANAGEMENT
        )]
    );
    // A clock-wide ID does not look at the port number.
    let dds = request(
        Action::Get,
        ManagementId::DEFAULT_DATA_SET,
        &ManagementData::Empty,
        port9,
    );
    assert_eq!(
        answers(&ask_on(&mut clock, 1, &dds)),
        [(2, ManagementId::DEFAULT_DATA_SET)]
    );
}

/// ptp4l 3.1.1 serves PORT_PROPERTIES_NP on its local socket only; from the network it is one
/// NOT_SUPPORTED from the port asked, not an answer per port.
#[test]
fn port_properties_np_is_served_locally_only() {
    let mut clock = clock_of("", 2);
    let req = request(
        Action::Get,
        ManagementId::PORT_PROPERTIES_NP,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    let (_, sent) = ask_locally(&mut clock, &req);
    assert_eq!(
        answers(&sent),
        [
            (1, ManagementId::PORT_PROPERTIES_NP),
            (2, ManagementId::PORT_PROPERTIES_NP)
        ]
    );
    assert_eq!(
        errors(&ask_on(&mut clock, 1, &req)),
        [(
            2,
            ManagementErrorId::NOT_SUPPORTED,
            ManagementId::PORT_PROPERTIES_NP
        )]
    );
    // The same port, asked for another port ID at the same moment, answers it.
    let pds = request(
        Action::Get,
        ManagementId::PORT_DATA_SET_NP,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    assert_eq!(
        answers(&ask_on(&mut clock, 1, &pds)),
        [
            (1, ManagementId::PORT_DATA_SET_NP),
            (2, ManagementId::PORT_DATA_SET_NP)
        ]
    );
}

/// What ptp4l refuses before asking its ports gets one error status: a SET from the network
/// (NOT_SUPPORTED from the port asked, even for a port ID), a SET without data (WRONG_LENGTH,
/// locally too). An ID nobody knows is NO_SUCH_ID from the first port, which speaks for all.
#[test]
fn refusals_come_once_and_unknown_ids_from_the_first_port() {
    let mut clock = clock_of("", 2);
    let set_interval = request(
        Action::Set,
        ManagementId::LOG_ANNOUNCE_INTERVAL,
        &ManagementData::LogAnnounceInterval(ptp_core::time::LogInterval(2)),
        PortIdentity::ALL,
    );
    assert_eq!(
        errors(&ask_on(&mut clock, 0, &set_interval)),
        [(
            1,
            ManagementErrorId::NOT_SUPPORTED,
            ManagementId::LOG_ANNOUNCE_INTERVAL
        )]
    );
    // Locally the SET reaches the ports, which do not support it.
    let (_, sent) = ask_locally(&mut clock, &set_interval);
    assert_eq!(
        errors(&sent),
        [
            (
                1,
                ManagementErrorId::NOT_SUPPORTED,
                ManagementId::LOG_ANNOUNCE_INTERVAL
            ),
            (
                2,
                ManagementErrorId::NOT_SUPPORTED,
                ManagementId::LOG_ANNOUNCE_INTERVAL
            )
        ]
    );
    let empty_set = request(
        Action::Set,
        ManagementId::PRIORITY1,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    let (_, sent) = ask_locally(&mut clock, &empty_set);
    assert_eq!(
        errors(&sent),
        [(0, ManagementErrorId::WRONG_LENGTH, ManagementId::PRIORITY1)]
    );
    assert_eq!(
        errors(&ask_on(&mut clock, 1, &empty_set)),
        [(2, ManagementErrorId::WRONG_LENGTH, ManagementId::PRIORITY1)]
    );
    assert_eq!(clock.default_ds().priority_1, 100);
    let unknown = ManagementId(0x7777);
    let req = request(
        Action::Get,
        unknown,
        &ManagementData::Empty,
        PortIdentity::ALL,
    );
    let (_, sent) = ask_locally(&mut clock, &req);
    assert_eq!(errors(&sent), [(1, ManagementErrorId::NO_SUCH_ID, unknown)]);
    assert_eq!(
        errors(&ask_on(&mut clock, 1, &req)),
        [(1, ManagementErrorId::NO_SUCH_ID, unknown)]
    );
}
