//! The options the agent applies itself, without the engine, and so in place in a running
//! instance: `tx_timestamp_timeout`, `summary_interval`, the log's (`logging_level`,
//! `verbose`, `message_tag`), the management socket's (`uds_address`, `uds_file_mode`) and
//! the labels of the instance's series.
//!
//! `logging_level` and `verbose` are the process's (one log for every instance; the
//! supervisor sets them); the runtime applies the others: `message_tag` is recorded in the
//! span the instance logs in, so that each instance's lines carry its own tag.

use std::path::PathBuf;

use ptp_core::config::Ptp4lConfig;
use ptp_core::engine::{Instance, PortIndex};
use ptp_core::wire::PortState;
use tokio::time::Duration;

use super::Runtime;
use crate::agent::clock::SteeredClock;
use crate::agent::log::LogSettings;
use crate::agent::management::ManagementSocket;
use crate::agent::metrics::SeriesLabels;
use crate::agent::port_io::PortIo;
use crate::agent::summary::SummaryWindow;

/// The agent's own options of one instance.
#[derive(Clone, Debug, PartialEq)]
pub struct RuntimeOptions {
    /// `tx_timestamp_timeout`: how long a transmit time stamp is waited for.
    pub tx_timeout: Duration,
    /// `summary_interval`: samples are summarised every 2^this seconds.
    pub summary_interval: i8,
    /// `logging_level`, `verbose` and `message_tag`.
    pub log: LogSettings,
    /// `uds_address`: the management socket's path.
    pub uds_address: PathBuf,
    /// `uds_file_mode`: its permissions.
    pub uds_file_mode: u32,
    /// The labels of the instance's series.
    pub labels: SeriesLabels,
}

impl RuntimeOptions {
    /// The options `config` sets, with the series labelled `labels`.
    pub fn new(config: &Ptp4lConfig, labels: SeriesLabels) -> Self {
        let g = &config.global;
        Self {
            tx_timeout: g.tx_timestamp_timeout.to_core(),
            summary_interval: g.summary_interval.0,
            log: LogSettings {
                verbose: g.verbose,
                level: g.logging_level,
                tag: g.message_tag.clone(),
            },
            uds_address: PathBuf::from(&g.uds_address),
            uds_file_mode: u32::from(config.port_defaults.uds_file_mode),
            labels,
        }
    }

    /// The names of the options that differ between `self` and `new`, as the configuration
    /// names them (`labels` for the series' labels).
    pub fn changes(&self, new: &Self) -> Vec<&'static str> {
        let mut changed = Vec::new();
        let mut note = |differs: bool, name| {
            if differs {
                changed.push(name);
            }
        };
        note(self.tx_timeout != new.tx_timeout, "tx_timestamp_timeout");
        note(
            self.summary_interval != new.summary_interval,
            "summary_interval",
        );
        note(self.log.level != new.log.level, "logging_level");
        note(self.log.verbose != new.log.verbose, "verbose");
        note(self.log.tag != new.log.tag, "message_tag");
        note(self.uds_address != new.uds_address, "uds_address");
        note(self.uds_file_mode != new.uds_file_mode, "uds_file_mode");
        note(self.labels != new.labels, "labels");
        changed
    }

    /// ptp4l's summary of samples: per 2^summary_interval seconds at the Sync interval of
    /// the instance's first port.
    pub(super) fn summary(&self, instance: &Instance) -> SummaryWindow {
        let sync = instance
            .ports()
            .next()
            .and_then(|port| instance.port_ds(port))
            .map_or(0, |p| p.log_sync_interval.0);
        SummaryWindow::new(self.summary_interval, sync)
    }
}

/// Records the instance's `message_tag` in the span it logs in (empty: none).
pub(super) fn record_tag(span: &tracing::Span, log: &LogSettings) {
    span.record("tag", log.tag.as_deref().unwrap_or_default());
}

impl<C: SteeredClock, P: PortIo> Runtime<C, P> {
    /// Takes `new` in place.
    pub(super) fn apply_options(&mut self, new: RuntimeOptions) {
        let changed = self.options.changes(&new);
        if changed.is_empty() {
            return;
        }
        tracing::debug!("taking {} in place", changed.join(", "));
        let old = std::mem::replace(&mut self.options, new);
        self.tx_timeout.send_replace(self.options.tx_timeout);
        if old.summary_interval != self.options.summary_interval {
            let summary = self.options.summary(&self.instance);
            self.log.set_summary(summary.clone());
            self.metrics.set_summary(summary);
        }
        if old.log.tag != self.options.log.tag {
            record_tag(&self.span, &self.options.log);
        }
        let socket = (&self.options.uds_address, self.options.uds_file_mode);
        if (&old.uds_address, old.uds_file_mode) != socket {
            if let Some(socket) = self.management.take() {
                socket.close();
            }
            self.bind_management();
        }
        if old.labels != self.options.labels {
            self.relabel();
        }
    }

    /// Binds the management socket the options name. Failing is not fatal: the clock keeps
    /// time and the error says why nobody can ask it.
    pub(super) fn bind_management(&mut self) {
        let path = &self.options.uds_address;
        match ManagementSocket::bind(path, self.options.uds_file_mode) {
            Ok(socket) => {
                tracing::debug!("management socket {}", socket.path().display());
                self.management = Some(socket);
            }
            Err(e) => {
                tracing::error!("no management socket: cannot bind {}: {e}", path.display());
            }
        }
    }

    /// Moves the instance's series to new labels: the old ones are removed, the new ones
    /// start with the ports' current roles.
    fn relabel(&mut self) {
        let interfaces = super::interfaces(&self.instance);
        let summary = self.options.summary(&self.instance);
        // Removed first: series whose labels stay the same are the new instance's.
        self.metrics.retire();
        self.metrics = self.hub.instance(&self.options.labels, interfaces, summary);
        let class = self
            .instance
            .parent_ds()
            .grandmaster_clock_quality
            .clock_class;
        let ports: Vec<PortIndex> = self.instance.ports().collect();
        for port in ports {
            if let Some(ds) = self.instance.port_ds(port) {
                let event = ptp_core::engine::Event::PortState {
                    port,
                    from: PortState::Initializing,
                    to: ds.port_state,
                };
                self.metrics.event(&event, class);
            }
        }
    }
}
