//! The data sets the BMCA compares (IEEE 1588-2019 9.3.4): one built from a received Announce
//! message, and `D0`, built from the local clock's defaultDS.

use crate::wire::{Announce, ClockIdentity, ClockQuality, Header, PortIdentity};

/// What the BMCA needs to know about the local clock (its defaultDS, 8.2.1, plus the G.8275
/// defaultDS.localPriority).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct LocalClock {
    /// defaultDS.clockIdentity.
    pub clock_identity: ClockIdentity,
    /// defaultDS.clockQuality, as the clock would announce it (the caller forces clockClass
    /// 255 for a slave-only clock, as linuxptp does).
    pub clock_quality: ClockQuality,
    /// defaultDS.priority1. The G.8275 comparison ignores it.
    pub priority_1: u8,
    /// defaultDS.priority2.
    pub priority_2: u8,
    /// G.8275 defaultDS.localPriority (G.8275.1 6.3.2, `G.8275.defaultDS.localPriority`).
    /// Only the G.8275 comparison reads it.
    pub local_priority: u8,
    /// defaultDS.slaveOnly (8.2.1.5.4): no port of this clock is ever recommended MASTER or
    /// PASSIVE; see [`super::StateDecision`].
    pub slave_only: bool,
}

/// The attributes one data set comparison looks at (IEEE 1588-2019 9.3.4), for a
/// foreign master's Announce message or for the local clock (`D0`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ComparisonDataset {
    /// grandmasterPriority1.
    pub grandmaster_priority_1: u8,
    /// grandmasterIdentity.
    pub grandmaster_identity: ClockIdentity,
    /// grandmasterClockQuality.
    pub grandmaster_clock_quality: ClockQuality,
    /// grandmasterPriority2.
    pub grandmaster_priority_2: u8,
    /// stepsRemoved: as received for a foreign master, 0 for `D0`.
    pub steps_removed: u16,
    /// "Identity of sender": the Announce's sourcePortIdentity; for `D0` the local clock's
    /// identity with port number 0.
    pub sender: PortIdentity,
    /// "Identity of receiver": the portIdentity of the port that received the Announce; for
    /// `D0` the same as `sender`.
    pub receiver: PortIdentity,
    /// G.8275 localPriority: the receiving port's portDS.localPriority for a foreign master,
    /// defaultDS.localPriority for `D0` (G.8275.1 6.3.2). Ignored by the default comparison.
    pub local_priority: u8,
}

impl ComparisonDataset {
    /// The data set of an Announce message (`header` and `announce`) received on the port
    /// `receiver`, whose G.8275 portDS.localPriority is `port_local_priority`.
    pub fn from_announce(
        header: &Header,
        announce: &Announce,
        receiver: PortIdentity,
        port_local_priority: u8,
    ) -> Self {
        Self {
            grandmaster_priority_1: announce.grandmaster_priority_1,
            grandmaster_identity: announce.grandmaster_identity,
            grandmaster_clock_quality: announce.grandmaster_clock_quality,
            grandmaster_priority_2: announce.grandmaster_priority_2,
            steps_removed: announce.steps_removed,
            sender: header.source_port_identity,
            receiver,
            local_priority: port_local_priority,
        }
    }

    /// `D0`, the local clock as a candidate grandmaster (9.3.4: stepsRemoved 0, sender and
    /// receiver both the clock's identity with port number 0).
    pub fn of_local_clock(local: &LocalClock) -> Self {
        let own = PortIdentity {
            clock_identity: local.clock_identity,
            port_number: 0,
        };
        Self {
            grandmaster_priority_1: local.priority_1,
            grandmaster_identity: local.clock_identity,
            grandmaster_clock_quality: local.clock_quality,
            grandmaster_priority_2: local.priority_2,
            steps_removed: 0,
            sender: own,
            receiver: own,
            local_priority: local.local_priority,
        }
    }
}
