//! The data sets of IEEE 1588-2019 clause 8 that the engine keeps and management reads:
//! defaultDS, currentDS, parentDS, timePropertiesDS and portDS.

use crate::time::{Duration, LogInterval};
use crate::wire::{ClockIdentity, ClockQuality, Flags, PortIdentity, PortState, TimeSource};

/// defaultDS (8.2.1): what the clock is, as a grandmaster candidate.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct DefaultDs {
    /// clockIdentity.
    pub clock_identity: ClockIdentity,
    /// numberPorts.
    pub number_ports: u16,
    /// clockQuality.
    pub clock_quality: ClockQuality,
    /// priority1.
    pub priority_1: u8,
    /// priority2.
    pub priority_2: u8,
    /// domainNumber.
    pub domain_number: u8,
    /// slaveOnly.
    pub slave_only: bool,
    /// twoStepFlag.
    pub two_step: bool,
    /// majorSdoId (transportSpecific).
    pub major_sdo_id: u8,
    /// minorSdoId.
    pub minor_sdo_id: u8,
    /// G.8275 defaultDS.localPriority.
    pub local_priority: u8,
    /// maxStepsRemoved.
    pub max_steps_removed: u8,
}

/// currentDS (8.2.2): where the clock stands in the synchronisation tree.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub struct CurrentDs {
    /// stepsRemoved: hops from the grandmaster.
    pub steps_removed: u16,
    /// offsetFromMaster: the last offset measured.
    pub offset_from_master: Duration,
    /// meanPathDelay: the current mean path delay to the master.
    pub mean_path_delay: Duration,
}

/// parentDS (8.2.3): the master and grandmaster this clock follows.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct ParentDs {
    /// parentPortIdentity (our own identity with port 0 when we are the grandmaster).
    pub parent_port_identity: PortIdentity,
    /// parentStats (always false: not computed).
    pub parent_stats: bool,
    /// observedParentOffsetScaledLogVariance (0xFFFF: not computed).
    pub observed_parent_offset_scaled_log_variance: u16,
    /// observedParentClockPhaseChangeRate (0x7FFFFFFF: not computed).
    pub observed_parent_clock_phase_change_rate: i32,
    /// grandmasterIdentity.
    pub grandmaster_identity: ClockIdentity,
    /// grandmasterClockQuality.
    pub grandmaster_clock_quality: ClockQuality,
    /// grandmasterPriority1.
    pub grandmaster_priority_1: u8,
    /// grandmasterPriority2.
    pub grandmaster_priority_2: u8,
}

impl ParentDs {
    /// The parent data set of a clock that is its own grandmaster.
    pub fn of_self(d: &DefaultDs) -> Self {
        Self {
            parent_port_identity: PortIdentity {
                clock_identity: d.clock_identity,
                port_number: 0,
            },
            parent_stats: false,
            observed_parent_offset_scaled_log_variance: 0xffff,
            observed_parent_clock_phase_change_rate: 0x7fff_ffff,
            grandmaster_identity: d.clock_identity,
            grandmaster_clock_quality: d.clock_quality,
            grandmaster_priority_1: d.priority_1,
            grandmaster_priority_2: d.priority_2,
        }
    }
}

/// timePropertiesDS (8.2.4): the timescale the grandmaster distributes.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct TimePropertiesDs {
    /// currentUtcOffset (TAI − UTC, seconds).
    pub current_utc_offset: i16,
    /// currentUtcOffsetValid.
    pub current_utc_offset_valid: bool,
    /// leap59.
    pub leap59: bool,
    /// leap61.
    pub leap61: bool,
    /// timeTraceable.
    pub time_traceable: bool,
    /// frequencyTraceable.
    pub frequency_traceable: bool,
    /// ptpTimescale.
    pub ptp_timescale: bool,
    /// timeSource.
    pub time_source: TimeSource,
}

impl TimePropertiesDs {
    /// The properties an Announce header's flags and body carry.
    pub fn from_announce(flags: Flags, current_utc_offset: i16, time_source: TimeSource) -> Self {
        Self {
            current_utc_offset,
            current_utc_offset_valid: flags.utc_offset_valid(),
            leap59: flags.leap59(),
            leap61: flags.leap61(),
            time_traceable: flags.time_traceable(),
            frequency_traceable: flags.frequency_traceable(),
            ptp_timescale: flags.ptp_timescale(),
            time_source,
        }
    }

    /// The flag bits these properties set in an Announce header.
    pub fn flags(&self) -> Flags {
        Flags(0)
            .with(Flags::UTC_OFFSET_VALID, self.current_utc_offset_valid)
            .with(Flags::LEAP_59, self.leap59)
            .with(Flags::LEAP_61, self.leap61)
            .with(Flags::TIME_TRACEABLE, self.time_traceable)
            .with(Flags::FREQUENCY_TRACEABLE, self.frequency_traceable)
            .with(Flags::PTP_TIMESCALE, self.ptp_timescale)
    }
}

/// The delay mechanism of a port.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum DelayMechanism {
    /// End to end: Delay_Req/Delay_Resp with the master.
    E2E,
    /// Peer to peer: Pdelay with the link partner, on every port.
    P2P,
}

/// portDS (8.2.15): one port's state and intervals.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct PortDs {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// portState.
    pub port_state: PortState,
    /// logMinDelayReqInterval (the master's, once a Delay_Resp told us).
    pub log_min_delay_req_interval: LogInterval,
    /// peerMeanPathDelay (P2P).
    pub peer_mean_path_delay: Duration,
    /// logAnnounceInterval.
    pub log_announce_interval: LogInterval,
    /// announceReceiptTimeout.
    pub announce_receipt_timeout: u8,
    /// logSyncInterval.
    pub log_sync_interval: LogInterval,
    /// delayMechanism.
    pub delay_mechanism: DelayMechanism,
    /// logMinPdelayReqInterval.
    pub log_min_pdelay_req_interval: LogInterval,
    /// versionNumber (2).
    pub version_number: u8,
    /// masterOnly.
    pub master_only: bool,
    /// G.8275 portDS.localPriority.
    pub local_priority: u8,
}
