//! [`Observer`]: the action sink the engine writes to during one input. It carries each
//! action out on the [`World`] (arms timers, keeps tags and transmissions, steps the local
//! clock) and checks it against what the input was ([`Cause`]) and the port states the
//! engine reported so far.
//!
//! Per action:
//! - every port named exists;
//! - a Send comes from a port that takes part in PTP (not INITIALIZING, FAULTY, DISABLED),
//!   decodes, is on the clock's domain and majorSdoId, comes from that port's identity (a
//!   management response: from one of this clock's ports), uses the event class and a fresh
//!   tag exactly when it is an event message, goes to the peer-delay address only if it is a
//!   peer-delay message, and has a cause: an answer to the request received on that port
//!   (same sequenceId and requester), the message of the expiring timer, or the follow-up of
//!   the Sync or Pdelay_Resp whose time stamp arrived (once per tag); a management SET or
//!   COMMAND from the network is refused with an error status; Announce, Sync and
//!   Follow_Up only from a MASTER, Delay_Req only from an E2E SLAVE/UNCALIBRATED port,
//!   Delay_Resp only from an E2E MASTER, peer-delay messages only from a P2P port;
//! - a timer is armed for a non-negative duration;
//! - a state change starts from the state last reported, changes it, and is legal: none to
//!   INITIALIZING; to DISABLED only when that port is disabled, and out of DISABLED only to
//!   LISTENING when it is enabled; to FAULTY only after a fault on that port in this input,
//!   and out of FAULTY only to LISTENING when its fault reset timer expires (or to DISABLED);
//!   out of INITIALIZING only to LISTENING at start; to SLAVE only from UNCALIBRATED right
//!   after a locked sample; never MASTER, PRE_MASTER or PASSIVE when slaveOnly; never
//!   UNCALIBRATED or SLAVE on a masterOnly port;
//! - a fault is reported only for a lost time stamp or an I/O failure on that port;
//! - a clock adjustment only while receiving a message, with a port slave-side, never when
//!   free running, with a finite frequency within the servo's bound; a sample only for the
//!   receiving port while it is slave-side, with a path delay within ±1 s.

use super::harness::{Facts, World};
use crate::engine::{
    Action, ActionSink, ClockAction, Destination, Event, Fault, MessageClass, PortIndex, Timer,
    TimerKind, TxTag,
};
use crate::servo::ServoState;
use crate::time::{Duration, Ppb};
use crate::wire::management::Action as ManagementAction;
use crate::wire::{Body, Message, MessageType, PortIdentity, PortState, Tlv};

/// The request a received message carries, as far as its answers must match it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Request {
    pub(super) message_type: MessageType,
    pub(super) sequence_id: u16,
    pub(super) source: PortIdentity,
    /// A management request's action.
    pub(super) action: Option<ManagementAction>,
}

impl Request {
    /// The request in `bytes`, if they decode.
    pub(super) fn of(bytes: &[u8]) -> Option<Self> {
        let m = Message::decode(bytes).ok()?;
        Some(Self {
            message_type: m.message_type(),
            sequence_id: m.header.sequence_id,
            source: m.header.source_port_identity,
            action: match m.body {
                Body::Management(b) => Some(b.action),
                _ => None,
            },
        })
    }
}

/// What the input being handled is, as far as the checks care.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Cause {
    /// `Instance::start`.
    Start,
    /// `handle_message` on `port`.
    Receive {
        port: PortIndex,
        request: Option<Request>,
    },
    /// `handle_timer`.
    Timer(Timer),
    /// `handle_tx_timestamp`.
    TxStamp { port: PortIndex, tag: TxTag },
    /// `handle_tx_timestamp_lost`.
    TxLost { port: PortIndex },
    /// `handle_port_fault`.
    PortFault { port: PortIndex, fault: Fault },
    /// `set_port_enabled`.
    Enable { port: PortIndex, enabled: bool },
    /// Priorities, grandmaster settings, local management.
    Management,
}

/// The sink of one input.
#[derive(Debug)]
pub(super) struct Observer<'a> {
    pub(super) world: &'a mut World,
    pub(super) cause: Cause,
    /// The first violation seen.
    pub(super) failure: Option<String>,
    /// Ports a fault was reported for in this input.
    pub(super) faulted: Vec<PortIndex>,
    /// The last sample reported in this input.
    last_sample: Option<(PortIndex, ServoState)>,
}

impl ActionSink for Observer<'_> {
    fn act(&mut self, action: Action<'_>) {
        if let Err(e) = self.observe(action) {
            self.failure.get_or_insert(e);
        }
    }
}

fn slave_side(s: PortState) -> bool {
    matches!(s, PortState::Slave | PortState::Uncalibrated)
}

fn operational(s: PortState) -> bool {
    !matches!(
        s,
        PortState::Initializing | PortState::Faulty | PortState::Disabled
    )
}

/// The largest |frequency| the configured servo may ask for, in ppb: `max_frequency`, or
/// statime's own limits (it ignores `max_frequency`): the largest frequency offset plus the
/// largest steering term.
pub(super) fn frequency_bound(facts: &Facts) -> f64 {
    if facts.statime {
        let c = crate::servo::StatimeConfig::default();
        c.max_freq_offset.get() + c.max_steer.get()
    } else {
        facts.max_frequency
    }
}

/// Checks a frequency the engine set or reports.
pub(super) fn check_frequency(facts: &Facts, f: Ppb, what: &str) -> Result<(), String> {
    let bound = frequency_bound(facts);
    if !f.get().is_finite() || f.get().abs() > bound * (1.0 + 1e-9) {
        return Err(format!("{what} {f:?} is not finite or beyond ±{bound} ppb"));
    }
    Ok(())
}

/// Whether `kind` expiring makes a port send a `t`.
fn timer_sends(kind: TimerKind, t: MessageType) -> bool {
    matches!(
        (kind, t),
        (TimerKind::Announce, MessageType::Announce)
            | (TimerKind::Sync, MessageType::Sync)
            | (TimerKind::DelayReq, MessageType::DelayReq)
            | (TimerKind::PdelayReq, MessageType::PdelayReq)
    )
}

/// Whether `answer` answers a received `request` type.
fn answers(request: MessageType, answer: MessageType) -> bool {
    matches!(
        (request, answer),
        (MessageType::DelayReq, MessageType::DelayResp)
            | (MessageType::PdelayReq, MessageType::PdelayResp)
            | (MessageType::Management, MessageType::Management)
    )
}

impl<'a> Observer<'a> {
    pub(super) fn new(world: &'a mut World, cause: Cause) -> Self {
        Self {
            world,
            cause,
            failure: None,
            faulted: Vec::new(),
            last_sample: None,
        }
    }

    /// The slot of `port`, if the instance has it.
    fn index(&self, port: PortIndex, what: &str) -> Result<usize, String> {
        if port.get() < self.world.states.len() {
            Ok(port.get())
        } else {
            Err(format!(
                "{what} for port index {}, which does not exist",
                port.0
            ))
        }
    }

    fn state(&self, i: usize) -> PortState {
        self.world
            .states
            .get(i)
            .copied()
            .unwrap_or(PortState::Initializing)
    }

    fn observe(&mut self, action: Action<'_>) -> Result<(), String> {
        match action {
            Action::Send {
                port,
                class,
                destination,
                tag,
                bytes,
            } => self.send(port, class, destination, tag, bytes),
            Action::ArmTimer { timer, after } => {
                self.index(timer.port, "timer armed")?;
                if after < Duration::ZERO {
                    return Err(format!("{timer:?} armed for {after:?}"));
                }
                let deadline = self.world.true_now + after;
                self.world.timers.insert(timer, deadline);
                Ok(())
            }
            Action::CancelTimer(timer) => {
                self.index(timer.port, "timer cancelled")?;
                self.world.timers.remove(&timer);
                Ok(())
            }
            Action::OpenPort { port } => self.open_or_close(port, true),
            Action::ClosePort { port } => self.open_or_close(port, false),
            Action::Clock(c) => self.clock(c),
            Action::Event(e) => self.event(e),
        }
    }

    /// OpenPort only for a closed port, ClosePort only for an open one: the runtime opens
    /// and closes sockets on these alone, so each transition is said exactly once.
    fn open_or_close(&mut self, port: PortIndex, open: bool) -> Result<(), String> {
        let i = self.index(port, if open { "open" } else { "close" })?;
        let Some(was) = self.world.open.get_mut(i) else {
            return Err(format!("no open flag for port {i}"));
        };
        if *was == open {
            return Err(format!("port {i}: open {open} said twice"));
        }
        *was = open;
        Ok(())
    }

    fn clock(&mut self, c: ClockAction) -> Result<(), String> {
        let facts = &self.world.facts;
        if facts.free_running {
            return Err(format!("{c:?} on a free-running clock"));
        }
        if !matches!(self.cause, Cause::Receive { .. }) {
            return Err(format!("{c:?} in {:?}", self.cause));
        }
        if !self.world.states.iter().any(|s| slave_side(*s)) {
            return Err(format!("{c:?} with no port slave-side"));
        }
        match c {
            ClockAction::SetFrequency(f) => {
                check_frequency(facts, f, "frequency set")?;
                self.world.frequency = f;
            }
            ClockAction::Step(by) => self.world.local_offset += by,
        }
        self.world.outcome.clock_actions += 1;
        Ok(())
    }

    fn event(&mut self, e: Event) -> Result<(), String> {
        match e {
            Event::PortState { port, from, to } => self.state_change(port, from, to),
            Event::Fault { port, fault } => {
                self.index(port, "fault")?;
                let expected = match self.cause {
                    Cause::TxLost { port: p } => p == port && fault == Fault::TxTimestampLost,
                    Cause::PortFault { port: p, fault: f } => p == port && f == fault,
                    _ => false,
                };
                if !expected {
                    return Err(format!(
                        "fault {fault:?} on port {} in {:?}",
                        port.0, self.cause
                    ));
                }
                self.faulted.push(port);
                Ok(())
            }
            Event::Sample {
                port,
                offset: _,
                frequency,
                servo,
                path_delay,
            } => {
                let i = self.index(port, "sample")?;
                let receiving = matches!(self.cause, Cause::Receive { port: p, .. } if p == port);
                if !receiving || !slave_side(self.state(i)) {
                    return Err(format!(
                        "sample for port {i} in state {:?} in {:?}",
                        self.state(i),
                        self.cause
                    ));
                }
                if path_delay.abs() > Duration::from_secs(1) {
                    return Err(format!("sample with path delay {path_delay:?}"));
                }
                check_frequency(&self.world.facts, frequency, "sample frequency")?;
                self.last_sample = Some((port, servo));
                self.world.outcome.samples += 1;
                if servo.is_locked() {
                    self.world.outcome.locked_samples += 1;
                }
                Ok(())
            }
            Event::Dropped { port, .. } => {
                self.index(port, "drop")?;
                match self.cause {
                    Cause::Receive { port: p, .. } if p == port => Ok(()),
                    _ => Err(format!("{e:?} in {:?}", self.cause)),
                }
            }
            Event::ParentChanged {
                parent,
                grandmaster,
            } => {
                self.world.parent_event = Some((parent, grandmaster));
                Ok(())
            }
        }
    }

    fn state_change(
        &mut self,
        port: PortIndex,
        from: PortState,
        to: PortState,
    ) -> Result<(), String> {
        let i = self.index(port, "state change")?;
        let known = self.state(i);
        if from != known || from == to {
            return Err(format!(
                "port {i} reported {from:?} → {to:?}, its state was {known:?}"
            ));
        }
        let cause = self.cause;
        let fault_reset = Cause::Timer(Timer {
            port,
            kind: TimerKind::FaultReset,
        });
        let legal = match (from, to) {
            (_, PortState::Initializing) => false,
            (_, PortState::Disabled) => {
                cause
                    == Cause::Enable {
                        port,
                        enabled: false,
                    }
            }
            (PortState::Disabled, _) => {
                cause
                    == Cause::Enable {
                        port,
                        enabled: true,
                    }
                    && to == PortState::Listening
            }
            (_, PortState::Faulty) => self.faulted.contains(&port),
            (PortState::Faulty, _) => cause == fault_reset && to == PortState::Listening,
            (PortState::Initializing, _) => cause == Cause::Start && to == PortState::Listening,
            (_, PortState::Slave) => {
                from == PortState::Uncalibrated
                    && self
                        .last_sample
                        .is_some_and(|(p, s)| p == port && s.is_locked())
            }
            _ => true,
        };
        let facts = &self.world.facts;
        let role = if facts.slave_only
            && matches!(
                to,
                PortState::Master | PortState::PreMaster | PortState::Passive
            ) {
            Some("slaveOnly clock")
        } else if facts.master_only.get(i).copied().unwrap_or(false) && slave_side(to) {
            Some("masterOnly port")
        } else {
            None
        };
        if !legal || role.is_some() {
            return Err(format!(
                "port {i}: illegal transition {from:?} → {to:?} in {cause:?}{}",
                role.map_or(String::new(), |r| format!(" on a {r}"))
            ));
        }
        if let Some(s) = self.world.states.get_mut(i) {
            *s = to;
        }
        if let Some(seen) = self.world.outcome.states.get_mut(i) {
            *seen |= 1 << (to as u8);
        }
        Ok(())
    }

    fn send(
        &mut self,
        port: PortIndex,
        class: MessageClass,
        destination: Destination,
        tag: Option<TxTag>,
        bytes: &[u8],
    ) -> Result<(), String> {
        let i = self.index(port, "send")?;
        let state = self.state(i);
        if !operational(state) || self.world.open.get(i) != Some(&true) {
            return Err(format!(
                "sent {bytes:02x?} on port {i} in state {state:?}, open {:?}",
                self.world.open.get(i)
            ));
        }
        let m = Message::decode(bytes)
            .map_err(|e| format!("sent {bytes:02x?}, which does not decode: {e}"))?;
        let t = m.message_type();
        let h = &m.header;
        let facts = &self.world.facts;
        let event = t.is_event();
        if (class == MessageClass::Event) != event || tag.is_some() != event {
            return Err(format!("{t:?} sent as {class:?} with tag {tag:?}"));
        }
        if h.domain_number != facts.domain || h.major_sdo_id != facts.major_sdo_id {
            return Err(format!(
                "{t:?} sent on domain {} majorSdoId {}",
                h.domain_number, h.major_sdo_id
            ));
        }
        let source = h.source_port_identity;
        let own = PortIdentity {
            clock_identity: facts.clock_identity,
            port_number: port.0.saturating_add(1),
        };
        let source_ok = if t == MessageType::Management {
            source.clock_identity == facts.clock_identity
                && (1..=facts.ports).contains(&source.port_number)
        } else {
            source == own
        };
        if !source_ok {
            return Err(format!("{t:?} sent on port {i} from {source}"));
        }
        let peer_delay = matches!(
            t,
            MessageType::PdelayReq | MessageType::PdelayResp | MessageType::PdelayRespFollowUp
        );
        if (destination == Destination::PeerMulticast && !peer_delay)
            || (t == MessageType::PdelayReq && destination != Destination::PeerMulticast)
        {
            return Err(format!("{t:?} sent to {destination:?}"));
        }
        let p2p = facts.p2p.get(i).copied().unwrap_or(false);
        let state_ok = match t {
            MessageType::Announce | MessageType::Sync | MessageType::FollowUp => {
                state == PortState::Master
            }
            MessageType::DelayReq => slave_side(state) && !p2p,
            MessageType::DelayResp => state == PortState::Master && !p2p,
            MessageType::PdelayReq | MessageType::PdelayResp | MessageType::PdelayRespFollowUp => {
                p2p
            }
            MessageType::Management => {
                matches!(m.body, Body::Management(b) if b.action == ManagementAction::Response)
            }
            MessageType::Signaling => false,
        };
        if !state_ok {
            return Err(format!("{m:?} sent on port {i} in state {state:?}"));
        }
        self.check_cause(port, &m)?;
        if let Some(tag) = tag {
            if tag.0 <= self.world.last_tag {
                return Err(format!("tag {tag:?} handed out again"));
            }
            self.world.last_tag = tag.0;
            self.world.tag_sent(port, tag, t, h.sequence_id);
        }
        if let Body::Announce(a) = m.body {
            let trace = m.suffix.iter().find_map(|tlv| match tlv {
                Ok(Tlv::PathTrace(trace)) => Some(trace.identities().last()),
                _ => None,
            });
            self.world.announced = Some((h.flags, a, trace.flatten()));
        }
        self.world.sent_message(port, t, h.sequence_id, bytes);
        Ok(())
    }

    /// Checks that the input explains why `m` was sent on `port`.
    fn check_cause(&mut self, port: PortIndex, m: &Message<'_>) -> Result<(), String> {
        let t = m.message_type();
        let h = &m.header;
        let explained = match self.cause {
            Cause::Receive {
                port: p,
                request: Some(req),
            } if p == port && answers(req.message_type, t) => {
                let requester = match m.body {
                    Body::DelayResp(r) => r.requesting_port_identity,
                    Body::PdelayResp(r) => r.requesting_port_identity,
                    Body::Management(r) => r.target_port_identity,
                    _ => PortIdentity::default(),
                };
                // From the network, SET and COMMAND are refused with an error status: which
                // one follows ptp4l's order of checks (WRONG_LENGTH for a SET without data,
                // NO_SUCH_ID, WRONG_VALUE for a missing port, else NOT_SUPPORTED), which
                // `engine_management` tests; here what matters is that nothing is taken.
                let refused = m
                    .suffix
                    .iter()
                    .next()
                    .is_some_and(|tlv| matches!(tlv, Ok(Tlv::ManagementErrorStatus(_))));
                let changes = matches!(
                    req.action,
                    Some(ManagementAction::Set | ManagementAction::Command)
                );
                if h.sequence_id != req.sequence_id
                    || requester != req.source
                    || (changes && !refused)
                {
                    return Err(format!("{m:?} does not answer {req:?}"));
                }
                true
            }
            Cause::Timer(timer) => timer.port == port && timer_sends(timer.kind, t),
            Cause::TxStamp { port: p, tag } if p == port => {
                let followed = match t {
                    MessageType::FollowUp => MessageType::Sync,
                    MessageType::PdelayRespFollowUp => MessageType::PdelayResp,
                    _ => return Err(format!("{m:?} sent for a transmit time stamp")),
                };
                return self.world.follow_up(port, tag, followed, h.sequence_id);
            }
            _ => false,
        };
        if explained {
            Ok(())
        } else {
            Err(format!("{m:?} sent on port {} in {:?}", port.0, self.cause))
        }
    }
}
