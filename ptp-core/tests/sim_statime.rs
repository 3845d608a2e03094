//! Interoperation with statime 0.4.0, a second, independent IEEE 1588 implementation, in
//! seeded simulations: a statime grandmaster with our engine as slave and our grandmaster
//! with a statime slave (E2E and P2P, exact and noisy time stamps), both deciding who is
//! master, and three-clock chains through a boundary clock of either kind. Success is judged
//! by port states, data sets and the true clock error that only the simulator can see.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use ptp_core::engine::PortIndex;
use ptp_core::sim::{
    ClockModel, EngineNode, NodeId, SegmentConfig, SimNode, Simulation, StatimeNode,
    StatimePortConfig,
};
use ptp_core::time::Duration;
use ptp_core::wire::{PortState, TimeSource};
use statime::config::{
    AcceptAnyMaster, DelayMechanism, InstanceConfig, LeapIndicator, PtpMinorVersion, SdoId,
    TimePropertiesDS,
};
use statime::filters::KalmanConfiguration;
use statime::observability::port::PortState as StatimePortState;
use statime::time::Interval;
use support::sim::{engine, free_running, identity, rms, START};

const LINK_DELAY: Duration = Duration::from_micros(50);

/// statime's port with ptp4l's default intervals (Announce every 2 s, timeout 3, Sync and
/// delay requests every second).
fn statime_port(p2p: bool) -> StatimePortConfig {
    let interval = Interval::from_log_2(0);
    StatimePortConfig {
        acceptable_master_list: AcceptAnyMaster,
        delay_mechanism: if p2p {
            DelayMechanism::P2P { interval }
        } else {
            DelayMechanism::E2E { interval }
        },
        announce_interval: Interval::from_log_2(1),
        announce_receipt_timeout: 3,
        sync_interval: Interval::from_log_2(0),
        master_only: false,
        delay_asymmetry: statime::time::Duration::ZERO,
        minor_ptp_version: PtpMinorVersion::One,
    }
}

/// statime's instance configuration for clock `n`, domain 0.
fn statime_instance(n: u8, priority_1: u8, slave_only: bool) -> InstanceConfig {
    InstanceConfig {
        clock_identity: statime::config::ClockIdentity(identity(n).0),
        priority_1,
        priority_2: 128,
        domain_number: 0,
        sdo_id: SdoId::default(),
        slave_only,
        path_trace: false,
    }
}

/// An ordinary statime clock with statime's Kalman filter. It is configured as a GNSS-locked
/// clock on the PTP timescale with a known UTC offset (statime 0.4.0 ignores this once it is
/// grandmaster).
fn statime(n: u8, priority_1: u8, slave_only: bool, p2p: bool) -> Box<StatimeNode> {
    Box::new(StatimeNode::new(
        statime_instance(n, priority_1, slave_only),
        TimePropertiesDS::new_ptp_time(
            Some(37),
            LeapIndicator::NoLeap,
            true,
            true,
            statime::config::TimeSource::Gnss,
        ),
        vec![statime_port(p2p)],
        &KalmanConfiguration::default(),
        u64::from(n),
    ))
}

/// Two nodes on one 50 µs link.
fn pair(
    seed: u64,
    gm: Box<dyn SimNode>,
    gm_model: ClockModel,
    slave: Box<dyn SimNode>,
    slave_model: ClockModel,
) -> (Simulation, NodeId, NodeId) {
    let mut sim = Simulation::new(seed, START);
    let gm = sim.add_node(gm, 1, gm_model);
    let slave = sim.add_node(slave, 1, slave_model);
    let seg = sim.add_segment(SegmentConfig::fixed(LINK_DELAY));
    sim.connect(gm, 0, seg);
    sim.connect(slave, 0, seg);
    (sim, gm, slave)
}

/// Runs for `secs` and returns the true errors (ns) of `node` relative to `reference`,
/// sampled every 100 ms.
fn run(sim: &mut Simulation, secs: i64, node: NodeId, reference: NodeId) -> Vec<f64> {
    let mut trace = Vec::new();
    let end = sim.now() + Duration::from_secs(secs);
    sim.run_until(end, Duration::from_millis(100), |s| {
        let e = s.clock_error(node).unwrap() - s.clock_error(reference).unwrap();
        trace.push(e.nanos_f64());
    });
    trace
}

/// Our clocks here stamp in software, so they keep UTC (as ptp4l's do) and follow a
/// grandmaster on the PTP timescale the UTC offset behind: 37 s, the configured `utc_offset`,
/// since statime announces none valid. This is their error from that, in ns.
fn from_utc(trace: Vec<f64>) -> Vec<f64> {
    const UTC_OFFSET_NS: f64 = 37e9;
    trace.into_iter().map(|e| e + UTC_OFFSET_NS).collect()
}

fn worst(xs: &[f64]) -> f64 {
    xs.iter().map(|e| e.abs()).fold(0.0, f64::max)
}

fn engine_port_state(sim: &Simulation, node: NodeId) -> PortState {
    sim.node::<EngineNode>(node)
        .unwrap()
        .instance
        .port_ds(PortIndex(0))
        .unwrap()
        .port_state
}

fn statime_port_state(sim: &Simulation, node: NodeId) -> StatimePortState {
    sim.node::<StatimeNode>(node)
        .unwrap()
        .port_ds(0)
        .unwrap()
        .port_state
}

const OUR_GM: &str = "[global]\npriority1 100\nclockClass 6\n";
const OUR_OC: &str = "[global]\nslaveOnly 1\ntime_stamping software\n";

fn with_delay_mechanism(conf: &str, p2p: bool) -> String {
    if p2p {
        format!("{conf}delay_mechanism P2P\n")
    } else {
        conf.to_string()
    }
}

fn mechanism(p2p: bool) -> &'static str {
    if p2p {
        "P2P"
    } else {
        "E2E"
    }
}

/// The tail looked at: the last 30 s of a 120 s run. Over seeds 1 to 20 every scenario
/// below was within 1 µs of its grandmaster after 45 s at the latest.
const TAIL: usize = 300;

/// A statime grandmaster (clock class 248, the only one statime 0.4.0 has) and our slave-only
/// clock; returns the slave's true error trace.
fn statime_gm_to_our_oc(p2p: bool, seed: u64, noise_ns: i64) -> Vec<f64> {
    let (mut sim, gm, oc) = pair(
        seed,
        statime(1, 128, false, p2p),
        ClockModel::IDEAL,
        engine(2, 1, &with_delay_mechanism(OUR_OC, p2p)),
        free_running(300_000, noise_ns),
    );
    let trace = from_utc(run(&mut sim, 120, oc, gm));
    assert_eq!(statime_port_state(&sim, gm), StatimePortState::Master);
    assert_eq!(engine_port_state(&sim, oc), PortState::Slave);
    let ours = &sim.node::<EngineNode>(oc).unwrap().instance;
    assert_eq!(ours.parent_ds().grandmaster_identity, identity(1));
    assert_eq!(ours.current_ds().steps_removed, 1);
    assert_eq!(ours.parent_ds().grandmaster_clock_quality.clock_class, 248);
    // Although configured as GNSS-locked with a UTC offset of 37 s, a statime grandmaster
    // announces what statime 0.4.0 forces on every grandmaster: PTP timescale, UTC offset
    // unknown, internal oscillator, nothing traceable.
    let tp = ours.time_properties_ds();
    assert!(tp.ptp_timescale);
    assert!(!tp.current_utc_offset_valid);
    assert!(!tp.time_traceable && !tp.frequency_traceable);
    assert_eq!(tp.time_source, TimeSource::INTERNAL_OSCILLATOR);
    if noise_ns == 0 && !p2p {
        let delay = ours.current_ds().mean_path_delay;
        assert!(
            (delay - LINK_DELAY).abs() < Duration::from_nanos(5),
            "{delay:?}"
        );
    }
    let tail = &trace[trace.len() - TAIL..];
    println!(
        "statime GM -> our OC ({}, {noise_ns} ns stamps): worst {:.2} ns, RMS {:.2} ns",
        mechanism(p2p),
        worst(tail),
        rms(tail.iter().copied())
    );
    trace
}

/// Our grandmaster (clock class 6) and a slave-only statime clock with statime's Kalman
/// filter; returns the statime clock's true error trace.
fn our_gm_to_statime_oc(p2p: bool, seed: u64, noise_ns: i64) -> Vec<f64> {
    let (mut sim, gm, oc) = pair(
        seed,
        engine(1, 1, &with_delay_mechanism(OUR_GM, p2p)),
        ClockModel::IDEAL,
        statime(2, 128, true, p2p),
        free_running(-300_000, noise_ns),
    );
    let trace = run(&mut sim, 120, oc, gm);
    assert_eq!(engine_port_state(&sim, gm), PortState::Master);
    assert_eq!(statime_port_state(&sim, oc), StatimePortState::Slave);
    let theirs = sim.node::<StatimeNode>(oc).unwrap();
    let parent = theirs.instance().parent_ds();
    assert_eq!(parent.grandmaster_identity.0, identity(1).0);
    assert_eq!(parent.parent_port_identity.clock_identity.0, identity(1).0);
    assert_eq!(parent.grandmaster_clock_quality.clock_class, 6);
    assert_eq!(parent.grandmaster_priority_1, 100);
    let current = theirs.current_ds();
    assert_eq!(current.steps_removed, 1);
    if noise_ns == 0 {
        // statime's filter estimates the delay (path or link) in floating point.
        let delay = current.mean_delay.nanos_lossy();
        assert!((delay - LINK_DELAY.nanos_f64()).abs() < 5.0, "{delay} ns");
    }
    let tail = &trace[trace.len() - TAIL..];
    println!(
        "our GM -> statime OC ({}, {noise_ns} ns stamps): worst {:.2} ns, RMS {:.2} ns",
        mechanism(p2p),
        worst(tail),
        rms(tail.iter().copied())
    );
    trace
}

/// With exact time stamps our slave follows the grandmaster to within the few nanoseconds its
/// oscillator's wander allows: over 200 seeds (1–19901, every 100th) the worst tail error was
/// 17 ns under a statime master (E2E), 20 ns (P2P), and 9 ns where statime wins the master
/// decision.
const EXACT_WORST_NS: f64 = 50.0;

/// statime's slave with exact time stamps: its Kalman filter steers in bursts, so its tail
/// has a long upper end. Over the same 200 seeds: median 3–10 ns, 99th percentile 33 ns (our
/// grandmaster, E2E) and 70 ns (when statime loses the master decision to ours), the worst
/// 45 and 76 ns (P2P: 1.4 ns). The bound is 2.6 times the worst seen.
const STATIME_SLAVE_WORST_NS: f64 = 200.0;

/// The seeds of the scenarios whose figure spreads widely from seed to seed.
const SEEDS: std::ops::RangeInclusive<u64> = 1..=8;

#[test]
fn statime_grandmaster_to_our_ordinary_clock_e2e() {
    let trace = statime_gm_to_our_oc(false, 1, 0);
    let w = worst(&trace[trace.len() - TAIL..]);
    assert!(w < EXACT_WORST_NS, "worst tail error {w} ns");
}

#[test]
fn statime_grandmaster_to_our_ordinary_clock_p2p() {
    let trace = statime_gm_to_our_oc(true, 2, 0);
    let w = worst(&trace[trace.len() - TAIL..]);
    assert!(w < EXACT_WORST_NS, "worst tail error {w} ns");
}

#[test]
fn our_grandmaster_to_statime_ordinary_clock_e2e() {
    for seed in SEEDS {
        let trace = our_gm_to_statime_oc(false, seed, 0);
        let w = worst(&trace[trace.len() - TAIL..]);
        assert!(
            w < STATIME_SLAVE_WORST_NS,
            "seed {seed}: worst tail error {w} ns"
        );
    }
}

#[test]
fn our_grandmaster_to_statime_ordinary_clock_p2p() {
    let trace = our_gm_to_statime_oc(true, 4, 0);
    let w = worst(&trace[trace.len() - TAIL..]);
    assert!(w < STATIME_SLAVE_WORST_NS, "worst tail error {w} ns");
}

/// With 100 ns RMS Gaussian time stamps both servos filter the noise. A seed's tail RMS
/// spreads widely (over 200 seeds: ours up to 41 ns, mean 15 ns; statime's slave up to 106 ns,
/// mean 36 ns), so each direction is judged on the RMS over every tail of [`SEEDS`], at most
/// 100 ns: over seeds 1–8, 3.3 times statime's slave (30 ns) and 6 times ours (16 ns).
#[test]
fn noisy_time_stamps_lock_both_ways_within_the_noise() {
    let tails = |trace: Vec<f64>| trace[trace.len() - TAIL..].to_vec();
    let ours: Vec<f64> = SEEDS
        .flat_map(|seed| tails(statime_gm_to_our_oc(false, seed, 100)))
        .collect();
    let theirs: Vec<f64> = SEEDS
        .flat_map(|seed| tails(our_gm_to_statime_oc(false, seed, 100)))
        .collect();
    for (who, tail) in [("our slave", ours), ("statime slave", theirs)] {
        let r = rms(tail);
        println!("{who}: tail RMS over seeds {SEEDS:?}: {r:.1} ns");
        assert!(r < 100.0, "{who}: tail RMS over seeds {SEEDS:?}: {r} ns");
    }
}

/// Both implementations may become master; they must agree on which is better, whichever
/// it is, and the other follows it. At equal priorities statime wins: its fixed clock
/// quality (class 248, accuracy unknown, offsetScaledLogVariance 0x6900) beats ptp4l's
/// default variance, 0xFFFF.
#[test]
fn statime_and_our_engine_agree_on_the_better_master() {
    let cases = [(100, 128, true), (128, 100, false), (128, 128, true)];
    for (seed, (statime_priority, our_priority, statime_better)) in
        SEEDS.flat_map(|seed| cases.map(|case| (seed, case)))
    {
        let (mut sim, st, ours) = pair(
            seed,
            statime(1, statime_priority, false, false),
            free_running(100_000, 0),
            engine(2, 1, &format!("[global]\npriority1 {our_priority}\n")),
            free_running(-100_000, 0),
        );
        let case = format!("seed {seed}: statime {statime_priority}, ours {our_priority}");
        let (slave, master) = if statime_better {
            (ours, st)
        } else {
            (st, ours)
        };
        let trace = run(&mut sim, 120, slave, master);
        let our_gm = sim
            .node::<EngineNode>(ours)
            .unwrap()
            .instance
            .parent_ds()
            .grandmaster_identity;
        let statime_gm = sim
            .node::<StatimeNode>(st)
            .unwrap()
            .instance()
            .parent_ds()
            .grandmaster_identity;
        let expected = identity(if statime_better { 1 } else { 2 });
        assert_eq!(our_gm, expected, "{case}");
        assert_eq!(statime_gm.0, expected.0, "{case}");
        let (statime_state, our_state) = if statime_better {
            (StatimePortState::Master, PortState::Slave)
        } else {
            (StatimePortState::Slave, PortState::Master)
        };
        assert_eq!(statime_port_state(&sim, st), statime_state, "{case}");
        assert_eq!(engine_port_state(&sim, ours), our_state, "{case}");
        let w = worst(&trace[trace.len() - TAIL..]);
        let bound = if statime_better {
            EXACT_WORST_NS
        } else {
            STATIME_SLAVE_WORST_NS
        };
        assert!(w < bound, "{case}: worst {w} ns");
    }
}

/// A chain of three clocks on two 50 µs links: grandmaster, boundary clock, slave-only
/// ordinary clock. Returns the simulation, the three nodes, and the ordinary clock's true
/// error trace over `secs`.
fn chain(
    seed: u64,
    gm: Box<dyn SimNode>,
    bc: Box<dyn SimNode>,
    oc: Box<dyn SimNode>,
    secs: i64,
) -> (Simulation, [NodeId; 3], Vec<f64>) {
    let mut sim = Simulation::new(seed, START);
    let gm = sim.add_node(gm, 1, ClockModel::IDEAL);
    let bc = sim.add_node(bc, 2, free_running(200_000, 0));
    let oc = sim.add_node(oc, 1, free_running(-400_000, 0));
    let upstream = sim.add_segment(SegmentConfig::fixed(LINK_DELAY));
    let downstream = sim.add_segment(SegmentConfig::fixed(LINK_DELAY));
    sim.connect(gm, 0, upstream);
    sim.connect(bc, 0, upstream);
    sim.connect(bc, 1, downstream);
    sim.connect(oc, 0, downstream);
    let trace = run(&mut sim, secs, oc, gm);
    (sim, [gm, bc, oc], trace)
}

/// Through a boundary clock the slave also carries the boundary clock's own error. The worst
/// tail error (last 30 s of 180 s) of our slave through statime's boundary clock, whose servo
/// moves its frequency in steering bursts, over seeds 1 to 200: median 13 ns, 99th percentile
/// 30 ns, worst 33 ns. The bound is three times the worst.
const CHAIN_WORST_NS: f64 = 100.0;

/// statime's slave through our boundary clock: over 200 seeds median 8 ns, 99th percentile
/// 73 ns, worst 133 ns (its own bursts on top of ours); the bound is 2.2 times the worst.
const CHAIN_STATIME_SLAVE_WORST_NS: f64 = 300.0;

/// A boundary clock that steps when more than 10 µs off (see sim_engine.rs), for the chains.
const OUR_BC: &str = "[global]\npriority1 120\ntime_stamping software\nstep_threshold 0.00001\n";

/// statime grandmaster, our boundary clock, statime slave: statime sees our boundary clock
/// as its parent, two steps from the grandmaster. Our boundary clock has priority1 120: at
/// 128 statime's fixed clock quality would make the slave-only statime clock better than our
/// boundary clock while it still announces itself, and statime 0.4.0 debug-asserts (panics,
/// in debug builds) when its BMCA recommends master for a slave-only clock.
#[test]
fn statime_grandmaster_our_boundary_clock_statime_slave() {
    for seed in SEEDS {
        let (sim, [gm, bc, oc], trace) = chain(
            seed,
            statime(1, 100, false, false),
            engine(2, 2, OUR_BC),
            statime(3, 128, true, false),
            180,
        );
        let ours = &sim.node::<EngineNode>(bc).unwrap().instance;
        assert_eq!(
            ours.port_ds(PortIndex(0)).unwrap().port_state,
            PortState::Slave
        );
        assert_eq!(
            ours.port_ds(PortIndex(1)).unwrap().port_state,
            PortState::Master
        );
        assert_eq!(ours.parent_ds().grandmaster_identity, identity(1));
        assert_eq!(statime_port_state(&sim, gm), StatimePortState::Master);
        assert_eq!(statime_port_state(&sim, oc), StatimePortState::Slave);
        let theirs = sim.node::<StatimeNode>(oc).unwrap();
        let parent = theirs.instance().parent_ds();
        assert_eq!(parent.grandmaster_identity.0, identity(1).0);
        assert_eq!(parent.parent_port_identity.clock_identity.0, identity(2).0);
        assert_eq!(parent.parent_port_identity.port_number, 2);
        assert_eq!(theirs.current_ds().steps_removed, 2);
        let tail = &trace[trace.len() - TAIL..];
        println!(
            "seed {seed}: statime GM -> our BC -> statime OC: worst {:.2} ns, RMS {:.2} ns",
            worst(tail),
            rms(tail.iter().copied())
        );
        assert!(
            worst(tail) < CHAIN_STATIME_SLAVE_WORST_NS,
            "seed {seed}: worst tail error {} ns",
            worst(tail)
        );
    }
}

/// Our grandmaster, a two-port statime boundary clock, our slave: our slave sees the statime
/// boundary clock as its parent, two steps from our grandmaster, and follows it although
/// statime's servo keeps moving the boundary clock's frequency.
#[test]
fn our_grandmaster_statime_boundary_clock_our_slave() {
    for seed in SEEDS {
        let bc: StatimeNode = StatimeNode::new(
            statime_instance(2, 128, false),
            TimePropertiesDS::new_arbitrary_time(
                false,
                false,
                statime::config::TimeSource::InternalOscillator,
            ),
            vec![statime_port(false), statime_port(false)],
            &KalmanConfiguration::default(),
            2,
        );
        let (sim, [_, bc, oc], trace) = chain(
            seed,
            engine(1, 1, OUR_GM),
            Box::new(bc),
            engine(3, 1, &format!("{OUR_OC}step_threshold 0.00001\n")),
            180,
        );
        // Our grandmaster stamps in hardware (PTP timescale), our slave in software (UTC).
        let trace = from_utc(trace);
        let theirs = sim.node::<StatimeNode>(bc).unwrap();
        assert_eq!(
            theirs.port_ds(0).unwrap().port_state,
            StatimePortState::Slave
        );
        assert_eq!(
            theirs.port_ds(1).unwrap().port_state,
            StatimePortState::Master
        );
        assert_eq!(
            theirs.instance().parent_ds().grandmaster_identity.0,
            identity(1).0
        );
        assert_eq!(engine_port_state(&sim, oc), PortState::Slave);
        let ours = &sim.node::<EngineNode>(oc).unwrap().instance;
        assert_eq!(ours.parent_ds().grandmaster_identity, identity(1));
        assert_eq!(
            ours.parent_ds().parent_port_identity.clock_identity,
            identity(2)
        );
        assert_eq!(ours.parent_ds().parent_port_identity.port_number, 2);
        assert_eq!(ours.current_ds().steps_removed, 2);
        assert_eq!(ours.parent_ds().grandmaster_clock_quality.clock_class, 6);
        let tail = &trace[trace.len() - TAIL..];
        println!(
            "seed {seed}: our GM -> statime BC -> our OC: worst {:.2} ns, RMS {:.2} ns",
            worst(tail),
            rms(tail.iter().copied())
        );
        assert!(
            worst(tail) < CHAIN_WORST_NS,
            "seed {seed}: worst tail error {} ns",
            worst(tail)
        );
    }
}
