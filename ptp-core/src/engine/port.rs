//! One port's protocol state: its data set, sequence counters, the exchanges in flight (a
//! two-step Sync waiting for its Follow_Up, a Delay_Req or Pdelay_Req waiting for its
//! answer, a Sync or Pdelay_Resp waiting for its transmit time stamp) and its delay filter.
//!
//! Every exchange keeps at most one entry, matched by sequenceId and (for our own
//! transmissions) by [`TxTag`]: nothing here grows with traffic.

use super::action::{PeerAddress, PortIndex, TxTag};
use super::datasets::{DefaultDs, DelayMechanism, PortDs};
use super::delay_filter::DelayFilter;
use super::settings::PortSettings;
use crate::bmca::ForeignMasterList;
use crate::time::{Duration, LogInterval, Time};
use crate::wire::{MessageType, PortIdentity, PortState};

/// Next sequenceId of each message type we originate.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Sequences {
    pub(crate) announce: u16,
    pub(crate) sync: u16,
    pub(crate) delay_req: u16,
    pub(crate) pdelay_req: u16,
}

impl Sequences {
    /// Returns `counter` and advances it (wrapping, as sequenceId does).
    pub(crate) fn take(counter: &mut u16) -> u16 {
        let v = *counter;
        *counter = v.wrapping_add(1);
        v
    }
}

/// A received Sync waiting for its Follow_Up, or a Follow_Up that overtook its Sync.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SyncHalf {
    /// The Sync of a two-step master: its receive time and correction.
    Sync {
        seq: u16,
        t2: Time,
        correction: Duration,
    },
    /// A Follow_Up that arrived first: the precise origin time and its correction.
    FollowUp {
        seq: u16,
        t1: Time,
        correction: Duration,
    },
}

/// The last complete Sync measurement, which E2E delay computation pairs with a Delay_Resp.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SyncSample {
    pub(crate) t1: Time,
    pub(crate) t2: Time,
    pub(crate) correction: Duration,
}

/// Our Delay_Req in flight.
#[derive(Clone, Copy, Debug)]
pub(crate) struct DelayReqInFlight {
    pub(crate) seq: u16,
    pub(crate) tag: TxTag,
    /// Its transmit time, once the runtime reported it.
    pub(crate) t3: Option<Time>,
    /// The last Sync measurement before it was sent, which the delay computation pairs it
    /// with (a later Sync would mix in the clock's drift since).
    pub(crate) sync: Option<SyncSample>,
}

/// Our Pdelay_Req in flight and what its answers brought so far.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PdelayReqInFlight {
    pub(crate) seq: u16,
    pub(crate) tag: TxTag,
    pub(crate) t1: Option<Time>,
    /// From the Pdelay_Resp: our receive time t4, the responder's receive time t2 and the
    /// correction; `two_step` says whether a follow-up is coming.
    pub(crate) response: Option<PdelayResponse>,
}

/// The Pdelay_Resp part of a peer-delay exchange.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PdelayResponse {
    pub(crate) t2: Time,
    pub(crate) t4: Time,
    pub(crate) correction: Duration,
    pub(crate) two_step: bool,
    pub(crate) responder: PortIdentity,
}

/// A Pdelay_Resp we sent, waiting for its transmit time stamp to send the follow-up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PdelayRespInFlight {
    pub(crate) seq: u16,
    pub(crate) tag: TxTag,
    pub(crate) requester: PortIdentity,
    pub(crate) correction: Duration,
    pub(crate) reply_to: Option<PeerAddress>,
    pub(crate) domain_number: u8,
}

/// A Sync we sent, waiting for its transmit time stamp to send the Follow_Up.
#[derive(Clone, Copy, Debug)]
pub(crate) struct SyncInFlight {
    pub(crate) seq: u16,
    pub(crate) tag: TxTag,
    /// The unicast peer it went to, if not multicast.
    pub(crate) to: Option<PeerAddress>,
}

/// One port of the instance.
#[derive(Debug)]
pub(crate) struct Port {
    pub(crate) settings: PortSettings,
    pub(crate) ds: PortDs,
    /// Whether the runtime was told to open the port's sockets (and not to close them
    /// since): each OpenPort and ClosePort is sent once per transition.
    pub(crate) open: bool,
    pub(crate) foreign: ForeignMasterList,
    /// The parent this port last went UNCALIBRATED for.
    pub(crate) last_parent: Option<PortIdentity>,
    pub(crate) seq: Sequences,
    pub(crate) sync_half: Option<SyncHalf>,
    pub(crate) last_sync: Option<SyncSample>,
    pub(crate) delay_req: Option<DelayReqInFlight>,
    pub(crate) pdelay_req: Option<PdelayReqInFlight>,
    pub(crate) pdelay_resp: Option<PdelayRespInFlight>,
    /// Syncs waiting for their transmit time stamps: one per unicast peer, or one multicast.
    pub(crate) sync_out: Vec<SyncInFlight>,
    /// Where the master's Sync messages come from (for unicast Delay_Req).
    pub(crate) master_address: Option<PeerAddress>,
    pub(crate) delay_filter: DelayFilter,
    /// E2E: the filtered mean path delay to the master. P2P: the filtered peer delay.
    pub(crate) mean_path_delay: Option<Duration>,
    /// The peer this port measured its peer delay with (P2P); a new peer resets the filter.
    pub(crate) peer: Option<PortIdentity>,
    /// Messages received (decoded) and sent, by messageType nibble (PORT_STATS_NP).
    pub(crate) rx_counts: [u64; 16],
    pub(crate) tx_counts: [u64; 16],
}

/// Counts one message of type `t` in `counts`.
pub(crate) fn count(counts: &mut [u64; 16], t: MessageType) {
    if let Some(n) = counts.get_mut(usize::from(t as u8)) {
        *n = n.saturating_add(1);
    }
}

impl Port {
    pub(crate) fn new(index: PortIndex, clock: &DefaultDs, settings: PortSettings) -> Self {
        let clock_identity = clock.clock_identity;
        let ds = PortDs {
            port_identity: PortIdentity {
                clock_identity,
                port_number: index.number(),
            },
            port_state: PortState::Initializing,
            log_min_delay_req_interval: settings.log_min_delay_req_interval,
            peer_mean_path_delay: Duration::ZERO,
            log_announce_interval: settings.log_announce_interval,
            announce_receipt_timeout: settings.announce_receipt_timeout,
            log_sync_interval: settings.log_sync_interval,
            delay_mechanism: settings.delay_mechanism,
            log_min_pdelay_req_interval: settings.log_min_pdelay_req_interval,
            version_number: 2,
            master_only: settings.master_only,
            local_priority: settings.local_priority,
        };
        Self {
            delay_filter: DelayFilter::new(
                settings.delay_filter_median,
                settings.delay_filter_length,
                settings.raw_delay,
            ),
            settings,
            ds,
            open: false,
            foreign: ForeignMasterList::new(clock_identity, clock.max_steps_removed),
            last_parent: None,
            seq: Sequences::default(),
            sync_half: None,
            last_sync: None,
            rx_counts: [0; 16],
            tx_counts: [0; 16],
            delay_req: None,
            pdelay_req: None,
            pdelay_resp: None,
            sync_out: Vec::new(),
            master_address: None,
            mean_path_delay: None,
            peer: None,
        }
    }

    pub(crate) fn identity(&self) -> PortIdentity {
        self.ds.port_identity
    }

    pub(crate) fn state(&self) -> PortState {
        self.ds.port_state
    }

    /// Whether the port talks to static unicast peers instead of multicast.
    pub(crate) fn is_unicast(&self) -> bool {
        !self.settings.unicast_peers.is_empty()
    }

    pub(crate) fn is_p2p(&self) -> bool {
        self.ds.delay_mechanism == DelayMechanism::P2P
    }

    /// Whether the port takes part in PTP (not INITIALIZING, FAULTY or DISABLED).
    pub(crate) fn is_operational(&self) -> bool {
        !matches!(
            self.state(),
            PortState::Initializing | PortState::Faulty | PortState::Disabled
        )
    }

    /// Whether the port synchronises to a master.
    pub(crate) fn is_slave_side(&self) -> bool {
        matches!(self.state(), PortState::Slave | PortState::Uncalibrated)
    }

    pub(crate) fn announce_interval(&self) -> Duration {
        self.ds.log_announce_interval.duration()
    }

    /// announceReceiptTimeout × announce interval.
    pub(crate) fn announce_receipt_timeout(&self) -> Duration {
        self.announce_interval() * i64::from(self.ds.announce_receipt_timeout.max(1))
    }

    pub(crate) fn sync_interval(&self) -> Duration {
        self.ds.log_sync_interval.duration()
    }

    /// Forgets everything measured against the current master or peer timing (new master,
    /// clock stepped).
    pub(crate) fn forget_timing(&mut self) {
        self.sync_half = None;
        self.last_sync = None;
        self.delay_req = None;
        self.master_address = None;
    }

    /// The local clock was stepped by `by`: local time stamps of exchanges in flight move
    /// with it, so that measurements spanning the step stay consistent (t2 and t3 of E2E,
    /// t1 and t4 of P2P; the peer's and master's time stamps do not move).
    pub(crate) fn shift_local_times(&mut self, by: Duration) {
        if let Some(SyncHalf::Sync { t2, .. }) = self.sync_half.as_mut() {
            *t2 += by;
        }
        if let Some(s) = self.last_sync.as_mut() {
            s.t2 += by;
        }
        if let Some(d) = self.delay_req.as_mut() {
            if let Some(t3) = d.t3.as_mut() {
                *t3 += by;
            }
            if let Some(s) = d.sync.as_mut() {
                s.t2 += by;
            }
        }
        if let Some(d) = self.pdelay_req.as_mut() {
            if let Some(t1) = d.t1.as_mut() {
                *t1 += by;
            }
            if let Some(r) = d.response.as_mut() {
                r.t4 += by;
            }
        }
    }

    /// Forgets the path delay (new master).
    pub(crate) fn forget_delay(&mut self) {
        if !self.is_p2p() {
            self.delay_filter.clear();
            self.mean_path_delay = None;
        }
    }

    /// The log interval of Delay_Req messages: the master's, once known.
    pub(crate) fn delay_req_log_interval(&self) -> LogInterval {
        self.ds.log_min_delay_req_interval
    }
}
