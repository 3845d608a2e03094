//! The 34-byte common header every PTP message starts with (IEEE 1588-2019 13.3), its
//! messageType (Table 36) and its flagField (Table 37).

use core::fmt;

use super::{PortIdentity, Reader, WireError, Writer};
use crate::time::{LogInterval, TimeInterval};

/// messageType (Table 36): the ten messages PTP version 2 defines.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum MessageType {
    /// Sync (event).
    Sync = 0x0,
    /// Delay_Req (event).
    DelayReq = 0x1,
    /// Pdelay_Req (event).
    PdelayReq = 0x2,
    /// Pdelay_Resp (event).
    PdelayResp = 0x3,
    /// Follow_Up (general).
    FollowUp = 0x8,
    /// Delay_Resp (general).
    DelayResp = 0x9,
    /// Pdelay_Resp_Follow_Up (general).
    PdelayRespFollowUp = 0xa,
    /// Announce (general).
    Announce = 0xb,
    /// Signaling (general).
    Signaling = 0xc,
    /// Management (general).
    Management = 0xd,
}

impl MessageType {
    /// Every message type, in wire-value order.
    pub const ALL: [Self; 10] = [
        Self::Sync,
        Self::DelayReq,
        Self::PdelayReq,
        Self::PdelayResp,
        Self::FollowUp,
        Self::DelayResp,
        Self::PdelayRespFollowUp,
        Self::Announce,
        Self::Signaling,
        Self::Management,
    ];

    /// The type with wire value `nibble` (the low four bits are used).
    pub fn from_nibble(nibble: u8) -> Result<Self, WireError> {
        Self::ALL
            .into_iter()
            .find(|t| *t as u8 == nibble & 0x0f)
            .ok_or(WireError::ReservedMessageType(nibble & 0x0f))
    }

    /// Event messages are time-stamped and travel on the event port (319).
    pub const fn is_event(self) -> bool {
        (self as u8) < 0x8
    }

    /// The name IEEE 1588 and linuxptp use.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Sync => "Sync",
            Self::DelayReq => "Delay_Req",
            Self::PdelayReq => "Pdelay_Req",
            Self::PdelayResp => "Pdelay_Resp",
            Self::FollowUp => "Follow_Up",
            Self::DelayResp => "Delay_Resp",
            Self::PdelayRespFollowUp => "Pdelay_Resp_Follow_Up",
            Self::Announce => "Announce",
            Self::Signaling => "Signaling",
            Self::Management => "Management",
        }
    }

    /// The controlField value IEEE 1588-2008 required and 2019 keeps for compatibility
    /// (Table 42): what linuxptp sends.
    pub const fn control_field(self) -> u8 {
        match self {
            Self::Sync => 0,
            Self::DelayReq => 1,
            Self::FollowUp => 2,
            Self::DelayResp => 3,
            Self::Management => 4,
            _ => 5,
        }
    }
}

impl fmt::Display for MessageType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// flagField (Table 37). All sixteen bits are kept, so reserved bits round-trip; the
/// constants name the defined ones.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(pub u16);

impl Flags {
    /// alternateMasterFlag.
    pub const ALTERNATE_MASTER: u16 = 1 << 8;
    /// twoStepFlag.
    pub const TWO_STEP: u16 = 1 << 9;
    /// unicastFlag.
    pub const UNICAST: u16 = 1 << 10;
    /// PTP profile Specific 1.
    pub const PROFILE_SPECIFIC_1: u16 = 1 << 13;
    /// PTP profile Specific 2.
    pub const PROFILE_SPECIFIC_2: u16 = 1 << 14;
    /// leap61.
    pub const LEAP_61: u16 = 1 << 0;
    /// leap59.
    pub const LEAP_59: u16 = 1 << 1;
    /// currentUtcOffsetValid.
    pub const UTC_OFFSET_VALID: u16 = 1 << 2;
    /// ptpTimescale.
    pub const PTP_TIMESCALE: u16 = 1 << 3;
    /// timeTraceable.
    pub const TIME_TRACEABLE: u16 = 1 << 4;
    /// frequencyTraceable.
    pub const FREQUENCY_TRACEABLE: u16 = 1 << 5;
    /// synchronizationUncertain.
    pub const SYNCHRONIZATION_UNCERTAIN: u16 = 1 << 6;

    /// Whether every bit of `mask` is set.
    pub const fn contains(self, mask: u16) -> bool {
        self.0 & mask == mask
    }

    /// These flags with `mask` set or cleared.
    #[must_use]
    pub const fn with(self, mask: u16, on: bool) -> Self {
        if on {
            Self(self.0 | mask)
        } else {
            Self(self.0 & !mask)
        }
    }

    /// twoStepFlag.
    pub const fn two_step(self) -> bool {
        self.contains(Self::TWO_STEP)
    }

    /// unicastFlag.
    pub const fn unicast(self) -> bool {
        self.contains(Self::UNICAST)
    }

    /// alternateMasterFlag.
    pub const fn alternate_master(self) -> bool {
        self.contains(Self::ALTERNATE_MASTER)
    }

    /// leap61.
    pub const fn leap61(self) -> bool {
        self.contains(Self::LEAP_61)
    }

    /// leap59.
    pub const fn leap59(self) -> bool {
        self.contains(Self::LEAP_59)
    }

    /// currentUtcOffsetValid.
    pub const fn utc_offset_valid(self) -> bool {
        self.contains(Self::UTC_OFFSET_VALID)
    }

    /// ptpTimescale.
    pub const fn ptp_timescale(self) -> bool {
        self.contains(Self::PTP_TIMESCALE)
    }

    /// timeTraceable.
    pub const fn time_traceable(self) -> bool {
        self.contains(Self::TIME_TRACEABLE)
    }

    /// frequencyTraceable.
    pub const fn frequency_traceable(self) -> bool {
        self.contains(Self::FREQUENCY_TRACEABLE)
    }

    /// synchronizationUncertain.
    pub const fn synchronization_uncertain(self) -> bool {
        self.contains(Self::SYNCHRONIZATION_UNCERTAIN)
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Flags({:#06x})", self.0)
    }
}

/// The common header, without messageType and messageLength: the message's body decides the
/// first, the encoder computes the second.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Header {
    /// majorSdoId (the 2008 transportSpecific nibble; 1 for gPTP).
    pub major_sdo_id: u8,
    /// minorVersionPTP (0 from linuxptp 3.x, 1 from 4.x). versionPTP is always 2.
    pub minor_version_ptp: u8,
    /// domainNumber.
    pub domain_number: u8,
    /// minorSdoId.
    pub minor_sdo_id: u8,
    /// flagField.
    pub flags: Flags,
    /// correctionField.
    pub correction: TimeInterval,
    /// messageTypeSpecific (reserved in 2008).
    pub message_type_specific: u32,
    /// sourcePortIdentity.
    pub source_port_identity: PortIdentity,
    /// sequenceId.
    pub sequence_id: u16,
    /// controlField (deprecated; see [`MessageType::control_field`]).
    pub control_field: u8,
    /// logMessageInterval.
    pub log_message_interval: LogInterval,
}

/// What [`Header::read`] found besides the header itself.
#[derive(Clone, Copy, Debug)]
pub(crate) struct HeaderPrefix {
    pub(crate) message_type: MessageType,
    pub(crate) message_length: u16,
}

impl Header {
    /// Size on the wire.
    pub const LEN: usize = 34;
    /// The versionPTP this codec speaks.
    pub const VERSION_PTP: u8 = 2;

    pub(crate) fn read(r: &mut Reader<'_>) -> Result<(Self, HeaderPrefix), WireError> {
        let b0 = r.u8()?;
        let b1 = r.u8()?;
        if b1 & 0x0f != Self::VERSION_PTP {
            return Err(WireError::UnsupportedVersion(b1 & 0x0f));
        }
        let message_type = MessageType::from_nibble(b0)?;
        let message_length = r.u16()?;
        let header = Self {
            major_sdo_id: b0 >> 4,
            minor_version_ptp: b1 >> 4,
            domain_number: r.u8()?,
            minor_sdo_id: r.u8()?,
            flags: Flags(r.u16()?),
            correction: TimeInterval(r.i64()?),
            message_type_specific: r.u32()?,
            source_port_identity: PortIdentity::read(r)?,
            sequence_id: r.u16()?,
            control_field: r.u8()?,
            log_message_interval: LogInterval(r.i8()?),
        };
        Ok((
            header,
            HeaderPrefix {
                message_type,
                message_length,
            },
        ))
    }

    pub(crate) fn write(
        &self,
        w: &mut Writer<'_>,
        message_type: MessageType,
        message_length: u16,
    ) -> Result<(), WireError> {
        if self.major_sdo_id > 0x0f || self.minor_version_ptp > 0x0f {
            return Err(WireError::InvalidValue {
                field: "majorSdoId/minorVersionPTP nibble",
                value: u32::from(self.major_sdo_id.max(self.minor_version_ptp)),
            });
        }
        w.u8(self.major_sdo_id << 4 | message_type as u8)?;
        w.u8(self.minor_version_ptp << 4 | Self::VERSION_PTP)?;
        w.u16(message_length)?;
        w.u8(self.domain_number)?;
        w.u8(self.minor_sdo_id)?;
        w.u16(self.flags.0)?;
        w.i64(self.correction.0)?;
        w.u32(self.message_type_specific)?;
        self.source_port_identity.write(w)?;
        w.u16(self.sequence_id)?;
        w.u8(self.control_field)?;
        w.i8(self.log_message_interval.0)
    }
}
