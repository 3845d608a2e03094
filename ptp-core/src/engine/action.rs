//! What the engine asks its runtime to do ([`Action`]) and the sink it hands them to
//! ([`ActionSink`]), plus the identifiers that tie later inputs back to earlier actions:
//! [`TxTag`] for transmit time stamps and [`Timer`] for timer expiries.
//!
//! Actions are passed to the sink as they are produced, borrowing the bytes to send from the
//! engine's scratch buffer, so the message path allocates nothing. [`ActionLog`] is a sink that
//! records owned copies, for tests and the simulator. The engine's modules hand actions over
//! through the shorthands at the end (`arm`, `cancel`, `cancel_all_timers`, `drop_message`).

use crate::servo::ServoState;
use crate::time::{Duration, Ppb};
use crate::wire::{ClockIdentity, PortIdentity, PortState, WireError};

/// A port of the instance, 0-based (its portNumber is one more: [`PortIndex::number`]).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct PortIndex(pub u16);

impl PortIndex {
    /// The port at position `i` of a port list: the inverse of [`PortIndex::get`]. Beyond
    /// what a `u16` counts it gives `u16::MAX`, which no port has (an instance has fewer
    /// than 0xffff ports).
    pub fn from_usize(i: usize) -> Self {
        Self(u16::try_from(i).unwrap_or(u16::MAX))
    }

    /// The index as a `usize`, for slices.
    pub const fn get(self) -> usize {
        self.0 as usize
    }

    /// The port's IEEE 1588 portNumber (in its portIdentity, in logs and names): the index
    /// plus one.
    pub const fn number(self) -> u16 {
        self.0.saturating_add(1)
    }
}

/// Identifies an event message sent with [`Action::Send`]; the runtime reports its transmit
/// time stamp with the same tag.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct TxTag(pub u32);

/// The timers a port uses. Each is armed for a duration from now and re-armed or cancelled by
/// the engine; arming an armed timer replaces it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub enum TimerKind {
    /// Send the next Announce (master).
    Announce,
    /// No Announce from the master for announceReceiptTimeout intervals.
    AnnounceReceipt,
    /// Send the next Sync (master).
    Sync,
    /// Send the next Delay_Req (E2E slave).
    DelayReq,
    /// Send the next Pdelay_Req (P2P, every port).
    PdelayReq,
    /// PRE_MASTER's qualification timeout has passed.
    Qualification,
    /// Leave FAULTY after fault_reset_interval.
    FaultReset,
}

impl TimerKind {
    /// Every kind, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::Announce,
        Self::AnnounceReceipt,
        Self::Sync,
        Self::DelayReq,
        Self::PdelayReq,
        Self::Qualification,
        Self::FaultReset,
    ];
}

/// A timer: which port and which kind.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Timer {
    /// The port the timer belongs to.
    pub port: PortIndex,
    /// What it is for.
    pub kind: TimerKind,
}

/// Whether a message goes on the event port (and gets a transmit time stamp) or the general
/// port.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum MessageClass {
    /// Event message (Sync, Delay_Req, Pdelay_Req, Pdelay_Resp): UDP port 319.
    Event,
    /// General message: UDP port 320.
    General,
}

/// Where a message goes.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Destination {
    /// The transport's primary multicast address (224.0.1.129, FF0X::181,
    /// 01-1B-19-00-00-00 or what the configuration says).
    Multicast,
    /// The peer-delay multicast address (224.0.0.107, FF02::6B, 01-80-C2-00-00-0E).
    PeerMulticast,
    /// To one peer by unicast: back to the sender of a received message (the address the
    /// runtime gave with it), or to a unicast master table entry.
    Unicast(PeerAddress),
}

/// A unicast transport address: an IPv4 or IPv6 address (UDP) or a MAC address (L2), as in
/// a `[unicast_master_table]`. The runtime gives it with each received message and sends to
/// it for [`Destination::Unicast`].
pub type PeerAddress = crate::config::unicast::UnicastAddress;

/// A change to the local clock.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum ClockAction {
    /// Step the clock by this much (positive: forward).
    Step(Duration),
    /// Set the clock's frequency correction (relative to its free-running rate).
    SetFrequency(Ppb),
}

/// Something observers (logs, metrics, status) want to know.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Event {
    /// A port changed state.
    PortState {
        /// The port.
        port: PortIndex,
        /// Its previous state.
        from: PortState,
        /// Its new state.
        to: PortState,
    },
    /// The clock chose a new parent (or itself, when it became grandmaster).
    ParentChanged {
        /// The new parent port.
        parent: PortIdentity,
        /// The new grandmaster.
        grandmaster: ClockIdentity,
    },
    /// A synchronisation sample was fed to the servo (what ptp4l prints as
    /// `master offset … s2 freq … path delay …`).
    Sample {
        /// The slave port.
        port: PortIndex,
        /// Offset from master.
        offset: Duration,
        /// Frequency correction after the sample.
        frequency: Ppb,
        /// Servo state after the sample.
        servo: ServoState,
        /// Mean path delay used.
        path_delay: Duration,
    },
    /// A received message was dropped.
    Dropped {
        /// The port it arrived on.
        port: PortIndex,
        /// Why.
        reason: DropReason,
    },
    /// A port detected a fault and went FAULTY.
    Fault {
        /// The port.
        port: PortIndex,
        /// What went wrong.
        fault: Fault,
    },
}

/// Why a received message was not used. Each is counted, none is an error of the engine.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum DropReason {
    /// It does not decode.
    Malformed(WireError),
    /// Another domain or sdoId.
    OtherDomain,
    /// Sent by this clock (looped back).
    OwnMessage,
    /// Not expected in the port's state (a Sync to a master, …).
    UnexpectedInState,
    /// Not from the port's parent.
    NotFromParent,
    /// A Follow_Up or response that matches no outstanding message.
    Unmatched,
    /// The Announce's stepsRemoved reaches maxStepsRemoved, or its path trace holds our
    /// identity.
    Loop,
    /// A time stamp or correction that cannot be right (sum out of range).
    AbsurdTime,
    /// An event message that arrived without a receive time stamp (the kernel stamps the
    /// first packets after a socket asks for stamps only once its stamping is switched on).
    NoTimestamp,
    /// A message type this engine does not handle yet (signaling), or a management message
    /// that is not a request.
    Unsupported,
    /// A management request for another clock or port.
    NotForUs,
}

/// Why a port went FAULTY.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Fault {
    /// The runtime could not deliver the transmit time stamp of an event message.
    TxTimestampLost,
    /// The runtime could not send a message.
    SendFailed,
    /// The runtime could not receive on the port's sockets.
    ReceiveFailed,
    /// The runtime could not (re)open the port's sockets (the interface is missing or down).
    OpenFailed,
}

/// One thing for the runtime to do. Borrowed: copy what you keep.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Action<'a> {
    /// Send `bytes` on `port`.
    Send {
        /// The port.
        port: PortIndex,
        /// Event or general.
        class: MessageClass,
        /// Where to.
        destination: Destination,
        /// For event messages: report the transmit time stamp with this tag.
        tag: Option<TxTag>,
        /// The encoded message.
        bytes: &'a [u8],
    },
    /// Arm `timer` to expire after `after` (replacing an earlier arming).
    ArmTimer {
        /// The timer.
        timer: Timer,
        /// From now.
        after: Duration,
    },
    /// Cancel `timer` if armed.
    CancelTimer(Timer),
    /// Change the clock.
    Clock(ClockAction),
    /// Tell observers.
    Event(Event),
    /// Open `port`'s sockets, configured from [`Instance::port_settings`]: the port was
    /// started, left FAULTY or DISABLED, was added or restarted. Each OpenPort is followed
    /// by a [`Action::ClosePort`] of the same port before the next OpenPort.
    ///
    /// [`Instance::port_settings`]: super::Instance::port_settings
    OpenPort {
        /// The port.
        port: PortIndex,
    },
    /// Close `port`'s sockets: the port went FAULTY or DISABLED, or is being removed or
    /// restarted. Sending on it, and what it receives, are void until the next
    /// [`Action::OpenPort`].
    ClosePort {
        /// The port.
        port: PortIndex,
    },
}

/// Where the engine puts its actions.
pub trait ActionSink {
    /// Carry out (or queue) one action.
    fn act(&mut self, action: Action<'_>);
}

/// An owned [`Action`].
#[derive(Clone, PartialEq, Debug)]
pub enum OwnedAction {
    /// See [`Action::Send`].
    Send {
        /// The port.
        port: PortIndex,
        /// Event or general.
        class: MessageClass,
        /// Where to.
        destination: Destination,
        /// Transmit time-stamp tag.
        tag: Option<TxTag>,
        /// The encoded message.
        bytes: Vec<u8>,
    },
    /// See [`Action::ArmTimer`].
    ArmTimer {
        /// The timer.
        timer: Timer,
        /// From now.
        after: Duration,
    },
    /// See [`Action::CancelTimer`].
    CancelTimer(Timer),
    /// See [`Action::Clock`].
    Clock(ClockAction),
    /// See [`Action::Event`].
    Event(Event),
    /// See [`Action::OpenPort`].
    OpenPort {
        /// The port.
        port: PortIndex,
    },
    /// See [`Action::ClosePort`].
    ClosePort {
        /// The port.
        port: PortIndex,
    },
}

impl From<Action<'_>> for OwnedAction {
    fn from(a: Action<'_>) -> Self {
        match a {
            Action::Send {
                port,
                class,
                destination,
                tag,
                bytes,
            } => Self::Send {
                port,
                class,
                destination,
                tag,
                bytes: bytes.to_vec(),
            },
            Action::ArmTimer { timer, after } => Self::ArmTimer { timer, after },
            Action::CancelTimer(t) => Self::CancelTimer(t),
            Action::Clock(c) => Self::Clock(c),
            Action::Event(e) => Self::Event(e),
            Action::OpenPort { port } => Self::OpenPort { port },
            Action::ClosePort { port } => Self::ClosePort { port },
        }
    }
}

/// A sink that records every action, for tests and the simulator.
#[derive(Clone, Debug, Default)]
pub struct ActionLog(pub Vec<OwnedAction>);

impl ActionSink for ActionLog {
    fn act(&mut self, action: Action<'_>) {
        self.0.push(action.into());
    }
}

impl ActionLog {
    /// Takes the recorded actions, leaving the log empty.
    pub fn take(&mut self) -> Vec<OwnedAction> {
        core::mem::take(&mut self.0)
    }
}

/// Arms (or re-arms) `port`'s `kind` timer to expire after `after`.
pub(crate) fn arm(sink: &mut dyn ActionSink, port: PortIndex, kind: TimerKind, after: Duration) {
    sink.act(Action::ArmTimer {
        timer: Timer { port, kind },
        after,
    });
}

/// Cancels `port`'s `kind` timer.
pub(crate) fn cancel(sink: &mut dyn ActionSink, port: PortIndex, kind: TimerKind) {
    sink.act(Action::CancelTimer(Timer { port, kind }));
}

/// Cancels every timer of `port`.
pub(crate) fn cancel_all_timers(sink: &mut dyn ActionSink, port: PortIndex) {
    for kind in TimerKind::ALL {
        cancel(sink, port, kind);
    }
}

/// Reports that a message received on `port` was dropped, and why.
pub(crate) fn drop_message(sink: &mut dyn ActionSink, port: PortIndex, reason: DropReason) {
    sink.act(Action::Event(Event::Dropped { port, reason }));
}

/// The socket actions and port-state events of `actions`, in order, as `open 2`, `close 1`
/// and `2 Listening>Faulty` (port numbers), for tests.
#[cfg(test)]
pub(crate) fn sockets_and_states(actions: &[OwnedAction]) -> Vec<String> {
    actions
        .iter()
        .filter_map(|a| match a {
            OwnedAction::OpenPort { port } => Some(format!("open {}", port.number())),
            OwnedAction::ClosePort { port } => Some(format!("close {}", port.number())),
            OwnedAction::Event(Event::PortState { port, from, to }) => {
                Some(format!("{} {from:?}>{to:?}", port.number()))
            }
            _ => None,
        })
        .collect()
}
