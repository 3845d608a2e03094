//! decode(encode(x)) == x for every typed management body, through a MANAGEMENT TLV built with
//! `ManagementTlv::build` and through a whole Management message; and decoding arbitrary data
//! for any managementId and action never panics and, when it succeeds, is stable under
//! re-encoding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::collection::vec;
use proptest::prelude::*;
use ptp_core::time::{Duration, LogInterval, TimeInterval};
use ptp_core::wire::management::{
    Action, AlternateMaster, AlternateTimeOffsetEnable, AlternateTimeOffsetName,
    AlternateTimeOffsetProperties, ClockDescription, CmldsInfoNp, CurrentDataSet, DefaultDataSet,
    DelayMechanism, ExternalGrandmasterPropertiesNp, GrandmasterSettingsNp, ManagementData,
    ManagementId, ManagementTlv, ParentDataSet, PortAddress, PortCorrectionsNp, PortDataSet,
    PortDataSetNp, PortHwclockNp, PortPropertiesNp, PortServiceStatsNp, PortStatsNp,
    PowerProfileSettingsNp, SlaveOnlyFlag, SubscribeEventsNp, SynchronizationUncertain, TimeFlags,
    TimePropertiesDataSet, TimeStatusNp, Timestamping, TransparentClockDefaultDataSet,
    TransparentClockPortDataSet, UnicastMasterEntry, UnicastMasterTableNp, UtcProperties,
};
use ptp_core::wire::{
    Body, ClockAccuracy, ClockIdentity, ClockQuality, Header, Management, Message, PortIdentity,
    PortState, PtpText, TimeSource, Timestamp, Tlv, TlvWriter, WireError,
};

/// Encodes `data` for `id`, decodes it back as a SET, a RESPONSE and inside a whole
/// Management message, and checks all three give `data`.
fn round_trip(id: ManagementId, data: ManagementData<'_>) {
    assert_eq!(data.id(), Some(id));
    let mut buf = [0u8; 4096];
    let tlv = ManagementTlv::build(id, &data, &mut buf).unwrap();
    assert!(tlv.raw_data.len().is_multiple_of(2), "{id:?}: odd length");
    for action in [Action::Set, Action::Response] {
        assert_eq!(
            ManagementData::decode(id, action, tlv.raw_data).unwrap(),
            data
        );
    }

    let mut suffix_buf = [0u8; 4096];
    let mut tw = TlvWriter::new(&mut suffix_buf);
    tw.push(&Tlv::Management(tlv)).unwrap();
    let message = Message {
        suffix: tw.finish().unwrap(),
        ..Message::new(
            Header::default(),
            Body::Management(Management {
                target_port_identity: PortIdentity::ALL,
                starting_boundary_hops: 1,
                boundary_hops: 1,
                action: Action::Response,
            }),
        )
    };
    let mut out = [0u8; 8192];
    let n = message.encode(&mut out).unwrap();
    let decoded = Message::decode(&out[..n]).unwrap();
    let Some(Ok(Tlv::Management(t))) = decoded.suffix.iter().next() else {
        panic!("{id:?}: no management TLV");
    };
    assert_eq!(t.data(Action::Response).unwrap(), data);
}

fn clock_identity() -> impl Strategy<Value = ClockIdentity> {
    any::<[u8; 8]>().prop_map(ClockIdentity)
}

fn port_identity() -> impl Strategy<Value = PortIdentity> {
    (clock_identity(), any::<u16>()).prop_map(|(clock_identity, port_number)| PortIdentity {
        clock_identity,
        port_number,
    })
}

fn clock_quality() -> impl Strategy<Value = ClockQuality> {
    (any::<u8>(), any::<u8>(), any::<u16>()).prop_map(|(c, a, v)| ClockQuality {
        clock_class: c,
        clock_accuracy: ClockAccuracy(a),
        offset_scaled_log_variance: v,
    })
}

fn port_state() -> impl Strategy<Value = PortState> {
    (1u8..=9).prop_map(|v| PortState::from_u8(v).unwrap())
}

fn interval() -> impl Strategy<Value = TimeInterval> {
    any::<i64>().prop_map(TimeInterval)
}

fn text() -> impl Strategy<Value = Vec<u8>> {
    vec(any::<u8>(), 0..=255)
}

/// Any value of a signed 96-bit ScaledNs.
fn scaled_ns() -> impl Strategy<Value = Duration> {
    (any::<i64>(), any::<u32>())
        .prop_map(|(hi, lo)| Duration::from_scaled_nanos((i128::from(hi) << 32) | i128::from(lo)))
}

fn u48() -> impl Strategy<Value = u64> {
    0u64..(1 << 48)
}

proptest! {
    #[test]
    fn one_value_bodies(v in any::<u8>(), b in any::<bool>(), i in any::<i8>()) {
        use ManagementId as Id;
        round_trip(Id::PRIORITY1, ManagementData::Priority1(v));
        round_trip(Id::PRIORITY2, ManagementData::Priority2(v));
        round_trip(Id::DOMAIN, ManagementData::Domain(v));
        round_trip(Id::SLAVE_ONLY, ManagementData::SlaveOnly(SlaveOnlyFlag(b)));
        round_trip(Id::LOG_ANNOUNCE_INTERVAL, ManagementData::LogAnnounceInterval(LogInterval(i)));
        round_trip(Id::ANNOUNCE_RECEIPT_TIMEOUT, ManagementData::AnnounceReceiptTimeout(v));
        round_trip(Id::LOG_SYNC_INTERVAL, ManagementData::LogSyncInterval(LogInterval(i)));
        round_trip(Id::VERSION_NUMBER, ManagementData::VersionNumber(v));
        round_trip(Id::CLOCK_ACCURACY, ManagementData::ClockAccuracy(ClockAccuracy(v)));
        round_trip(Id::TRACEABILITY_PROPERTIES, ManagementData::TraceabilityProperties(TimeFlags(v)));
        round_trip(Id::TIMESCALE_PROPERTIES, ManagementData::TimescaleProperties(TimeFlags(v)));
        round_trip(Id::MASTER_ONLY, ManagementData::MasterOnly(b));
        round_trip(Id::DELAY_MECHANISM, ManagementData::DelayMechanism(DelayMechanism(v)));
        round_trip(
            Id::LOG_MIN_PDELAY_REQ_INTERVAL,
            ManagementData::LogMinPdelayReqInterval(LogInterval(i)),
        );
        round_trip(
            Id::SYNCHRONIZATION_UNCERTAIN_NP,
            ManagementData::SynchronizationUncertainNp(SynchronizationUncertain(v)),
        );
        round_trip(Id::PATH_TRACE_ENABLE, ManagementData::PathTraceEnable(b));
        round_trip(Id::UNICAST_NEGOTIATION_ENABLE, ManagementData::UnicastNegotiationEnable(b));
        round_trip(
            Id::ACCEPTABLE_MASTER_TABLE_ENABLED,
            ManagementData::AcceptableMasterTableEnabled(b),
        );
        round_trip(Id::ALTERNATE_TIME_OFFSET_MAX_KEY, ManagementData::AlternateTimeOffsetMaxKey(v));
        round_trip(Id::PRIMARY_DOMAIN, ManagementData::PrimaryDomain(v));
        round_trip(
            Id::ALTERNATE_TIME_OFFSET_ENABLE,
            ManagementData::AlternateTimeOffsetEnable(AlternateTimeOffsetEnable {
                key_field: v,
                enable: b,
            }),
        );
    }

    #[test]
    fn standard_bodies_linuxptp_does_not_serve(
        (key, max_u, max_a) in (any::<u16>(), any::<u16>(), any::<u16>()),
        (secs, nanos) in (u48(), 0u32..1_000_000_000),
        (utc, flags, sync, interval, masters) in
            (any::<i16>(), any::<u8>(), any::<bool>(), any::<i8>(), any::<u8>()),
        clock in clock_identity(), port in port_identity(),
        (ports, mechanism, domain) in (any::<u16>(), any::<u8>(), any::<u8>()),
        delay in interval(),
    ) {
        use ManagementId as Id;
        round_trip(Id::INITIALIZE, ManagementData::Initialize(key));
        round_trip(Id::UNICAST_MASTER_MAX_TABLE_SIZE, ManagementData::UnicastMasterMaxTableSize(max_u));
        round_trip(
            Id::ACCEPTABLE_MASTER_MAX_TABLE_SIZE,
            ManagementData::AcceptableMasterMaxTableSize(max_a),
        );
        round_trip(Id::TIME, ManagementData::Time(Timestamp::new(secs, nanos).unwrap()));
        round_trip(Id::UTC_PROPERTIES, ManagementData::UtcProperties(UtcProperties {
            current_utc_offset: utc, flags: TimeFlags(flags),
        }));
        round_trip(Id::ALTERNATE_MASTER, ManagementData::AlternateMaster(AlternateMaster {
            transmit_alternate_multicast_sync: sync,
            log_alternate_multicast_sync_interval: LogInterval(interval),
            number_of_alternate_masters: masters,
        }));
        round_trip(
            Id::TRANSPARENT_CLOCK_DEFAULT_DATA_SET,
            ManagementData::TransparentClockDefaultDataSet(TransparentClockDefaultDataSet {
                clock_identity: clock, number_ports: ports,
                delay_mechanism: DelayMechanism(mechanism), primary_domain: domain,
            }),
        );
        round_trip(
            Id::TRANSPARENT_CLOCK_PORT_DATA_SET,
            ManagementData::TransparentClockPortDataSet(TransparentClockPortDataSet {
                port_identity: port, faulty: sync,
                log_min_pdelay_req_interval: LogInterval(interval), peer_mean_path_delay: delay,
            }),
        );
    }

    #[test]
    fn default_data_set(
        (two_step, slave_only, number_ports, priority1, priority2, domain_number) in
            (any::<bool>(), any::<bool>(), any::<u16>(), any::<u8>(), any::<u8>(), any::<u8>()),
        clock_quality in clock_quality(),
        clock_identity in clock_identity(),
    ) {
        round_trip(ManagementId::DEFAULT_DATA_SET, ManagementData::DefaultDataSet(DefaultDataSet {
            two_step, slave_only, number_ports, priority1, clock_quality, priority2,
            clock_identity, domain_number,
        }));
    }

    #[test]
    fn current_and_time_properties_data_sets(
        steps_removed in any::<u16>(), offset in interval(), delay in interval(),
        utc in any::<i16>(), flags in any::<u8>(), source in any::<u8>(),
    ) {
        round_trip(ManagementId::CURRENT_DATA_SET, ManagementData::CurrentDataSet(CurrentDataSet {
            steps_removed, offset_from_master: offset, mean_path_delay: delay,
        }));
        round_trip(
            ManagementId::TIME_PROPERTIES_DATA_SET,
            ManagementData::TimePropertiesDataSet(TimePropertiesDataSet {
                current_utc_offset: utc, flags: TimeFlags(flags), time_source: TimeSource(source),
            }),
        );
    }

    #[test]
    fn parent_data_set(
        parent in port_identity(), stats in any::<bool>(), variance in any::<u16>(),
        rate in any::<i32>(), (p1, p2) in (any::<u8>(), any::<u8>()), quality in clock_quality(),
        gm in clock_identity(),
    ) {
        round_trip(ManagementId::PARENT_DATA_SET, ManagementData::ParentDataSet(ParentDataSet {
            parent_port_identity: parent,
            parent_stats: stats,
            observed_parent_offset_scaled_log_variance: variance,
            observed_parent_clock_phase_change_rate: rate,
            grandmaster_priority1: p1,
            grandmaster_clock_quality: quality,
            grandmaster_priority2: p2,
            grandmaster_identity: gm,
        }));
    }

    #[test]
    fn port_data_set(
        port in port_identity(), state in port_state(), delay in interval(),
        (dr, ann, sync, pdr) in (any::<i8>(), any::<i8>(), any::<i8>(), any::<i8>()),
        (timeout, mechanism, version) in (any::<u8>(), any::<u8>(), any::<u8>()),
    ) {
        round_trip(ManagementId::PORT_DATA_SET, ManagementData::PortDataSet(PortDataSet {
            port_identity: port,
            port_state: state,
            log_min_delay_req_interval: LogInterval(dr),
            peer_mean_path_delay: delay,
            log_announce_interval: LogInterval(ann),
            announce_receipt_timeout: timeout,
            log_sync_interval: LogInterval(sync),
            delay_mechanism: DelayMechanism(mechanism),
            log_min_pdelay_req_interval: LogInterval(pdr),
            version_number: version,
        }));
    }

    #[test]
    fn texts_user_description_and_alternate_time_offsets(
        t in text(), key in any::<u8>(), (offset, jump) in (any::<i32>(), any::<i32>()),
        next in u48(),
    ) {
        let t = PtpText::new(&t).unwrap();
        round_trip(ManagementId::USER_DESCRIPTION, ManagementData::UserDescription(t));
        round_trip(
            ManagementId::ALTERNATE_TIME_OFFSET_NAME,
            ManagementData::AlternateTimeOffsetName(AlternateTimeOffsetName {
                key_field: key, display_name: t,
            }),
        );
        round_trip(
            ManagementId::ALTERNATE_TIME_OFFSET_PROPERTIES,
            ManagementData::AlternateTimeOffsetProperties(AlternateTimeOffsetProperties {
                key_field: key, current_offset: offset, jump_seconds: jump, time_of_next_jump: next,
            }),
        );
    }

    #[test]
    fn clock_description(
        clock_type in any::<u16>(),
        (phy, product, revision, user) in (text(), text(), text(), text()),
        mac in vec(any::<u8>(), 0..=16), proto in any::<u16>(), addr in vec(any::<u8>(), 0..=16),
        oui in any::<[u8; 3]>(), profile in any::<[u8; 6]>(),
    ) {
        round_trip(
            ManagementId::CLOCK_DESCRIPTION,
            ManagementData::ClockDescription(ClockDescription {
                clock_type,
                physical_layer_protocol: PtpText::new(&phy).unwrap(),
                physical_address: &mac,
                protocol_address: PortAddress { network_protocol: proto, address: &addr },
                manufacturer_identity: oui,
                product_description: PtpText::new(&product).unwrap(),
                revision_data: PtpText::new(&revision).unwrap(),
                user_description: PtpText::new(&user).unwrap(),
                profile_identity: profile,
            }),
        );
    }

    #[test]
    fn time_status_np(
        offset in any::<i64>(), ingress in any::<i64>(),
        (rate, phase_rate) in (any::<i32>(), any::<i32>()), base in any::<u16>(),
        phase in scaled_ns(), present in any::<bool>(), gm in clock_identity(),
    ) {
        round_trip(ManagementId::TIME_STATUS_NP, ManagementData::TimeStatusNp(TimeStatusNp {
            master_offset: Duration::from_nanos(offset),
            ingress_time_ns: ingress,
            cumulative_scaled_rate_offset: rate,
            scaled_last_gm_phase_change: phase_rate,
            gm_time_base_indicator: base,
            last_gm_phase_change: phase,
            gm_present: present,
            gm_identity: gm,
        }));
    }

    #[test]
    fn clock_np_settings(
        quality in clock_quality(), utc in any::<i16>(), (flags, source) in (any::<u8>(), any::<u8>()),
        duration in any::<u16>(), bitmask in any::<[u8; 32]>(),
        power in (any::<u16>(), any::<u16>(), any::<u32>(), any::<u32>(), any::<u32>()),
        gm in clock_identity(), steps in any::<u16>(),
    ) {
        round_trip(
            ManagementId::GRANDMASTER_SETTINGS_NP,
            ManagementData::GrandmasterSettingsNp(GrandmasterSettingsNp {
                clock_quality: quality, current_utc_offset: utc,
                time_flags: TimeFlags(flags), time_source: TimeSource(source),
            }),
        );
        let mut full = [0u8; SubscribeEventsNp::BITMASK_LEN];
        full[..32].copy_from_slice(&bitmask);
        full[32..].copy_from_slice(&bitmask);
        round_trip(
            ManagementId::SUBSCRIBE_EVENTS_NP,
            ManagementData::SubscribeEventsNp(SubscribeEventsNp { duration_secs: duration, bitmask: full }),
        );
        round_trip(
            ManagementId::POWER_PROFILE_SETTINGS_NP,
            ManagementData::PowerProfileSettingsNp(PowerProfileSettingsNp {
                version: power.0, grandmaster_id: power.1, grandmaster_time_inaccuracy: power.2,
                network_time_inaccuracy: power.3, total_time_inaccuracy: power.4,
            }),
        );
        round_trip(
            ManagementId::EXTERNAL_GRANDMASTER_PROPERTIES_NP,
            ManagementData::ExternalGrandmasterPropertiesNp(ExternalGrandmasterPropertiesNp {
                gm_identity: gm, steps_removed: steps,
            }),
        );
    }

    #[test]
    fn port_np_bodies(
        port in port_identity(), state in port_state(), ts in any::<u8>(), iface in text(),
        thresh in any::<u32>(), capable in any::<bool>(),
        (phc, flags) in (any::<i32>(), any::<u8>()),
        (delay, ratio) in (interval(), any::<i32>()),
        (egress, ingress, asym) in (interval(), interval(), interval()),
    ) {
        round_trip(
            ManagementId::PORT_PROPERTIES_NP,
            ManagementData::PortPropertiesNp(PortPropertiesNp {
                port_identity: port, port_state: state, timestamping: Timestamping(ts),
                interface: PtpText::new(&iface).unwrap(),
            }),
        );
        round_trip(
            ManagementId::PORT_DATA_SET_NP,
            ManagementData::PortDataSetNp(PortDataSetNp {
                neighbor_prop_delay_thresh_ns: thresh, as_capable: capable,
            }),
        );
        round_trip(
            ManagementId::PORT_HWCLOCK_NP,
            ManagementData::PortHwclockNp(PortHwclockNp { port_identity: port, phc_index: phc, flags }),
        );
        round_trip(
            ManagementId::CMLDS_INFO_NP,
            ManagementData::CmldsInfoNp(CmldsInfoNp {
                mean_link_delay: delay, scaled_neighbor_rate_ratio: ratio, as_capable: capable,
            }),
        );
        round_trip(
            ManagementId::PORT_CORRECTIONS_NP,
            ManagementData::PortCorrectionsNp(PortCorrectionsNp {
                egress_latency: egress, ingress_latency: ingress, delay_asymmetry: asym,
            }),
        );
    }

    #[test]
    fn port_statistics(
        port in port_identity(), rx in any::<[u64; 16]>(), tx in any::<[u64; 16]>(),
        s in any::<[u64; 10]>(),
    ) {
        round_trip(ManagementId::PORT_STATS_NP, ManagementData::PortStatsNp(PortStatsNp {
            port_identity: port, rx, tx,
        }));
        round_trip(
            ManagementId::PORT_SERVICE_STATS_NP,
            ManagementData::PortServiceStatsNp(PortServiceStatsNp {
                port_identity: port,
                announce_timeout: s[0],
                sync_timeout: s[1],
                delay_timeout: s[2],
                unicast_service_timeout: s[3],
                unicast_request_timeout: s[4],
                master_announce_timeout: s[5],
                master_sync_timeout: s[6],
                qualification_timeout: s[7],
                sync_mismatch: s[8],
                followup_mismatch: s[9],
            }),
        );
    }

    #[test]
    fn unicast_master_table(
        rows in vec(
            (port_identity(), clock_quality(), any::<bool>(), any::<[u8; 3]>(), any::<u16>(),
             vec(any::<u8>(), 0..=16)),
            0..8,
        ),
    ) {
        let entries: Vec<UnicastMasterEntry<'_>> = rows
            .iter()
            .map(|(port, quality, selected, [state, p1, p2], proto, addr)| UnicastMasterEntry {
                port_identity: *port,
                clock_quality: *quality,
                selected: *selected,
                port_state: *state,
                priority1: *p1,
                priority2: *p2,
                address: PortAddress { network_protocol: *proto, address: addr },
            })
            .collect();
        let mut buf = [0u8; 1024];
        let table = UnicastMasterTableNp::build(&mut buf, entries.iter().copied()).unwrap();
        prop_assert_eq!(table.len(), entries.len());
        prop_assert_eq!(table.entries().collect::<Vec<_>>(), entries);
        round_trip(
            ManagementId::UNICAST_MASTER_TABLE_NP,
            ManagementData::UnicastMasterTableNp(table),
        );
    }

    /// Any data for any ID and action: decoding does not panic, and what it accepts
    /// re-encodes to data that decodes to the same value.
    #[test]
    fn decoding_anything_is_stable(
        pick in any::<prop::sample::Index>(), other in any::<u16>(), known in any::<bool>(),
        action in 0u8..5, data in vec(any::<u8>(), 0..300), sizing in 0u8..3,
    ) {
        let id = if known { *pick.get(ManagementId::ALL) } else { ManagementId(other) };
        let action = Action::from_u8(action).unwrap();
        // Mostly sizes a body can have: exactly the fixed/empty size, or a little more.
        let len = match sizing {
            0 => data.len(),
            1 => id.get_data_len(),
            _ => id.get_data_len() + data.len() % 40,
        };
        let data = &data[..len.min(data.len())];
        if let Ok(value) = ManagementData::decode(id, action, data) {
            let mut buf = [0u8; 1024];
            let tlv = ManagementTlv::build(id, &value, &mut buf).unwrap();
            prop_assert_eq!(ManagementData::decode(id, action, tlv.raw_data).unwrap(), value);
        }
    }
}

#[test]
fn build_rejects_a_body_of_another_id() {
    let mut buf = [0u8; 16];
    assert!(matches!(
        ManagementTlv::build(
            ManagementId::PRIORITY2,
            &ManagementData::Priority1(1),
            &mut buf
        ),
        Err(WireError::InvalidValue { .. })
    ));
}

#[test]
fn get_requests_round_trip_in_both_forms() {
    let zeros = [0u8; 300];
    for id in ManagementId::ALL {
        let n = id.get_data_len();
        let forms = if n == 0 {
            vec![ManagementData::Empty]
        } else {
            vec![
                ManagementData::Empty,
                ManagementData::GetPlaceholder(&zeros[..n]),
            ]
        };
        for data in forms {
            let mut buf = [0u8; 300];
            let tlv = ManagementTlv::build(*id, &data, &mut buf).unwrap();
            assert_eq!(
                ManagementData::decode(*id, Action::Get, tlv.raw_data).unwrap(),
                data
            );
        }
    }
}
