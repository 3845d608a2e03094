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

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{Instance, InstanceSettings, PortIndex};
use ptp_core::sim::{
    ClockModel, EngineNode, NodeId, Noise, OscillatorModel, SegmentConfig, Simulation,
    TimestampNoise,
};
use ptp_core::time::{Duration, Ppb, Time};
use ptp_core::wire::{ClockIdentity, PortState};

const START: Time = Time::from_secs_nanos(1_700_000_000, 0);

fn identity(n: u8) -> ClockIdentity {
    ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, n])
}

/// An engine from ptp4l.conf `text` with `ports` interfaces named eth0, eth1, ...
fn engine(n: u8, ports: usize, text: &str) -> Box<EngineNode> {
    let sections: String = (0..ports).map(|i| format!("[eth{i}]\n")).collect();
    let loaded = parse_ptp4l_conf(&format!("{text}\n{sections}")).unwrap();
    let settings = InstanceSettings::from_config(&loaded.config, identity(n)).unwrap();
    Box::new(EngineNode::new(Instance::new(settings).unwrap()))
}

/// A slave oscillator: +10 ppm, a random initial offset of up to ±1 ms, mild wander, and
/// software-like time stamps (Gaussian, `noise_ns` RMS).
fn free_running(offset_ns: i64, noise_ns: i64) -> ClockModel {
    ClockModel {
        oscillator: OscillatorModel {
            initial_offset: Duration::from_nanos(offset_ns),
            frequency_error: Ppb(10_000.0),
            wander: Ppb(0.1),
        },
        timestamps: TimestampNoise {
            noise: if noise_ns == 0 {
                Noise::None
            } else {
                Noise::Gaussian {
                    rms: Duration::from_nanos(noise_ns),
                }
            },
            resolution: Duration::ZERO,
        },
    }
}

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

fn rms(xs: &[(f64, f64)]) -> f64 {
    (xs.iter().map(|(_, e)| e * e).sum::<f64>() / xs.len() as f64).sqrt()
}

const GM: &str = "[global]\npriority1 100\nclockClass 6\n";
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
    let r = rms(tail);
    // 500 ns RMS per time stamp; PI with software constants filters it to well below that.
    assert!(r < 500.0, "steady-state RMS {r} ns");
}
