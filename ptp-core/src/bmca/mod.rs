//! The best master clock algorithm (IEEE 1588-2019 9.3), pure and deterministic.
//!
//! The BMCA decides, from the Announce messages each port has heard and from the local
//! clock's own attributes, which clock is the grandmaster and what every port should be:
//! master, passive or slave. This module holds the decision; the port state machine and the
//! data set updates that follow it belong to the engine.
//!
//! # The parts, in the order the engine uses them
//!
//! 1. [`ForeignMasterList`] (one per port, fixed capacity): [`ForeignMasterList::record`]
//!    every received Announce with its receive time. It applies the qualification rules of
//!    9.3.2.5 (own clock, alternateMasterFlag, `maxStepsRemoved`, at least
//!    [`FOREIGN_MASTER_THRESHOLD`] Announce messages within [`FOREIGN_MASTER_TIME_WINDOW`]
//!    announce intervals) and says when a state decision is due.
//! 2. [`ForeignMasterList::best`] gives the port's `Erbest`, the best qualified foreign
//!    master as a [`ComparisonDataset`].
//! 3. [`StateDecision::new`] takes `D0` (from a [`LocalClock`]) and every port's `Erbest`
//!    ([`PortInput`]), finds `Ebest`, and [`StateDecision::recommendation`] gives each port its
//!    [`Recommendation`] (9.3.3: M1, M2, M3, P1, P2, S1, or Listening).
//! 4. For S1, the new parent's full Announce (time properties, flags) is the record
//!    `ForeignMasterList::get(ebest.sender)` of the `Ebest` port's list.
//!
//! ```
//! use ptp_core::bmca::{ForeignMasterList, LocalClock, PortInput, Recommendation, StateDecision};
//! use ptp_core::config::enums::DatasetComparison;
//! use ptp_core::time::{Duration, LogInterval, Time};
//! use ptp_core::wire::{Announce, ClockIdentity, ClockQuality, Header, PortIdentity, PortState};
//!
//! let me = ClockIdentity([0, 0, 0, 0xff, 0xfe, 0, 0, 1]);
//! let port = PortIdentity { clock_identity: me, port_number: 1 };
//! let local = LocalClock {
//!     clock_identity: me,
//!     clock_quality: ClockQuality::default(),
//!     priority_1: 128,
//!     priority_2: 128,
//!     local_priority: 128,
//!     slave_only: false,
//! };
//! let gm = ClockIdentity([0, 0, 0, 0xff, 0xfe, 0, 0, 9]);
//! let header = Header {
//!     source_port_identity: PortIdentity { clock_identity: gm, port_number: 1 },
//!     log_message_interval: LogInterval(0),
//!     ..Header::default()
//! };
//! let announce = Announce {
//!     grandmaster_identity: gm,
//!     grandmaster_priority_1: 128,
//!     grandmaster_priority_2: 128,
//!     grandmaster_clock_quality: ClockQuality { clock_class: 6, ..ClockQuality::default() },
//!     ..Announce::default()
//! };
//! let mut foreign = ForeignMasterList::<8>::new(me, 255);
//! let mut now = Time::from_secs_nanos(100, 0);
//! for _ in 0..3 {
//!     foreign.record(&header, &announce, now);
//!     now += Duration::from_secs(1);
//! }
//! let algorithm = DatasetComparison::Ieee1588;
//! let erbest = foreign.best(algorithm, port, 128, now).map(|(_, ds)| ds);
//! let ports = [PortInput { state: PortState::Listening, erbest, master_only: false }];
//! let decision = StateDecision::new(algorithm, &local, &ports);
//! assert_eq!(decision.recommendation(0), Some(Recommendation::S1));
//! ```
//!
//! Both comparisons go through [`compare`], chosen by [`DatasetComparison`]: the default one
//! of 9.3.4 (Figures 34 and 35) or the G.8275.1/G.8275.2 alternate one (localPriority,
//! priority1 ignored, nearest of several class ≤ 127 grandmasters).
//!
//! Nothing here allocates, reads a clock or panics; the same inputs give the same outputs.

mod compare_default;
mod compare_g8275;
mod dataset;
mod decision;
mod foreign;

pub use dataset::{ComparisonDataset, LocalClock};
pub use decision::{PortInput, Recommendation, StateDecision};
pub use foreign::{
    ForeignMasterList, ForeignRecord, IgnoredAnnounce, RecordOutcome, FOREIGN_MASTER_THRESHOLD,
    FOREIGN_MASTER_TIME_WINDOW,
};

use core::cmp::Ordering;

use crate::config::enums::DatasetComparison;

/// The result of comparing data set A with data set B (IEEE 1588-2019 9.3.4): A ranks
/// better or worse than B, either by its attributes or only "by topology" (same grandmaster,
/// equivalent path; this is what tells PASSIVE from MASTER in 9.3.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DatasetOrdering {
    /// A is better than B.
    Better,
    /// A and B describe the same grandmaster and A is better only by topology.
    BetterByTopology,
    /// The comparison cannot rank them: 9.3.4's error-1 (an Announce whose sender is its
    /// receiver) or error-2 (the same Announce twice). linuxptp treats both as equal.
    Same,
    /// A and B describe the same grandmaster and A is worse only by topology.
    WorseByTopology,
    /// A is worse than B.
    Worse,
}

impl DatasetOrdering {
    /// Better or better by topology.
    pub const fn is_better(self) -> bool {
        matches!(self, Self::Better | Self::BetterByTopology)
    }

    /// Worse or worse by topology.
    pub const fn is_worse(self) -> bool {
        matches!(self, Self::Worse | Self::WorseByTopology)
    }

    /// The result of comparing B with A instead.
    #[must_use]
    pub const fn reverse(self) -> Self {
        match self {
            Self::Better => Self::Worse,
            Self::BetterByTopology => Self::WorseByTopology,
            Self::Same => Self::Same,
            Self::WorseByTopology => Self::BetterByTopology,
            Self::Worse => Self::Better,
        }
    }

    /// From an ordering of attributes where the lower value is the better one.
    pub(crate) const fn from_lower_is_better(ord: Ordering) -> Self {
        match ord {
            Ordering::Less => Self::Better,
            Ordering::Equal => Self::Same,
            Ordering::Greater => Self::Worse,
        }
    }
}

/// How data set `a` ranks against data set `b` under the comparison `algorithm`
/// (`dataset_comparison`): IEEE 1588-2019 9.3.4 or ITU-T G.8275.x.
pub fn compare(
    algorithm: DatasetComparison,
    a: &ComparisonDataset,
    b: &ComparisonDataset,
) -> DatasetOrdering {
    match algorithm {
        DatasetComparison::Ieee1588 => compare_default::compare_default(a, b),
        DatasetComparison::G8275 => compare_g8275::compare_g8275(a, b),
    }
}
