//! The management responder (IEEE 1588-2019 clause 15): a GET addressed to this clock (or to
//! all clocks) is answered from the engine's data sets; what the engine cannot answer gets a
//! MANAGEMENT_ERROR_STATUS. Changes are accepted from the local socket only, which only root
//! can reach: SET and COMMAND from the network are refused with NOT_SUPPORTED, as ptp4l 3.1
//! refuses them.
//!
//! Submodules: `get` (what each GET answers, standard and linuxptp `*_NP` IDs) and `set`
//! (the SETs the local socket accepts).
//!
//! Who answers is the same both ways, as in ptp4l 3.1.1: a clock-wide ID once, a port ID
//! (NULL_MANAGEMENT included) by every port the target port number names (65535: all of
//! them), a port number no port has with WRONG_VALUE from the clock, an unknown ID with
//! NO_SUCH_ID from the first port named. Requests come
//! - from the network, on a port ([`Instance::handle_message`]): the answers go back out of
//!   that port, the clock speaking as that port. A SET, and PORT_PROPERTIES_NP (served on the
//!   local socket only), get one error status from that port;
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
    /// port (see [`Self::respond`] for who answers; [`refused_at_once`] for what is refused
    /// before that).
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
        let unicast = header.flags.unicast();
        let asked = Asked {
            header,
            request,
            id: tlv.id,
            unicast,
        };
        let mut responses = Vec::new();
        let mut reply = |r: &[u8]| responses.push(r.to_vec());
        match refused_at_once(request.action, &tlv, Entry::Network) {
            Some(error) => self.reply_from(ingress, &asked, Err(error), &mut reply)?,
            // Only a GET or a COMMAND gets here, and no COMMAND is carried out.
            None => {
                let done = match request.action {
                    Action::Get => Ok(()),
                    _ => Err(ManagementErrorId::NOT_SUPPORTED),
                };
                self.respond(ingress, &asked, done, &mut reply)?;
            }
        }
        let destination = match (unicast, rx.source) {
            (true, Some(addr)) => Destination::Unicast(addr),
            _ => Destination::Multicast,
        };
        for bytes in &responses {
            if let Some(p) = self.port_mut(port) {
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
        let source = PortIdentity {
            clock_identity: clock,
            port_number: 0,
        };
        let asked = Asked {
            header,
            request: &m,
            id: tlv.id,
            unicast: false,
        };
        if let Some(error) = refused_at_once(m.action, &tlv, Entry::Local) {
            return self.reply_from(source, &asked, Err(error), reply);
        }
        let done = match m.action {
            Action::Get => Ok(()),
            Action::Set => match tlv.data(Action::Set) {
                Ok(data) => self.local_set(&data, now, sink),
                Err(_) => Err(ManagementErrorId::WRONG_LENGTH),
            },
            _ => Err(ManagementErrorId::NOT_SUPPORTED),
        };
        self.respond(source, &asked, done, reply)
    }

    /// Answers a request for this clock as ptp4l 3.1.1 does: a clock-wide ID once, from
    /// `clock_source`; a port ID (NULL_MANAGEMENT is one) from every port its target port
    /// number names (65535: all of them), each as itself; an ID nobody knows with NO_SUCH_ID
    /// from the first port named, which speaks for all. When no port is named, the clock
    /// answers WRONG_VALUE (IEEE 1588 interpretation 21, as ptp4l). `done` is how the
    /// request's SET or COMMAND ended (`Ok` for a GET); each answer is the current value of
    /// the ID, or the error status. Each encoded response goes to `reply`.
    fn respond(
        &self,
        clock_source: PortIdentity,
        asked: &Asked<'_>,
        done: Result<(), ManagementErrorId>,
        reply: &mut dyn FnMut(&[u8]),
    ) -> Result<(), DropReason> {
        let known = asked.id.is_known();
        if known && !is_port_id(asked.id) {
            let answer = self.answer(done, PortIndex(0), asked.id);
            return self.reply_from(clock_source, asked, answer, reply);
        }
        let wanted = asked.request.target_port_identity.port_number;
        let mut named = false;
        for (port, p) in self.live_ports() {
            let own = p.identity();
            if wanted != PortIdentity::ALL.port_number && wanted != own.port_number {
                continue;
            }
            named = true;
            if !known {
                return self.reply_from(own, asked, Err(ManagementErrorId::NO_SUCH_ID), reply);
            }
            self.reply_from(own, asked, self.answer(done, port, asked.id), reply)?;
        }
        if named {
            return Ok(());
        }
        let no_such_port = Err(ManagementErrorId::WRONG_VALUE);
        self.reply_from(clock_source, asked, no_such_port, reply)
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

    /// Hands `reply` the response from `source` to `asked` carrying `answer`.
    fn reply_from(
        &self,
        source: PortIdentity,
        asked: &Asked<'_>,
        answer: Result<ManagementData<'_>, ManagementErrorId>,
        reply: &mut dyn FnMut(&[u8]),
    ) -> Result<(), DropReason> {
        let mut buf = [0u8; RESPONSE_MAX];
        let len = self.encode_response(source, asked, answer, &mut buf)?;
        reply(buf.get(..len).unwrap_or_default());
        Ok(())
    }

    /// Encodes into `buf` the response from `source` to `asked` carrying `answer`; returns
    /// its length.
    fn encode_response(
        &self,
        source: PortIdentity,
        asked: &Asked<'_>,
        answer: Result<ManagementData<'_>, ManagementErrorId>,
        buf: &mut [u8],
    ) -> Result<usize, DropReason> {
        let id = asked.id;
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
        let (header, request) = (asked.header, asked.request);
        let mut response_header = self.header_from(
            source,
            MessageType::Management,
            header.sequence_id,
            Flags(0).with(Flags::UNICAST, asked.unicast),
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

/// A request being answered: what every response to it repeats.
struct Asked<'a> {
    header: &'a Header,
    request: &'a Management,
    id: ManagementId,
    /// The request came by unicast, and so do the answers.
    unicast: bool,
}

/// Where a request came in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Entry {
    /// On a PTP port.
    Network,
    /// On the local management socket.
    Local,
}

/// What ptp4l 3.1.1 refuses before asking the clock or its ports, with a single error status
/// from where the request came in: a SET without data (WRONG_LENGTH; NULL_MANAGEMENT has
/// none to carry), any SET from the network (only the local socket may change anything) and
/// PORT_PROPERTIES_NP from the network (ptp4l serves it on its UDS port only).
fn refused_at_once(
    action: Action,
    tlv: &ManagementTlv<'_>,
    entry: Entry,
) -> Option<ManagementErrorId> {
    let network = entry == Entry::Network;
    match action {
        Action::Set if tlv.raw_data.is_empty() && tlv.id != ManagementId::NULL_MANAGEMENT => {
            Some(ManagementErrorId::WRONG_LENGTH)
        }
        Action::Set if network => Some(ManagementErrorId::NOT_SUPPORTED),
        _ if network && tlv.id == ManagementId::PORT_PROPERTIES_NP => {
            Some(ManagementErrorId::NOT_SUPPORTED)
        }
        _ => None,
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

/// Whether `id` is answered per port, as opposed to by the clock: the port data set members
/// and, as in ptp4l, NULL_MANAGEMENT (a port answers that it is there).
fn is_port_id(id: ManagementId) -> bool {
    matches!(
        id,
        ManagementId::NULL_MANAGEMENT
            | ManagementId::PORT_DATA_SET
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
