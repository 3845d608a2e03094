//! The BMCA applied: recording Announce messages as foreign masters, running the state
//! decision ([`crate::bmca::StateDecision`]) over all ports, updating parentDS, currentDS and
//! timePropertiesDS from its result (IEEE 1588-2019 9.3.5) and moving each port to its
//! recommended state (9.2.5), and the announce receipt timeout.

use super::action::{arm, cancel, Action, ActionSink, DropReason, Event, PortIndex, TimerKind};
use super::datasets::{ParentDs, TimePropertiesDs};
use super::instance::Instance;
use crate::bmca::{
    IgnoredAnnounce, LocalClock, PortInput, Recommendation, RecordOutcome, StateDecision,
};
use crate::time::{Duration, Time};
use crate::wire::{Announce, ClockIdentity, Header, PortState, Tlv, Tlvs};

/// The longest path trace we keep and extend (ptp4l keeps what fits one frame).
pub(crate) const MAX_PATH_TRACE: usize = 64;

/// Ebest's data, taken out of the decision so the data sets can be updated after it.
#[derive(Clone, Copy, Debug)]
struct NewParent {
    header: Header,
    announce: Announce,
}

impl Instance {
    pub(crate) fn on_announce(
        &mut self,
        port: PortIndex,
        header: &Header,
        announce: &Announce,
        suffix: Tlvs<'_>,
        now: Time,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        let own = self.default_ds.clock_identity;
        let p = self.port_mut(port).ok_or(DropReason::UnexpectedInState)?;
        if p.settings.path_trace_enabled && path_trace_of(suffix).any(|id| id == own) {
            return Err(DropReason::Loop);
        }
        match p.foreign.record(header, announce, now) {
            RecordOutcome::Ignored(IgnoredAnnounce::OwnClock) => {
                return Err(DropReason::OwnMessage)
            }
            RecordOutcome::Ignored(_) => return Err(DropReason::Loop),
            _ => {}
        }
        let from_parent = header.source_port_identity == self.parent_ds.parent_port_identity;
        let Some(p) = self.port(port) else {
            return Ok(());
        };
        // The timer watches the current master in SLAVE/UNCALIBRATED, any foreign master in
        // LISTENING and PASSIVE (9.2.6.12).
        let watch = match p.state() {
            PortState::Slave | PortState::Uncalibrated => from_parent,
            PortState::Listening | PortState::Passive => true,
            _ => false,
        };
        if watch {
            arm(
                sink,
                port,
                TimerKind::AnnounceReceipt,
                p.announce_receipt_timeout(),
            );
        }
        if from_parent && p.is_slave_side() {
            self.path_trace.clear();
            self.path_trace
                .extend(path_trace_of(suffix).take(MAX_PATH_TRACE - 1));
        }
        self.state_decision(now, sink);
        Ok(())
    }

    /// No Announce from the master (or any foreign master) for announceReceiptTimeout
    /// intervals: forget it and become master, unless slave-only (Figure 23), then let the
    /// BMCA correct the choice.
    pub(crate) fn announce_receipt_timeout(
        &mut self,
        port: PortIndex,
        now: Time,
        sink: &mut dyn ActionSink,
    ) {
        let parent = self.parent_ds.parent_port_identity;
        let slave_only = self.default_ds.slave_only;
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let state = p.state();
        if !matches!(
            state,
            PortState::Listening | PortState::Passive | PortState::Uncalibrated | PortState::Slave
        ) {
            return;
        }
        if p.is_slave_side() {
            p.foreign.remove(parent);
        }
        if slave_only {
            let timeout = p.announce_receipt_timeout();
            self.enter_listening(port, sink);
            arm(sink, port, TimerKind::AnnounceReceipt, timeout);
        } else {
            self.enter_master(port, None, sink);
        }
        self.state_decision(now, sink);
    }

    /// The state decision event: runs the BMCA over every port and applies its result.
    pub(crate) fn state_decision(&mut self, now: Time, sink: &mut dyn ActionSink) {
        let algorithm = self.settings.dataset_comparison;
        for p in self.live_ports_mut() {
            p.foreign.expire(now);
        }
        // The decision sees the live ports as a list; `ports` maps its positions back to
        // the ports' indices (a removed port leaves a gap in the indices, not in the list).
        let (ports, inputs): (Vec<PortIndex>, Vec<PortInput>) = self
            .live_ports()
            .map(|(i, p)| {
                let erbest = p
                    .foreign
                    .best(algorithm, p.identity(), p.ds.local_priority, now)
                    .map(|(_, dataset)| dataset);
                let input = PortInput {
                    state: p.state(),
                    erbest,
                    master_only: p.ds.master_only,
                };
                (i, input)
            })
            .unzip();
        let local = LocalClock {
            clock_identity: self.default_ds.clock_identity,
            clock_quality: self.default_ds.clock_quality,
            priority_1: self.default_ds.priority_1,
            priority_2: self.default_ds.priority_2,
            local_priority: self.default_ds.local_priority,
            slave_only: self.default_ds.slave_only,
        };
        let decision = StateDecision::new(algorithm, &local, &inputs);
        let recommendations: Vec<(PortIndex, Option<Recommendation>)> =
            ports.into_iter().zip(decision.recommendations()).collect();
        let slave_port = recommendations
            .iter()
            .find(|(_, r)| *r == Some(Recommendation::S1))
            .map(|(i, _)| *i);
        let new_parent = slave_port.and_then(|i| {
            let p = self.port(i)?;
            let (record, _) = p
                .foreign
                .best(algorithm, p.identity(), p.ds.local_priority, now)?;
            Some(NewParent {
                header: *record.header(),
                announce: *record.announce(),
            })
        });
        self.update_data_sets(new_parent, sink);
        self.slave_port = slave_port;
        for (port, recommendation) in recommendations {
            if let Some(r) = recommendation {
                self.apply(port, r, sink);
            }
        }
    }

    /// parentDS, currentDS and timePropertiesDS after a decision (9.3.5, Tables 30 and 33).
    fn update_data_sets(&mut self, new_parent: Option<NewParent>, sink: &mut dyn ActionSink) {
        let old_parent = self.parent_ds.parent_port_identity;
        let old_gm = self.parent_ds.grandmaster_identity;
        match new_parent {
            Some(NewParent { header, announce }) => {
                self.parent_ds = ParentDs {
                    parent_port_identity: header.source_port_identity,
                    grandmaster_identity: announce.grandmaster_identity,
                    grandmaster_clock_quality: announce.grandmaster_clock_quality,
                    grandmaster_priority_1: announce.grandmaster_priority_1,
                    grandmaster_priority_2: announce.grandmaster_priority_2,
                    ..ParentDs::of_self(&self.default_ds)
                };
                self.current_ds.steps_removed = announce.steps_removed.saturating_add(1);
                self.time_properties = TimePropertiesDs::from_announce(
                    header.flags,
                    announce.current_utc_offset,
                    announce.time_source,
                );
                let tp = &self.time_properties;
                if (tp.current_utc_offset_valid && tp.time_traceable)
                    || tp.current_utc_offset > self.utc_offset
                {
                    self.utc_offset = tp.current_utc_offset;
                }
            }
            None => {
                self.parent_ds = ParentDs::of_self(&self.default_ds);
                self.current_ds.steps_removed = 0;
                self.current_ds.offset_from_master = Duration::ZERO;
                self.current_ds.mean_path_delay = Duration::ZERO;
                self.time_properties = self.gm_time_properties;
                self.path_trace.clear();
            }
        }
        let parent = self.parent_ds.parent_port_identity;
        let grandmaster = self.parent_ds.grandmaster_identity;
        if parent != old_parent || grandmaster != old_gm {
            sink.act(Action::Event(Event::ParentChanged {
                parent,
                grandmaster,
            }));
        }
    }

    /// Moves `port` to the state `r` recommends (Figure 23).
    fn apply(&mut self, port: PortIndex, r: Recommendation, sink: &mut dyn ActionSink) {
        let Some(p) = self.port(port) else {
            return;
        };
        let state = p.state();
        match r {
            Recommendation::Listening => {
                if state != PortState::Listening {
                    let timeout = p.announce_receipt_timeout();
                    self.enter_listening(port, sink);
                    arm(sink, port, TimerKind::AnnounceReceipt, timeout);
                }
            }
            Recommendation::M1 | Recommendation::M2 | Recommendation::M3 => {
                if !matches!(state, PortState::Master | PortState::PreMaster) {
                    let qualification = (r == Recommendation::M3).then(|| {
                        p.announce_interval()
                            * i64::from(self.current_ds.steps_removed.saturating_add(1))
                    });
                    self.enter_master(port, qualification, sink);
                }
            }
            Recommendation::P1 | Recommendation::P2 => {
                if state != PortState::Passive {
                    let timeout = p.announce_receipt_timeout();
                    self.stop_master_and_slave_timers(port, sink);
                    self.set_state(port, PortState::Passive, sink);
                    arm(sink, port, TimerKind::AnnounceReceipt, timeout);
                }
            }
            Recommendation::S1 => {
                let parent = self.parent_ds.parent_port_identity;
                let following = p.is_slave_side() && p.last_parent == Some(parent);
                if !following {
                    let timeout = p.announce_receipt_timeout();
                    let p2p = p.is_p2p();
                    self.stop_master_and_slave_timers(port, sink);
                    if let Some(p) = self.port_mut(port) {
                        p.forget_timing();
                        p.forget_delay();
                        p.last_parent = Some(parent);
                        p.ds.log_min_delay_req_interval = p.settings.log_min_delay_req_interval;
                    }
                    self.set_state(port, PortState::Uncalibrated, sink);
                    arm(sink, port, TimerKind::AnnounceReceipt, timeout);
                    if !p2p {
                        self.arm_delay_req(port, sink);
                    }
                }
            }
        }
    }

    /// LISTENING: no master or slave activity; the caller re-arms the receipt timer.
    fn enter_listening(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        self.stop_master_and_slave_timers(port, sink);
        self.set_state(port, PortState::Listening, sink);
    }

    /// PRE_MASTER for `qualification` (M3), or MASTER at once (M1, M2, timeouts): the first
    /// Announce and Sync go out immediately.
    fn enter_master(
        &mut self,
        port: PortIndex,
        qualification: Option<Duration>,
        sink: &mut dyn ActionSink,
    ) {
        self.stop_master_and_slave_timers(port, sink);
        cancel(sink, port, TimerKind::AnnounceReceipt);
        if let Some(p) = self.port_mut(port) {
            p.last_parent = None;
            p.forget_timing();
        }
        match qualification {
            Some(after) if after > Duration::ZERO => {
                self.set_state(port, PortState::PreMaster, sink);
                arm(sink, port, TimerKind::Qualification, after);
            }
            _ => {
                self.set_state(port, PortState::Master, sink);
                arm(sink, port, TimerKind::Announce, Duration::ZERO);
                arm(sink, port, TimerKind::Sync, Duration::ZERO);
            }
        }
    }

    /// Cancels the timers of the master and slave roles (not the peer-delay timer, which
    /// runs in every state).
    fn stop_master_and_slave_timers(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        for kind in [
            TimerKind::Announce,
            TimerKind::Sync,
            TimerKind::DelayReq,
            TimerKind::Qualification,
        ] {
            cancel(sink, port, kind);
        }
        if let Some(p) = self.port_mut(port) {
            p.sync_out.clear();
        }
    }

    /// Qualification timeout: PRE_MASTER → MASTER.
    pub(crate) fn qualified(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        self.set_state(port, PortState::Master, sink);
        arm(sink, port, TimerKind::Announce, Duration::ZERO);
        arm(sink, port, TimerKind::Sync, Duration::ZERO);
    }
}

/// The clock identities of the PATH_TRACE TLVs in `suffix`.
fn path_trace_of(suffix: Tlvs<'_>) -> impl Iterator<Item = ClockIdentity> + '_ {
    suffix
        .into_iter()
        .filter_map(|tlv| match tlv {
            Ok(Tlv::PathTrace(trace)) => Some(trace),
            _ => None,
        })
        .flat_map(|trace| trace.identities())
}
