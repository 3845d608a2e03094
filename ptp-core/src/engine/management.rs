//! The management responder (IEEE 1588-2019 clause 15): a GET addressed to this clock (or to
//! all clocks) is answered from the engine's data sets; what the engine cannot answer gets a
//! MANAGEMENT_ERROR_STATUS. SET and COMMAND from the network are refused with NOT_SUPPORTED,
//! as ptp4l 3.1 refuses them: changes are made by the local management socket only
//! (DESIGN: "Management that changes state is only accepted on the local socket").

use super::action::{ActionSink, Destination, DropReason, PortIndex};
use super::datasets::DelayMechanism;
use super::instance::{Instance, RxMeta};
use crate::time::{LogInterval, TimeInterval};
use crate::wire::management::{
    Action, CurrentDataSet, DefaultDataSet, DelayMechanism as WireDelayMechanism, ManagementData,
    ManagementErrorId, ManagementErrorStatus, ManagementId, ManagementTlv, ParentDataSet,
    PortDataSet, TimeFlags, TimePropertiesDataSet,
};
use crate::wire::{
    Body, Flags, Header, Management, Message, MessageType, PortIdentity, Tlv, TlvWriter, Tlvs,
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
        let for_us = (target.clock_identity == own.clock_identity
            || target.clock_identity == PortIdentity::ALL.clock_identity)
            && (target.port_number == own.port_number
                || target.port_number == PortIdentity::ALL.port_number
                || target.port_number == 0);
        if !for_us {
            return Err(DropReason::NotForUs);
        }
        let Some(Ok(Tlv::Management(tlv))) = suffix.iter().next() else {
            // Responses and error statuses from other clocks are not ours to answer.
            return Err(DropReason::Unsupported);
        };
        let answer = match request.action {
            Action::Get => self
                .management_get(port, tlv.id)
                .ok_or(ManagementErrorId::NOT_SUPPORTED),
            Action::Set | Action::Command => Err(ManagementErrorId::NOT_SUPPORTED),
            Action::Response | Action::Acknowledge => return Err(DropReason::Unsupported),
        };
        let mut data_buf = [0u8; 128];
        let mut suffix_buf = [0u8; 160];
        let mut w = TlvWriter::new(&mut suffix_buf);
        let pushed = match answer {
            Ok(data) => ManagementTlv::build(tlv.id, &data, &mut data_buf)
                .and_then(|t| w.push(&Tlv::Management(t)).map(|_| ())),
            Err(error) => w
                .push(&Tlv::ManagementErrorStatus(ManagementErrorStatus {
                    error,
                    id: tlv.id,
                    display_data: None,
                }))
                .map(|_| ()),
        };
        let suffix = pushed
            .and_then(|()| w.finish())
            .map_err(DropReason::Malformed)?;
        let Some(p) = self.port(port) else {
            return Ok(());
        };
        let unicast = header.flags.unicast();
        let mut response_header = self.header(
            p,
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
        let destination = match (unicast, rx.source) {
            (true, Some(addr)) => Destination::Unicast(addr),
            _ => Destination::Multicast,
        };
        self.send(port, destination, None, &message, sink);
        Ok(())
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

fn wire_delay_mechanism(m: DelayMechanism) -> WireDelayMechanism {
    match m {
        DelayMechanism::E2E => WireDelayMechanism::E2E,
        DelayMechanism::P2P => WireDelayMechanism::P2P,
    }
}
