//! Replays the fuzz inputs kept in the repository — `fuzz/seeds/<target>/`, and
//! `fuzz/corpus/<target>/` and `fuzz/artifacts/<target>/` when a local fuzzing run left them —
//! through the same checks the cargo-fuzz targets run (`ptp_core::__fuzz`), so CI exercises
//! them on the stable toolchain.
//!
//! The codec targets' seeds are golden capture packets, one per distinct shape (transport,
//! message type, majorSdoId, TLV types, managementId, length). `engine_inputs`'s seeds are
//! the small scenarios of `engine_seeds` (an E2E slave that locks, a master, a P2P boundary
//! clock, a boundary clock changing grandmaster, faults and port changes, management),
//! written as typed inputs; the replay of each
//! must reach what the scenario is for, so that a change of the input format or of the
//! engine cannot leave seeds that do nothing. `seeds_are_current` checks that the seed files
//! hold exactly these inputs; `PTP_WRITE_FUZZ_SEEDS=1 cargo test -p ptp-core --test
//! fuzz_corpus_replay` writes missing or changed ones.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ptp_core::__fuzz::engine::input::{
    encode, Advance, AnnounceSpec, BodySpec, EnableSpec, FaultSpec, GrandmasterSpec, HeaderSpec,
    LocalManagementSpec, ManagementSpec, Op, PortSpec, PrioritiesSpec, ReceiveSpec, ReplySpec,
    RxSpec, Settings, TimeSpec, TimerSpec, TxLostSpec, TxStampSpec,
};
use ptp_core::__fuzz::engine::{run, Outcome};
use ptp_core::__fuzz::TARGETS;
use ptp_core::wire::management::ManagementTlv;
use ptp_core::wire::management::{GrandmasterSettingsNp, ManagementData, ManagementId, TimeFlags};
use ptp_core::wire::{
    ClockAccuracy, ClockQuality, Message, MessageType, PortState, TimeSource, Tlv,
};
use support::pcap::{ptp_payloads, Transport};

fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files directly inside `dir`, or none if it does not exist.
fn files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<_> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn every_kept_fuzz_input_passes_its_target_check() {
    for (target, check) in TARGETS {
        let seeds = files_in(&fuzz_dir().join("seeds").join(target));
        assert!(!seeds.is_empty(), "no seeds for fuzz target {target}");
        let local = ["corpus", "artifacts"]
            .iter()
            .flat_map(|kind| files_in(&fuzz_dir().join(kind).join(target)));
        for path in seeds.iter().cloned().chain(local) {
            let data = std::fs::read(&path).unwrap();
            if let Err(failure) = check(&data) {
                panic!("{target}: {}: {failure}", path.display());
            }
        }
    }
}

/// FNV-1a, 64 bits: a stable file name for a seed's content.
fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The first golden packet of each shape.
fn golden_seeds() -> Vec<Vec<u8>> {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut by_shape = BTreeMap::new();
    let mut captures: Vec<_> = std::fs::read_dir(&data)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    captures.sort();
    for capture in captures {
        for p in ptp_payloads(&capture) {
            let m = Message::decode(&p.payload).unwrap();
            let tlvs: Vec<(u16, u16)> = m
                .suffix
                .iter()
                .map(|t| {
                    let t = t.unwrap();
                    let id = match t {
                        Tlv::Management(m) => m.id.0,
                        Tlv::ManagementErrorStatus(e) => e.id.0,
                        _ => 0,
                    };
                    (t.tlv_type().0, id)
                })
                .collect();
            let shape = (
                p.transport == Transport::UdpV6,
                m.message_type() as u8,
                m.header.major_sdo_id,
                tlvs,
                p.payload.len(),
            );
            by_shape.entry(shape).or_insert(p.payload);
        }
    }
    by_shape.into_values().collect()
}

/// Checks that `path` holds `seed` (writes it first with `PTP_WRITE_FUZZ_SEEDS`).
fn check_seed_file(path: &Path, seed: &[u8]) {
    if std::env::var_os("PTP_WRITE_FUZZ_SEEDS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, seed).unwrap();
    }
    let kept = std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e} (PTP_WRITE_FUZZ_SEEDS=1 writes it)", path.display()));
    assert_eq!(
        kept,
        seed,
        "{} (PTP_WRITE_FUZZ_SEEDS=1 rewrites it)",
        path.display()
    );
}

#[test]
fn seeds_are_current() {
    let seeds = golden_seeds();
    assert!(seeds.len() > 10, "only {} seed shapes", seeds.len());
    for target in ["message_decode", "message_roundtrip"] {
        let dir = fuzz_dir().join("seeds").join(target);
        for seed in &seeds {
            check_seed_file(&dir.join(format!("golden-{:016x}", fnv1a(seed))), seed);
        }
    }
    let dir = fuzz_dir().join("seeds/engine_inputs");
    for (name, seed, _) in engine_seeds() {
        check_seed_file(&dir.join(name), &seed);
    }
}

#[test]
fn engine_seeds_reach_what_they_are_for() {
    for (name, seed, reached) in engine_seeds() {
        let outcome = run(&seed).unwrap_or_else(|f| panic!("{name}: {f}"));
        assert!(reached(&outcome), "{name} reached only {outcome:?}");
    }
}

// The engine_inputs seeds.

const SECOND: u8 = 29; // 2^30 ns ≈ 1.07 s with a mantissa of 0
const PEER_A: u8 = 0;
const PEER_B: u8 = 1;
const PARENT: u8 = 3;

fn settings(switches: u8, servo: u8) -> Settings {
    Settings {
        switches,
        servo,
        priority_1: 128,
        priority_2: 128,
        clock_class: 248,
        ..Settings::default()
    }
}

/// True time passes by about `ms` milliseconds (1 ≤ ms ≤ 256, in units of 2^20 ns).
fn wait_ms(ms: u8) -> Op {
    Op::Advance(Advance {
        exponent: 20,
        mantissa: ms - 1,
    })
}

fn wait_s(s: u8) -> Op {
    Op::Advance(Advance {
        exponent: SECOND,
        mantissa: s - 1,
    })
}

fn header(source: u8, two_step: bool) -> HeaderSpec {
    HeaderSpec {
        source,
        flags: u8::from(two_step),
        ..HeaderSpec::default()
    }
}

fn receive(port: u8, header: HeaderSpec, body: BodySpec) -> Op {
    Op::Receive(ReceiveSpec {
        port: PortSpec { port },
        rx: RxSpec::default(),
        header,
        body,
        corrupt_at: 0,
        corrupt_xor: 0,
    })
}

/// An Announce from `source` of a grandmaster of clockClass 6.
fn announce(port: u8, source: u8) -> Op {
    announce_of_class(port, source, 6)
}

/// An Announce from `source`, the grandmaster, of `clock_class`.
fn announce_of_class(port: u8, source: u8, clock_class: u8) -> Op {
    receive(
        port,
        header(source, false),
        BodySpec::Announce(AnnounceSpec {
            priority_1: 128,
            priority_2: 128,
            clock_class,
            clock_accuracy: 0x21,
            variance: 0x4e5d,
            time_source: 0x20,
            utc_offset: 37,
            ..AnnounceSpec::default()
        }),
    )
}

/// The time of an event 10 µs away (the path delay of the time model).
fn ten_us() -> TimeSpec {
    TimeSpec { offset: 10_000 }
}

fn fire(port: u8, kind: u8) -> Op {
    Op::FireTimer(TimerSpec {
        port: PortSpec { port },
        kind,
    })
}

const DELAY_REQ_TIMER: u8 = 3;
const PDELAY_REQ_TIMER: u8 = 4;
const QUALIFICATION_TIMER: u8 = 5;

fn stamp_oldest() -> Op {
    Op::TxStamp(TxStampSpec { pick: 0, delay: 2 })
}

/// Announce from peer A on eth0 until it is qualified and chosen.
fn follow_peer_a() -> Vec<Op> {
    (0..3)
        .flat_map(|_| [announce(0, PEER_A), wait_ms(250)])
        .collect()
}

/// One E2E round on eth0 with the parent: one-step Sync, Delay_Req and its answer.
fn e2e_round() -> Vec<Op> {
    vec![
        receive(0, header(PARENT, false), BodySpec::Sync(ten_us())),
        fire(0, DELAY_REQ_TIMER),
        stamp_oldest(),
        receive(
            0,
            header(PARENT, false),
            BodySpec::DelayResp(ReplySpec {
                requester: 0,
                time: ten_us(),
            }),
        ),
        announce(0, PARENT),
        wait_ms(250),
    ]
}

/// One P2P measurement on eth0 with peer A: our Pdelay_Req and its two-step answer.
fn p2p_round() -> Vec<Op> {
    let reply = |offset| ReplySpec {
        requester: 0,
        time: TimeSpec { offset },
    };
    vec![
        fire(0, PDELAY_REQ_TIMER),
        stamp_oldest(),
        receive(0, header(PEER_A, true), BodySpec::PdelayResp(reply(10_000))),
        receive(
            0,
            header(PEER_A, false),
            BodySpec::PdelayRespFollowUp(reply(12_000)),
        ),
    ]
}

fn id_index(id: ManagementId) -> u8 {
    u8::try_from(ManagementId::ALL.iter().position(|i| *i == id).unwrap()).unwrap()
}

fn management(action: u8, id: ManagementId, target_port: u8, data: Vec<u8>) -> ManagementSpec {
    ManagementSpec {
        action,
        id: id_index(id),
        target: 0,
        target_port,
        hops: 1,
        data,
    }
}

fn local(body: ManagementSpec) -> Op {
    Op::LocalManagement(LocalManagementSpec {
        header: header(PEER_B, false),
        body,
    })
}

const GET: u8 = 0;
const SET: u8 = 1;
const COMMAND: u8 = 3;

/// Each seed: file name, bytes, and what its replay must reach.
type Seed = (&'static str, Vec<u8>, fn(&Outcome) -> bool);

fn engine_seeds() -> Vec<Seed> {
    let slave_only = 1 << 2;
    let pi = 1;
    let mut e2e_slave = follow_peer_a();
    for _ in 0..4 {
        e2e_slave.extend(e2e_round());
    }

    let mut master = vec![Op::FireNextTimer; 6];
    master.extend([
        stamp_oldest(),
        stamp_oldest(),
        receive(0, header(PEER_B, false), BodySpec::DelayReq(ten_us())),
        receive(
            1,
            header(PEER_B, false),
            BodySpec::Management(management(GET, ManagementId::PORT_DATA_SET, 255, vec![])),
        ),
        wait_s(1),
        Op::FireNextTimer,
        Op::FireNextTimer,
    ]);

    let both_p2p = 0b11;
    let mut p2p_boundary = vec![
        receive(1, header(PEER_B, false), BodySpec::PdelayReq(ten_us())),
        stamp_oldest(),
    ];
    p2p_boundary.extend(follow_peer_a());
    for _ in 0..3 {
        p2p_boundary.extend(p2p_round());
        p2p_boundary.extend([
            receive(0, header(PARENT, true), BodySpec::Sync(ten_us())),
            receive(0, header(PARENT, false), BodySpec::FollowUp(ten_us())),
            announce(0, PARENT),
            wait_ms(250),
        ]);
    }
    p2p_boundary.extend(vec![Op::FireNextTimer; 4]);

    // eth1 follows peer B's grandmaster until eth0 hears a better one (peer A's): eth1 is
    // then a master of the new tree, after PRE_MASTER's qualification.
    let mut better_master: Vec<Op> = (0..3)
        .flat_map(|_| [announce_of_class(1, PEER_B, 100), wait_ms(250)])
        .collect();
    better_master.extend(follow_peer_a());
    better_master.push(fire(1, QUALIFICATION_TIMER));

    let mut faults = follow_peer_a();
    faults.extend(e2e_round());
    faults.extend([
        fire(0, DELAY_REQ_TIMER),
        Op::TxLost(TxLostSpec { pick: 0 }),
        Op::EnablePort(EnableSpec {
            port: PortSpec { port: 1 },
            enabled: 0,
        }),
        Op::PortFault(FaultSpec {
            port: PortSpec { port: 1 },
            fault: 3,
        }),
        Op::FireNextTimer,
        Op::EnablePort(EnableSpec {
            port: PortSpec { port: 1 },
            enabled: 1,
        }),
    ]);
    faults.extend(vec![Op::FireNextTimer; 8]);

    let mut gm_data = [0u8; 16];
    let gm = ManagementData::GrandmasterSettingsNp(GrandmasterSettingsNp {
        clock_quality: ClockQuality {
            clock_class: 7,
            clock_accuracy: ClockAccuracy(0x21),
            offset_scaled_log_variance: 0x4e5d,
        },
        current_utc_offset: 37,
        time_flags: TimeFlags(TimeFlags::PTP_TIMESCALE),
        time_source: TimeSource::GNSS,
    });
    let gm_data = ManagementTlv::build(ManagementId::GRANDMASTER_SETTINGS_NP, &gm, &mut gm_data)
        .unwrap()
        .raw_data
        .to_vec();
    let management_ops = vec![
        local(management(GET, ManagementId::DEFAULT_DATA_SET, 0, vec![])),
        local(management(GET, ManagementId::PORT_DATA_SET, 255, vec![])),
        local(management(SET, ManagementId::PRIORITY1, 0, vec![100, 0])),
        local(management(
            SET,
            ManagementId::GRANDMASTER_SETTINGS_NP,
            0,
            gm_data,
        )),
        local(management(COMMAND, ManagementId::ENABLE_PORT, 1, vec![])),
        Op::FireNextTimer,
        receive(
            0,
            header(PEER_B, false),
            BodySpec::Management(management(GET, ManagementId::TIME_STATUS_NP, 0, vec![])),
        ),
        receive(
            0,
            header(PEER_B, false),
            BodySpec::Management(management(SET, ManagementId::PRIORITY2, 0, vec![1, 0])),
        ),
        Op::SetPriorities(PrioritiesSpec {
            priority_1: 128,
            priority_2: 127,
        }),
        Op::SetGrandmaster(GrandmasterSpec {
            clock_class: 6,
            clock_accuracy: 0x21,
            variance: 0x4e5d,
            utc_offset: 37,
            flags: 0x3c,
            time_source: 0x20,
        }),
        local(management(
            GET,
            ManagementId::TIME_PROPERTIES_DATA_SET,
            0,
            vec![],
        )),
    ];

    vec![
        (
            "e2e-slave",
            encode(&settings(slave_only, pi), &e2e_slave),
            |o| o.reached(0, PortState::Slave) && o.locked_samples > 0 && o.clock_actions > 0,
        ),
        ("master", encode(&settings(0, 0), &master), |o| {
            o.reached(0, PortState::Master)
                && o.sent(MessageType::FollowUp) > 0
                && o.sent(MessageType::DelayResp) > 0
                && o.sent(MessageType::Management) > 1
        }),
        (
            "p2p-boundary",
            encode(&settings(both_p2p, pi), &p2p_boundary),
            |o| {
                o.reached(0, PortState::Slave)
                    && o.reached(1, PortState::Master)
                    && o.sent(MessageType::PdelayRespFollowUp) > 0
            },
        ),
        (
            "better-master",
            encode(&settings(0, 0), &better_master),
            |o| {
                o.reached(1, PortState::Uncalibrated)
                    && o.reached(1, PortState::PreMaster)
                    && o.reached(1, PortState::Master)
                    && o.reached(0, PortState::Uncalibrated)
            },
        ),
        ("faults", encode(&settings(0, pi), &faults), |o| {
            o.reached(0, PortState::Faulty)
                && o.reached(1, PortState::Disabled)
                && o.reached(1, PortState::Master)
        }),
        (
            "management",
            encode(&settings(0, 0), &management_ops),
            |o| o.management_replies >= 5 && o.sent(MessageType::Management) >= 2,
        ),
    ]
}
