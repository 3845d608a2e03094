//! Bad input into a synchronised engine: wrong domain, its own messages looped back, a
//! Follow_Up without its Sync, absurd correction fields, a Delay_Resp for someone else,
//! garbage — each is dropped with a reason, nothing panics, and the clock is not touched.
//! Plus a sequenceId wrap under a fast sync rate, which must go unnoticed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use ptp_core::engine::{DropReason, Event, PortIndex, RxMeta};
use ptp_core::sim::{ClockModel, EngineNode, NodeId, OscillatorModel, SegmentConfig, Simulation};
use ptp_core::time::{Duration, Ppb, Time, TimeInterval};
use ptp_core::wire::{
    Announce, Body, DelayResp, Flags, FollowUp, Header, Message, PortIdentity, PortState, Sync,
    Timestamp,
};
use support::sim::{engine, identity, START};

fn slave_clock() -> ClockModel {
    ClockModel {
        oscillator: OscillatorModel {
            initial_offset: Duration::from_micros(100),
            frequency_error: Ppb(10_000.0),
            wander: Ppb::ZERO,
        },
        ..ClockModel::IDEAL
    }
}

/// A grandmaster and a slave, run until the slave is locked.
fn locked_pair(gm_text: &str, secs: i64) -> (Simulation, NodeId, NodeId) {
    let mut sim = Simulation::new(11, START);
    let gm = sim.add_node(engine(1, 1, gm_text), 1, ClockModel::IDEAL);
    let oc = sim.add_node(engine(2, 1, "[global]\nslaveOnly 1\n"), 1, slave_clock());
    let seg = sim.add_segment(SegmentConfig::fixed(Duration::from_micros(20)));
    sim.connect(gm, 0, seg);
    sim.connect(oc, 0, seg);
    sim.run_until(
        sim.now() + Duration::from_secs(secs),
        Duration::from_secs(1),
        |_| {},
    );
    (sim, gm, oc)
}

fn header(source: PortIdentity, seq: u16) -> Header {
    Header {
        source_port_identity: source,
        sequence_id: seq,
        ..Header::default()
    }
}

fn gm_port() -> PortIdentity {
    PortIdentity {
        clock_identity: identity(1),
        port_number: 1,
    }
}

fn encode(header: Header, body: Body) -> Vec<u8> {
    let mut buf = [0u8; 256];
    let n = Message::new(header, body).encode(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// Delivers the message `message(now)` encodes to the slave at once, `now` being the slave's
/// reading on arrival; returns the events it caused.
fn deliver(sim: &mut Simulation, oc: NodeId, message: impl FnOnce(Time) -> Vec<u8>) -> Vec<Event> {
    let seen = sim.node::<EngineNode>(oc).unwrap().events.len();
    sim.with_node::<EngineNode>(oc, |node, clock, out| {
        node.with_instance(clock, out, |instance, now, sink| {
            let rx = RxMeta {
                timestamp: Some(now),
                source: None,
            };
            instance.handle_message(PortIndex(0), &message(now), rx, now, sink);
        });
    });
    let node = sim.node::<EngineNode>(oc).unwrap();
    node.events[seen..].iter().map(|(_, e)| *e).collect()
}

/// Delivers `bytes` to the slave at once and returns the events it caused and how much the
/// slave's clock moved (its error before and after, no time passing); its frequency must not
/// change.
fn inject(sim: &mut Simulation, oc: NodeId, bytes: &[u8]) -> (Vec<Event>, Duration) {
    let before = sim.clock_error(oc).unwrap();
    let frequency = sim.node::<EngineNode>(oc).unwrap().instance.frequency();
    let events = deliver(sim, oc, |_| bytes.to_vec());
    let node = sim.node::<EngineNode>(oc).unwrap();
    assert_eq!(node.instance.frequency(), frequency, "frequency changed");
    let moved = sim.clock_error(oc).unwrap() - before;
    (events, moved)
}

fn dropped(reason: DropReason) -> Vec<Event> {
    vec![Event::Dropped {
        port: PortIndex(0),
        reason,
    }]
}

#[test]
fn bad_messages_are_dropped_without_touching_the_clock() {
    let (mut sim, _gm, oc) = locked_pair("[global]\nclockClass 6\n", 60);
    let state = |sim: &Simulation| {
        sim.node::<EngineNode>(oc)
            .unwrap()
            .instance
            .port_ds(PortIndex(0))
            .unwrap()
            .port_state
    };
    assert_eq!(state(&sim), PortState::Slave);
    let ts = Timestamp::new(1_700_000_100, 0).unwrap();

    // Another domain.
    let mut h = header(gm_port(), 7);
    h.domain_number = 5;
    let sync = Body::Sync(Sync {
        origin_timestamp: ts,
    });
    assert_eq!(
        inject(&mut sim, oc, &encode(h, sync)),
        (dropped(DropReason::OtherDomain), Duration::ZERO)
    );

    // Our own Announce, looped back.
    let own = PortIdentity {
        clock_identity: identity(2),
        port_number: 1,
    };
    let announce = Body::Announce(Announce {
        grandmaster_identity: identity(2),
        ..Announce::default()
    });
    assert_eq!(
        inject(&mut sim, oc, &encode(header(own, 1), announce)),
        (dropped(DropReason::OwnMessage), Duration::ZERO)
    );

    // A one-step Sync whose correction claims a day of residence time.
    let mut h = header(gm_port(), 9);
    h.correction = TimeInterval::from_nanos(86_400_000_000_000);
    assert_eq!(
        inject(&mut sim, oc, &encode(h, sync)),
        (dropped(DropReason::AbsurdTime), Duration::ZERO)
    );

    // A Follow_Up with no Sync: kept in case its Sync is late, and harmless.
    let fup = Body::FollowUp(FollowUp {
        precise_origin_timestamp: ts,
    });
    assert_eq!(
        inject(&mut sim, oc, &encode(header(gm_port(), 12345), fup)),
        (vec![], Duration::ZERO)
    );

    // A Delay_Resp to another clock's Delay_Req.
    let resp = Body::DelayResp(DelayResp {
        receive_timestamp: ts,
        requesting_port_identity: PortIdentity {
            clock_identity: identity(9),
            port_number: 1,
        },
    });
    assert_eq!(
        inject(&mut sim, oc, &encode(header(gm_port(), 3), resp)),
        (dropped(DropReason::Unmatched), Duration::ZERO)
    );

    // A Sync from a clock that is not our parent.
    let stranger = PortIdentity {
        clock_identity: identity(7),
        port_number: 1,
    };
    let mut h = header(stranger, 1);
    h.flags = Flags(Flags::TWO_STEP);
    assert_eq!(
        inject(&mut sim, oc, &encode(h, sync)),
        (dropped(DropReason::NotFromParent), Duration::ZERO)
    );

    // Garbage and truncation.
    let good = encode(header(gm_port(), 1), sync);
    for bad in [&good[..20], &[0xff; 64][..], &[][..]] {
        let (events, moved) = inject(&mut sim, oc, bad);
        assert!(
            matches!(
                events.as_slice(),
                [Event::Dropped {
                    reason: DropReason::Malformed(_),
                    ..
                }]
            ),
            "{events:?}"
        );
        assert_eq!(moved, Duration::ZERO);
    }

    // The control: the same one-step Sync from the parent, in our domain, with no correction
    // and stamped a link delay (20 µs) before it arrives, is taken the same way and feeds the
    // servo a sample.
    let events = deliver(&mut sim, oc, |now| {
        let origin_timestamp = Timestamp::from_time(now - Duration::from_micros(20));
        encode(header(gm_port(), 10), Body::Sync(Sync { origin_timestamp }))
    });
    assert!(
        matches!(events.as_slice(), [Event::Sample { .. }]),
        "{events:?}"
    );

    // And the slave carries on synchronised.
    let end = sim.now() + Duration::from_secs(20);
    sim.run_until(end, Duration::from_secs(1), |_| {});
    assert_eq!(state(&sim), PortState::Slave);
    assert!(sim.clock_error(oc).unwrap().abs() < Duration::from_nanos(100));
}

/// How many of the node's events so far satisfy `f`.
fn count(sim: &Simulation, node: NodeId, f: impl Fn(&Event) -> bool) -> usize {
    let events = &sim.node::<EngineNode>(node).unwrap().events;
    events.iter().filter(|(_, e)| f(e)).count()
}

#[test]
fn sequence_id_wrap_goes_unnoticed() {
    // 128 Sync per second: the 16-bit sequenceId wraps after 512 s.
    let (mut sim, _gm, oc) = locked_pair("[global]\nclockClass 6\nlogSyncInterval -7\n", 30);
    let unmatched_before = count(&sim, oc, |e| {
        matches!(
            e,
            Event::Dropped {
                reason: DropReason::Unmatched,
                ..
            }
        )
    });
    let mut worst = Duration::ZERO;
    let end = sim.now() + Duration::from_secs(560);
    sim.run_until(end, Duration::from_secs(1), |s| {
        worst = worst.max(s.clock_error(oc).unwrap().abs());
    });
    let samples = count(&sim, oc, |e| matches!(e, Event::Sample { .. }));
    assert!(samples > 65_536, "only {samples} samples: no wrap happened");
    let unmatched = count(&sim, oc, |e| {
        matches!(
            e,
            Event::Dropped {
                reason: DropReason::Unmatched,
                ..
            }
        )
    });
    assert_eq!(
        unmatched, unmatched_before,
        "messages went unmatched across the wrap"
    );
    let node = sim.node::<EngineNode>(oc).unwrap();
    assert_eq!(
        node.instance.port_ds(PortIndex(0)).unwrap().port_state,
        PortState::Slave
    );
    assert!(worst < Duration::from_nanos(100), "worst error {worst:?}");
}
