//! BMCA cost: recording one Announce in a port's foreign master list (with `Erbest`
//! recomputed), and one state decision over a four-port boundary clock, for both data set
//! comparisons.
//!
//! Run with `cargo bench -p ptp-benches --bench bmca`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ptp_core::bmca::{ComparisonDataset, ForeignMasterList, LocalClock, PortInput, StateDecision};
use ptp_core::config::enums::DatasetComparison;
use ptp_core::time::{Duration, LogInterval, Time};
use ptp_core::wire::{Announce, ClockIdentity, ClockQuality, Header, PortIdentity, PortState};

fn cid(n: u8) -> ClockIdentity {
    ClockIdentity([0, 0x11, 0x22, 0xff, 0xfe, 0, 0, n])
}

fn pid(clock: u8, port: u16) -> PortIdentity {
    PortIdentity {
        clock_identity: cid(clock),
        port_number: port,
    }
}

fn announce(gm: u8, class: u8, steps: u16) -> Announce {
    Announce {
        grandmaster_priority_1: 128,
        grandmaster_clock_quality: ClockQuality {
            clock_class: class,
            ..ClockQuality::default()
        },
        grandmaster_priority_2: 128,
        grandmaster_identity: cid(gm),
        steps_removed: steps,
        ..Announce::default()
    }
}

fn header(sender: PortIdentity) -> Header {
    Header {
        source_port_identity: sender,
        log_message_interval: LogInterval(0),
        ..Header::default()
    }
}

fn local() -> LocalClock {
    LocalClock {
        clock_identity: cid(1),
        clock_quality: ClockQuality::default(),
        priority_1: 128,
        priority_2: 128,
        local_priority: 128,
        slave_only: false,
    }
}

fn bench_announce(c: &mut Criterion, algorithm: DatasetComparison) {
    // Four foreign masters heard on the port, all qualified.
    let mut list = ForeignMasterList::<8>::new(cid(1), 255);
    let senders = [pid(10, 1), pid(11, 1), pid(12, 1), pid(13, 1)];
    let mut now = Time::from_secs_nanos(1_700_000_000, 0);
    for _ in 0..3 {
        for (k, s) in senders.iter().enumerate() {
            list.record(&header(*s), &announce(20 + k as u8, 6, 1), now);
        }
        now += Duration::from_secs(1);
    }
    let mut heard = senders.iter().enumerate().cycle();
    c.bench_function(
        &format!("bmca/announce+erbest/{}", algorithm.label()),
        |b| {
            b.iter(|| {
                now += Duration::from_millis(250);
                if let Some((k, sender)) = heard.next() {
                    let outcome = list.record(
                        black_box(&header(*sender)),
                        black_box(&announce(20 + k as u8, 6, 1)),
                        now,
                    );
                    black_box(outcome);
                }
                black_box(list.best(algorithm, pid(1, 1), 128, now).map(|(_, ds)| ds))
            })
        },
    );
}

fn bench_decision(c: &mut Criterion, algorithm: DatasetComparison) {
    let me = local();
    let ports: Vec<PortInput> = (1..=4u16)
        .map(|n| PortInput {
            state: PortState::Master,
            erbest: Some(ComparisonDataset::from_announce(
                &header(pid(30 + n as u8, 1)),
                &announce(9, 6, n - 1),
                pid(1, n),
                128,
            )),
            master_only: false,
        })
        .collect();
    c.bench_function(
        &format!("bmca/state_decision_4_ports/{}", algorithm.label()),
        |b| {
            b.iter(|| {
                let d = StateDecision::new(algorithm, black_box(&me), black_box(&ports));
                let mut acc = 0u32;
                for r in d.recommendations().flatten() {
                    acc = acc.wrapping_add(r as u32);
                }
                black_box(acc)
            })
        },
    );
}

fn bmca(c: &mut Criterion) {
    for algorithm in [DatasetComparison::Ieee1588, DatasetComparison::G8275] {
        bench_announce(c, algorithm);
        bench_decision(c, algorithm);
    }
}

criterion_group!(benches, bmca);
criterion_main!(benches);
