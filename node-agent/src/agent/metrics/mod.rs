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
//! Both sets of series live in one registry, which [`AgentMetrics`] owns and [`http`]
//! encodes.

pub mod http;
pub mod native;
pub mod openshift;

use std::borrow::Cow;
use std::sync::Arc;

use prometheus_client::registry::Registry;
use ptp_core::engine::{Event, PortIndex};

use self::native::{AgentDrop, ClockInput, NativeSeries, PortDrops};
use self::openshift::OpenshiftSeries;
use super::summary::SummaryWindow;

/// The agent's metrics and the registry that encodes them.
#[derive(Debug)]
pub struct AgentMetrics {
    registry: Arc<Registry>,
    openshift: OpenshiftSeries,
    native: NativeSeries,
}

impl AgentMetrics {
    /// Metrics for a ptp4l instance on `node`, configured by the file named `config`, whose
    /// ports are on `interfaces`, summarising samples as `summary` does. The process is
    /// marked up and its start counted.
    pub fn new(node: &str, config: &str, interfaces: Vec<String>, summary: SummaryWindow) -> Self {
        let mut registry = Registry::default();
        let openshift =
            OpenshiftSeries::register(&mut registry, node, config, &interfaces, summary);
        let native = NativeSeries::register(&mut registry, interfaces);
        Self {
            registry: Arc::new(registry),
            openshift,
            native,
        }
    }

    /// The registry, to encode.
    pub fn registry(&self) -> Arc<Registry> {
        self.registry.clone()
    }

    /// Updates the series from an engine event. `grandmaster_class` is the clockClass of the
    /// instance's grandmaster after the event (its parent data set).
    pub fn event(&mut self, event: &Event, grandmaster_class: u8) {
        self.openshift.event(event, grandmaster_class);
        self.native.event(event);
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

/// The interface of `port` in `interfaces` (port order), or `portN` should the engine name a
/// port it was not given.
fn interface_of(interfaces: &[String], port: PortIndex) -> Cow<'_, str> {
    match interfaces.get(port.get()) {
        Some(name) => Cow::Borrowed(name),
        None => Cow::Owned(format!("port{}", port.number())),
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

    pub(crate) fn metrics(summary_interval: i8) -> AgentMetrics {
        AgentMetrics::new(
            "node-a",
            "ptp4l.0.config",
            vec!["eth0".into(), "eth1".into()],
            SummaryWindow::new(summary_interval, 0),
        )
    }

    pub(crate) fn text(m: &AgentMetrics) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry()).unwrap();
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
