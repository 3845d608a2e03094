//! IEEE 1588-2019 management bodies linuxptp does not serve (pmc answers "not supported"),
//! typed where they have a fixed size (15.5.3): TIME, UTC_PROPERTIES, ALTERNATE_MASTER and the
//! transparent clock data sets. Their one-value siblings (PATH_TRACE_ENABLE, PRIMARY_DOMAIN,
//! …) are plain [`ManagementData`](super::ManagementData) variants.

use super::port::DelayMechanism;
use super::TimeFlags;
use crate::time::{LogInterval, TimeInterval};
use crate::wire::{ClockIdentity, PortIdentity, Reader, WireError, Writer};

/// UTC_PROPERTIES (15.5.3.3.2): the UTC offset and its leap flags (leap61, leap59 and
/// currentUtcOffsetValid, at their [`TimeFlags`] positions). A reserved octet follows.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct UtcProperties {
    /// currentUtcOffset (seconds).
    pub current_utc_offset: i16,
    /// The flag octet.
    pub flags: TimeFlags,
}

impl UtcProperties {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let v = Self {
            current_utc_offset: r.i16()?,
            flags: TimeFlags(r.u8()?),
        };
        r.skip(1)?;
        Ok(v)
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.i16(self.current_utc_offset)?;
        w.u8(self.flags.0)?;
        w.zeros(1)
    }
}

/// ALTERNATE_MASTER (15.5.3.6.5): whether and how often the port sends alternate-master
/// multicast Sync.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct AlternateMaster {
    /// transmitAlternateMulticastSync (bit 0 of the flag octet).
    pub transmit_alternate_multicast_sync: bool,
    /// logAlternateMulticastSyncInterval.
    pub log_alternate_multicast_sync_interval: LogInterval,
    /// numberOfAlternateMasters.
    pub number_of_alternate_masters: u8,
}

impl AlternateMaster {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        let v = Self {
            transmit_alternate_multicast_sync: r.u8()? & 1 != 0,
            log_alternate_multicast_sync_interval: LogInterval(r.i8()?),
            number_of_alternate_masters: r.u8()?,
        };
        r.skip(1)?;
        Ok(v)
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u8(u8::from(self.transmit_alternate_multicast_sync))?;
        w.i8(self.log_alternate_multicast_sync_interval.0)?;
        w.u8(self.number_of_alternate_masters)?;
        w.zeros(1)
    }
}

/// TRANSPARENT_CLOCK_DEFAULT_DATA_SET (15.5.3.8.1; deprecated in 2019).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TransparentClockDefaultDataSet {
    /// clockIdentity.
    pub clock_identity: ClockIdentity,
    /// numberPorts.
    pub number_ports: u16,
    /// delayMechanism.
    pub delay_mechanism: DelayMechanism,
    /// primaryDomain.
    pub primary_domain: u8,
}

impl TransparentClockDefaultDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            clock_identity: ClockIdentity::read(r)?,
            number_ports: r.u16()?,
            delay_mechanism: DelayMechanism(r.u8()?),
            primary_domain: r.u8()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.clock_identity.write(w)?;
        w.u16(self.number_ports)?;
        w.u8(self.delay_mechanism.0)?;
        w.u8(self.primary_domain)
    }
}

/// TRANSPARENT_CLOCK_PORT_DATA_SET (15.5.3.8.2; deprecated in 2019).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct TransparentClockPortDataSet {
    /// portIdentity.
    pub port_identity: PortIdentity,
    /// faultyFlag (bit 0 of the flag octet).
    pub faulty: bool,
    /// logMinPdelayReqInterval.
    pub log_min_pdelay_req_interval: LogInterval,
    /// peerMeanPathDelay.
    pub peer_mean_path_delay: TimeInterval,
}

impl TransparentClockPortDataSet {
    pub(super) fn read(r: &mut Reader<'_>) -> Result<Self, WireError> {
        Ok(Self {
            port_identity: PortIdentity::read(r)?,
            faulty: r.u8()? & 1 != 0,
            log_min_pdelay_req_interval: LogInterval(r.i8()?),
            peer_mean_path_delay: TimeInterval(r.i64()?),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        self.port_identity.write(w)?;
        w.u8(u8::from(self.faulty))?;
        w.i8(self.log_min_pdelay_req_interval.0)?;
        w.i64(self.peer_mean_path_delay.0)
    }
}
