//! Typed data fields of management TLVs ([`ManagementData`]), per managementId and action.
//!
//! - [`ManagementData::decode`] checks the size of the data field against the managementId's
//!   shape (see [`ManagementId`]) and types it; variable parts (texts, addresses, tables) are
//!   borrowed from the input.
//! - [`ManagementData::encode`] writes it back. Like linuxptp, bodies of odd length (texts)
//!   are followed by one zero octet so the TLV stays even; decoding accepts exactly that pad.
//!
//! The bodies live in `clock` (clock data sets, alternate timescales), `port`
//! (PORT_DATA_SET, CLOCK_DESCRIPTION), `np_clock` and `np_port` (linuxptp's `*_NP`) and
//! `standard` (IEEE bodies linuxptp does not serve).

mod clock;
mod np_clock;
mod np_port;
mod port;
mod standard;

pub use clock::{
    AlternateTimeOffsetEnable, AlternateTimeOffsetName, AlternateTimeOffsetProperties,
    CurrentDataSet, DefaultDataSet, ParentDataSet, SlaveOnlyFlag, TimeFlags, TimePropertiesDataSet,
};
pub use np_clock::{
    ExternalGrandmasterPropertiesNp, GrandmasterSettingsNp, PowerProfileSettingsNp,
    SubscribeEventsNp, SynchronizationUncertain, TimeStatusNp,
};
pub use np_port::{
    CmldsInfoNp, PortCorrectionsNp, PortDataSetNp, PortHwclockNp, PortPropertiesNp,
    PortServiceStatsNp, PortStatsNp, Timestamping, UnicastMasterEntry, UnicastMasterTableNp,
};
pub use port::{ClockDescription, DelayMechanism, PortAddress, PortDataSet};
pub use standard::{
    AlternateMaster, TransparentClockDefaultDataSet, TransparentClockPortDataSet, UtcProperties,
};

use super::id::Shape;
use super::{Action, ManagementId};
use crate::time::LogInterval;
use crate::wire::{ClockAccuracy, PtpText, Reader, Timestamp, WireError, Writer};

/// A management body: read from and written to the data field.
trait Body<'a>: Sized {
    fn read(r: &mut Reader<'a>) -> Result<Self, WireError>;
    fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError>;
}

/// Implements [`Body`] for types with inherent `read`/`write`.
macro_rules! inherent_body {
    ($($ty:ident),* ; $($lt:ident),*) => {
        $(impl<'a> Body<'a> for $ty {
            fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
                $ty::read(r)
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
                $ty::write(self, w)
            }
        })*
        $(impl<'a> Body<'a> for $lt<'a> {
            fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
                $lt::read(r)
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
                $lt::write(self, w)
            }
        })*
    };
}

inherent_body!(
    DefaultDataSet, CurrentDataSet, ParentDataSet, TimePropertiesDataSet, PortDataSet,
    AlternateTimeOffsetEnable, AlternateTimeOffsetProperties, TimeStatusNp,
    GrandmasterSettingsNp, PortDataSetNp, SubscribeEventsNp, PortStatsNp, PortServiceStatsNp,
    PortHwclockNp, PowerProfileSettingsNp, CmldsInfoNp, PortCorrectionsNp,
    ExternalGrandmasterPropertiesNp, UtcProperties, AlternateMaster,
    TransparentClockDefaultDataSet, TransparentClockPortDataSet, Timestamp;
    ClockDescription, AlternateTimeOffsetName, PortPropertiesNp, UnicastMasterTableNp
);

impl<'a> Body<'a> for PtpText<'a> {
    fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        PtpText::read(r)
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        PtpText::write(self, w)
    }
}

/// A UInteger16 body (INITIALIZE's key, the table size limits).
impl<'a> Body<'a> for u16 {
    fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
        r.u16()
    }
    fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        w.u16(*self)
    }
}

/// Implements [`Body`] for a one-octet value carried as linuxptp's `management_tlv_datum`:
/// the value, then a reserved octet (ignored on decode, zero on encode).
macro_rules! datum_body {
    ($($ty:ty: |$v:ident| $from:expr, |$s:ident| $to:expr;)*) => {
        $(impl<'a> Body<'a> for $ty {
            fn read(r: &mut Reader<'a>) -> Result<Self, WireError> {
                let $v = r.u8()?;
                r.skip(1)?;
                Ok($from)
            }
            fn write(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
                let $s = *self;
                w.u8($to)?;
                w.zeros(1)
            }
        })*
    };
}

datum_body! {
    u8: |v| v, |s| s;
    bool: |v| v & 1 != 0, |s| u8::from(s);
    SlaveOnlyFlag: |v| SlaveOnlyFlag(v & (SlaveOnlyFlag::LINUXPTP_BIT | 1) != 0),
        |s| if s.0 { SlaveOnlyFlag::LINUXPTP_BIT } else { 0 };
    LogInterval: |v| LogInterval(v as i8), |s| s.0 as u8;
    ClockAccuracy: |v| ClockAccuracy(v), |s| s.0;
    TimeFlags: |v| TimeFlags(v), |s| s.0;
    DelayMechanism: |v| DelayMechanism(v), |s| s.0;
    SynchronizationUncertain: |v| SynchronizationUncertain(v), |s| s.0;
}

/// Declares [`ManagementData`]'s typed variants, each with its managementId and body type.
macro_rules! management_data {
    ($($(#[$doc:meta])* $variant:ident($ty:ty) = $id:ident;)*) => {
        /// The data field of a MANAGEMENT TLV, typed by managementId.
        ///
        /// A GET's data carries nothing: it is [`ManagementData::Empty`] (`pmc -z`) or
        /// [`ManagementData::GetPlaceholder`] (pmc's zero-filled body). Every other action
        /// gets the typed body of its ID. IDs without a typed body give
        /// [`ManagementData::Raw`].
        #[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
        // PORT_STATS_NP makes this ~280 bytes; it is decoded on the management path only, and
        // boxing would allocate.
        #[allow(clippy::large_enum_variant)]
        pub enum ManagementData<'a> {
            /// No data: a GET sent with zero-length data, a COMMAND without arguments, an
            /// ID without data (NULL_MANAGEMENT, ENABLE_PORT, …) or a response that carries
            /// none (ptp4l answers SUBSCRIBE_EVENTS_NP over the network that way).
            Empty,
            /// The data of a GET sent at the body's empty size, as pmc does without `-z`
            /// (zero-filled; its content means nothing).
            GetPlaceholder(&'a [u8]),
            /// The data of a managementId without a typed body.
            Raw(&'a [u8]),
            $($(#[$doc])* $variant($ty),)*
        }

        impl<'a> ManagementData<'a> {
            /// The managementId this typed body belongs to (`None` for `Empty`,
            /// `GetPlaceholder` and `Raw`, which fit any).
            pub fn id(&self) -> Option<ManagementId> {
                match self {
                    $(Self::$variant(_) => Some(ManagementId::$id),)*
                    Self::Empty | Self::GetPlaceholder(_) | Self::Raw(_) => None,
                }
            }

            /// Reads the typed body of `id`; `None` if `id` has none.
            fn read_body(id: ManagementId, r: &mut Reader<'a>) -> Result<Option<Self>, WireError> {
                Ok(Some(match id {
                    $(ManagementId::$id => Self::$variant(<$ty as Body<'a>>::read(r)?),)*
                    _ => return Ok(None),
                }))
            }

            /// Writes the body, unpadded.
            fn write_body(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
                match self {
                    $(Self::$variant(v) => Body::write(v, w),)*
                    Self::Empty => Ok(()),
                    Self::GetPlaceholder(bytes) | Self::Raw(bytes) => w.bytes(bytes),
                }
            }
        }
    };
}

management_data! {
    /// CLOCK_DESCRIPTION.
    ClockDescription(ClockDescription<'a>) = CLOCK_DESCRIPTION;
    /// USER_DESCRIPTION.
    UserDescription(PtpText<'a>) = USER_DESCRIPTION;
    /// INITIALIZE (COMMAND): the initializationKey (0 = INITIALIZE_EVENT).
    Initialize(u16) = INITIALIZE;
    /// DEFAULT_DATA_SET.
    DefaultDataSet(DefaultDataSet) = DEFAULT_DATA_SET;
    /// CURRENT_DATA_SET.
    CurrentDataSet(CurrentDataSet) = CURRENT_DATA_SET;
    /// PARENT_DATA_SET.
    ParentDataSet(ParentDataSet) = PARENT_DATA_SET;
    /// TIME_PROPERTIES_DATA_SET.
    TimePropertiesDataSet(TimePropertiesDataSet) = TIME_PROPERTIES_DATA_SET;
    /// PORT_DATA_SET.
    PortDataSet(PortDataSet) = PORT_DATA_SET;
    /// PRIORITY1.
    Priority1(u8) = PRIORITY1;
    /// PRIORITY2.
    Priority2(u8) = PRIORITY2;
    /// DOMAIN: the domainNumber.
    Domain(u8) = DOMAIN;
    /// SLAVE_ONLY.
    SlaveOnly(SlaveOnlyFlag) = SLAVE_ONLY;
    /// LOG_ANNOUNCE_INTERVAL.
    LogAnnounceInterval(LogInterval) = LOG_ANNOUNCE_INTERVAL;
    /// ANNOUNCE_RECEIPT_TIMEOUT.
    AnnounceReceiptTimeout(u8) = ANNOUNCE_RECEIPT_TIMEOUT;
    /// LOG_SYNC_INTERVAL.
    LogSyncInterval(LogInterval) = LOG_SYNC_INTERVAL;
    /// VERSION_NUMBER (versionPTP in the low nibble).
    VersionNumber(u8) = VERSION_NUMBER;
    /// TIME: the clock's current time.
    Time(Timestamp) = TIME;
    /// CLOCK_ACCURACY.
    ClockAccuracy(ClockAccuracy) = CLOCK_ACCURACY;
    /// UTC_PROPERTIES.
    UtcProperties(UtcProperties) = UTC_PROPERTIES;
    /// TRACEABILITY_PROPERTIES (timeTraceable and frequencyTraceable bits).
    TraceabilityProperties(TimeFlags) = TRACEABILITY_PROPERTIES;
    /// TIMESCALE_PROPERTIES (the ptpTimescale bit).
    TimescaleProperties(TimeFlags) = TIMESCALE_PROPERTIES;
    /// UNICAST_NEGOTIATION_ENABLE.
    UnicastNegotiationEnable(bool) = UNICAST_NEGOTIATION_ENABLE;
    /// PATH_TRACE_ENABLE.
    PathTraceEnable(bool) = PATH_TRACE_ENABLE;
    /// UNICAST_MASTER_MAX_TABLE_SIZE.
    UnicastMasterMaxTableSize(u16) = UNICAST_MASTER_MAX_TABLE_SIZE;
    /// ACCEPTABLE_MASTER_TABLE_ENABLED.
    AcceptableMasterTableEnabled(bool) = ACCEPTABLE_MASTER_TABLE_ENABLED;
    /// ACCEPTABLE_MASTER_MAX_TABLE_SIZE.
    AcceptableMasterMaxTableSize(u16) = ACCEPTABLE_MASTER_MAX_TABLE_SIZE;
    /// ALTERNATE_MASTER.
    AlternateMaster(AlternateMaster) = ALTERNATE_MASTER;
    /// ALTERNATE_TIME_OFFSET_ENABLE.
    AlternateTimeOffsetEnable(AlternateTimeOffsetEnable) = ALTERNATE_TIME_OFFSET_ENABLE;
    /// ALTERNATE_TIME_OFFSET_NAME.
    AlternateTimeOffsetName(AlternateTimeOffsetName<'a>) = ALTERNATE_TIME_OFFSET_NAME;
    /// ALTERNATE_TIME_OFFSET_MAX_KEY.
    AlternateTimeOffsetMaxKey(u8) = ALTERNATE_TIME_OFFSET_MAX_KEY;
    /// ALTERNATE_TIME_OFFSET_PROPERTIES.
    AlternateTimeOffsetProperties(AlternateTimeOffsetProperties) =
        ALTERNATE_TIME_OFFSET_PROPERTIES;
    /// MASTER_ONLY.
    MasterOnly(bool) = MASTER_ONLY;
    /// TRANSPARENT_CLOCK_DEFAULT_DATA_SET.
    TransparentClockDefaultDataSet(TransparentClockDefaultDataSet) =
        TRANSPARENT_CLOCK_DEFAULT_DATA_SET;
    /// TRANSPARENT_CLOCK_PORT_DATA_SET.
    TransparentClockPortDataSet(TransparentClockPortDataSet) = TRANSPARENT_CLOCK_PORT_DATA_SET;
    /// PRIMARY_DOMAIN.
    PrimaryDomain(u8) = PRIMARY_DOMAIN;
    /// DELAY_MECHANISM.
    DelayMechanism(DelayMechanism) = DELAY_MECHANISM;
    /// LOG_MIN_PDELAY_REQ_INTERVAL.
    LogMinPdelayReqInterval(LogInterval) = LOG_MIN_PDELAY_REQ_INTERVAL;
    /// TIME_STATUS_NP.
    TimeStatusNp(TimeStatusNp) = TIME_STATUS_NP;
    /// GRANDMASTER_SETTINGS_NP.
    GrandmasterSettingsNp(GrandmasterSettingsNp) = GRANDMASTER_SETTINGS_NP;
    /// PORT_DATA_SET_NP.
    PortDataSetNp(PortDataSetNp) = PORT_DATA_SET_NP;
    /// SUBSCRIBE_EVENTS_NP.
    SubscribeEventsNp(SubscribeEventsNp) = SUBSCRIBE_EVENTS_NP;
    /// PORT_PROPERTIES_NP.
    PortPropertiesNp(PortPropertiesNp<'a>) = PORT_PROPERTIES_NP;
    /// PORT_STATS_NP.
    PortStatsNp(PortStatsNp) = PORT_STATS_NP;
    /// SYNCHRONIZATION_UNCERTAIN_NP.
    SynchronizationUncertainNp(SynchronizationUncertain) = SYNCHRONIZATION_UNCERTAIN_NP;
    /// PORT_SERVICE_STATS_NP.
    PortServiceStatsNp(PortServiceStatsNp) = PORT_SERVICE_STATS_NP;
    /// UNICAST_MASTER_TABLE_NP.
    UnicastMasterTableNp(UnicastMasterTableNp<'a>) = UNICAST_MASTER_TABLE_NP;
    /// PORT_HWCLOCK_NP.
    PortHwclockNp(PortHwclockNp) = PORT_HWCLOCK_NP;
    /// POWER_PROFILE_SETTINGS_NP.
    PowerProfileSettingsNp(PowerProfileSettingsNp) = POWER_PROFILE_SETTINGS_NP;
    /// CMLDS_INFO_NP.
    CmldsInfoNp(CmldsInfoNp) = CMLDS_INFO_NP;
    /// PORT_CORRECTIONS_NP.
    PortCorrectionsNp(PortCorrectionsNp) = PORT_CORRECTIONS_NP;
    /// EXTERNAL_GRANDMASTER_PROPERTIES_NP.
    ExternalGrandmasterPropertiesNp(ExternalGrandmasterPropertiesNp) =
        EXTERNAL_GRANDMASTER_PROPERTIES_NP;
}

impl<'a> ManagementData<'a> {
    /// Decodes the data of managementId `id` in a message with action `action`.
    ///
    /// Empty data is [`ManagementData::Empty`] for every ID and action. Otherwise: an ID
    /// without data must have none; a GET carries the body's empty size
    /// ([`ManagementId::get_data_len`]); SET, RESPONSE, COMMAND and ACKNOWLEDGE carry the
    /// whole body (fixed size, or what its length fields declare padded to even). Any other
    /// size is [`WireError::ManagementBodySize`].
    pub fn decode(id: ManagementId, action: Action, data: &'a [u8]) -> Result<Self, WireError> {
        if data.is_empty() {
            return Ok(Self::Empty);
        }
        let size_error = |expected| WireError::ManagementBodySize {
            id: id.0,
            name: id.name(),
            expected,
            actual: data.len(),
        };
        match id.shape() {
            Shape::Untyped => Ok(Self::Raw(data)),
            Shape::NoData => Err(size_error("expected 0")),
            Shape::Fixed(n) | Shape::Variable(n) if action == Action::Get => {
                if data.len() == n {
                    Ok(Self::GetPlaceholder(data))
                } else {
                    Err(size_error(expected_get(n)))
                }
            }
            Shape::Fixed(n) => {
                if data.len() != n {
                    return Err(size_error(expected(n)));
                }
                let mut r = Reader::new(data, id.name());
                Ok(Self::read_body(id, &mut r)?.unwrap_or(Self::Raw(data)))
            }
            Shape::Variable(_) => {
                const DECLARED: &str =
                    "expected the size its length fields declare, padded to even";
                let mut r = Reader::new(data, id.name());
                let body = Self::read_body(id, &mut r).map_err(|e| match e {
                    WireError::Truncated { .. } => size_error(DECLARED),
                    other => other,
                })?;
                let used = data.len() - r.remaining();
                if used + used % 2 != data.len() {
                    return Err(size_error(DECLARED));
                }
                Ok(body.unwrap_or(Self::Raw(data)))
            }
        }
    }

    /// Writes the data field: typed bodies are padded to an even length with one zero octet,
    /// as linuxptp does; `GetPlaceholder` and `Raw` bytes are written as they are.
    pub fn encode(&self, w: &mut Writer<'_>) -> Result<(), WireError> {
        let start = w.position();
        self.write_body(w)?;
        if self.id().is_some() && !(w.position() - start).is_multiple_of(2) {
            w.zeros(1)?;
        }
        Ok(())
    }
}

/// `"expected N"` for the fixed sizes of the managementId table.
const fn expected(n: usize) -> &'static str {
    match n {
        2 => "expected 2",
        4 => "expected 4",
        8 => "expected 8",
        10 => "expected 10",
        12 => "expected 12",
        16 => "expected 16",
        18 => "expected 18",
        20 => "expected 20",
        24 => "expected 24",
        26 => "expected 26",
        32 => "expected 32",
        50 => "expected 50",
        66 => "expected 66",
        90 => "expected 90",
        266 => "expected 266",
        _ => "expected the body's fixed size",
    }
}

/// `"expected 0 or N"` for a GET of the sizes of the managementId table.
const fn expected_get(n: usize) -> &'static str {
    match n {
        2 => "expected 0 or 2",
        4 => "expected 0 or 4",
        8 => "expected 0 or 8",
        10 => "expected 0 or 10",
        12 => "expected 0 or 12",
        14 => "expected 0 or 14",
        16 => "expected 0 or 16",
        18 => "expected 0 or 18",
        20 => "expected 0 or 20",
        22 => "expected 0 or 22",
        24 => "expected 0 or 24",
        26 => "expected 0 or 26",
        32 => "expected 0 or 32",
        50 => "expected 0 or 50",
        66 => "expected 0 or 66",
        90 => "expected 0 or 90",
        266 => "expected 0 or 266",
        _ => "expected 0 or the body's empty size",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn size_messages_name_every_size_in_the_table() {
        for id in ManagementId::ALL {
            match id.shape() {
                Shape::Fixed(n) => {
                    assert_eq!(expected(n), format!("expected {n}"), "{id:?}");
                    assert_eq!(expected_get(n), format!("expected 0 or {n}"), "{id:?}");
                }
                Shape::Variable(n) => {
                    assert_eq!(expected_get(n), format!("expected 0 or {n}"), "{id:?}");
                }
                Shape::NoData | Shape::Untyped => {}
            }
        }
    }

    #[test]
    fn every_typed_id_has_a_body_and_every_body_its_id() {
        for id in ManagementId::ALL {
            let typed = matches!(id.shape(), Shape::Fixed(_) | Shape::Variable(_));
            let n = id.get_data_len();
            let zeros = vec![0u8; n.max(2)];
            let mut r = Reader::new(&zeros, "test");
            let body = ManagementData::read_body(*id, &mut r);
            // Zero-filled bodies decode for every typed ID but those holding a portState.
            let has_body = match body {
                Ok(b) => b.is_some(),
                Err(WireError::InvalidValue { field, .. }) => field == "portState",
                Err(e) => panic!("{id:?}: {e}"),
            };
            assert_eq!(has_body, typed, "{id:?}");
        }
    }
}
