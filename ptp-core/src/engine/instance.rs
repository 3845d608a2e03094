//! [`Instance`]: one PTP clock with N ports — the engine's entry point. It owns the data sets,
//! the ports and the servo, takes inputs (received messages, transmit time stamps, timer
//! expiries, management changes) and hands actions to an [`ActionSink`].

use super::action::{
    arm, cancel_all_timers, drop_message, Action, ActionSink, ClockAction, Destination, DropReason,
    Event, Fault, MessageClass, PeerAddress, PortIndex, Timer, TimerKind, TxTag,
};
use super::datasets::{CurrentDs, DefaultDs, ParentDs, PortDs, TimePropertiesDs};
use super::port::{count, Port};
use super::settings::{InstanceSettings, PortSettings, SettingsError};
use crate::rng::Rng;
use crate::servo::{ClockServo, Servo, ServoState};
use crate::time::{Duration, Ppb, Time};
use crate::wire::{
    Body, ClockIdentity, ClockQuality, Flags, Header, Message, MessageType, PortIdentity,
    PortState, Tlvs,
};

/// Largest message the engine sends (an Announce with a long path trace fits).
pub(crate) const SEND_BUFFER: usize = 1500;

/// What the runtime knows about a received message besides its bytes.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RxMeta {
    /// The receive time stamp (event messages), in the time of the clock being disciplined.
    pub timestamp: Option<Time>,
    /// The sender's address, for unicast replies.
    pub source: Option<PeerAddress>,
}

/// One PTP clock (ordinary or boundary) and its ports.
#[derive(Debug)]
pub struct Instance {
    pub(crate) settings: InstanceSettings,
    pub(crate) default_ds: DefaultDs,
    pub(crate) current_ds: CurrentDs,
    pub(crate) parent_ds: ParentDs,
    pub(crate) time_properties: TimePropertiesDs,
    /// What we announce while we are the grandmaster (changeable at run time).
    pub(crate) gm_time_properties: TimePropertiesDs,
    /// TAI − UTC in seconds as this clock believes it (ptp4l's rule: the configured
    /// `utc_offset` until a master announces one that is valid and traceable, or larger).
    pub(crate) utc_offset: i16,
    /// The ports, by [`PortIndex`]: a removed port leaves its slot empty, so that a live
    /// port's index (and portNumber) never changes. Looked up through [`Instance::port`]
    /// and [`Instance::port_mut`] only.
    slots: Vec<Option<Port>>,
    pub(crate) servo: ClockServo,
    pub(crate) frequency: Ppb,
    pub(crate) slave_port: Option<PortIndex>,
    /// The PATH_TRACE received from the parent (without our own identity).
    pub(crate) path_trace: Vec<ClockIdentity>,
    pub(crate) next_tag: u32,
    pub(crate) rng: Rng,
    pub(crate) buf: Box<[u8; SEND_BUFFER]>,
}

impl RxMeta {
    /// The receive time stamp an event message needs.
    pub(crate) fn required_timestamp(&self) -> Result<Time, DropReason> {
        self.timestamp.ok_or(DropReason::NoTimestamp)
    }
}

impl Instance {
    /// A clock built from `settings`, every port INITIALIZING. Call [`Instance::start`] next.
    pub fn new(settings: InstanceSettings) -> Result<Self, SettingsError> {
        let layout = super::reconfigure::layout(&[], &settings.ports)?;
        Ok(Self::build(settings, &layout, Ppb::ZERO))
    }

    /// A clock built from `settings` with its ports in the slots `layout` gives (from
    /// [`super::reconfigure::layout`]), every port INITIALIZING, its servo starting from the
    /// clock's current `frequency`.
    pub(crate) fn build(
        settings: InstanceSettings,
        layout: &[Option<usize>],
        frequency: Ppb,
    ) -> Self {
        let live = layout.iter().flatten().count();
        let default_ds = DefaultDs {
            clock_identity: settings.clock_identity,
            number_ports: u16::try_from(live).unwrap_or(u16::MAX),
            clock_quality: settings.clock_quality,
            priority_1: settings.priority_1,
            priority_2: settings.priority_2,
            domain_number: settings.domain_number,
            slave_only: settings.slave_only,
            two_step: true,
            major_sdo_id: settings.major_sdo_id,
            minor_sdo_id: 0,
            local_priority: settings.local_priority,
            max_steps_removed: settings.max_steps_removed,
        };
        let slots = layout
            .iter()
            .enumerate()
            .map(|(i, at)| {
                let p = settings.ports.get((*at)?)?;
                Some(Port::new(PortIndex::from_usize(i), &default_ds, p.clone()))
            })
            .collect();
        let servo = ClockServo::new(settings.servo, &settings.servo_config, frequency);
        Self {
            default_ds,
            current_ds: CurrentDs::default(),
            parent_ds: ParentDs::of_self(&default_ds),
            time_properties: settings.time_properties,
            gm_time_properties: settings.time_properties,
            utc_offset: settings.time_properties.current_utc_offset,
            slots,
            servo,
            frequency,
            slave_port: None,
            path_trace: Vec::with_capacity(super::selection::MAX_PATH_TRACE),
            next_tag: 0,
            rng: Rng::seed_from_u64(settings.seed),
            buf: Box::new([0; SEND_BUFFER]),
            settings,
        }
    }

    /// Brings every port from INITIALIZING to LISTENING (or PRE_MASTER/MASTER when the
    /// port is masterOnly), arming their timers.
    pub fn start(&mut self, now: Time, sink: &mut dyn ActionSink) {
        for port in self.ports().collect::<Vec<_>>() {
            self.initialize_port(port, sink);
        }
        self.state_decision(now, sink);
    }

    /// The settings this clock runs: those it was built with, or last reconfigured to
    /// (values changed through management since live in the data sets, not here).
    pub fn settings(&self) -> &InstanceSettings {
        &self.settings
    }

    /// The settings of the live port `port`, from which the runtime opens its sockets.
    pub fn port_settings(&self, port: PortIndex) -> Option<&PortSettings> {
        self.port(port).map(|p| &p.settings)
    }

    /// defaultDS.
    pub fn default_ds(&self) -> &DefaultDs {
        &self.default_ds
    }

    /// currentDS.
    pub fn current_ds(&self) -> &CurrentDs {
        &self.current_ds
    }

    /// parentDS.
    pub fn parent_ds(&self) -> &ParentDs {
        &self.parent_ds
    }

    /// timePropertiesDS.
    pub fn time_properties_ds(&self) -> &TimePropertiesDs {
        &self.time_properties
    }

    /// portDS of `port`.
    pub fn port_ds(&self, port: PortIndex) -> Option<&PortDs> {
        self.port(port).map(|p| &p.ds)
    }

    /// The live ports, in index order (a removed port's index is skipped).
    pub fn ports(&self) -> impl Iterator<Item = PortIndex> + '_ {
        self.live_ports().map(|(i, _)| i)
    }

    /// The servo's state.
    pub fn servo_state(&self) -> ServoState {
        self.servo.state()
    }

    /// The frequency correction last applied.
    pub fn frequency(&self) -> Ppb {
        self.frequency
    }

    /// The port we synchronise through, if any.
    pub fn slave_port(&self) -> Option<PortIndex> {
        self.slave_port
    }

    /// Handles a message received on `port`.
    pub fn handle_message(
        &mut self,
        port: PortIndex,
        bytes: &[u8],
        rx: RxMeta,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port(port) else {
            return;
        };
        if !p.is_operational() {
            return;
        }
        let message = match Message::decode(bytes) {
            Ok(m) => m,
            Err(e) => return drop_message(sink, port, DropReason::Malformed(e)),
        };
        if let Some(p) = self.port_mut(port) {
            count(&mut p.rx_counts, message.message_type());
        }
        if let Err(reason) = self.accept(port, &message) {
            return drop_message(sink, port, reason);
        }
        let result = match message.body {
            Body::Announce(a) => {
                self.on_announce(port, &message.header, &a, message.suffix, now, sink)
            }
            Body::Sync(s) => self.on_sync(port, &message.header, &s, rx, sink),
            Body::FollowUp(f) => self.on_follow_up(port, &message.header, &f, sink),
            Body::DelayReq(_) => self.on_delay_req(port, &message.header, rx, sink),
            Body::DelayResp(d) => self.on_delay_resp(port, &message.header, &d, sink),
            Body::PdelayReq(_) => self.on_pdelay_req(port, &message.header, rx, sink),
            Body::PdelayResp(r) => self.on_pdelay_resp(port, &message.header, &r, rx),
            Body::PdelayRespFollowUp(f) => self.on_pdelay_resp_follow_up(port, &message.header, &f),
            Body::Management(m) => {
                self.on_management(port, &message.header, &m, message.suffix, rx, sink)
            }
            Body::Signaling(_) => Err(DropReason::Unsupported),
        };
        if let Err(reason) = result {
            drop_message(sink, port, reason);
        }
    }

    /// Domain, sdoId and loop-back checks every message arriving on `port` passes first.
    fn accept(&self, port: PortIndex, message: &Message<'_>) -> Result<(), DropReason> {
        let h = &message.header;
        let any_sdo = self
            .port(port)
            .is_some_and(|p| p.settings.ignore_transport_specific);
        if h.domain_number != self.default_ds.domain_number
            || (h.major_sdo_id != self.default_ds.major_sdo_id && !any_sdo)
        {
            return Err(DropReason::OtherDomain);
        }
        if h.source_port_identity.clock_identity == self.default_ds.clock_identity {
            return Err(DropReason::OwnMessage);
        }
        if Duration::from(h.correction).abs() > MAX_CORRECTION {
            return Err(DropReason::AbsurdTime);
        }
        Ok(())
    }

    /// Handles the transmit time stamp of a message sent with `tag` on `port`.
    pub fn handle_tx_timestamp(
        &mut self,
        port: PortIndex,
        tag: TxTag,
        timestamp: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let t = timestamp + p.settings.egress_latency;
        if p.sync_out.iter().any(|s| s.tag == tag) {
            self.send_follow_up(port, tag, t, sink);
        } else if let Some(d) = p.delay_req.as_mut().filter(|d| d.tag == tag) {
            d.t3 = Some(t);
        } else if let Some(d) = p.pdelay_req.as_mut().filter(|d| d.tag == tag) {
            d.t1 = Some(t);
            self.complete_peer_delay(port);
        } else if p.pdelay_resp.is_some_and(|r| r.tag == tag) {
            self.send_pdelay_resp_follow_up(port, t, sink);
        }
    }

    /// The runtime could not get the transmit time stamp of `tag` (tx_timestamp_timeout):
    /// the port goes FAULTY, as ptp4l's does.
    pub fn handle_tx_timestamp_lost(
        &mut self,
        port: PortIndex,
        tag: TxTag,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port(port) else {
            return;
        };
        let ours = p.sync_out.iter().any(|s| s.tag == tag)
            || p.delay_req.is_some_and(|d| d.tag == tag)
            || p.pdelay_req.is_some_and(|d| d.tag == tag)
            || p.pdelay_resp.is_some_and(|r| r.tag == tag);
        if ours {
            self.fault(port, Fault::TxTimestampLost, now, sink);
        }
    }

    /// The runtime's I/O on `port` failed (a socket error, sockets that cannot be opened, a
    /// link that went away): the port goes FAULTY and comes back after fault_reset_interval,
    /// when the runtime re-opens its sockets. A port already FAULTY or DISABLED stays as it is.
    pub fn handle_port_fault(
        &mut self,
        port: PortIndex,
        fault: Fault,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port(port) else {
            return;
        };
        if matches!(p.state(), PortState::Faulty | PortState::Disabled) {
            return;
        }
        self.fault(port, fault, now, sink);
    }

    /// Handles the expiry of `timer`.
    pub fn handle_timer(&mut self, timer: Timer, now: Time, sink: &mut dyn ActionSink) {
        let port = timer.port;
        let Some(p) = self.port(port) else {
            return;
        };
        let state = p.state();
        match timer.kind {
            TimerKind::Announce if state == PortState::Master => {
                self.send_announce(port, sink);
                let after = self
                    .port(port)
                    .map_or(Duration::from_secs(1), Port::announce_interval);
                arm(sink, port, TimerKind::Announce, after);
            }
            TimerKind::Sync if state == PortState::Master => {
                self.send_sync(port, sink);
                let after = self
                    .port(port)
                    .map_or(Duration::from_secs(1), Port::sync_interval);
                arm(sink, port, TimerKind::Sync, after);
            }
            TimerKind::DelayReq if p.is_slave_side() && !p.is_p2p() => {
                self.send_delay_req(port, sink);
                self.arm_delay_req(port, sink);
            }
            TimerKind::PdelayReq if p.is_operational() && p.is_p2p() => {
                let after = p.ds.log_min_pdelay_req_interval.duration();
                self.send_pdelay_req(port, sink);
                arm(sink, port, TimerKind::PdelayReq, after);
            }
            TimerKind::AnnounceReceipt => self.announce_receipt_timeout(port, now, sink),
            TimerKind::Qualification if state == PortState::PreMaster => {
                self.qualified(port, sink);
            }
            TimerKind::FaultReset if state == PortState::Faulty => {
                self.initialize_port(port, sink);
                self.state_decision(now, sink);
            }
            _ => {}
        }
    }

    /// Changes what this clock announces as a grandmaster (GRANDMASTER_SETTINGS_NP: clock
    /// quality and time properties), for holdover and GNSS loss. Takes effect in the next
    /// Announce and in the BMCA at once.
    pub fn set_grandmaster_settings(
        &mut self,
        clock_quality: ClockQuality,
        time_properties: TimePropertiesDs,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        self.default_ds.clock_quality = clock_quality;
        self.gm_time_properties = time_properties;
        self.state_decision(now, sink);
    }

    /// Changes priority1 and priority2 (management SET PRIORITY1/PRIORITY2).
    pub fn set_priorities(
        &mut self,
        priority_1: u8,
        priority_2: u8,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        self.default_ds.priority_1 = priority_1;
        self.default_ds.priority_2 = priority_2;
        self.state_decision(now, sink);
    }

    /// Enables or disables a port (management ENABLE_PORT/DISABLE_PORT).
    pub fn set_port_enabled(
        &mut self,
        port: PortIndex,
        enabled: bool,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port(port) else {
            return;
        };
        let state = p.state();
        if enabled && state == PortState::Disabled {
            self.initialize_port(port, sink);
        } else if !enabled && state != PortState::Disabled {
            cancel_all_timers(sink, port);
            self.forget_exchanges(port);
            self.set_state(port, PortState::Disabled, sink);
        }
        self.state_decision(now, sink);
    }

    /// The live port at `port`: the one place a slot is looked up.
    pub(crate) fn port(&self, port: PortIndex) -> Option<&Port> {
        self.slots.get(port.get()).and_then(Option::as_ref)
    }

    /// The live port at `port`, to change it.
    pub(crate) fn port_mut(&mut self, port: PortIndex) -> Option<&mut Port> {
        self.slots.get_mut(port.get()).and_then(Option::as_mut)
    }

    /// The number of slots, live or empty (one more than the highest index a port has had).
    pub(crate) fn slot_count(&self) -> usize {
        self.slots.len()
    }

    /// Puts `port` (or nothing) in the slot `index`, adding slots up to it as needed.
    pub(crate) fn set_slot(&mut self, index: PortIndex, port: Option<Port>) {
        let i = index.get();
        if self.slots.len() <= i {
            self.slots.resize_with(i + 1, || None);
        }
        if let Some(slot) = self.slots.get_mut(i) {
            *slot = port;
        }
    }

    /// Every live port with its index.
    pub(crate) fn live_ports(&self) -> impl Iterator<Item = (PortIndex, &Port)> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, slot)| Some((PortIndex::from_usize(i), slot.as_ref()?)))
    }

    /// Every live port, to change them.
    pub(crate) fn live_ports_mut(&mut self) -> impl Iterator<Item = &mut Port> + '_ {
        self.slots.iter_mut().flatten()
    }

    /// A fresh transmit time-stamp tag.
    pub(crate) fn new_tag(&mut self) -> TxTag {
        self.next_tag = self.next_tag.wrapping_add(1);
        TxTag(self.next_tag)
    }

    /// Forgets the port's exchanges in flight and its foreign masters, as ptp4l's
    /// `port_disable` does: a port leaving operation (FAULTY, DISABLED) must send nothing
    /// when a transmit time stamp of before arrives, nor fault when one is lost.
    fn forget_exchanges(&mut self, port: PortIndex) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        p.forget_timing();
        p.foreign.clear();
        p.pdelay_req = None;
        p.pdelay_resp = None;
        p.sync_out.clear();
    }

    /// INITIALIZING (or FAULTY, DISABLED) → LISTENING: open the port's sockets, clear its
    /// exchanges and arm its receive timers.
    pub(crate) fn initialize_port(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        self.forget_exchanges(port);
        let Some(p) = self.port_mut(port) else {
            return;
        };
        if !p.open {
            p.open = true;
            sink.act(Action::OpenPort { port });
        }
        let (timeout, p2p, pdelay) = (
            p.announce_receipt_timeout(),
            p.is_p2p(),
            p.ds.log_min_pdelay_req_interval.duration(),
        );
        self.set_state(port, PortState::Listening, sink);
        arm(sink, port, TimerKind::AnnounceReceipt, timeout);
        if p2p {
            arm(sink, port, TimerKind::PdelayReq, pdelay);
        }
    }

    /// A fault on `port`: FAULTY until fault_reset_interval has passed.
    pub(crate) fn fault(
        &mut self,
        port: PortIndex,
        fault: Fault,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port(port) else {
            return;
        };
        let reset = p
            .settings
            .fault_reset_interval
            .map_or(Duration::ZERO, |l| l.duration());
        sink.act(Action::Event(Event::Fault { port, fault }));
        cancel_all_timers(sink, port);
        self.forget_exchanges(port);
        self.set_state(port, PortState::Faulty, sink);
        arm(sink, port, TimerKind::FaultReset, reset);
        self.state_decision(now, sink);
    }

    /// Records a state change and reports it. A port that goes FAULTY or DISABLED has its
    /// sockets closed first.
    pub(crate) fn set_state(&mut self, port: PortIndex, to: PortState, sink: &mut dyn ActionSink) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let from = p.ds.port_state;
        if from == to {
            return;
        }
        if p.open && matches!(to, PortState::Faulty | PortState::Disabled) {
            p.open = false;
            sink.act(Action::ClosePort { port });
        }
        p.ds.port_state = to;
        sink.act(Action::Event(Event::PortState { port, from, to }));
    }

    /// A header for a message we originate on `port`.
    pub(crate) fn header(
        &self,
        port: &Port,
        message_type: MessageType,
        sequence_id: u16,
        flags: Flags,
        log_message_interval: crate::time::LogInterval,
    ) -> Header {
        self.header_from(
            port.identity(),
            message_type,
            sequence_id,
            flags,
            log_message_interval,
        )
    }

    /// The header of a message this clock sends from `source` (a port, or the clock itself
    /// as port 0 for local management).
    pub(crate) fn header_from(
        &self,
        source: PortIdentity,
        message_type: MessageType,
        sequence_id: u16,
        flags: Flags,
        log_message_interval: crate::time::LogInterval,
    ) -> Header {
        Header {
            major_sdo_id: self.default_ds.major_sdo_id,
            minor_version_ptp: self.settings.minor_version_ptp,
            domain_number: self.default_ds.domain_number,
            minor_sdo_id: self.default_ds.minor_sdo_id,
            flags,
            correction: crate::time::TimeInterval::ZERO,
            message_type_specific: 0,
            source_port_identity: source,
            sequence_id,
            control_field: message_type.control_field(),
            log_message_interval,
        }
    }

    /// How far the timescale this clock distributes and follows (timePropertiesDS) is ahead
    /// of its local clock: the UTC offset when the local clock keeps UTC
    /// ([`InstanceSettings::utc_timescale`]) and the time properties say PTP timescale (TAI),
    /// otherwise zero. A slave adds it to its offsets, as ptp4l's `clock_utc_correct` does;
    /// a boundary clock adds it to the times it hands downstream, so that what it sends is on
    /// the timescale it announces.
    pub(crate) fn timescale_offset(&self) -> Duration {
        if self.settings.utc_timescale() && self.time_properties.ptp_timescale {
            Duration::from_secs(i64::from(self.utc_offset))
        } else {
            Duration::ZERO
        }
    }

    /// Encodes `message` into the send buffer and hands it to the sink.
    pub(crate) fn send(
        &mut self,
        port: PortIndex,
        destination: Destination,
        tag: Option<TxTag>,
        message: &Message<'_>,
        sink: &mut dyn ActionSink,
    ) {
        let class = if message.message_type().is_event() {
            MessageClass::Event
        } else {
            MessageClass::General
        };
        if let Ok(len) = message.encode(&mut self.buf[..]) {
            if let Some(p) = self.port_mut(port) {
                count(&mut p.tx_counts, message.message_type());
            }
            if let Some(bytes) = self.buf.get(..len) {
                sink.act(Action::Send {
                    port,
                    class,
                    destination,
                    tag,
                    bytes,
                });
            }
        }
    }

    /// Applies a clock action unless the clock is free running.
    pub(crate) fn adjust_clock(&mut self, action: ClockAction, sink: &mut dyn ActionSink) {
        if let ClockAction::SetFrequency(f) = action {
            self.frequency = f;
        }
        if !self.settings.free_running {
            sink.act(Action::Clock(action));
        }
    }

    /// A suffix-free message.
    pub(crate) fn message(header: Header, body: Body) -> Message<'static> {
        Message {
            header,
            body,
            suffix: Tlvs::EMPTY,
        }
    }
}

/// Corrections beyond this are taken as corrupt: no transparent clock adds a second.
pub(crate) const MAX_CORRECTION: Duration = Duration::from_secs(1);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::action::sockets_and_states;
    use crate::engine::{ActionLog, OwnedAction};
    use crate::wire::ClockIdentity;

    const NOW: Time = Time::from_secs_nanos(1_700_000_000, 0);

    /// A two-port clock, started; returns its start-up actions.
    fn started(log: &mut ActionLog) -> (Instance, Vec<OwnedAction>) {
        let text = "[global]\nfault_reset_interval 1\n[eth0]\n[eth1]\n";
        let config = crate::config::parse_ptp4l_conf(text).unwrap().config;
        let settings = InstanceSettings::from_config(&config, ClockIdentity([1; 8])).unwrap();
        let mut clock = Instance::new(settings).unwrap();
        clock.start(NOW, log);
        let actions = log.take();
        (clock, actions)
    }

    #[test]
    fn every_port_opens_at_start_and_a_fault_closes_and_reopens_only_its_port() {
        let mut log = ActionLog::default();
        let (mut clock, start) = started(&mut log);
        assert_eq!(
            sockets_and_states(&start),
            [
                "open 1",
                "1 Initializing>Listening",
                "open 2",
                "2 Initializing>Listening"
            ]
        );

        clock.handle_port_fault(PortIndex(1), Fault::ReceiveFailed, NOW, &mut log);
        assert_eq!(
            sockets_and_states(&log.take()),
            ["close 2", "2 Listening>Faulty"]
        );
        // Faulty already: no second close.
        clock.handle_port_fault(PortIndex(1), Fault::SendFailed, NOW, &mut log);
        assert!(log.take().is_empty());
        // Disabled while faulty: still closed, nothing to close again.
        clock.set_port_enabled(PortIndex(1), false, NOW, &mut log);
        assert_eq!(sockets_and_states(&log.take()), ["2 Faulty>Disabled"]);
        clock.set_port_enabled(PortIndex(1), true, NOW, &mut log);
        assert_eq!(
            sockets_and_states(&log.take()),
            ["open 2", "2 Disabled>Listening"]
        );

        clock.handle_port_fault(PortIndex(0), Fault::OpenFailed, NOW, &mut log);
        let fault = log.take();
        assert_eq!(
            sockets_and_states(&fault),
            ["close 1", "1 Listening>Faulty"]
        );
        let reset = Timer {
            port: PortIndex(0),
            kind: TimerKind::FaultReset,
        };
        assert!(fault.contains(&OwnedAction::ArmTimer {
            timer: reset,
            after: Duration::from_secs(2)
        }));
        clock.handle_timer(reset, NOW + Duration::from_secs(2), &mut log);
        assert_eq!(
            sockets_and_states(&log.take()),
            ["open 1", "1 Faulty>Listening"]
        );
    }
}
