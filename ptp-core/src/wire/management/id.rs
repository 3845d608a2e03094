//! managementId values (IEEE 1588-2019 Table 59) and linuxptp's implementation-specific
//! `*_NP` ones.

use core::fmt;

/// A managementId. Every value round-trips; the constants name the known ones.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ManagementId(pub u16);

impl ManagementId {
    /// The name pmc uses, or `"unknown"`.
    pub const fn name(self) -> &'static str {
        "unknown"
    }
}

impl fmt::Debug for ManagementId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}({:#06x})", self.name(), self.0)
    }
}
