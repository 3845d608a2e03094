//! [`Harness`]: one engine instance and the [`World`] around it — what a runtime would keep
//! (armed timers, unstamped transmissions, the local clock) and what the peers on the network
//! know (the sequenceIds and times to answer with) — carrying out one [`Op`] at a time.
//!
//! # Time
//!
//! True time starts at 1 700 000 000 s and only moves forward ([`Op::Advance`], or to the
//! deadline of the timer that fires). The local clock, whose readings the engine gets as
//! `now` and as time stamps, is true time plus an offset that the engine's steps and the
//! input's jumps change; its frequency is ideal. The peers' time stamps, in the time model,
//! are true time: a Sync's origin is sent `offset` ns before it arrives, an answer's time is
//! `offset` ns after the request it answers went out. So a consistent exchange measures the
//! local clock's offset, and the servo can lock.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, VecDeque};

use super::input::{
    BodySpec, HeaderSpec, ManagementSpec, Op, PortSpec, ReceiveSpec, RxSpec, Settings, TimeSpec,
};
use super::invariants::{self, Expected};
use super::observer::{Cause, Observer, Request};
use crate::config::parse_ptp4l_conf;
use crate::engine::{
    Fault, Instance, InstanceSettings, PeerAddress, PortIndex, RxMeta, Timer, TimerKind, TxTag,
};
use crate::time::{Duration, Ppb, Time, TimeInterval};
use crate::wire::management::{Action as ManagementAction, ManagementId, ManagementTlv};
use crate::wire::{
    Announce, Body, ClockAccuracy, ClockIdentity, ClockQuality, DelayReq, DelayResp, Flags,
    FollowUp, Header, Management, Message, MessageType, PdelayReq, PdelayResp, PdelayRespFollowUp,
    PortIdentity, PortState, Sync, TimeSource, Timestamp, Tlv, TlvWriter,
};

/// The clock's identity.
pub(super) const CLOCK: ClockIdentity = ClockIdentity([0x02, 0, 0, 0xff, 0xfe, 0, 0, 0x01]);

/// When true time starts.
const START: Time = Time::from_secs_nanos(1_700_000_000, 0);

/// How many recent transmissions [`Op::Reflect`] picks from.
const KEPT_TRANSMISSIONS: usize = 8;

/// What the settings make of the clock, for the checks.
#[derive(Clone, Debug)]
pub(super) struct Facts {
    pub(super) clock_identity: ClockIdentity,
    pub(super) ports: u16,
    pub(super) p2p: Vec<bool>,
    pub(super) master_only: Vec<bool>,
    pub(super) slave_only: bool,
    pub(super) free_running: bool,
    pub(super) statime: bool,
    pub(super) path_trace: bool,
    pub(super) max_frequency: f64,
    pub(super) domain: u8,
    pub(super) major_sdo_id: u8,
}

/// A tag the engine handed out whose time stamp has not been delivered.
#[derive(Clone, Copy, Debug)]
pub(super) struct Unstamped {
    port: PortIndex,
    tag: TxTag,
    /// The local time when it was sent.
    sent: Time,
}

/// What a tag was handed out for.
#[derive(Clone, Copy, Debug)]
struct TagInfo {
    port: PortIndex,
    message_type: MessageType,
    sequence_id: u16,
    followed_up: bool,
}

/// What the peers of one port remember: the sequenceIds and true times to answer with.
#[derive(Clone, Copy, Debug, Default)]
struct PeerMemory {
    next_sequence_id: u16,
    /// The last Sync received: its sequenceId and origin time.
    sync: Option<(u16, Time)>,
    /// Our last Delay_Req: its sequenceId and when it went out.
    delay_req: Option<(u16, Time)>,
    /// Our last Pdelay_Req: its sequenceId and when it went out.
    pdelay_req: Option<(u16, Time)>,
}

/// What one run reached, for tests that keep seeds from rotting.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Outcome {
    /// For each port, the states it entered (bit n: the state of wire value n).
    pub states: [u16; 2],
    /// Samples fed to the servo.
    pub samples: usize,
    /// Of those, the ones after which the servo was locked.
    pub locked_samples: usize,
    /// Clock adjustments.
    pub clock_actions: usize,
    /// Messages sent, by messageType nibble.
    pub sent: [usize; 16],
    /// Responses on the local management socket.
    pub management_replies: usize,
}

impl Outcome {
    /// Whether port `i` was ever in `state`.
    pub fn reached(&self, i: usize, state: PortState) -> bool {
        self.states
            .get(i)
            .is_some_and(|s| s & (1 << (state as u8)) != 0)
    }

    /// How many messages of type `t` were sent.
    pub fn sent(&self, t: MessageType) -> usize {
        self.sent.get(usize::from(t as u8)).copied().unwrap_or(0)
    }
}

/// Everything around the engine.
#[derive(Debug)]
pub(super) struct World {
    pub(super) facts: Facts,
    pub(super) true_now: Time,
    /// Local clock minus true time.
    pub(super) local_offset: Duration,
    /// Armed timers and their deadlines (true time).
    pub(super) timers: BTreeMap<Timer, Time>,
    unstamped: Vec<Unstamped>,
    tags: BTreeMap<u32, TagInfo>,
    pub(super) last_tag: u32,
    sent: VecDeque<Vec<u8>>,
    memory: [PeerMemory; 3],
    /// Each port's state as the engine reported it.
    pub(super) states: Vec<PortState>,
    /// Whether each port's sockets are open, as the engine's OpenPort/ClosePort said.
    pub(super) open: Vec<bool>,
    /// The frequency last set.
    pub(super) frequency: Ppb,
    /// The last ParentChanged event of the current input.
    pub(super) parent_event: Option<(PortIdentity, ClockIdentity)>,
    /// The parent and grandmaster after the last input.
    pub(super) parent: (PortIdentity, ClockIdentity),
    /// The last Announce sent in the current input: its flags, body and the last identity
    /// of its path trace.
    pub(super) announced: Option<(Flags, Announce, Option<ClockIdentity>)>,
    pub(super) outcome: Outcome,
}

impl World {
    /// The local clock's reading.
    pub(super) fn now(&self) -> Time {
        self.true_now + self.local_offset
    }

    /// Records a tag handed out with a `t` of `sequence_id` on `port`.
    pub(super) fn tag_sent(
        &mut self,
        port: PortIndex,
        tag: TxTag,
        t: MessageType,
        sequence_id: u16,
    ) {
        let sent = self.now();
        self.unstamped.push(Unstamped { port, tag, sent });
        self.tags.insert(
            tag.0,
            TagInfo {
                port,
                message_type: t,
                sequence_id,
                followed_up: false,
            },
        );
    }

    /// Records a transmission.
    pub(super) fn sent_message(
        &mut self,
        port: PortIndex,
        t: MessageType,
        sequence_id: u16,
        bytes: &[u8],
    ) {
        self.sent.push_front(bytes.to_vec());
        self.sent.truncate(KEPT_TRANSMISSIONS);
        let now = self.true_now;
        if let Some(m) = self.memory.get_mut(port.get()) {
            match t {
                MessageType::DelayReq => m.delay_req = Some((sequence_id, now)),
                MessageType::PdelayReq => m.pdelay_req = Some((sequence_id, now)),
                _ => {}
            }
        }
        if let Some(n) = self.outcome.sent.get_mut(usize::from(t as u8)) {
            *n += 1;
        }
    }

    /// Checks a follow-up of `sequence_id` sent on `port` when the time stamp of `tag`
    /// arrived: the tag was handed out there for a `followed` message of that sequenceId and
    /// has not been followed up yet.
    pub(super) fn follow_up(
        &mut self,
        port: PortIndex,
        tag: TxTag,
        followed: MessageType,
        sequence_id: u16,
    ) -> Result<(), String> {
        match self.tags.get_mut(&tag.0) {
            Some(info)
                if info.port == port
                    && info.message_type == followed
                    && info.sequence_id == sequence_id
                    && !info.followed_up =>
            {
                info.followed_up = true;
                Ok(())
            }
            info => Err(format!(
                "follow-up of {followed:?} {sequence_id} on port {} for {tag:?}, handed out as {info:?}",
                port.0
            )),
        }
    }
}

/// The engine and its world.
#[derive(Debug)]
pub(super) struct Harness {
    instance: Instance,
    pub(super) world: World,
    expected: Expected,
}

fn port_of(spec: &PortSpec) -> PortIndex {
    match spec.port % 4 {
        3 => PortIndex(u16::MAX),
        n => PortIndex(u16::from(n)),
    }
}

fn micros(n: u8) -> Duration {
    Duration::from_micros(i64::from(n))
}

/// (mantissa + 1) · 2^shift ns.
fn scaled(mantissa: u8, shift: u8) -> Duration {
    Duration::from_nanos((i64::from(mantissa) + 1) << shift)
}

fn peer(n: u8, port_number: u16) -> PortIdentity {
    PortIdentity {
        clock_identity: ClockIdentity([0x0a, 0, 0, 0xff, 0xfe, 0, 0, n]),
        port_number,
    }
}

fn address(source: u8) -> Option<PeerAddress> {
    use core::net::{Ipv4Addr, Ipv6Addr};
    match source % 4 {
        0 => None,
        1 => Some(PeerAddress::UdpV4(Ipv4Addr::new(192, 0, 2, 1))),
        2 => Some(PeerAddress::UdpV4(Ipv4Addr::new(198, 51, 100, 7))),
        _ => Some(PeerAddress::UdpV6(Ipv6Addr::new(
            0x2001, 0xdb8, 0, 0, 0, 0, 0, 1,
        ))),
    }
}

fn flags(bits: u8) -> Flags {
    [
        Flags::TWO_STEP,
        Flags::UNICAST,
        Flags::ALTERNATE_MASTER,
        Flags::PTP_TIMESCALE,
        Flags::UTC_OFFSET_VALID,
        Flags::TIME_TRACEABLE,
        Flags::FREQUENCY_TRACEABLE,
        Flags::LEAP_61,
    ]
    .iter()
    .enumerate()
    .fold(Flags(0), |f, (i, mask)| f.with(*mask, bits & (1 << i) != 0))
}

/// A wire time stamp: `model` in the time model, or `spec.offset` seconds raw.
fn timestamp(spec: &TimeSpec, raw: bool, model: Time) -> Timestamp {
    if raw {
        Timestamp::new(u64::from(spec.offset), spec.offset % 1_000_000_000)
            .unwrap_or(Timestamp::ZERO)
    } else {
        Timestamp::from_time(model)
    }
}

fn nanos(offset: u32) -> Duration {
    Duration::from_nanos(i64::from(offset))
}

impl Harness {
    /// The instance the settings describe, started.
    pub(super) fn new(settings: &Settings) -> Result<Self, String> {
        let instance = Instance::new(instance_settings(settings)?)
            .map_err(|e| format!("{}: {e}", settings.config_text()))?;
        let ports = 2;
        let facts = Facts {
            clock_identity: CLOCK,
            ports,
            p2p: (0..2).map(|i| settings.p2p(i)).collect(),
            master_only: (0..2).map(|i| settings.master_only(i)).collect(),
            slave_only: settings.slave_only(),
            free_running: settings.free_running(),
            statime: settings.statime(),
            path_trace: settings.path_trace(),
            max_frequency: settings.max_frequency(),
            domain: settings.domain % 128,
            major_sdo_id: settings.sdo & 0x0f,
        };
        let world = World {
            facts,
            true_now: START,
            local_offset: Duration::ZERO,
            timers: BTreeMap::new(),
            unstamped: Vec::new(),
            tags: BTreeMap::new(),
            last_tag: 0,
            sent: VecDeque::new(),
            memory: [PeerMemory::default(); 3],
            states: vec![PortState::Initializing; usize::from(ports)],
            open: vec![false; usize::from(ports)],
            frequency: Ppb::ZERO,
            parent_event: None,
            parent: (
                PortIdentity {
                    clock_identity: CLOCK,
                    port_number: 0,
                },
                CLOCK,
            ),
            announced: None,
            outcome: Outcome::default(),
        };
        let expected = invariants::baseline(settings, &instance)?;
        let mut harness = Self {
            instance,
            world,
            expected,
        };
        harness.engine(Cause::Start, |i, now, sink| i.start(now, sink))?;
        harness.check(&[])?;
        harness.expected.ports = (0..ports)
            .filter_map(|i| harness.instance.port_ds(PortIndex(i)).copied())
            .collect();
        Ok(harness)
    }

    /// Hands one input to the engine through an [`Observer`] and returns the ports it
    /// reported faults for.
    fn engine(
        &mut self,
        cause: Cause,
        f: impl FnOnce(&mut Instance, Time, &mut Observer<'_>),
    ) -> Result<Vec<PortIndex>, String> {
        let now = self.world.now();
        self.world.parent_event = None;
        let mut observer = Observer::new(&mut self.world, cause);
        f(&mut self.instance, now, &mut observer);
        match observer.failure {
            Some(failure) => Err(failure),
            None => Ok(observer.faulted),
        }
    }

    /// The invariants after an input.
    fn check(&mut self, faulted: &[PortIndex]) -> Result<(), String> {
        invariants::after_input(&self.instance, &mut self.world, &self.expected, faulted)
    }

    /// The engine's answers to every management GET, once the run is over.
    pub(super) fn finish(&self) -> Result<(), String> {
        invariants::answers_encode(&self.instance)
    }

    /// Carries out `op` and checks the invariants.
    pub(super) fn apply(&mut self, op: &Op) -> Result<(), String> {
        let faulted = match op {
            Op::Advance(a) => {
                self.world.true_now += scaled(a.mantissa, a.exponent % 36);
                return Ok(());
            }
            Op::Jump(j) => {
                let by = scaled(j.mantissa, j.exponent % 48);
                if j.exponent & 0x80 != 0 {
                    self.world.local_offset -= by;
                } else {
                    self.world.local_offset += by;
                }
                return Ok(());
            }
            Op::FireNextTimer => {
                let Some((&timer, &deadline)) =
                    self.world.timers.iter().min_by_key(|(t, d)| (**d, **t))
                else {
                    return Ok(());
                };
                self.world.timers.remove(&timer);
                self.world.true_now = self.world.true_now.max(deadline);
                self.engine(Cause::Timer(timer), |i, now, s| {
                    i.handle_timer(timer, now, s)
                })?
            }
            Op::FireTimer(spec) => {
                let kind = TimerKind::ALL
                    .get(usize::from(spec.kind) % TimerKind::ALL.len())
                    .copied()
                    .unwrap_or(TimerKind::Announce);
                let timer = Timer {
                    port: port_of(&spec.port),
                    kind,
                };
                self.world.timers.remove(&timer);
                self.engine(Cause::Timer(timer), |i, now, s| {
                    i.handle_timer(timer, now, s)
                })?
            }
            Op::TxStamp(spec) => {
                let Some(u) = self.take_unstamped(spec.pick) else {
                    return Ok(());
                };
                let at = u.sent + micros(spec.delay);
                let cause = Cause::TxStamp {
                    port: u.port,
                    tag: u.tag,
                };
                self.engine(cause, |i, _, s| i.handle_tx_timestamp(u.port, u.tag, at, s))?
            }
            Op::TxStampAt(spec) => {
                let (port, tag) = (port_of(&spec.port), TxTag(u32::from(spec.tag)));
                self.world
                    .unstamped
                    .retain(|u| (u.port, u.tag) != (port, tag));
                let at = self.world.now() + micros(spec.delay);
                let cause = Cause::TxStamp { port, tag };
                self.engine(cause, |i, _, s| i.handle_tx_timestamp(port, tag, at, s))?
            }
            Op::TxLost(spec) => {
                let Some(u) = self.take_unstamped(spec.pick) else {
                    return Ok(());
                };
                let cause = Cause::TxLost { port: u.port };
                self.engine(cause, |i, now, s| {
                    i.handle_tx_timestamp_lost(u.port, u.tag, now, s)
                })?
            }
            Op::TxLostAt(spec) => {
                let (port, tag) = (port_of(&spec.port), TxTag(u32::from(spec.tag)));
                self.world
                    .unstamped
                    .retain(|u| (u.port, u.tag) != (port, tag));
                self.engine(Cause::TxLost { port }, |i, now, s| {
                    i.handle_tx_timestamp_lost(port, tag, now, s)
                })?
            }
            Op::Receive(spec) => {
                let Some(mut bytes) = self.build(spec) else {
                    return Ok(());
                };
                if let Some(b) = bytes.get_mut(usize::from(spec.corrupt_at)) {
                    *b ^= spec.corrupt_xor;
                }
                self.receive(port_of(&spec.port), &spec.rx, &bytes)?
            }
            Op::ReceiveRaw(spec) => self.receive(port_of(&spec.port), &spec.rx, &spec.bytes)?,
            Op::Reflect(spec) => {
                let n = self.world.sent.len().max(1);
                let Some(bytes) = self.world.sent.get(usize::from(spec.pick) % n).cloned() else {
                    return Ok(());
                };
                self.receive(port_of(&spec.port), &spec.rx, &bytes)?
            }
            Op::EnablePort(spec) => return self.enable(port_of(&spec.port), spec.enabled & 1 != 0),
            Op::SetPriorities(spec) => {
                let (p1, p2) = (spec.priority_1, spec.priority_2);
                self.expected.default_ds.priority_1 = p1;
                self.expected.default_ds.priority_2 = p2;
                self.engine(Cause::Management, |i, now, s| {
                    i.set_priorities(p1, p2, now, s)
                })?
            }
            Op::SetGrandmaster(spec) => {
                let quality = ClockQuality {
                    clock_class: spec.clock_class,
                    clock_accuracy: ClockAccuracy(spec.clock_accuracy),
                    offset_scaled_log_variance: spec.variance,
                };
                let properties = crate::engine::TimePropertiesDs::from_announce(
                    Flags(u16::from(spec.flags)),
                    spec.utc_offset,
                    TimeSource(spec.time_source),
                );
                self.expected.default_ds.clock_quality = quality;
                self.engine(Cause::Management, |i, now, s| {
                    i.set_grandmaster_settings(quality, properties, now, s)
                })?
            }
            Op::LocalManagement(spec) => {
                let Some(bytes) = self.management_message(&spec.header, &spec.body, PortIndex(0))
                else {
                    return Ok(());
                };
                return self.local_management(&bytes);
            }
            Op::LocalManagementRaw(bytes) => return self.local_management(bytes),
            Op::PortFault(spec) => {
                let port = port_of(&spec.port);
                let fault = [
                    Fault::TxTimestampLost,
                    Fault::SendFailed,
                    Fault::ReceiveFailed,
                    Fault::OpenFailed,
                ]
                .get(usize::from(spec.fault % 4))
                .copied()
                .unwrap_or(Fault::SendFailed);
                self.engine(Cause::PortFault { port, fault }, |i, now, s| {
                    i.handle_port_fault(port, fault, now, s)
                })?
            }
        };
        self.check(&faulted)
    }

    fn take_unstamped(&mut self, pick: u8) -> Option<Unstamped> {
        let n = self.world.unstamped.len();
        (n > 0).then(|| self.world.unstamped.remove(usize::from(pick) % n))
    }

    fn receive(
        &mut self,
        port: PortIndex,
        rx: &RxSpec,
        bytes: &[u8],
    ) -> Result<Vec<PortIndex>, String> {
        let now = self.world.now();
        let meta = RxMeta {
            timestamp: (rx.stamp != u8::MAX).then(|| now - micros(rx.stamp)),
            source: address(rx.source),
        };
        let cause = Cause::Receive {
            port,
            request: Request::of(bytes),
        };
        self.engine(cause, |i, now, s| {
            i.handle_message(port, bytes, meta, now, s)
        })
    }

    fn enable(&mut self, port: PortIndex, enabled: bool) -> Result<(), String> {
        let before = self.instance.port_ds(port).map(|d| d.port_state);
        let faulted = self.engine(Cause::Enable { port, enabled }, |i, now, s| {
            i.set_port_enabled(port, enabled, now, s)
        })?;
        self.check(&faulted)?;
        let after = self.instance.port_ds(port).map(|d| d.port_state);
        // Enabling an enabled port is a state decision like any other.
        let done = match (before, enabled) {
            (None, _) => true,
            (Some(_), false) => after == Some(PortState::Disabled),
            (Some(PortState::Disabled), true) => after != Some(PortState::Disabled),
            (Some(_), true) => true,
        };
        if done {
            Ok(())
        } else {
            Err(format!(
                "port {} was {before:?}, is {after:?} after enabled={enabled}",
                port.0
            ))
        }
    }

    fn local_management(&mut self, bytes: &[u8]) -> Result<(), String> {
        let mut replies: Vec<Vec<u8>> = Vec::new();
        let mut result = Ok(());
        let faulted = self.engine(Cause::Management, |i, now, s| {
            result = i.handle_local_management(bytes, now, s, &mut |r| replies.push(r.to_vec()));
        })?;
        self.world.outcome.management_replies += replies.len();
        let set = invariants::local_replies(&self.world.facts, bytes, result, &replies)?;
        if let Some(set) = set {
            set.apply(&mut self.expected.default_ds);
        }
        self.check(&faulted)
    }

    /// The identity selector of the input format (see [`HeaderSpec::source`]).
    fn identity(&self, selector: u8, port: PortIndex) -> PortIdentity {
        match selector % 8 {
            0 => peer(0xa1, 1),
            1 => peer(0xb2, 1),
            2 => peer(0xc3, 1),
            3 => self.instance.parent_ds().parent_port_identity,
            4 => PortIdentity {
                clock_identity: CLOCK,
                port_number: port.0.wrapping_add(1),
            },
            5 => peer(0xa1, 2),
            6 => PortIdentity::ALL,
            _ => peer(0xd4, 1),
        }
    }

    fn memory(&mut self, port: PortIndex) -> &mut PeerMemory {
        let i = port.get().min(2);
        let [a, b, c] = &mut self.world.memory;
        match i {
            0 => a,
            1 => b,
            _ => c,
        }
    }

    /// The next sequenceId of the peers of `port`.
    fn next_sequence_id(&mut self, port: PortIndex) -> u16 {
        let m = self.memory(port);
        let seq = m.next_sequence_id;
        m.next_sequence_id = seq.wrapping_add(1);
        seq
    }

    fn header(&self, spec: &HeaderSpec, port: PortIndex, t: MessageType, seq: u16) -> Header {
        let facts = &self.world.facts;
        let c = i64::from(spec.correction);
        let interval = match spec.misc >> 4 {
            8 => crate::time::LogInterval::UNSPECIFIED,
            n => crate::time::LogInterval(i8::try_from(n ^ 8).unwrap_or(0) - 8),
        };
        Header {
            major_sdo_id: facts.major_sdo_id ^ ((spec.misc >> 1) & 1),
            minor_version_ptp: 0,
            domain_number: facts.domain.wrapping_add(spec.misc & 1),
            minor_sdo_id: 0,
            flags: flags(spec.flags),
            correction: TimeInterval::from(Duration::from_nanos(c * c.abs())),
            message_type_specific: 0,
            source_port_identity: self.identity(spec.source, port),
            sequence_id: if spec.misc & 4 != 0 { spec.seq } else { seq },
            control_field: t.control_field(),
            log_message_interval: interval,
        }
    }

    /// The bytes of the message `spec` describes, if it encodes.
    fn build(&mut self, spec: &ReceiveSpec) -> Option<Vec<u8>> {
        let port = port_of(&spec.port);
        let h = &spec.header;
        let raw = h.misc & 8 != 0;
        let now = self.world.true_now;
        let memory = *self.memory(port);
        let (seq, body) = match &spec.body {
            BodySpec::Announce(a) => {
                let sender = self.identity(h.source, port).clock_identity;
                let grandmaster = match a.grandmaster {
                    0 => sender,
                    n => self.identity(n - 1, port).clock_identity,
                };
                let body = Body::Announce(Announce {
                    origin_timestamp: Timestamp::ZERO,
                    current_utc_offset: a.utc_offset,
                    grandmaster_priority_1: a.priority_1,
                    grandmaster_clock_quality: ClockQuality {
                        clock_class: a.clock_class,
                        clock_accuracy: ClockAccuracy(a.clock_accuracy),
                        offset_scaled_log_variance: a.variance,
                    },
                    grandmaster_priority_2: a.priority_2,
                    grandmaster_identity: grandmaster,
                    steps_removed: u16::from(a.steps_removed),
                    time_source: TimeSource(a.time_source),
                });
                (self.next_sequence_id(port), body)
            }
            BodySpec::Sync(ts) => {
                let seq = self.next_sequence_id(port);
                let origin = timestamp(ts, raw, now - nanos(ts.offset));
                let sequence_id = if h.misc & 4 != 0 { h.seq } else { seq };
                self.memory(port).sync = Some((sequence_id, origin.to_time()));
                let two_step = h.flags & 1 != 0;
                let body = Body::Sync(Sync {
                    origin_timestamp: if two_step { Timestamp::ZERO } else { origin },
                });
                (seq, body)
            }
            BodySpec::FollowUp(ts) => {
                let (seq, origin) = match memory.sync {
                    Some((seq, t1)) => (seq, t1),
                    None => (self.next_sequence_id(port), now - nanos(ts.offset)),
                };
                let body = Body::FollowUp(FollowUp {
                    precise_origin_timestamp: timestamp(ts, raw, origin),
                });
                (seq, body)
            }
            BodySpec::DelayReq(ts) | BodySpec::PdelayReq(ts) => {
                let origin_timestamp = timestamp(ts, raw, now - nanos(ts.offset));
                let body = if matches!(spec.body, BodySpec::DelayReq(_)) {
                    Body::DelayReq(DelayReq { origin_timestamp })
                } else {
                    Body::PdelayReq(PdelayReq { origin_timestamp })
                };
                (self.next_sequence_id(port), body)
            }
            BodySpec::DelayResp(r) | BodySpec::PdelayResp(r) | BodySpec::PdelayRespFollowUp(r) => {
                let request = match spec.body {
                    BodySpec::DelayResp(_) => memory.delay_req,
                    _ => memory.pdelay_req,
                };
                let (seq, sent) = request.unwrap_or((0, now));
                let time = timestamp(&r.time, raw, sent + nanos(r.time.offset));
                let requesting_port_identity = match r.requester {
                    0 => self.identity(4, port),
                    n => self.identity(n - 1, port),
                };
                let body = match spec.body {
                    BodySpec::DelayResp(_) => Body::DelayResp(DelayResp {
                        receive_timestamp: time,
                        requesting_port_identity,
                    }),
                    BodySpec::PdelayResp(_) => Body::PdelayResp(PdelayResp {
                        request_receipt_timestamp: time,
                        requesting_port_identity,
                    }),
                    _ => Body::PdelayRespFollowUp(PdelayRespFollowUp {
                        response_origin_timestamp: time,
                        requesting_port_identity,
                    }),
                };
                (seq, body)
            }
            BodySpec::Management(m) => return self.management_message(h, m, port),
        };
        let t = body.message_type();
        let header = self.header(h, port, t, seq);
        let mut trace = [0u8; 8 * 255 + 4];
        let mut message = Message::new(header, body);
        if let BodySpec::Announce(a) = &spec.body {
            if !a.path.is_empty() {
                let ids: Vec<ClockIdentity> = a
                    .path
                    .iter()
                    .map(|s| self.identity(*s, port).clock_identity)
                    .collect();
                let mut w = TlvWriter::new(&mut trace);
                w.path_trace(ids).ok()?;
                message.suffix = w.finish().ok()?;
            }
        }
        encode(&message)
    }

    /// A management request to send on `port` (the network) or the local socket.
    fn management_message(
        &mut self,
        h: &HeaderSpec,
        spec: &ManagementSpec,
        port: PortIndex,
    ) -> Option<Vec<u8>> {
        let seq = self.next_sequence_id(port);
        let header = self.header(h, port, MessageType::Management, seq);
        let id = ManagementId::ALL
            .get(usize::from(spec.id))
            .copied()
            .unwrap_or(ManagementId(0xc000 | u16::from(spec.id)));
        let action = ManagementAction::from_u8(spec.action % 5).ok()?;
        let clock_identity = match spec.target % 3 {
            0 => ClockIdentity::ALL,
            1 => CLOCK,
            _ => peer(0xa1, 1).clock_identity,
        };
        let port_number = match spec.target_port {
            u8::MAX => u16::MAX,
            n => u16::from(n),
        };
        let mut suffix = [0u8; 300];
        let mut w = TlvWriter::new(&mut suffix);
        w.push(&Tlv::Management(ManagementTlv {
            id,
            raw_data: &spec.data,
        }))
        .ok()?;
        let message = Message {
            header,
            body: Body::Management(Management {
                target_port_identity: PortIdentity {
                    clock_identity,
                    port_number,
                },
                starting_boundary_hops: spec.hops,
                boundary_hops: spec.hops,
                action,
            }),
            suffix: w.finish().ok()?,
        };
        encode(&message)
    }
}

/// The engine settings of `settings`' configuration text. Each distinct value is parsed once
/// per thread (the cache is emptied when it grows past 4096 entries): the configuration
/// parser is most of a short run's time, and its string comparisons would only lead the
/// fuzzer to option names.
fn instance_settings(settings: &Settings) -> Result<InstanceSettings, String> {
    thread_local! {
        static PARSED: RefCell<HashMap<Settings, InstanceSettings>> = RefCell::new(HashMap::new());
    }
    if let Some(parsed) = PARSED.with(|p| p.borrow().get(settings).cloned()) {
        return Ok(parsed);
    }
    let text = settings.config_text();
    let loaded = parse_ptp4l_conf(&text).map_err(|e| format!("{text}: {e:?}"))?;
    let parsed =
        InstanceSettings::from_config(&loaded.config, CLOCK).map_err(|e| format!("{text}: {e}"))?;
    PARSED.with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= 4096 {
            p.clear();
        }
        p.insert(settings.clone(), parsed.clone());
    });
    Ok(parsed)
}

fn encode(message: &Message<'_>) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; message.wire_len()];
    let n = message.encode(&mut buf).ok()?;
    buf.truncate(n);
    Some(buf)
}
