//! Encoding and decoding the messages of the time-transfer hot path — Sync, Follow_Up,
//! Delay_Req, Delay_Resp, Pdelay_Req, Pdelay_Resp, Pdelay_Resp_Follow_Up and Announce, the last
//! with a PATH_TRACE TLV written by `TlvWriter` — performs no heap operation.
//!
//! This file installs a counting global allocator (`densa_alloc`, which counts per thread, so
//! the test harness's own threads do not disturb the count) and measures only the codec calls:
//! buffers and inputs are prepared outside the measured closures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;

use densa_alloc::{is_active, measure, CountingAllocator};
use ptp_core::time::{LogInterval, TimeInterval};
use ptp_core::wire::{
    Announce, Body, ClockIdentity, DelayReq, DelayResp, Flags, FollowUp, Header, Message,
    PdelayReq, PdelayResp, PdelayRespFollowUp, PortIdentity, Sync, Timestamp, TlvWriter,
};

#[global_allocator]
static ALLOCATOR: CountingAllocator = CountingAllocator::system();

fn port(last: u8) -> PortIdentity {
    PortIdentity {
        clock_identity: ClockIdentity([0, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, last]),
        port_number: 1,
    }
}

fn bodies() -> Vec<Body> {
    let t = Timestamp::new(1_700_000_000, 123_456_789).unwrap();
    vec![
        Body::Sync(Sync {
            origin_timestamp: t,
        }),
        Body::FollowUp(FollowUp {
            precise_origin_timestamp: t,
        }),
        Body::DelayReq(DelayReq {
            origin_timestamp: t,
        }),
        Body::DelayResp(DelayResp {
            receive_timestamp: t,
            requesting_port_identity: port(2),
        }),
        Body::PdelayReq(PdelayReq {
            origin_timestamp: t,
        }),
        Body::PdelayResp(PdelayResp {
            request_receipt_timestamp: t,
            requesting_port_identity: port(2),
        }),
        Body::PdelayRespFollowUp(PdelayRespFollowUp {
            response_origin_timestamp: t,
            requesting_port_identity: port(2),
        }),
        Body::Announce(Announce {
            origin_timestamp: t,
            current_utc_offset: 37,
            grandmaster_identity: port(1).clock_identity,
            ..Announce::default()
        }),
    ]
}

#[test]
fn hot_path_messages_encode_and_decode_without_allocating() {
    assert!(is_active(), "the counting allocator is not installed");
    let header = Header {
        domain_number: 24,
        flags: Flags(Flags::TWO_STEP | Flags::PTP_TIMESCALE),
        correction: TimeInterval(-12_345),
        source_port_identity: port(1),
        sequence_id: 4242,
        log_message_interval: LogInterval(-3),
        ..Header::default()
    };
    let mut tlv_buf = [0u8; 64];
    let mut out = [0u8; 256];
    for body in bodies() {
        let name = body.message_type().name();
        let path = [port(1).clock_identity, port(9).clock_identity];
        let (suffix, stats) = measure(|| {
            let mut w = TlvWriter::new(&mut tlv_buf);
            if matches!(body, Body::Announce(_)) {
                w.path_trace(path).unwrap();
            }
            w.finish().unwrap()
        });
        assert!(stats.is_zero(), "{name}: writing the suffix: {stats:?}");
        let message = Message {
            header,
            body,
            suffix,
        };
        let (len, stats) = measure(|| black_box(&message).encode(&mut out).unwrap());
        assert!(stats.is_zero(), "{name}: encode: {stats:?}");
        assert_eq!(len, message.wire_len());
        let (decoded, stats) = measure(|| Message::decode(black_box(&out[..len])).unwrap());
        assert!(stats.is_zero(), "{name}: decode: {stats:?}");
        assert_eq!(decoded, message, "{name}");
        let (count, stats) = measure(|| decoded.suffix.iter().filter(|t| t.is_ok()).count());
        assert!(stats.is_zero(), "{name}: TLV iteration: {stats:?}");
        assert_eq!(
            count,
            usize::from(matches!(body, Body::Announce(_))),
            "{name}"
        );
    }
}

#[test]
fn the_counter_sees_an_allocation() {
    // Guards against a vacuous pass: the same measurement does count a heap allocation.
    let (_, stats) = measure(|| black_box(vec![0u8; 64]));
    assert!(!stats.is_zero(), "{stats:?}");
}
