//! Time-stamp noise: [`Noise`] distributions with a chosen spread, and [`TimestampNoise`],
//! which applies one to a time stamp and quantises the result like a clock of finite
//! resolution.

use super::Rng;
use crate::time::{Duration, Time};

/// A noise distribution. `rms` is the standard deviation.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Noise {
    /// No noise.
    None,
    /// Normal, zero mean.
    Gaussian {
        /// Standard deviation.
        rms: Duration,
    },
    /// Uniform on [−rms·√3, rms·√3], zero mean.
    Uniform {
        /// Standard deviation.
        rms: Duration,
    },
    /// Exponential: always positive (a latency, like interrupt and scheduling delay in
    /// software time stamps), mean and standard deviation both `rms`.
    Exponential {
        /// Standard deviation (and mean).
        rms: Duration,
    },
}

impl Noise {
    /// Draws one value.
    pub fn sample(&self, rng: &mut Rng) -> Duration {
        match *self {
            Self::None => Duration::ZERO,
            Self::Gaussian { rms } => Duration::from_nanos_f64(rms.nanos_f64() * rng.normal()),
            Self::Uniform { rms } => {
                let half_width = rms.nanos_f64() * 3f64.sqrt();
                Duration::from_nanos_f64(half_width * (2.0 * rng.uniform() - 1.0))
            }
            Self::Exponential { rms } => {
                Duration::from_nanos_f64(rms.nanos_f64() * rng.exponential())
            }
        }
    }
}

/// How a time stamp is disturbed: noise added to the true reading, then truncated to a
/// multiple of `resolution` (if non-zero), as a clock that counts in whole ticks would.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimestampNoise {
    /// The noise added.
    pub noise: Noise,
    /// The clock's tick; zero means no quantisation.
    pub resolution: Duration,
}

impl TimestampNoise {
    /// Exact time stamps.
    pub const NONE: Self = Self {
        noise: Noise::None,
        resolution: Duration::ZERO,
    };

    /// The time stamp a clock reading `exact` produces.
    pub fn stamp(&self, rng: &mut Rng, exact: Time) -> Time {
        let t = exact + self.noise.sample(rng);
        let tick = self.resolution.scaled_nanos();
        match u128::try_from(tick) {
            Ok(tick) if tick > 0 => Time::from_scaled_nanos(t.scaled_nanos() / tick * tick),
            _ => t,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stats(noise: Noise) -> (f64, f64) {
        let mut rng = Rng::seed_from_u64(3);
        let n = 100_000;
        let xs: Vec<f64> = (0..n).map(|_| noise.sample(&mut rng).nanos_f64()).collect();
        let mean = xs.iter().sum::<f64>() / n as f64;
        let var = xs.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n as f64;
        (mean, var.sqrt())
    }

    #[test]
    fn distributions_have_the_requested_spread() {
        let rms = Duration::from_nanos(500);
        let (m, sd) = stats(Noise::Gaussian { rms });
        assert!(m.abs() < 5.0 && (sd - 500.0).abs() < 5.0, "{m} {sd}");
        let (m, sd) = stats(Noise::Uniform { rms });
        assert!(m.abs() < 5.0 && (sd - 500.0).abs() < 5.0, "{m} {sd}");
        let (m, sd) = stats(Noise::Exponential { rms });
        assert!(
            (m - 500.0).abs() < 10.0 && (sd - 500.0).abs() < 10.0,
            "{m} {sd}"
        );
        assert_eq!(stats(Noise::None), (0.0, 0.0));
    }

    #[test]
    fn quantisation_truncates_to_ticks() {
        let q = TimestampNoise {
            noise: Noise::None,
            resolution: Duration::from_nanos(8),
        };
        let mut rng = Rng::seed_from_u64(0);
        assert_eq!(
            q.stamp(&mut rng, Time::from_nanos(1_000_015)),
            Time::from_nanos(1_000_008)
        );
        assert_eq!(
            TimestampNoise::NONE.stamp(&mut rng, Time::from_nanos(15)),
            Time::from_nanos(15)
        );
    }
}
