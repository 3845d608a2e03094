//! The agent's own series, which the OpenShift daemon has no counterpart of:
//!
//! - `ptp_agent_messages_dropped_total{iface,reason}`: every received message the engine
//!   drops (malformed, another domain, …), by the reasons of [`DropReason`], and every message
//!   the agent drops on its way in or out ([`AgentDrop`]: an unreadable clock, a full
//!   queue). Answers of the local management socket are counted with `iface` = the socket's
//!   path, the name ptp4l gives that port.
//! - `ptp_agent_port_faults_total{iface,reason}`: every fault that took a port to FAULTY.
//! - `ptp_agent_clock_read_failures_total{input}`: every failed read of the steered clock, by
//!   the input that needed its time ([`ClockInput`]).
//!
//! When the process runs several instances side by side, every series carries the
//! instance's `config` label too (last) ([`super::ConfigLabel::EverySeries`]).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use ptp_core::engine::{DropReason, Event, Fault, PortIndex};

use super::interface_of;
use super::series::{InstanceLabel, Owned};

/// Labels of the agent's counters.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    iface: String,
    reason: String,
}

/// Why the agent dropped a message on its way to or from the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentDrop {
    /// A received message: the steered clock could not be read, so the engine could not be
    /// told the time.
    ClockUnreadable,
    /// A received message: the event loop's queue was full.
    QueueFull,
    /// The transmit time stamp of a sent message (or the news that it was lost): the event
    /// loop's queue was full.
    TimestampQueueFull,
    /// A message to send: the port task's queue was full.
    SendQueueFull,
    /// An answer of the local management socket: its backlog was full.
    AnswerQueueFull,
}

impl AgentDrop {
    fn label(self) -> &'static str {
        match self {
            Self::ClockUnreadable => "clock_unreadable",
            Self::QueueFull => "queue_full",
            Self::TimestampQueueFull => "timestamp_queue_full",
            Self::SendQueueFull => "send_queue_full",
            Self::AnswerQueueFull => "answer_queue_full",
        }
    }
}

/// Counts the messages one port task drops; the task holds it (it shares the series of the
/// registry).
#[derive(Clone, Debug)]
pub struct PortDrops {
    dropped: Owned<Reasons, Counter>,
    iface: String,
    instance: InstanceLabel,
}

impl PortDrops {
    /// Counts a dropped message.
    pub fn count(&self, reason: AgentDrop) {
        count(&self.dropped, &self.iface, reason.label(), &self.instance);
    }
}

/// What needed the steered clock's time when it could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockInput {
    /// A received message (dropped).
    Message,
    /// A timer's expiry (tried again shortly).
    Timer,
    /// A request on the local management socket (dropped: the client hears nothing).
    Management,
    /// A port fault or a lost transmit time stamp (held until the clock can be read).
    PortFault,
}

impl ClockInput {
    fn label(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::Timer => "timer",
            Self::Management => "management",
            Self::PortFault => "port_fault",
        }
    }
}

/// Labels of the clock read failures.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct InputLabels {
    input: String,
}

type Reasons = (ReasonLabels, InstanceLabel);
type Inputs = (InputLabels, InstanceLabel);

/// The `ptp_agent_*` families, registered once and shared by the instances.
#[derive(Clone, Debug)]
pub(super) struct NativeFamilies {
    dropped: Family<Reasons, Counter>,
    faults: Family<Reasons, Counter>,
    clock_read_failures: Family<Inputs, Counter>,
}

impl NativeFamilies {
    /// Registers the families in `registry`.
    pub(super) fn register(registry: &mut Registry) -> Self {
        let families = Self {
            dropped: Family::default(),
            faults: Family::default(),
            clock_read_failures: Family::default(),
        };
        registry.register(
            "ptp_agent_messages_dropped",
            "PTP messages dropped: received ones the engine did not use, and ones the agent \
             dropped on their way in or out, by port interface and reason",
            families.dropped.clone(),
        );
        registry.register(
            "ptp_agent_port_faults",
            "Faults that took a port to FAULTY, by port interface and kind",
            families.faults.clone(),
        );
        registry.register(
            "ptp_agent_clock_read_failures",
            "Failed reads of the steered clock, by the input that needed its time",
            families.clock_read_failures.clone(),
        );
        families
    }
}

/// One instance's `ptp_agent_*` series.
#[derive(Debug)]
pub(super) struct NativeSeries {
    /// The interface of each port, by port index (`None`: an empty slot).
    interfaces: Vec<Option<String>>,
    instance: InstanceLabel,
    dropped: Owned<Reasons, Counter>,
    faults: Owned<Reasons, Counter>,
    clock_read_failures: Owned<Inputs, Counter>,
}

impl NativeSeries {
    /// The series of an instance whose ports are on `interfaces`, labelled `instance`.
    pub(super) fn new(
        families: &NativeFamilies,
        interfaces: Vec<Option<String>>,
        instance: InstanceLabel,
    ) -> Self {
        Self {
            interfaces,
            instance,
            dropped: Owned::new(&families.dropped),
            faults: Owned::new(&families.faults),
            clock_read_failures: Owned::new(&families.clock_read_failures),
        }
    }

    /// Removes every series of this instance.
    pub(super) fn retire(&self) {
        self.dropped.retire();
        self.faults.retire();
        self.clock_read_failures.retire();
    }

    /// The ports are now on `interfaces` (by port index): the counters of ports that are
    /// gone are removed, the others kept.
    pub(super) fn set_interfaces(&mut self, interfaces: Vec<Option<String>>) {
        // Only ports' series: the management socket's drops carry its path.
        let gone = |iface: &str| {
            let is = |list: &[Option<String>]| list.iter().flatten().any(|i| i == iface);
            is(&self.interfaces) && !is(&interfaces)
        };
        self.dropped.retire_where(|(l, _)| gone(&l.iface));
        self.faults.retire_where(|(l, _)| gone(&l.iface));
        self.interfaces = interfaces;
    }

    /// Counts a message the agent dropped on `port`.
    pub(super) fn agent_drop(&self, port: PortIndex, reason: AgentDrop) {
        self.count(&self.dropped, port, reason.label());
    }

    /// Counts a message the agent dropped on the port named `iface`.
    pub(super) fn agent_drop_named(&self, iface: &str, reason: AgentDrop) {
        count(&self.dropped, iface, reason.label(), &self.instance);
    }

    /// The counter of the messages the task of `port` drops.
    pub(super) fn port_drops(&self, port: PortIndex) -> PortDrops {
        PortDrops {
            dropped: self.dropped.clone(),
            iface: interface_of(&self.interfaces, port).into_owned(),
            instance: self.instance.clone(),
        }
    }

    /// Counts a failed read of the steered clock.
    pub(super) fn clock_read_failed(&self, input: ClockInput) {
        let labels = InputLabels {
            input: input.label().to_owned(),
        };
        self.clock_read_failures
            .get(&(labels, self.instance.clone()))
            .inc();
    }

    /// Counts the drops and faults among the engine's events.
    pub(super) fn event(&mut self, event: &Event) {
        match *event {
            Event::Dropped { port, reason } => self.count(&self.dropped, port, drop_reason(reason)),
            Event::Fault { port, fault } => self.count(&self.faults, port, fault_kind(fault)),
            Event::PortState { .. } | Event::Sample { .. } | Event::ParentChanged { .. } => {}
        }
    }

    fn count(&self, series: &Owned<Reasons, Counter>, port: PortIndex, reason: &str) {
        let iface = interface_of(&self.interfaces, port);
        count(series, &iface, reason, &self.instance);
    }
}

fn count(series: &Owned<Reasons, Counter>, iface: &str, reason: &str, instance: &InstanceLabel) {
    let labels = ReasonLabels {
        iface: iface.to_owned(),
        reason: reason.to_owned(),
    };
    series.get(&(labels, instance.clone())).inc();
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

#[cfg(test)]
mod tests {
    use super::super::testing::{metrics, text, value};
    use super::*;
    use ptp_core::wire::WireError;

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
        let t = text(&m.hub);
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
}
