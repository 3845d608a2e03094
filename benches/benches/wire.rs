//! Wire codec cost: decoding and encoding one Sync, Follow_Up, Delay_Resp and Announce
//! (two-step E2E, the shapes ptp4l sends; the Announce carries a one-entry PATH_TRACE TLV).
//!
//! Run with `cargo bench -p ptp-benches --bench wire`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ptp_core::time::{LogInterval, TimeInterval};
use ptp_core::wire::{
    Announce, Body, ClockIdentity, DelayResp, Flags, FollowUp, Header, Message, PortIdentity, Sync,
    Timestamp, TlvWriter,
};

fn port(last: u8) -> PortIdentity {
    PortIdentity {
        clock_identity: ClockIdentity([0, 0x11, 0x22, 0xff, 0xfe, 0x33, 0x44, last]),
        port_number: 1,
    }
}

fn header(sequence_id: u16) -> Header {
    Header {
        flags: Flags(Flags::TWO_STEP | Flags::PTP_TIMESCALE),
        correction: TimeInterval(0x1234),
        source_port_identity: port(1),
        sequence_id,
        log_message_interval: LogInterval(0),
        ..Header::default()
    }
}

fn bench_message(c: &mut Criterion, message: &Message<'_>) {
    let name = message.message_type().name();
    let mut buf = [0u8; 128];
    let len = message.encode(&mut buf).unwrap_or_default();
    let bytes = buf.get(..len).unwrap_or_default().to_vec();
    c.bench_function(&format!("wire/decode/{name}"), |b| {
        b.iter(|| Message::decode(black_box(&bytes)))
    });
    let mut out = [0u8; 128];
    c.bench_function(&format!("wire/encode/{name}"), |b| {
        b.iter(|| black_box(message).encode(black_box(&mut out)))
    });
}

fn wire(c: &mut Criterion) {
    let t = Timestamp::new(1_700_000_000, 123_456_789).unwrap_or(Timestamp::ZERO);
    let mut tlv_buf = [0u8; 16];
    let mut w = TlvWriter::new(&mut tlv_buf);
    let path_trace = w
        .path_trace([port(1).clock_identity])
        .map(|_| ())
        .and_then(|()| w.finish())
        .unwrap_or_default();
    let messages = [
        Message::new(
            header(1),
            Body::Sync(Sync {
                origin_timestamp: Timestamp::ZERO,
            }),
        ),
        Message::new(
            header(1),
            Body::FollowUp(FollowUp {
                precise_origin_timestamp: t,
            }),
        ),
        Message::new(
            header(7),
            Body::DelayResp(DelayResp {
                receive_timestamp: t,
                requesting_port_identity: port(2),
            }),
        ),
        Message {
            header: header(3),
            body: Body::Announce(Announce {
                origin_timestamp: t,
                current_utc_offset: 37,
                grandmaster_identity: port(1).clock_identity,
                ..Announce::default()
            }),
            suffix: path_trace,
        },
    ];
    for message in &messages {
        bench_message(c, message);
    }
}

criterion_group!(benches, wire);
criterion_main!(benches);
