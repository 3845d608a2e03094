//! Building blocks of the simulation tests: clock identities, engine nodes from ptp4l.conf
//! text, and the free-running slave oscillator every scenario uses.

use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{Instance, InstanceSettings};
use ptp_core::sim::{ClockModel, EngineNode, Noise, OscillatorModel, TimestampNoise};
use ptp_core::time::{Duration, Ppb, Time};
use ptp_core::wire::ClockIdentity;

/// When every simulation starts (true time).
pub const START: Time = Time::from_secs_nanos(1_700_000_000, 0);

/// The clock identity of node `n`.
pub fn identity(n: u8) -> ClockIdentity {
    ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, n])
}

/// An engine from ptp4l.conf `text` with `ports` interfaces named eth0, eth1, ...
pub fn engine(n: u8, ports: usize, text: &str) -> Box<EngineNode> {
    let sections: String = (0..ports).map(|i| format!("[eth{i}]\n")).collect();
    let loaded = parse_ptp4l_conf(&format!("{text}\n{sections}")).unwrap();
    let settings = InstanceSettings::from_config(&loaded.config, identity(n)).unwrap();
    Box::new(EngineNode::new(Instance::new(settings).unwrap()))
}

/// A free-running slave oscillator: +10 ppm, the given initial offset, mild wander
/// (0.1 ppb/√s), and Gaussian time-stamp noise of `noise_ns` RMS (none if 0).
pub fn free_running(offset_ns: i64, noise_ns: i64) -> ClockModel {
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

/// Root mean square of `xs`.
pub fn rms(xs: impl IntoIterator<Item = f64>) -> f64 {
    let (sum, n) = xs
        .into_iter()
        .fold((0.0, 0usize), |(s, n), x| (s + x * x, n + 1));
    (sum / n.max(1) as f64).sqrt()
}
