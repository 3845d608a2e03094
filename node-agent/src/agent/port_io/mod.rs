//! The I/O of a port, as the event loop sees it: [`PortIo`] opens a port's I/O from its
//! configuration and gives a [`PortHandle`] that takes messages to send; what happens on the
//! port comes back as [`PortReport`]s (received messages with their time stamps, transmit
//! time stamps, lost stamps, faults) through the [`Reporter`] it was opened with. Dropping
//! the handle closes the port.
//!
//! [`socket`] is the implementation over `phc`'s time-stamping sockets, one task per port;
//! the tests of the event loop use an in-memory one.
//!
//! Both queues between a port and the event loop are bounded ([`REPORT_QUEUE`],
//! [`SEND_QUEUE`]); what does not fit is dropped and counted in
//! `ptp_agent_messages_dropped_total`, so neither side ever waits for the other. The only
//! report that waits for room is a fault, which ends the port's I/O and which the engine must
//! get.

#[cfg(test)]
pub(crate) mod memory;
pub mod socket;

use std::fmt::Debug;

use phc::socket::{PortConfig, TimestampMode, Transport};
use phc::SocketError;
use ptp_core::config::enums::NetworkTransport;
use ptp_core::engine::{
    Destination, Fault, MessageClass, PeerAddress, PortIndex, PortSettings, TxTag,
};
use ptp_core::servo::TimestampingMode;
use ptp_core::time::Time;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::Sender;
use tokio::sync::watch;
use tokio::time::Duration;

use super::metrics::native::{AgentDrop, PortDrops};

/// Room in the event loop's queue of reports, which all ports share. It only fills while the
/// loop is busy elsewhere (a clock step, a burst of management requests): at the highest
/// rates ptp4l is run with (log intervals of -7, 128 messages a second of each kind) a
/// master serving 16 slaves receives some 2,000 Delay_Req a second, and received messages
/// may fill all but [`CONTROL_RESERVE`] of the queue, some 380 ms of that. At most this many
/// reports of at most 1,500 bytes each: 1.5 MB.
pub const REPORT_QUEUE: usize = 1024;

/// The part of [`REPORT_QUEUE`] that received messages cannot take: it is kept for transmit
/// time stamps and lost-stamp reports, which follow the loop's own sends, so that a flood of
/// received messages cannot crowd them out.
pub const CONTROL_RESERVE: usize = 256;

/// Room in a port's queue of messages to send. The engine sends in short bursts (a Sync and
/// its Follow_Up, a Delay_Resp per Delay_Req, an answer to a management request) and the
/// port task sends each at once on non-blocking sockets, so the queue only fills while the
/// task is starved: it holds about 100 ms of a master serving 16 slaves at 128 messages a
/// second each.
pub const SEND_QUEUE: usize = 256;

/// How the sockets of the engine's `port` open, time stamps taken as `mode` says: the one
/// place where the engine's port settings become a socket configuration, at start and after
/// every reconfiguration.
pub fn socket_config(mode: TimestampingMode, port: &PortSettings) -> PortConfig {
    let t = &port.transport;
    let transport = match t.network_transport {
        NetworkTransport::UdpV4 => Transport::UdpIpv4,
        NetworkTransport::UdpV6 => Transport::UdpIpv6,
        NetworkTransport::L2 => Transport::Ieee8023,
    };
    PortConfig {
        timestamping: match mode {
            TimestampingMode::Software => TimestampMode::Software,
            TimestampingMode::Hardware => TimestampMode::Hardware,
        },
        udp6_scope: t.udp6_scope,
        multicast_ttl: t.udp_ttl,
        dscp_event: t.dscp_event,
        dscp_general: t.dscp_general,
        socket_priority: t.socket_priority,
        ptp_dst_mac: t.ptp_dst_mac,
        p2p_dst_mac: t.p2p_dst_mac,
        ..PortConfig::new(port.name.clone(), transport)
    }
}

/// Opens the I/O of ports.
pub trait PortIo: Debug + Send + 'static {
    /// An open port.
    type Handle: PortHandle;

    /// Opens the port `config` describes; what happens on it is reported through `link`.
    /// Must run inside the tokio runtime.
    fn open(&mut self, config: &PortConfig, link: PortLink) -> Result<Self::Handle, SocketError>;
}

/// An open port; dropping it closes the port.
pub trait PortHandle: Debug + Send + 'static {
    /// Hands a message to the port, without waiting.
    fn send(&self, request: SendRequest) -> Result<(), Unsent>;
}

/// What an open port reports through, and how long it waits for a transmit time stamp.
#[derive(Debug)]
pub struct PortLink {
    /// Where its reports go.
    pub reporter: Reporter,
    /// `tx_timestamp_timeout`: how long a transmit time stamp is waited for before it is
    /// reported lost ([`PortInput::TxLost`]). The event loop changes it in place.
    pub tx_timeout: watch::Receiver<Duration>,
}

/// What a port reports. `generation` tells reports of an earlier opening apart.
#[derive(Debug)]
pub struct PortReport {
    /// The port.
    pub port: PortIndex,
    /// Which opening of the port this comes from.
    pub generation: u64,
    /// What happened.
    pub input: PortInput,
}

/// One thing that happened on a port.
#[derive(Debug)]
pub enum PortInput {
    /// A message arrived.
    Message {
        /// Its bytes.
        bytes: Vec<u8>,
        /// The kernel's receive time stamp (event messages).
        timestamp: Option<Time>,
        /// The sender.
        source: Option<PeerAddress>,
    },
    /// The transmit time stamp of the event message sent with `tag`.
    TxTimestamp {
        /// The engine's tag.
        tag: TxTag,
        /// The kernel's time stamp.
        time: Time,
    },
    /// No transmit time stamp came for `tag` within `tx_timestamp_timeout`.
    TxLost {
        /// The engine's tag.
        tag: TxTag,
    },
    /// The port's I/O failed; it has ended and closed its sockets.
    Fault {
        /// The engine's name for it.
        fault: Fault,
        /// What failed.
        error: SocketError,
    },
}

/// A message for a port to send.
#[derive(Debug)]
pub struct SendRequest {
    /// Event or general socket.
    pub class: MessageClass,
    /// Where to.
    pub destination: Destination,
    /// Report the transmit time stamp with this tag.
    pub tag: Option<TxTag>,
    /// The encoded message.
    pub bytes: Vec<u8>,
}

/// Why a message was not handed to a port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// The port's queue is full.
    Full,
    /// The port's I/O has ended (its fault is on its way to the event loop).
    Ended,
}

impl From<TrySendError<SendRequest>> for Unsent {
    fn from(e: TrySendError<SendRequest>) -> Self {
        match e {
            TrySendError::Full(_) => Self::Full,
            TrySendError::Closed(_) => Self::Ended,
        }
    }
}

/// Sends one opening of a port's reports to the event loop.
#[derive(Clone, Debug)]
pub struct Reporter {
    port: PortIndex,
    generation: u64,
    reports: Sender<PortReport>,
    drops: PortDrops,
}

impl Reporter {
    /// Reports of opening `generation` of `port` to `reports`, counting what does not fit
    /// in `drops`.
    pub fn new(
        port: PortIndex,
        generation: u64,
        reports: Sender<PortReport>,
        drops: PortDrops,
    ) -> Self {
        Self {
            port,
            generation,
            reports,
            drops,
        }
    }

    /// The port reported on.
    pub fn port(&self) -> PortIndex {
        self.port
    }

    /// Reports `input` if the queue has room for it (a received message leaves
    /// [`CONTROL_RESERVE`] free), else counts it dropped. A closed queue means the instance
    /// is stopping: the report is dropped.
    pub fn report(&self, input: PortInput) {
        let (room, reason) = match input {
            PortInput::Message { .. } => (CONTROL_RESERVE + 1, AgentDrop::QueueFull),
            _ => (1, AgentDrop::TimestampQueueFull),
        };
        let fits = self.reports.capacity() >= room
            && match self.reports.try_send(self.wrap(input)) {
                Ok(()) | Err(TrySendError::Closed(_)) => true,
                Err(TrySendError::Full(_)) => false,
            };
        if !fits {
            tracing::debug!(
                port = self.port.number(),
                "event loop queue full: report dropped"
            );
            self.drops.count(reason);
        }
    }

    /// Reports the fault that ends the port's I/O, waiting for room: the engine must hear
    /// of it.
    pub async fn report_fault(&self, fault: Fault, error: SocketError) {
        let _ = self
            .reports
            .send(self.wrap(PortInput::Fault { fault, error }))
            .await;
    }

    fn wrap(&self, input: PortInput) -> PortReport {
        PortReport {
            port: self.port,
            generation: self.generation,
            input,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::agent::metrics::testing::{metrics, text, value};

    fn message() -> PortInput {
        PortInput::Message {
            bytes: vec![0; 44],
            timestamp: None,
            source: None,
        }
    }

    fn stamp() -> PortInput {
        PortInput::TxTimestamp {
            tag: TxTag(1),
            time: Time::from_secs_nanos(1_700_000_000, 0),
        }
    }

    #[test]
    fn what_the_event_loop_has_no_room_for_is_counted_and_stamps_keep_their_reserve() {
        let m = metrics(0);
        let (reports, mut queue) = tokio::sync::mpsc::channel(REPORT_QUEUE);
        let reporter = Reporter::new(PortIndex(1), 1, reports, m.port_drops(PortIndex(1)));
        let dropped = |reason: &str| {
            let labels = format!(r#"iface="eth1",reason="{reason}""#);
            value(&text(&m.hub), "ptp_agent_messages_dropped_total", &labels).unwrap_or(0.0)
        };
        // A flood of received messages fills the queue up to the reserve.
        for _ in 0..REPORT_QUEUE {
            reporter.report(message());
        }
        assert_eq!(queue.len(), REPORT_QUEUE - CONTROL_RESERVE);
        assert_eq!(dropped("queue_full"), CONTROL_RESERVE as f64);
        // Transmit time stamps still fit, in the reserve, until it is full too.
        for _ in 0..CONTROL_RESERVE + 2 {
            reporter.report(stamp());
        }
        assert_eq!(queue.len(), REPORT_QUEUE);
        assert_eq!(dropped("timestamp_queue_full"), 2.0);
        // Once the loop has read, there is room again: a stamp fits, a message does not
        // (the reserve is not free).
        queue.try_recv().unwrap();
        queue.try_recv().unwrap();
        reporter.report(message());
        reporter.report(stamp());
        assert_eq!(queue.len(), REPORT_QUEUE - 1);
        assert_eq!(dropped("queue_full"), CONTROL_RESERVE as f64 + 1.0);
        assert_eq!(dropped("timestamp_queue_full"), 2.0);
    }
}
