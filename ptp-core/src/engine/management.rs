//! The management responder (IEEE 1588-2019 clause 15): a GET addressed to this clock (or to
//! all clocks) is answered from the engine's data sets; what the engine cannot answer gets a
//! MANAGEMENT_ERROR_STATUS. SET and COMMAND are refused with NOT_SUPPORTED: from the network
//! as ptp4l 3.1 refuses them, and for now from the local socket too (DESIGN: "Management
//! that changes state is only accepted on the local socket").
//!
//! Requests come two ways:
//! - from the network, on a port ([`Instance::handle_message`]): that port answers, whatever
//!   the ID, and the answer goes back out of the port;
//! - from the local management socket (ptp4l's `uds_address`, where `pmc -u` asks:
//!   [`Instance::handle_local_management`]): as ptp4l does, a clock-wide ID is answered once by
//!   the clock (source port number 0) and a port ID by every port the target port number
//!   names (65535: all of them). Requests for other clocks are not forwarded to the network
//!   (ptp4l forwards them when boundaryHops allows): `pmc -u -b 0` is the supported use.

use super::action::{
    Action as SinkAction, ActionSink, Destination, DropReason, MessageClass, PortIndex,
};
use super::datasets::DelayMechanism;
use super::instance::{Instance, RxMeta};
use crate::time::{LogInterval, TimeInterval};
use crate::wire::management::{
    Action, CurrentDataSet, DefaultDataSet, DelayMechanism as WireDelayMechanism, ManagementData,
    ManagementErrorId, ManagementErrorStatus, ManagementId, ManagementTlv, ParentDataSet,
    PortDataSet, TimeFlags, TimePropertiesDataSet,
};
use crate::wire::{
    Body, ClockIdentity, Flags, Header, Management, Message, MessageType, PortIdentity, Tlv,
    TlvWriter, Tlvs,
};

impl Instance {
    /// A Management message arrived on `port`.
    pub(crate) fn on_management(
        &mut self,
        port: PortIndex,
        header: &Header,
        request: &Management,
        suffix: Tlvs<'_>,
        rx: RxMeta,
        sink: &mut dyn ActionSink,
    ) -> Result<(), DropReason> {
        let p = self.port(port).ok_or(DropReason::UnexpectedInState)?;
        let target = request.target_port_identity;
        let own = p.identity();
        let for_us = addresses_clock(target, own.clock_identity)
            && (target.port_number == own.port_number
                || target.port_number == PortIdentity::ALL.port_number
                || target.port_number == 0);
        if !for_us {
            return Err(DropReason::NotForUs);
        }
        let tlv = request_tlv(request, suffix)?;
        let answer = self.answer(port, request.action, tlv.id);
        let unicast = header.flags.unicast();
        let mut buf = [0u8; RESPONSE_MAX];
        let len = self.encode_response(own, header, request, tlv.id, answer, unicast, &mut buf)?;
        let destination = match (unicast, rx.source) {
            (true, Some(addr)) => Destination::Unicast(addr),
            _ => Destination::Multicast,
        };
        sink.act(SinkAction::Send {
            port,
            class: MessageClass::General,
            destination,
            tag: None,
            bytes: buf.get(..len).unwrap_or_default(),
        });
        Ok(())
    }

    /// A management request from the local management socket (what `pmc -u` sends to
    /// ptp4l's `uds_address`): each response, encoded, is handed to `reply` — one from the
    /// clock for a clock-wide ID, one per addressed port for a port ID. A request that is
    /// malformed, for another domain or clock, or not a request at all gets no response and
    /// the reason is returned.
    pub fn handle_local_management(
        &self,
        request: &[u8],
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
        let mut buf = [0u8; RESPONSE_MAX];
        if !is_port_id(tlv.id) {
            let answer = self.answer(PortIndex(0), m.action, tlv.id);
            let source = PortIdentity {
                clock_identity: clock,
                port_number: 0,
            };
            let len = self.encode_response(source, header, &m, tlv.id, answer, false, &mut buf)?;
            reply(buf.get(..len).unwrap_or_default());
            return Ok(());
        }
        let wanted = m.target_port_identity.port_number;
        let mut answered = false;
        for (i, p) in self.ports.iter().enumerate() {
            let own = p.identity();
            if wanted != PortIdentity::ALL.port_number && wanted != own.port_number {
                continue;
            }
            let port = PortIndex(u16::try_from(i).unwrap_or(u16::MAX));
            let answer = self.answer(port, m.action, tlv.id);
            let len = self.encode_response(own, header, &m, tlv.id, answer, false, &mut buf)?;
            reply(buf.get(..len).unwrap_or_default());
            answered = true;
        }
        if answered {
            Ok(())
        } else {
            Err(DropReason::NotForUs)
        }
    }

    /// What `port` answers to `action` on `id`: the data of a GET, or the error status.
    fn answer(
        &self,
        port: PortIndex,
        action: Action,
        id: ManagementId,
    ) -> Result<ManagementData<'static>, ManagementErrorId> {
        match action {
            Action::Get => self
                .management_get(port, id)
                .ok_or(ManagementErrorId::NOT_SUPPORTED),
            _ => Err(ManagementErrorId::NOT_SUPPORTED),
        }
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
        let mut data_buf = [0u8; 128];
        let mut suffix_buf = [0u8; 160];
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

    /// What a GET of `id` on `port` answers, from the engine's data sets; `None` for IDs the
    /// engine does not serve.
    pub fn management_get(
        &self,
        port: PortIndex,
        id: ManagementId,
    ) -> Option<ManagementData<'static>> {
        let d = &self.default_ds;
        let tp = &self.time_properties;
        let p = self.port(port)?;
        let time_flags = TimeFlags(u8::try_from(tp.flags().0 & 0xff).unwrap_or(0));
        Some(match id {
            ManagementId::NULL_MANAGEMENT => ManagementData::Empty,
            ManagementId::DEFAULT_DATA_SET => ManagementData::DefaultDataSet(DefaultDataSet {
                two_step: d.two_step,
                slave_only: d.slave_only,
                number_ports: d.number_ports,
                priority1: d.priority_1,
                clock_quality: d.clock_quality,
                priority2: d.priority_2,
                clock_identity: d.clock_identity,
                domain_number: d.domain_number,
            }),
            ManagementId::CURRENT_DATA_SET => ManagementData::CurrentDataSet(CurrentDataSet {
                steps_removed: self.current_ds.steps_removed,
                offset_from_master: TimeInterval::from(self.current_ds.offset_from_master),
                mean_path_delay: TimeInterval::from(self.current_ds.mean_path_delay),
            }),
            ManagementId::PARENT_DATA_SET => {
                let pd = &self.parent_ds;
                ManagementData::ParentDataSet(ParentDataSet {
                    parent_port_identity: pd.parent_port_identity,
                    parent_stats: pd.parent_stats,
                    observed_parent_offset_scaled_log_variance: pd
                        .observed_parent_offset_scaled_log_variance,
                    observed_parent_clock_phase_change_rate: pd
                        .observed_parent_clock_phase_change_rate,
                    grandmaster_priority1: pd.grandmaster_priority_1,
                    grandmaster_clock_quality: pd.grandmaster_clock_quality,
                    grandmaster_priority2: pd.grandmaster_priority_2,
                    grandmaster_identity: pd.grandmaster_identity,
                })
            }
            ManagementId::TIME_PROPERTIES_DATA_SET => {
                ManagementData::TimePropertiesDataSet(TimePropertiesDataSet {
                    current_utc_offset: tp.current_utc_offset,
                    flags: time_flags,
                    time_source: tp.time_source,
                })
            }
            ManagementId::PORT_DATA_SET => {
                let ds = &p.ds;
                ManagementData::PortDataSet(PortDataSet {
                    port_identity: ds.port_identity,
                    port_state: ds.port_state,
                    log_min_delay_req_interval: ds.log_min_delay_req_interval,
                    peer_mean_path_delay: TimeInterval::from(ds.peer_mean_path_delay),
                    log_announce_interval: ds.log_announce_interval,
                    announce_receipt_timeout: ds.announce_receipt_timeout,
                    log_sync_interval: ds.log_sync_interval,
                    delay_mechanism: wire_delay_mechanism(ds.delay_mechanism),
                    log_min_pdelay_req_interval: ds.log_min_pdelay_req_interval,
                    version_number: ds.version_number,
                })
            }
            ManagementId::PRIORITY1 => ManagementData::Priority1(d.priority_1),
            ManagementId::PRIORITY2 => ManagementData::Priority2(d.priority_2),
            ManagementId::DOMAIN => ManagementData::Domain(d.domain_number),
            ManagementId::SLAVE_ONLY => ManagementData::SlaveOnly(d.slave_only),
            ManagementId::CLOCK_ACCURACY => {
                ManagementData::ClockAccuracy(d.clock_quality.clock_accuracy)
            }
            ManagementId::TRACEABILITY_PROPERTIES => {
                ManagementData::TraceabilityProperties(TimeFlags(
                    time_flags.0 & (TimeFlags::TIME_TRACEABLE | TimeFlags::FREQUENCY_TRACEABLE),
                ))
            }
            ManagementId::TIMESCALE_PROPERTIES => ManagementData::TimescaleProperties(TimeFlags(
                time_flags.0 & TimeFlags::PTP_TIMESCALE,
            )),
            ManagementId::LOG_ANNOUNCE_INTERVAL => {
                ManagementData::LogAnnounceInterval(p.ds.log_announce_interval)
            }
            ManagementId::ANNOUNCE_RECEIPT_TIMEOUT => {
                ManagementData::AnnounceReceiptTimeout(p.ds.announce_receipt_timeout)
            }
            ManagementId::LOG_SYNC_INTERVAL => {
                ManagementData::LogSyncInterval(p.ds.log_sync_interval)
            }
            ManagementId::VERSION_NUMBER => ManagementData::VersionNumber(p.ds.version_number),
            ManagementId::DELAY_MECHANISM => {
                ManagementData::DelayMechanism(wire_delay_mechanism(p.ds.delay_mechanism))
            }
            ManagementId::LOG_MIN_PDELAY_REQ_INTERVAL => {
                ManagementData::LogMinPdelayReqInterval(p.ds.log_min_pdelay_req_interval)
            }
            ManagementId::MASTER_ONLY => ManagementData::MasterOnly(p.ds.master_only),
            _ => return None,
        })
    }
}

/// The largest response: header, management fields, and a TLV of the largest data we send.
const RESPONSE_MAX: usize = 512;

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

fn wire_delay_mechanism(m: DelayMechanism) -> WireDelayMechanism {
    match m {
        DelayMechanism::E2E => WireDelayMechanism::E2E,
        DelayMechanism::P2P => WireDelayMechanism::P2P,
    }
}
