//! The I/O of one port: a task that owns the port's event and general sockets (registered
//! with tokio through `AsyncFd`), sends what the engine asks for, and reports received
//! messages, transmit time stamps, lost time stamps and socket errors to the event loop.
//!
//! Transmit time stamps come from the event socket's error queue; the [`TxId`] the kernel
//! reports is matched to the engine's [`TxTag`]. A stamp that has not come within
//! `tx_timestamp_timeout` is reported lost ([`PortInput::TxLost`]); the engine then faults
//! the port, as ptp4l does. No input is waited for with a fixed sleep.
//!
//! Any socket error ends the task with [`PortInput::Fault`]: the event loop faults the port
//! and opens new sockets when the engine leaves FAULTY (after fault_reset_interval).
//!
//! Both queues between a task and the event loop are bounded ([`REPORT_QUEUE`],
//! [`SEND_QUEUE`]); what does not fit is dropped and counted in
//! `ptp_agent_messages_dropped_total`, so neither side ever waits for the other. The only
//! report that waits for room is a fault, which ends the task and which the engine must get.

use std::collections::VecDeque;

use phc::socket::{
    Destination as SocketDestination, PortConfig, PortSockets, PtpSocket, Transport, TxId,
};
use phc::SocketError;
use ptp_core::engine::{Destination, Fault, MessageClass, PeerAddress, PortIndex, TxTag};
use ptp_core::time::Time;
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};
use tokio::io::Interest;
use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::mpsc::{Receiver, Sender};
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};

use super::metrics::native::{AgentDrop, PortDrops};
use super::timers::sleep_until;

/// Largest datagram we accept (an Ethernet frame's payload).
const RECV_BUFFER: usize = 1500;

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

/// Room in a port task's queue of messages to send. The engine sends in short bursts (a Sync
/// and its Follow_Up, a Delay_Resp per Delay_Req, an answer to a management request) and the
/// task sends each at once on non-blocking sockets, so the queue only fills while the task
/// is starved: it holds about 100 ms of a master serving 16 slaves at 128 messages a second
/// each.
pub const SEND_QUEUE: usize = 256;

/// What a port task reports. `generation` tells reports of sockets since closed apart.
#[derive(Debug)]
pub struct PortReport {
    /// The port.
    pub port: PortIndex,
    /// Which opening of the port's sockets this comes from.
    pub generation: u64,
    /// What happened.
    pub input: PortInput,
}

/// One thing that happened on a port's sockets.
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
    /// A socket failed; the task has ended and closed its sockets.
    Fault {
        /// The engine's name for it.
        fault: Fault,
        /// What failed.
        error: SocketError,
    },
}

/// A message for the port task to send.
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

/// A running port task.
#[derive(Debug)]
pub struct PortTask {
    requests: Sender<SendRequest>,
    task: JoinHandle<()>,
}

/// Why a message was not handed to a port task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsent {
    /// The task's queue is full.
    Full,
    /// The task has ended (its fault is on its way to the event loop).
    Ended,
}

impl PortTask {
    /// Opens the sockets of `config` and starts the task. Must run inside the tokio runtime.
    pub fn open(
        port: PortIndex,
        generation: u64,
        config: &PortConfig,
        tx_timeout: Duration,
        reports: Sender<PortReport>,
        drops: PortDrops,
    ) -> Result<Self, SocketError> {
        let sockets = PortSockets::open(config)?;
        let event = register(sockets.event, EVENT_INTEREST)?;
        // On IEEE 802.3 the general socket only sends; on UDP it receives general messages.
        let general = register(sockets.general, Interest::READABLE)?;
        let (requests, rx) = tokio::sync::mpsc::channel(SEND_QUEUE);
        let io = PortIo {
            reporter: Reporter {
                port,
                generation,
                reports,
                drops,
            },
            transport: config.transport,
            event: Some(event),
            general,
            pending: VecDeque::new(),
            tx_timeout,
        };
        let task = tokio::spawn(io.run(rx));
        Ok(Self { requests, task })
    }

    /// Hands a message to the task, without waiting.
    pub fn send(&self, request: SendRequest) -> Result<(), Unsent> {
        self.requests.try_send(request).map_err(|e| match e {
            TrySendError::Full(_) => Unsent::Full,
            TrySendError::Closed(_) => Unsent::Ended,
        })
    }
}

impl Drop for PortTask {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// An event message whose transmit time stamp is awaited.
#[derive(Debug)]
struct Pending {
    id: TxId,
    tag: TxTag,
    deadline: Instant,
}

/// Sends a port's reports to the event loop.
struct Reporter {
    port: PortIndex,
    generation: u64,
    reports: Sender<PortReport>,
    drops: PortDrops,
}

impl Reporter {
    /// Reports `input` if the queue has room for it (a received message leaves
    /// [`CONTROL_RESERVE`] free), else counts it dropped. A closed queue means the agent is
    /// shutting down: the report is dropped.
    fn report(&self, input: PortInput) {
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

    /// Reports the fault that ends the task, waiting for room: the engine must hear of it.
    async fn report_fault(&self, fault: Fault, error: SocketError) {
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

/// What the event socket waits for: messages, and transmit time stamps on its error queue.
const EVENT_INTEREST: Interest = Interest::READABLE.add(Interest::ERROR);

/// Registers a socket with the event loop.
fn register(socket: PtpSocket, interest: Interest) -> Result<AsyncFd<PtpSocket>, SocketError> {
    // `with_interest` is deprecated because a `T` could close or replace its descriptor while
    // registered (the sound replacement is `unsafe`, which this crate forbids). A `PtpSocket`
    // owns its descriptor for its whole life and never replaces it.
    #[allow(deprecated)]
    AsyncFd::with_interest(socket, interest).map_err(|source| SocketError::Io {
        op: "register with the event loop",
        source,
    })
}

/// Waits until `fd` is ready for `interest`; never, while there is no `fd`.
async fn ready(
    fd: Option<&AsyncFd<PtpSocket>>,
    interest: Interest,
) -> std::io::Result<AsyncFdReadyGuard<'_, PtpSocket>> {
    match fd {
        Some(fd) => fd.ready(interest).await,
        None => std::future::pending().await,
    }
}

struct PortIo {
    reporter: Reporter,
    transport: Transport,
    /// Taken out of the event loop while an event message is sent (see [`PortIo::send`]).
    event: Option<AsyncFd<PtpSocket>>,
    general: AsyncFd<PtpSocket>,
    pending: VecDeque<Pending>,
    tx_timeout: Duration,
}

impl PortIo {
    async fn run(mut self, mut requests: Receiver<SendRequest>) {
        let mut buf = vec![0u8; RECV_BUFFER];
        let receives_general = self.transport != Transport::Ieee8023;
        loop {
            let deadline = self.pending.front().map(|p| p.deadline);
            let step = tokio::select! {
                request = requests.recv() => match request {
                    Some(r) => self.send(r),
                    None => return,
                },
                ready = ready(self.event.as_ref(), Interest::READABLE) => match ready {
                    Ok(mut guard) => {
                        let r = drain(guard.get_inner(), &mut buf, &self.reporter);
                        if r.is_ok() {
                            guard.clear_ready();
                        }
                        r
                    }
                    Err(source) => Err((Fault::ReceiveFailed, SocketError::Io { op: "poll", source })),
                },
                ready = self.general.readable(), if receives_general => match ready {
                    Ok(mut guard) => {
                        let r = drain(self.general.get_ref(), &mut buf, &self.reporter);
                        if r.is_ok() {
                            guard.clear_ready();
                        }
                        r
                    }
                    Err(source) => Err((Fault::ReceiveFailed, SocketError::Io { op: "poll", source })),
                },
                ready = ready(self.event.as_ref(), Interest::ERROR) => match ready {
                    Ok(mut guard) => {
                        let r = tx_timestamps(guard.get_inner(), &mut self.pending, &self.reporter);
                        if r.is_ok() {
                            guard.clear_ready();
                        }
                        r
                    }
                    Err(source) => Err((Fault::ReceiveFailed, SocketError::Io { op: "poll", source })),
                },
                () = sleep_until(deadline) => {
                    self.expire(Instant::now());
                    Ok(())
                }
            };
            if let Err((fault, error)) = step {
                self.reporter.report_fault(fault, error).await;
                return;
            }
        }
    }

    fn send(&mut self, r: SendRequest) -> Result<(), (Fault, SocketError)> {
        let destination = match r.destination {
            Destination::Multicast => SocketDestination::Primary,
            Destination::PeerMulticast => SocketDestination::PeerDelay,
            Destination::Unicast(peer) => SocketDestination::Unicast(peer),
        };
        if r.class == MessageClass::General {
            self.general
                .get_mut()
                .send(&r.bytes, destination)
                .map_err(|e| (Fault::SendFailed, e))?;
            return Ok(());
        }
        // An event message is sent from outside the event loop's epoll set, as ptp4l sends
        // from outside poll(): the kernel queues a software transmit time stamp during the
        // send itself, between stamping and handing the packet on, and waking an epoll
        // registration there adds a microsecond or so to every event message's path after
        // its time stamp, a bias of half that on the offset. The stamps already queued are
        // read before registering again; later ones (hardware) wake the loop as usual.
        let mut socket = self.event.take().map(AsyncFd::into_inner).ok_or_else(|| {
            let source = std::io::Error::from(std::io::ErrorKind::NotConnected);
            (
                Fault::SendFailed,
                SocketError::Io {
                    op: "sendto",
                    source,
                },
            )
        })?;
        let sent = socket.send(&r.bytes, destination);
        if let (Ok(Some(id)), Some(tag)) = (&sent, r.tag) {
            self.pending.push_back(Pending {
                id: *id,
                tag,
                deadline: Instant::now() + self.tx_timeout,
            });
        }
        let stamps = tx_timestamps(&socket, &mut self.pending, &self.reporter);
        self.event = Some(register(socket, EVENT_INTEREST).map_err(|e| (Fault::ReceiveFailed, e))?);
        sent.map_err(|e| (Fault::SendFailed, e))?;
        stamps
    }

    fn expire(&mut self, now: Instant) {
        while self.pending.front().is_some_and(|p| p.deadline <= now) {
            if let Some(p) = self.pending.pop_front() {
                self.reporter.report(PortInput::TxLost { tag: p.tag });
            }
        }
    }
}

/// Reads the error queue dry, matching stamps to pending sends.
fn tx_timestamps(
    socket: &PtpSocket,
    pending: &mut VecDeque<Pending>,
    reporter: &Reporter,
) -> Result<(), (Fault, SocketError)> {
    while let Some(stamp) = socket
        .recv_tx_timestamp()
        .map_err(|e| (Fault::ReceiveFailed, e))?
    {
        // Stamps come in send order; a send before this one whose stamp never came is left
        // for its deadline.
        let Some(i) = pending.iter().position(|p| p.id == stamp.id) else {
            tracing::debug!(
                port = reporter.port.number(),
                id = stamp.id.0,
                "unexpected tx time stamp"
            );
            continue;
        };
        if let Some(p) = pending.remove(i) {
            reporter.report(PortInput::TxTimestamp {
                tag: p.tag,
                time: stamp.time,
            });
        }
    }
    Ok(())
}

/// Reads a socket dry, reporting each message.
fn drain(
    socket: &PtpSocket,
    buf: &mut [u8],
    reporter: &Reporter,
) -> Result<(), (Fault, SocketError)> {
    loop {
        match socket.recv(buf) {
            Ok(Some(rx)) => {
                let bytes = buf.get(..rx.len).unwrap_or(&[]).to_vec();
                reporter.report(PortInput::Message {
                    bytes,
                    timestamp: rx.timestamp,
                    source: rx.source,
                });
            }
            Ok(None) => return Ok(()),
            // An oversized datagram is the sender's problem, not the port's.
            Err(SocketError::Truncated(len)) => {
                tracing::debug!(
                    port = reporter.port.number(),
                    len,
                    "dropped an oversized datagram"
                );
            }
            Err(e) => return Err((Fault::ReceiveFailed, e)),
        }
    }
}

/// A task that sends nothing: its queue fills and stays full, for the tests of the event
/// loop's overflow counting. Must run inside the tokio runtime.
#[cfg(test)]
pub(crate) fn stalled_task() -> (PortTask, Receiver<SendRequest>) {
    let (requests, rx) = tokio::sync::mpsc::channel(SEND_QUEUE);
    let task = tokio::spawn(std::future::pending());
    (PortTask { requests, task }, rx)
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
        let reporter = Reporter {
            port: PortIndex(1),
            generation: 1,
            reports,
            drops: m.port_drops(PortIndex(1)),
        };
        let dropped = |reason: &str| {
            let labels = format!(r#"iface="eth1",reason="{reason}""#);
            value(&text(&m), "ptp_agent_messages_dropped_total", &labels).unwrap_or(0.0)
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
