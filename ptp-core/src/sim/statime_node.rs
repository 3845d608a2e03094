//! [`StatimeNode`]: statime's `PtpInstance` (statime 0.4.0) hosted by the simulator, a second,
//! independent IEEE 1588 implementation for our engine to interoperate with.
//!
//! # How statime is driven
//!
//! statime is sans-IO like our engine: its ports return `PortAction`s and we call them back on
//! received messages, transmit time stamps and timers. This node
//!
//! - builds a `PtpInstance` with one port per [`StatimePortConfig`], each with statime's
//!   filter `F` (its Kalman filter unless chosen otherwise) as the servo;
//! - turns `SendEvent` into a [`NodeOutput::Send`] whose time-stamp tag maps back to the
//!   action's `TimestampContext`, `SendGeneral` into an untagged send, and each
//!   `Reset*Timer` into a [`NodeOutput::Arm`] of that port's timer (statime never cancels a
//!   timer; a port that has no use for it ignores it when it fires);
//! - hands received event messages (message types 0–3) to `handle_event_receive` with their
//!   time stamp and the rest to `handle_general_receive`, as statime's two sockets would;
//! - runs statime's BMCA over all ports, stop-the-world, every `bmca_interval()` on its own
//!   timer, as statime-linux does.
//!
//! `link_local` is ignored (segments have no addressing) and `ForwardTLV` is dropped (statime
//! can only keep a forwarded TLV beyond the call with its `std` feature, which we build
//! without), so a multi-port statime node is a boundary clock without TLV forwarding.
//!
//! # The clock
//!
//! statime wants a `Clock` object that each port owns for good, while the simulator lends a
//! node its [`Oscillator`] for one call at a time. The ports share a handle, `LentClock`,
//! into which the node puts a copy of the oscillator before each call into statime and from
//! which it takes the (possibly stepped or re-tuned) oscillator back afterwards. No simulated
//! time passes during a call, so statime sees exactly the simulator's clock.
//!
//! # statime 0.4.0 as it behaves here
//!
//! - Its clock quality is fixed (class 248, accuracy unknown, offsetScaledLogVariance
//!   0x6900), which beats ptp4l's default variance (0xFFFF) at equal priorities.
//! - A grandmaster announces PTP timescale, UTC offset unknown, internal oscillator and
//!   nothing traceable, whatever `TimePropertiesDS` it was given.
//! - When its BMCA recommends the master state to a slave-only instance — it finds itself
//!   better than the best clock it hears, as it finds a clock with ptp4l's default quality
//!   at equal priority1 — statime hits a `debug_assert!` in `set_recommended_state` (a
//!   panic in debug builds). Give the clocks it listens to a better priority1.
//! - Management and signaling messages are dropped; masters are two-step only.
//! - With the peer-to-peer mechanism only a Slave port starts sending Pdelay_Req; every
//!   port answers them.
//!
//! # Lifetimes
//!
//! statime's ports borrow their instance, and a simulated node must be `'static`, so the
//! instance is leaked (a few hundred bytes per node, as statime-linux does for its one
//! instance).

use core::cell::RefCell;
use core::fmt;
use std::any::Any;
use std::collections::HashMap;
use std::rc::Rc;

use statime::config::{AcceptAnyMaster, InstanceConfig, PortConfig, TimePropertiesDS};
use statime::filters::{Filter, KalmanFilter};
use statime::observability::current::CurrentDS;
use statime::observability::port::PortDS;
use statime::port::{
    InBmca, NoForwardedTLVs, Port, PortAction, PortActionIterator, Running, TimestampContext,
};
use statime::PtpInstance;

use super::network::{NodeOutput, SimNode};
use super::oscillator::Oscillator;
use crate::rng::Rng;
use crate::time::statime::{from_statime_duration, to_statime_time};
use crate::time::{Duration, Ppb, Time};

/// A statime port's configuration; every master is acceptable.
pub type StatimePortConfig = PortConfig<AcceptAnyMaster>;

type RunningPort<F> = Port<'static, Running, AcceptAnyMaster, SimRng, LentClock, F>;
type BmcaPort<F> = Port<'static, InBmca, AcceptAnyMaster, SimRng, LentClock, F>;

/// statime's `PtpInstance` with its ports, hosted by the simulator.
pub struct StatimeNode<F: Filter + 'static = KalmanFilter> {
    instance: &'static PtpInstance<F>,
    ports: Vec<RunningPort<F>>,
    /// What each port asked for when it was created, carried out at [`SimNode::start`].
    startup: Vec<PortActionIterator<'static>>,
    clock: LentClock,
    sent: SentEvents,
}

impl<F: Filter + 'static> fmt::Debug for StatimeNode<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StatimeNode")
            .field("default_ds", &self.instance.default_ds())
            .field(
                "port_states",
                &self
                    .ports
                    .iter()
                    .map(|p| p.port_ds().port_state)
                    .collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl<F: Filter + 'static> StatimeNode<F> {
    /// A statime instance with one port per entry of `ports` (node port `i` is statime port
    /// number `i + 1`), each steering the node's clock through a filter built from `filter`.
    /// `seed` drives statime's randomised timers.
    pub fn new(
        instance: InstanceConfig,
        time_properties: TimePropertiesDS,
        ports: Vec<StatimePortConfig>,
        filter: &F::Config,
        seed: u64,
    ) -> Self {
        let instance: &'static PtpInstance<F> =
            Box::leak(Box::new(PtpInstance::new(instance, time_properties)));
        let clock = LentClock::default();
        let mut rng = Rng::seed_from_u64(seed);
        let (ports, startup) = ports
            .into_iter()
            .map(|config| {
                instance
                    .add_port(config, filter.clone(), clock.clone(), SimRng(rng.fork()))
                    .end_bmca()
            })
            .unzip();
        Self {
            instance,
            ports,
            startup,
            clock,
            sent: SentEvents::default(),
        }
    }

    /// The statime instance, for its data sets.
    pub fn instance(&self) -> &PtpInstance<F> {
        self.instance
    }

    /// The port data set of node port `port`.
    pub fn port_ds(&self, port: usize) -> Option<PortDS> {
        self.ports.get(port).map(Port::port_ds)
    }

    /// The current data set, with the offset and delay estimated by the slave port's filter
    /// (zero when no port is a slave).
    pub fn current_ds(&self) -> CurrentDS {
        let estimate = self
            .ports
            .iter()
            .find_map(Port::port_current_ds_contribution);
        self.instance.current_ds(estimate)
    }

    fn on_receive(&mut self, port: usize, bytes: &[u8], rx: Time, out: &mut Vec<NodeOutput>) {
        let Some(p) = self.ports.get_mut(port) else {
            return;
        };
        let actions = if is_event_message(bytes) {
            p.handle_event_receive(bytes, to_statime_time(rx))
        } else {
            p.handle_general_receive(bytes)
        };
        carry_out(port, actions, &mut self.sent, out);
    }

    fn on_tx_timestamp(&mut self, tag: u32, tx: Time, out: &mut Vec<NodeOutput>) {
        let Some((port, context)) = self.sent.take(tag) else {
            return;
        };
        let Some(p) = self.ports.get_mut(port) else {
            return;
        };
        let actions = p.handle_send_timestamp(context, to_statime_time(tx));
        carry_out(port, actions, &mut self.sent, out);
    }

    fn on_timer(&mut self, key: u64, out: &mut Vec<NodeOutput>) {
        if key == BMCA_TIMER {
            self.run_bmca(out);
            return;
        }
        let Some((port, timer)) = PortTimer::of_key(key) else {
            return;
        };
        let Some(p) = self.ports.get_mut(port) else {
            return;
        };
        let actions = match timer {
            PortTimer::Announce => p.handle_announce_timer(&mut NoForwardedTLVs),
            PortTimer::Sync => p.handle_sync_timer(),
            PortTimer::DelayRequest => p.handle_delay_request_timer(),
            PortTimer::AnnounceReceipt => p.handle_announce_receipt_timer(),
            PortTimer::FilterUpdate => p.handle_filter_update_timer(),
        };
        carry_out(port, actions, &mut self.sent, out);
    }

    /// One stop-the-world BMCA over all ports, then the next one armed.
    fn run_bmca(&mut self, out: &mut Vec<NodeOutput>) {
        let mut in_bmca: Vec<BmcaPort<F>> = core::mem::take(&mut self.ports)
            .into_iter()
            .map(Port::start_bmca)
            .collect();
        let mut all: Vec<&mut BmcaPort<F>> = in_bmca.iter_mut().collect();
        self.instance.bmca(&mut all);
        for (index, port) in in_bmca.into_iter().enumerate() {
            let (running, actions) = port.end_bmca();
            carry_out(index, actions, &mut self.sent, out);
            self.ports.push(running);
        }
        out.push(NodeOutput::Arm {
            key: BMCA_TIMER,
            after: Duration::from(self.instance.bmca_interval()),
        });
    }
}

impl<F: Filter + 'static> SimNode for StatimeNode<F> {
    fn start(&mut self, clock: &mut Oscillator, _now: Time, out: &mut Vec<NodeOutput>) {
        self.clock.lend(clock);
        for (port, actions) in core::mem::take(&mut self.startup).into_iter().enumerate() {
            carry_out(port, actions, &mut self.sent, out);
        }
        self.clock.give_back(clock);
        out.push(NodeOutput::Arm {
            key: BMCA_TIMER,
            after: Duration::from(self.instance.bmca_interval()),
        });
    }

    fn receive(
        &mut self,
        port: usize,
        bytes: &[u8],
        rx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        self.clock.lend(clock);
        self.on_receive(port, bytes, rx, out);
        self.clock.give_back(clock);
    }

    fn tx_timestamp(
        &mut self,
        _port: usize,
        tag: u32,
        tx: Time,
        clock: &mut Oscillator,
        out: &mut Vec<NodeOutput>,
    ) {
        self.clock.lend(clock);
        self.on_tx_timestamp(tag, tx, out);
        self.clock.give_back(clock);
    }

    fn timer(&mut self, key: u64, clock: &mut Oscillator, out: &mut Vec<NodeOutput>) {
        self.clock.lend(clock);
        self.on_timer(key, out);
        self.clock.give_back(clock);
    }

    fn as_any(&self) -> &dyn Any {
        self
    }

    fn as_any_mut(&mut self) -> &mut dyn Any {
        self
    }
}

/// Event messages (Sync, Delay_Req, Pdelay_Req, Pdelay_Resp: types 0–3) reach statime's
/// event socket with a receive time stamp; the others its general socket.
fn is_event_message(bytes: &[u8]) -> bool {
    bytes.first().is_some_and(|b| b & 0x0f < 4)
}

/// Carries out the actions statime returned for node port `port`.
fn carry_out(
    port: usize,
    actions: PortActionIterator<'_>,
    sent: &mut SentEvents,
    out: &mut Vec<NodeOutput>,
) {
    let arm = |timer: PortTimer, after: core::time::Duration| NodeOutput::Arm {
        key: timer.key(port),
        after: Duration::from(after),
    };
    for action in actions {
        out.push(match action {
            PortAction::SendEvent { context, data, .. } => NodeOutput::Send {
                port,
                bytes: data.to_vec(),
                tag: Some(sent.insert(port, context)),
            },
            PortAction::SendGeneral { data, .. } => NodeOutput::Send {
                port,
                bytes: data.to_vec(),
                tag: None,
            },
            PortAction::ResetAnnounceTimer { duration } => arm(PortTimer::Announce, duration),
            PortAction::ResetSyncTimer { duration } => arm(PortTimer::Sync, duration),
            PortAction::ResetDelayRequestTimer { duration } => {
                arm(PortTimer::DelayRequest, duration)
            }
            PortAction::ResetAnnounceReceiptTimer { duration } => {
                arm(PortTimer::AnnounceReceipt, duration)
            }
            PortAction::ResetFilterUpdateTimer { duration } => {
                arm(PortTimer::FilterUpdate, duration)
            }
            PortAction::ForwardTLV { .. } => continue,
        });
    }
}

/// The timer key of the instance's BMCA; port timers use small keys.
const BMCA_TIMER: u64 = u64::MAX;

/// A statime port's timers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PortTimer {
    Announce,
    Sync,
    DelayRequest,
    AnnounceReceipt,
    FilterUpdate,
}

impl PortTimer {
    const ALL: [Self; 5] = [
        Self::Announce,
        Self::Sync,
        Self::DelayRequest,
        Self::AnnounceReceipt,
        Self::FilterUpdate,
    ];

    fn key(self, port: usize) -> u64 {
        (port as u64) << 3 | self as u64
    }

    fn of_key(key: u64) -> Option<(usize, Self)> {
        let timer = *Self::ALL.get(usize::try_from(key & 0b111).ok()?)?;
        Some((usize::try_from(key >> 3).ok()?, timer))
    }
}

/// The contexts of event messages awaiting their transmit time stamps, by tag.
#[derive(Debug, Default)]
struct SentEvents {
    next_tag: u32,
    waiting: HashMap<u32, (usize, TimestampContext)>,
}

impl SentEvents {
    fn insert(&mut self, port: usize, context: TimestampContext) -> u32 {
        let tag = self.next_tag;
        self.next_tag = self.next_tag.wrapping_add(1);
        self.waiting.insert(tag, (port, context));
        tag
    }

    fn take(&mut self, tag: u32) -> Option<(usize, TimestampContext)> {
        self.waiting.remove(&tag)
    }
}

/// The node's oscillator as a `statime::Clock`, lent for the length of one call into statime.
#[derive(Clone, Debug, Default)]
struct LentClock(Rc<RefCell<Option<Oscillator>>>);

impl LentClock {
    fn lend(&self, clock: &Oscillator) {
        *self.0.borrow_mut() = Some(clock.clone());
    }

    fn give_back(&self, clock: &mut Oscillator) {
        if let Some(lent) = self.0.borrow_mut().take() {
            *clock = lent;
        }
    }

    fn adjust(&self, f: impl FnOnce(&mut Oscillator)) -> Result<statime::time::Time, NotLent> {
        let mut lent = self.0.borrow_mut();
        let clock = lent.as_mut().ok_or(NotLent)?;
        f(clock);
        Ok(to_statime_time(clock.now()))
    }
}

/// statime used the clock outside a call from the node (it does not).
#[derive(Debug)]
struct NotLent;

impl statime::Clock for LentClock {
    type Error = NotLent;

    fn now(&self) -> statime::time::Time {
        self.0
            .borrow()
            .as_ref()
            .map(|clock| to_statime_time(clock.now()))
            .unwrap_or_default()
    }

    fn step_clock(
        &mut self,
        offset: statime::time::Duration,
    ) -> Result<statime::time::Time, NotLent> {
        self.adjust(|clock| clock.step(from_statime_duration(offset)))
    }

    fn set_frequency(&mut self, ppm: f64) -> Result<statime::time::Time, NotLent> {
        self.adjust(|clock| clock.set_frequency(Ppb(ppm * 1000.0)))
    }

    fn set_properties(&mut self, _: &TimePropertiesDS) -> Result<(), NotLent> {
        Ok(())
    }
}

/// Our seeded generator as the `rand` generator statime's ports draw their randomised
/// timeouts from.
#[derive(Debug)]
struct SimRng(Rng);

impl rand_core::RngCore for SimRng {
    fn next_u32(&mut self) -> u32 {
        (self.0.next_u64() >> 32) as u32
    }

    fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let bytes = self.0.next_u64().to_le_bytes();
            for (d, b) in chunk.iter_mut().zip(bytes) {
                *d = b;
            }
        }
    }

    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timer_keys_round_trip_and_miss_the_bmca_key() {
        for port in [0, 1, 7, 1000] {
            for timer in PortTimer::ALL {
                let key = timer.key(port);
                assert_ne!(key, BMCA_TIMER);
                assert_eq!(PortTimer::of_key(key), Some((port, timer)));
            }
        }
        assert_eq!(PortTimer::of_key(0b101), None);
    }

    #[test]
    fn event_messages_are_told_from_general_ones() {
        // Sync, Delay_Req, Pdelay_Req, Pdelay_Resp (transportSpecific bits set on one).
        for first in [0x00, 0x01, 0x12, 0x03] {
            assert!(is_event_message(&[first, 0x12]), "{first:#x}");
        }
        // Follow_Up, Delay_Resp, Pdelay_Resp_Follow_Up, Announce, Signaling, Management.
        for first in [0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d] {
            assert!(!is_event_message(&[first, 0x12]), "{first:#x}");
        }
        assert!(!is_event_message(&[]));
    }
}
