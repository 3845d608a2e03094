//! Prometheus metrics, fed from the engine's events (never from log lines), and the server
//! that serves them.
//!
//! - [`openshift`]: the series the OpenShift PTP daemon exports for ptp4l
//!   (`openshift_ptp_*`), with its names, labels and values, so that dashboards and alerts
//!   written for the daemon work unchanged.
//! - [`native`]: the agent's own series (`ptp_agent_*`), which the daemon has no counterpart
//!   of.
//! - [`http`]: the HTTP server (`GET /metrics`).
//!
//! Every instance of the process has its series in one registry, which [`MetricsHub`] owns
//! and `telemetry::http` encodes: the families are registered once and shared, each instance's
//! [`AgentMetrics`] makes its own series in them and removes them when it retires (the
//! instance stopped, or its labels changed). With one instance per process (the standalone
//! agent) the label sets are the daemon's; with several, every series carries the
//! instance's `config` label ([`ConfigLabel`]).

pub mod native;
pub mod openshift;
mod series;

use std::borrow::Cow;
use std::sync::Arc;

use prometheus_client::registry::Registry;
use ptp_core::engine::{Event, PortIndex};

use self::native::{AgentDrop, ClockInput, NativeFamilies, NativeSeries, PortDrops};
use self::openshift::{OpenshiftFamilies, OpenshiftSeries};
use self::series::InstanceLabel;
use super::summary::SummaryWindow;

/// The labels that tell an instance's series apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesLabels {
    /// `node`: the node's name.
    pub node: String,
    /// `config`: the name of the instance's configuration (the file's name standalone, as
    /// the daemon's `ptp4l.0.config`; empty without one).
    pub config: String,
}

/// Which series carry the instance's `config` label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigLabel {
    /// Only the per-process series (`openshift_ptp_clock_class`, `_process_status`,
    /// `_process_restart_count`), as the daemon labels them: for one instance per process.
    PerProcess,
    /// Every series, so that the series of instances running side by side do not collide.
    EverySeries,
}

/// The registry of the process and the families every instance's series are in.
#[derive(Clone, Debug)]
pub struct MetricsHub {
    registry: Arc<Registry>,
    openshift: OpenshiftFamilies,
    native: NativeFamilies,
    config_label: ConfigLabel,
}

impl MetricsHub {
    /// An empty registry whose series carry `config` as `config_label` says.
    pub fn new(config_label: ConfigLabel) -> Self {
        let mut registry = Registry::default();
        let openshift = OpenshiftFamilies::register(&mut registry);
        let native = NativeFamilies::register(&mut registry);
        Self {
            registry: Arc::new(registry),
            openshift,
            native,
            config_label,
        }
    }

    /// The registry, to encode.
    pub fn registry(&self) -> Arc<Registry> {
        self.registry.clone()
    }

    /// Which series carry the `config` label.
    pub fn config_label(&self) -> ConfigLabel {
        self.config_label
    }

    /// The series of a ptp4l instance labelled `labels`, whose ports are on `interfaces`,
    /// summarising samples as `summary` does. The process is marked up and its start
    /// counted.
    pub fn instance(
        &self,
        labels: &SeriesLabels,
        interfaces: Vec<Option<String>>,
        summary: SummaryWindow,
    ) -> AgentMetrics {
        let instance = InstanceLabel(match self.config_label {
            ConfigLabel::PerProcess => None,
            ConfigLabel::EverySeries => Some(labels.config.clone()),
        });
        let openshift = OpenshiftSeries::new(
            &self.openshift,
            labels,
            instance.clone(),
            &interfaces,
            summary,
        );
        let native = NativeSeries::new(&self.native, interfaces, instance);
        AgentMetrics { openshift, native }
    }
}

/// One instance's series.
#[derive(Debug)]
pub struct AgentMetrics {
    openshift: OpenshiftSeries,
    native: NativeSeries,
}

impl AgentMetrics {
    /// Updates the series from an engine event. `grandmaster_class` is the clockClass of the
    /// instance's grandmaster after the event (its parent data set).
    pub fn event(&mut self, event: &Event, grandmaster_class: u8) {
        self.openshift.event(event, grandmaster_class);
        self.native.event(event);
    }

    /// The ports are now on `interfaces` (by port index; `None`: an empty slot): the series
    /// of ports that are gone are removed, those of the others kept.
    pub fn set_interfaces(&mut self, interfaces: Vec<Option<String>>) {
        self.openshift.set_interfaces(&interfaces);
        self.native.set_interfaces(interfaces);
    }

    /// Summarises samples from now on as `summary` does.
    pub fn set_summary(&mut self, summary: SummaryWindow) {
        self.openshift.set_summary(summary);
    }

    /// Removes every series of this instance from the registry.
    pub fn retire(&self) {
        self.openshift.retire();
        self.native.retire();
    }

    /// Counts a received message on `port` that the agent dropped before the engine saw it.
    pub fn agent_drop(&self, port: PortIndex, reason: AgentDrop) {
        self.native.agent_drop(port, reason);
    }

    /// Counts a message that the agent dropped on the port named `iface` (the local
    /// management socket, named by its path).
    pub fn agent_drop_named(&self, iface: &str, reason: AgentDrop) {
        self.native.agent_drop_named(iface, reason);
    }

    /// The counter of the messages that the task of `port` drops.
    pub fn port_drops(&self, port: PortIndex) -> PortDrops {
        self.native.port_drops(port)
    }

    /// Counts a failed read of the steered clock, which `input` needed.
    pub fn clock_read_failed(&self, input: ClockInput) {
        self.native.clock_read_failed(input);
    }
}

/// The interface of `port` in `interfaces` (by port index), or `portN` should the engine
/// name a port it was not given.
fn interface_of(interfaces: &[Option<String>], port: PortIndex) -> Cow<'_, str> {
    match interfaces.get(port.get()) {
        Some(Some(name)) => Cow::Borrowed(name),
        _ => Cow::Owned(format!("port{}", port.number())),
    }
}

/// The node's name: `NODE_NAME` (as a DaemonSet sets it from the downward API), else the
/// host name.
pub fn default_node_name() -> String {
    std::env::var("NODE_NAME")
        .ok()
        .filter(|n| !n.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "localhost".to_owned())
}

/// What the tests of the series and of their callers share: an instance on two ports and
/// its encoded text.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// The labels of the instance of [`metrics`].
    pub(crate) fn labels() -> SeriesLabels {
        SeriesLabels {
            node: "node-a".into(),
            config: "ptp4l.0.config".into(),
        }
    }

    /// The series of an instance on two ports, in a registry of their own, with the
    /// standalone agent's labels.
    pub(crate) fn metrics(summary_interval: i8) -> TestMetrics {
        let hub = MetricsHub::new(ConfigLabel::PerProcess);
        let instance = hub.instance(
            &labels(),
            vec![Some("eth0".into()), Some("eth1".into())],
            SummaryWindow::new(summary_interval, 0),
        );
        TestMetrics { hub, instance }
    }

    /// An instance's series and the hub they are in.
    pub(crate) struct TestMetrics {
        pub(crate) hub: MetricsHub,
        pub(crate) instance: AgentMetrics,
    }

    impl std::ops::Deref for TestMetrics {
        type Target = AgentMetrics;
        fn deref(&self) -> &AgentMetrics {
            &self.instance
        }
    }

    impl std::ops::DerefMut for TestMetrics {
        fn deref_mut(&mut self) -> &mut AgentMetrics {
            &mut self.instance
        }
    }

    /// The registry of `hub` as text.
    pub(crate) fn text(hub: &MetricsHub) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &hub.registry()).unwrap();
        out
    }

    /// The value of the series `name{labels}`, labels in encoding order.
    pub(crate) fn value(text: &str, name: &str, labels: &str) -> Option<f64> {
        let key = format!("{name}{{{labels}}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&key))
            .map(|v| v.parse().unwrap())
    }
}
