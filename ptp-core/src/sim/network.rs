//! The discrete-event network simulator: nodes (each a [`SimNode`] with its own simulated
//! clock) joined by segments (a link or a hub: every frame sent on a segment reaches every
//! other member) with delay, jitter, asymmetry, loss, duplication and reordering, run
//! faster than real time on one true time line.
//!
//! Everything random is drawn from seeded [`Rng`]s, so a run is reproducible. Timers are
//! kept in true time: a node's "after d" is taken as d of true time (the clocks' frequency
//! errors, parts per million, do not matter for timer scheduling).

use std::any::Any;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};

use super::noise::{Noise, TimestampNoise};
use super::oscillator::{Oscillator, OscillatorModel};
use crate::config::unicast::UnicastAddress as PeerAddress;
use crate::rng::Rng;
use crate::time::{Duration, Time};

/// What a node asks the simulator to do.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeOutput {
    /// Send `bytes` on `port`; report the transmit time stamp with `tag` if given.
    Send {
        /// The node's port.
        port: usize,
        /// The message.
        bytes: Vec<u8>,
        /// Transmit time-stamp tag.
        tag: Option<u32>,
    },
    /// Send `bytes` on `port` to one member of the segment only (unicast).
    SendTo {
        /// The node's port.
        port: usize,
        /// The receiver's address ([`Simulation::address`]).
        to: PeerAddress,
        /// The message.
        bytes: Vec<u8>,
        /// Transmit time-stamp tag.
        tag: Option<u32>,
    },
    /// Arm (or re-arm) timer `key` to fire after `after`.
    Arm {
        /// The node's timer key.
        key: u64,
        /// From now.
        after: Duration,
    },
    /// Cancel timer `key`.
    Cancel {
        /// The node's timer key.
        key: u64,
    },
}

/// A protocol implementation hosted by the simulator.
pub trait SimNode: Any {
    /// Starts the node.
    fn start(&mut self, clock: &mut Oscillator, now: Time, out: &mut Vec<NodeOutput>);
    /// A message arrived on `port`, time-stamped `rx` by the node's clock.
    fn receive(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    );
    /// A message arrived on `port` from the member at `source`. The default forgets the
    /// source; nodes that answer by unicast override it.
    fn receive_from(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        source: PeerAddress,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        let _ = source;
        self.receive(port, bytes, rx, clock, out);
    }
    /// The transmit time stamp of the message sent with `tag`.
    fn tx_timestamp(
        &mut self,
        port: usize,
        tag: u32,
        tx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    );
    /// Timer `key` fired.
    fn timer(&mut self, key: u64, clock: &mut Oscillator, out: &mut Vec<NodeOutput>);
    /// For tests: the node as `Any`, to look inside.
    fn as_any(&self) -> &dyn Any;
    /// For tests: the node as mutable `Any`.
    fn as_any_mut(&mut self) -> &mut dyn Any;
}

/// A node's identifier in a [`Simulation`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct NodeId(pub usize);

/// A segment's identifier.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SegmentId(pub usize);

/// How a segment carries frames.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SegmentConfig {
    /// Base one-way delay.
    pub delay: Duration,
    /// Added to the delay of every frame.
    pub jitter: Noise,
    /// Extra delay from a lower-numbered member to a higher-numbered one (and minus it the
    /// other way): the path asymmetry no protocol can see.
    pub asymmetry: Duration,
    /// Probability that a frame is lost.
    pub loss: f64,
    /// Probability that a frame is delivered twice.
    pub duplication: f64,
    /// Probability that a frame is held back by `reorder_delay` (overtaken by later ones).
    pub reorder: f64,
    /// How long a reordered frame is held back.
    pub reorder_delay: Duration,
}

impl SegmentConfig {
    /// A clean link with a fixed delay.
    pub fn fixed(delay: Duration) -> Self {
        Self {
            delay,
            jitter: Noise::None,
            asymmetry: Duration::ZERO,
            loss: 0.0,
            duplication: 0.0,
            reorder: 0.0,
            reorder_delay: Duration::ZERO,
        }
    }
}

/// How a node's clock behaves and time-stamps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ClockModel {
    /// The oscillator.
    pub oscillator: OscillatorModel,
    /// Noise on each receive and transmit time stamp.
    pub timestamps: TimestampNoise,
}

impl ClockModel {
    /// A perfect clock with exact time stamps.
    pub const IDEAL: Self = Self {
        oscillator: OscillatorModel {
            initial_offset: Duration::ZERO,
            frequency_error: crate::time::Ppb::ZERO,
            wander: crate::time::Ppb::ZERO,
        },
        timestamps: TimestampNoise::NONE,
    };
}

struct Slot {
    node: Box<dyn SimNode>,
    clock: Oscillator,
    model: ClockModel,
    rng: Rng,
    ports: Vec<Option<SegmentId>>,
    timers: HashMap<u64, u64>,
    up: bool,
}

struct Segment {
    config: SegmentConfig,
    members: Vec<(NodeId, usize)>,
}

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Pending {
    Deliver {
        node: NodeId,
        port: usize,
        bytes: Vec<u8>,
        source: (usize, usize),
    },
    TxTimestamp {
        node: NodeId,
        port: usize,
        tag: u32,
        exact: Time,
    },
    Timer {
        node: NodeId,
        key: u64,
        generation: u64,
    },
}

/// The simulator.
pub struct Simulation {
    now: Time,
    slots: Vec<Slot>,
    segments: Vec<Segment>,
    queue: BinaryHeap<Reverse<(Time, u64, Pending)>>,
    order: u64,
    generation: u64,
    rng: Rng,
    /// Frames sent on segments (counting duplicates, not losses).
    pub frames_delivered: u64,
}

impl core::fmt::Debug for Simulation {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Simulation")
            .field("now", &self.now)
            .field("nodes", &self.slots.len())
            .field("segments", &self.segments.len())
            .finish()
    }
}

/// Time stamps reach the node this long after the frame left (the driver's error queue).
const TX_TIMESTAMP_LATENCY: Duration = Duration::from_micros(5);

impl Simulation {
    /// An empty simulation starting at true time `start`, with all randomness from `seed`.
    pub fn new(seed: u64, start: Time) -> Self {
        Self {
            now: start,
            slots: Vec::new(),
            segments: Vec::new(),
            queue: BinaryHeap::new(),
            order: 0,
            generation: 0,
            rng: Rng::seed_from_u64(seed),
            frames_delivered: 0,
        }
    }

    /// True time now.
    pub fn now(&self) -> Time {
        self.now
    }

    /// Adds a node with `ports` ports; it starts at once.
    pub fn add_node(&mut self, node: Box<dyn SimNode>, ports: usize, model: ClockModel) -> NodeId {
        let mut rng = self.rng.fork();
        let clock = Oscillator::new(model.oscillator, self.now, rng.fork());
        let id = NodeId(self.slots.len());
        self.slots.push(Slot {
            node,
            clock,
            model,
            rng,
            ports: vec![None; ports],
            timers: HashMap::new(),
            up: true,
        });
        let mut out = Vec::new();
        if let Some(slot) = self.slots.get_mut(id.0) {
            slot.node.start(&mut slot.clock, self.now, &mut out);
        }
        self.carry_out(id, out);
        id
    }

    /// Adds a segment.
    pub fn add_segment(&mut self, config: SegmentConfig) -> SegmentId {
        self.segments.push(Segment {
            config,
            members: Vec::new(),
        });
        SegmentId(self.segments.len() - 1)
    }

    /// Plugs `port` of `node` into `segment` (a port beyond those the node was added with
    /// is added: a node can gain ports while it runs).
    pub fn connect(&mut self, node: NodeId, port: usize, segment: SegmentId) {
        let Some(slot) = self.slots.get_mut(node.0) else {
            return;
        };
        if slot.ports.len() <= port {
            slot.ports.resize(port + 1, None);
        }
        if let Some(p) = slot.ports.get_mut(port) {
            *p = Some(segment);
        }
        if let Some(seg) = self.segments.get_mut(segment.0) {
            seg.members.push((node, port));
        }
    }

    /// Unplugs `port` of `node` from its segment: it sends into nothing and receives
    /// nothing more (frames already on their way still arrive).
    pub fn disconnect(&mut self, node: NodeId, port: usize) {
        let segment = self
            .slots
            .get_mut(node.0)
            .and_then(|s| s.ports.get_mut(port))
            .and_then(Option::take);
        if let Some(seg) = segment.and_then(|s| self.segments.get_mut(s.0)) {
            seg.members.retain(|m| *m != (node, port));
        }
    }

    /// Takes a node off the network (power loss): it neither sends nor receives nor runs
    /// timers any more.
    pub fn power_off(&mut self, node: NodeId) {
        if let Some(slot) = self.slots.get_mut(node.0) {
            slot.up = false;
        }
    }

    /// The hosted node, to inspect it.
    pub fn node<T: SimNode>(&self, node: NodeId) -> Option<&T> {
        self.slots.get(node.0)?.node.as_any().downcast_ref()
    }

    /// The hosted node, to change it (management actions in tests).
    pub fn node_mut<T: SimNode>(&mut self, node: NodeId) -> Option<&mut T> {
        self.slots.get_mut(node.0)?.node.as_any_mut().downcast_mut()
    }

    /// Runs `f` on a node with its clock and carries out what it asks.
    pub fn with_node<T: SimNode>(
        &mut self,
        node: NodeId,
        f: impl FnOnce(&mut T, &mut Oscillator, &mut Vec<NodeOutput>),
    ) {
        let now = self.now;
        let mut out = Vec::new();
        if let Some(slot) = self.slots.get_mut(node.0) {
            slot.clock.advance_to(now);
            if let Some(n) = slot.node.as_any_mut().downcast_mut::<T>() {
                f(n, &mut slot.clock, &mut out);
            }
        }
        self.carry_out(node, out);
    }

    /// A node's clock reading minus true time, now.
    pub fn clock_error(&mut self, node: NodeId) -> Option<Duration> {
        let now = self.now;
        let slot = self.slots.get_mut(node.0)?;
        slot.clock.advance_to(now);
        Some(slot.clock.error())
    }

    /// Runs until true time `end`, calling `observe` every `period` of true time.
    pub fn run_until(
        &mut self,
        end: Time,
        period: Duration,
        mut observe: impl FnMut(&mut Simulation),
    ) {
        let mut next_observation = self.now + period;
        loop {
            let next_event = self.queue.peek().map(|Reverse((t, _, _))| *t);
            let next = match next_event {
                Some(t) if t <= next_observation && t <= end => t,
                _ if next_observation <= end => {
                    self.now = next_observation;
                    observe(self);
                    next_observation += period;
                    continue;
                }
                _ => break,
            };
            let Some(Reverse((t, _, pending))) = self.queue.pop() else {
                break;
            };
            self.now = next.max(t);
            self.dispatch(pending);
        }
        self.now = end;
    }

    fn schedule(&mut self, at: Time, pending: Pending) {
        self.order += 1;
        self.queue.push(Reverse((at, self.order, pending)));
    }

    fn dispatch(&mut self, pending: Pending) {
        let now = self.now;
        let (id, mut out) = (
            match &pending {
                Pending::Deliver { node, .. }
                | Pending::TxTimestamp { node, .. }
                | Pending::Timer { node, .. } => *node,
            },
            Vec::new(),
        );
        let Some(slot) = self.slots.get_mut(id.0) else {
            return;
        };
        if !slot.up {
            return;
        }
        slot.clock.advance_to(now);
        match pending {
            Pending::Deliver { port, bytes, .. } => {
                let rx = slot.model.timestamps.stamp(&mut slot.rng, slot.clock.now());
                slot.node
                    .receive(port, &bytes, rx, &mut slot.clock, &mut out);
            }
            Pending::TxTimestamp {
                port, tag, exact, ..
            } => {
                let tx = slot.model.timestamps.stamp(&mut slot.rng, exact);
                slot.node
                    .tx_timestamp(port, tag, tx, &mut slot.clock, &mut out);
            }
            Pending::Timer {
                key, generation, ..
            } => {
                if slot.timers.get(&key) != Some(&generation) {
                    return;
                }
                slot.timers.remove(&key);
                slot.node.timer(key, &mut slot.clock, &mut out);
            }
        }
        self.carry_out(id, out);
    }

    fn carry_out(&mut self, id: NodeId, out: Vec<NodeOutput>) {
        for o in out {
            match o {
                NodeOutput::Send { port, bytes, tag } => {
                    self.transmit(id, port, None, bytes, tag);
                }
                NodeOutput::SendTo {
                    port,
                    to,
                    bytes,
                    tag,
                } => self.transmit(id, port, Some(to), bytes, tag),
                NodeOutput::Arm { key, after } => {
                    self.generation += 1;
                    let generation = self.generation;
                    if let Some(slot) = self.slots.get_mut(id.0) {
                        slot.timers.insert(key, generation);
                    }
                    let at = self.now + after.max(Duration::ZERO);
                    self.schedule(
                        at,
                        Pending::Timer {
                            node: id,
                            key,
                            generation,
                        },
                    );
                }
                NodeOutput::Cancel { key } => {
                    if let Some(slot) = self.slots.get_mut(id.0) {
                        slot.timers.remove(&key);
                    }
                }
            }
        }
    }

    /// The unicast address of `port` of `node`: `10.0.<node>.<port>` (UDPv4 form, whatever
    /// the transport; the simulator only compares addresses).
    pub fn address(node: NodeId, port: usize) -> PeerAddress {
        let byte = |v: usize| u8::try_from(v).unwrap_or(u8::MAX);
        PeerAddress::UdpV4(core::net::Ipv4Addr::new(10, 0, byte(node.0), byte(port)))
    }

    fn transmit(
        &mut self,
        from: NodeId,
        port: usize,
        to: Option<PeerAddress>,
        bytes: Vec<u8>,
        tag: Option<u32>,
    ) {
        let Some(slot) = self.slots.get(from.0) else {
            return;
        };
        let exact = slot.clock.reading_at(self.now);
        let segment = slot.ports.get(port).copied().flatten();
        if let Some(tag) = tag {
            self.schedule(
                self.now + TX_TIMESTAMP_LATENCY,
                Pending::TxTimestamp {
                    node: from,
                    port,
                    tag,
                    exact,
                },
            );
        }
        let Some(segment) = segment else {
            return;
        };
        let Some(seg) = self.segments.get(segment.0) else {
            return;
        };
        let config = seg.config;
        let receivers: Vec<(NodeId, usize)> = seg
            .members
            .iter()
            .copied()
            .filter(|m| *m != (from, port))
            .filter(|(node, p)| to.is_none_or(|to| Self::address(*node, *p) == to))
            .collect();
        for (node, rx_port) in receivers {
            if self.rng.uniform() < config.loss {
                continue;
            }
            let copies = if self.rng.uniform() < config.duplication {
                2
            } else {
                1
            };
            for _ in 0..copies {
                let mut delay = config.delay + config.jitter.sample(&mut self.rng);
                delay += if from < node {
                    config.asymmetry
                } else {
                    -config.asymmetry
                };
                if self.rng.uniform() < config.reorder {
                    delay += config.reorder_delay;
                }
                self.frames_delivered += 1;
                self.schedule(
                    self.now + delay.max(Duration::ZERO),
                    Pending::Deliver {
                        node,
                        port: rx_port,
                        bytes: bytes.clone(),
                        source: (from.0, port),
                    },
                );
            }
        }
    }
}
