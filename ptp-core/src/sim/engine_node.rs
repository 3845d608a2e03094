//! [`EngineNode`]: our engine ([`crate::engine::Instance`]) as a simulator node. Clock
//! actions steer the node's simulated clock; events are kept for the test to read. A port
//! is open between the engine's OpenPort and ClosePort, as its sockets would be: a closed
//! port sends nothing, and what arrives on it (messages, transmit time stamps) is lost.

use std::any::Any;
use std::collections::BTreeSet;

use super::network::{NodeOutput, SimNode};
use super::oscillator::Oscillator;
use crate::engine::{
    Action, ActionSink, ClockAction, Destination, Event, Instance, PeerAddress, PortIndex, RxMeta,
    Timer, TimerKind, TxTag,
};
use crate::time::Time;

/// An engine instance hosted by the simulator.
#[derive(Debug)]
pub struct EngineNode {
    /// The engine.
    pub instance: Instance,
    /// Events the engine reported, with the node's clock reading when it did.
    pub events: Vec<(Time, Event)>,
    /// The ports whose sockets are open.
    open: BTreeSet<PortIndex>,
}

impl EngineNode {
    /// Hosts `instance`.
    pub fn new(instance: Instance) -> Self {
        Self {
            instance,
            events: Vec::new(),
            open: BTreeSet::new(),
        }
    }

    /// Whether `port`'s sockets are open (between the engine's OpenPort and ClosePort).
    pub fn is_open(&self, port: PortIndex) -> bool {
        self.open.contains(&port)
    }

    /// Calls `f` with the engine and a sink that carries its actions out on this node (for
    /// changes made by a test: management, a reconfiguration, a port fault) and returns
    /// what `f` returns.
    pub fn with_instance<R>(
        &mut self,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
        f: impl FnOnce(&mut Instance, Time, &mut dyn ActionSink) -> R,
    ) -> R {
        let now = clock.now();
        let mut sink = Sink {
            clock,
            out,
            events: &mut self.events,
            open: &mut self.open,
        };
        f(&mut self.instance, now, &mut sink)
    }

    /// Hands a received message to the engine.
    fn deliver(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        source: Option<PeerAddress>,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        let port = PortIndex::from_usize(port);
        if !self.is_open(port) {
            return;
        }
        let meta = RxMeta {
            timestamp: Some(rx),
            source,
        };
        self.with_instance(clock, out, |instance, now, sink| {
            instance.handle_message(port, bytes, meta, now, sink);
        });
    }
}

fn timer_key(t: Timer) -> u64 {
    let kind = TimerKind::ALL
        .iter()
        .position(|k| *k == t.kind)
        .unwrap_or(0) as u64;
    u64::from(t.port.0) << 8 | kind
}

fn timer_of(key: u64) -> Option<Timer> {
    let kind = *TimerKind::ALL.get(usize::try_from(key & 0xff).ok()?)?;
    Some(Timer {
        port: PortIndex(u16::try_from(key >> 8).ok()?),
        kind,
    })
}

/// Turns engine actions into simulator outputs and clock changes.
struct Sink<'a> {
    clock: &'a mut Oscillator,
    out: &'a mut Vec<NodeOutput>,
    events: &'a mut Vec<(Time, Event)>,
    open: &'a mut BTreeSet<PortIndex>,
}

impl ActionSink for Sink<'_> {
    fn act(&mut self, action: Action<'_>) {
        match action {
            Action::Send { port, .. } if !self.open.contains(&port) => {}
            Action::Send {
                port,
                tag,
                bytes,
                destination,
                ..
            } => self.out.push(match destination {
                Destination::Unicast(to) => NodeOutput::SendTo {
                    port: port.get(),
                    to,
                    bytes: bytes.to_vec(),
                    tag: tag.map(|t| t.0),
                },
                Destination::Multicast | Destination::PeerMulticast => NodeOutput::Send {
                    port: port.get(),
                    bytes: bytes.to_vec(),
                    tag: tag.map(|t| t.0),
                },
            }),
            Action::ArmTimer { timer, after } => self.out.push(NodeOutput::Arm {
                key: timer_key(timer),
                after,
            }),
            Action::CancelTimer(timer) => self.out.push(NodeOutput::Cancel {
                key: timer_key(timer),
            }),
            Action::Clock(ClockAction::Step(by)) => self.clock.step(by),
            Action::Clock(ClockAction::SetFrequency(f)) => self.clock.set_frequency(f),
            Action::Event(e) => self.events.push((self.clock.now(), e)),
            Action::OpenPort { port } => {
                self.open.insert(port);
            }
            Action::ClosePort { port } => {
                self.open.remove(&port);
            }
        }
    }
}

impl SimNode for EngineNode {
    fn start(&mut self, clock: &mut Oscillator, _now: Time, out: &mut Vec<NodeOutput>) {
        self.with_instance(clock, out, |instance, now, sink| instance.start(now, sink));
    }

    fn receive(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        self.deliver(port, bytes, rx, None, clock, out);
    }

    fn receive_from(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        source: PeerAddress,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        self.deliver(port, bytes, rx, Some(source), clock, out);
    }

    fn tx_timestamp(
        &mut self,
        port: usize,
        tag: u32,
        tx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        let port = PortIndex::from_usize(port);
        if !self.is_open(port) {
            return;
        }
        self.with_instance(clock, out, |instance, _, sink| {
            instance.handle_tx_timestamp(port, TxTag(tag), tx, sink);
        });
    }

    fn timer(&mut self, key: u64, clock: &mut Oscillator, out: &mut Vec<NodeOutput>) {
        let Some(timer) = timer_of(key) else {
            return;
        };
        self.with_instance(clock, out, |instance, now, sink| {
            instance.handle_timer(timer, now, sink);
        });
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}
