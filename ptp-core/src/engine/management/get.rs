//! What each management GET answers, from the engine's data sets: the standard IDs and
//! linuxptp's `*_NP` ones that describe this clock (TIME_STATUS_NP, GRANDMASTER_SETTINGS_NP,
//! PORT_DATA_SET_NP, PORT_PROPERTIES_NP, PORT_STATS_NP). CLOCK_DESCRIPTION is answered per
//! port, as ptp4l does (the addresses are the port's), USER_DESCRIPTION by the clock.

use super::super::action::PortIndex;
use super::super::datasets::{DelayMechanism, TimePropertiesDs};
use super::super::instance::Instance;
use super::is_port_id;
use crate::servo::TimestampingMode;
use crate::time::{Duration, TimeInterval};
use crate::wire::management::{
    ClockDescription, CurrentDataSet, DefaultDataSet, DelayMechanism as WireDelayMechanism,
    GrandmasterSettingsNp, ManagementData, ManagementId, ParentDataSet, PortAddress, PortDataSet,
    PortDataSetNp, PortPropertiesNp, PortStatsNp, SlaveOnlyFlag, TimeFlags, TimePropertiesDataSet,
    TimeStatusNp, Timestamping,
};
use crate::wire::PtpText;

impl Instance {
    /// What a GET of `id` on `port` answers, from the engine's data sets; `None` for IDs the
    /// engine does not serve, and for a port ID when `port` is not a live port (a clock-wide
    /// ID is answered whatever `port` is).
    pub fn management_get(&self, port: PortIndex, id: ManagementId) -> Option<ManagementData<'_>> {
        if is_port_id(id) {
            self.port_data(port, id)
        } else {
            self.clock_data(id)
        }
    }

    /// What a GET of the clock-wide `id` answers.
    fn clock_data(&self, id: ManagementId) -> Option<ManagementData<'_>> {
        let d = &self.default_ds;
        let tp = &self.time_properties;
        let time_flags = flags_of(tp);
        Some(match id {
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
            ManagementId::PRIORITY1 => ManagementData::Priority1(d.priority_1),
            ManagementId::PRIORITY2 => ManagementData::Priority2(d.priority_2),
            ManagementId::DOMAIN => ManagementData::Domain(d.domain_number),
            ManagementId::SLAVE_ONLY => ManagementData::SlaveOnly(SlaveOnlyFlag(d.slave_only)),
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
            ManagementId::TIME_STATUS_NP => {
                let gm = self.parent_ds.grandmaster_identity;
                let ingress = self
                    .slave_port
                    .and_then(|s| self.port(s))
                    .and_then(|s| s.last_sync)
                    .map_or(0, |s| i64::try_from(s.t2.nanos()).unwrap_or(i64::MAX));
                ManagementData::TimeStatusNp(TimeStatusNp {
                    master_offset: self.current_ds.offset_from_master,
                    ingress_time_ns: ingress,
                    cumulative_scaled_rate_offset: 0,
                    scaled_last_gm_phase_change: 0,
                    gm_time_base_indicator: 0,
                    last_gm_phase_change: Duration::ZERO,
                    gm_present: gm != d.clock_identity,
                    gm_identity: gm,
                })
            }
            ManagementId::GRANDMASTER_SETTINGS_NP => {
                let gm = &self.gm_time_properties;
                ManagementData::GrandmasterSettingsNp(GrandmasterSettingsNp {
                    clock_quality: d.clock_quality,
                    current_utc_offset: gm.current_utc_offset,
                    time_flags: flags_of(gm),
                    time_source: gm.time_source,
                })
            }
            ManagementId::USER_DESCRIPTION => ManagementData::UserDescription(
                PtpText::new(self.settings.description.user_description.as_bytes()).ok()?,
            ),
            _ => return None,
        })
    }

    /// What `port` answers to a GET of the port `id`.
    fn port_data(&self, port: PortIndex, id: ManagementId) -> Option<ManagementData<'_>> {
        let p = self.port(port)?;
        Some(match id {
            ManagementId::NULL_MANAGEMENT => ManagementData::Empty,
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
            ManagementId::PORT_DATA_SET_NP => ManagementData::PortDataSetNp(PortDataSetNp {
                neighbor_prop_delay_thresh_ns: u32::try_from(
                    p.settings.neighbor_prop_delay_thresh.nanos(),
                )
                .unwrap_or(u32::MAX),
                // IEEE 1588 ports are always capable (802.1AS asCapable is not yet ours).
                as_capable: true,
            }),
            ManagementId::PORT_PROPERTIES_NP => {
                ManagementData::PortPropertiesNp(PortPropertiesNp {
                    port_identity: p.identity(),
                    port_state: p.state(),
                    timestamping: match self.settings.time_stamping {
                        TimestampingMode::Software => Timestamping::SOFTWARE,
                        TimestampingMode::Hardware => Timestamping::HARDWARE,
                    },
                    interface: PtpText::new(p.settings.name.as_bytes()).ok()?,
                })
            }
            ManagementId::PORT_STATS_NP => ManagementData::PortStatsNp(PortStatsNp {
                port_identity: p.identity(),
                rx: p.rx_counts,
                tx: p.tx_counts,
            }),
            ManagementId::CLOCK_DESCRIPTION => {
                let texts = &self.settings.description;
                ManagementData::ClockDescription(ClockDescription {
                    // As ptp4l: a clock of several ports is a boundary clock.
                    clock_type: if self.default_ds.number_ports > 1 {
                        ClockDescription::BOUNDARY_CLOCK
                    } else {
                        ClockDescription::ORDINARY_CLOCK
                    },
                    // Every transport we run (UDP/IPv4, UDP/IPv6, 802.3) runs over Ethernet.
                    physical_layer_protocol: PtpText::new(b"IEEE 802.3").ok()?,
                    physical_address: &p.settings.physical_address,
                    protocol_address: PortAddress {
                        network_protocol: p.settings.transport.network_protocol(),
                        address: &p.settings.protocol_address,
                    },
                    manufacturer_identity: texts.manufacturer_identity,
                    product_description: PtpText::new(texts.product_description.as_bytes()).ok()?,
                    revision_data: PtpText::new(texts.revision_data.as_bytes()).ok()?,
                    user_description: PtpText::new(texts.user_description.as_bytes()).ok()?,
                    profile_identity: match p.ds.delay_mechanism {
                        DelayMechanism::E2E => DEFAULT_DELAY_REQUEST_RESPONSE_PROFILE,
                        DelayMechanism::P2P => DEFAULT_PEER_TO_PEER_PROFILE,
                    },
                })
            }
            _ => return None,
        })
    }
}

/// profileIdentity of the default delay request-response profile (IEEE 1588-2019 I.3.4),
/// which ptp4l reports for E2E ports whatever the configuration.
const DEFAULT_DELAY_REQUEST_RESPONSE_PROFILE: [u8; 6] = [0x00, 0x1b, 0x19, 0x00, 0x01, 0x00];
/// profileIdentity of the default peer-to-peer profile (IEEE 1588-2019 I.4.4), which ptp4l
/// reports for P2P ports.
const DEFAULT_PEER_TO_PEER_PROFILE: [u8; 6] = [0x00, 0x1b, 0x19, 0x00, 0x02, 0x00];

/// The time-properties flags of `tp` as management data carries them (the low octet of the
/// header's flagField).
fn flags_of(tp: &TimePropertiesDs) -> TimeFlags {
    TimeFlags(u8::try_from(tp.flags().0 & 0xff).unwrap_or(0))
}

fn wire_delay_mechanism(m: DelayMechanism) -> WireDelayMechanism {
    match m {
        DelayMechanism::E2E => WireDelayMechanism::E2E,
        DelayMechanism::P2P => WireDelayMechanism::P2P,
    }
}
