//! Engine cost: one full E2E exchange — Sync, Follow_Up, Delay_Req, Delay_Resp — through two
//! engine instances (a grandmaster and a slave-only ordinary clock), including decoding,
//! encoding, the delay filter and the servo. Time stamps are exact, so the slave stays in its
//! locked state.
//!
//! Run with `cargo bench -p ptp-benches --bench engine`.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use ptp_core::config::parse_ptp4l_conf;
use ptp_core::engine::{
    Action, ActionSink, Instance, InstanceSettings, PortIndex, RxMeta, Timer, TimerKind, TxTag,
};
use ptp_core::time::{Duration, Time};
use ptp_core::wire::{ClockIdentity, PortState};

/// Keeps the messages an input produced, in fixed buffers: no allocation while measuring.
struct Capture {
    messages: [(Option<TxTag>, usize, [u8; 128]); 4],
    count: usize,
}

impl Capture {
    fn new() -> Self {
        Self {
            messages: [(None, 0, [0; 128]); 4],
            count: 0,
        }
    }

    /// The first message captured since the last call, if any (tag, bytes).
    fn take(&mut self) -> Option<(Option<TxTag>, &[u8])> {
        if self.count == 0 {
            return None;
        }
        self.count = 0;
        let (tag, len, buf) = &self.messages[0];
        Some((*tag, &buf[..*len]))
    }
}

impl ActionSink for Capture {
    fn act(&mut self, action: Action<'_>) {
        if let Action::Send { tag, bytes, .. } = action {
            if let Some(slot) = self.messages.get_mut(self.count) {
                slot.0 = tag;
                slot.1 = bytes.len().min(128);
                slot.2[..slot.1].copy_from_slice(&bytes[..slot.1]);
                self.count += 1;
            }
        }
    }
}

fn instance(n: u8, text: &str) -> Instance {
    let loaded = parse_ptp4l_conf(&format!("{text}\n[eth0]\n")).unwrap();
    let id = ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, n]);
    Instance::new(InstanceSettings::from_config(&loaded.config, id).unwrap()).unwrap()
}

const PORT: PortIndex = PortIndex(0);

fn timer(kind: TimerKind) -> Timer {
    Timer { port: PORT, kind }
}

/// Both clocks read the same time; the link takes 50 µs each way.
struct Pair {
    gm: Instance,
    oc: Instance,
    gm_out: Capture,
    oc_out: Capture,
    now: Time,
}

const DELAY: Duration = Duration::from_micros(50);

impl Pair {
    fn new() -> Self {
        let mut p = Self {
            gm: instance(1, "[global]\nclockClass 6\n"),
            oc: instance(2, "[global]\nslaveOnly 1\n"),
            gm_out: Capture::new(),
            oc_out: Capture::new(),
            now: Time::from_secs_nanos(1_700_000_000, 0),
        };
        p.gm.start(p.now, &mut p.gm_out);
        p.oc.start(p.now, &mut p.oc_out);
        // The grandmaster hears no one and takes over; the slave qualifies it.
        p.gm.handle_timer(timer(TimerKind::AnnounceReceipt), p.now, &mut p.gm_out);
        for _ in 0..4 {
            p.gm_out.count = 0;
            p.gm.handle_timer(timer(TimerKind::Announce), p.now, &mut p.gm_out);
            let (_, announce) = p.gm_out.take().unwrap();
            let rx = RxMeta::default();
            p.oc.handle_message(PORT, announce, rx, p.now, &mut p.oc_out);
            p.now += Duration::from_secs(1);
        }
        p.oc_out.count = 0;
        p
    }

    fn deliver_to_oc(&mut self, from_gm_at: Time) {
        let (_, bytes) = self.gm_out.take().unwrap();
        let rx = RxMeta {
            timestamp: Some(from_gm_at + DELAY),
            source: None,
        };
        self.oc
            .handle_message(PORT, bytes, rx, self.now, &mut self.oc_out);
    }

    /// One Sync/Follow_Up/Delay_Req/Delay_Resp exchange, one second after the last.
    fn exchange(&mut self) {
        self.now += Duration::from_secs(1);
        let t1 = self.now;
        self.gm
            .handle_timer(timer(TimerKind::Sync), t1, &mut self.gm_out);
        let tag = self.gm_out.messages[0].0.unwrap();
        self.deliver_to_oc(t1);
        self.gm.handle_tx_timestamp(PORT, tag, t1, &mut self.gm_out);
        self.deliver_to_oc(t1);
        let t3 = t1 + Duration::from_millis(10);
        self.oc
            .handle_timer(timer(TimerKind::DelayReq), t3, &mut self.oc_out);
        let (tag, _) = self.oc_out.take().unwrap();
        self.oc
            .handle_tx_timestamp(PORT, tag.unwrap(), t3, &mut self.oc_out);
        let mut req = [0u8; 128];
        let (_, len, buf) = &self.oc_out.messages[0];
        req[..*len].copy_from_slice(&buf[..*len]);
        let req = &req[..*len];
        let rx = RxMeta {
            timestamp: Some(t3 + DELAY),
            source: None,
        };
        self.gm.handle_message(PORT, req, rx, t3, &mut self.gm_out);
        self.deliver_to_oc(t3);
    }
}

fn bench_exchange(c: &mut Criterion) {
    let mut pair = Pair::new();
    for _ in 0..100 {
        pair.exchange();
    }
    let state = pair.oc.port_ds(PORT).unwrap().port_state;
    assert_eq!(
        state,
        PortState::Slave,
        "the slave must be locked before measuring"
    );
    c.bench_function("engine/e2e_exchange", |b| {
        b.iter(|| black_box(&mut pair).exchange())
    });
}

criterion_group!(benches, bench_exchange);
criterion_main!(benches);
