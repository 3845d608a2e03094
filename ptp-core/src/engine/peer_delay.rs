//! The peer-delay mechanism (IEEE 1588-2019 11.4), both sides: every P2P port, whatever
//! its state, measures the delay to its link partner with Pdelay_Req, Pdelay_Resp and
//! (two-step) Pdelay_Resp_Follow_Up (the requester), and answers its partner's Pdelay_Req
//! with a two-step Pdelay_Resp and its follow-up (the responder).

use super::action::{ActionSink, Destination, DropReason, PortIndex};
use super::instance::{Instance, RxMeta, MAX_CORRECTION};
use super::master::split_time;
use super::port::{PdelayReqInFlight, PdelayRespInFlight, PdelayResponse, Sequences};
use crate::time::{Duration, LogInterval, Time, TimeInterval};
use crate::wire::{
    Body, Flags, Header, MessageType, PdelayReq, PdelayResp, PdelayRespFollowUp, Timestamp,
};

/// Peer delays beyond this are corrupt measurements.
const MAX_PEER_DELAY: Duration = Duration::from_secs(1);

impl Instance {
    /// Sends a Pdelay_Req; the previous exchange, if unanswered, is abandoned.
    pub(crate) fn send_pdelay_req(&mut self, port: PortIndex, sink: &mut dyn ActionSink) {
        let tag = self.new_tag();
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let seq = Sequences::take(&mut p.seq.pdelay_req);
        p.pdelay_req = Some(PdelayReqInFlight {
            seq,
            tag,
            t1: None,
            response: None,
        });
        let Some(p) = self.port(port) else {
            return;
        };
        let header = self.header(
            p,
            MessageType::PdelayReq,
            seq,
            Flags(0),
            LogInterval::UNSPECIFIED,
        );
        let message = Self::message(
            header,
            Body::PdelayReq(PdelayReq {
                origin_timestamp: Timestamp::ZERO,
            }),
        );
        self.send(port, Destination::PeerMulticast, Some(tag), &message, sink);
    }

    /// The exchange this response belongs to, if it answers our outstanding request.
    fn pending_pdelay(
        &mut self,
        port: PortIndex,
        header: &Header,
        requester: crate::wire::PortIdentity,
    ) -> Result<&mut PdelayReqInFlight, DropReason> {
        let p = self.port_mut(port).ok_or(DropReason::UnexpectedInState)?;
        if !p.is_p2p() {
            return Err(DropReason::UnexpectedInState);
        }
        let own = p.identity();
        p.pdelay_req
            .as_mut()
            .filter(|r| r.seq == header.sequence_id && requester == own)
            .ok_or(DropReason::Unmatched)
    }

    pub(crate) fn on_pdelay_resp(
        &mut self,
        port: PortIndex,
        header: &Header,
        resp: &PdelayResp,
        rx: RxMeta,
    ) -> Result<(), DropReason> {
        let ingress = self
            .port(port)
            .map_or(Duration::ZERO, |p| p.settings.ingress_latency);
        let rx_time = rx.required_timestamp()?;
        let pending = self.pending_pdelay(port, header, resp.requesting_port_identity)?;
        if pending.response.is_some() {
            // A second response to one request: more than one peer (ptp4l's "multiple
            // Pdelay_Resp"); the measurement is void.
            pending.response = None;
            return Err(DropReason::Unmatched);
        }
        pending.response = Some(PdelayResponse {
            t2: resp.request_receipt_timestamp.to_time(),
            t4: rx_time - ingress,
            correction: Duration::from(header.correction),
            two_step: header.flags.two_step(),
            responder: header.source_port_identity,
        });
        if !header.flags.two_step() {
            self.complete_peer_delay(port);
        }
        Ok(())
    }

    pub(crate) fn on_pdelay_resp_follow_up(
        &mut self,
        port: PortIndex,
        header: &Header,
        follow_up: &PdelayRespFollowUp,
    ) -> Result<(), DropReason> {
        let pending = self.pending_pdelay(port, header, follow_up.requesting_port_identity)?;
        let response = pending
            .response
            .as_mut()
            .filter(|r| r.two_step && r.responder == header.source_port_identity)
            .ok_or(DropReason::Unmatched)?;
        // Fold t3 into the response: with t3 known the two-step formula reduces to the
        // one-step one over (t2, t3, corrections).
        let t3 = follow_up.response_origin_timestamp.to_time();
        response.correction =
            response.correction + Duration::from(header.correction) + (t3 - response.t2);
        response.two_step = false;
        self.complete_peer_delay(port);
        Ok(())
    }

    /// Computes the peer delay once t1 and every part of the response are known.
    pub(crate) fn complete_peer_delay(&mut self, port: PortIndex) {
        let Some(p) = self.port_mut(port) else {
            return;
        };
        let Some(req) = p.pdelay_req else {
            return;
        };
        let (Some(t1), Some(resp)) = (req.t1, req.response) else {
            return;
        };
        if resp.two_step {
            return;
        }
        p.pdelay_req = None;
        // One-step, or two-step with the turnaround (t3 − t2) folded into the correction.
        let delay = ((resp.t4 - t1) - resp.correction).half();
        if delay.abs() > MAX_PEER_DELAY || resp.correction.abs() > MAX_CORRECTION * 2 {
            return;
        }
        if p.peer != Some(resp.responder) {
            p.peer = Some(resp.responder);
            p.delay_filter.clear();
        }
        let used = p.delay_filter.push(delay);
        p.mean_path_delay = Some(used);
        p.ds.peer_mean_path_delay = used;
    }

    /// A Pdelay_Req reached a P2P port: answer with a two-step Pdelay_Resp.
    pub(crate) fn on_pdelay_req(
        &mut self,
        port: PortIndex,
        req: &Header,
        rx: RxMeta,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        let p = self.port(port).ok_or(DropReason::UnexpectedInState)?;
        if !p.is_p2p() {
            return Err(DropReason::UnexpectedInState);
        }
        let rx_time = rx.required_timestamp()?;
        let t2 = rx_time - p.settings.ingress_latency;
        let (ts, fraction) = split_time(t2);
        let unicast = req.flags.unicast();
        let flags = Flags(0)
            .with(Flags::TWO_STEP, true)
            .with(Flags::UNICAST, unicast);
        let mut header = self.header(
            p,
            MessageType::PdelayResp,
            req.sequence_id,
            flags,
            LogInterval::UNSPECIFIED,
        );
        header.correction = TimeInterval::from(-fraction);
        let reply_to = rx.source.filter(|_| unicast);
        let message = Self::message(
            header,
            Body::PdelayResp(PdelayResp {
                request_receipt_timestamp: ts,
                requesting_port_identity: req.source_port_identity,
            }),
        );
        let tag = self.new_tag();
        if let Some(p) = self.port_mut(port) {
            p.pdelay_resp = Some(PdelayRespInFlight {
                seq: req.sequence_id,
                tag,
                requester: req.source_port_identity,
                correction: Duration::from(req.correction),
                reply_to,
                domain_number: req.domain_number,
            });
        }
        let destination = reply_to.map_or(Destination::PeerMulticast, Destination::Unicast);
        self.send(port, destination, Some(tag), &message, sink);
        Ok(())
    }

    /// Sends the follow-up of our Pdelay_Resp, whose transmit time is `t3`.
    pub(crate) fn send_pdelay_resp_follow_up(
        &mut self,
        port: PortIndex,
        t3: Time,
        sink: &mut dyn ActionSink,
    ) {
        let Some(resp) = self.port_mut(port).and_then(|p| p.pdelay_resp.take()) else {
            return;
        };
        let Some(p) = self.port(port) else {
            return;
        };
        let (ts, fraction) = split_time(t3);
        let flags = Flags(0).with(Flags::UNICAST, resp.reply_to.is_some());
        let mut header = self.header(
            p,
            MessageType::PdelayRespFollowUp,
            resp.seq,
            flags,
            LogInterval::UNSPECIFIED,
        );
        // The requester subtracts both corrections: the Pdelay_Req's residence corrections
        // travel here, with t3's fraction (IEEE 1588-2019 11.4.2 c).
        header.correction = TimeInterval::from(resp.correction + fraction);
        header.domain_number = resp.domain_number;
        let message = Self::message(
            header,
            Body::PdelayRespFollowUp(PdelayRespFollowUp {
                response_origin_timestamp: ts,
                requesting_port_identity: resp.requester,
            }),
        );
        let destination = resp
            .reply_to
            .map_or(Destination::PeerMulticast, Destination::Unicast);
        self.send(port, destination, None, &message, sink);
    }
}
