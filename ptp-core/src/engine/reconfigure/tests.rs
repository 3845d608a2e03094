//! Unit tests of live reconfiguration: the class of every setting, what each class does to
//! the ports (events, socket actions, timers), management values across reloads, the slot
//! layout and the report.

use super::diff::{instance_changes, port_changes};
use super::*;
use crate::config::enums::{DatasetComparison, NetworkTransport};
use crate::config::parse_ptp4l_conf;
use crate::config::value::MacAddress;
use crate::engine::action::sockets_and_states;
use crate::engine::datasets::DelayMechanism;
use crate::engine::{ActionLog, ClockAction, OwnedAction, PeerAddress, Timer, TimerKind};
use crate::servo::{ServoKind, TimestampingMode};
use crate::time::{Duration, LogInterval};
use crate::wire::management::{
    Action as MgmtAction, ManagementData, ManagementErrorId, ManagementId, ManagementTlv,
};
use crate::wire::{
    Announce, Body, ClockIdentity, Header, Management, Message, PortIdentity, Tlv, TlvWriter,
};

const NOW: Time = Time::from_secs_nanos(1_700_000_000, 0);
const ID: ClockIdentity = ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, 1]);

/// Settings from ptp4l.conf `text`.
fn settings(text: &str) -> InstanceSettings {
    let config = parse_ptp4l_conf(text).unwrap().config;
    InstanceSettings::from_config(&config, ID).unwrap()
}

/// A clock from `text`, started; its start-up actions are dropped.
fn started(text: &str) -> Instance {
    let mut clock = Instance::new(settings(text)).unwrap();
    clock.start(NOW, &mut ActionLog::default());
    clock
}

/// Reconfigures `clock` to `text`; returns the report and the actions.
fn reload(clock: &mut Instance, text: &str) -> (Reconfiguration, Vec<OwnedAction>) {
    let mut log = ActionLog::default();
    let report = clock.reconfigure(settings(text), NOW, &mut log).unwrap();
    (report, log.take())
}

/// Whether `changes` holds exactly `name`, in place (`true`) or as a restart.
fn only(changes: &diff::Changes, name: &str, in_place: bool) -> bool {
    let (hit, other) = if in_place {
        (&changes.in_place, &changes.restart)
    } else {
        (&changes.restart, &changes.in_place)
    };
    hit.as_slice() == [name] && other.is_empty()
}

#[test]
fn every_clock_wide_setting_has_its_class() {
    let base = settings("[eth0]\n");
    type Change = fn(&mut InstanceSettings);
    let cases: &[(&str, bool, Change)] = &[
        ("clockIdentity", false, |s| {
            s.clock_identity = ClockIdentity([9; 8])
        }),
        ("clockQuality", true, |s| s.clock_quality.clock_class = 6),
        ("priority1", true, |s| s.priority_1 = 1),
        ("priority2", true, |s| s.priority_2 = 1),
        ("domainNumber", false, |s| s.domain_number = 24),
        ("slaveOnly", true, |s| s.slave_only = true),
        ("transportSpecific", false, |s| s.major_sdo_id = 1),
        ("ptp_minor_version", true, |s| s.minor_version_ptp = 1),
        ("dataset_comparison", true, |s| {
            s.dataset_comparison = DatasetComparison::G8275;
        }),
        ("G.8275.defaultDS.localPriority", true, |s| {
            s.local_priority = 1;
        }),
        ("maxStepsRemoved", true, |s| s.max_steps_removed = 2),
        ("timeProperties", true, |s| {
            s.time_properties.current_utc_offset = 38;
        }),
        ("clock_servo", false, |s| s.servo = ServoKind::Pi),
        ("free_running", false, |s| s.free_running = true),
        ("time_stamping", false, |s| {
            s.time_stamping = TimestampingMode::Software;
        }),
        ("clockDescription", true, |s| {
            s.description.user_description = "rack 4".into();
        }),
        ("seed", true, |s| s.seed = 7),
        // The servo's options: all in place.
        ("pi_proportional_const", true, |s| {
            s.servo_config.pi_proportional_const = 0.5;
        }),
        ("pi_integral_const", true, |s| {
            s.servo_config.pi_integral_const = 0.5;
        }),
        ("pi_proportional_scale", true, |s| {
            s.servo_config.pi_proportional_scale = 0.5;
        }),
        ("pi_proportional_exponent", true, |s| {
            s.servo_config.pi_proportional_exponent = 0.5;
        }),
        ("pi_proportional_norm_max", true, |s| {
            s.servo_config.pi_proportional_norm_max = 0.5;
        }),
        ("pi_integral_scale", true, |s| {
            s.servo_config.pi_integral_scale = 0.5;
        }),
        ("pi_integral_exponent", true, |s| {
            s.servo_config.pi_integral_exponent = 0.5;
        }),
        ("pi_integral_norm_max", true, |s| {
            s.servo_config.pi_integral_norm_max = 0.5;
        }),
        ("step_threshold", true, |s| {
            s.servo_config.step_threshold = Duration::from_millis(1);
        }),
        ("first_step_threshold", true, |s| {
            s.servo_config.first_step_threshold = Duration::from_millis(1);
        }),
        ("max_frequency", true, |s| {
            s.servo_config.max_frequency = Ppb(1000.0);
        }),
        ("servo_offset_threshold", true, |s| {
            s.servo_config.servo_offset_threshold = Duration::from_nanos(100);
        }),
        ("servo_num_offset_values", true, |s| {
            s.servo_config.servo_num_offset_values = 3;
        }),
        ("servo time stamping", true, |s| {
            s.servo_config.time_stamping = TimestampingMode::Software;
        }),
        ("servo sync interval", true, |s| {
            s.servo_config.sync_interval = Duration::from_millis(500);
        }),
        ("kalman tuning", true, |s| {
            s.servo_config.kalman.wander = Ppb(1.0);
        }),
        ("statime tuning", true, |s| {
            s.servo_config.statime.deadzone = 1.0;
        }),
    ];
    assert!(instance_changes(&base, &base).is_empty());
    for (name, in_place, change) in cases {
        let mut new = base.clone();
        change(&mut new);
        let changes = instance_changes(&base, &new);
        assert!(only(&changes, name, *in_place), "{name}: {changes:?}");
    }
    // The ports are compared one by one, not as a clock-wide setting.
    let mut more_ports = base.clone();
    more_ports.ports.push(PortSettings::default());
    assert!(instance_changes(&base, &more_ports).is_empty());
}

#[test]
fn every_port_setting_has_its_class() {
    let base = PortSettings::default();
    type Change = fn(&mut PortSettings);
    let cases: &[(&str, bool, Change)] = &[
        ("network_transport", false, |p| {
            p.transport.network_transport = NetworkTransport::L2;
        }),
        ("udp6_scope", false, |p| p.transport.udp6_scope = 2),
        ("udp_ttl", false, |p| p.transport.udp_ttl = 3),
        ("dscp_event", false, |p| p.transport.dscp_event = 46),
        ("dscp_general", false, |p| p.transport.dscp_general = 34),
        ("socket_priority", false, |p| {
            p.transport.socket_priority = 5
        }),
        ("ptp_dst_mac", false, |p| {
            p.transport.ptp_dst_mac = MacAddress([1, 0x80, 0xc2, 0, 0, 0x0e]);
        }),
        ("p2p_dst_mac", false, |p| {
            p.transport.p2p_dst_mac = MacAddress([1, 0x80, 0xc2, 0, 0, 0x0f]);
        }),
        ("delay_mechanism", false, |p| {
            p.delay_mechanism = DelayMechanism::P2P;
        }),
        ("logAnnounceInterval", true, |p| {
            p.log_announce_interval = LogInterval(0);
        }),
        ("announceReceiptTimeout", true, |p| {
            p.announce_receipt_timeout = 4;
        }),
        ("logSyncInterval", true, |p| {
            p.log_sync_interval = LogInterval(-1)
        }),
        ("logMinDelayReqInterval", true, |p| {
            p.log_min_delay_req_interval = LogInterval(-1);
        }),
        ("logMinPdelayReqInterval", true, |p| {
            p.log_min_pdelay_req_interval = LogInterval(-1);
        }),
        ("delay_request_variability", true, |p| {
            p.delay_request_variability = 0.3;
        }),
        ("delayAsymmetry", true, |p| {
            p.delay_asymmetry = Duration::from_nanos(10);
        }),
        ("ingressLatency", true, |p| {
            p.ingress_latency = Duration::from_nanos(10);
        }),
        ("egressLatency", true, |p| {
            p.egress_latency = Duration::from_nanos(10);
        }),
        ("masterOnly", false, |p| p.master_only = true),
        ("G.8275.portDS.localPriority", true, |p| {
            p.local_priority = 1
        }),
        ("fault_reset_interval", true, |p| {
            p.fault_reset_interval = None
        }),
        ("delay_filter", true, |p| {
            p.delay_filter_median = !p.delay_filter_median;
        }),
        ("delay_filter_length", true, |p| p.delay_filter_length = 3),
        ("neighborPropDelayThresh", true, |p| {
            p.neighbor_prop_delay_thresh = Duration::from_micros(1);
        }),
        ("tsproc_mode", true, |p| p.raw_delay = !p.raw_delay),
        ("ignore_transport_specific", true, |p| {
            p.ignore_transport_specific = true;
        }),
        ("path_trace_enabled", true, |p| p.path_trace_enabled = true),
        ("unicast_master_table", false, |p| {
            p.unicast_peers = vec![PeerAddress::UdpV4(core::net::Ipv4Addr::LOCALHOST)];
        }),
        ("physical address", true, |p| {
            p.physical_address = vec![1; 6]
        }),
        ("protocol address", true, |p| {
            p.protocol_address = vec![1; 4]
        }),
    ];
    assert!(port_changes(&base, &base).is_empty());
    for (name, in_place, change) in cases {
        let mut new = base.clone();
        change(&mut new);
        let changes = port_changes(&base, &new);
        assert!(only(&changes, name, *in_place), "{name}: {changes:?}");
    }
}

#[test]
fn an_in_place_change_changes_no_state_and_a_port_restart_only_its_port() {
    let two = "[global]\npriority2 100\n[eth0]\n[eth1]\n";
    let mut clock = started(two);
    // Nothing changed: nothing done.
    let (report, actions) = reload(&mut clock, two);
    assert!(report.is_empty(), "{report}");
    assert!(actions.is_empty(), "{actions:?}");

    let (report, actions) = reload(
        &mut clock,
        "[global]\npriority2 90\n[eth0]\n[eth1]\nlogSyncInterval -1\n",
    );
    assert_eq!(
        report.to_string(),
        "in place: priority2, port 2 logSyncInterval"
    );
    assert!(sockets_and_states(&actions).is_empty(), "{actions:?}");
    assert!(!actions.iter().any(|a| matches!(
        a,
        OwnedAction::ArmTimer { .. } | OwnedAction::CancelTimer(_)
    )));
    assert_eq!(clock.default_ds().priority_2, 90);
    assert_eq!(
        clock.port_ds(PortIndex(1)).unwrap().log_sync_interval,
        LogInterval(-1)
    );
    assert_eq!(clock.settings().priority_2, 90);

    // The delay mechanism restarts that port, and nothing else.
    let (report, actions) = reload(
        &mut clock,
        "[global]\npriority2 90\n[eth0]\n[eth1]\nlogSyncInterval -1\ndelay_mechanism P2P\n",
    );
    assert_eq!(
        report.to_string(),
        "restarted port 2 (eth1) for delay_mechanism"
    );
    assert_eq!(
        sockets_and_states(&actions),
        [
            "close 2",
            "2 Listening>Disabled",
            "open 2",
            "2 Disabled>Listening"
        ]
    );
    let touched: Vec<PortIndex> = actions
        .iter()
        .filter_map(|a| match a {
            OwnedAction::ArmTimer { timer, .. } | OwnedAction::CancelTimer(timer) => {
                Some(timer.port)
            }
            _ => None,
        })
        .collect();
    assert!(!touched.is_empty());
    assert!(touched.iter().all(|p| *p == PortIndex(1)), "{touched:?}");
    let port = clock.port_settings(PortIndex(1)).unwrap();
    assert_eq!(port.delay_mechanism, DelayMechanism::P2P);
    assert_eq!(
        clock.port_ds(PortIndex(1)).unwrap().delay_mechanism,
        DelayMechanism::P2P
    );
}

#[test]
fn a_management_set_survives_a_reload_that_does_not_change_that_setting() {
    let mut clock = started("[global]\nclockClass 248\n[eth0]\n");
    let mut log = ActionLog::default();
    let mut quality = clock.default_ds().clock_quality;
    quality.clock_class = 7;
    let mut tp = *clock.time_properties_ds();
    tp.time_traceable = true;
    clock.set_grandmaster_settings(quality, tp, NOW, &mut log);
    clock.set_priorities(10, 20, NOW, &mut log);

    // An unrelated edit keeps every value management set.
    reload(
        &mut clock,
        "[global]\nclockClass 248\nlogSyncInterval -1\n[eth0]\n",
    );
    let d = *clock.default_ds();
    assert_eq!(
        (d.clock_quality.clock_class, d.priority_1, d.priority_2),
        (7, 10, 20)
    );
    assert!(clock.time_properties_ds().time_traceable);

    // A configured clockClass replaces the one management set; the priorities stay.
    let (report, _) = reload(
        &mut clock,
        "[global]\nclockClass 6\nlogSyncInterval -1\n[eth0]\n",
    );
    assert_eq!(report.to_string(), "in place: clockQuality");
    let d = *clock.default_ds();
    assert_eq!(
        (d.clock_quality.clock_class, d.priority_1, d.priority_2),
        (6, 10, 20)
    );
    // What a grandmaster announces follows at once (parentDS of itself).
    assert_eq!(clock.parent_ds().grandmaster_clock_quality.clock_class, 6);

    // priority2 configured: replaced; priority1 still management's.
    reload(
        &mut clock,
        "[global]\nclockClass 6\npriority2 50\nlogSyncInterval -1\n[eth0]\n",
    );
    assert_eq!(
        (clock.default_ds().priority_1, clock.default_ds().priority_2),
        (10, 50)
    );
    // And across an instance restart too.
    reload(
        &mut clock,
        "[global]\nclockClass 6\npriority2 50\ndomainNumber 5\nlogSyncInterval -1\n[eth0]\n",
    );
    assert_eq!(
        (clock.default_ds().priority_1, clock.default_ds().priority_2),
        (10, 50)
    );
    assert_eq!(clock.default_ds().domain_number, 5);
}

/// An Announce from `sender` for a grandmaster of priority1 `priority_1`.
fn announce(sender: PortIdentity, priority_1: u8, seq: u16) -> Vec<u8> {
    let header = Header {
        source_port_identity: sender,
        sequence_id: seq,
        log_message_interval: LogInterval(1),
        ..Header::default()
    };
    let body = Body::Announce(Announce {
        grandmaster_priority_1: priority_1,
        grandmaster_identity: sender.clock_identity,
        ..Announce::default()
    });
    let mut buf = [0u8; 128];
    let n = Message::new(header, body).encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

#[test]
fn a_priority_change_runs_the_state_decision_again() {
    let mut clock = started("[eth0]\n");
    let master = PortIdentity {
        clock_identity: ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, 9]),
        port_number: 1,
    };
    let mut log = ActionLog::default();
    // The first Announce of a foreign master is not counted; two more qualify it.
    for seq in 0..3 {
        let rx = crate::engine::RxMeta::default();
        clock.handle_message(PortIndex(0), &announce(master, 100, seq), rx, NOW, &mut log);
    }
    assert_eq!(clock.slave_port(), Some(PortIndex(0)));
    assert_eq!(
        clock.parent_ds().grandmaster_identity,
        master.clock_identity
    );

    // Better than that grandmaster now: this clock is the grandmaster, its port a master.
    let (report, actions) = reload(&mut clock, "[global]\npriority1 50\n[eth0]\n");
    assert_eq!(report.to_string(), "in place: priority1");
    assert_eq!(sockets_and_states(&actions), ["1 Uncalibrated>Master"]);
    assert_eq!(clock.slave_port(), None);
    assert_eq!(clock.parent_ds().grandmaster_identity, ID);
}

#[test]
fn an_interval_change_takes_effect_when_the_timer_next_expires() {
    let mut clock = started("[global]\npriority1 50\n[eth0]\n");
    let mut log = ActionLog::default();
    let receipt = Timer {
        port: PortIndex(0),
        kind: TimerKind::AnnounceReceipt,
    };
    clock.handle_timer(receipt, NOW, &mut log);
    assert_eq!(
        clock.port_ds(PortIndex(0)).unwrap().port_state,
        PortState::Master
    );
    let sync = Timer {
        port: PortIndex(0),
        kind: TimerKind::Sync,
    };
    clock.handle_timer(sync, NOW, &mut log);
    let armed = log.take();
    assert!(armed.contains(&OwnedAction::ArmTimer {
        timer: sync,
        after: Duration::from_secs(1)
    }));

    // Reconfigured: the armed Sync timer is left alone (it fires on the old schedule)...
    let (_, actions) = reload(
        &mut clock,
        "[global]\npriority1 50\nlogSyncInterval -2\n[eth0]\n",
    );
    assert!(actions.is_empty(), "{actions:?}");
    // ...and re-armed with the new interval when it does.
    clock.handle_timer(sync, NOW + Duration::from_secs(1), &mut log);
    assert!(log.take().contains(&OwnedAction::ArmTimer {
        timer: sync,
        after: Duration::from_millis(250)
    }));
}

/// A management GET of `id` for port number `port_number`, as pmc sends it.
fn get(id: ManagementId, port_number: u16) -> Vec<u8> {
    let mut data_buf = [0u8; 16];
    let tlv = ManagementTlv::build(id, &ManagementData::Empty, &mut data_buf).unwrap();
    let mut suffix_buf = [0u8; 32];
    let mut w = TlvWriter::new(&mut suffix_buf);
    w.push(&Tlv::Management(tlv)).unwrap();
    let message = Message {
        header: Header::default(),
        body: Body::Management(Management {
            target_port_identity: PortIdentity {
                clock_identity: PortIdentity::ALL.clock_identity,
                port_number,
            },
            starting_boundary_hops: 0,
            boundary_hops: 0,
            action: MgmtAction::Get,
        }),
        suffix: w.finish().unwrap(),
    };
    let mut buf = [0u8; 128];
    let n = message.encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// The portNumbers that answer `request` on the local socket, and any error status.
fn answers(clock: &mut Instance, request: &[u8]) -> Vec<(u16, Option<ManagementErrorId>)> {
    let mut responses = Vec::new();
    let mut log = ActionLog::default();
    clock
        .handle_local_management(request, NOW, &mut log, &mut |r| {
            responses.push(r.to_vec());
        })
        .unwrap();
    responses
        .iter()
        .map(|r| {
            let m = Message::decode(r).unwrap();
            let error = match m.suffix.iter().next() {
                Some(Ok(Tlv::ManagementErrorStatus(e))) => Some(e.error),
                _ => None,
            };
            (m.header.source_port_identity.port_number, error)
        })
        .collect()
}

#[test]
fn ports_are_added_and_removed_in_slots_and_management_follows() {
    let mut clock = started("[eth0]\n[eth1]\n");
    let identity_1 = clock.port_ds(PortIndex(0)).unwrap().port_identity;

    let (report, actions) = reload(&mut clock, "[eth0]\n[eth1]\n[eth2]\n");
    assert_eq!(report.to_string(), "added port 3 (eth2)");
    assert_eq!(
        sockets_and_states(&actions),
        ["open 3", "3 Initializing>Listening"]
    );
    assert_eq!(clock.default_ds().number_ports, 3);

    let (report, actions) = reload(&mut clock, "[eth0]\n[eth2]\n");
    assert_eq!(report.to_string(), "removed port 2 (eth1)");
    assert_eq!(
        sockets_and_states(&actions),
        ["close 2", "2 Listening>Disabled"]
    );
    let cancelled = actions
        .iter()
        .filter(|a| matches!(a, OwnedAction::CancelTimer(t) if t.port == PortIndex(1)))
        .count();
    assert_eq!(cancelled, TimerKind::ALL.len());
    assert_eq!(
        clock.ports().collect::<Vec<_>>(),
        [PortIndex(0), PortIndex(2)]
    );
    assert_eq!(clock.default_ds().number_ports, 2);
    assert!(clock.port_ds(PortIndex(1)).is_none());
    assert!(clock.port_settings(PortIndex(1)).is_none());
    // Port 1 untouched.
    assert_eq!(
        clock.port_ds(PortIndex(0)).unwrap().port_identity,
        identity_1
    );

    // Management: "all ports" is the live ones; port 2 is answered as a port that does
    // not exist; a clock-wide ID is answered whatever port 1 is.
    let all = answers(&mut clock, &get(ManagementId::PORT_DATA_SET, 0xffff));
    assert_eq!(all, [(1, None), (3, None)]);
    let gone = answers(&mut clock, &get(ManagementId::PORT_DATA_SET, 2));
    assert_eq!(gone, [(0, Some(ManagementErrorId::WRONG_VALUE))]);
    let third = answers(&mut clock, &get(ManagementId::PORT_DATA_SET, 3));
    assert_eq!(third, [(3, None)]);
    reload(&mut clock, "[eth2]\n");
    assert!(clock.port_ds(PortIndex(0)).is_none());
    let default_ds = answers(&mut clock, &get(ManagementId::DEFAULT_DATA_SET, 0xffff));
    assert_eq!(default_ds, [(0, None)]);

    // A new port takes the lowest free slot.
    let (report, _) = reload(&mut clock, "[eth2]\n[eth3]\n");
    assert_eq!(report.to_string(), "added port 1 (eth3)");
    assert_eq!(clock.port_settings(PortIndex(0)).unwrap().name, "eth3");
    assert_eq!(clock.default_ds().number_ports, 2);
}

#[test]
fn a_clock_identity_change_restarts_the_instance_from_the_current_frequency() {
    let mut clock = started("[eth0]\n[eth1]\n");
    let mut log = ActionLog::default();
    clock.adjust_clock(ClockAction::SetFrequency(Ppb(-1234.0)), &mut log);
    log.take();
    let (report, actions) = reload(
        &mut clock,
        "[global]\nclockIdentity 020000.fffe.000002\n[eth0]\n[eth1]\n[eth2]\n",
    );
    assert_eq!(
        report.to_string(),
        "instance restarted for clockIdentity; added port 3 (eth2)"
    );
    assert_eq!(
        sockets_and_states(&actions),
        [
            "close 1",
            "1 Listening>Disabled",
            "close 2",
            "2 Listening>Disabled",
            "open 1",
            "1 Disabled>Listening",
            "open 2",
            "2 Disabled>Listening",
            "open 3",
            "3 Initializing>Listening",
        ]
    );
    // The clock is not touched: the new servo starts where the old one was.
    assert!(!actions.iter().any(|a| matches!(a, OwnedAction::Clock(_))));
    assert_eq!(clock.frequency(), Ppb(-1234.0));
    let new = ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, 2]);
    assert_eq!(clock.default_ds().clock_identity, new);
    assert_eq!(clock.parent_ds().grandmaster_identity, new);
    for port in clock.ports() {
        assert_eq!(
            clock.port_ds(port).unwrap().port_identity.clock_identity,
            new
        );
    }
}

#[test]
fn settings_without_ports_are_refused_and_change_nothing() {
    let mut clock = started("[global]\npriority1 5\n[eth0]\n");
    let mut empty = settings("[global]\npriority1 7\n[eth0]\n");
    empty.ports.clear();
    let mut log = ActionLog::default();
    assert_eq!(
        clock.reconfigure(empty, NOW, &mut log),
        Err(SettingsError::NoPorts)
    );
    assert!(log.take().is_empty());
    assert_eq!(clock.default_ds().priority_1, 5);
    // The same clock takes a valid change (positive control).
    reload(&mut clock, "[global]\npriority1 7\n[eth0]\n");
    assert_eq!(clock.default_ds().priority_1, 7);
}
