//! Logging as ptp4l does it: `ptp-agent[<seconds>.<ms>]: <message>` lines, on stdout with
//! `-m` (`verbose 1`) and on stderr otherwise, filtered by `logging_level` (syslog levels: 7
//! debug, 6 info, 5 notice, 4 warning, 3 and below errors) unless `RUST_LOG` is set.
//!
//! The engine's events become ptp4l's lines, so that tools which read ptp4l's output read
//! ours: `port 1: LISTENING to UNCALIBRATED on RS_SLAVE`, `selected best master clock …`,
//! `master offset … s2 freq … path delay …` at info, or, when `summary_interval` spans more
//! than one Sync interval, the per-sample lines at debug and a summary
//! `rms … max … freq … +/- … delay … +/- …` at info every 2^summary_interval seconds.
//! These lines carry their values in the text (that is their purpose); other events carry
//! fields.
//!
//! [`output`] installs the process's subscriber, which prints every line as ptp4l does.

pub mod output;

use ptp_core::engine::{Event, Fault};
use ptp_core::servo::ServoState;
use ptp_core::time::{Duration, Ppb};
use ptp_core::wire::{ClockIdentity, PortState};

use super::summary::SummaryWindow;

/// Where and how much to log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogSettings {
    /// `verbose`: print to stdout.
    pub verbose: bool,
    /// `logging_level` (0–7).
    pub level: u8,
    /// `message_tag`, printed in brackets after the prefix.
    pub tag: Option<String>,
}

/// ptp4l's name for the event that most likely caused a port state change. The engine
/// reports the change, not its cause, so the cause is read from the two states.
fn transition_event(from: PortState, to: PortState) -> &'static str {
    match (from, to) {
        (PortState::Initializing, _) => "INIT_COMPLETE",
        (_, PortState::Faulty) => "FAULT_DETECTED",
        (PortState::Faulty, _) => "FAULT_CLEARED",
        (_, PortState::Disabled) => "DESIGNATED_DISABLED",
        (PortState::Disabled, _) => "DESIGNATED_ENABLED",
        (PortState::Listening, PortState::Master) => "ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES",
        (PortState::Uncalibrated, PortState::Slave) => "MASTER_CLOCK_SELECTED",
        (PortState::Slave, PortState::Uncalibrated) => "SYNCHRONIZATION_FAULT",
        (PortState::PreMaster, PortState::Master) => "QUALIFICATION_TIMEOUT_EXPIRES",
        (_, PortState::Listening) => "ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES",
        (_, PortState::Uncalibrated) | (_, PortState::Slave) => "RS_SLAVE",
        (_, PortState::PreMaster) | (_, PortState::Master) => "RS_MASTER",
        (_, PortState::Passive) => "RS_PASSIVE",
        (_, PortState::Initializing) => "INITIALIZE",
    }
}

/// Turns engine events into ptp4l's lines; keeps the periodic summary and which best master
/// was last announced.
#[derive(Debug)]
pub struct EventLog {
    /// The grandmaster last named in a `selected …` line.
    announced: Option<ClockIdentity>,
    summary: SummaryWindow,
}

impl EventLog {
    /// A log that prints the samples at info when each is its own summary, and otherwise at
    /// debug with a summary line at info.
    pub fn new(summary: SummaryWindow) -> Self {
        Self {
            announced: None,
            summary,
        }
    }

    /// Summarises from now on as `summary` does (the samples of the summary under way are
    /// dropped).
    pub fn set_summary(&mut self, summary: SummaryWindow) {
        self.summary = summary;
    }

    fn sample(&mut self, offset: Duration, servo: ServoState, freq: Ppb, delay: Duration) {
        let line = format_args!(
            "master offset {:>10} {} freq {:>+7.0} path delay {:>9}",
            offset.nanos_rounded(),
            servo,
            freq.get(),
            delay.nanos_rounded()
        );
        let summary = self.summary.push(offset, freq, delay);
        if self.summary.per_sample() {
            tracing::info!("{line}");
            return;
        }
        tracing::debug!("{line}");
        if let Some(s) = summary {
            tracing::info!(
                "rms {:4.0} max {:4.0} freq {:+6.0} +/- {:3.0} delay {:5.0} +/- {:3.0}",
                s.offset_rms,
                s.offset_max_abs,
                s.freq_mean,
                s.freq_stddev,
                s.delay_mean,
                s.delay_stddev
            );
        }
    }

    /// Names the best master when it changed (ptp4l prints this after each BMCA that changes
    /// it; the engine reports a change of parent, and a port becoming master while this
    /// clock is its own parent).
    fn best_master(&mut self, grandmaster: ClockIdentity, own: ClockIdentity) {
        if self.announced == Some(grandmaster) {
            return;
        }
        self.announced = Some(grandmaster);
        if grandmaster == own {
            tracing::info!("selected local clock {own} as best master");
            tracing::info!("assuming the grand master role");
        } else {
            tracing::info!("selected best master clock {grandmaster}");
        }
    }

    /// Logs an engine event the way ptp4l words it. `grandmaster` is the instance's
    /// grandmaster after the event.
    pub fn event(&mut self, event: &Event, own: ClockIdentity, grandmaster: ClockIdentity) {
        match *event {
            Event::PortState { port, from, to } => {
                if matches!(to, PortState::PreMaster | PortState::Master) && grandmaster == own {
                    self.best_master(own, own);
                }
                tracing::info!(
                    "port {}: {from} to {to} on {}",
                    port.number(),
                    transition_event(from, to)
                );
            }
            Event::ParentChanged { grandmaster, .. } => self.best_master(grandmaster, own),
            Event::Sample {
                offset,
                frequency,
                servo,
                path_delay,
                ..
            } => self.sample(offset, servo, frequency, path_delay),
            Event::Dropped { port, reason } => {
                tracing::debug!(port = port.number(), ?reason, "dropped a message")
            }
            Event::Fault { port, fault } => {
                let port = port.number();
                match fault {
                    Fault::TxTimestampLost => {
                        tracing::error!("port {port}: timed out while polling for tx timestamp");
                        tracing::error!(
                            "increasing tx_timestamp_timeout may correct this issue, \
                             but it is likely caused by a driver bug"
                        );
                    }
                    other => tracing::error!("port {port}: fault detected: {other:?}"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn transitions_are_named_as_ptp4l_names_them() {
        assert_eq!(
            transition_event(PortState::Listening, PortState::Uncalibrated),
            "RS_SLAVE"
        );
        assert_eq!(
            transition_event(PortState::Uncalibrated, PortState::Slave),
            "MASTER_CLOCK_SELECTED"
        );
        assert_eq!(
            transition_event(PortState::Initializing, PortState::Listening),
            "INIT_COMPLETE"
        );
        assert_eq!(
            transition_event(PortState::Listening, PortState::Master),
            "ANNOUNCE_RECEIPT_TIMEOUT_EXPIRES"
        );
        assert_eq!(
            transition_event(PortState::Slave, PortState::Faulty),
            "FAULT_DETECTED"
        );
        assert_eq!(
            transition_event(PortState::Master, PortState::Uncalibrated),
            "RS_SLAVE"
        );
    }
}
