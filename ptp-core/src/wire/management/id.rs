//! managementId values: the standard ones of IEEE 1588-2019 Table 59 that linuxptp's `pmc`
//! knows, and linuxptp's implementation-specific `*_NP` ones (3.1.1 and upstream 4.x).
//!
//! One table (the `management_ids!` invocation below) gives each ID its constant, its pmc
//! spelling and the shape of its data field; [`ManagementId::ALL`], [`ManagementId::name`],
//! [`ManagementId::from_name`] and the size checks of
//! [`ManagementData::decode`](super::ManagementData::decode) all read it.
//!
//! Values checked against linuxptp's `tlv.h` (upstream master, which adds
//! POWER_PROFILE_SETTINGS_NP 0xC00A, CMLDS_INFO_NP 0xC00B, PORT_CORRECTIONS_NP 0xC00C and
//! EXTERNAL_GRANDMASTER_PROPERTIES_NP 0xC00D to 3.1.1's list) and its `pmc_common.c` `idtab`.

use core::fmt;

/// A managementId. Every value round-trips; the constants name the known ones.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManagementId(pub u16);

/// What the data field of a managementId holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Shape {
    /// Never any data (NULL_MANAGEMENT and the COMMAND-only IDs).
    NoData,
    /// A typed body of exactly this many bytes (already even).
    Fixed(usize),
    /// A typed body of variable size; the number is the size with every variable part empty,
    /// padded to even: what pmc sends as the data of a GET.
    Variable(usize),
    /// A variable-size standard table this codec keeps as bytes (FAULT_LOG, PATH_TRACE_LIST
    /// and the master tables; pmc answers "not supported" for them), and unknown IDs.
    Untyped,
}

/// Declares the managementIds: constant, value and data shape, in one table.
macro_rules! management_ids {
    ($($(#[$doc:meta])* $name:ident = $value:literal, $shape:expr;)*) => {
        impl ManagementId {
            $($(#[$doc])* pub const $name: Self = Self($value);)*

            /// Every managementId this module names, in table order.
            pub const ALL: &'static [Self] = &[$(Self::$name),*];

            /// The name pmc uses (`"DEFAULT_DATA_SET"`), or `"unknown"`.
            pub const fn name(self) -> &'static str {
                match self.0 {
                    $($value => stringify!($name),)*
                    _ => "unknown",
                }
            }

            /// The shape of this ID's data field.
            pub(crate) const fn shape(self) -> Shape {
                match self.0 {
                    $($value => $shape,)*
                    _ => Shape::Untyped,
                }
            }
        }
    };
}

use Shape::{Fixed, NoData, Untyped, Variable};

management_ids! {
    // Applicable to all node types / ports.
    /// NULL_MANAGEMENT: no data; a ping.
    NULL_MANAGEMENT = 0x0000, NoData;
    /// CLOCK_DESCRIPTION: what the clock is (variable size).
    CLOCK_DESCRIPTION = 0x0001, Variable(22);
    /// USER_DESCRIPTION: a PTPText the user configured.
    USER_DESCRIPTION = 0x0002, Variable(2);
    /// SAVE_IN_NON_VOLATILE_STORAGE (COMMAND).
    SAVE_IN_NON_VOLATILE_STORAGE = 0x0003, NoData;
    /// RESET_NON_VOLATILE_STORAGE (COMMAND).
    RESET_NON_VOLATILE_STORAGE = 0x0004, NoData;
    /// INITIALIZE (COMMAND with an initializationKey).
    INITIALIZE = 0x0005, Fixed(2);
    /// FAULT_LOG.
    FAULT_LOG = 0x0006, Untyped;
    /// FAULT_LOG_RESET (COMMAND).
    FAULT_LOG_RESET = 0x0007, NoData;
    // Ordinary and boundary clocks.
    /// DEFAULT_DATA_SET.
    DEFAULT_DATA_SET = 0x2000, Fixed(20);
    /// CURRENT_DATA_SET.
    CURRENT_DATA_SET = 0x2001, Fixed(18);
    /// PARENT_DATA_SET.
    PARENT_DATA_SET = 0x2002, Fixed(32);
    /// TIME_PROPERTIES_DATA_SET.
    TIME_PROPERTIES_DATA_SET = 0x2003, Fixed(4);
    /// PORT_DATA_SET.
    PORT_DATA_SET = 0x2004, Fixed(26);
    /// PRIORITY1.
    PRIORITY1 = 0x2005, Fixed(2);
    /// PRIORITY2.
    PRIORITY2 = 0x2006, Fixed(2);
    /// DOMAIN.
    DOMAIN = 0x2007, Fixed(2);
    /// SLAVE_ONLY.
    SLAVE_ONLY = 0x2008, Fixed(2);
    /// LOG_ANNOUNCE_INTERVAL.
    LOG_ANNOUNCE_INTERVAL = 0x2009, Fixed(2);
    /// ANNOUNCE_RECEIPT_TIMEOUT.
    ANNOUNCE_RECEIPT_TIMEOUT = 0x200a, Fixed(2);
    /// LOG_SYNC_INTERVAL.
    LOG_SYNC_INTERVAL = 0x200b, Fixed(2);
    /// VERSION_NUMBER.
    VERSION_NUMBER = 0x200c, Fixed(2);
    /// ENABLE_PORT (COMMAND).
    ENABLE_PORT = 0x200d, NoData;
    /// DISABLE_PORT (COMMAND).
    DISABLE_PORT = 0x200e, NoData;
    /// TIME.
    TIME = 0x200f, Fixed(10);
    /// CLOCK_ACCURACY.
    CLOCK_ACCURACY = 0x2010, Fixed(2);
    /// UTC_PROPERTIES.
    UTC_PROPERTIES = 0x2011, Fixed(4);
    /// TRACEABILITY_PROPERTIES.
    TRACEABILITY_PROPERTIES = 0x2012, Fixed(2);
    /// TIMESCALE_PROPERTIES.
    TIMESCALE_PROPERTIES = 0x2013, Fixed(2);
    /// UNICAST_NEGOTIATION_ENABLE.
    UNICAST_NEGOTIATION_ENABLE = 0x2014, Fixed(2);
    /// PATH_TRACE_LIST.
    PATH_TRACE_LIST = 0x2015, Untyped;
    /// PATH_TRACE_ENABLE.
    PATH_TRACE_ENABLE = 0x2016, Fixed(2);
    /// GRANDMASTER_CLUSTER_TABLE.
    GRANDMASTER_CLUSTER_TABLE = 0x2017, Untyped;
    /// UNICAST_MASTER_TABLE.
    UNICAST_MASTER_TABLE = 0x2018, Untyped;
    /// UNICAST_MASTER_MAX_TABLE_SIZE.
    UNICAST_MASTER_MAX_TABLE_SIZE = 0x2019, Fixed(2);
    /// ACCEPTABLE_MASTER_TABLE.
    ACCEPTABLE_MASTER_TABLE = 0x201a, Untyped;
    /// ACCEPTABLE_MASTER_TABLE_ENABLED.
    ACCEPTABLE_MASTER_TABLE_ENABLED = 0x201b, Fixed(2);
    /// ACCEPTABLE_MASTER_MAX_TABLE_SIZE.
    ACCEPTABLE_MASTER_MAX_TABLE_SIZE = 0x201c, Fixed(2);
    /// ALTERNATE_MASTER.
    ALTERNATE_MASTER = 0x201d, Fixed(4);
    /// ALTERNATE_TIME_OFFSET_ENABLE.
    ALTERNATE_TIME_OFFSET_ENABLE = 0x201e, Fixed(2);
    /// ALTERNATE_TIME_OFFSET_NAME.
    ALTERNATE_TIME_OFFSET_NAME = 0x201f, Variable(2);
    /// ALTERNATE_TIME_OFFSET_MAX_KEY.
    ALTERNATE_TIME_OFFSET_MAX_KEY = 0x2020, Fixed(2);
    /// ALTERNATE_TIME_OFFSET_PROPERTIES.
    ALTERNATE_TIME_OFFSET_PROPERTIES = 0x2021, Fixed(16);
    /// MASTER_ONLY (IEEE 1588-2019; pmc 4.x).
    MASTER_ONLY = 0x3001, Fixed(2);
    /// TRANSPARENT_CLOCK_DEFAULT_DATA_SET.
    TRANSPARENT_CLOCK_DEFAULT_DATA_SET = 0x4000, Fixed(12);
    /// TRANSPARENT_CLOCK_PORT_DATA_SET.
    TRANSPARENT_CLOCK_PORT_DATA_SET = 0x4001, Fixed(20);
    /// PRIMARY_DOMAIN.
    PRIMARY_DOMAIN = 0x4002, Fixed(2);
    /// DELAY_MECHANISM.
    DELAY_MECHANISM = 0x6000, Fixed(2);
    /// LOG_MIN_PDELAY_REQ_INTERVAL.
    LOG_MIN_PDELAY_REQ_INTERVAL = 0x6001, Fixed(2);
    // linuxptp implementation-specific.
    /// TIME_STATUS_NP: the servo's view of the grandmaster.
    TIME_STATUS_NP = 0xc000, Fixed(50);
    /// GRANDMASTER_SETTINGS_NP: the quality and time properties a grandmaster announces.
    GRANDMASTER_SETTINGS_NP = 0xc001, Fixed(8);
    /// PORT_DATA_SET_NP: neighborPropDelayThresh and asCapable.
    PORT_DATA_SET_NP = 0xc002, Fixed(8);
    /// SUBSCRIBE_EVENTS_NP: push notifications to the management client.
    SUBSCRIBE_EVENTS_NP = 0xc003, Fixed(66);
    /// PORT_PROPERTIES_NP: port state, time stamping and interface name.
    PORT_PROPERTIES_NP = 0xc004, Variable(14);
    /// PORT_STATS_NP: per-message-type counters.
    PORT_STATS_NP = 0xc005, Fixed(266);
    /// SYNCHRONIZATION_UNCERTAIN_NP.
    SYNCHRONIZATION_UNCERTAIN_NP = 0xc006, Fixed(2);
    /// PORT_SERVICE_STATS_NP: timeout and mismatch counters (4.x).
    PORT_SERVICE_STATS_NP = 0xc007, Fixed(90);
    /// UNICAST_MASTER_TABLE_NP: the unicast master table and its state (4.x).
    UNICAST_MASTER_TABLE_NP = 0xc008, Variable(2);
    /// PORT_HWCLOCK_NP: the port's PHC index (4.x).
    PORT_HWCLOCK_NP = 0xc009, Fixed(16);
    /// POWER_PROFILE_SETTINGS_NP: IEEE C37.238 settings (4.x).
    POWER_PROFILE_SETTINGS_NP = 0xc00a, Fixed(16);
    /// CMLDS_INFO_NP: the common mean link delay service (4.x).
    CMLDS_INFO_NP = 0xc00b, Fixed(16);
    /// PORT_CORRECTIONS_NP: egress/ingress latency and delay asymmetry (4.x).
    PORT_CORRECTIONS_NP = 0xc00c, Fixed(24);
    /// EXTERNAL_GRANDMASTER_PROPERTIES_NP (upstream master).
    EXTERNAL_GRANDMASTER_PROPERTIES_NP = 0xc00d, Fixed(10);
}

impl ManagementId {
    /// The ID named `name`, ignoring ASCII case, as pmc matches a whole name. (pmc also
    /// accepts a unique prefix; that is for its command parser to do over [`Self::ALL`].)
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|id| id.name().eq_ignore_ascii_case(name))
    }

    /// Whether this is one of the IDs this module names.
    pub fn is_known(self) -> bool {
        Self::ALL.contains(&self)
    }

    /// The data size of a GET of this ID as pmc sends it without `-z`: the typed body's size
    /// with every variable part empty, padded to even; 0 for IDs without a typed body.
    pub const fn get_data_len(self) -> usize {
        match self.shape() {
            Shape::Fixed(n) | Shape::Variable(n) => n,
            Shape::NoData | Shape::Untyped => 0,
        }
    }
}

impl fmt::Debug for ManagementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:#06x})", self.name(), self.0)
    }
}

impl fmt::Display for ManagementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_values_are_unique() {
        let mut values: Vec<u16> = ManagementId::ALL.iter().map(|id| id.0).collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), ManagementId::ALL.len());
        for id in ManagementId::ALL {
            assert_eq!(ManagementId::from_name(id.name()), Some(*id));
            assert_eq!(
                ManagementId::from_name(&id.name().to_ascii_lowercase()),
                Some(*id)
            );
        }
        assert_eq!(ManagementId(0x1234).name(), "unknown");
        assert_eq!(ManagementId::from_name("unknown"), None);
        assert_eq!(ManagementId::from_name("PRIORITY"), None);
    }

    #[test]
    fn fixed_and_empty_sizes_are_even() {
        for id in ManagementId::ALL {
            if let Shape::Fixed(n) | Shape::Variable(n) = id.shape() {
                assert!(n.is_multiple_of(2), "{id:?}");
            }
        }
    }
}
