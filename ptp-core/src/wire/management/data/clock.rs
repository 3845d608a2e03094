//! The clock data sets of management (IEEE 1588-2019 15.5.3, Tables 69–72), the flag byte
//! their time properties share, and the alternate timescale offsets (15.5.3.7).

use crate::time::TimeInterval;
use crate::wire::{
    ClockIdentity, ClockQuality, PortIdentity, PtpText, Reader, TimeSource, WireError, Writer,
};

/// The time-properties flag byte: bits as in the header's second flag octet (Table 37).
/// TIME_PROPERTIES_DATA_SET, GRANDMASTER_SETTINGS_NP, TRACEABILITY_PROPERTIES and
/// TIMESCALE_PROPERTIES carry it. All eight bits are kept, so reserved ones round-trip.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TimeFlags(pub u8);

impl TimeFlags {
    /// leap61.
    pub const LEAP_61: u8 = 1 << 0;
    /// leap59.
    pub const LEAP_59: u8 = 1 << 1;
    /// currentUtcOffsetValid.
    pub const UTC_OFFSET_VALID: u8 = 1 << 2;
    /// ptpTimescale.
    pub const PTP_TIMESCALE: u8 = 1 << 3;
    /// timeTraceable.
    pub const TIME_TRACEABLE: u8 = 1 << 4;
    /// frequencyTraceable.
    pub const FREQUENCY_TRACEABLE: u8 = 1 << 5;

    /// Whether every bit of `mask` is set.
    pub const fn contains(self, mask: u8) -> bool {
        self.0 & mask == mask
    }

    /// These flags with `mask` set or cleared.
    #[must_use]
    pub const fn with(self, mask: u8, on: bool) -> Self {
        if on {
            Self(self.0 | mask)
        } else {
            Self(self.0 & !mask)
        }
    }
}

/// The data of SLAVE_ONLY as linuxptp carries it: the slaveOnly bit where DEFAULT_DATA_SET's
/// flag octet has it (0x02), which is where pmc looks; IEEE 1588-2019 15.5.3.4.2 puts it in
/// bit 0, so a set bit 0 is read as slaveOnly too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct SlaveOnlyFlag(pub bool);

impl SlaveOnlyFlag {
    /// The bit linuxptp sends.
    pub const LINUXPTP_BIT: u8 = 1 << 1;
}

/// DEFAULT_DATA_SET (Table 69). Reserved bits and octets are ignored on decode, zero on
/// encode.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct DefaultDataSet {
    /// twoStepFlag.
    pub two_step: bool,
    /// slaveOnly.
    pub slave_only: bool,
    /// numberPorts.
    pub number_ports: u16,
    /// priority1.
    pub priority1: u8,
    /// clockQuality.
    pub clock_quality: ClockQuality,
    /// priority2.
    pub priority2: u8,
    /// clockIdentity.
    pub clock_identity: ClockIdentity,
    /// domainNumber.
    pub domain_number: u8,
}

impl DefaultDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let flags = r.u8()?;
        r.skip(1)?;
        let number_ports = r.u16()?;
        let priority1 = r.u8()?;
        let clock_quality = ClockQuality::read(r)?;
        let priority2 = r.u8()?;
        let clock_identity = ClockIdentity::read(r)?;
        let domain_number = r.u8()?;
        r.skip(1)?;
        Ok(Self {
            two_step: flags & 1 != 0,
            slave_only: flags & 2 != 0,
            number_ports,
            priority1,
            clock_quality,
            priority2,
            clock_identity,
            domain_number,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(u8::from(self.two_step) | u8::from(self.slave_only) << 1)?;
        w.zeros(1)?;
        w.u16(self.number_ports)?;
        w.u8(self.priority1)?;
        self.clock_quality.write(w)?;
        w.u8(self.priority2)?;
        self.clock_identity.write(w)?;
        w.u8(self.domain_number)?;
        w.zeros(1)
    }
}

/// CURRENT_DATA_SET (Table 70).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct CurrentDataSet {
    /// stepsRemoved.
    pub steps_removed: u16,
    /// offsetFromMaster.
    pub offset_from_master: TimeInterval,
    /// meanPathDelay (meanDelay in 2019).
    pub mean_path_delay: TimeInterval,
}

impl CurrentDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            steps_removed: r.u16()?,
            offset_from_master: TimeInterval(r.i64()?),
            mean_path_delay: TimeInterval(r.i64()?),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.steps_removed)?;
        w.i64(self.offset_from_master.0)?;
        w.i64(self.mean_path_delay.0)
    }
}

/// PARENT_DATA_SET (Table 71).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct ParentDataSet {
    /// parentPortIdentity.
    pub parent_port_identity: PortIdentity,
    /// parentStats (the PS bit).
    pub parent_stats: bool,
    /// observedParentOffsetScaledLogVariance.
    pub observed_parent_offset_scaled_log_variance: u16,
    /// observedParentClockPhaseChangeRate.
    pub observed_parent_clock_phase_change_rate: i32,
    /// grandmasterPriority1.
    pub grandmaster_priority1: u8,
    /// grandmasterClockQuality.
    pub grandmaster_clock_quality: ClockQuality,
    /// grandmasterPriority2.
    pub grandmaster_priority2: u8,
    /// grandmasterIdentity.
    pub grandmaster_identity: ClockIdentity,
}

impl ParentDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let parent_port_identity = PortIdentity::read(r)?;
        let parent_stats = r.u8()? & 1 != 0;
        r.skip(1)?;
        Ok(Self {
            parent_port_identity,
            parent_stats,
            observed_parent_offset_scaled_log_variance: r.u16()?,
            observed_parent_clock_phase_change_rate: r.i32()?,
            grandmaster_priority1: r.u8()?,
            grandmaster_clock_quality: ClockQuality::read(r)?,
            grandmaster_priority2: r.u8()?,
            grandmaster_identity: ClockIdentity::read(r)?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.parent_port_identity.write(w)?;
        w.u8(u8::from(self.parent_stats))?;
        w.zeros(1)?;
        w.u16(self.observed_parent_offset_scaled_log_variance)?;
        w.i32(self.observed_parent_clock_phase_change_rate)?;
        w.u8(self.grandmaster_priority1)?;
        self.grandmaster_clock_quality.write(w)?;
        w.u8(self.grandmaster_priority2)?;
        self.grandmaster_identity.write(w)
    }
}

/// TIME_PROPERTIES_DATA_SET (Table 72).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TimePropertiesDataSet {
    /// currentUtcOffset (seconds).
    pub current_utc_offset: i16,
    /// leap61, leap59, currentUtcOffsetValid, ptpTimescale, timeTraceable,
    /// frequencyTraceable.
    pub flags: TimeFlags,
    /// timeSource.
    pub time_source: TimeSource,
}

impl TimePropertiesDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            current_utc_offset: r.i16()?,
            flags: TimeFlags(r.u8()?),
            time_source: TimeSource(r.u8()?),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.i16(self.current_utc_offset)?;
        w.u8(self.flags.0)?;
        w.u8(self.time_source.0)
    }
}

/// ALTERNATE_TIME_OFFSET_ENABLE: whether the alternate timescale `key_field` is announced.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AlternateTimeOffsetEnable {
    /// keyField.
    pub key_field: u8,
    /// The enable bit (bit 0 of the second octet).
    pub enable: bool,
}

impl AlternateTimeOffsetEnable {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            key_field: r.u8()?,
            enable: r.u8()? & 1 != 0,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(self.key_field)?;
        w.u8(u8::from(self.enable))
    }
}

/// ALTERNATE_TIME_OFFSET_NAME: the display name of alternate timescale `key_field`.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AlternateTimeOffsetName<'a> {
    /// keyField.
    pub key_field: u8,
    /// displayName.
    pub display_name: PtpText<'a>,
}

impl<'a> AlternateTimeOffsetName<'a> {
    pub(super) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        Ok(Self {
            key_field: r.u8()?,
            display_name: PtpText::read(r)?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(self.key_field)?;
        self.display_name.write(w)
    }
}

/// ALTERNATE_TIME_OFFSET_PROPERTIES: the offset of alternate timescale `key_field` and its
/// next jump. A reserved octet ends it on the wire (16 bytes).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AlternateTimeOffsetProperties {
    /// keyField.
    pub key_field: u8,
    /// currentOffset (seconds).
    pub current_offset: i32,
    /// jumpSeconds.
    pub jump_seconds: i32,
    /// timeOfNextJump (48-bit seconds).
    pub time_of_next_jump: u64,
}

impl AlternateTimeOffsetProperties {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let v = Self {
            key_field: r.u8()?,
            current_offset: r.i32()?,
            jump_seconds: r.i32()?,
            time_of_next_jump: r.u48()?,
        };
        r.skip(1)?;
        Ok(v)
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(self.key_field)?;
        w.i32(self.current_offset)?;
        w.i32(self.jump_seconds)?;
        w.u48(self.time_of_next_jump)?;
        w.zeros(1)
    }
}
