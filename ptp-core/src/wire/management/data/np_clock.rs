//! linuxptp's clock-wide `*_NP` management bodies (its `tlv.h`): TIME_STATUS_NP,
//! GRANDMASTER_SETTINGS_NP, SUBSCRIBE_EVENTS_NP, SYNCHRONIZATION_UNCERTAIN_NP,
//! POWER_PROFILE_SETTINGS_NP and EXTERNAL_GRANDMASTER_PROPERTIES_NP. All network order.

use super::clock::TimeFlags;
use crate::time::Duration;
use crate::wire::{ClockIdentity, ClockQuality, Reader, TimeSource, WireError, Writer};

/// TIME_STATUS_NP: the slave's view of its grandmaster (what `pmc` and phc2sys `-a` read).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TimeStatusNp {
    /// master_offset: the last offset from the master (whole nanoseconds on the wire).
    pub master_offset: Duration,
    /// ingress_time: when the last Sync arrived, nanoseconds on the local clock (0 if none).
    pub ingress_time_ns: i64,
    /// cumulativeScaledRateOffset: (rateRatio − 1) × 2^41.
    pub cumulative_scaled_rate_offset: i32,
    /// scaledLastGmPhaseChange (scaledLastGmFreqChange in 802.1AS).
    pub scaled_last_gm_phase_change: i32,
    /// gmTimeBaseIndicator.
    pub gm_time_base_indicator: u16,
    /// lastGmPhaseChange (a 96-bit ScaledNs on the wire).
    pub last_gm_phase_change: Duration,
    /// gmPresent (an Integer32 on the wire).
    pub gm_present: bool,
    /// gmIdentity.
    pub gm_identity: ClockIdentity,
}

impl TimeStatusNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            master_offset: Duration::from_nanos(r.i64()?),
            ingress_time_ns: r.i64()?,
            cumulative_scaled_rate_offset: r.i32()?,
            scaled_last_gm_phase_change: r.i32()?,
            gm_time_base_indicator: r.u16()?,
            last_gm_phase_change: r.scaled_ns()?,
            gm_present: r.i32()? != 0,
            gm_identity: ClockIdentity::read(r)?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.i64(self.master_offset.nanos())?;
        w.i64(self.ingress_time_ns)?;
        w.i32(self.cumulative_scaled_rate_offset)?;
        w.i32(self.scaled_last_gm_phase_change)?;
        w.u16(self.gm_time_base_indicator)?;
        w.scaled_ns(self.last_gm_phase_change)?;
        w.i32(i32::from(self.gm_present))?;
        self.gm_identity.write(w)
    }
}

/// GRANDMASTER_SETTINGS_NP: the clock quality and time properties ptp4l announces while it
/// is grandmaster (how holdover logic changes clockClass).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct GrandmasterSettingsNp {
    /// clockQuality.
    pub clock_quality: ClockQuality,
    /// currentUtcOffset (seconds).
    pub current_utc_offset: i16,
    /// The time-properties flags.
    pub time_flags: TimeFlags,
    /// timeSource.
    pub time_source: TimeSource,
}

impl GrandmasterSettingsNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            clock_quality: ClockQuality::read(r)?,
            current_utc_offset: r.i16()?,
            time_flags: TimeFlags(r.u8()?),
            time_source: TimeSource(r.u8()?),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.clock_quality.write(w)?;
        w.i16(self.current_utc_offset)?;
        w.u8(self.time_flags.0)?;
        w.u8(self.time_source.0)
    }
}

/// SUBSCRIBE_EVENTS_NP: which notifications a UDS client wants, and for how long.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct SubscribeEventsNp {
    /// duration (seconds).
    pub duration_secs: u16,
    /// The event bitmask: event `n` is bit `n % 8` of octet `n / 8`.
    pub bitmask: [u8; Self::BITMASK_LEN],
}

impl Default for SubscribeEventsNp {
    fn default() -> Self {
        Self {
            duration_secs: 0,
            bitmask: [0; Self::BITMASK_LEN],
        }
    }
}

impl SubscribeEventsNp {
    /// Octets of the bitmask (linuxptp's EVENT_BITMASK_CNT).
    pub const BITMASK_LEN: usize = 64;
    /// NOTIFY_PORT_STATE: port state changes.
    pub const NOTIFY_PORT_STATE: usize = 0;
    /// NOTIFY_TIME_SYNC: TIME_STATUS_NP after every clock update.
    pub const NOTIFY_TIME_SYNC: usize = 1;
    /// NOTIFY_PARENT_DATA_SET: parent data set changes (4.x).
    pub const NOTIFY_PARENT_DATA_SET: usize = 2;
    /// NOTIFY_CMLDS: CMLDS_INFO_NP changes (upstream master).
    pub const NOTIFY_CMLDS: usize = 3;

    /// Whether `event` is subscribed to (false for events beyond the bitmask).
    pub fn is_set(&self, event: usize) -> bool {
        self.bitmask
            .get(event / 8)
            .is_some_and(|octet| octet & (1 << (event % 8)) != 0)
    }

    /// This subscription with `event` set or cleared (unchanged for events beyond the
    /// bitmask).
    #[must_use]
    pub fn with(mut self, event: usize, on: bool) -> Self {
        if let Some(octet) = self.bitmask.get_mut(event / 8) {
            let bit = 1 << (event % 8);
            if on {
                *octet |= bit;
            } else {
                *octet &= !bit;
            }
        }
        self
    }

    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            duration_secs: r.u16()?,
            bitmask: r.array()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.duration_secs)?;
        w.bytes(&self.bitmask)
    }
}

/// SYNCHRONIZATION_UNCERTAIN_NP: what ptp4l puts in the synchronizationUncertain flag of its
/// Announce messages. Every byte value round-trips.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct SynchronizationUncertain(pub u8);

impl SynchronizationUncertain {
    /// Clear the flag.
    pub const FALSE: Self = Self(0);
    /// Set the flag.
    pub const TRUE: Self = Self(1);
    /// Leave the flag to ptp4l (the default).
    pub const DONT_CARE: Self = Self(0xff);
}

/// POWER_PROFILE_SETTINGS_NP: the IEEE C37.238 settings of a grandmaster.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct PowerProfileSettingsNp {
    /// version: 0 none, 1 C37.238-2011, 2 C37.238-2017.
    pub version: u16,
    /// grandmasterID.
    pub grandmaster_id: u16,
    /// grandmasterTimeInaccuracy (ns, 2011 only).
    pub grandmaster_time_inaccuracy: u32,
    /// networkTimeInaccuracy (ns, 2011 only).
    pub network_time_inaccuracy: u32,
    /// totalTimeInaccuracy (ns, 2017).
    pub total_time_inaccuracy: u32,
}

impl PowerProfileSettingsNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            version: r.u16()?,
            grandmaster_id: r.u16()?,
            grandmaster_time_inaccuracy: r.u32()?,
            network_time_inaccuracy: r.u32()?,
            total_time_inaccuracy: r.u32()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.version)?;
        w.u16(self.grandmaster_id)?;
        w.u32(self.grandmaster_time_inaccuracy)?;
        w.u32(self.network_time_inaccuracy)?;
        w.u32(self.total_time_inaccuracy)
    }
}

/// EXTERNAL_GRANDMASTER_PROPERTIES_NP: the grandmaster an external source says this clock is
/// synchronised to.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ExternalGrandmasterPropertiesNp {
    /// gmIdentity.
    pub gm_identity: ClockIdentity,
    /// stepsRemoved.
    pub steps_removed: u16,
}

impl ExternalGrandmasterPropertiesNp {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            gm_identity: ClockIdentity::read(r)?,
            steps_removed: r.u16()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.gm_identity.write(w)?;
        w.u16(self.steps_removed)
    }
}
