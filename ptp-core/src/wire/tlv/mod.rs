//! TLVs (IEEE 1588-2019 clause 14): the type-length-value entities in a message's suffix.
//!
//! [`Tlvs`] is a checked view of a suffix: [`Tlvs::new`] walks it once, rejecting a TLV that
//! overruns the message or a known TLV whose body has the wrong size, and keeps the bytes so
//! that a decoded message re-encodes exactly. [`Tlvs::iter`] yields typed [`Tlv`]s;
//! [`TlvWriter`] builds a suffix into a caller-provided buffer.

mod alternate_time_offset;
mod organization;
mod path_trace;
mod unicast;

pub use alternate_time_offset::AlternateTimeOffsetIndicator;
pub use organization::{FollowUpInformation, OrganizationExtension};
pub use path_trace::PathTrace;
pub use unicast::{
    AcknowledgeCancelUnicastTransmission, CancelUnicastTransmission, GrantUnicastTransmission,
    RequestUnicastTransmission,
};

use core::fmt;

use super::management::{ManagementErrorStatus, ManagementTlv};
use super::{ClockIdentity, Reader, WireError, Writer};

/// tlvType (Table 52). Every value round-trips; the constants name the ones this codec or
/// linuxptp uses.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TlvType(pub u16);

impl TlvType {
    /// MANAGEMENT.
    pub const MANAGEMENT: Self = Self(0x0001);
    /// MANAGEMENT_ERROR_STATUS.
    pub const MANAGEMENT_ERROR_STATUS: Self = Self(0x0002);
    /// ORGANIZATION_EXTENSION.
    pub const ORGANIZATION_EXTENSION: Self = Self(0x0003);
    /// REQUEST_UNICAST_TRANSMISSION.
    pub const REQUEST_UNICAST_TRANSMISSION: Self = Self(0x0004);
    /// GRANT_UNICAST_TRANSMISSION.
    pub const GRANT_UNICAST_TRANSMISSION: Self = Self(0x0005);
    /// CANCEL_UNICAST_TRANSMISSION.
    pub const CANCEL_UNICAST_TRANSMISSION: Self = Self(0x0006);
    /// ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION.
    pub const ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION: Self = Self(0x0007);
    /// PATH_TRACE.
    pub const PATH_TRACE: Self = Self(0x0008);
    /// ALTERNATE_TIME_OFFSET_INDICATOR.
    pub const ALTERNATE_TIME_OFFSET_INDICATOR: Self = Self(0x0009);
    /// ORGANIZATION_EXTENSION_PROPAGATE.
    pub const ORGANIZATION_EXTENSION_PROPAGATE: Self = Self(0x4000);
    /// ENHANCED_ACCURACY_METRICS.
    pub const ENHANCED_ACCURACY_METRICS: Self = Self(0x4001);
    /// ORGANIZATION_EXTENSION_DO_NOT_PROPAGATE.
    pub const ORGANIZATION_EXTENSION_DO_NOT_PROPAGATE: Self = Self(0x8000);
    /// L1_SYNC.
    pub const L1_SYNC: Self = Self(0x8001);
    /// PORT_COMMUNICATION_AVAILABILITY.
    pub const PORT_COMMUNICATION_AVAILABILITY: Self = Self(0x8002);
    /// PROTOCOL_ADDRESS.
    pub const PROTOCOL_ADDRESS: Self = Self(0x8003);
    /// SLAVE_RX_SYNC_TIMING_DATA.
    pub const SLAVE_RX_SYNC_TIMING_DATA: Self = Self(0x8004);
    /// SLAVE_RX_SYNC_COMPUTED_DATA.
    pub const SLAVE_RX_SYNC_COMPUTED_DATA: Self = Self(0x8005);
    /// SLAVE_TX_EVENT_TIMESTAMPS.
    pub const SLAVE_TX_EVENT_TIMESTAMPS: Self = Self(0x8006);
    /// CUMULATIVE_RATE_RATIO.
    pub const CUMULATIVE_RATE_RATIO: Self = Self(0x8007);
    /// PAD.
    pub const PAD: Self = Self(0x8008);
    /// AUTHENTICATION.
    pub const AUTHENTICATION: Self = Self(0x8009);

    /// Whether this type is one of the organization extension types, which share a layout.
    pub const fn is_organization_extension(self) -> bool {
        matches!(self.0, 0x0003 | 0x4000 | 0x8000)
    }
}

impl fmt::Debug for TlvType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TlvType({:#06x})", self.0)
    }
}

/// One TLV, typed where this codec knows its body, raw otherwise.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub enum Tlv<'a> {
    /// MANAGEMENT: a managementId and its data (typed by [`ManagementTlv::data`]).
    Management(ManagementTlv<'a>),
    /// MANAGEMENT_ERROR_STATUS.
    ManagementErrorStatus(ManagementErrorStatus<'a>),
    /// REQUEST_UNICAST_TRANSMISSION.
    RequestUnicastTransmission(RequestUnicastTransmission),
    /// GRANT_UNICAST_TRANSMISSION.
    GrantUnicastTransmission(GrantUnicastTransmission),
    /// CANCEL_UNICAST_TRANSMISSION.
    CancelUnicastTransmission(CancelUnicastTransmission),
    /// ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION.
    AcknowledgeCancelUnicastTransmission(AcknowledgeCancelUnicastTransmission),
    /// PATH_TRACE.
    PathTrace(PathTrace<'a>),
    /// ALTERNATE_TIME_OFFSET_INDICATOR.
    AlternateTimeOffsetIndicator(AlternateTimeOffsetIndicator<'a>),
    /// The IEEE 802.1AS follow-up information TLV (an ORGANIZATION_EXTENSION with
    /// organizationId 00-80-C2, subtype 1).
    FollowUpInformation(FollowUpInformation),
    /// Any other ORGANIZATION_EXTENSION(_PROPAGATE/_DO_NOT_PROPAGATE) TLV.
    OrganizationExtension(OrganizationExtension<'a>),
    /// A TLV type this codec has no typed body for, kept as bytes.
    Other {
        /// tlvType.
        tlv_type: TlvType,
        /// The body (valueField).
        value: &'a [u8],
    },
}

impl<'a> Tlv<'a> {
    /// This TLV's tlvType.
    pub fn tlv_type(&self) -> TlvType {
        match self {
            Self::Management(_) => TlvType::MANAGEMENT,
            Self::ManagementErrorStatus(_) => TlvType::MANAGEMENT_ERROR_STATUS,
            Self::RequestUnicastTransmission(_) => TlvType::REQUEST_UNICAST_TRANSMISSION,
            Self::GrantUnicastTransmission(_) => TlvType::GRANT_UNICAST_TRANSMISSION,
            Self::CancelUnicastTransmission(_) => TlvType::CANCEL_UNICAST_TRANSMISSION,
            Self::AcknowledgeCancelUnicastTransmission(_) => {
                TlvType::ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION
            }
            Self::PathTrace(_) => TlvType::PATH_TRACE,
            Self::AlternateTimeOffsetIndicator(_) => TlvType::ALTERNATE_TIME_OFFSET_INDICATOR,
            Self::FollowUpInformation(_) => TlvType::ORGANIZATION_EXTENSION,
            Self::OrganizationExtension(o) => o.tlv_type,
            Self::Other { tlv_type, .. } => *tlv_type,
        }
    }

    /// Decodes the body of a TLV of type `tlv_type`.
    pub fn decode(tlv_type: TlvType, body: &'a [u8]) -> Result<Self, WireError> {
        let r = &mut Reader::new(body, "TLV body");
        Ok(match tlv_type {
            TlvType::MANAGEMENT => Self::Management(ManagementTlv::read(r)?),
            TlvType::MANAGEMENT_ERROR_STATUS => {
                Self::ManagementErrorStatus(ManagementErrorStatus::read(r)?)
            }
            TlvType::REQUEST_UNICAST_TRANSMISSION => {
                Self::RequestUnicastTransmission(RequestUnicastTransmission::read(body)?)
            }
            TlvType::GRANT_UNICAST_TRANSMISSION => {
                Self::GrantUnicastTransmission(GrantUnicastTransmission::read(body)?)
            }
            TlvType::CANCEL_UNICAST_TRANSMISSION => {
                Self::CancelUnicastTransmission(CancelUnicastTransmission::read(body)?)
            }
            TlvType::ACKNOWLEDGE_CANCEL_UNICAST_TRANSMISSION => {
                Self::AcknowledgeCancelUnicastTransmission(
                    AcknowledgeCancelUnicastTransmission::read(body)?,
                )
            }
            TlvType::PATH_TRACE => Self::PathTrace(PathTrace::new(body)?),
            TlvType::ALTERNATE_TIME_OFFSET_INDICATOR => {
                Self::AlternateTimeOffsetIndicator(AlternateTimeOffsetIndicator::read(r)?)
            }
            t if t.is_organization_extension() => {
                let ext = OrganizationExtension::read(t, r)?;
                match FollowUpInformation::from_extension(&ext) {
                    Some(info) => Self::FollowUpInformation(info?),
                    None => Self::OrganizationExtension(ext),
                }
            }
            tlv_type => Self::Other {
                tlv_type,
                value: body,
            },
        })
    }

    /// Writes the body (without type and length).
    fn write_body(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        match self {
            Self::Management(m) => m.write(w),
            Self::ManagementErrorStatus(m) => m.write(w),
            Self::RequestUnicastTransmission(m) => m.write(w),
            Self::GrantUnicastTransmission(m) => m.write(w),
            Self::CancelUnicastTransmission(m) => m.write(w),
            Self::AcknowledgeCancelUnicastTransmission(m) => m.write(w),
            Self::PathTrace(m) => w.bytes(m.as_bytes()),
            Self::AlternateTimeOffsetIndicator(m) => m.write(w),
            Self::FollowUpInformation(m) => m.write(w),
            Self::OrganizationExtension(m) => m.write(w),
            Self::Other { value, .. } => w.bytes(value),
        }
    }

    /// Writes the whole TLV: type, length and body. TLVs whose body carries a PTPText
    /// (management error status, alternate time offset indicator) are padded to an even
    /// length, as IEEE 1588 asks (14.1.1) and linuxptp does.
    pub fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        let pad = matches!(
            self,
            Self::ManagementErrorStatus(_) | Self::AlternateTimeOffsetIndicator(_)
        );
        write_framed(w, self.tlv_type(), pad, |w| self.write_body(w))
    }
}

/// Writes tlvType, a lengthField and the body `body` writes, padding the body to an even
/// length when `pad_to_even`, then fills in the length.
pub(crate) fn write_framed(
    w: &mut Writer<'_>,
    tlv_type: TlvType,
    pad_to_even: bool,
    body: impl FnOnce(&mut Writer<'_>) -> Result<(), WireError>,
) -> Result<(), WireError> {
    w.u16(tlv_type.0)?;
    let length_at = w.position();
    w.u16(0)?;
    let start = w.position();
    body(w)?;
    if pad_to_even && !(w.position() - start).is_multiple_of(2) {
        w.zeros(1)?;
    }
    let len = w.position() - start;
    let length = u16::try_from(len).map_err(|_| WireError::TooLong {
        what: "TLV body",
        len,
        max: usize::from(u16::MAX),
    })?;
    w.patch_u16(length_at, length)
}

/// A message suffix whose TLV framing and typed bodies have been checked.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct Tlvs<'a>(&'a [u8]);

impl<'a> Tlvs<'a> {
    /// The empty suffix.
    pub const EMPTY: Self = Self(&[]);

    /// Checks `bytes` as a suffix: every TLV fits and every known TLV body decodes. Fewer than
    /// four bytes left at the end cannot hold a TLV and are kept but not interpreted, as
    /// linuxptp does.
    pub fn new(bytes: &'a [u8]) -> Result<Self, WireError> {
        let suffix = Self(bytes);
        for tlv in suffix.iter() {
            tlv?;
        }
        Ok(suffix)
    }

    /// The suffix's bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// Whether the suffix holds no TLV.
    pub fn is_empty(&self) -> bool {
        self.0.len() < 4
    }

    /// The TLVs, in order.
    pub fn iter(&self) -> TlvIter<'a> {
        TlvIter {
            rest: self.0,
            offset: 0,
        }
    }
}

impl<'a> IntoIterator for Tlvs<'a> {
    type Item = Result<Tlv<'a>, WireError>;
    type IntoIter = TlvIter<'a>;

    fn into_iter(self) -> TlvIter<'a> {
        self.iter()
    }
}

/// Iterator over a suffix's TLVs; stops after the first error.
#[derive(Clone, Debug)]
pub struct TlvIter<'a> {
    rest: &'a [u8],
    offset: usize,
}

impl<'a> TlvIter<'a> {
    fn next_tlv(&mut self) -> Result<Tlv<'a>, WireError> {
        let mut r = Reader::new(self.rest, "TLV");
        let tlv_type = TlvType(r.u16()?);
        let length = r.u16()?;
        let available = r.remaining();
        let body = r
            .bytes(usize::from(length))
            .map_err(|_| WireError::TlvOverrun {
                tlv_type: tlv_type.0,
                offset: self.offset,
                length,
                available,
            })?;
        self.rest = r.rest();
        self.offset += 4 + usize::from(length);
        Tlv::decode(tlv_type, body)
    }
}

impl<'a> Iterator for TlvIter<'a> {
    type Item = Result<Tlv<'a>, WireError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.len() < 4 {
            return None;
        }
        let item = self.next_tlv();
        if item.is_err() {
            self.rest = &[];
        }
        Some(item)
    }
}

/// Builds a suffix into a caller-provided buffer, allocation-free.
#[derive(Debug)]
pub struct TlvWriter<'b> {
    w: Writer<'b>,
}

impl<'b> TlvWriter<'b> {
    /// Writes TLVs from the start of `buf`.
    pub fn new(buf: &'b mut [u8]) -> Self {
        Self {
            w: Writer::new(buf),
        }
    }

    /// Appends one TLV.
    pub fn push(&mut self, tlv: &Tlv<'_>) -> Result<&mut Self, WireError> {
        tlv.write(&mut self.w)?;
        Ok(self)
    }

    /// Appends a PATH_TRACE TLV listing `ids`.
    pub fn path_trace(
        &mut self,
        ids: impl IntoIterator<Item = ClockIdentity>,
    ) -> Result<&mut Self, WireError> {
        PathTrace::write_tlv(&mut self.w, ids)?;
        Ok(self)
    }

    /// The suffix written so far.
    pub fn finish(self) -> Result<Tlvs<'b>, WireError> {
        Tlvs::new(self.w.into_written())
    }
}
