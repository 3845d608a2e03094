//! The series the OpenShift PTP daemon exports for ptp4l, under its names and labels.
//!
//! Series, all with `process="ptp4l"` and `node` (the node's name):
//!
//! - `openshift_ptp_offset_ns`, `_frequency_adjustment_ns` (ppb, as the daemon names it) and
//!   `_delay_ns` with `from="master"` and `iface` = the slave port's interface: the last
//!   sample. Ports that are not slaves have no samples, so master-side offsets are not
//!   exported (as upstream).
//! - `openshift_ptp_max_offset_ns`: the largest |offset| of the last ptp4l summary
//!   ([`crate::agent::summary`]; one sample per summary when `summary_interval` ≤ logSyncInterval).
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
//! When the process runs several instances side by side, the series without a `config`
//! label of their own carry the instance's too (last), so that two instances' series do not
//! collide ([`super::ConfigLabel::EverySeries`]).
//!
//! Not exported: phc2sys (`from="phc"`), ts2phc, GNSS/DPLL/SyncE series and the faulty-offset
//! sentinel the daemon writes when a slave port goes FAULTY.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use ptp_core::engine::{Event, PortIndex};
use ptp_core::servo::ServoState;
use ptp_core::wire::PortState;

use super::series::{InstanceLabel, Owned};
use super::{interface_of, SeriesLabels};
use crate::agent::summary::SummaryWindow;

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

type FloatGauge = Gauge<f64, AtomicU64>;
type Offsets = (OffsetLabels, InstanceLabel);
type Ifaces = (IfaceLabels, InstanceLabel);

/// The labels of one port's series, made once.
#[derive(Clone, Debug)]
struct PortLabels {
    iface: Ifaces,
    master: Offsets,
}

impl PortLabels {
    fn new(node: &str, iface: &str, instance: &InstanceLabel) -> Self {
        Self {
            iface: (
                IfaceLabels {
                    process: PROCESS.to_owned(),
                    node: node.to_owned(),
                    iface: iface.to_owned(),
                },
                instance.clone(),
            ),
            master: (
                OffsetLabels {
                    from: "master".to_owned(),
                    process: PROCESS.to_owned(),
                    node: node.to_owned(),
                    iface: iface.to_owned(),
                },
                instance.clone(),
            ),
        }
    }
}

/// The labels of the ports on `interfaces` (by port index; `None`: an empty slot).
fn port_labels(
    node: &str,
    interfaces: &[Option<String>],
    instance: &InstanceLabel,
) -> Vec<Option<PortLabels>> {
    interfaces
        .iter()
        .map(|iface| iface.as_ref().map(|i| PortLabels::new(node, i, instance)))
        .collect()
}

/// The `openshift_ptp_*` families, registered once and shared by the instances.
#[derive(Clone, Debug)]
pub(super) struct OpenshiftFamilies {
    offset: Family<Offsets, Gauge>,
    max_offset: Family<Offsets, Gauge>,
    frequency: Family<Offsets, FloatGauge>,
    delay: Family<Offsets, Gauge>,
    clock_state: Family<Ifaces, Gauge>,
    role: Family<Ifaces, Gauge>,
    clock_class: Family<ConfigLabels, Gauge>,
    status: Family<ConfigLabels, Gauge>,
    restarts: Family<ConfigLabels, Gauge>,
}

impl OpenshiftFamilies {
    /// Registers the families in `registry`.
    pub(super) fn register(registry: &mut Registry) -> Self {
        let families = Self {
            offset: Family::default(),
            max_offset: Family::default(),
            frequency: Family::default(),
            delay: Family::default(),
            clock_state: Family::default(),
            role: Family::default(),
            clock_class: Family::default(),
            status: Family::default(),
            restarts: Family::default(),
        };
        registry.register(
            "openshift_ptp_offset_ns",
            "Offset from the master (ns), from the last sample",
            families.offset.clone(),
        );
        registry.register(
            "openshift_ptp_max_offset_ns",
            "Largest absolute offset from the master (ns) over the last summary interval",
            families.max_offset.clone(),
        );
        registry.register(
            "openshift_ptp_frequency_adjustment_ns",
            "Frequency adjustment of the disciplined clock (ppb)",
            families.frequency.clone(),
        );
        registry.register(
            "openshift_ptp_delay_ns",
            "Mean path delay to the master (ns)",
            families.delay.clone(),
        );
        registry.register(
            "openshift_ptp_clock_state",
            "0 = FREERUN, 1 = LOCKED, 2 = HOLDOVER",
            families.clock_state.clone(),
        );
        registry.register(
            "openshift_ptp_interface_role",
            "0 = PASSIVE, 1 = SLAVE, 2 = MASTER, 3 = FAULTY, 4 = UNKNOWN, 5 = LISTENING",
            families.role.clone(),
        );
        registry.register(
            "openshift_ptp_clock_class",
            "clockClass of the grandmaster this clock follows (its own when it is the \
             grandmaster): 6 = locked to a primary reference, 7 = in holdover within \
             specification, 135 = boundary clock in holdover, 165 = beyond holdover \
             specification, 248 = default, 255 = slave-only",
            families.clock_class.clone(),
        );
        registry.register(
            "openshift_ptp_process_status",
            "0 = DOWN, 1 = UP",
            families.status.clone(),
        );
        registry.register(
            "openshift_ptp_process_restart_count",
            "Number of starts of the process, the first included",
            families.restarts.clone(),
        );
        families
    }
}

/// One instance's `openshift_ptp_*` series.
#[derive(Debug)]
pub(super) struct OpenshiftSeries {
    node: String,
    instance: InstanceLabel,
    /// The labels of each port, by port index (`None`: an empty slot).
    ports: Vec<Option<PortLabels>>,
    summary: SummaryWindow,
    offset: Owned<Offsets, Gauge>,
    max_offset: Owned<Offsets, Gauge>,
    frequency: Owned<Offsets, FloatGauge>,
    delay: Owned<Offsets, Gauge>,
    clock_state: Owned<Ifaces, Gauge>,
    role: Owned<Ifaces, Gauge>,
    clock_class: Owned<ConfigLabels, Gauge>,
    status: Owned<ConfigLabels, Gauge>,
    restarts: Owned<ConfigLabels, Gauge>,
    /// The labels of the per-process series.
    process_labels: ConfigLabels,
}

impl OpenshiftSeries {
    /// The series of a ptp4l instance labelled `labels` (and `instance` where the daemon has
    /// no `config` label), whose ports are on `interfaces`, summarising samples as `summary`
    /// does. The process is marked up and its start counted.
    pub(super) fn new(
        families: &OpenshiftFamilies,
        labels: &SeriesLabels,
        instance: InstanceLabel,
        interfaces: &[Option<String>],
        summary: SummaryWindow,
    ) -> Self {
        let process_labels = ConfigLabels {
            process: PROCESS.to_owned(),
            node: labels.node.clone(),
            config: labels.config.clone(),
        };
        let series = Self {
            node: labels.node.clone(),
            ports: port_labels(&labels.node, interfaces, &instance),
            instance,
            summary,
            offset: Owned::new(&families.offset),
            max_offset: Owned::new(&families.max_offset),
            frequency: Owned::new(&families.frequency),
            delay: Owned::new(&families.delay),
            clock_state: Owned::new(&families.clock_state),
            role: Owned::new(&families.role),
            clock_class: Owned::new(&families.clock_class),
            status: Owned::new(&families.status),
            restarts: Owned::new(&families.restarts),
            process_labels,
        };
        series.status.get(&series.process_labels).set(1);
        series.restarts.get(&series.process_labels).inc();
        for port in series.ports.iter().flatten() {
            series
                .role
                .get(&port.iface)
                .set(role_of(PortState::Initializing));
        }
        series
    }

    /// The ports are now on `interfaces` (by port index): the series of ports that are gone
    /// are removed, the others kept.
    pub(super) fn set_interfaces(&mut self, interfaces: &[Option<String>]) {
        let ports = port_labels(&self.node, interfaces, &self.instance);
        let names = |ports: &[Option<PortLabels>]| -> Vec<String> {
            ports
                .iter()
                .flatten()
                .map(|p| p.iface.0.iface.clone())
                .collect()
        };
        let (old, new) = (names(&self.ports), names(&ports));
        let gone = |iface: &str| old.iter().any(|i| i == iface) && !new.iter().any(|i| i == iface);
        self.offset.retire_where(|(l, _)| gone(&l.iface));
        self.max_offset.retire_where(|(l, _)| gone(&l.iface));
        self.frequency.retire_where(|(l, _)| gone(&l.iface));
        self.delay.retire_where(|(l, _)| gone(&l.iface));
        self.clock_state.retire_where(|(l, _)| gone(&l.iface));
        self.role.retire_where(|(l, _)| gone(&l.iface));
        self.ports = ports;
    }

    /// Summarises from now on as `summary` does.
    pub(super) fn set_summary(&mut self, summary: SummaryWindow) {
        self.summary = summary;
    }

    /// Removes every series of this instance.
    pub(super) fn retire(&self) {
        self.offset.retire();
        self.max_offset.retire();
        self.frequency.retire();
        self.delay.retire();
        self.clock_state.retire();
        self.role.retire();
        self.clock_class.retire();
        self.status.retire();
        self.restarts.retire();
    }

    /// The labels of `port`.
    fn port(&self, port: PortIndex) -> PortLabels {
        match self.ports.get(port.get()) {
            Some(Some(labels)) => labels.clone(),
            _ => PortLabels::new(&self.node, &interface_of(&[], port), &self.instance),
        }
    }

    /// Updates the series from an engine event. `grandmaster_class` is the clockClass of the
    /// instance's grandmaster after the event (its parent data set).
    pub(super) fn event(&mut self, event: &Event, grandmaster_class: u8) {
        self.clock_class
            .get(&self.process_labels)
            .set(i64::from(grandmaster_class));
        match *event {
            Event::PortState { port, from, to } => {
                let labels = &self.port(port).iface;
                self.role.get(labels).set(role_of(to));
                let following = |s| matches!(s, PortState::Slave | PortState::Uncalibrated);
                if following(from) && !following(to) {
                    self.clock_state.get(labels).set(FREERUN);
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
                self.offset.get(master).set(offset.nanos_rounded());
                self.frequency.get(master).set(frequency.get());
                self.delay.get(master).set(path_delay.nanos_rounded());
                if let Some(summary) = summary {
                    // Whole nanoseconds (saturating): the magnitude of one of the offsets.
                    let max = summary.offset_max_abs.round() as i64;
                    self.max_offset.get(master).set(max);
                }
                self.clock_state.get(&labels.iface).set(state_of(servo));
            }
            Event::Dropped { .. } | Event::Fault { .. } | Event::ParentChanged { .. } => {}
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

#[cfg(test)]
mod tests {
    use super::super::testing::{metrics, text, value};
    use super::*;
    use ptp_core::time::{Duration, Ppb};

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
        let t = text(&metrics(0).hub);
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
        let t = text(&m.hub);
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
        let t = text(&m.hub);
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
                value(&text(&m.hub), "openshift_ptp_max_offset_ns", MASTER0),
                None,
                "no summary before sample {i}"
            );
            m.event(&sample(0, *offset, ServoState::LockedStable), 248);
        }
        let t = text(&m.hub);
        assert_eq!(
            value(&t, "openshift_ptp_max_offset_ns", MASTER0),
            Some(300.0)
        );
        assert_eq!(value(&t, "openshift_ptp_offset_ns", MASTER0), Some(5.0));
        for offset in [1, -2, 3, 4] {
            m.event(&sample(0, offset, ServoState::LockedStable), 248);
        }
        let t = text(&m.hub);
        assert_eq!(value(&t, "openshift_ptp_max_offset_ns", MASTER0), Some(4.0));
    }

    #[test]
    fn leaving_slave_is_freerun_and_roles_follow_states() {
        let mut m = metrics(0);
        m.event(&sample(0, 1, ServoState::Locked), 6);
        m.event(&state(0, PortState::Slave, PortState::Faulty), 255);
        let t = text(&m.hub);
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
                value(&text(&m.hub), "openshift_ptp_interface_role", IFACE1),
                Some(role),
                "{to}"
            );
        }
    }
}
