//! Two engines back to back without a simulator: a grandmaster and a slave-only ordinary
//! clock that share one perfect time base, joined by a 50 µs wire, exchanging through fixed
//! buffers. One [`LoopbackPair::exchange`] is a full E2E round — Sync, Follow_Up, Delay_Req,
//! Delay_Resp with their time stamps — and nothing in it allocates, so benchmarks measure the
//! engine alone and a test can prove its message path allocation-free.

use crate::config::parse_ptp4l_conf;
use crate::engine::{
    Action, ActionSink, Instance, InstanceSettings, PortIndex, RxMeta, Timer, TimerKind, TxTag,
};
use crate::time::{Duration, Time};
use crate::wire::{ClockIdentity, PortState};

/// Messages longer than this are not kept (the E2E path sends none).
const MAX_MESSAGE: usize = 128;

/// A sink that keeps the last message sent, in a fixed buffer.
#[derive(Debug)]
struct LastSent {
    tag: Option<TxTag>,
    len: usize,
    bytes: [u8; MAX_MESSAGE],
    fresh: bool,
}

impl LastSent {
    fn new() -> Self {
        Self {
            tag: None,
            len: 0,
            bytes: [0; MAX_MESSAGE],
            fresh: false,
        }
    }

    /// The message sent since the last call, if any, copied out.
    fn take(&mut self) -> Option<(Option<TxTag>, [u8; MAX_MESSAGE], usize)> {
        if !self.fresh {
            return None;
        }
        self.fresh = false;
        Some((self.tag, self.bytes, self.len))
    }
}

impl ActionSink for LastSent {
    fn act(&mut self, action: Action<'_>) {
        if let Action::Send { tag, bytes, .. } = action {
            if let Some(slot) = self.bytes.get_mut(..bytes.len()) {
                slot.copy_from_slice(bytes);
                self.len = bytes.len();
                self.tag = tag;
                self.fresh = true;
            }
        }
    }
}

const PORT: PortIndex = PortIndex(0);
const WIRE_DELAY: Duration = Duration::from_micros(50);

fn timer(kind: TimerKind) -> Timer {
    Timer { port: PORT, kind }
}

fn instance(last: u8, text: &str) -> Option<Instance> {
    let loaded = parse_ptp4l_conf(&format!("{text}\n[eth0]\n")).ok()?;
    let id = ClockIdentity([2, 0, 0, 0xff, 0xfe, 0, 0, last]);
    Instance::new(InstanceSettings::from_config(&loaded.config, id).ok()?).ok()
}

/// A grandmaster and a slave exchanging through fixed buffers.
#[derive(Debug)]
pub struct LoopbackPair {
    /// The grandmaster (clockClass 6).
    pub gm: Instance,
    /// The slave-only ordinary clock (default servo).
    pub oc: Instance,
    gm_out: LastSent,
    oc_out: LastSent,
    now: Time,
}

impl LoopbackPair {
    /// Builds the pair, lets the grandmaster take over and the slave qualify it, and runs
    /// `warm_up` exchanges so that the slave is locked. `None` if the slave did not lock.
    pub fn locked(warm_up: usize) -> Option<Self> {
        let mut p = Self {
            gm: instance(1, "[global]\nclockClass 6\n")?,
            oc: instance(2, "[global]\nslaveOnly 1\n")?,
            gm_out: LastSent::new(),
            oc_out: LastSent::new(),
            now: Time::from_secs_nanos(1_700_000_000, 0),
        };
        p.gm.start(p.now, &mut p.gm_out);
        p.oc.start(p.now, &mut p.oc_out);
        p.gm.handle_timer(timer(TimerKind::AnnounceReceipt), p.now, &mut p.gm_out);
        for _ in 0..4 {
            p.gm_out.take();
            p.gm.handle_timer(timer(TimerKind::Announce), p.now, &mut p.gm_out);
            let (_, announce, len) = p.gm_out.take()?;
            let rx = RxMeta::default();
            p.oc.handle_message(PORT, announce.get(..len)?, rx, p.now, &mut p.oc_out);
            p.now += Duration::from_secs(1);
        }
        for _ in 0..warm_up {
            p.exchange()?;
        }
        let state = p.oc.port_ds(PORT)?.port_state;
        (state == PortState::Slave).then_some(p)
    }

    /// Hands the grandmaster's last message to the slave, received `WIRE_DELAY` after `sent`.
    fn deliver_to_oc(&mut self, sent: Time) -> Option<()> {
        let (_, bytes, len) = self.gm_out.take()?;
        let rx = RxMeta {
            timestamp: Some(sent + WIRE_DELAY),
            source: None,
        };
        self.oc
            .handle_message(PORT, bytes.get(..len)?, rx, self.now, &mut self.oc_out);
        Some(())
    }

    /// One Sync/Follow_Up/Delay_Req/Delay_Resp exchange, one second after the last. `None`
    /// if an expected message was not sent.
    pub fn exchange(&mut self) -> Option<()> {
        self.now += Duration::from_secs(1);
        let t1 = self.now;
        self.gm
            .handle_timer(timer(TimerKind::Sync), t1, &mut self.gm_out);
        let sync_tag = self.gm_out.tag?;
        self.deliver_to_oc(t1)?;
        self.gm
            .handle_tx_timestamp(PORT, sync_tag, t1, &mut self.gm_out);
        self.deliver_to_oc(t1)?;
        let t3 = t1 + Duration::from_millis(10);
        self.oc
            .handle_timer(timer(TimerKind::DelayReq), t3, &mut self.oc_out);
        let (tag, req, len) = self.oc_out.take()?;
        self.oc
            .handle_tx_timestamp(PORT, tag?, t3, &mut self.oc_out);
        let rx = RxMeta {
            timestamp: Some(t3 + WIRE_DELAY),
            source: None,
        };
        self.gm
            .handle_message(PORT, req.get(..len)?, rx, t3, &mut self.gm_out);
        self.deliver_to_oc(t3)
    }
}
