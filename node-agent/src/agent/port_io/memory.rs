//! Ports in memory, for the tests of the event loop and the supervisor: the test plays the
//! network. It reads what the engine sent ([`MemoryPorts::take_sent`]), delivers messages
//! with receive time stamps ([`MemoryPorts::deliver`]), gives or withholds transmit time
//! stamps, fails ports ([`MemoryPorts::fault`]) or refuses to open them, and counts every
//! opening and closing of each interface's port.
//!
//! Time is [`TestTime`]: a fixed start plus the tokio clock's progress, so that under
//! tokio's paused time the clock the engine reads, the stamps and the timers agree.

use std::collections::{BTreeMap, HashSet};
use std::sync::{Arc, Mutex, MutexGuard};

use phc::socket::PortConfig;
use phc::SocketError;
use ptp_core::engine::{Fault, MessageClass, TxTag};
use ptp_core::time::{Duration as PtpDuration, Time};
use tokio::time::Instant;

use super::{PortHandle, PortInput, PortIo, PortLink, SendRequest, Unsent, SEND_QUEUE};

/// The time of a test: `base` when the test started, then as the tokio clock goes.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TestTime {
    origin: Instant,
    base: Time,
}

impl TestTime {
    /// Time starting now at `base`.
    pub(crate) fn start(base: Time) -> Self {
        Self {
            origin: Instant::now(),
            base,
        }
    }

    /// The time now.
    pub(crate) fn now(&self) -> Time {
        let elapsed = Instant::now().duration_since(self.origin);
        self.base + PtpDuration::from(elapsed)
    }
}

/// How a port's transmit time stamps come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stamps {
    /// At once, at the time of the send.
    AtSend,
    /// Never: each is reported lost after `tx_timestamp_timeout`.
    Never,
}

/// A message sent, and when (the time its stamp has, when it is stamped).
#[derive(Debug)]
pub(crate) struct Sent {
    pub(crate) at: Time,
    pub(crate) request: SendRequest,
}

/// The ports of one interface.
#[derive(Debug)]
struct Interface {
    opened: usize,
    closed: usize,
    refuse: bool,
    stamps: Stamps,
    /// What was sent and not taken yet, of every opening.
    sent: Vec<Sent>,
    /// The current opening, while open.
    open: Option<Opening>,
}

impl Default for Interface {
    fn default() -> Self {
        Self {
            opened: 0,
            closed: 0,
            refuse: false,
            stamps: Stamps::AtSend,
            sent: Vec::new(),
            open: None,
        }
    }
}

#[derive(Debug)]
struct Opening {
    id: u64,
    link: PortLink,
    /// Tags whose stamps are awaited.
    pending: HashSet<TxTag>,
}

#[derive(Debug, Default)]
struct Wire {
    interfaces: BTreeMap<String, Interface>,
    next_id: u64,
}

/// In-memory ports (the [`PortIo`] of the tests); clones share the same wire.
#[derive(Clone, Debug)]
pub(crate) struct MemoryPorts {
    wire: Arc<Mutex<Wire>>,
    time: TestTime,
}

/// An open in-memory port.
#[derive(Debug)]
pub(crate) struct MemoryPort {
    ports: MemoryPorts,
    interface: String,
    id: u64,
}

impl MemoryPorts {
    /// Ports on a wire whose time is `time`.
    pub(crate) fn new(time: TestTime) -> Self {
        Self {
            wire: Arc::default(),
            time,
        }
    }

    fn wire(&self) -> MutexGuard<'_, Wire> {
        self.wire
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn with<T>(&self, interface: &str, f: impl FnOnce(&mut Interface) -> T) -> T {
        f(self
            .wire()
            .interfaces
            .entry(interface.to_owned())
            .or_default())
    }

    /// How many times the port on `interface` was opened.
    pub(crate) fn opened(&self, interface: &str) -> usize {
        self.with(interface, |i| i.opened)
    }

    /// How many times the port on `interface` was closed.
    pub(crate) fn closed(&self, interface: &str) -> usize {
        self.with(interface, |i| i.closed)
    }

    /// Whether the port on `interface` is open.
    pub(crate) fn is_open(&self, interface: &str) -> bool {
        self.with(interface, |i| i.open.is_some())
    }

    /// Makes opening `interface` fail (or succeed again).
    pub(crate) fn refuse(&self, interface: &str, refuse: bool) {
        self.with(interface, |i| i.refuse = refuse);
    }

    /// Sets how the transmit time stamps of `interface` come.
    pub(crate) fn stamps(&self, interface: &str, stamps: Stamps) {
        self.with(interface, |i| i.stamps = stamps);
    }

    /// What was sent on `interface` since the last call.
    pub(crate) fn take_sent(&self, interface: &str) -> Vec<Sent> {
        self.with(interface, |i| std::mem::take(&mut i.sent))
    }

    /// Delivers `bytes` received at `timestamp` to the port open on `interface`; false when
    /// it is not open.
    pub(crate) fn deliver(&self, interface: &str, bytes: Vec<u8>, timestamp: Time) -> bool {
        self.with(interface, |i| match &i.open {
            Some(open) => {
                open.link.reporter.report(PortInput::Message {
                    bytes,
                    timestamp: Some(timestamp),
                    source: None,
                });
                true
            }
            None => false,
        })
    }

    /// Fails the port open on `interface`: its I/O ends with `fault`, as a socket error
    /// ends a socket task. False when it is not open.
    pub(crate) async fn fault(&self, interface: &str, fault: Fault) -> bool {
        let Some(open) = self.with(interface, |i| i.open.take()) else {
            return false;
        };
        let source = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let error = SocketError::Io { op: "recv", source };
        open.link.reporter.report_fault(fault, error).await;
        true
    }

    /// Records a send on the opening `id` of `interface`.
    fn send(&self, interface: &str, id: u64, request: SendRequest) -> Result<(), Unsent> {
        let now = self.time.now();
        let mut wire = self.wire();
        let i = wire.interfaces.entry(interface.to_owned()).or_default();
        let Some(open) = i.open.as_mut().filter(|o| o.id == id) else {
            return Err(Unsent::Ended);
        };
        if i.sent.len() >= SEND_QUEUE {
            return Err(Unsent::Full);
        }
        if let (MessageClass::Event, Some(tag)) = (request.class, request.tag) {
            match i.stamps {
                Stamps::AtSend => open
                    .link
                    .reporter
                    .report(PortInput::TxTimestamp { tag, time: now }),
                Stamps::Never => {
                    open.pending.insert(tag);
                    let timeout = *open.link.tx_timeout.borrow();
                    let (ports, interface) = (self.clone(), interface.to_owned());
                    tokio::spawn(async move {
                        tokio::time::sleep(timeout).await;
                        ports.lose(&interface, id, tag);
                    });
                }
            }
        }
        i.sent.push(Sent { at: now, request });
        Ok(())
    }

    /// Reports the stamp of `tag` lost if the opening `id` still waits for it.
    fn lose(&self, interface: &str, id: u64, tag: TxTag) {
        self.with(interface, |i| {
            if let Some(open) = i.open.as_mut().filter(|o| o.id == id) {
                if open.pending.remove(&tag) {
                    open.link.reporter.report(PortInput::TxLost { tag });
                }
            }
        });
    }

    fn close(&self, interface: &str, id: u64) {
        self.with(interface, |i| {
            i.closed += 1;
            if i.open.as_ref().is_some_and(|o| o.id == id) {
                i.open = None;
            }
        });
    }
}

impl PortIo for MemoryPorts {
    type Handle = MemoryPort;

    fn open(&mut self, config: &PortConfig, link: PortLink) -> Result<MemoryPort, SocketError> {
        let interface = config.interface.clone();
        let mut wire = self.wire();
        wire.next_id += 1;
        let id = wire.next_id;
        let i = wire.interfaces.entry(interface.clone()).or_default();
        if i.refuse {
            let source = std::io::Error::from(std::io::ErrorKind::NotFound);
            return Err(SocketError::Io { op: "open", source });
        }
        i.opened += 1;
        i.open = Some(Opening {
            id,
            link,
            pending: HashSet::new(),
        });
        drop(wire);
        Ok(MemoryPort {
            ports: self.clone(),
            interface,
            id,
        })
    }
}

impl PortHandle for MemoryPort {
    fn send(&self, request: SendRequest) -> Result<(), Unsent> {
        self.ports.send(&self.interface, self.id, request)
    }
}

impl Drop for MemoryPort {
    fn drop(&mut self) {
        self.ports.close(&self.interface, self.id);
    }
}
