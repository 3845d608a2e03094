//! ORGANIZATION_EXTENSION TLVs (IEEE 1588-2019 14.3), and the one linuxptp speaks: the IEEE
//! 802.1AS follow-up information TLV that gPTP appends to Follow_Up.

use super::TlvType;
use crate::time::Duration;
use crate::wire::{Reader, WireError, Writer};

/// An organization extension TLV: an OUI, a subtype and opaque data.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct OrganizationExtension<'a> {
    /// ORGANIZATION_EXTENSION, _PROPAGATE or _DO_NOT_PROPAGATE.
    pub tlv_type: TlvType,
    /// organizationId (an OUI or CID).
    pub organization_id: [u8; 3],
    /// organizationSubType (24 bits).
    pub organization_sub_type: u32,
    /// dataField.
    pub data: &'a [u8],
}

impl<'a> OrganizationExtension<'a> {
    pub(super) fn read(tlv_type: TlvType, r: &mut Reader<'a>) -> Result<Self, WireError> {
        let organization_id = r.array()?;
        let [a, b, c] = r.array()?;
        Ok(Self {
            tlv_type,
            organization_id,
            organization_sub_type: u32::from_be_bytes([0, a, b, c]),
            data: r.rest(),
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.bytes(&self.organization_id)?;
        let [high, a, b, c] = self.organization_sub_type.to_be_bytes();
        if high != 0 {
            return Err(WireError::InvalidValue {
                field: "organizationSubType",
                value: self.organization_sub_type,
            });
        }
        w.bytes(&[a, b, c])?;
        w.bytes(self.data)
    }
}

/// IEEE 802.1AS-2020 11.4.4.3: the follow-up information TLV.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default)]
pub struct FollowUpInformation {
    /// cumulativeScaledRateOffset: (rateRatio − 1) × 2^41.
    pub cumulative_scaled_rate_offset: i32,
    /// gmTimeBaseIndicator.
    pub gm_time_base_indicator: u16,
    /// lastGmPhaseChange (a 96-bit ScaledNs on the wire).
    pub last_gm_phase_change: Duration,
    /// scaledLastGmFreqChange: fractional frequency change × 2^41.
    pub scaled_last_gm_freq_change: i32,
}

impl FollowUpInformation {
    /// IEEE 802.1's organizationId.
    pub const ORGANIZATION_ID: [u8; 3] = [0x00, 0x80, 0xc2];
    /// The follow-up information subtype.
    pub const SUB_TYPE: u32 = 1;
    const DATA_LEN: usize = 22;

    /// The follow-up information in `ext`, if `ext` is one (`None` when it is another
    /// extension; an error when it is one of the wrong size).
    pub(super) fn from_extension(
        ext: &OrganizationExtension<'_>,
    ) -> Option<Result<Self, WireError>> {
        if ext.tlv_type != TlvType::ORGANIZATION_EXTENSION
            || ext.organization_id != Self::ORGANIZATION_ID
            || ext.organization_sub_type != Self::SUB_TYPE
        {
            return None;
        }
        Some(Self::read_data(ext.data))
    }

    fn read_data(data: &[u8]) -> Result<Self, WireError> {
        if data.len() != Self::DATA_LEN {
            return Err(WireError::TlvBodySize {
                tlv: "802.1AS follow-up information",
                expected: "expected 28",
                actual: data.len() + 6,
            });
        }
        let mut r = Reader::new(data, "follow-up information");
        let cumulative_scaled_rate_offset = r.i32()?;
        let gm_time_base_indicator = r.u16()?;
        Ok(Self {
            cumulative_scaled_rate_offset,
            gm_time_base_indicator,
            last_gm_phase_change: r.scaled_ns()?,
            scaled_last_gm_freq_change: r.i32()?,
        })
    }

    pub(super) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.bytes(&Self::ORGANIZATION_ID)?;
        w.bytes(&[0, 0, 1])?;
        w.i32(self.cumulative_scaled_rate_offset)?;
        w.u16(self.gm_time_base_indicator)?;
        w.scaled_ns(self.last_gm_phase_change)?;
        w.i32(self.scaled_last_gm_freq_change)
    }
}
