//! The clock the engine disciplines: the interface's PHC, the system clock or a virtual clock,
//! chosen by `--clock` or as ptp4l chooses, and the conversion of kernel time stamps into that
//! clock's time.
//!
//! The engine works in the time of the disciplined clock: every time stamp handed to it must
//! be on that clock's timescale. Software time stamps are `CLOCK_REALTIME` readings, so they
//! are already right for the system clock and go through the map of the virtual clock;
//! hardware time stamps are PHC readings, right for the PHC.
//!
//! The event loop sees the clock through [`SteeredClock`], so that its tests can give it a
//! clock whose reads fail. A read that fails is never replaced by another clock's time (a
//! PHC counting TAI is 37 s from `CLOCK_REALTIME`); [`ReadFailureLog`] says that it failed
//! without flooding the log.

use std::fmt::Debug;

use phc::socket::TimestampMode;
use phc::{BaseClock, Clock, ClockError, PhcClock, SystemClock, VirtualClock};
use ptp_core::engine::ClockAction;
use ptp_core::time::{Duration, Time};
use thiserror::Error;
use tokio::time::Instant;

use super::cli::ClockChoice;

/// Why the chosen clock cannot be used.
#[derive(Debug, Error)]
pub enum ClockSetupError {
    /// The PHC of the interface could not be opened.
    #[error("cannot use the PHC of {interface}")]
    Phc {
        /// The interface.
        interface: String,
        /// What failed.
        #[source]
        source: ClockError,
    },
    /// The virtual clock could not read its base clock.
    #[error("cannot start the virtual clock")]
    Virtual(#[source] ClockError),
    /// The time stamps would not be in the clock's time.
    #[error("--clock {clock} needs {needs} time stamping")]
    Mismatch {
        /// The clock asked for.
        clock: &'static str,
        /// The time stamping it needs.
        needs: &'static str,
    },
}

/// What the event loop needs of the clock it steers.
pub trait SteeredClock: Debug {
    /// A short name for logs.
    fn name(&self) -> &'static str;

    /// The clock's current time.
    fn now(&self) -> Result<Time, ClockError>;

    /// A kernel socket time stamp on this clock's timescale.
    fn kernel_stamp(&self, stamp: Time) -> Time;

    /// Carries out a clock action of the engine.
    fn apply(&mut self, action: ClockAction) -> Result<(), ClockError>;

    /// For a virtual clock: how far it is from `CLOCK_REALTIME` now. When the grandmaster
    /// runs on `CLOCK_REALTIME` of the same host (every network namespace shares it), this is
    /// the true error of the synchronisation.
    fn offset_from_realtime(&self) -> Option<Duration>;
}

/// The disciplined clock.
#[derive(Debug)]
pub enum AgentClock {
    /// `CLOCK_REALTIME`.
    System(SystemClock),
    /// A PTP hardware clock.
    Phc(PhcClock),
    /// A software clock over `CLOCK_REALTIME`.
    Virtual(VirtualClock),
}

impl AgentClock {
    /// Opens the clock: `choice`, or ptp4l's default for the time stamping mode (the first
    /// interface's PHC with hardware time stamps, the system clock with software ones).
    pub fn open(
        choice: Option<ClockChoice>,
        timestamping: TimestampMode,
        interface: &str,
    ) -> Result<Self, ClockSetupError> {
        let choice = choice.unwrap_or(match timestamping {
            TimestampMode::Hardware => ClockChoice::Phc,
            TimestampMode::Software => ClockChoice::System,
        });
        match (choice, timestamping) {
            (ClockChoice::Phc, TimestampMode::Hardware) => PhcClock::open_interface(interface)
                .map(Self::Phc)
                .map_err(|source| ClockSetupError::Phc {
                    interface: interface.to_owned(),
                    source,
                }),
            (ClockChoice::Phc, TimestampMode::Software) => Err(ClockSetupError::Mismatch {
                clock: "phc",
                needs: "hardware",
            }),
            (ClockChoice::System, TimestampMode::Software) => Ok(Self::System(SystemClock::new())),
            (ClockChoice::Virtual, TimestampMode::Software) => {
                VirtualClock::new(BaseClock::Realtime)
                    .map(Self::Virtual)
                    .map_err(ClockSetupError::Virtual)
            }
            (ClockChoice::System, TimestampMode::Hardware) => Err(ClockSetupError::Mismatch {
                clock: "system",
                needs: "software",
            }),
            (ClockChoice::Virtual, TimestampMode::Hardware) => Err(ClockSetupError::Mismatch {
                clock: "virtual",
                needs: "software",
            }),
        }
    }

    fn clock(&self) -> &dyn Clock {
        match self {
            Self::System(c) => c,
            Self::Phc(c) => c,
            Self::Virtual(c) => c,
        }
    }

    fn clock_mut(&mut self) -> &mut dyn Clock {
        match self {
            Self::System(c) => c,
            Self::Phc(c) => c,
            Self::Virtual(c) => c,
        }
    }
}

impl SteeredClock for AgentClock {
    fn name(&self) -> &'static str {
        match self {
            Self::System(_) => "CLOCK_REALTIME",
            Self::Phc(_) => "PHC",
            Self::Virtual(_) => "virtual clock",
        }
    }

    fn now(&self) -> Result<Time, ClockError> {
        self.clock().now()
    }

    fn kernel_stamp(&self, stamp: Time) -> Time {
        match self {
            Self::Virtual(v) => v.from_base(stamp),
            Self::System(_) | Self::Phc(_) => stamp,
        }
    }

    fn apply(&mut self, action: ClockAction) -> Result<(), ClockError> {
        match action {
            ClockAction::Step(by) => self.clock_mut().step(by),
            ClockAction::SetFrequency(f) => self.clock_mut().set_frequency(f).map(|_| ()),
        }
    }

    fn offset_from_realtime(&self) -> Option<Duration> {
        match self {
            Self::Virtual(v) if v.base() == BaseClock::Realtime => {
                let base = v.base_now().ok()?;
                Some(v.from_base(base) - base)
            }
            _ => None,
        }
    }
}

/// How often a clock that stays unreadable is warned about.
const WARN_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

/// Logs failed reads of the steered clock: a warning at the first failure, then at most one
/// a minute (with the number of failures in between, each logged at debug level);
/// and once when the clock can be read again.
#[derive(Debug, Default)]
pub struct ReadFailureLog {
    /// When the last warning was given, while the clock has not been read since.
    warned: Option<Instant>,
    /// Failures since the last warning.
    since_warning: u64,
}

impl ReadFailureLog {
    /// Logs a failed read of the clock `name` at `at`; `error` says why.
    pub fn failed(&mut self, name: &str, error: &str, at: Instant) {
        if self.warned.is_some_and(|w| at < w + WARN_EVERY) {
            self.since_warning += 1;
            tracing::debug!("cannot read the {name}: {error}");
            return;
        }
        if self.since_warning == 0 {
            tracing::warn!(
                "cannot read the {name}: {error}; what needs its time is dropped or held"
            );
        } else {
            tracing::warn!(
                "cannot read the {name}: {error} ({} more failed reads since the last warning)",
                self.since_warning
            );
        }
        self.warned = Some(at);
        self.since_warning = 0;
    }

    /// A read succeeded.
    pub fn succeeded(&mut self, name: &str) {
        if self.warned.take().is_some() {
            tracing::info!("the {name} can be read again");
        }
        self.since_warning = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::time::Ppb;

    #[test]
    fn ptp4l_default_with_software_stamps_is_the_system_clock() {
        let c = AgentClock::open(None, TimestampMode::Software, "lo").unwrap();
        assert!(matches!(c, AgentClock::System(_)));
        assert_eq!(c.offset_from_realtime(), None);
        let t = Time::from_secs_nanos(1_700_000_000, 5);
        assert_eq!(c.kernel_stamp(t), t);
    }

    #[test]
    fn clocks_that_do_not_match_the_stamps_are_refused() {
        for (choice, mode) in [
            (ClockChoice::Phc, TimestampMode::Software),
            (ClockChoice::System, TimestampMode::Hardware),
            (ClockChoice::Virtual, TimestampMode::Hardware),
        ] {
            assert!(matches!(
                AgentClock::open(Some(choice), mode, "lo"),
                Err(ClockSetupError::Mismatch { .. })
            ));
        }
        assert!(matches!(
            AgentClock::open(Some(ClockChoice::Phc), TimestampMode::Hardware, "lo"),
            Err(ClockSetupError::Phc { .. })
        ));
    }

    #[test]
    fn virtual_clock_converts_stamps_through_its_map() {
        let mut c =
            AgentClock::open(Some(ClockChoice::Virtual), TimestampMode::Software, "lo").unwrap();
        c.apply(ClockAction::Step(Duration::from_micros(-250)))
            .unwrap();
        c.apply(ClockAction::SetFrequency(Ppb(0.0))).unwrap();
        let t = Time::from_secs_nanos(1_700_000_000, 0);
        assert_eq!(c.kernel_stamp(t), t - Duration::from_micros(250));
        let off = c.offset_from_realtime().unwrap();
        assert!((off + Duration::from_micros(250)).abs() < Duration::from_nanos(1));
    }
}
