//! Ports over `phc`'s time-stamping sockets: a task per port owns its event and general
//! sockets (registered with tokio through `AsyncFd`), sends what the engine asks for, and
//! reports received messages, transmit time stamps, lost time stamps and socket errors.
//!
//! Transmit time stamps come from the event socket's error queue; the [`TxId`] the kernel
//! reports is matched to the engine's [`TxTag`]. A stamp that has not come within
//! `tx_timestamp_timeout` is reported lost ([`PortInput::TxLost`]); the engine then faults
//! the port, as ptp4l does. No input is waited for with a fixed sleep.
//!
//! Any socket error ends the task with [`PortInput::Fault`]: the event loop faults the port
//! and opens new sockets when the engine leaves FAULTY (after fault_reset_interval).

use std::collections::VecDeque;

use phc::socket::{
    Destination as SocketDestination, PortConfig, PortSockets, PtpSocket, Transport, TxId,
};
use phc::SocketError;
use ptp_core::engine::{Destination, Fault, MessageClass, TxTag};
use tokio::io::unix::{AsyncFd, AsyncFdReadyGuard};
use tokio::io::Interest;
use tokio::sync::mpsc::{Receiver, Sender};
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio::time::{Duration, Instant};

use super::{PortHandle, PortInput, PortIo, PortLink, Reporter, SendRequest, Unsent, SEND_QUEUE};
use crate::agent::timers::sleep_until;

/// Largest datagram we accept (an Ethernet frame's payload).
const RECV_BUFFER: usize = 1500;

/// Opens ports on the host's network interfaces.
#[derive(Debug, Default)]
pub struct SocketPorts;

impl PortIo for SocketPorts {
    type Handle = SocketPort;

    fn open(&mut self, config: &PortConfig, link: PortLink) -> Result<SocketPort, SocketError> {
        SocketPort::open(config, link)
    }
}

/// A running port task.
#[derive(Debug)]
pub struct SocketPort {
    requests: Sender<SendRequest>,
    task: JoinHandle<()>,
}

impl SocketPort {
    /// Opens the sockets of `config` and starts the task. Must run inside the tokio runtime.
    fn open(config: &PortConfig, link: PortLink) -> Result<Self, SocketError> {
        let sockets = PortSockets::open(config)?;
        let event = register(sockets.event, EVENT_INTEREST)?;
        // On IEEE 802.3 the general socket only sends; on UDP it receives general messages.
        let general = register(sockets.general, Interest::READABLE)?;
        let (requests, rx) = tokio::sync::mpsc::channel(SEND_QUEUE);
        let io = PortTask {
            reporter: link.reporter,
            transport: config.transport,
            event: Some(event),
            general,
            pending: VecDeque::new(),
            tx_timeout: link.tx_timeout,
        };
        let task = tokio::spawn(io.run(rx));
        Ok(Self { requests, task })
    }
}

impl PortHandle for SocketPort {
    fn send(&self, request: SendRequest) -> Result<(), Unsent> {
        self.requests.try_send(request).map_err(Unsent::from)
    }
}

impl Drop for SocketPort {
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

struct PortTask {
    reporter: Reporter,
    transport: Transport,
    /// Taken out of the event loop while an event message is sent (see [`PortTask::send`]).
    event: Option<AsyncFd<PtpSocket>>,
    general: AsyncFd<PtpSocket>,
    pending: VecDeque<Pending>,
    tx_timeout: watch::Receiver<Duration>,
}

impl PortTask {
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
                deadline: Instant::now() + *self.tx_timeout.borrow(),
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
                port = reporter.port().number(),
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
                    port = reporter.port().number(),
                    len,
                    "dropped an oversized datagram"
                );
            }
            Err(e) => return Err((Fault::ReceiveFailed, e)),
        }
    }
}
