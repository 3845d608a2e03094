//! The master side of a port: Announce, two-step Sync/Follow_Up and the Delay_Resp to a
//! Delay_Req. (The answer to a Pdelay_Req, which every P2P port gives, is in `peer_delay`.)

use super::action::{ActionSink, Destination, DropReason, PortIndex, TxTag};
use super::instance::{Instance, RxMeta};
use super::port::{Sequences, SyncInFlight};
use crate::time::{Duration, Time, TimeInterval};
use crate::wire::{
    Announce, Body, DelayResp, Flags, FollowUp, Header, Message, MessageType, PortState, Sync,
    Timestamp, TlvWriter,
};

/// The whole nanoseconds of `t` for a timestamp field, and the fraction the correctionField
/// must carry.
pub(crate) fn split_time(t: Time) -> (Timestamp, Duration) {
    let ts = Timestamp::from_time(t);
    let fraction = Duration::from_scaled_nanos(i128::from(t.subnanos()));
    (ts, fraction)
}

impl Instance {
    /// Sends an Announce on `port` with the parent data set, time properties and (when
    /// enabled) the path trace.
    pub(crate) fn send_announce(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let seq = Sequences::take(&mut p.seq.announce);
        let path_trace = p.settings.path_trace_enabled;
        let Some(p) = self.port(port) else {
            return;
        };
        let tp = self.time_properties;
        let header = self.header(
            p,
            MessageType::Announce,
            seq,
            tp.flags(),
            p.ds.log_announce_interval,
        );
        let body = Body::Announce(Announce {
            origin_timestamp: Timestamp::ZERO,
            current_utc_offset: tp.current_utc_offset,
            grandmaster_priority_1: self.parent_ds.grandmaster_priority_1,
            grandmaster_clock_quality: self.parent_ds.grandmaster_clock_quality,
            grandmaster_priority_2: self.parent_ds.grandmaster_priority_2,
            grandmaster_identity: self.parent_ds.grandmaster_identity,
            steps_removed: self.current_ds.steps_removed,
            time_source: tp.time_source,
        });
        let mut trace_buf = [0u8; 8 * 64 + 4];
        let suffix = if path_trace {
            let own = self.default_ds.clock_identity;
            let received = self.path_trace.iter().copied();
            let mut w = TlvWriter::new(&mut trace_buf);
            match w.path_trace(received.chain(core::iter::once(own))) {
                Ok(_) => w.finish().ok(),
                Err(_) => None,
            }
        } else {
            None
        };
        let mut message = Self::message(header, body);
        if let Some(suffix) = suffix {
            message.suffix = suffix;
        }
        self.send_to_all(port, &mut message, sink);
    }

    /// Sends a general message to the port's multicast address, or to each of its static
    /// unicast peers with the unicast flag set.
    fn send_to_all(
        &mut self,
        port: PortIndex,
        message: &mut Message<'_>,
        sink: &mut dyn ActionSink,
    ) {
        let peers = self
            .port(port)
            .map_or(0, |p| p.settings.unicast_peers.len());
        if peers == 0 {
            return self.send(port, Destination::Multicast, None, message, sink);
        }
        message.header.flags = message.header.flags.with(Flags::UNICAST, true);
        for i in 0..peers {
            let Some(to) = self
                .port(port)
                .and_then(|p| p.settings.unicast_peers.get(i).copied())
            else {
                return;
            };
            self.send(port, Destination::Unicast(to), None, message, sink);
        }
    }

    /// Sends a two-step Sync (one per static unicast peer); each Follow_Up goes out when its
    /// Sync's transmit time stamp arrives.
    pub(crate) fn send_sync(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let seq = Sequences::take(&mut p.seq.sync);
        p.sync_out.clear();
        let peers = p.settings.unicast_peers.len();
        let targets = if peers == 0 { 1 } else { peers };
        for i in 0..targets {
            let to = self
                .port(port)
                .and_then(|p| p.settings.unicast_peers.get(i).copied());
            let tag = self.new_tag();
            let Some(p) = self.port_mut(port) else {
                return;
            };
            p.sync_out.push(SyncInFlight { seq, tag, to });
            let Some(p) = self.port(port) else {
                return;
            };
            let flags = Flags(0)
                .with(Flags::TWO_STEP, true)
                .with(Flags::UNICAST, to.is_some());
            let header = self.header(p, MessageType::Sync, seq, flags, p.ds.log_sync_interval);
            let message = Self::message(
                header,
                Body::Sync(Sync {
                    origin_timestamp: Timestamp::ZERO,
                }),
            );
            let destination = to.map_or(Destination::Multicast, Destination::Unicast);
            self.send(port, destination, Some(tag), &message, sink);
        }
    }

    /// Sends the Follow_Up of the Sync sent with `tag`, whose transmit time (egress latency
    /// applied) is `t1`.
    pub(crate) fn send_follow_up(
        &mut self,
        port: PortIndex,
        tag: TxTag,
        t1: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let Some(at) = p.sync_out.iter().position(|s| s.tag == tag) else {
            return;
        };
        let sync = p.sync_out.swap_remove(at);
        let t1 = t1 + self.timescale_offset();
        let Some(p) = self.port(port) else {
            return;
        };
        let (ts, fraction) = split_time(t1);
        let flags = Flags(0).with(Flags::UNICAST, sync.to.is_some());
        let mut header = self.header(
            p,
            MessageType::FollowUp,
            sync.seq,
            flags,
            p.ds.log_sync_interval,
        );
        header.correction = TimeInterval::from(fraction);
        let message = Self::message(
            header,
            Body::FollowUp(FollowUp {
                precise_origin_timestamp: ts,
            }),
        );
        let destination = sync.to.map_or(Destination::Multicast, Destination::Unicast);
        self.send(port, destination, None, &message, sink);
    }

    /// A Delay_Req reached a master port: answer with its receive time.
    pub(crate) fn on_delay_req(
        &mut self,
        port: PortIndex,
        req: &Header,
        rx: RxMeta,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        let p = self.port(port).ok_or(DropReason::UnexpectedInState)?;
        if p.state() != PortState::Master || p.is_p2p() {
            return Err(DropReason::UnexpectedInState);
        }
        let rx_time = rx.required_timestamp()?;
        let t4 = rx_time - p.settings.ingress_latency + self.timescale_offset();
        let (ts, fraction) = split_time(t4);
        let unicast = req.flags.unicast();
        let flags = Flags(0).with(Flags::UNICAST, unicast);
        let mut header = self.header(
            p,
            MessageType::DelayResp,
            req.sequence_id,
            flags,
            p.ds.log_min_delay_req_interval,
        );
        header.correction = TimeInterval::from(Duration::from(req.correction) - fraction);
        let message = Self::message(
            header,
            Body::DelayResp(DelayResp {
                receive_timestamp: ts,
                requesting_port_identity: req.source_port_identity,
            }),
        );
        let destination = match (unicast, rx.source) {
            (true, Some(addr)) => Destination::Unicast(addr),
            _ => Destination::Multicast,
        };
        self.send(port, destination, None, &message, sink);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fractional_nanoseconds_go_to_the_correction() {
        let t = Time::from_scaled_nanos((5_000_000_123u128 << 16) + 0x8000);
        let (ts, frac) = split_time(t);
        assert_eq!(ts.seconds(), 5);
        assert_eq!(ts.nanoseconds(), 123);
        assert_eq!(frac, Duration::from_scaled_nanos(0x8000));
    }
}
