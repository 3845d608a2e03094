//! Foreign master records and Announce qualification (IEEE 1588-2019 9.3.2.4.4, 9.3.2.5,
//! 9.5.3), in a fixed-capacity list per port.
//!
//! Behaviour follows linuxptp (`port.c`, `add_foreign_master`, `port_compute_best`):
//! - the first Announce from a new sender creates its record but is not counted (9.5.3);
//! - every later Announce is counted and stays current for [`FOREIGN_MASTER_TIME_WINDOW`]
//!   times the interval that Announce itself carries in logMessageInterval;
//! - a record is qualified while at least [`FOREIGN_MASTER_THRESHOLD`] counted Announce
//!   messages are current, so a new master qualifies on its third Announce;
//! - Announce messages from the own clock, with alternateMasterFlag set, or with stepsRemoved
//!   at or above `maxStepsRemoved` are not recorded at all.
//!
//! Unlike linuxptp the list has a fixed capacity `N`: a new sender that finds it full evicts
//! the record heard from longest ago, preferring records that are not qualified, so a flood
//! of new senders cannot push out a master the port relies on.

use crate::config::enums::DatasetComparison;
use crate::time::{Duration, LogInterval, Time};
use crate::wire::{Announce, ClockIdentity, Header, PortIdentity};

use super::{compare, ComparisonDataset};

/// FOREIGN_MASTER_THRESHOLD (9.3.2.4.4): counted Announce messages a foreign master needs
/// within the window to be qualified.
pub const FOREIGN_MASTER_THRESHOLD: usize = 2;

/// FOREIGN_MASTER_TIME_WINDOW (9.3.2.4.4), in announce intervals.
pub const FOREIGN_MASTER_TIME_WINDOW: i64 = 4;

/// How long one Announce stays current: [`FOREIGN_MASTER_TIME_WINDOW`] of its own
/// logMessageInterval. As in linuxptp, an interval of 2^-31 s or less never counts and one of
/// 2^31 s or more (including the "unspecified" 0x7F) never expires.
fn window(interval: LogInterval) -> Duration {
    match interval.log2() {
        i8::MIN..=-31 => Duration::ZERO,
        31..=i8::MAX => Duration::MAX,
        _ => interval.duration() * FOREIGN_MASTER_TIME_WINDOW,
    }
}

/// One foreign master heard on a port (a foreign master data set entry, 9.3.2.4.4, 9.5.3):
/// its latest Announce and the expiry times of the Announce messages counted towards
/// qualification.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ForeignRecord {
    header: Header,
    announce: Announce,
    last_received: Time,
    latest_expires: Time,
    /// Expiry times of the counted Announce messages, newest first.
    counted: [Option<Time>; FOREIGN_MASTER_THRESHOLD],
}

impl ForeignRecord {
    fn new(header: &Header, announce: &Announce, now: Time) -> Self {
        Self {
            header: *header,
            announce: *announce,
            last_received: now,
            latest_expires: now + window(header.log_message_interval),
            counted: [None; FOREIGN_MASTER_THRESHOLD],
        }
    }

    /// foreignMasterPortIdentity: the sourcePortIdentity of its Announce messages.
    pub fn sender(&self) -> PortIdentity {
        self.header.source_port_identity
    }

    /// The header of the latest Announce (flags carry the time properties).
    pub fn header(&self) -> &Header {
        &self.header
    }

    /// The body of the latest Announce.
    pub fn announce(&self) -> &Announce {
        &self.announce
    }

    /// When the latest Announce arrived.
    pub fn last_received(&self) -> Time {
        self.last_received
    }

    /// How many counted Announce messages are still current at `now`
    /// (foreignMasterAnnounceMessages).
    pub fn current_announces(&self, now: Time) -> usize {
        self.counted
            .iter()
            .filter(|expiry| expiry.is_some_and(|t| now < t))
            .count()
    }

    /// Whether the record is qualified at `now` (9.3.2.5): at least
    /// [`FOREIGN_MASTER_THRESHOLD`] counted Announce messages are current.
    pub fn is_qualified(&self, now: Time) -> bool {
        self.current_announces(now) >= FOREIGN_MASTER_THRESHOLD
    }

    /// The comparison data set of the latest Announce, as received on port `receiver` whose
    /// G.8275 portDS.localPriority is `port_local_priority`.
    pub fn dataset(&self, receiver: PortIdentity, port_local_priority: u8) -> ComparisonDataset {
        ComparisonDataset::from_announce(
            &self.header,
            &self.announce,
            receiver,
            port_local_priority,
        )
    }

    /// Whether nothing of the record is current any more: no counted Announce and the latest
    /// one has outlived its window too.
    fn is_stale(&self, now: Time) -> bool {
        now >= self.latest_expires && self.current_announces(now) == 0
    }

    /// Counts one more Announce. Returns (newly qualified, BMCA attributes changed).
    fn count(&mut self, header: &Header, announce: &Announce, now: Time) -> (bool, bool) {
        let was_qualified = self.is_qualified(now);
        let changed = !same_bmca_attributes(&self.announce, announce);
        let expires = now + window(header.log_message_interval);
        // Drop what has expired, then put the new one first and shift the rest along; the
        // oldest falls off the end.
        for slot in &mut self.counted {
            if slot.is_some_and(|t| now >= t) {
                *slot = None;
            }
        }
        let mut carry = Some(expires);
        for slot in &mut self.counted {
            core::mem::swap(slot, &mut carry);
        }
        self.header = *header;
        self.announce = *announce;
        self.last_received = now;
        self.latest_expires = expires;
        (!was_qualified && self.is_qualified(now), changed)
    }
}

/// Whether two Announce bodies agree on everything the data set comparison reads
/// (linuxptp `announce_compare`).
fn same_bmca_attributes(a: &Announce, b: &Announce) -> bool {
    a.grandmaster_priority_1 == b.grandmaster_priority_1
        && a.grandmaster_clock_quality == b.grandmaster_clock_quality
        && a.grandmaster_priority_2 == b.grandmaster_priority_2
        && a.grandmaster_identity == b.grandmaster_identity
        && a.steps_removed == b.steps_removed
}

/// Why an Announce message was not recorded (9.3.2.5).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum IgnoredAnnounce {
    /// Sent by a port of this very clock (9.3.2.5).
    OwnClock,
    /// alternateMasterFlag is set: an alternate master is not a BMCA candidate (9.3.2.5).
    AlternateMaster,
    /// stepsRemoved is at or above `maxStepsRemoved` (9.3.2.5; linuxptp default 255).
    TooManySteps,
}

/// What [`ForeignMasterList::record`] did with an Announce message.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum RecordOutcome {
    /// Not recorded.
    Ignored(IgnoredAnnounce),
    /// The first Announce from this sender: a record was created, the message is not
    /// counted (9.5.3). `evicted` names the sender whose record made room, if the list was
    /// full.
    New {
        /// The record evicted to make room.
        evicted: Option<PortIdentity>,
    },
    /// Counted towards the sender's qualification.
    Counted {
        /// The record became qualified with this message.
        newly_qualified: bool,
        /// The BMCA attributes differ from the sender's previous Announce.
        changed: bool,
    },
}

impl RecordOutcome {
    /// Whether the port should ask for a state decision (linuxptp raises
    /// STATE_DECISION_EVENT in the same cases): a master became qualified or a qualified
    /// master changed what it announces.
    pub const fn needs_state_decision(&self) -> bool {
        match self {
            Self::Counted {
                newly_qualified,
                changed,
            } => *newly_qualified || *changed,
            Self::Ignored(_) | Self::New { .. } => false,
        }
    }
}

/// The foreign masters heard on one port, at most `N` of them, with no allocation.
#[derive(Clone, Debug)]
pub struct ForeignMasterList<const N: usize = 8> {
    own_clock: ClockIdentity,
    max_steps_removed: u16,
    records: [Option<ForeignRecord>; N],
}

impl<const N: usize> ForeignMasterList<N> {
    /// An empty list for a port of the clock `own_clock`, ignoring Announce messages with
    /// stepsRemoved at or above `max_steps_removed` (`maxStepsRemoved`).
    pub fn new(own_clock: ClockIdentity, max_steps_removed: u8) -> Self {
        Self {
            own_clock,
            max_steps_removed: u16::from(max_steps_removed),
            records: [None; N],
        }
    }

    /// Records an Announce message received at `now` (9.3.2.5, 9.5.3).
    pub fn record(&mut self, header: &Header, announce: &Announce, now: Time) -> RecordOutcome {
        let sender = header.source_port_identity;
        if sender.clock_identity == self.own_clock {
            return RecordOutcome::Ignored(IgnoredAnnounce::OwnClock);
        }
        if header.flags.alternate_master() {
            return RecordOutcome::Ignored(IgnoredAnnounce::AlternateMaster);
        }
        if announce.steps_removed >= self.max_steps_removed {
            return RecordOutcome::Ignored(IgnoredAnnounce::TooManySteps);
        }
        if let Some(existing) = self
            .records
            .iter_mut()
            .flatten()
            .find(|r| r.sender() == sender)
        {
            let (newly_qualified, changed) = existing.count(header, announce, now);
            return RecordOutcome::Counted {
                newly_qualified,
                changed,
            };
        }
        let fresh = ForeignRecord::new(header, announce, now);
        if let Some(free) = self.records.iter_mut().find(|r| r.is_none()) {
            *free = Some(fresh);
            return RecordOutcome::New { evicted: None };
        }
        let victim = self
            .records
            .iter_mut()
            .flatten()
            .min_by_key(|r| (r.is_qualified(now), r.last_received));
        match victim {
            Some(slot) => {
                let evicted = slot.sender();
                *slot = fresh;
                RecordOutcome::New {
                    evicted: Some(evicted),
                }
            }
            // Only reachable with a capacity of zero: nothing can be kept.
            None => RecordOutcome::New { evicted: None },
        }
    }

    /// The port's `Erbest` at `now` (9.3.2): the best qualified record under `algorithm`,
    /// with its data set as received on port `receiver` of G.8275 localPriority
    /// `port_local_priority`. Ties (which only the same sender could produce) keep the
    /// earlier slot.
    pub fn best(
        &self,
        algorithm: DatasetComparison,
        receiver: PortIdentity,
        port_local_priority: u8,
        now: Time,
    ) -> Option<(&ForeignRecord, ComparisonDataset)> {
        let mut best: Option<(&ForeignRecord, ComparisonDataset)> = None;
        for record in self.records.iter().flatten() {
            if !record.is_qualified(now) {
                continue;
            }
            let dataset = record.dataset(receiver, port_local_priority);
            let better = match &best {
                None => true,
                Some((_, current)) => compare(algorithm, &dataset, current).is_better(),
            };
            if better {
                best = Some((record, dataset));
            }
        }
        best
    }

    /// The record of `sender`, if there is one.
    pub fn get(&self, sender: PortIdentity) -> Option<&ForeignRecord> {
        self.records.iter().flatten().find(|r| r.sender() == sender)
    }

    /// Every record, qualified or not.
    pub fn iter(&self) -> impl Iterator<Item = &ForeignRecord> {
        self.records.iter().flatten()
    }

    /// How many records the list holds.
    pub fn len(&self) -> usize {
        self.iter().count()
    }

    /// Whether the list holds no record.
    pub fn is_empty(&self) -> bool {
        self.records.iter().all(Option::is_none)
    }

    /// Drops the records of which nothing is current at `now`. A sender heard again after
    /// that starts over with an uncounted first Announce.
    pub fn expire(&mut self, now: Time) {
        for slot in &mut self.records {
            if slot.as_ref().is_some_and(|r| r.is_stale(now)) {
                *slot = None;
            }
        }
    }

    /// Drops the record of `sender`: its master stopped announcing (announce receipt
    /// timeout), so it must qualify again before it is chosen.
    pub fn remove(&mut self, sender: PortIdentity) {
        for slot in &mut self.records {
            if slot.as_ref().is_some_and(|r| r.sender() == sender) {
                *slot = None;
            }
        }
    }

    /// Drops every record (a port that leaves service flushes its foreign masters).
    pub fn clear(&mut self) {
        self.records = [None; N];
    }

    /// Changes `maxStepsRemoved` for Announce messages recorded from now on.
    pub fn set_max_steps_removed(&mut self, max_steps_removed: u8) {
        self.max_steps_removed = u16::from(max_steps_removed);
    }
}
