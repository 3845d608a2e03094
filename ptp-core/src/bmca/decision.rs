//! The state decision algorithm (IEEE 1588-2019 9.3.3, Figure 33): from `D0`, every port's
//! `Erbest` and the clock's `Ebest`, a recommended state for each port.

use crate::config::enums::DatasetComparison;
use crate::wire::PortState;

use super::{compare, ComparisonDataset, DatasetOrdering, LocalClock};

/// What the state decision needs to know about one port.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct PortInput {
    /// portDS.portState. INITIALIZING, FAULTY and DISABLED ports take no part (9.3.3).
    pub state: PortState,
    /// The port's `Erbest` ([`super::ForeignMasterList::best`]), if any qualified foreign
    /// master was heard.
    pub erbest: Option<ComparisonDataset>,
    /// portDS.masterOnly (`masterOnly`; G.8275's notSlave as linuxptp implements it): the
    /// port's `Erbest` is ignored, both for `Ebest` and for the port's own decision, so the
    /// port is never SLAVE or PASSIVE.
    pub master_only: bool,
}

/// A port's recommended state and the branch of Figure 33 that chose it. The branch tells
/// the engine which data set update applies (9.3.5: M1 and M2 make the local clock the
/// grandmaster; S1 takes `Ebest`'s data; M3, P1 and P2 change no clock
/// data set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Recommendation {
    /// BMC_MASTER, M1: the local clock has clockClass ≤ 127 and `D0` beats the port's
    /// `Erbest` (the port has no rival worth following).
    M1,
    /// BMC_MASTER, M2: the local clock is better than `Ebest`; it is the grandmaster.
    M2,
    /// BMC_MASTER, M3: another clock is the grandmaster, and this port's link is best served
    /// by this clock.
    M3,
    /// BMC_PASSIVE, P1: the local clock has clockClass ≤ 127 but the port's `Erbest` beats it.
    P1,
    /// BMC_PASSIVE, P2: the port's `Erbest` reaches the same grandmaster as `Ebest` by an
    /// equivalent path; being master here would make a loop.
    P2,
    /// BMC_SLAVE, S1: `Ebest` was received on this port.
    S1,
    /// Stay in or go to LISTENING: a LISTENING port without `Erbest` (it waits for its
    /// announce receipt timeout, 9.3.3), or a slave-only clock's port that is not S1
    /// (linuxptp's slave-only state machine).
    Listening,
}

impl Recommendation {
    /// The port state this recommendation leads to (the state machine may pass through
    /// PRE_MASTER or UNCALIBRATED on the way).
    pub const fn target_state(self) -> PortState {
        match self {
            Self::M1 | Self::M2 | Self::M3 => PortState::Master,
            Self::P1 | Self::P2 => PortState::Passive,
            Self::S1 => PortState::Slave,
            Self::Listening => PortState::Listening,
        }
    }

    /// M1 or M2: the local clock is the grandmaster.
    pub const fn local_clock_is_grandmaster(self) -> bool {
        matches!(self, Self::M1 | Self::M2)
    }
}

/// One run of the state decision over all ports of a clock. Computing it finds `Ebest`;
/// [`Self::recommendation`] then answers per port. Nothing is allocated.
#[derive(Clone, Copy, Debug)]
pub struct StateDecision<'a> {
    algorithm: DatasetComparison,
    d0: ComparisonDataset,
    slave_only: bool,
    ports: &'a [PortInput],
    ebest: Option<usize>,
}

/// Whether the port takes part in the BMCA at all (9.3.3).
fn takes_part(state: PortState) -> bool {
    !matches!(
        state,
        PortState::Initializing | PortState::Faulty | PortState::Disabled
    )
}

/// The `Erbest` the decision uses for a port: none for ports out of service or masterOnly.
fn effective_erbest(port: &PortInput) -> Option<&ComparisonDataset> {
    if port.master_only || !takes_part(port.state) {
        None
    } else {
        port.erbest.as_ref()
    }
}

impl<'a> StateDecision<'a> {
    /// Prepares the decision for the local clock `local` with `ports` (index `i` is the
    /// port at `ports[i]`), comparing with `algorithm`. `Ebest` (9.3.2) is the best
    /// `Erbest` of the ports that take part; on a tie the lower index wins.
    pub fn new(algorithm: DatasetComparison, local: &LocalClock, ports: &'a [PortInput]) -> Self {
        let mut ebest: Option<(usize, &ComparisonDataset)> = None;
        for (index, port) in ports.iter().enumerate() {
            let Some(erbest) = effective_erbest(port) else {
                continue;
            };
            let better = match ebest {
                None => true,
                Some((_, current)) => compare(algorithm, erbest, current).is_better(),
            };
            if better {
                ebest = Some((index, erbest));
            }
        }
        Self {
            algorithm,
            d0: ComparisonDataset::of_local_clock(local),
            slave_only: local.slave_only,
            ports,
            ebest: ebest.map(|(index, _)| index),
        }
    }

    /// `D0`, the local clock's data set.
    pub fn d0(&self) -> &ComparisonDataset {
        &self.d0
    }

    /// `Ebest`: the index of the port it was received on, and its data set.
    pub fn ebest(&self) -> Option<(usize, &'a ComparisonDataset)> {
        let index = self.ebest?;
        let port = self.ports.get(index)?;
        effective_erbest(port).map(|dataset| (index, dataset))
    }

    /// The recommended state of the port at `index` (Figure 33), or `None` if it takes no
    /// part (INITIALIZING, FAULTY, DISABLED) or the index is out of range.
    pub fn recommendation(&self, index: usize) -> Option<Recommendation> {
        let port = self.ports.get(index)?;
        if !takes_part(port.state) {
            return None;
        }
        let erbest = effective_erbest(port);
        if erbest.is_none() && port.state == PortState::Listening {
            return Some(Recommendation::Listening);
        }
        let decided = self.figure_33(index, erbest);
        if self.slave_only && decided != Recommendation::S1 {
            return Some(Recommendation::Listening);
        }
        Some(decided)
    }

    /// Every port's recommendation, in port order.
    pub fn recommendations(&self) -> impl Iterator<Item = Option<Recommendation>> + '_ {
        (0..self.ports.len()).map(|index| self.recommendation(index))
    }

    /// The branches of Figure 33 for a port that takes part.
    fn figure_33(&self, index: usize, erbest: Option<&ComparisonDataset>) -> Recommendation {
        let d0_beats = |other: Option<&ComparisonDataset>| {
            other.is_none_or(|other| compare(self.algorithm, &self.d0, other).is_better())
        };
        if self.d0.grandmaster_clock_quality.clock_class <= 127 {
            return if d0_beats(erbest) {
                Recommendation::M1
            } else {
                Recommendation::P1
            };
        }
        // M2 when there is no Ebest at all, or D0 beats it.
        let Some((ebest_index, ebest)) = self.ebest() else {
            return Recommendation::M2;
        };
        if d0_beats(Some(ebest)) {
            return Recommendation::M2;
        }
        if ebest_index == index {
            return Recommendation::S1;
        }
        match erbest {
            Some(erbest)
                if compare(self.algorithm, ebest, erbest) == DatasetOrdering::BetterByTopology =>
            {
                Recommendation::P2
            }
            _ => Recommendation::M3,
        }
    }
}
