//! The slave side of a port: pairing Sync with Follow_Up (either order, one- or two-step),
//! E2E Delay_Req/Delay_Resp, turning each complete measurement into an offset for the servo
//! and carrying out the servo's adjustment. Offsets are in the local clock's timescale
//! ([`Instance::timescale_offset`]).

use super::action::{
    arm, Action, ActionSink, ClockAction, Destination, DropReason, Event, PortIndex, TimerKind,
};
use super::instance::{Instance, RxMeta, MAX_CORRECTION};
use super::port::{DelayReqInFlight, Sequences, SyncHalf, SyncSample};
use crate::servo::{Adjustment, DelayMeasurement, Measurement, Servo, ServoState};
use crate::time::{Duration, Time};
use crate::wire::{
    Body, DelayReq, DelayResp, Flags, FollowUp, Header, MessageType, PortState, Sync, Timestamp,
};

/// Path delays beyond this are corrupt measurements (a PTP path is not a second long).
const MAX_PATH_DELAY: Duration = Duration::from_secs(1);

impl Instance {
    /// Checks that a Sync-path message is for a slave-side port and from its parent.
    fn check_from_parent(&self, port: PortIndex, header: &Header) -> Result<(), DropReason> {
        let p = self.port(port).ok_or(DropReason::UnexpectedInState)?;
        if !p.is_slave_side() {
            return Err(DropReason::UnexpectedInState);
        }
        if header.source_port_identity != self.parent_ds.parent_port_identity {
            return Err(DropReason::NotFromParent);
        }
        Ok(())
    }

    pub(crate) fn on_sync(
        &mut self,
        port: PortIndex,
        header: &Header,
        sync: &Sync,
        rx: RxMeta,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        self.check_from_parent(port, header)?;
        let rx_time = rx.required_timestamp()?;
        let p = self.port_mut(port).ok_or(DropReason::UnexpectedInState)?;
        if rx.source.is_some() {
            p.master_address = rx.source;
        }
        let t2 = rx_time - p.settings.ingress_latency;
        let correction = Duration::from(header.correction);
        let seq = header.sequence_id;
        if !header.flags.two_step() {
            let t1 = sync.origin_timestamp.to_time();
            self.complete_sync(port, t1, t2, correction, sink);
            return Ok(());
        }
        match p.sync_half {
            Some(SyncHalf::FollowUp {
                seq: s,
                t1,
                correction: c_fup,
            }) if s == seq => {
                p.sync_half = None;
                self.complete_sync(port, t1, t2, correction + c_fup, sink);
            }
            _ => {
                p.sync_half = Some(SyncHalf::Sync {
                    seq,
                    t2,
                    correction,
                })
            }
        }
        Ok(())
    }

    pub(crate) fn on_follow_up(
        &mut self,
        port: PortIndex,
        header: &Header,
        follow_up: &FollowUp,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        self.check_from_parent(port, header)?;
        let p = self.port_mut(port).ok_or(DropReason::UnexpectedInState)?;
        let t1 = follow_up.precise_origin_timestamp.to_time();
        let correction = Duration::from(header.correction);
        let seq = header.sequence_id;
        match p.sync_half {
            Some(SyncHalf::Sync {
                seq: s,
                t2,
                correction: c_sync,
            }) if s == seq => {
                p.sync_half = None;
                self.complete_sync(port, t1, t2, c_sync + correction, sink);
                Ok(())
            }
            // A Follow_Up that overtook its Sync: keep it for the Sync to come. One that
            // belongs to an older Sync matches nothing.
            Some(SyncHalf::Sync { seq: s, .. }) if seq.wrapping_sub(s) > 0x8000 => {
                Err(DropReason::Unmatched)
            }
            _ => {
                p.sync_half = Some(SyncHalf::FollowUp {
                    seq,
                    t1,
                    correction,
                });
                Ok(())
            }
        }
    }

    /// A Sync measurement is complete: compute the offset and run the servo.
    fn complete_sync(
        &mut self,
        port: PortIndex,
        t1: Time,
        t2: Time,
        correction: Duration,
        sink: &mut dyn ActionSink,
    ) {
        let timescale = self.timescale_offset();
        let Some(p) = self.port_mut(port) else {
            return;
        };
        p.last_sync = Some(SyncSample { t1, t2, correction });
        let asymmetry = p.settings.delay_asymmetry;
        let Some(delay) = p.mean_path_delay else {
            return;
        };
        let offset = (t2 - t1) - correction - delay - asymmetry + timescale;
        self.current_ds.offset_from_master = offset;
        self.current_ds.mean_path_delay = delay;
        let output = self.servo.sample(&Measurement {
            offset,
            local_time: t2,
            mean_path_delay: Some(delay),
        });
        self.apply_servo(output.adjustment, sink);
        // A free-running clock is measured, never synchronised: like ptp4l, it reports s0 and
        // its port stays UNCALIBRATED.
        let servo = if self.settings.free_running {
            ServoState::Unlocked
        } else {
            output.state
        };
        sink.act(Action::Event(Event::Sample {
            port,
            offset,
            frequency: self.frequency,
            servo,
            path_delay: delay,
        }));
        let locked = matches!(servo, ServoState::Locked | ServoState::LockedStable);
        match self.port(port).map(|p| p.state()) {
            Some(PortState::Uncalibrated) if locked => {
                self.set_state(port, PortState::Slave, sink);
            }
            Some(PortState::Slave) if servo == ServoState::Unlocked => {
                self.set_state(port, PortState::Uncalibrated, sink);
            }
            _ => {}
        }
    }

    /// Carries out a servo adjustment. A step moves the local time stamps of every port's
    /// exchanges in flight with the clock.
    fn apply_servo(&mut self, adjustment: Adjustment, sink: &mut dyn ActionSink) {
        match adjustment {
            Adjustment::None => {}
            Adjustment::Frequency(f) => self.adjust_clock(ClockAction::SetFrequency(f), sink),
            Adjustment::Step { by, frequency } => {
                self.adjust_clock(ClockAction::SetFrequency(frequency), sink);
                self.adjust_clock(ClockAction::Step(by), sink);
                if !self.settings.free_running {
                    for p in self.live_ports_mut() {
                        p.shift_local_times(by);
                    }
                }
            }
        }
    }

    /// Sends a Delay_Req to the master (E2E).
    pub(crate) fn send_delay_req(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        let tag = self.new_tag();
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let seq = Sequences::take(&mut p.seq.delay_req);
        p.delay_req = Some(DelayReqInFlight {
            seq,
            tag,
            t3: None,
            sync: p.last_sync,
        });
        let Some(p) = self.port(port) else {
            return;
        };
        // A unicast port asks its master directly.
        let to = p.master_address.filter(|_| p.is_unicast());
        let header = self.header(
            p,
            MessageType::DelayReq,
            seq,
            Flags(0).with(Flags::UNICAST, to.is_some()),
            crate::time::LogInterval::UNSPECIFIED,
        );
        let message = Self::message(
            header,
            Body::DelayReq(DelayReq {
                origin_timestamp: Timestamp::ZERO,
            }),
        );
        let destination = to.map_or(Destination::Multicast, Destination::Unicast);
        self.send(port, destination, Some(tag), &message, sink);
    }

    /// Arms the Delay_Req timer: uniformly within (1 − v … 1 + v) times the master's minimum
    /// interval, v being the port's delay_request_variability (1.0 by default: within twice
    /// the interval, as IEEE 1588-2019 9.5.11.2 and ptp4l do).
    pub(crate) fn arm_delay_req(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        let Some(p) = self.port(port) else {
            return;
        };
        let interval = p.delay_req_log_interval().duration();
        let spread = p.settings.delay_request_variability;
        let fraction = 1.0 - spread + 2.0 * spread * self.rng.uniform();
        let after = Duration::from_secs_f64(interval.secs_f64() * fraction);
        arm(sink, port, TimerKind::DelayReq, after);
    }

    pub(crate) fn on_delay_resp(
        &mut self,
        port: PortIndex,
        header: &Header,
        resp: &DelayResp,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        self.check_from_parent(port, header)?;
        let timescale = self.timescale_offset();
        let p = self.port_mut(port).ok_or(DropReason::UnexpectedInState)?;
        if resp.requesting_port_identity != p.identity() {
            return Err(DropReason::Unmatched);
        }
        let pending = p
            .delay_req
            .filter(|d| d.seq == header.sequence_id)
            .ok_or(DropReason::Unmatched)?;
        let (Some(t3), Some(sync)) = (pending.t3, pending.sync) else {
            return Err(DropReason::Unmatched);
        };
        p.delay_req = None;
        // The master tells us how often it wants Delay_Req (ptp4l follows it too).
        if header.log_message_interval != crate::time::LogInterval::UNSPECIFIED {
            p.ds.log_min_delay_req_interval = header.log_message_interval;
        }
        let t4 = resp.receive_timestamp.to_time();
        let c_resp = Duration::from(header.correction);
        let delay = ((sync.t2 - t3) + (t4 - sync.t1) - sync.correction - c_resp).half();
        if delay.abs() > MAX_PATH_DELAY || c_resp.abs() > MAX_CORRECTION {
            return Err(DropReason::AbsurdTime);
        }
        let used = p.delay_filter.push(delay);
        p.mean_path_delay = Some(used);
        // The Delay_Req half of the exchange, for servos that use it.
        let output = self.servo.delay_sample(&DelayMeasurement {
            reverse_offset: (t3 - t4) + c_resp + timescale,
            local_time: t3,
        });
        self.apply_servo(output.adjustment, sink);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_ptp4l_conf;
    use crate::engine::{ActionLog, InstanceSettings, OwnedAction, TimerKind};
    use crate::wire::ClockIdentity;

    /// The Delay_Req timeouts of 2000 draws on a port with logMinDelayReqInterval 0 (1 s) and
    /// the given `delay_request_variability` line, as fractions of the interval.
    fn draws(variability: &str) -> Vec<f64> {
        let text = format!("[global]\n{variability}\n[eth0]\n");
        let loaded = parse_ptp4l_conf(&text).unwrap();
        let settings =
            InstanceSettings::from_config(&loaded.config, ClockIdentity([1; 8])).unwrap();
        let mut clock = Instance::new(settings).unwrap();
        let mut log = ActionLog::default();
        (0..2000)
            .map(|_| {
                clock.arm_delay_req(PortIndex(0), &mut log);
                match log.take().as_slice() {
                    [OwnedAction::ArmTimer { timer, after }] => {
                        assert_eq!(timer.kind, TimerKind::DelayReq);
                        after.secs_f64()
                    }
                    other => panic!("{other:?}"),
                }
            })
            .collect()
    }

    fn range(xs: &[f64]) -> (f64, f64) {
        xs.iter()
            .fold((f64::MAX, f64::MIN), |(lo, hi), &x| (lo.min(x), hi.max(x)))
    }

    #[test]
    fn delay_request_variability_bounds_the_delay_req_interval() {
        // The default (1.0) spreads over 0 … 2 intervals, as IEEE 1588 9.5.11.2 and ptp4l 3.x.
        let (lo, hi) = range(&draws(""));
        assert!((0.0..0.05).contains(&lo), "{lo}");
        assert!((1.95..2.0).contains(&hi), "{hi}");
        // G.8275.1's ±30 %: 0.7 … 1.3 intervals, and the whole of that band is used.
        let (lo, hi) = range(&draws("delay_request_variability 0.3"));
        assert!((0.7..0.72).contains(&lo), "{lo}");
        assert!((1.28..=1.3).contains(&hi), "{hi}");
        // 0: exactly the interval.
        assert!(draws("delay_request_variability 0")
            .iter()
            .all(|&x| (x - 1.0).abs() < 1e-9));
    }
}
