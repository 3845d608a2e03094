//! Management (IEEE 1588-2019 clause 15): the actionField, the MANAGEMENT TLV with its
//! managementId ([`ManagementId`]) and data, and the MANAGEMENT_ERROR_STATUS TLV.
//!
//! [`ManagementTlv`] keeps its data field as borrowed bytes so that every message round-trips;
//! [`ManagementTlv::data`] gives the typed body ([`ManagementData`]) for the managementId and
//! action, checking its size; [`ManagementTlv::build`] encodes a typed body into a caller's
//! buffer. GET requests are built with [`ManagementData::Empty`] (`pmc -z`) or a zero-filled
//! [`ManagementData::GetPlaceholder`] of [`ManagementId::get_data_len`] bytes (pmc's default).

mod data;
mod id;

pub use data::{
    AlternateMaster, AlternateTimeOffsetEnable, AlternateTimeOffsetName,
    AlternateTimeOffsetProperties, ClockDescription, CmldsInfoNp, CurrentDataSet, DefaultDataSet,
    DelayMechanism, ExternalGrandmasterPropertiesNp, GrandmasterSettingsNp, ManagementData,
    ParentDataSet, PortAddress, PortCorrectionsNp, PortDataSet, PortDataSetNp, PortHwclockNp,
    PortPropertiesNp, PortServiceStatsNp, PortStatsNp, PowerProfileSettingsNp, SlaveOnlyFlag,
    SubscribeEventsNp, SynchronizationUncertain, TimeFlags, TimePropertiesDataSet, TimeStatusNp,
    Timestamping, TransparentClockDefaultDataSet, TransparentClockPortDataSet, UnicastMasterEntry,
    UnicastMasterTableNp, UtcProperties,
};
pub use id::ManagementId;

use core::fmt;

use super::{PtpText, Reader, WireError, Writer};

/// actionField (Table 57).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
#[repr(u8)]
pub enum Action {
    /// GET: read a data set or value.
    Get = 0,
    /// SET: change it.
    Set = 1,
    /// RESPONSE: the answer to GET or SET.
    Response = 2,
    /// COMMAND: do something (enable a port, …).
    Command = 3,
    /// ACKNOWLEDGE: the answer to COMMAND.
    Acknowledge = 4,
}

impl Action {
    /// The action with wire value `v`.
    pub fn from_u8(v: u8) -> Result<Self, WireError> {
        Ok(match v {
            0 => Self::Get,
            1 => Self::Set,
            2 => Self::Response,
            3 => Self::Command,
            4 => Self::Acknowledge,
            _ => {
                return Err(WireError::InvalidValue {
                    field: "actionField",
                    value: u32::from(v),
                })
            }
        })
    }

    /// pmc's name for the action.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Set => "SET",
            Self::Response => "RESPONSE",
            Self::Command => "COMMAND",
            Self::Acknowledge => "ACKNOWLEDGE",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A MANAGEMENT TLV: the managementId and its data field, borrowed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ManagementTlv<'a> {
    /// managementId.
    pub id: ManagementId,
    /// dataField, as it was on the wire (empty for a GET sent with `pmc -z`).
    pub raw_data: &'a [u8],
}

impl<'a> ManagementTlv<'a> {
    /// The data field, typed for this managementId and `action`. Checks its size.
    pub fn data(&self, action: Action) -> Result<ManagementData<'a>, WireError> {
        ManagementData::decode(self.id, action, self.raw_data)
    }

    /// A MANAGEMENT TLV for `id` carrying `data`, encoded into `buf` (no allocation). Fails
    /// if `data` is the typed body of another ID or does not fit `buf`.
    pub fn build(
        id: ManagementId,
        data: &ManagementData<'_>,
        buf: &'a mut [u8],
    ) -> Result<Self, WireError> {
        if data.id().is_some_and(|body_id| body_id != id) {
            return Err(WireError::InvalidValue {
                field: "managementId (of a body for another ID)",
                value: u32::from(id.0),
            });
        }
        let mut w = Writer::new(buf);
        data.encode(&mut w)?;
        Ok(Self {
            id,
            raw_data: w.into_written(),
        })
    }

    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let id = ManagementId(r.u16().map_err(|_| WireError::TlvBodySize {
            tlv: "MANAGEMENT",
            expected: "expected at least 2",
            actual: r.remaining(),
        })?);
        Ok(Self {
            id,
            raw_data: r.rest(),
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.id.0)?;
        w.bytes(self.raw_data)
    }
}

/// managementErrorId (Table 109).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ManagementErrorId(pub u16);

impl ManagementErrorId {
    /// The response is too big for one message.
    pub const RESPONSE_TOO_BIG: Self = Self(0x0001);
    /// The managementId is not recognised.
    pub const NO_SUCH_ID: Self = Self(0x0002);
    /// The managementId was wrong for the message (length, action).
    pub const WRONG_LENGTH: Self = Self(0x0003);
    /// A value was wrong.
    pub const WRONG_VALUE: Self = Self(0x0004);
    /// The value cannot be set.
    pub const NOT_SETABLE: Self = Self(0x0005);
    /// The managementId is recognised but not supported.
    pub const NOT_SUPPORTED: Self = Self(0x0006);
    /// Any other error.
    pub const GENERAL_ERROR: Self = Self(0xfffe);

    /// pmc's name for the error.
    pub const fn name(self) -> &'static str {
        match self.0 {
            0x0001 => "RESPONSE_TOO_BIG",
            0x0002 => "NO_SUCH_ID",
            0x0003 => "WRONG_LENGTH",
            0x0004 => "WRONG_VALUE",
            0x0005 => "NOT_SETABLE",
            0x0006 => "NOT_SUPPORTED",
            0xfffe => "GENERAL_ERROR",
            _ => "UNKNOWN",
        }
    }
}

impl fmt::Debug for ManagementErrorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:#06x})", self.name(), self.0)
    }
}

/// MANAGEMENT_ERROR_STATUS (15.5.4): why a management request failed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct ManagementErrorStatus<'a> {
    /// managementErrorId.
    pub error: ManagementErrorId,
    /// The managementId of the request.
    pub id: ManagementId,
    /// displayData; absent when the TLV ends after the reserved field.
    pub display_data: Option<PtpText<'a>>,
}

impl<'a> ManagementErrorStatus<'a> {
    pub(crate) fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        let size_error = |actual| WireError::TlvBodySize {
            tlv: "MANAGEMENT_ERROR_STATUS",
            expected: "expected at least 8",
            actual,
        };
        let actual = r.remaining();
        let error = ManagementErrorId(r.u16().map_err(|_| size_error(actual))?);
        let id = ManagementId(r.u16().map_err(|_| size_error(actual))?);
        r.skip(4).map_err(|_| size_error(actual))?;
        let display_data = if r.remaining() == 0 {
            None
        } else {
            Some(PtpText::read(r)?)
        };
        // What follows the text is padding to an even length.
        Ok(Self {
            error,
            id,
            display_data,
        })
    }

    pub(crate) fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(self.error.0)?;
        w.u16(self.id.0)?;
        w.zeros(4)?;
        match &self.display_data {
            Some(text) => text.write(w),
            None => Ok(()),
        }
    }
}
