//! What must hold of the instance after every input, and of its answers on the local
//! management socket.
//!
//! After each input:
//! - the instance has its two ports and no other; each is in the state it last reported and
//!   none is INITIALIZING; portDS.portIdentity is (clockIdentity, index + 1) and every portDS
//!   member but portState, logMinDelayReqInterval and peerMeanPathDelay is as configured;
//!   peerMeanPathDelay is zero on an E2E port and within ±1 s on a P2P one;
//! - defaultDS is as configured, with the priorities and clock quality last set (by the API
//!   or by a SET on the local socket that was answered with success);
//! - at most one port is SLAVE or UNCALIBRATED and `slave_port()` names it; parentDS names
//!   this clock exactly when there is none, and then it is `ParentDs::of_self(defaultDS)`,
//!   stepsRemoved and currentDS's offset and delay are 0 and timePropertiesDS is what
//!   GRANDMASTER_SETTINGS_NP reports; otherwise the parent is another clock and
//!   stepsRemoved is at least 1;
//! - currentDS.meanPathDelay is within ±1 s (longer measurements are dropped);
//! - an Announce sent names parentDS's grandmaster (identity, priorities, quality),
//!   currentDS.stepsRemoved and timePropertiesDS, and its path trace, when enabled, ends
//!   with this clock;
//! - a new parent or grandmaster was reported by a ParentChanged event, and the last such
//!   event of the input names the current ones;
//! - `frequency()` is finite and within the servo's bound;
//! - a port a fault was reported for is FAULTY;
//! - each port has the timers its state lives on: none at all when DISABLED; FaultReset when
//!   FAULTY; AnnounceReceipt when LISTENING, PASSIVE, UNCALIBRATED or SLAVE; Qualification
//!   when PRE_MASTER; Announce and Sync when MASTER; DelayReq when slave-side on E2E;
//!   PdelayReq on a P2P port that takes part. Without them the port would stay where it is
//!   forever.
//!
//! On the local management socket: a request that decodes is never refused as malformed (the
//! engine can always encode its answer); it gets responses exactly when it is accepted; each
//! response decodes, is a RESPONSE to the requester with its sequenceId, from this clock (port
//! 0 or one of its ports), carrying the requested managementId or an error status for it.
//! At the end of a run, every GET answer the engine gives encodes and decodes to itself.

use super::harness::{Facts, World, CLOCK};
use super::input::Settings;
use super::observer::check_frequency;
use crate::engine::{
    DefaultDs, DelayMechanism, DropReason, Instance, ParentDs, PortDs, PortIndex, Timer, TimerKind,
};
use crate::time::Duration;
use crate::wire::management::{Action, ManagementData, ManagementId, ManagementTlv};
use crate::wire::{Body, ClockQuality, Flags, Message, PortIdentity, PortState, Tlv};

/// What the instance's data sets must be, besides what changes by protocol.
#[derive(Clone, Debug)]
pub(super) struct Expected {
    pub(super) default_ds: DefaultDs,
    /// Each port's data set after start.
    pub(super) ports: Vec<PortDs>,
}

/// defaultDS as the settings make it (checked against the new instance).
pub(super) fn baseline(settings: &Settings, instance: &Instance) -> Result<Expected, String> {
    let d = *instance.default_ds();
    let class = if settings.slave_only() {
        255
    } else {
        settings.clock_class
    };
    let steps = match settings.sdo >> 4 {
        0 => 255,
        n => n + 1,
    };
    let as_configured = d.clock_identity == CLOCK
        && d.number_ports == 2
        && d.priority_1 == settings.priority_1
        && d.priority_2 == settings.priority_2
        && d.clock_quality.clock_class == class
        && d.domain_number == settings.domain % 128
        && d.slave_only == settings.slave_only()
        && d.two_step
        && d.major_sdo_id == settings.sdo & 0x0f
        && d.max_steps_removed == steps;
    if !as_configured {
        return Err(format!(
            "defaultDS {d:?} is not what {settings:?} configure"
        ));
    }
    Ok(Expected {
        default_ds: d,
        ports: Vec::new(),
    })
}

fn slave_side(s: PortState) -> bool {
    matches!(s, PortState::Slave | PortState::Uncalibrated)
}

/// The invariants after an input (see the module docs).
pub(super) fn after_input(
    instance: &Instance,
    world: &mut World,
    expected: &Expected,
    faulted: &[PortIndex],
) -> Result<(), String> {
    let facts = &world.facts;
    let ports = instance.ports().count();
    if ports != usize::from(facts.ports) || instance.port_ds(PortIndex(facts.ports)).is_some() {
        return Err(format!("{ports} ports"));
    }
    for (i, known) in world.states.iter().enumerate() {
        let port = PortIndex::from_usize(i);
        let ds = instance
            .port_ds(port)
            .ok_or_else(|| format!("no portDS for port {i}"))?;
        port_ds(facts, i, ds, *known, expected.ports.get(i))?;
        // Sockets are open exactly while the port takes part.
        let open = world.open.get(i) == Some(&true);
        let taking_part = !matches!(
            ds.port_state,
            PortState::Initializing | PortState::Faulty | PortState::Disabled
        );
        if open != taking_part {
            return Err(format!(
                "port {i} is {:?} with its sockets open: {open}",
                ds.port_state
            ));
        }
        timers(world, port, ds.port_state)?;
        if faulted.contains(&port) && ds.port_state != PortState::Faulty {
            return Err(format!(
                "port {i} reported a fault and is {:?}",
                ds.port_state
            ));
        }
    }
    if *instance.default_ds() != expected.default_ds {
        return Err(format!(
            "defaultDS {:?}, expected {:?}",
            instance.default_ds(),
            expected.default_ds
        ));
    }
    check_frequency(facts, instance.frequency(), "frequency()")?;
    announced(instance, world)?;
    parent(instance, world)
}

/// One port's data set: its state as reported and its members as configured.
fn port_ds(
    facts: &Facts,
    i: usize,
    ds: &PortDs,
    known: PortState,
    configured: Option<&PortDs>,
) -> Result<(), String> {
    let identity = PortIdentity {
        clock_identity: facts.clock_identity,
        port_number: u16::try_from(i + 1).unwrap_or(u16::MAX),
    };
    let p2p = facts.p2p.get(i).copied().unwrap_or(false);
    let mechanism = if p2p {
        DelayMechanism::P2P
    } else {
        DelayMechanism::E2E
    };
    let fixed = |c: &PortDs| PortDs {
        port_state: ds.port_state,
        log_min_delay_req_interval: ds.log_min_delay_req_interval,
        peer_mean_path_delay: ds.peer_mean_path_delay,
        ..*c
    };
    let delay_ok = if p2p {
        ds.peer_mean_path_delay.abs() <= Duration::from_secs(1)
    } else {
        ds.peer_mean_path_delay == Duration::ZERO
    };
    if ds.port_state != known
        || ds.port_state == PortState::Initializing
        || ds.port_identity != identity
        || ds.delay_mechanism != mechanism
        || ds.version_number != 2
        || ds.master_only != facts.master_only.get(i).copied().unwrap_or(false)
        || configured.is_some_and(|c| fixed(c) != *ds)
        || !delay_ok
    {
        return Err(format!(
            "port {i}: portDS {ds:?}, last reported state {known:?}, after start {configured:?}"
        ));
    }
    Ok(())
}

/// The timers `port` needs in `state` are armed (see the module docs).
fn timers(world: &World, port: PortIndex, state: PortState) -> Result<(), String> {
    let armed = |kind| world.timers.contains_key(&Timer { port, kind });
    let p2p = world.facts.p2p.get(port.get()).copied().unwrap_or(false);
    if state == PortState::Disabled {
        if let Some(kind) = TimerKind::ALL.into_iter().find(|k| armed(*k)) {
            return Err(format!("DISABLED port {} has {kind:?} armed", port.0));
        }
        return Ok(());
    }
    let needed: &[TimerKind] = match state {
        PortState::Faulty => &[TimerKind::FaultReset],
        PortState::Listening | PortState::Passive => &[TimerKind::AnnounceReceipt],
        PortState::PreMaster => &[TimerKind::Qualification],
        PortState::Master => &[TimerKind::Announce, TimerKind::Sync],
        PortState::Uncalibrated | PortState::Slave if !p2p => {
            &[TimerKind::AnnounceReceipt, TimerKind::DelayReq]
        }
        _ => &[TimerKind::AnnounceReceipt],
    };
    let peer_delay = p2p && state != PortState::Faulty;
    let missing = needed
        .iter()
        .copied()
        .chain(peer_delay.then_some(TimerKind::PdelayReq))
        .find(|k| !armed(*k));
    match missing {
        Some(kind) => Err(format!(
            "port {} in {state:?} has no {kind:?} timer armed",
            port.0
        )),
        None => Ok(()),
    }
}

/// The Announce sent in this input (if any) against the data sets, which sending it does
/// not change: it names parentDS's grandmaster, currentDS's stepsRemoved and
/// timePropertiesDS, and its path trace (when enabled) ends with this clock.
fn announced(instance: &Instance, world: &mut World) -> Result<(), String> {
    let Some((flags, a, trace_end)) = world.announced.take() else {
        return Ok(());
    };
    let pd = instance.parent_ds();
    let tp = instance.time_properties_ds();
    let properties =
        crate::engine::TimePropertiesDs::from_announce(flags, a.current_utc_offset, a.time_source);
    let trace_ok = if world.facts.path_trace {
        trace_end == Some(world.facts.clock_identity)
    } else {
        trace_end.is_none()
    };
    if a.grandmaster_identity != pd.grandmaster_identity
        || a.grandmaster_priority_1 != pd.grandmaster_priority_1
        || a.grandmaster_priority_2 != pd.grandmaster_priority_2
        || a.grandmaster_clock_quality != pd.grandmaster_clock_quality
        || a.steps_removed != instance.current_ds().steps_removed
        || properties != *tp
        || !trace_ok
    {
        return Err(format!(
            "announced {a:?} with flags {flags:?} and path trace ending {trace_end:?}; \
             parentDS {pd:?}, currentDS {:?}, timePropertiesDS {tp:?}",
            instance.current_ds()
        ));
    }
    Ok(())
}

/// parentDS, currentDS and the time properties against the ports' states.
fn parent(instance: &Instance, world: &mut World) -> Result<(), String> {
    let slaves: Vec<usize> = world
        .states
        .iter()
        .enumerate()
        .filter(|(_, s)| slave_side(**s))
        .map(|(i, _)| i)
        .collect();
    let slave_port = instance.slave_port().map(PortIndex::get);
    if slaves.len() > 1 || slave_port != slaves.first().copied() {
        return Err(format!(
            "slave-side ports {slaves:?}, slave_port() {slave_port:?}"
        ));
    }
    let pd = *instance.parent_ds();
    let current = *instance.current_ds();
    let own = PortIdentity {
        clock_identity: world.facts.clock_identity,
        port_number: 0,
    };
    if slaves.is_empty() {
        let gm = instance.management_get(PortIndex(0), ManagementId::GRANDMASTER_SETTINGS_NP);
        let Some(ManagementData::GrandmasterSettingsNp(gm)) = gm else {
            return Err(format!("GRANDMASTER_SETTINGS_NP answered {gm:?}"));
        };
        let announced = crate::engine::TimePropertiesDs::from_announce(
            Flags(u16::from(gm.time_flags.0)),
            gm.current_utc_offset,
            gm.time_source,
        );
        if pd != ParentDs::of_self(instance.default_ds())
            || current.steps_removed != 0
            || current.offset_from_master != Duration::ZERO
            || current.mean_path_delay != Duration::ZERO
            || *instance.time_properties_ds() != announced
        {
            return Err(format!(
                "no port slave-side, but parentDS {pd:?}, currentDS {current:?}, \
                 timePropertiesDS {:?} (grandmaster settings {announced:?})",
                instance.time_properties_ds()
            ));
        }
    } else if pd.parent_port_identity.clock_identity == own.clock_identity
        || current.steps_removed == 0
    {
        return Err(format!(
            "port {slaves:?} slave-side, but parentDS {pd:?}, currentDS {current:?}"
        ));
    }
    if current.mean_path_delay.abs() > Duration::from_secs(1) {
        return Err(format!("currentDS {current:?}"));
    }
    let now = (pd.parent_port_identity, pd.grandmaster_identity);
    let reported = world.parent_event.take();
    if reported.is_some_and(|r| r != now) || (now != world.parent && reported.is_none()) {
        return Err(format!(
            "parent and grandmaster {now:?} (were {:?}), last reported {reported:?}",
            world.parent
        ));
    }
    world.parent = now;
    Ok(())
}

/// What a SET on the local socket that succeeded changed.
#[derive(Clone, Copy, Debug)]
pub(super) enum SetEffect {
    Priority1(u8),
    Priority2(u8),
    Quality(ClockQuality),
}

impl SetEffect {
    /// Applies the change to the expected defaultDS.
    pub(super) fn apply(self, d: &mut DefaultDs) {
        match self {
            Self::Priority1(v) => d.priority_1 = v,
            Self::Priority2(v) => d.priority_2 = v,
            Self::Quality(q) => d.clock_quality = q,
        }
    }
}

/// Checks the responses to a request on the local management socket (see the module docs)
/// and returns what a successful SET changed.
pub(super) fn local_replies(
    facts: &Facts,
    request: &[u8],
    result: Result<(), DropReason>,
    replies: &[Vec<u8>],
) -> Result<Option<SetEffect>, String> {
    let decoded = Message::decode(request);
    if let (Ok(m), Err(DropReason::Malformed(e))) = (&decoded, result) {
        return Err(format!("answering {m:?} failed: {e}"));
    }
    if result.is_ok() == replies.is_empty() {
        return Err(format!("{result:?} with {} responses", replies.len()));
    }
    let Ok(m) = &decoded else {
        return Ok(None);
    };
    let Body::Management(req) = m.body else {
        return Ok(None);
    };
    let Some(Ok(Tlv::Management(tlv))) = m.suffix.iter().next() else {
        return Ok(None);
    };
    let mut succeeded = !replies.is_empty();
    for bytes in replies {
        let reply = Message::decode(bytes)
            .map_err(|e| format!("response {bytes:02x?} does not decode: {e}"))?;
        let source = reply.header.source_port_identity;
        let answer = reply.suffix.iter().next();
        let (id, success) = match answer {
            Some(Ok(Tlv::Management(t))) => (t.id, true),
            Some(Ok(Tlv::ManagementErrorStatus(e))) => (e.id, false),
            _ => (ManagementId(0xffff), false),
        };
        succeeded &= success;
        let ok = matches!(reply.body, Body::Management(r)
                if r.action == Action::Response
                    && r.target_port_identity == m.header.source_port_identity)
            && reply.header.sequence_id == m.header.sequence_id
            && reply.header.domain_number == m.header.domain_number
            && source.clock_identity == facts.clock_identity
            && source.port_number <= facts.ports
            && id == tlv.id;
        if !ok {
            return Err(format!("{reply:?} does not answer {m:?}"));
        }
    }
    if req.action != Action::Set || !succeeded {
        return Ok(None);
    }
    Ok(match tlv.data(Action::Set) {
        Ok(ManagementData::Priority1(v)) => Some(SetEffect::Priority1(v)),
        Ok(ManagementData::Priority2(v)) => Some(SetEffect::Priority2(v)),
        Ok(ManagementData::GrandmasterSettingsNp(g)) => Some(SetEffect::Quality(g.clock_quality)),
        other => return Err(format!("SET {other:?} answered with success")),
    })
}

/// Every GET answer of every port encodes, and what it encodes to decodes and re-encodes to
/// the same bytes (the wire may round values: offsets travel as whole nanoseconds).
pub(super) fn answers_encode(instance: &Instance) -> Result<(), String> {
    let (mut first, mut second) = ([0u8; 1024], [0u8; 1024]);
    for port in instance.ports() {
        for id in ManagementId::ALL {
            let Some(data) = instance.management_get(port, *id) else {
                continue;
            };
            let what = || format!("GET {id:?} on port {}: {data:?}", port.number());
            let tlv = ManagementTlv::build(*id, &data, &mut first)
                .map_err(|e| format!("{} does not encode: {e}", what()))?;
            let back = tlv
                .data(Action::Response)
                .map_err(|e| format!("{} does not decode: {e}", what()))?;
            let again = ManagementTlv::build(*id, &back, &mut second).map_err(|e| {
                format!("{} decodes as {back:?}, which does not encode: {e}", what())
            })?;
            if again.raw_data != tlv.raw_data {
                return Err(format!(
                    "{} decodes as {back:?}, which encodes differently",
                    what()
                ));
            }
        }
    }
    Ok(())
}
