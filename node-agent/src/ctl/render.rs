//! pmc's rendering of a received management message: a header line
//! `\t<sourcePortIdentity> seq <n> <ACTION> MANAGEMENT <ID> ` and, for the IDs pmc 3.1.1
//! knows how to show, `\t\t<field> <value>` lines with its names, alignment and formats.
//! A MANAGEMENT_ERROR_STATUS shows only its header line, as pmc 3.1.1 does.
//! Texts are shown as UTF-8 (pmc writes their bytes as they are).

use std::fmt::Write as _;

use std::net::{Ipv4Addr, Ipv6Addr};

use ptp_core::wire::management::{ManagementData, ManagementId, PortAddress, TimeFlags};
use ptp_core::wire::{Body, Message, MessageType, PtpText, Tlv};

/// pmc's text for `bytes`, or `None` for what pmc does not show (not a management message,
/// or one it cannot decode).
pub fn render(bytes: &[u8]) -> Option<String> {
    let message = Message::decode(bytes).ok()?;
    let Body::Management(m) = message.body else {
        return None;
    };
    let mut out = format!(
        "\t{} seq {} {} ",
        message.header.source_port_identity,
        message.header.sequence_id,
        m.action.name()
    );
    let mut tlvs = message.suffix.iter();
    let only = match (tlvs.next(), tlvs.next()) {
        (Some(Ok(tlv)), None) => tlv,
        _ => return Some(out),
    };
    match only {
        Tlv::Management(tlv) => {
            out.push_str("MANAGEMENT ");
            if tlv.raw_data.is_empty() && tlv.id != ManagementId::NULL_MANAGEMENT {
                out.push_str("empty-tlv ");
            } else if let Ok(data) = tlv.data(m.action) {
                fields(&mut out, &data);
            }
        }
        Tlv::ManagementErrorStatus(_) => out.push_str("MANAGEMENT_ERROR_STATUS "),
        _ => out.push_str("unknown-tlv "),
    }
    Some(out)
}

/// `0`/`1` for a flag bit, as pmc prints them.
fn bit(flags: TimeFlags, mask: u8) -> u8 {
    u8::from(flags.contains(mask))
}

/// Appends the ID's name and its fields.
fn fields(out: &mut String, data: &ManagementData<'_>) {
    let Some(id) = data.id() else {
        return;
    };
    let mut rows: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, value: String| rows.push((name.to_owned(), value));
    match data {
        ManagementData::DefaultDataSet(d) => {
            push("twoStepFlag", u8::from(d.two_step).to_string());
            push("slaveOnly", u8::from(d.slave_only).to_string());
            push("numberPorts", d.number_ports.to_string());
            push("priority1", d.priority1.to_string());
            push("clockClass", d.clock_quality.clock_class.to_string());
            push(
                "clockAccuracy",
                format!("0x{:02x}", d.clock_quality.clock_accuracy.0),
            );
            push(
                "offsetScaledLogVariance",
                format!("0x{:04x}", d.clock_quality.offset_scaled_log_variance),
            );
            push("priority2", d.priority2.to_string());
            push("clockIdentity", d.clock_identity.to_string());
            push("domainNumber", d.domain_number.to_string());
        }
        ManagementData::CurrentDataSet(d) => {
            // pmc reads stepsRemoved as a signed 16-bit number.
            push("stepsRemoved", (d.steps_removed as i16).to_string());
            push("offsetFromMaster", scaled_ns(d.offset_from_master.0));
            push("meanPathDelay", scaled_ns(d.mean_path_delay.0));
        }
        ManagementData::ParentDataSet(d) => {
            push("parentPortIdentity", d.parent_port_identity.to_string());
            push("parentStats", u8::from(d.parent_stats).to_string());
            push(
                "observedParentOffsetScaledLogVariance",
                format!("0x{:04x}", d.observed_parent_offset_scaled_log_variance),
            );
            push(
                "observedParentClockPhaseChangeRate",
                format!("0x{:08x}", d.observed_parent_clock_phase_change_rate),
            );
            push("grandmasterPriority1", d.grandmaster_priority1.to_string());
            let q = d.grandmaster_clock_quality;
            push("gm.ClockClass", q.clock_class.to_string());
            push("gm.ClockAccuracy", format!("0x{:02x}", q.clock_accuracy.0));
            push(
                "gm.OffsetScaledLogVariance",
                format!("0x{:04x}", q.offset_scaled_log_variance),
            );
            push("grandmasterPriority2", d.grandmaster_priority2.to_string());
            push("grandmasterIdentity", d.grandmaster_identity.to_string());
        }
        ManagementData::TimePropertiesDataSet(d) => {
            push("currentUtcOffset", d.current_utc_offset.to_string());
            time_flags(&mut push, d.flags);
            push("timeSource", format!("0x{:02x}", d.time_source.0));
        }
        ManagementData::Priority1(v) => push("priority1", v.to_string()),
        ManagementData::Priority2(v) => push("priority2", v.to_string()),
        ManagementData::Domain(v) => push("domainNumber", v.to_string()),
        ManagementData::SlaveOnly(v) => push("slaveOnly", u8::from(v.0).to_string()),
        ManagementData::ClockAccuracy(v) => push("clockAccuracy", format!("0x{:02x}", v.0)),
        ManagementData::TraceabilityProperties(f) => {
            push(
                "timeTraceable",
                bit(*f, TimeFlags::TIME_TRACEABLE).to_string(),
            );
            push(
                "frequencyTraceable",
                bit(*f, TimeFlags::FREQUENCY_TRACEABLE).to_string(),
            );
        }
        ManagementData::TimescaleProperties(f) => {
            push(
                "ptpTimescale",
                bit(*f, TimeFlags::PTP_TIMESCALE).to_string(),
            );
        }
        ManagementData::TimeStatusNp(d) => {
            push("master_offset", d.master_offset.nanos().to_string());
            push("ingress_time", d.ingress_time_ns.to_string());
            push(
                "cumulativeScaledRateOffset",
                format!(
                    "{:+.9}",
                    f64::from(d.cumulative_scaled_rate_offset) / (1u64 << 41) as f64
                ),
            );
            push(
                "scaledLastGmPhaseChange",
                d.scaled_last_gm_phase_change.to_string(),
            );
            push("gmTimeBaseIndicator", d.gm_time_base_indicator.to_string());
            // The 96-bit ScaledNs as pmc splits it: high 16 bits, middle 64, fraction 16.
            let s = d.last_gm_phase_change.scaled_nanos() as u128;
            push(
                "lastGmPhaseChange",
                format!(
                    "0x{:04x}'{:016x}.{:04x}",
                    (s >> 80) as u16,
                    (s >> 16) as u64,
                    s as u16
                ),
            );
            push("gmPresent", d.gm_present.to_string());
            push("gmIdentity", d.gm_identity.to_string());
        }
        ManagementData::GrandmasterSettingsNp(d) => {
            let q = d.clock_quality;
            push("clockClass", q.clock_class.to_string());
            push("clockAccuracy", format!("0x{:02x}", q.clock_accuracy.0));
            push(
                "offsetScaledLogVariance",
                format!("0x{:04x}", q.offset_scaled_log_variance),
            );
            push("currentUtcOffset", d.current_utc_offset.to_string());
            time_flags(&mut push, d.time_flags);
            push("timeSource", format!("0x{:02x}", d.time_source.0));
        }
        ManagementData::SubscribeEventsNp(d) => {
            push("duration", d.duration_secs.to_string());
            let on = if d.is_set(0) { "on" } else { "off" };
            push("NOTIFY_PORT_STATE", on.into());
        }
        ManagementData::SynchronizationUncertainNp(v) => push("uncertain", v.0.to_string()),
        ManagementData::PortDataSet(d) => {
            push("portIdentity", d.port_identity.to_string());
            push("portState", d.port_state.name().into());
            push(
                "logMinDelayReqInterval",
                d.log_min_delay_req_interval.0.to_string(),
            );
            push(
                "peerMeanPathDelay",
                (d.peer_mean_path_delay.0 >> 16).to_string(),
            );
            push("logAnnounceInterval", d.log_announce_interval.0.to_string());
            push(
                "announceReceiptTimeout",
                d.announce_receipt_timeout.to_string(),
            );
            push("logSyncInterval", d.log_sync_interval.0.to_string());
            push("delayMechanism", d.delay_mechanism.0.to_string());
            push(
                "logMinPdelayReqInterval",
                d.log_min_pdelay_req_interval.0.to_string(),
            );
            push("versionNumber", (d.version_number & 0x0f).to_string());
        }
        ManagementData::PortDataSetNp(d) => {
            push(
                "neighborPropDelayThresh",
                d.neighbor_prop_delay_thresh_ns.to_string(),
            );
            push("asCapable", u8::from(d.as_capable).to_string());
        }
        ManagementData::PortPropertiesNp(d) => {
            push("portIdentity", d.port_identity.to_string());
            push("portState", d.port_state.name().into());
            let ts = match d.timestamping.0 {
                0 => "SOFTWARE",
                1 => "HARDWARE",
                2 => "LEGACY_HW",
                3 => "ONESTEP",
                4 => "P2P1STEP",
                _ => "unknown",
            };
            push("timestamping", ts.into());
            push("interface", d.interface.to_string());
        }
        ManagementData::PortStatsNp(d) => {
            push("portIdentity", d.port_identity.to_string());
            for (dir, counts) in [("rx", &d.rx), ("tx", &d.tx)] {
                for (t, name) in STATS {
                    let n = counts.get(usize::from(t as u8)).copied().unwrap_or(0);
                    push(&format!("{dir}_{name}"), n.to_string());
                }
            }
        }
        ManagementData::LogAnnounceInterval(v) => push("logAnnounceInterval", v.0.to_string()),
        ManagementData::AnnounceReceiptTimeout(v) => {
            push("announceReceiptTimeout", v.to_string());
        }
        ManagementData::LogSyncInterval(v) => push("logSyncInterval", v.0.to_string()),
        ManagementData::VersionNumber(v) => push("versionNumber", (v & 0x0f).to_string()),
        ManagementData::DelayMechanism(v) => push("delayMechanism", v.0.to_string()),
        ManagementData::LogMinPdelayReqInterval(v) => {
            push("logMinPdelayReqInterval", v.0.to_string());
        }
        ManagementData::ClockDescription(d) => {
            push("clockType", format!("0x{:x}", d.clock_type));
            push("physicalLayerProtocol", text(d.physical_layer_protocol));
            push("physicalAddress", hex_octets(d.physical_address));
            push(
                "protocolAddress",
                format!(
                    "{} {}",
                    d.protocol_address.network_protocol,
                    port_address(d.protocol_address)
                ),
            );
            push("manufacturerId", hex_octets(&d.manufacturer_identity));
            push("productDescription", text(d.product_description));
            push("revisionData", text(d.revision_data));
            push("userDescription", text(d.user_description));
            push("profileId", hex_octets(&d.profile_identity));
        }
        ManagementData::UserDescription(t) => push("userDescription", text(*t)),
        // pmc 3.1.1 shows nothing of the others.
        _ => return,
    }
    // Names are padded to the longest, except where pmc pads wider.
    let min_width = match id {
        ManagementId::PORT_PROPERTIES_NP => 23,
        ManagementId::PORT_STATS_NP => 25,
        ManagementId::USER_DESCRIPTION => 16,
        _ => 0,
    };
    let width = rows
        .iter()
        .map(|(n, _)| n.len())
        .fold(min_width, usize::max);
    let _ = write!(out, "{} ", id.name());
    for (name, value) in rows {
        let _ = write!(out, "\n\t\t{name:<width$} {value}");
    }
}

/// The message types PORT_STATS_NP shows, in pmc's order, with pmc's spelling.
const STATS: [(MessageType, &str); 10] = [
    (MessageType::Sync, "Sync"),
    (MessageType::DelayReq, "Delay_Req"),
    (MessageType::PdelayReq, "Pdelay_Req"),
    (MessageType::PdelayResp, "Pdelay_Resp"),
    (MessageType::FollowUp, "Follow_Up"),
    (MessageType::DelayResp, "Delay_Resp"),
    (MessageType::PdelayRespFollowUp, "Pdelay_Resp_Follow_Up"),
    (MessageType::Announce, "Announce"),
    (MessageType::Signaling, "Signaling"),
    (MessageType::Management, "Management"),
];

/// The time-property flags as pmc names them, in its order: the rows of
/// TIME_PROPERTIES_DATA_SET and GRANDMASTER_SETTINGS_NP, and the keywords of the latter's SET.
pub const TIME_FLAG_NAMES: [(&str, u8); 6] = [
    ("leap61", TimeFlags::LEAP_61),
    ("leap59", TimeFlags::LEAP_59),
    ("currentUtcOffsetValid", TimeFlags::UTC_OFFSET_VALID),
    ("ptpTimescale", TimeFlags::PTP_TIMESCALE),
    ("timeTraceable", TimeFlags::TIME_TRACEABLE),
    ("frequencyTraceable", TimeFlags::FREQUENCY_TRACEABLE),
];

/// The six flag rows of TIME_PROPERTIES_DATA_SET and GRANDMASTER_SETTINGS_NP.
fn time_flags(push: &mut impl FnMut(&str, String), flags: TimeFlags) {
    for (name, mask) in TIME_FLAG_NAMES {
        push(name, bit(flags, mask).to_string());
    }
}

/// A PTPText as pmc prints it: its bytes up to the first zero (C's `%s`).
fn text(t: PtpText<'_>) -> String {
    let bytes = t.as_bytes();
    let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
    String::from_utf8_lossy(bytes.get(..end).unwrap_or_default()).into_owned()
}

/// Octets as pmc prints binary fields: lower-case hex joined by `:`, at most the first 16.
fn hex_octets(bytes: &[u8]) -> String {
    bytes
        .iter()
        .take(16)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

/// A PortAddress as pmc prints it: dotted or RFC 5952 text for a well-sized IPv4 or IPv6
/// address, hex octets otherwise.
fn port_address(a: PortAddress<'_>) -> String {
    let ip = match a.network_protocol {
        PortAddress::UDP_IPV4 => <[u8; 4]>::try_from(a.address)
            .ok()
            .map(|o| Ipv4Addr::from(o).to_string()),
        PortAddress::UDP_IPV6 => <[u8; 16]>::try_from(a.address)
            .ok()
            .map(|o| Ipv6Addr::from(o).to_string()),
        _ => None,
    };
    ip.unwrap_or_else(|| hex_octets(a.address))
}

/// A scaled-nanosecond TimeInterval as pmc prints it (`%.1f` of ns).
fn scaled_ns(scaled: i64) -> String {
    format!("{:.1}", scaled as f64 / 65536.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    use ptp_core::time::{Duration, TimeInterval};
    use ptp_core::wire::management::{
        Action, ClockDescription, CurrentDataSet, DefaultDataSet, ManagementErrorId,
        ManagementErrorStatus, ManagementTlv, PortStatsNp, TimeStatusNp,
    };
    use ptp_core::wire::{
        ClockAccuracy, ClockIdentity, ClockQuality, Header, Management, PortIdentity, TlvWriter,
    };

    const CLOCK: ClockIdentity = ClockIdentity([0x00, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, 0x55]);

    /// A RESPONSE from port `port` of CLOCK, sequence 7, carrying `tlv`.
    fn response(port: u16, tlv: &Tlv<'_>) -> Vec<u8> {
        let mut suffix = [0u8; 600];
        let mut w = TlvWriter::new(&mut suffix);
        w.push(tlv).unwrap();
        let message = Message {
            header: Header {
                source_port_identity: PortIdentity {
                    clock_identity: CLOCK,
                    port_number: port,
                },
                sequence_id: 7,
                ..Header::default()
            },
            body: Body::Management(Management {
                target_port_identity: PortIdentity::default(),
                starting_boundary_hops: 0,
                boundary_hops: 0,
                action: Action::Response,
            }),
            suffix: w.finish().unwrap(),
        };
        let mut buf = [0u8; 1500];
        let n = message.encode(&mut buf).unwrap();
        buf[..n].to_vec()
    }

    fn show(port: u16, id: ManagementId, data: &ManagementData<'_>) -> String {
        let mut buf = [0u8; 600];
        let tlv = ManagementTlv::build(id, data, &mut buf).unwrap();
        render(&response(port, &Tlv::Management(tlv))).unwrap()
    }

    #[test]
    fn default_data_set_in_pmcs_layout() {
        let ds = DefaultDataSet {
            two_step: true,
            slave_only: false,
            number_ports: 2,
            priority1: 128,
            clock_quality: ClockQuality {
                clock_class: 6,
                clock_accuracy: ClockAccuracy(0x21),
                offset_scaled_log_variance: 0x4e5d,
            },
            priority2: 99,
            clock_identity: CLOCK,
            domain_number: 24,
        };
        let text = show(
            0,
            ManagementId::DEFAULT_DATA_SET,
            &ManagementData::DefaultDataSet(ds),
        );
        let expected = [
            "\t001122.fffe.334455-0 seq 7 RESPONSE MANAGEMENT DEFAULT_DATA_SET ",
            "\t\ttwoStepFlag             1",
            "\t\tslaveOnly               0",
            "\t\tnumberPorts             2",
            "\t\tpriority1               128",
            "\t\tclockClass              6",
            "\t\tclockAccuracy           0x21",
            "\t\toffsetScaledLogVariance 0x4e5d",
            "\t\tpriority2               99",
            "\t\tclockIdentity           001122.fffe.334455",
            "\t\tdomainNumber            24",
        ];
        assert_eq!(text.split('\n').collect::<Vec<_>>(), expected);
    }

    #[test]
    fn measurements_keep_their_sign_and_precision() {
        let ds = CurrentDataSet {
            steps_removed: 1,
            // -1.5 ns and 1234.25 ns (pmc's %.1f rounds the tie to even).
            offset_from_master: TimeInterval(-3 << 15),
            mean_path_delay: TimeInterval(1234 * 65536 + 16384),
        };
        let text = show(
            0,
            ManagementId::CURRENT_DATA_SET,
            &ManagementData::CurrentDataSet(ds),
        );
        assert!(text.ends_with(
            "CURRENT_DATA_SET \n\t\tstepsRemoved     1\n\t\toffsetFromMaster -1.5\
             \n\t\tmeanPathDelay    1234.2"
        ));
        let ts = TimeStatusNp {
            master_offset: Duration::from_nanos(-42),
            ingress_time_ns: 1_700_000_000_000_000_001,
            cumulative_scaled_rate_offset: -(1 << 30),
            scaled_last_gm_phase_change: 3,
            gm_time_base_indicator: 5,
            last_gm_phase_change: Duration::from_scaled_nanos((1 << 80) | (2 << 16) | 3),
            gm_present: true,
            gm_identity: CLOCK,
        };
        let text = show(
            0,
            ManagementId::TIME_STATUS_NP,
            &ManagementData::TimeStatusNp(ts),
        );
        for line in [
            "\t\tmaster_offset              -42",
            "\t\tingress_time               1700000000000000001",
            "\t\tcumulativeScaledRateOffset -0.000488281",
            "\t\tlastGmPhaseChange          0x0001'0000000000000002.0003",
            "\t\tgmPresent                  true",
        ] {
            assert!(text.split('\n').any(|l| l == line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn port_stats_are_padded_as_pmc_pads_them() {
        let mut stats = PortStatsNp {
            port_identity: PortIdentity {
                clock_identity: CLOCK,
                port_number: 1,
            },
            ..PortStatsNp::default()
        };
        stats.tx[MessageType::Announce as usize] = 12;
        let text = show(
            1,
            ManagementId::PORT_STATS_NP,
            &ManagementData::PortStatsNp(stats),
        );
        let lines: Vec<&str> = text.split('\n').collect();
        assert_eq!(lines.len(), 1 + 1 + 20);
        assert_eq!(
            lines[1],
            "\t\tportIdentity              001122.fffe.334455-1"
        );
        assert_eq!(lines[8], "\t\trx_Pdelay_Resp_Follow_Up  0");
        assert_eq!(lines[19], "\t\ttx_Announce               12");
    }

    #[test]
    fn clock_description_in_pmcs_layout() {
        let mac = [0x02, 0xaa, 0xbb, 0x0c, 0x0d, 0x0e];
        let cd = ClockDescription {
            clock_type: ClockDescription::BOUNDARY_CLOCK,
            physical_layer_protocol: PtpText::new(b"IEEE 802.3").unwrap(),
            physical_address: &mac,
            protocol_address: PortAddress {
                network_protocol: PortAddress::UDP_IPV4,
                address: &[10, 0, 0, 2],
            },
            manufacturer_identity: [0x00, 0x1b, 0x21],
            product_description: PtpText::new(b"Acme;Clock;42").unwrap(),
            revision_data: PtpText::new(b";;").unwrap(),
            user_description: PtpText::new(b"rack 3").unwrap(),
            profile_identity: [0x00, 0x1b, 0x19, 0x00, 0x02, 0x00],
        };
        let text = show(
            1,
            ManagementId::CLOCK_DESCRIPTION,
            &ManagementData::ClockDescription(cd),
        );
        let expected = [
            "\t001122.fffe.334455-1 seq 7 RESPONSE MANAGEMENT CLOCK_DESCRIPTION ",
            "\t\tclockType             0x4000",
            "\t\tphysicalLayerProtocol IEEE 802.3",
            "\t\tphysicalAddress       02:aa:bb:0c:0d:0e",
            "\t\tprotocolAddress       1 10.0.0.2",
            "\t\tmanufacturerId        00:1b:21",
            "\t\tproductDescription    Acme;Clock;42",
            "\t\trevisionData          ;;",
            "\t\tuserDescription       rack 3",
            "\t\tprofileId             00:1b:19:00:02:00",
        ];
        assert_eq!(text.split('\n').collect::<Vec<_>>(), expected);
        // IPv6 in RFC 5952 text, an 802.3 address (or a missing one) in hex octets.
        let v6 = [0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1];
        for (protocol, address, shown) in [
            (PortAddress::UDP_IPV6, &v6[..], "2 fd00::1"),
            (PortAddress::IEEE_802_3, &mac[..], "3 02:aa:bb:0c:0d:0e"),
            (PortAddress::UDP_IPV4, &[][..], "1 "),
        ] {
            let cd = ClockDescription {
                protocol_address: PortAddress {
                    network_protocol: protocol,
                    address,
                },
                ..cd
            };
            let text = show(
                1,
                ManagementId::CLOCK_DESCRIPTION,
                &ManagementData::ClockDescription(cd),
            );
            let line = format!("\t\tprotocolAddress       {shown}");
            assert!(text.split('\n').any(|l| l == line), "{line:?} in\n{text}");
        }
    }

    #[test]
    fn user_description_is_padded_as_pmc_pads_it() {
        let text = show(
            0,
            ManagementId::USER_DESCRIPTION,
            &ManagementData::UserDescription(PtpText::new(b"grandmaster;lab").unwrap()),
        );
        assert!(text.ends_with("USER_DESCRIPTION \n\t\tuserDescription  grandmaster;lab"));
    }

    #[test]
    fn errors_and_empty_answers_show_only_their_header() {
        let error = Tlv::ManagementErrorStatus(ManagementErrorStatus {
            error: ManagementErrorId::NOT_SUPPORTED,
            id: ManagementId::CLOCK_DESCRIPTION,
            display_data: None,
        });
        assert_eq!(
            render(&response(0, &error)).unwrap(),
            "\t001122.fffe.334455-0 seq 7 RESPONSE MANAGEMENT_ERROR_STATUS "
        );
        let empty = ManagementTlv {
            id: ManagementId::PRIORITY1,
            raw_data: &[],
        };
        assert_eq!(
            render(&response(0, &Tlv::Management(empty))).unwrap(),
            "\t001122.fffe.334455-0 seq 7 RESPONSE MANAGEMENT empty-tlv "
        );
        assert_eq!(render(&[0u8; 10]), None);
    }
}
