//! Seeded simulations of whole PTP networks built from our engine: who becomes grandmaster,
//! who follows whom, and how closely (true clock error, which only a simulator can see).
//!
//! Every scenario uses ptp4l.conf text for its clocks, so the configuration path is the one
//! users take. Time stamps carry software-like noise unless a test says otherwise.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{Instance, InstanceSettings, PortIndex};
use ptp_core::sim::{ClockModel, EngineNode, NodeId, SegmentConfig, Simulation};
use ptp_core::time::{Duration, Ppb};
use ptp_core::wire::PortState;
use support::sim::{engine, free_running, identity, rms, START};

fn link() -> SegmentConfig {
    SegmentConfig::fixed(Duration::from_micros(50))
}

fn port_state(sim: &Simulation, node: NodeId, port: u16) -> PortState {
    sim.node::<EngineNode>(node)
        .unwrap()
        .instance
        .port_ds(PortIndex(port))
        .unwrap()
        .port_state
}

fn instance(sim: &Simulation, node: NodeId) -> &Instance {
    &sim.node::<EngineNode>(node).unwrap().instance
}

/// Runs for `secs` and returns the true errors (ns) of `node` relative to `reference`,
/// sampled every 100 ms.
fn run(sim: &mut Simulation, secs: i64, node: NodeId, reference: NodeId) -> Vec<(f64, f64)> {
    let mut trace = Vec::new();
    let end = sim.now() + Duration::from_secs(secs);
    sim.run_until(end, Duration::from_millis(100), |s| {
        let e = s.clock_error(node).unwrap() - s.clock_error(reference).unwrap();
        trace.push(((s.now() - START).secs_f64(), e.nanos_f64()));
    });
    trace
}

/// Every clock in these scenarios stamps in software, so all keep UTC and no timescale
/// conversion applies; `utc_clocks_follow_a_ptp_timescale_grandmaster_the_utc_offset_behind`
/// is the one with a grandmaster on the PTP timescale.
const GM: &str = "[global]\npriority1 100\nclockClass 6\ntime_stamping software\n";
/// A grandmaster with hardware time stamps: on the PTP timescale (TAI).
const TAI_GM: &str = "[global]\npriority1 100\nclockClass 6\n";
const OC: &str = "[global]\nslaveOnly 1\ntime_stamping software\n";

#[test]
fn grandmaster_to_ordinary_clock_converges_and_locks() {
    let mut sim = Simulation::new(1, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let oc = sim.add_node(engine(2, 1, OC), 1, free_running(300_000, 0));
    let seg = sim.add_segment(link());
    sim.connect(gm, 0, seg);
    sim.connect(oc, 0, seg);

    let trace = run(&mut sim, 120, oc, gm);
    assert_eq!(port_state(&sim, gm, 0), PortState::Master);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    let oc_instance = instance(&sim, oc);
    assert_eq!(oc_instance.parent_ds().grandmaster_identity, identity(1));
    assert_eq!(oc_instance.current_ds().steps_removed, 1);
    assert_eq!(
        oc_instance
            .parent_ds()
            .grandmaster_clock_quality
            .clock_class,
        6
    );
    // With exact time stamps the clock ends within a few ns of the grandmaster.
    let tail = &trace[trace.len() - 300..];
    let worst = tail.iter().map(|(_, e)| e.abs()).fold(0.0, f64::max);
    assert!(worst < 50.0, "worst error over the last 30 s: {worst} ns");
    // The mean path delay is the link's.
    let delay = oc_instance.current_ds().mean_path_delay;
    assert!(
        (delay - Duration::from_micros(50)).abs() < Duration::from_nanos(5),
        "{delay:?}"
    );
}

#[test]
fn noisy_time_stamps_still_lock_within_noise() {
    let mut sim = Simulation::new(2, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let oc = sim.add_node(engine(2, 1, OC), 1, free_running(-700_000, 500));
    let seg = sim.add_segment(link());
    sim.connect(gm, 0, seg);
    sim.connect(oc, 0, seg);
    let trace = run(&mut sim, 600, oc, gm);
    for (t, e) in trace.iter().step_by(300) {
        println!("{t:8.1} s {e:12.0} ns");
    }
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    let tail = &trace[trace.len() / 2..];
    let r = rms(tail.iter().map(|(_, e)| *e));
    // 500 ns RMS per time stamp; the default (Kalman) servo filters it to a fraction.
    println!("noisy: steady-state RMS {r:.1} ns");
    assert!(r < 200.0, "steady-state RMS {r} ns");
}

/// A boundary clock. While it has not synchronised yet, its master port serves its own free-
/// running time; when it then steps onto the grandmaster, the clocks below must step too.
/// ptp4l's default step_threshold (0: never after the first update) would make them slew
/// for minutes, so downstream clocks here allow steps above 10 µs, as deployments do.
const BC: &str = "[global]\ntime_stamping software\nstep_threshold 0.00001\n";
/// The slave-only clock below a boundary clock.
const OC_BELOW_BC: &str = "[global]\nslaveOnly 1\ntime_stamping software\nstep_threshold 0.00001\n";

#[test]
fn grandmaster_boundary_clock_ordinary_clock_chain() {
    let mut sim = Simulation::new(3, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let bc = sim.add_node(engine(2, 2, BC), 2, free_running(200_000, 0));
    let oc = sim.add_node(engine(3, 1, OC_BELOW_BC), 1, free_running(-400_000, 0));
    let upstream = sim.add_segment(link());
    let downstream = sim.add_segment(link());
    sim.connect(gm, 0, upstream);
    sim.connect(bc, 0, upstream);
    sim.connect(bc, 1, downstream);
    sim.connect(oc, 0, downstream);

    let trace = run(&mut sim, 240, oc, gm);
    assert_eq!(port_state(&sim, bc, 0), PortState::Slave);
    assert_eq!(port_state(&sim, bc, 1), PortState::Master);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    let oc_instance = instance(&sim, oc);
    assert_eq!(oc_instance.parent_ds().grandmaster_identity, identity(1));
    assert_eq!(
        oc_instance.parent_ds().parent_port_identity.clock_identity,
        identity(2)
    );
    assert_eq!(oc_instance.current_ds().steps_removed, 2);
    let worst = trace[trace.len() - 300..]
        .iter()
        .map(|(_, e)| e.abs())
        .fold(0.0, f64::max);
    println!("BC chain: OC worst {worst:.1} ns");
    assert!(
        worst < 50.0,
        "OC worst error over the last 30 s: {worst} ns"
    );
}

#[test]
fn best_of_two_grandmasters_is_chosen_and_the_other_takes_over_when_it_fails() {
    let mut sim = Simulation::new(4, START);
    let gm1 = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let gm2 = sim.add_node(
        engine(
            2,
            1,
            "[global]\npriority1 110\nclockClass 6\ntime_stamping software\n",
        ),
        1,
        ClockModel::IDEAL,
    );
    let oc = sim.add_node(engine(3, 1, OC), 1, free_running(100_000, 0));
    let seg = sim.add_segment(link());
    for n in [gm1, gm2, oc] {
        sim.connect(n, 0, seg);
    }
    run(&mut sim, 60, oc, gm1);
    assert_eq!(port_state(&sim, gm1, 0), PortState::Master);
    // A clockClass-6 clock that hears a better grandmaster stays quiet (P1).
    assert_eq!(port_state(&sim, gm2, 0), PortState::Passive);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    assert_eq!(
        instance(&sim, oc).parent_ds().grandmaster_identity,
        identity(1)
    );

    let failed_at = sim.now();
    sim.power_off(gm1);
    let mut switched_after = None;
    let end = sim.now() + Duration::from_secs(60);
    sim.run_until(end, Duration::from_millis(100), |s| {
        let oc_gm = s
            .node::<EngineNode>(oc)
            .unwrap()
            .instance
            .parent_ds()
            .grandmaster_identity;
        if switched_after.is_none() && oc_gm == identity(2) {
            switched_after = Some((s.now() - failed_at).secs_f64());
        }
    });
    let switched_after = switched_after.expect("the OC never followed the second grandmaster");
    // Announce interval 2 s, announceReceiptTimeout 3: the passive grandmaster notices after
    // 6 s and the OC after 6 s; qualifying the new master takes a few more Announces.
    println!("failover after {switched_after:.1} s");
    assert!(
        switched_after <= 6.0 * 2.0 + 8.0,
        "failover took {switched_after} s"
    );
    assert_eq!(port_state(&sim, gm2, 0), PortState::Master);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    // And the OC locks to it again (gm2 is an ideal clock too).
    let trace = run(&mut sim, 60, oc, gm2);
    let worst = trace[trace.len() - 100..]
        .iter()
        .map(|(_, e)| e.abs())
        .fold(0.0, f64::max);
    println!("after failover: worst {worst:.1} ns");
    assert!(worst < 50.0, "after failover: {worst} ns");
}

#[test]
fn second_port_on_the_same_segment_goes_passive_instead_of_forming_a_loop() {
    let mut sim = Simulation::new(5, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let bc = sim.add_node(engine(2, 2, BC), 2, free_running(0, 0));
    let seg = sim.add_segment(link());
    sim.connect(gm, 0, seg);
    sim.connect(bc, 0, seg);
    sim.connect(bc, 1, seg);
    run(&mut sim, 60, bc, gm);
    assert_eq!(port_state(&sim, bc, 0), PortState::Slave);
    assert_eq!(port_state(&sim, bc, 1), PortState::Passive);
}

const P2P: &str = "delay_mechanism P2P\n";

/// The worst tail error of the ordinary clock at the end of the P2P chain spreads more than
/// the other scenarios' (it carries the boundary clock's error on top of its own): over 200
/// seeds (6–19906, every 100th) median 12 ns, 90th percentile 26 ns, worst 57 ns. Judged over
/// [`SEEDS`] against 100 ns, 1.75 times the worst seen.
const P2P_CHAIN_WORST_NS: f64 = 100.0;

/// Seeds of the scenario whose figure spreads widely from seed to seed.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

#[test]
fn peer_to_peer_chain_measures_every_link_and_synchronises_the_end() {
    for seed in SEEDS {
        peer_to_peer_chain(seed);
    }
}

fn peer_to_peer_chain(seed: u64) {
    let mut sim = Simulation::new(seed, START);
    let gm = sim.add_node(engine(1, 1, &format!("{GM}{P2P}")), 1, ClockModel::IDEAL);
    let bc = sim.add_node(
        engine(2, 2, &format!("{BC}{P2P}")),
        2,
        free_running(50_000, 0),
    );
    let oc = sim.add_node(
        engine(3, 1, &format!("{OC_BELOW_BC}{P2P}")),
        1,
        free_running(-80_000, 0),
    );
    let upstream = sim.add_segment(SegmentConfig::fixed(Duration::from_micros(30)));
    let downstream = sim.add_segment(SegmentConfig::fixed(Duration::from_micros(70)));
    sim.connect(gm, 0, upstream);
    sim.connect(bc, 0, upstream);
    sim.connect(bc, 1, downstream);
    sim.connect(oc, 0, downstream);
    let trace = run(&mut sim, 240, oc, gm);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave, "seed {seed}");
    assert_eq!(port_state(&sim, bc, 1), PortState::Master, "seed {seed}");
    let peer_delay = |node, port| {
        instance(&sim, node)
            .port_ds(PortIndex(port))
            .unwrap()
            .peer_mean_path_delay
    };
    let near =
        |d: Duration, us: i64| (d - Duration::from_micros(us)).abs() < Duration::from_nanos(10);
    // Every port measures its link, the master ports too.
    for (node, port, us) in [(gm, 0, 30), (bc, 0, 30), (bc, 1, 70), (oc, 0, 70)] {
        let d = peer_delay(node, port);
        assert!(near(d, us), "seed {seed}: {node:?} port {port}: {d:?}");
    }
    let worst = trace[trace.len() - 300..]
        .iter()
        .map(|(_, e)| e.abs())
        .fold(0.0, f64::max);
    println!("P2P chain, seed {seed}: OC worst {worst:.1} ns");
    assert!(
        worst < P2P_CHAIN_WORST_NS,
        "seed {seed}: OC worst error: {worst} ns"
    );
}

/// Two equal grandmasters, one on each port of a slave-only clock.
fn two_equal_grandmasters(comparison: &str) -> (Simulation, NodeId) {
    let mut sim = Simulation::new(7, START);
    let gm = "[global]\nclockClass 6\ntime_stamping software\n";
    let gm1 = sim.add_node(engine(1, 1, gm), 1, ClockModel::IDEAL);
    let gm2 = sim.add_node(engine(2, 1, gm), 1, ClockModel::IDEAL);
    let text = format!(
        "[global]\nslaveOnly 1\ntime_stamping software\n{comparison}\n\
         [eth0]\nG.8275.portDS.localPriority 200\n[eth1]\nG.8275.portDS.localPriority 100\n"
    );
    let loaded = parse_ptp4l_conf(&text).unwrap();
    let settings = InstanceSettings::from_config(&loaded.config, identity(3)).unwrap();
    let oc_node = Box::new(EngineNode::new(Instance::new(settings).unwrap()));
    let oc = sim.add_node(oc_node, 2, free_running(0, 0));
    let a = sim.add_segment(link());
    let b = sim.add_segment(link());
    sim.connect(gm1, 0, a);
    sim.connect(oc, 0, a);
    sim.connect(gm2, 0, b);
    sim.connect(oc, 1, b);
    run(&mut sim, 30, oc, gm1);
    (sim, oc)
}

#[test]
fn g8275_selects_by_port_local_priority_where_ieee1588_uses_the_identity() {
    let (sim, oc) = two_equal_grandmasters("dataset_comparison ieee1588");
    assert_eq!(
        instance(&sim, oc).parent_ds().grandmaster_identity,
        identity(1)
    );
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);

    let (sim, oc) = two_equal_grandmasters("dataset_comparison G.8275.x");
    assert_eq!(
        instance(&sim, oc).parent_ds().grandmaster_identity,
        identity(2)
    );
    assert_eq!(port_state(&sim, oc, 1), PortState::Slave);
    assert_eq!(port_state(&sim, oc, 0), PortState::Listening);
}

#[test]
fn clock_class_change_at_the_grandmaster_reaches_the_downstream_data_sets() {
    let mut sim = Simulation::new(8, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let bc = sim.add_node(engine(2, 2, BC), 2, free_running(0, 0));
    let oc = sim.add_node(engine(3, 1, OC_BELOW_BC), 1, free_running(0, 0));
    let a = sim.add_segment(link());
    let b = sim.add_segment(link());
    sim.connect(gm, 0, a);
    sim.connect(bc, 0, a);
    sim.connect(bc, 1, b);
    sim.connect(oc, 0, b);
    run(&mut sim, 60, oc, gm);
    let class = |sim: &Simulation| {
        instance(sim, oc)
            .parent_ds()
            .grandmaster_clock_quality
            .clock_class
    };
    assert_eq!(class(&sim), 6);
    assert!(!instance(&sim, oc).time_properties_ds().time_traceable);

    // GNSS lost: holdover class 7; then traceable again with a valid UTC offset.
    sim.with_node::<EngineNode>(gm, |node, clock, out| {
        node.with_instance(clock, out, |instance, now, sink| {
            let mut quality = instance.default_ds().clock_quality;
            quality.clock_class = 7;
            let mut tp = *instance.time_properties_ds();
            tp.time_traceable = true;
            tp.current_utc_offset_valid = true;
            tp.current_utc_offset = 37;
            instance.set_grandmaster_settings(quality, tp, now, sink);
        });
    });
    run(&mut sim, 10, oc, gm);
    assert_eq!(class(&sim), 7);
    let tp = *instance(&sim, oc).time_properties_ds();
    assert!(tp.time_traceable && tp.current_utc_offset_valid);
    assert_eq!(tp.current_utc_offset, 37);
    assert_eq!(
        instance(&sim, bc)
            .parent_ds()
            .grandmaster_clock_quality
            .clock_class,
        7
    );
    // Still synchronised through it all.
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
}

#[test]
fn static_unicast_peers_synchronise_without_multicast() {
    // Nodes 0 (grandmaster) and 1 (slave) list each other's address; node 2, a multicast
    // slave on the same segment, hears nothing it could follow.
    let table = |peer: usize| {
        let address = Simulation::address(NodeId(peer), 0);
        format!("[unicast_master_table]\ntable_id 1\n{address}\n[eth0]\nunicast_master_table 1\n")
    };
    let node = |n: u8, text: String| {
        let loaded = parse_ptp4l_conf(&text).unwrap();
        let settings = InstanceSettings::from_config(&loaded.config, identity(n)).unwrap();
        Box::new(EngineNode::new(Instance::new(settings).unwrap()))
    };
    let mut sim = Simulation::new(9, START);
    let gm = sim.add_node(node(1, format!("{GM}{}", table(1))), 1, ClockModel::IDEAL);
    let oc = sim.add_node(
        node(2, format!("{OC}{}", table(0))),
        1,
        free_running(30_000, 0),
    );
    let bystander = sim.add_node(engine(3, 1, OC), 1, free_running(0, 0));
    let seg = sim.add_segment(link());
    for n in [gm, oc, bystander] {
        sim.connect(n, 0, seg);
    }
    let trace = run(&mut sim, 120, oc, gm);
    assert_eq!(port_state(&sim, gm, 0), PortState::Master);
    assert_eq!(port_state(&sim, oc, 0), PortState::Slave);
    assert_eq!(port_state(&sim, bystander, 0), PortState::Listening);
    let delay = instance(&sim, oc).current_ds().mean_path_delay;
    assert!(
        (delay - Duration::from_micros(50)).abs() < Duration::from_nanos(5),
        "{delay:?}"
    );
    let worst = trace[trace.len() - 300..]
        .iter()
        .map(|(_, e)| e.abs())
        .fold(0.0, f64::max);
    assert!(worst < 50.0, "unicast slave worst error: {worst} ns");
}

/// The grandmaster's frequency changes under a locked slave (a grandmaster that is itself
/// steered: a boundary clock, or a GNSS clock going into holdover). The default servo must
/// learn the new frequency, whether the change is large (the first Syncs after it are
/// outliers) or small (each is only a little further off than the last, which the noise
/// estimate would otherwise absorb).
#[test]
fn a_grandmaster_frequency_change_is_followed() {
    for change_ppb in [30.0, 100.0, 10_000.0] {
        let mut sim = Simulation::new(5, START);
        let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
        let oc = sim.add_node(engine(2, 1, OC), 1, free_running(-400_000, 0));
        let seg = sim.add_segment(link());
        sim.connect(gm, 0, seg);
        sim.connect(oc, 0, seg);
        run(&mut sim, 60, oc, gm);
        sim.with_node::<EngineNode>(gm, |_, clock, _| clock.set_frequency(Ppb(change_ppb)));
        let trace = run(&mut sim, 120, oc, gm);
        let worst = trace[trace.len() - 300..]
            .iter()
            .map(|(_, e)| e.abs())
            .fold(0.0, f64::max);
        println!("GM frequency {change_ppb:+} ppb: OC worst {worst:.1} ns over the last 30 s");
        assert!(worst < 50.0, "{change_ppb} ppb: worst {worst} ns");
        let frequency = instance(&sim, oc).frequency().get();
        assert!(
            (frequency - (change_ppb - 10_000.0)).abs() < 5.0,
            "{change_ppb} ppb: OC frequency {frequency} ppb"
        );
    }
}

#[test]
fn a_free_running_slave_measures_but_stays_uncalibrated_like_ptp4l() {
    let mut sim = Simulation::new(12, START);
    let gm = sim.add_node(engine(1, 1, GM), 1, ClockModel::IDEAL);
    let oc_text = format!("{OC}free_running 1\n");
    let oc = sim.add_node(engine(2, 1, &oc_text), 1, free_running(20_000, 0));
    let seg = sim.add_segment(link());
    sim.connect(gm, 0, seg);
    sim.connect(oc, 0, seg);
    let trace = run(&mut sim, 30, oc, gm);
    assert_eq!(port_state(&sim, oc, 0), PortState::Uncalibrated);
    // Untouched: the clock keeps its offset and drifts at its own +10 ppm.
    let (_, last) = trace[trace.len() - 1];
    assert!((last - 320_000.0).abs() < 1_000.0, "{last} ns");
    // It still measures: the offsets it reports are the clock's true error when the last Sync
    // arrived (20 µs + 10 ppm × ~29 s).
    let samples: Vec<_> = sim
        .node::<EngineNode>(oc)
        .unwrap()
        .events
        .iter()
        .filter_map(|(_, e)| match e {
            ptp_core::engine::Event::Sample { offset, servo, .. } => Some((*offset, *servo)),
            _ => None,
        })
        .collect();
    assert!(samples.len() > 10);
    let (offset, servo) = samples[samples.len() - 1];
    assert_eq!(servo, ptp_core::servo::ServoState::Unlocked);
    assert!(
        (305_000.0..320_000.0).contains(&offset.nanos_f64()),
        "{offset:?}"
    );
}

/// ptp4l's timescales. A clock with software time stamps keeps UTC (it is CLOCK_REALTIME);
/// one with hardware time stamps keeps the PTP timescale (TAI) in its PHC. Under a
/// grandmaster on the PTP timescale, a UTC boundary clock and a UTC ordinary clock below it
/// settle the UTC offset behind (the configured `utc_offset`, 37 s, until the grandmaster
/// announces one valid and traceable), while a PTP-timescale clock below the UTC boundary
/// clock keeps TAI: the boundary clock hands on the timescale it announces.
#[test]
fn utc_clocks_follow_a_ptp_timescale_grandmaster_the_utc_offset_behind() {
    let mut sim = Simulation::new(12, START);
    let gm = sim.add_node(engine(1, 1, TAI_GM), 1, ClockModel::IDEAL);
    let bc = sim.add_node(engine(2, 2, BC), 2, free_running(0, 0));
    let utc_oc = sim.add_node(engine(3, 1, OC_BELOW_BC), 1, free_running(0, 0));
    let tai_oc = sim.add_node(
        engine(4, 1, "[global]\nslaveOnly 1\nstep_threshold 0.00001\n"),
        1,
        free_running(0, 0),
    );
    let a = sim.add_segment(link());
    let b = sim.add_segment(link());
    sim.connect(gm, 0, a);
    sim.connect(bc, 0, a);
    sim.connect(bc, 1, b);
    sim.connect(utc_oc, 0, b);
    sim.connect(tai_oc, 0, b);
    let behind = |sim: &mut Simulation, node: NodeId| {
        (sim.clock_error(node).unwrap() - sim.clock_error(gm).unwrap()).nanos_f64()
    };
    let near = |got: f64, want_s: f64| (got - want_s * 1e9).abs() < 1_000.0;

    run(&mut sim, 120, utc_oc, gm);
    assert!(instance(&sim, utc_oc).time_properties_ds().ptp_timescale);
    for (node, want) in [(bc, -37.0), (utc_oc, -37.0), (tai_oc, 0.0)] {
        let got = behind(&mut sim, node);
        assert!(near(got, want), "node {node:?}: {got} ns, want {want} s");
    }

    // A leap second later the grandmaster knows the offset: 38 s, valid and traceable.
    sim.with_node::<EngineNode>(gm, |node, clock, out| {
        node.with_instance(clock, out, |instance, now, sink| {
            let quality = instance.default_ds().clock_quality;
            let mut tp = *instance.time_properties_ds();
            tp.time_traceable = true;
            tp.current_utc_offset_valid = true;
            tp.current_utc_offset = 38;
            instance.set_grandmaster_settings(quality, tp, now, sink);
        });
    });
    run(&mut sim, 120, utc_oc, gm);
    for (node, want) in [(bc, -38.0), (utc_oc, -38.0), (tai_oc, 0.0)] {
        let got = behind(&mut sim, node);
        assert!(near(got, want), "node {node:?}: {got} ns, want {want} s");
    }
    assert_eq!(port_state(&sim, utc_oc, 0), PortState::Slave);
    assert_eq!(port_state(&sim, tai_oc, 0), PortState::Slave);
}
