//! Property tests of the wire codec: random headers (every field, every flag bit), every
//! message body and every TLV this codec types — except MANAGEMENT, whose typed bodies
//! `wire_roundtrip_management.rs` covers — round-trip: decode(encode(x)) == x and
//! encode(decode(bytes)) == bytes. Plus one test per way a buffer can be bad, each expecting
//! its typed [`WireError`], and the fuzz targets' checks on arbitrary and mutated golden bytes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod support;

use std::path::PathBuf;
use std::sync::LazyLock;

use proptest::prelude::*;
use proptest::sample::Index;
use ptp_core::time::{Duration, LogInterval, TimeInterval};
use ptp_core::wire::management::{Action, ManagementErrorId, ManagementErrorStatus, ManagementId};
use ptp_core::wire::tlv::{
    AcknowledgeCancelUnicastTransmission, AlternateTimeOffsetIndicator, CancelUnicastTransmission,
    FollowUpInformation, GrantUnicastTransmission, OrganizationExtension, PathTrace,
    RequestUnicastTransmission,
};
use ptp_core::wire::{
    Announce, Body, ClockAccuracy, ClockIdentity, ClockQuality, DelayReq, DelayResp, Flags,
    FollowUp, Header, Management, Message, MessageType, PdelayReq, PdelayResp, PdelayRespFollowUp,
    PortIdentity, PtpText, Signaling, Sync, TimeSource, Timestamp, Tlv, TlvType, TlvWriter, Tlvs,
    WireError,
};

// ---------------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------------

fn clock_identity() -> impl Strategy<Value = ClockIdentity> {
    any::<[u8; 8]>().prop_map(ClockIdentity)
}

fn port_identity() -> impl Strategy<Value = PortIdentity> {
    (clock_identity(), any::<u16>()).prop_map(|(clock_identity, port_number)| PortIdentity {
        clock_identity,
        port_number,
    })
}

fn timestamp() -> impl Strategy<Value = Timestamp> {
    (0..=Timestamp::MAX_SECONDS, 0..1_000_000_000u32)
        .prop_map(|(s, ns)| Timestamp::new(s, ns).unwrap())
}

fn header() -> impl Strategy<Value = Header> {
    (
        (0..16u8, 0..16u8, any::<u8>(), any::<u8>(), any::<u16>()),
        (any::<i64>(), any::<u32>(), port_identity()),
        (any::<u16>(), any::<u8>(), any::<i8>()),
    )
        .prop_map(
            |(
                (major_sdo_id, minor_version_ptp, domain_number, minor_sdo_id, flags),
                (correction, message_type_specific, source_port_identity),
                (sequence_id, control_field, log_message_interval),
            )| Header {
                major_sdo_id,
                minor_version_ptp,
                domain_number,
                minor_sdo_id,
                flags: Flags(flags),
                correction: TimeInterval(correction),
                message_type_specific,
                source_port_identity,
                sequence_id,
                control_field,
                log_message_interval: LogInterval(log_message_interval),
            },
        )
}

fn action() -> impl Strategy<Value = Action> {
    prop::sample::select(vec![
        Action::Get,
        Action::Set,
        Action::Response,
        Action::Command,
        Action::Acknowledge,
    ])
}

fn announce() -> impl Strategy<Value = Announce> {
    (
        (timestamp(), any::<i16>(), any::<u8>(), any::<u8>()),
        (any::<u8>(), any::<u8>(), any::<u16>()),
        (clock_identity(), any::<u16>(), any::<u8>()),
    )
        .prop_map(
            |(
                (origin_timestamp, current_utc_offset, p1, p2),
                (clock_class, accuracy, variance),
                (grandmaster_identity, steps_removed, time_source),
            )| Announce {
                origin_timestamp,
                current_utc_offset,
                grandmaster_priority_1: p1,
                grandmaster_clock_quality: ClockQuality {
                    clock_class,
                    clock_accuracy: ClockAccuracy(accuracy),
                    offset_scaled_log_variance: variance,
                },
                grandmaster_priority_2: p2,
                grandmaster_identity,
                steps_removed,
                time_source: TimeSource(time_source),
            },
        )
}

/// Every body variant.
fn body() -> impl Strategy<Value = Body> {
    prop_oneof![
        timestamp().prop_map(|origin_timestamp| Body::Sync(Sync { origin_timestamp })),
        timestamp().prop_map(|origin_timestamp| Body::DelayReq(DelayReq { origin_timestamp })),
        timestamp().prop_map(|origin_timestamp| Body::PdelayReq(PdelayReq { origin_timestamp })),
        (timestamp(), port_identity()).prop_map(|(t, p)| Body::PdelayResp(PdelayResp {
            request_receipt_timestamp: t,
            requesting_port_identity: p,
        })),
        timestamp().prop_map(|t| Body::FollowUp(FollowUp {
            precise_origin_timestamp: t
        })),
        (timestamp(), port_identity()).prop_map(|(t, p)| Body::DelayResp(DelayResp {
            receive_timestamp: t,
            requesting_port_identity: p,
        })),
        (timestamp(), port_identity()).prop_map(|(t, p)| Body::PdelayRespFollowUp(
            PdelayRespFollowUp {
                response_origin_timestamp: t,
                requesting_port_identity: p,
            }
        )),
        announce().prop_map(Body::Announce),
        port_identity().prop_map(|target_port_identity| Body::Signaling(Signaling {
            target_port_identity
        })),
        (port_identity(), any::<u8>(), any::<u8>(), action()).prop_map(|(t, s, b, a)| {
            Body::Management(Management {
                target_port_identity: t,
                starting_boundary_hops: s,
                boundary_hops: b,
                action: a,
            })
        }),
    ]
}

/// A TLV with owned contents; [`TlvSpec::tlv`] borrows the [`Tlv`] it stands for.
#[derive(Debug, Clone)]
enum TlvSpec {
    Request(RequestUnicastTransmission),
    Grant(GrantUnicastTransmission),
    Cancel(CancelUnicastTransmission),
    AcknowledgeCancel(AcknowledgeCancelUnicastTransmission),
    PathTrace(Vec<u8>),
    AlternateTimeOffset {
        key_field: u8,
        current_offset: i32,
        jump_seconds: i32,
        time_of_next_jump: u64,
        display_name: Vec<u8>,
    },
    FollowUpInformation(FollowUpInformation),
    OrganizationExtension {
        tlv_type: TlvType,
        organization_id: [u8; 3],
        organization_sub_type: u32,
        data: Vec<u8>,
    },
    Other(TlvType, Vec<u8>),
    ErrorStatus {
        error: u16,
        id: u16,
        display_data: Option<Vec<u8>>,
    },
}

impl TlvSpec {
    fn tlv(&self) -> Tlv<'_> {
        match self {
            Self::Request(t) => Tlv::RequestUnicastTransmission(*t),
            Self::Grant(t) => Tlv::GrantUnicastTransmission(*t),
            Self::Cancel(t) => Tlv::CancelUnicastTransmission(*t),
            Self::AcknowledgeCancel(t) => Tlv::AcknowledgeCancelUnicastTransmission(*t),
            Self::PathTrace(ids) => Tlv::PathTrace(PathTrace::new(ids).unwrap()),
            Self::AlternateTimeOffset {
                key_field,
                current_offset,
                jump_seconds,
                time_of_next_jump,
                display_name,
            } => Tlv::AlternateTimeOffsetIndicator(AlternateTimeOffsetIndicator {
                key_field: *key_field,
                current_offset: *current_offset,
                jump_seconds: *jump_seconds,
                time_of_next_jump: *time_of_next_jump,
                display_name: PtpText::new(display_name).unwrap(),
            }),
            Self::FollowUpInformation(f) => Tlv::FollowUpInformation(*f),
            Self::OrganizationExtension {
                tlv_type,
                organization_id,
                organization_sub_type,
                data,
            } => Tlv::OrganizationExtension(OrganizationExtension {
                tlv_type: *tlv_type,
                organization_id: *organization_id,
                organization_sub_type: *organization_sub_type,
                data,
            }),
            Self::Other(tlv_type, value) => Tlv::Other {
                tlv_type: *tlv_type,
                value,
            },
            Self::ErrorStatus {
                error,
                id,
                display_data,
            } => Tlv::ManagementErrorStatus(ManagementErrorStatus {
                error: ManagementErrorId(*error),
                id: ManagementId(*id),
                display_data: display_data.as_deref().map(|t| PtpText::new(t).unwrap()),
            }),
        }
    }
}

fn message_type() -> impl Strategy<Value = MessageType> {
    prop::sample::select(MessageType::ALL.to_vec())
}

fn text() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..=255)
}

/// The TLV types the codec decodes into a typed variant; [`Tlv::Other`] has any other.
fn is_typed(t: TlvType) -> bool {
    (0x0001..=0x0009).contains(&t.0) || t.is_organization_extension()
}

/// Every non-management TLV variant.
fn tlv_spec() -> impl Strategy<Value = TlvSpec> {
    let scaled_ns_max: i128 = (1 << 95) - 1;
    prop_oneof![
        (message_type(), any::<i8>(), any::<u32>()).prop_map(|(m, l, d)| TlvSpec::Request(
            RequestUnicastTransmission {
                message_type: m,
                log_inter_message_period: LogInterval(l),
                duration_secs: d,
            }
        )),
        (message_type(), any::<i8>(), any::<u32>(), any::<bool>()).prop_map(|(m, l, d, r)| {
            TlvSpec::Grant(GrantUnicastTransmission {
                message_type: m,
                log_inter_message_period: LogInterval(l),
                duration_secs: d,
                renewal_invited: r,
            })
        }),
        message_type()
            .prop_map(|message_type| TlvSpec::Cancel(CancelUnicastTransmission { message_type })),
        message_type().prop_map(|message_type| TlvSpec::AcknowledgeCancel(
            AcknowledgeCancelUnicastTransmission { message_type }
        )),
        prop::collection::vec(any::<[u8; 8]>(), 0..8)
            .prop_map(|ids| TlvSpec::PathTrace(ids.concat())),
        (
            any::<u8>(),
            any::<i32>(),
            any::<i32>(),
            0..=Timestamp::MAX_SECONDS,
            text()
        )
            .prop_map(|(k, c, j, t, n)| TlvSpec::AlternateTimeOffset {
                key_field: k,
                current_offset: c,
                jump_seconds: j,
                time_of_next_jump: t,
                display_name: n,
            }),
        (
            any::<i32>(),
            any::<u16>(),
            -scaled_ns_max - 1..=scaled_ns_max,
            any::<i32>()
        )
            .prop_map(
                |(r, g, p, f)| TlvSpec::FollowUpInformation(FollowUpInformation {
                    cumulative_scaled_rate_offset: r,
                    gm_time_base_indicator: g,
                    last_gm_phase_change: Duration::from_scaled_nanos(p),
                    scaled_last_gm_freq_change: f,
                })
            ),
        (
            prop::sample::select(vec![
                TlvType::ORGANIZATION_EXTENSION,
                TlvType::ORGANIZATION_EXTENSION_PROPAGATE,
                TlvType::ORGANIZATION_EXTENSION_DO_NOT_PROPAGATE,
            ]),
            // Half the time 802.1's OUI, so subtypes other than 1 and the other types get it.
            prop_oneof![Just(FollowUpInformation::ORGANIZATION_ID), any::<[u8; 3]>()],
            prop_oneof![0..4u32, 0..1u32 << 24],
            prop::collection::vec(any::<u8>(), 0..40),
        )
            .prop_filter("that is the follow-up information TLV", |(t, o, s, _)| {
                *t != TlvType::ORGANIZATION_EXTENSION
                    || *o != FollowUpInformation::ORGANIZATION_ID
                    || *s != FollowUpInformation::SUB_TYPE
            })
            .prop_map(|(t, o, s, d)| TlvSpec::OrganizationExtension {
                tlv_type: t,
                organization_id: o,
                organization_sub_type: s,
                data: d,
            }),
        (any::<u16>(), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(t, v)| (TlvType(t), v))
            .prop_filter("typed TLV type", |(t, _)| !is_typed(*t))
            .prop_map(|(t, v)| TlvSpec::Other(t, v)),
        (any::<u16>(), any::<u16>(), prop::option::of(text())).prop_map(|(e, i, d)| {
            TlvSpec::ErrorStatus {
                error: e,
                id: i,
                display_data: d,
            }
        }),
    ]
}

/// A management error status TLV: what a Management message built here starts its suffix with
/// (MANAGEMENT TLVs and their typed data are `wire_roundtrip_management.rs`'s subject).
fn error_status() -> impl Strategy<Value = TlvSpec> {
    (any::<u16>(), any::<u16>(), prop::option::of(text())).prop_map(|(e, i, d)| {
        TlvSpec::ErrorStatus {
            error: e,
            id: i,
            display_data: d,
        }
    })
}

/// A header, a body and the TLVs of its suffix.
fn message_parts() -> impl Strategy<Value = (Header, Body, Vec<TlvSpec>)> {
    (
        header(),
        body(),
        error_status(),
        prop::collection::vec(tlv_spec(), 0..4),
    )
        .prop_map(|(header, body, status, mut tlvs)| {
            if matches!(body, Body::Management(_)) {
                tlvs.insert(0, status);
            }
            (header, body, tlvs)
        })
}

/// Writes `tlvs` with [`TlvWriter`] into `buf`.
fn suffix<'b>(buf: &'b mut [u8], tlvs: &[TlvSpec]) -> Tlvs<'b> {
    let mut w = TlvWriter::new(buf);
    for t in tlvs {
        w.push(&t.tlv()).unwrap();
    }
    w.finish().unwrap()
}

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn messages_round_trip((header, body, tlvs) in message_parts()) {
        let mut tlv_buf = vec![0u8; 4096];
        let message = Message { header, body, suffix: suffix(&mut tlv_buf, &tlvs) };
        let mut buf = vec![0u8; Message::MAX_LEN];
        let len = message.encode(&mut buf).unwrap();
        prop_assert_eq!(len, message.wire_len());
        let bytes = &buf[..len];
        let decoded = Message::decode(bytes).unwrap();
        prop_assert_eq!(decoded, message);
        // The suffix's TLVs decode to what was written.
        let back: Vec<Tlv<'_>> = decoded.suffix.iter().map(Result::unwrap).collect();
        let sent: Vec<Tlv<'_>> = tlvs.iter().map(TlvSpec::tlv).collect();
        prop_assert_eq!(back, sent);
        // encode(decode(bytes)) == bytes.
        let mut again = vec![0u8; len];
        prop_assert_eq!(decoded.encode(&mut again).unwrap(), len);
        prop_assert_eq!(&again[..], bytes);
    }

    #[test]
    fn tlvs_round_trip(spec in tlv_spec()) {
        let tlv = spec.tlv();
        let mut buf = vec![0u8; 1024];
        let mut w = TlvWriter::new(&mut buf);
        w.push(&tlv).unwrap();
        let written = w.finish().unwrap();
        let bytes = written.as_bytes().to_vec();
        let mut tlvs = written.iter();
        let back = tlvs.next().unwrap().unwrap();
        prop_assert_eq!(back, tlv);
        prop_assert!(tlvs.next().is_none());
        // Re-encoding the decoded TLV gives the same bytes.
        let mut again = vec![0u8; 1024];
        let mut w = TlvWriter::new(&mut again);
        w.push(&back).unwrap();
        prop_assert_eq!(w.finish().unwrap().as_bytes(), &bytes[..]);
    }

    #[test]
    fn encoding_into_a_short_buffer_fails_cleanly(
        (header, body, tlvs) in message_parts(),
        cut in any::<Index>(),
    ) {
        let mut tlv_buf = vec![0u8; 4096];
        let message = Message { header, body, suffix: suffix(&mut tlv_buf, &tlvs) };
        let mut buf = vec![0u8; cut.index(message.wire_len())];
        let err = message.encode(&mut buf).unwrap_err();
        prop_assert!(matches!(err, WireError::BufferTooSmall { .. }), "{err:?}");
    }
}

#[test]
fn every_flag_bit_round_trips_alone() {
    for bit in 0..16 {
        let header = Header {
            flags: Flags(1 << bit),
            ..Header::default()
        };
        let message = Message::new(header, Body::Sync(Sync::default()));
        let mut buf = [0u8; 64];
        let len = message.encode(&mut buf).unwrap();
        assert_eq!(buf[6..8], (1u16 << bit).to_be_bytes(), "bit {bit}");
        assert_eq!(
            Message::decode(&buf[..len]).unwrap().header.flags,
            Flags(1 << bit)
        );
    }
    let named = [
        (
            Flags::ALTERNATE_MASTER,
            Flags::alternate_master as fn(Flags) -> bool,
        ),
        (Flags::TWO_STEP, Flags::two_step),
        (Flags::UNICAST, Flags::unicast),
        (Flags::LEAP_61, Flags::leap61),
        (Flags::LEAP_59, Flags::leap59),
        (Flags::UTC_OFFSET_VALID, Flags::utc_offset_valid),
        (Flags::PTP_TIMESCALE, Flags::ptp_timescale),
        (Flags::TIME_TRACEABLE, Flags::time_traceable),
        (Flags::FREQUENCY_TRACEABLE, Flags::frequency_traceable),
        (
            Flags::SYNCHRONIZATION_UNCERTAIN,
            Flags::synchronization_uncertain,
        ),
    ];
    for (mask, get) in named {
        assert!(get(Flags(mask)), "{mask:#06x}");
        assert!(!get(Flags(!mask)), "{mask:#06x}");
    }
}

// ---------------------------------------------------------------------------------------------
// Bad input
// ---------------------------------------------------------------------------------------------

fn header_only() -> Header {
    Header {
        source_port_identity: PortIdentity {
            clock_identity: ClockIdentity([1, 2, 3, 4, 5, 6, 7, 8]),
            port_number: 1,
        },
        ..Header::default()
    }
}

fn encoded(body: Body, tlvs: &[TlvSpec]) -> Vec<u8> {
    let mut tlv_buf = vec![0u8; 1024];
    let message = Message {
        header: header_only(),
        body,
        suffix: suffix(&mut tlv_buf, tlvs),
    };
    let mut buf = vec![0u8; 2048];
    let len = message.encode(&mut buf).unwrap();
    buf.truncate(len);
    buf
}

fn announce_bytes() -> Vec<u8> {
    encoded(Body::Announce(Announce::default()), &[])
}

fn set_length(bytes: &mut [u8], len: usize) {
    bytes[2..4].copy_from_slice(&u16::try_from(len).unwrap().to_be_bytes());
}

/// A Signaling message whose suffix is `suffix`, messageLength set to match.
fn signaling_with_suffix(suffix: &[u8]) -> Vec<u8> {
    let mut bytes = encoded(Body::Signaling(Signaling::default()), &[]);
    bytes.extend_from_slice(suffix);
    let len = bytes.len();
    set_length(&mut bytes, len);
    bytes
}

#[test]
fn truncated_header_is_reported() {
    let bytes = announce_bytes();
    for cut in 0..Header::LEN {
        let err = Message::decode(&bytes[..cut]).unwrap_err();
        assert!(
            matches!(err, WireError::Truncated { what: "header", available, .. } if available < Header::LEN),
            "cut {cut}: {err:?}"
        );
    }
}

#[test]
fn truncated_body_is_a_length_beyond_the_buffer() {
    // messageLength still claims the whole Announce: the buffer ends inside the body.
    let bytes = announce_bytes();
    for cut in Header::LEN..bytes.len() {
        assert_eq!(
            Message::decode(&bytes[..cut]),
            Err(WireError::LengthExceedsBuffer {
                declared: 64,
                available: cut
            })
        );
    }
}

#[test]
fn message_length_beyond_the_buffer_is_reported() {
    let mut bytes = encoded(Body::Sync(Sync::default()), &[]);
    set_length(&mut bytes, 45);
    assert_eq!(
        Message::decode(&bytes),
        Err(WireError::LengthExceedsBuffer {
            declared: 45,
            available: 44
        })
    );
}

#[test]
fn message_length_below_the_fixed_body_is_reported() {
    for (body, minimum) in [
        (Body::Sync(Sync::default()), 44),
        (Body::DelayResp(DelayResp::default()), 54),
        (Body::Announce(Announce::default()), 64),
    ] {
        let mut bytes = encoded(body, &[]);
        for declared in [0, 33, 34, minimum - 1] {
            set_length(&mut bytes, declared);
            assert_eq!(
                Message::decode(&bytes),
                Err(WireError::LengthTooShort {
                    declared: u16::try_from(declared).unwrap(),
                    minimum,
                    message: body.message_type().name(),
                })
            );
        }
    }
}

#[test]
fn versions_other_than_2_are_rejected() {
    let mut bytes = announce_bytes();
    for version in [0u8, 1, 3, 15] {
        // The minorVersionPTP nibble must not hide the version.
        bytes[1] = 0x10 | version;
        assert_eq!(
            Message::decode(&bytes),
            Err(WireError::UnsupportedVersion(version))
        );
    }
}

#[test]
fn reserved_message_types_are_rejected() {
    let mut bytes = announce_bytes();
    for t in [0x4u8, 0x5, 0x6, 0x7, 0xe, 0xf] {
        // With majorSdoId 1 in the upper nibble.
        bytes[0] = 0x10 | t;
        assert_eq!(
            Message::decode(&bytes),
            Err(WireError::ReservedMessageType(t))
        );
    }
}

#[test]
fn tlv_overrunning_the_message_is_reported() {
    // A 4-byte TLV head declaring 10 bytes with 6 left, after a well-formed 2-byte TLV.
    let mut suffix = vec![0x7f, 0xf0, 0, 2, 0xaa, 0xbb];
    suffix.extend_from_slice(&[0x7f, 0xf1, 0, 10, 1, 2, 3, 4, 5, 6]);
    assert_eq!(
        Message::decode(&signaling_with_suffix(&suffix)),
        Err(WireError::TlvOverrun {
            tlv_type: 0x7ff1,
            offset: 6,
            length: 10,
            available: 6
        })
    );
}

#[test]
fn unicast_tlvs_of_the_wrong_size_are_reported() {
    for (tlv_type, name, good) in [
        (0x0004u16, "REQUEST_UNICAST_TRANSMISSION", 6usize),
        (0x0005, "GRANT_UNICAST_TRANSMISSION", 8),
        (0x0006, "CANCEL_UNICAST_TRANSMISSION", 2),
        (0x0007, "ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION", 2),
    ] {
        for actual in [0, good - 1, good + 1, good + 2] {
            let mut suffix = tlv_type.to_be_bytes().to_vec();
            suffix.extend_from_slice(&u16::try_from(actual).unwrap().to_be_bytes());
            // Announce (0xB) in the messageType nibble.
            suffix.extend(
                std::iter::once(0xb0)
                    .chain(std::iter::repeat(0))
                    .take(actual),
            );
            let err = Message::decode(&signaling_with_suffix(&suffix)).unwrap_err();
            assert!(
                matches!(err, WireError::TlvBodySize { tlv, actual: a, .. } if tlv == name && a == actual),
                "{name} with {actual} bytes: {err:?}"
            );
        }
    }
}

#[test]
fn path_trace_not_a_multiple_of_8_is_reported() {
    for actual in [1usize, 7, 9, 15, 20] {
        let mut suffix = vec![0x00, 0x08, 0, u8::try_from(actual).unwrap()];
        suffix.resize(4 + actual, 0x55);
        let err = Message::decode(&signaling_with_suffix(&suffix)).unwrap_err();
        assert_eq!(
            err,
            WireError::TlvBodySize {
                tlv: "PATH_TRACE",
                expected: "expected a multiple of 8",
                actual
            }
        );
    }
}

#[test]
fn timestamps_with_a_second_or_more_of_nanoseconds_are_rejected() {
    for body in [
        Body::Sync(Sync::default()),
        Body::FollowUp(FollowUp::default()),
        Body::DelayResp(DelayResp::default()),
        Body::PdelayResp(PdelayResp::default()),
        Body::Announce(Announce::default()),
    ] {
        let mut bytes = encoded(body, &[]);
        for ns in [1_000_000_000u32, u32::MAX] {
            // The nanoseconds field follows the 6-byte seconds at the start of the body.
            bytes[Header::LEN + 6..Header::LEN + 10].copy_from_slice(&ns.to_be_bytes());
            assert_eq!(
                Message::decode(&bytes),
                Err(WireError::InvalidTimestamp(ns))
            );
        }
    }
    assert_eq!(
        Timestamp::new(0, 1_000_000_000),
        Err(WireError::InvalidTimestamp(1_000_000_000))
    );
}

#[test]
fn management_message_without_a_management_tlv_is_rejected() {
    let body = Body::Management(Management {
        target_port_identity: PortIdentity::ALL,
        starting_boundary_hops: 1,
        boundary_hops: 1,
        action: Action::Get,
    });
    let other = TlvSpec::Other(TlvType(0x7f00), vec![1, 2]);
    let path = TlvSpec::PathTrace(vec![9; 8]);
    for tlvs in [vec![], vec![other], vec![path]] {
        assert_eq!(
            Message::decode(&encoded(body, &tlvs)),
            Err(WireError::ManagementTlvMissing),
            "{tlvs:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// No panics on hostile input
// ---------------------------------------------------------------------------------------------

/// Every golden packet, as captured.
static GOLDEN: LazyLock<Vec<Vec<u8>>> = LazyLock::new(|| {
    let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut packets = Vec::new();
    for entry in std::fs::read_dir(data).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|x| x == "pcap") {
            packets.extend(
                support::pcap::ptp_payloads(&path)
                    .into_iter()
                    .map(|p| p.payload),
            );
        }
    }
    assert!(!packets.is_empty());
    packets
});

/// Runs every fuzz target's check (which decodes, walks the TLVs and round-trips what decodes)
/// on `data`: a panic or a violated property fails the test.
fn fuzz_checks_hold(data: &[u8]) -> Result<(), TestCaseError> {
    for (name, check) in ptp_core::__fuzz::TARGETS {
        check(data).map_err(|f| TestCaseError::fail(format!("{name}: {f}")))?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn decoding_arbitrary_bytes_never_panics(data in prop::collection::vec(any::<u8>(), 0..300)) {
        fuzz_checks_hold(&data)?;
    }

    #[test]
    fn decoding_mutated_golden_packets_never_panics(
        packet in any::<Index>(),
        mutations in prop::collection::vec((any::<Index>(), any::<u8>()), 0..6),
        cut in prop::option::of(any::<Index>()),
    ) {
        let mut data = packet.get(&GOLDEN).clone();
        for (at, byte) in mutations {
            let i = at.index(data.len());
            data[i] = byte;
        }
        if let Some(cut) = cut {
            data.truncate(cut.index(data.len() + 1));
        }
        fuzz_checks_hold(&data)?;
    }
}
