//! Prometheus metrics as the OpenShift PTP daemon exports them for ptp4l, fed from the
//! engine's events (never from log lines), and the HTTP server that serves them on
//! `GET /metrics`.
//!
//! Series, all with `process="ptp4l"` and `node` (the node's name):
//!
//! - `openshift_ptp_offset_ns`, `_frequency_adjustment_ns` (ppb, as the daemon names it) and
//!   `_delay_ns` with `from="master"` and `iface` = the slave port's interface: the last
//!   sample. Ports that are not slaves have no samples, so master-side offsets are not
//!   exported (as upstream).
//! - `openshift_ptp_max_offset_ns`: the largest |offset| of the last ptp4l summary
//!   ([`super::summary`]; one sample per summary when `summary_interval` ≤ logSyncInterval).
//! - `openshift_ptp_clock_state{iface}`: 0 FREERUN (servo s0, s1), 1 LOCKED (s2, s3), from
//!   each sample; back to 0 when the slave port leaves SLAVE/UNCALIBRATED. The engine has no
//!   holdover, so 2 HOLDOVER is never exported.
//! - `openshift_ptp_interface_role{iface}`, per port: 0 PASSIVE, 1 SLAVE, 2 MASTER, 3 FAULTY,
//!   4 UNKNOWN (INITIALIZING, DISABLED), 5 LISTENING (also UNCALIBRATED and PRE_MASTER: the
//!   port waits, it neither follows nor serves yet).
//! - `openshift_ptp_clock_class{config}`: the grandmaster's clockClass (this clock's own
//!   when it is the grandmaster), `config` = the configuration file's name.
//! - `openshift_ptp_process_status{config}` 1 and `openshift_ptp_process_restart_count{config}`
//!   1 (incremented on every start, the first included, as the daemon counts). The latter is
//!   exported as a gauge: prometheus-client would append `_total` to a counter's name.
//!
//! Native to the agent: `ptp_agent_messages_dropped_total{iface,reason}` (every message the
//! engine drops: malformed, another domain, …) and `ptp_agent_port_faults_total{iface,reason}`.
//!
//! Not exported: phc2sys (`from="phc"`), ts2phc, GNSS/DPLL/SyncE series and the faulty-offset
//! sentinel the daemon writes when a slave port goes FAULTY.

use std::borrow::Cow;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use ptp_core::engine::{DropReason, Event, Fault, PortIndex};
use ptp_core::servo::ServoState;
use ptp_core::wire::PortState;
use tokio::net::TcpListener;

use super::summary::SummaryWindow;

/// The process label: the agent stands in for ptp4l.
const PROCESS: &str = "ptp4l";

/// Labels of the offset, frequency and delay series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OffsetLabels {
    from: String,
    process: String,
    node: String,
    iface: String,
}

/// Labels of per-interface state series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct IfaceLabels {
    process: String,
    node: String,
    iface: String,
}

/// Labels of per-process series.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ConfigLabels {
    process: String,
    node: String,
    config: String,
}

/// Labels of the agent's own counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    iface: String,
    reason: String,
}

type FloatGauge = Gauge<f64, AtomicU64>;

/// The labels of one port's series, made once.
#[derive(Clone, Debug)]
struct PortLabels {
    iface: IfaceLabels,
    master: OffsetLabels,
}

impl PortLabels {
    fn new(node: &str, iface: &str) -> Self {
        Self {
            iface: IfaceLabels {
                process: PROCESS.to_owned(),
                node: node.to_owned(),
                iface: iface.to_owned(),
            },
            master: OffsetLabels {
                from: "master".to_owned(),
                process: PROCESS.to_owned(),
                node: node.to_owned(),
                iface: iface.to_owned(),
            },
        }
    }
}

/// The agent's metrics and the registry that encodes them.
#[derive(Debug)]
pub struct AgentMetrics {
    registry: Arc<Registry>,
    node: String,
    /// The labels of each port, in port order.
    ports: Vec<PortLabels>,
    summary: SummaryWindow,
    offset: Family<OffsetLabels, Gauge>,
    max_offset: Family<OffsetLabels, Gauge>,
    frequency: Family<OffsetLabels, FloatGauge>,
    delay: Family<OffsetLabels, Gauge>,
    clock_state: Family<IfaceLabels, Gauge>,
    role: Family<IfaceLabels, Gauge>,
    clock_class: Family<ConfigLabels, Gauge>,
    /// The labels of the per-process series.
    process_labels: ConfigLabels,
    dropped: Family<ReasonLabels, Counter>,
    faults: Family<ReasonLabels, Counter>,
}

impl AgentMetrics {
    /// Metrics for a ptp4l instance on `node`, configured by the file named `config`, whose
    /// ports are on `interfaces`, summarising samples as `summary` does. The process is
    /// marked up and its start counted.
    pub fn new(node: &str, config: &str, interfaces: Vec<String>, summary: SummaryWindow) -> Self {
        let mut registry = Registry::default();
        let offset = Family::<OffsetLabels, Gauge>::default();
        let max_offset = Family::<OffsetLabels, Gauge>::default();
        let frequency = Family::<OffsetLabels, FloatGauge>::default();
        let delay = Family::<OffsetLabels, Gauge>::default();
        let clock_state = Family::<IfaceLabels, Gauge>::default();
        let role = Family::<IfaceLabels, Gauge>::default();
        let clock_class = Family::<ConfigLabels, Gauge>::default();
        let status = Family::<ConfigLabels, Gauge>::default();
        let restarts = Family::<ConfigLabels, Gauge>::default();
        let dropped = Family::<ReasonLabels, Counter>::default();
        let faults = Family::<ReasonLabels, Counter>::default();
        registry.register(
            "openshift_ptp_offset_ns",
            "Offset from the master (ns), from the last sample",
            offset.clone(),
        );
        registry.register(
            "openshift_ptp_max_offset_ns",
            "Largest absolute offset from the master (ns) over the last summary interval",
            max_offset.clone(),
        );
        registry.register(
            "openshift_ptp_frequency_adjustment_ns",
            "Frequency adjustment of the disciplined clock (ppb)",
            frequency.clone(),
        );
        registry.register(
            "openshift_ptp_delay_ns",
            "Mean path delay to the master (ns)",
            delay.clone(),
        );
        registry.register(
            "openshift_ptp_clock_state",
            "0 = FREERUN, 1 = LOCKED, 2 = HOLDOVER",
            clock_state.clone(),
        );
        registry.register(
            "openshift_ptp_interface_role",
            "0 = PASSIVE, 1 = SLAVE, 2 = MASTER, 3 = FAULTY, 4 = UNKNOWN, 5 = LISTENING",
            role.clone(),
        );
        registry.register(
            "openshift_ptp_clock_class",
            "clockClass of the grandmaster this clock follows (its own when it is the \
             grandmaster): 6 = locked to a primary reference, 7 = in holdover within \
             specification, 135 = boundary clock in holdover, 165 = beyond holdover \
             specification, 248 = default, 255 = slave-only",
            clock_class.clone(),
        );
        registry.register(
            "openshift_ptp_process_status",
            "0 = DOWN, 1 = UP",
            status.clone(),
        );
        registry.register(
            "openshift_ptp_process_restart_count",
            "Number of starts of the process, the first included",
            restarts.clone(),
        );
        registry.register(
            "ptp_agent_messages_dropped",
            "Received PTP messages the engine did not use, by port interface and reason",
            dropped.clone(),
        );
        registry.register(
            "ptp_agent_port_faults",
            "Faults that took a port to FAULTY, by port interface and kind",
            faults.clone(),
        );
        let process_labels = ConfigLabels {
            process: PROCESS.to_owned(),
            node: node.to_owned(),
            config: config.to_owned(),
        };
        status.get_or_create(&process_labels).set(1);
        restarts.get_or_create(&process_labels).inc();
        let metrics = Self {
            registry: Arc::new(registry),
            node: node.to_owned(),
            ports: interfaces
                .iter()
                .map(|iface| PortLabels::new(node, iface))
                .collect(),
            summary,
            offset,
            max_offset,
            frequency,
            delay,
            clock_state,
            role,
            clock_class,
            process_labels,
            dropped,
            faults,
        };
        for port in &metrics.ports {
            metrics
                .role
                .get_or_create(&port.iface)
                .set(role_of(PortState::Initializing));
        }
        metrics
    }

    /// The registry, to encode.
    pub fn registry(&self) -> Arc<Registry> {
        self.registry.clone()
    }

    /// The labels of `port` (named `portN` should the engine name a port it was not given).
    fn port(&self, port: PortIndex) -> Cow<'_, PortLabels> {
        match self.ports.get(port.get()) {
            Some(labels) => Cow::Borrowed(labels),
            None => Cow::Owned(PortLabels::new(
                &self.node,
                &format!("port{}", port.number()),
            )),
        }
    }

    /// Updates the series from an engine event. `grandmaster_class` is the clockClass of the
    /// instance's grandmaster after the event (its parent data set).
    pub fn event(&mut self, event: &Event, grandmaster_class: u8) {
        self.clock_class
            .get_or_create(&self.process_labels)
            .set(i64::from(grandmaster_class));
        match *event {
            Event::PortState { port, from, to } => {
                let labels = &self.port(port).iface;
                self.role.get_or_create(labels).set(role_of(to));
                let following = |s| matches!(s, PortState::Slave | PortState::Uncalibrated);
                if following(from) && !following(to) {
                    self.clock_state.get_or_create(labels).set(FREERUN);
                }
            }
            Event::Sample {
                port,
                offset,
                frequency,
                servo,
                path_delay,
            } => {
                let summary = self.summary.push(offset, frequency, path_delay);
                let labels = self.port(port);
                let master = &labels.master;
                self.offset
                    .get_or_create(master)
                    .set(offset.nanos_rounded());
                self.frequency.get_or_create(master).set(frequency.get());
                self.delay
                    .get_or_create(master)
                    .set(path_delay.nanos_rounded());
                if let Some(summary) = summary {
                    // Whole nanoseconds (saturating): the magnitude of one of the offsets.
                    let max = summary.offset_max_abs.round() as i64;
                    self.max_offset.get_or_create(master).set(max);
                }
                self.clock_state
                    .get_or_create(&labels.iface)
                    .set(state_of(servo));
            }
            Event::Dropped { port, reason } => {
                let labels = ReasonLabels {
                    iface: self.port(port).iface.iface.clone(),
                    reason: drop_reason(reason).to_owned(),
                };
                self.dropped.get_or_create(&labels).inc();
            }
            Event::Fault { port, fault } => {
                let labels = ReasonLabels {
                    iface: self.port(port).iface.iface.clone(),
                    reason: fault_kind(fault).to_owned(),
                };
                self.faults.get_or_create(&labels).inc();
            }
            Event::ParentChanged { .. } => {}
        }
    }
}

const FREERUN: i64 = 0;
const LOCKED: i64 = 1;

/// The daemon's clock state of a servo state: s0 and s1 FREERUN, s2 and s3 LOCKED.
fn state_of(servo: ServoState) -> i64 {
    match servo {
        ServoState::Unlocked | ServoState::Jump => FREERUN,
        ServoState::Locked | ServoState::LockedStable => LOCKED,
    }
}

/// The daemon's interface role of a port state.
fn role_of(state: PortState) -> i64 {
    match state {
        PortState::Passive => 0,
        PortState::Slave => 1,
        PortState::Master => 2,
        PortState::Faulty => 3,
        PortState::Initializing | PortState::Disabled => 4,
        PortState::Listening | PortState::Uncalibrated | PortState::PreMaster => 5,
    }
}

fn drop_reason(reason: DropReason) -> &'static str {
    match reason {
        DropReason::Malformed(_) => "malformed",
        DropReason::OtherDomain => "other_domain",
        DropReason::OwnMessage => "own_message",
        DropReason::UnexpectedInState => "unexpected_in_state",
        DropReason::NotFromParent => "not_from_parent",
        DropReason::Unmatched => "unmatched",
        DropReason::Loop => "loop",
        DropReason::AbsurdTime => "absurd_time",
        DropReason::NoTimestamp => "no_timestamp",
        DropReason::Unsupported => "unsupported",
        DropReason::NotForUs => "not_for_us",
    }
}

fn fault_kind(fault: Fault) -> &'static str {
    match fault {
        Fault::TxTimestampLost => "tx_timestamp_lost",
        Fault::SendFailed => "send_failed",
        Fault::ReceiveFailed => "receive_failed",
        Fault::OpenFailed => "open_failed",
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

/// The content type of prometheus-client's text encoding.
const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Binds `address` and serves `registry` there from a background task. A bind failure is
/// logged and returns: metrics must not stop time synchronisation.
pub async fn spawn_server(address: SocketAddr, registry: Arc<Registry>) {
    match TcpListener::bind(address).await {
        Ok(listener) => {
            tracing::info!("metrics on http://{address}/metrics");
            tokio::spawn(serve(listener, registry));
        }
        Err(e) => tracing::error!("no metrics: cannot bind {address}: {e}"),
    }
}

async fn serve(listener: TcpListener, registry: Arc<Registry>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // Out of file descriptors, most likely: wait rather than spin.
                tracing::warn!("metrics: accept: {e}");
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
        };
        let registry = registry.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request: Request<Incoming>| {
                let response = respond(&registry, request.method(), request.uri().path());
                async move { Ok::<_, Infallible>(response) }
            });
            if let Err(e) = http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!("metrics connection: {e}");
            }
        });
    }
}

/// `GET /metrics` is the encoded registry; anything else is an error status.
fn respond(registry: &Registry, method: &Method, path: &str) -> Response<Full<Bytes>> {
    let (status, content_type, body) = if path != "/metrics" {
        (
            StatusCode::NOT_FOUND,
            "text/plain",
            "not found\n".to_owned(),
        )
    } else if method != Method::GET && method != Method::HEAD {
        (
            StatusCode::METHOD_NOT_ALLOWED,
            "text/plain",
            "method not allowed\n".to_owned(),
        )
    } else {
        let mut text = String::new();
        match prometheus_client::encoding::text::encode(&mut text, registry) {
            Ok(()) => (StatusCode::OK, CONTENT_TYPE, text),
            Err(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "text/plain",
                "cannot encode the metrics\n".to_owned(),
            ),
        }
    };
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response
            .headers_mut()
            .insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use ptp_core::time::{Duration, Ppb};
    use ptp_core::wire::WireError;

    fn metrics(summary_interval: i8) -> AgentMetrics {
        AgentMetrics::new(
            "node-a",
            "ptp4l.0.config",
            vec!["eth0".into(), "eth1".into()],
            SummaryWindow::new(summary_interval, 0),
        )
    }

    fn text(m: &AgentMetrics) -> String {
        let mut out = String::new();
        prometheus_client::encoding::text::encode(&mut out, &m.registry()).unwrap();
        out
    }

    /// The value of the series `name{labels}`, labels in encoding order.
    fn value(text: &str, name: &str, labels: &str) -> Option<f64> {
        let key = format!("{name}{{{labels}}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&key))
            .map(|v| v.parse().unwrap())
    }

    const IFACE0: &str = r#"process="ptp4l",node="node-a",iface="eth0""#;
    const IFACE1: &str = r#"process="ptp4l",node="node-a",iface="eth1""#;
    const MASTER0: &str = r#"from="master",process="ptp4l",node="node-a",iface="eth0""#;
    const CONFIG: &str = r#"process="ptp4l",node="node-a",config="ptp4l.0.config""#;

    fn sample(port: u16, offset: i64, servo: ServoState) -> Event {
        Event::Sample {
            port: PortIndex(port),
            offset: Duration::from_nanos(offset),
            frequency: Ppb(-1234.5),
            servo,
            path_delay: Duration::from_nanos(850),
        }
    }

    fn state(port: u16, from: PortState, to: PortState) -> Event {
        Event::PortState {
            port: PortIndex(port),
            from,
            to,
        }
    }

    #[test]
    fn a_new_process_is_up_once_started_with_unknown_roles() {
        let t = text(&metrics(0));
        assert_eq!(value(&t, "openshift_ptp_process_status", CONFIG), Some(1.0));
        assert_eq!(
            value(&t, "openshift_ptp_process_restart_count", CONFIG),
            Some(1.0)
        );
        assert_eq!(value(&t, "openshift_ptp_interface_role", IFACE0), Some(4.0));
        assert_eq!(value(&t, "openshift_ptp_interface_role", IFACE1), Some(4.0));
        assert!(t.contains("# TYPE openshift_ptp_interface_role gauge"));
        // Nothing is known of offsets and the grandmaster before the first event.
        assert!(!t.contains("openshift_ptp_offset_ns{"), "{t}");
        assert!(!t.contains("openshift_ptp_clock_class{"), "{t}");
        assert!(!t.contains("process_cpu"), "no process collector:\n{t}");
    }

    #[test]
    fn samples_set_the_slave_interface_series() {
        let mut m = metrics(0);
        m.event(&state(0, PortState::Uncalibrated, PortState::Slave), 6);
        m.event(&state(1, PortState::PreMaster, PortState::Master), 6);
        m.event(&sample(0, -42, ServoState::Unlocked), 6);
        let t = text(&m);
        assert_eq!(value(&t, "openshift_ptp_offset_ns", MASTER0), Some(-42.0));
        assert_eq!(
            value(&t, "openshift_ptp_max_offset_ns", MASTER0),
            Some(42.0)
        );
        assert_eq!(
            value(&t, "openshift_ptp_frequency_adjustment_ns", MASTER0),
            Some(-1234.5)
        );
        assert_eq!(value(&t, "openshift_ptp_delay_ns", MASTER0), Some(850.0));
        assert_eq!(value(&t, "openshift_ptp_clock_state", IFACE0), Some(0.0));
        assert_eq!(value(&t, "openshift_ptp_interface_role", IFACE0), Some(1.0));
        assert_eq!(value(&t, "openshift_ptp_interface_role", IFACE1), Some(2.0));
        assert_eq!(value(&t, "openshift_ptp_clock_class", CONFIG), Some(6.0));
        // The master port has no offset series.
        assert_eq!(
            t.lines()
                .filter(|l| l.starts_with("openshift_ptp_offset_ns"))
                .count(),
            1
        );
        m.event(&sample(0, 7, ServoState::Locked), 6);
        let t = text(&m);
        assert_eq!(value(&t, "openshift_ptp_offset_ns", MASTER0), Some(7.0));
        assert_eq!(value(&t, "openshift_ptp_clock_state", IFACE0), Some(1.0));
    }

    #[test]
    fn max_offset_is_the_summary_maximum() {
        // summary_interval 2 with logSyncInterval 0: one summary per four samples.
        let mut m = metrics(2);
        let offsets = [10, -300, 20, 5];
        for (i, offset) in offsets.iter().enumerate() {
            assert_eq!(
                value(&text(&m), "openshift_ptp_max_offset_ns", MASTER0),
                None,
                "no summary before sample {i}"
            );
            m.event(&sample(0, *offset, ServoState::LockedStable), 248);
        }
        let t = text(&m);
        assert_eq!(
            value(&t, "openshift_ptp_max_offset_ns", MASTER0),
            Some(300.0)
        );
        assert_eq!(value(&t, "openshift_ptp_offset_ns", MASTER0), Some(5.0));
        for offset in [1, -2, 3, 4] {
            m.event(&sample(0, offset, ServoState::LockedStable), 248);
        }
        let t = text(&m);
        assert_eq!(value(&t, "openshift_ptp_max_offset_ns", MASTER0), Some(4.0));
    }

    #[test]
    fn leaving_slave_is_freerun_and_roles_follow_states() {
        let mut m = metrics(0);
        m.event(&sample(0, 1, ServoState::Locked), 6);
        m.event(&state(0, PortState::Slave, PortState::Faulty), 255);
        let t = text(&m);
        assert_eq!(value(&t, "openshift_ptp_clock_state", IFACE0), Some(0.0));
        assert_eq!(value(&t, "openshift_ptp_interface_role", IFACE0), Some(3.0));
        assert_eq!(value(&t, "openshift_ptp_clock_class", CONFIG), Some(255.0));
        for (to, role) in [
            (PortState::Listening, 5.0),
            (PortState::Uncalibrated, 5.0),
            (PortState::Passive, 0.0),
            (PortState::Disabled, 4.0),
        ] {
            m.event(&state(1, PortState::Initializing, to), 255);
            assert_eq!(
                value(&text(&m), "openshift_ptp_interface_role", IFACE1),
                Some(role),
                "{to}"
            );
        }
    }

    #[test]
    fn drops_and_faults_are_counted_per_interface_and_reason() {
        let mut m = metrics(0);
        let dropped = |port, reason| Event::Dropped {
            port: PortIndex(port),
            reason,
        };
        let truncated = WireError::Truncated {
            what: "header",
            needed: 34,
            available: 3,
        };
        m.event(&dropped(1, DropReason::Malformed(truncated)), 248);
        m.event(&dropped(1, DropReason::Malformed(truncated)), 248);
        m.event(&dropped(0, DropReason::OtherDomain), 248);
        // A port the metrics were not told of is named by its number.
        m.event(&dropped(7, DropReason::Loop), 248);
        m.event(
            &Event::Fault {
                port: PortIndex(0),
                fault: Fault::TxTimestampLost,
            },
            248,
        );
        let t = text(&m);
        assert_eq!(
            value(
                &t,
                "ptp_agent_messages_dropped_total",
                r#"iface="eth1",reason="malformed""#
            ),
            Some(2.0)
        );
        assert_eq!(
            value(
                &t,
                "ptp_agent_messages_dropped_total",
                r#"iface="eth0",reason="other_domain""#
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &t,
                "ptp_agent_messages_dropped_total",
                r#"iface="port8",reason="loop""#
            ),
            Some(1.0)
        );
        assert_eq!(
            value(
                &t,
                "ptp_agent_port_faults_total",
                r#"iface="eth0",reason="tx_timestamp_lost""#
            ),
            Some(1.0)
        );
    }

    #[test]
    fn only_get_metrics_is_served() {
        let m = metrics(0);
        let r = respond(&m.registry(), &Method::GET, "/metrics");
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(r.headers()[hyper::header::CONTENT_TYPE], CONTENT_TYPE);
        assert_eq!(
            respond(&m.registry(), &Method::GET, "/").status(),
            StatusCode::NOT_FOUND
        );
        assert_eq!(
            respond(&m.registry(), &Method::POST, "/metrics").status(),
            StatusCode::METHOD_NOT_ALLOWED
        );
    }
}
