//! The management responder (IEEE 1588-2019 clause 15): a GET addressed to this clock (or to
//! all clocks) is answered from the engine's data sets; what the engine cannot answer gets a
//! MANAGEMENT_ERROR_STATUS. Changes are accepted from the local socket only (DESIGN:
//! "Management that changes state is only accepted on the local socket"): SET and COMMAND
//! from the network are refused with NOT_SUPPORTED, as ptp4l 3.1 refuses them.
//!
//! Submodules: `get` (what each GET answers, standard and linuxptp `*_NP` IDs) and `set`
//! (the SETs the local socket accepts).
//!
//! Who answers is the same both ways, as in ptp4l: a clock-wide ID once, a port ID by every
//! port the target port number names (65535: all of them). Requests come
//! - from the network, on a port ([`Instance::handle_message`]): the answers go back out of
//!   that port, the clock speaking as that port;
//! - from the local management socket (ptp4l's `uds_address`, where `pmc -u` asks:
//!   [`Instance::handle_local_management`]): the clock speaks as port 0.
//!
//! Requests are not forwarded to other ports or from the local socket to the network (ptp4l
//! forwards them when boundaryHops allows): `pmc -u -b 0` is the supported local use.

mod get;
mod set;

use super::action::{
    Action as SinkAction, ActionSink, Destination, DropReason, MessageClass, PortIndex,
};
use super::instance::{Instance, RxMeta};
use super::port::count;
use crate::time::{LogInterval, Time};
use crate::wire::management::{
    Action, ManagementData, ManagementErrorId, ManagementErrorStatus, ManagementId, ManagementTlv,
};
use crate::wire::{
    Body, ClockIdentity, Flags, Header, Management, Message, MessageType, PortIdentity, Tlv,
    TlvWriter, Tlvs,
};

impl Instance {
    /// A Management message arrived on `port`: answered as ptp4l answers it, out of the same
    /// port (see [`Self::respond`] for who answers).
    pub(crate) fn on_management(
        &mut self,
        port: PortIndex,
        header: &Header,
        request: &Management,
        suffix: Tlvs<'_>,
        rx: RxMeta,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        let ingress = self
            .port(port)
            .ok_or(DropReason::UnexpectedInState)?
            .identity();
        if !addresses_clock(request.target_port_identity, ingress.clock_identity) {
            return Err(DropReason::NotForUs);
        }
        let tlv = request_tlv(request, suffix)?;
        // SET and COMMAND are accepted from the local socket only.
        let done = match request.action {
            Action::Get => Ok(()),
            _ => Err(ManagementErrorId::NOT_SUPPORTED),
        };
        let unicast = header.flags.unicast();
        let mut responses = Vec::new();
        self.respond(ingress, header, request, tlv.id, done, unicast, &mut |r| {
            responses.push(r.to_vec());
        })?;
        let destination = match (unicast, rx.source) {
            (true, Some(addr)) => Destination::Unicast(addr),
            _ => Destination::Multicast,
        };
        for bytes in &responses {
            if let Some(p) = self.ports.get_mut(port.get()) {
                count(&mut p.tx_counts, MessageType::Management);
            }
            sink.act(SinkAction::Send {
                port,
                class: MessageClass::General,
                destination,
                tag: None,
                bytes,
            });
        }
        Ok(())
    }

    /// A management request from the local management socket (what `pmc -u` sends to
    /// ptp4l's `uds_address`): each response, encoded, is handed to `reply` (see
    /// [`Self::respond`] for who answers; the clock speaks as port 0). A SET is carried out
    /// first and answered with the values it set, as ptp4l does (see `set` for what can be
    /// set); its effects (a new BMCA decision) go to `sink`. A request that is malformed, for
    /// another domain or clock, or not a request at all gets no response and the reason is
    /// returned.
    pub fn handle_local_management(
        &mut self,
        request: &[u8],
        now: Time,
        sink: &mut dyn ActionSink,
        reply: &mut dyn FnMut(&[u8]),
    ) -> Result<(), DropReason> {
        let message = Message::decode(request).map_err(DropReason::Malformed)?;
        let Body::Management(m) = message.body else {
            return Err(DropReason::Unsupported);
        };
        let header = &message.header;
        if header.domain_number != self.default_ds.domain_number {
            return Err(DropReason::OtherDomain);
        }
        let clock = self.default_ds.clock_identity;
        if !addresses_clock(m.target_port_identity, clock) {
            return Err(DropReason::NotForUs);
        }
        let tlv = request_tlv(&m, message.suffix)?;
        let done = match m.action {
            Action::Get => Ok(()),
            Action::Set => match tlv.data(Action::Set) {
                Ok(data) => self.local_set(&data, now, sink),
                Err(_) => Err(ManagementErrorId::WRONG_LENGTH),
            },
            _ => Err(ManagementErrorId::NOT_SUPPORTED),
        };
        let source = PortIdentity {
            clock_identity: clock,
            port_number: 0,
        };
        self.respond(source, header, &m, tlv.id, done, false, reply)
    }

    /// Answers `request` (a request for this clock) as ptp4l does: a clock-wide ID once, from
    /// `clock_source`; a port ID from every port its target port number names (65535: all of
    /// them), each as itself. `done` is how the request's SET or COMMAND ended (`Ok` for a
    /// GET); each answer is the current value of `id`, or the error status. Each encoded
    /// response goes to `reply`; when no port is named, none does and `NotForUs` is returned.
    #[allow(clippy::too_many_arguments)]
    fn respond(
        &self,
        clock_source: PortIdentity,
        header: &Header,
        request: &Management,
        id: ManagementId,
        done: Result<(), ManagementErrorId>,
        unicast: bool,
        reply: &mut dyn FnMut(&[u8]),
    ) -> Result<(), DropReason> {
        let mut buf = [0u8; RESPONSE_MAX];
        if !is_port_id(id) {
            let data = self.answer(done, PortIndex(0), id);
            let len =
                self.encode_response(clock_source, header, request, id, data, unicast, &mut buf)?;
            reply(buf.get(..len).unwrap_or_default());
            return Ok(());
        }
        let wanted = request.target_port_identity.port_number;
        let mut answered = false;
        for (i, p) in self.ports.iter().enumerate() {
            let own = p.identity();
            if wanted != PortIdentity::ALL.port_number && wanted != own.port_number {
                continue;
            }
            let port = PortIndex::from_usize(i);
            let data = self.answer(done, port, id);
            let len = self.encode_response(own, header, request, id, data, unicast, &mut buf)?;
            reply(buf.get(..len).unwrap_or_default());
            answered = true;
        }
        if answered {
            Ok(())
        } else {
            Err(DropReason::NotForUs)
        }
    }

    /// What `port` answers to a request whose SET or COMMAND (if any) ended with `done`: the
    /// current value of `id`, or the error status.
    fn answer(
        &self,
        done: Result<(), ManagementErrorId>,
        port: PortIndex,
        id: ManagementId,
    ) -> Result<ManagementData<'_>, ManagementErrorId> {
        done?;
        self.management_get(port, id)
            .ok_or(ManagementErrorId::NOT_SUPPORTED)
    }

    /// Encodes into `buf` the response from `source` to `request` (whose header is
    /// `header`) carrying `answer` for `id`; returns its length.
    #[allow(clippy::too_many_arguments)]
    fn encode_response(
        &self,
        source: PortIdentity,
        header: &Header,
        request: &Management,
        id: ManagementId,
        answer: Result<ManagementData<'_>, ManagementErrorId>,
        unicast: bool,
        buf: &mut [u8],
    ) -> Result<usize, DropReason> {
        let mut data_buf = [0u8; DATA_MAX];
        let mut suffix_buf = [0u8; DATA_MAX + 16];
        let mut w = TlvWriter::new(&mut suffix_buf);
        let pushed = match answer {
            Ok(data) => ManagementTlv::build(id, &data, &mut data_buf)
                .and_then(|t| w.push(&Tlv::Management(t)).map(|_| ())),
            Err(error) => w
                .push(&Tlv::ManagementErrorStatus(ManagementErrorStatus {
                    error,
                    id,
                    display_data: None,
                }))
                .map(|_| ()),
        };
        let suffix = pushed
            .and_then(|()| w.finish())
            .map_err(DropReason::Malformed)?;
        let mut response_header = self.header_from(
            source,
            MessageType::Management,
            header.sequence_id,
            Flags(0).with(Flags::UNICAST, unicast),
            LogInterval::UNSPECIFIED,
        );
        response_header.domain_number = header.domain_number;
        let message = Message {
            header: response_header,
            body: Body::Management(Management {
                target_port_identity: header.source_port_identity,
                starting_boundary_hops: request
                    .starting_boundary_hops
                    .saturating_sub(request.boundary_hops),
                boundary_hops: request.boundary_hops,
                action: Action::Response,
            }),
            suffix,
        };
        message.encode(buf).map_err(DropReason::Malformed)
    }
}

/// The largest management data we send: CLOCK_DESCRIPTION with three 255-byte texts and
/// 16-byte addresses, 819 bytes and a pad byte.
const DATA_MAX: usize = 820;
/// The largest response: header, management fields, and a TLV of the largest data we send.
const RESPONSE_MAX: usize = 34 + 14 + DATA_MAX + 16;

/// Whether `target` names the clock `clock` (or every clock).
fn addresses_clock(target: PortIdentity, clock: ClockIdentity) -> bool {
    target.clock_identity == clock || target.clock_identity == PortIdentity::ALL.clock_identity
}

/// The management TLV of a request; responses and error statuses from other clocks are not
/// ours to answer.
fn request_tlv<'a>(
    request: &Management,
    suffix: Tlvs<'a>,
) -> Result<ManagementTlv<'a>, DropReason> {
    if matches!(request.action, Action::Response | Action::Acknowledge) {
        return Err(DropReason::Unsupported);
    }
    match suffix.iter().next() {
        Some(Ok(Tlv::Management(tlv))) => Ok(tlv),
        _ => Err(DropReason::Unsupported),
    }
}

/// Whether `id` is a port data set member (answered per port), as opposed to a clock-wide
/// one (answered by the clock).
fn is_port_id(id: ManagementId) -> bool {
    matches!(
        id,
        ManagementId::PORT_DATA_SET
            | ManagementId::CLOCK_DESCRIPTION
            | ManagementId::LOG_ANNOUNCE_INTERVAL
            | ManagementId::ANNOUNCE_RECEIPT_TIMEOUT
            | ManagementId::LOG_SYNC_INTERVAL
            | ManagementId::VERSION_NUMBER
            | ManagementId::DELAY_MECHANISM
            | ManagementId::LOG_MIN_PDELAY_REQ_INTERVAL
            | ManagementId::MASTER_ONLY
            | ManagementId::ENABLE_PORT
            | ManagementId::DISABLE_PORT
            | ManagementId::UNICAST_NEGOTIATION_ENABLE
            | ManagementId::UNICAST_MASTER_TABLE
            | ManagementId::UNICAST_MASTER_MAX_TABLE_SIZE
            | ManagementId::ACCEPTABLE_MASTER_TABLE_ENABLED
            | ManagementId::ALTERNATE_MASTER
            | ManagementId::PORT_DATA_SET_NP
            | ManagementId::PORT_PROPERTIES_NP
            | ManagementId::PORT_STATS_NP
            | ManagementId::PORT_SERVICE_STATS_NP
            | ManagementId::UNICAST_MASTER_TABLE_NP
            | ManagementId::PORT_HWCLOCK_NP
            | ManagementId::POWER_PROFILE_SETTINGS_NP
            | ManagementId::CMLDS_INFO_NP
            | ManagementId::PORT_CORRECTIONS_NP
    )
}
